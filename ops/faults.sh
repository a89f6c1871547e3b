#!/usr/bin/env bash
# Repeats the fault scenarios (PostgreSQL restarted with -m fast and -m immediate mid-batch) N times each, on a
# PostgreSQL cluster of the tests' own (never the shared one of ops/pg.sh), and prints the recovery figures: how long
# after the database came back every batch was final, per run, then the median and maximum per kind. Every run also
# asserts the invariants and the 60 s bound. CI runs each scenario once, inside ops/test.sh.
#
# Usage: bash ops/faults.sh [--runs N] [--timings production|test] [--all]
#   --runs N      runs of each restart kind (default 10)
#   --timings     production (default): the shipped heartbeat 2 s, stall timeout 30 s, sweep interval 15 s;
#                 test: the suite's shorter 1 s / 10 s / 10 s
#   --all         every fault scenario (freeze, worker and web host kills too), the restart ones repeated N times
#   --set K=V     a host setting for every host of the run (repeatable), e.g. to measure an alternative:
#                 --set Sweeps:LockHolderCheckInterval=00:00:00 --set Hangfire:Storage:DistributedLockTimeout=00:00:30
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

runs=10
timings=production
filter="FullyQualifiedName~Restart_LeavesEveryBatchFinal"
host_settings=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --timings) timings=$2; shift 2 ;;
    --all) filter=""; shift ;;
    --set) host_settings="$host_settings$2;"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

mkdir -p .local
figures=$root/.local/faults-figures.tsv
: > "$figures"
echo "[faults] $runs run(s) of each restart kind, $timings timings${host_settings:+, hosts with $host_settings}; machine load: $(cut -d' ' -f1-3 /proc/loadavg)"

dotnet build tests/HangfireApp.FaultTests -c Release -nologo -v quiet -clp:ErrorsOnly
status=0
HANGFIREAPP_FAULTS_RUNS=$runs HANGFIREAPP_FAULTS_TIMINGS=$timings HANGFIREAPP_FAULTS_FIGURES=$figures \
  HANGFIREAPP_FAULTS_HOST_SETTINGS=$host_settings \
  dotnet test tests/HangfireApp.FaultTests -c Release --no-build -nologo -v quiet \
  ${filter:+--filter "$filter"} --logger "console;verbosity=normal" | grep -E 'figure:|\[FAIL\]|Passed!|Failed!|Total tests|Passed:|Failed:' || status=$?

echo
echo "scenario                            runs  median s  max s"
cut -f1 "$figures" | sort -u | while IFS= read -r scenario; do
  # Values sorted ascending: the median is the middle one (or the mean of the middle two), the maximum the last.
  awk -F'\t' -v s="$scenario" '$1 == s { print $3 }' "$figures" | sort -n | awk -v s="$scenario" '
    { v[NR] = $1 }
    END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%-34s %5d %9.1f %6.1f\n", s, NR, m, v[NR] }'
done
echo "[faults] per run: $figures; load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
