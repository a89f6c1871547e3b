#!/usr/bin/env bash
# An offline demo: starts the local stand-ins for the services the README's examples call (ops/demo/StandIns.cs: an
# enrichment API for `rows`, web pages for `scrape`, match files for `telemetry`, on http://127.0.0.1:5081) and then
# the service itself through ops/run.sh, with what the examples need: the bench worker type on, short retry delays,
# loopback allowed for the rows, scrape and telemetry workers (the outbound guard refuses private addresses
# otherwise), the pending-packages sweep every 10 s. Needs no internet. Ctrl+C stops both.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

standins=${DEMO_STANDINS_URL:-http://127.0.0.1:5081}
dotnet run ops/demo/StandIns.cs -- "$root/samples" "$standins" &
standins_pid=$!
trap 'kill "$standins_pid" 2>/dev/null; wait "$standins_pid" 2>/dev/null' EXIT
for _ in $(seq 1 120); do
  curl -fsS "$standins/robots.txt" >/dev/null 2>&1 && break
  if ! kill -0 "$standins_pid" 2>/dev/null; then
    echo "The stand-ins did not start; see the output above." >&2
    exit 1
  fi
  sleep 1
done

export WorkerTypes__bench__Enabled=${WorkerTypes__bench__Enabled:-true}
# The stand-ins listen on loopback, which the outbound guards refuse unless allowed (never do this in production).
export WorkerTypes__rows__AllowPrivateNetworks=${WorkerTypes__rows__AllowPrivateNetworks:-true}
export WorkerTypes__scrape__AllowPrivateNetworks=${WorkerTypes__scrape__AllowPrivateNetworks:-true}
export WorkerTypes__telemetry__AllowPrivateNetworks=${WorkerTypes__telemetry__AllowPrivateNetworks:-true}
export WorkerTypes__scrape__PerHostDelay=${WorkerTypes__scrape__PerHostDelay:-00:00:00.050}
export WorkerTypes__packages__PendingSweepCron=${WorkerTypes__packages__PendingSweepCron:-*/10 * * * * *}
echo "Stand-ins on $standins (PID $standins_pid); starting HangfireApp…"
bash ops/run.sh
