#!/usr/bin/env bash
# The README's test command: ensures the local PostgreSQL, builds the solution and runs every test
# project against it. Ends with one line `N passed, N failed, N skipped`, computed from the test
# results; exits non-zero when anything failed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash ops/pg.sh >/dev/null
bash ops/tesseract.sh >/dev/null
port=${HANGFIREAPP_PG_PORT:-55432}
export HANGFIREAPP_TEST_CONNECTION="Host=127.0.0.1;Port=$port;Database=postgres;Username=hangfireapp;Password=hangfireapp"
# The telemetry worker's RabbitMQ intake is tested against a node of the project's own.
HANGFIREAPP_TEST_RABBITMQ=$(bash ops/rabbitmq.sh | tail -n 1)
export HANGFIREAPP_TEST_RABBITMQ

if [[ -f ops/browser-deps.sh ]]; then
  bash ops/browser-deps.sh
fi

results=$root/.local/test-results
rm -rf "$results"
mkdir -p "$results"

dotnet build HangfireApp.sln -c Release -nologo -v quiet -clp:ErrorsOnly
status=0
dotnet test HangfireApp.sln -c Release --no-build -nologo -v quiet \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" || status=$?

# Sum the counters of every project's result file.
read -r total passed failed skipped < <(
  cat "$results"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); gsub(/"/, "", kv[2]); c[kv[1]] += kv[2] } }
    END { printf "%d %d %d %d\n", c["total"], c["passed"], c["failed"] + c["error"] + c["timeout"] + c["aborted"], c["notExecuted"] }')

# Name every failed test with the start of its message, so a CI log that keeps only its tail still says what failed.
# (perl is part of every Debian installation.)
cat "$results"/*.trx 2>/dev/null | perl -0777 -ne '
  while (/<UnitTestResult\b[^>]*?testName="([^"]*)"[^>]*?outcome="Failed".*?(?:<Message>(.*?)<\/Message>|<\/UnitTestResult>)/gs) {
    my ($name, $message) = ($1, $2 // "");
    for ($name, $message) { s/&#xD;//g; s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&amp;/&/g; }
    my @lines = grep { /\S/ } split /\n/, $message;
    print "FAILED $name\n", map({ "    $_\n" } @lines[0 .. ($#lines < 5 ? $#lines : 5)]);
  }' || true

echo "$passed passed, $failed failed, $skipped skipped"
if [[ $status -ne 0 || $failed -ne 0 || $total -eq 0 ]]; then
  exit 1
fi
