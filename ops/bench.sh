#!/usr/bin/env bash
# The benchmark harness (not a test): engine throughput vs. one-Hangfire-job-per-unit, I/O efficiency,
# pickup and fan-in latency, peak memory. Needs a quiet machine; takes a few minutes.
# Usage: ops/bench.sh [--items 100000] [--baseline 10000]     (report also written to .local/bench.md)
#        ops/bench.sh --console-overhead [--items 20000] [--pairs 10]   job console off vs on, two hosts, alternating batches
#        ops/bench.sh --rows | --scrape | --packages                     the worker types' benchmarks (see docs/benchmarks.md)
#        ops/bench.sh --telemetry [--matches 40] [--own-sessions]         PUBG telemetry: engine (two hosts) vs a sequential parse loop
#        ops/bench.sh --documents [--pages 20] [--no-cli]                pages through the documents pipeline vs the tesseract CLI
#        ops/bench.sh --dashboard [--batches 1000] [--big-items 100000]  Batches pages: server time per page
#        ops/bench.sh --metrics [--metrics-batches 200] [--metrics-items 500] [--samples 50]  cost of a /metrics scrape
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash ops/pg.sh >/dev/null
bash ops/tesseract.sh >/dev/null
port=${HANGFIREAPP_PG_PORT:-55432}
export HANGFIREAPP_TEST_CONNECTION="Host=127.0.0.1;Port=$port;Database=postgres;Username=hangfireapp;Password=hangfireapp"
export BENCH_REPORT=$root/.local/bench.md
export BENCH_TELEMETRY_CACHE=$root/.local/bench-telemetry
dotnet build tests/HangfireApp.Benchmarks -c Release -nologo -v quiet -clp:ErrorsOnly
if [[ " $* " == *" --telemetry "* ]]; then
  # The telemetry hosts' runtime setting (README: idle thread-pool threads sleep at once instead of spinning), for the
  # benchmark's own loops too: they are compared with the hosts, so they run under the same runtime settings.
  export DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0
fi
dotnet tests/HangfireApp.Benchmarks/bin/Release/net10.0/HangfireApp.Benchmarks.dll "$@"
