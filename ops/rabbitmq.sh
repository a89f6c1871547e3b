#!/usr/bin/env bash
# Ensures a private local RabbitMQ node for HangfireApp's telemetry intake: installs Debian's rabbitmq-server
# package if it is missing (without starting the system service), then starts a node of the project's own —
# its own node name, data and log folders under .local/rabbitmq, listening on 127.0.0.1 only, on its own AMQP,
# distribution and epmd ports — so a system RabbitMQ (5672, 25672, epmd 4369) is neither used nor disturbed.
# Idempotent: a running node is reused. As root the node runs as the `rabbitmq` user. Prints the AMQP URI last.
#
# Settings (environment):
#   HANGFIREAPP_RABBITMQ_PORT   AMQP port                         (default 55672)
#   HANGFIREAPP_RABBITMQ_DIR    node folder                       (default <repo>/.local/rabbitmq)
#   ops/rabbitmq.sh stop        stops this node (only this one)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
port=${HANGFIREAPP_RABBITMQ_PORT:-55672}
# The distribution port defaults to AMQP port + 20000, which is past 65535 here: name it. epmd gets a port of its
# own too, so this node never registers with (or starts) the system's epmd on 4369.
dist_port=$((port + 1))
epmd_port=$((port + 2))
base=${HANGFIREAPP_RABBITMQ_DIR:-$root/.local/rabbitmq}
node=hangfireapp-$port@localhost

log() { printf '[rabbitmq] %s\n' "$*" >&2; }

if ! command -v rabbitmq-server >/dev/null 2>&1 && [[ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    log "rabbitmq-server is missing. Install it once with: sudo apt-get install -y rabbitmq-server"
    exit 1
  fi
  log "installing Debian's rabbitmq-server package (the system service is not started)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # RUNLEVEL=1: invoke-rc.d starts no service during the install (containers without systemd would start one).
  RUNLEVEL=1 apt-get install -y -qq --no-install-recommends rabbitmq-server >/dev/null
fi
PATH=/usr/lib/rabbitmq/bin:$PATH

if [[ $(id -u) -eq 0 ]]; then
  as_owner() { (cd / && runuser -u rabbitmq -- env "$@"); }
else
  as_owner() { env "$@"; }
fi

# The Erlang cookie (in $HOME) is per machine and port, not per checkout: every checkout's rabbitmqctl can then reach
# the node whichever checkout started it.
home=/var/tmp/hangfireapp-rabbitmq-$port-home
mkdir -p "$base/mnesia" "$base/log" "$home"
if [[ $(id -u) -eq 0 ]]; then
  chown -R rabbitmq:rabbitmq "$base" "$home"
  # The node runs as `rabbitmq`, which cannot reach a checkout inside a private home (e.g. /root).
  if ! runuser -u rabbitmq -- test -w "$base/mnesia"; then
    base=/var/tmp/hangfireapp-rabbitmq-$port
    mkdir -p "$base/mnesia" "$base/log"
    chown -R rabbitmq:rabbitmq "$base"
    log "the checkout is not reachable by the rabbitmq user; using $base"
  fi
fi
chmod 700 "$home"
# No plugins (no management listener on 15672), loopback only (the guest user works from 127.0.0.1 only),
# a small disk threshold for developer machines.
printf '[].\n' > "$base/enabled_plugins"
cat > "$base/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$port
disk_free_limit.absolute = 50MB
log.file.level = warning
CONF
[[ $(id -u) -eq 0 ]] && chown rabbitmq:rabbitmq "$base/enabled_plugins" "$base/rabbitmq.conf"

node_env=(
  HOME="$home"
  RABBITMQ_NODENAME="$node"
  RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  RABBITMQ_NODE_PORT="$port"
  RABBITMQ_DIST_PORT="$dist_port"
  # RABBITMQ_NODE_IP_ADDRESS binds AMQP only; the Erlang distribution listener would take every interface.
  RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  ERL_EPMD_PORT="$epmd_port"
  ERL_EPMD_ADDRESS=127.0.0.1
  RABBITMQ_MNESIA_BASE="$base/mnesia"
  RABBITMQ_LOG_BASE="$base/log"
  RABBITMQ_CONFIG_FILE="$base/rabbitmq.conf"
  RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins"
  RABBITMQ_PID_FILE="$base/node.pid"
)
ctl() { as_owner "${node_env[@]}" rabbitmqctl -n "$node" -q "$@"; }

if [[ ${1:-} == stop ]]; then
  ctl stop >/dev/null 2>&1 && log "stopped $node" || log "$node is not running"
  # The node's epmd (on this script's own port) outlives the node; it refuses to stop while any node is registered.
  as_owner ERL_EPMD_PORT="$epmd_port" epmd -kill >/dev/null 2>&1 || true
  exit 0
fi

if ctl status >/dev/null 2>&1; then
  log "$node already running on 127.0.0.1:$port"
elif (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  # Like ops/pg.sh: a second checkout shares the node another one started (or any broker already on the port).
  log "127.0.0.1:$port already serves AMQP (a node of another checkout?): using it"
else
  log "starting $node on 127.0.0.1:$port (distribution $dist_port, epmd $epmd_port), data in $base"
  # The node outlives this script: like ops/pg.sh's server it must not inherit the caller's descriptors (a lock held
  # by `flock LOCKFILE command` would be held for as long as it runs).
  (
    for fd in /proc/$BASHPID/fd/*; do
      n=${fd##*/}
      if (( n > 2 )); then eval "exec $n>&-" 2>/dev/null || true; fi
    done
    as_owner "${node_env[@]}" setsid rabbitmq-server
  ) > "$base/log/console.log" 2>&1 < /dev/null &
  # await_startup gives up at once while the node is not registered yet: ask again until it answers or the time is up.
  for attempt in $(seq 1 120); do
    ctl await_startup --timeout 60 >/dev/null 2>&1 && break
    if [[ $attempt -eq 120 ]] || ! kill -0 $! 2>/dev/null; then
      log "the node did not start; its console output:"
      tail -n 40 "$base/log/console.log" >&2 || true
      exit 1
    fi
    sleep 1
  done
fi

printf 'amqp://guest:guest@127.0.0.1:%s/\n' "$port"
