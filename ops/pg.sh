#!/usr/bin/env bash
# Ensures a private local PostgreSQL for HangfireApp: installs Debian's server package if it is missing,
# creates a cluster under .local/pg (127.0.0.1 only), starts it, and creates the app role and database.
# Idempotent: run it as often as you like. Works as root (the server then runs as `postgres`) and as a
# normal user. Prints the connection string on its last line.
#
# Settings (environment):
#   HANGFIREAPP_PG_PORT  port to listen on                (default 55432)
#   HANGFIREAPP_PG_DIR   cluster folder                   (default <repo>/.local/pg)
#   HANGFIREAPP_PG_DB    application database             (default hangfireapp)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
port=${HANGFIREAPP_PG_PORT:-55432}
data=${HANGFIREAPP_PG_DIR:-$root/.local/pg}
db=${HANGFIREAPP_PG_DB:-hangfireapp}
app_user=hangfireapp
app_password=hangfireapp

log() { printf '[pg] %s\n' "$*" >&2; }

find_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [[ -n $dir && -x $dir/initdb ]] && printf '%s' "$dir"
}

bin=$(find_bin || true)
if [[ -z $bin ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    log "PostgreSQL server binaries are missing. Install them once with:"
    log "  sudo apt-get install -y postgresql"
    log "then run this script again."
    exit 1
  fi
  log "installing Debian's postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bin=$(find_bin)
fi

# As root the server must run as an unprivileged user; PostgreSQL refuses to run as root.
if [[ $(id -u) -eq 0 ]]; then
  as_owner() { (cd / && runuser -u postgres -- "$@"); }
else
  as_owner() { "$@"; }
fi

if [[ $(id -u) -eq 0 && -z ${HANGFIREAPP_PG_DIR:-} ]]; then
  mkdir -p "$data" && chown postgres:postgres "$data"
  # The server runs as `postgres`, which cannot reach a checkout inside a private home (e.g. /root).
  if ! runuser -u postgres -- test -w "$data"; then
    data=/var/tmp/hangfireapp-pg-$port
    log "the checkout is not reachable by the postgres user; using $data"
  fi
fi

psql_admin() { PGOPTIONS='-c client_min_messages=warning' PGPASSWORD=postgres "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qtAX -v ON_ERROR_STOP=1 "$@"; }

# A second checkout (a git worktree, a clean clone) finds the port taken by the first one's cluster, made by this
# script with the same credentials: it shares that server (each test creates its own database anyway). So does a
# checkout whose own cluster is stopped while another's serves the port (starting its own would only fail).
reuse=false
if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1 && psql_admin -c 'select 1' >/dev/null 2>&1; then
  log "127.0.0.1:$port already serves a cluster of this script (another checkout?): using it"
  reuse=true
fi

if [[ $reuse == false && ! -s $data/PG_VERSION ]]; then
  log "creating cluster in $data"
  mkdir -p "$data"
  [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$data"
  chmod 700 "$data"
  pwfile=$(mktemp)
  printf 'postgres\n' > "$pwfile"
  chmod 644 "$pwfile"
  as_owner "$bin/initdb" -D "$data" -U postgres --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  # Loopback only, TCP only (no socket files in shared folders), sized for several hosts and tests.
  cat <<CONF | as_owner tee -a "$data/postgresql.conf" >/dev/null
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 300
shared_buffers = 256MB
log_min_messages = warning
CONF
fi

if [[ $reuse == false ]] && ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  log "starting PostgreSQL on 127.0.0.1:$port"
  # The server outlives this script: it must not inherit the caller's descriptors beyond stdio. Started under
  # `flock LOCKFILE command` it would otherwise hold that lock for as long as it runs.
  (
    for fd in /proc/$BASHPID/fd/*; do
      n=${fd##*/}
      if (( n > 2 )); then eval "exec $n>&-" 2>/dev/null || true; fi
    done
    as_owner "$bin/pg_ctl" -D "$data" -l "$data/server.log" -o "-p $port" -w -t 60 start >/dev/null
  )
fi


for _ in $(seq 1 30); do
  psql_admin -c 'select 1' >/dev/null 2>&1 && break
  sleep 1
done

if [[ $(psql_admin -c "select 1 from pg_roles where rolname = '$app_user'") != 1 ]]; then
  log "creating role $app_user"
  # CREATEDB: every test run creates its own database.
  psql_admin -c "create role $app_user login createdb password '$app_password'"
fi
# Tests drop their databases WITH (FORCE), which may have to stop an autovacuum worker on them.
psql_admin -c "grant pg_signal_backend to $app_user" >/dev/null
if [[ $(psql_admin -c "select 1 from pg_database where datname = '$db'") != 1 ]]; then
  log "creating database $db"
  psql_admin -c "create database $db owner $app_user"
fi

printf 'Host=127.0.0.1;Port=%s;Database=%s;Username=%s;Password=%s\n' "$port" "$db" "$app_user" "$app_password"
