#!/usr/bin/env bash
# The README's run command: ensures the local PostgreSQL, builds, and runs the host on
# http://127.0.0.1:5000 (HANGFIREAPP_URL overrides). Migrations apply on start. Ctrl+C stops it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

connection=$(bash ops/pg.sh | tail -n 1)
bash ops/tesseract.sh >/dev/null
url=${HANGFIREAPP_URL:-http://127.0.0.1:5000}

dotnet build src/HangfireApp -c Release -nologo -v quiet -clp:ErrorsOnly

export ConnectionStrings__Postgres=${ConnectionStrings__Postgres:-$connection}
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
export Auth__BootstrapAdminKey=${Auth__BootstrapAdminKey:-dev-admin-key}
# Development: a chunk's failed items are retried after 2 s instead of 10 s, 1 min, 5 min, so a batch with failing
# items ends in seconds. Set WorkerTypes__<name>__Retry__DelaysSeconds__0 yourself to keep another delay.
if [[ $ASPNETCORE_ENVIRONMENT == Development ]]; then
  for type in bench packages rows scrape documents preprocessing ocr nlp validation telemetry; do
    delay="WorkerTypes__${type}__Retry__DelaysSeconds__0"
    [[ -n ${!delay:-} ]] || export "$delay=2"
  done
fi
# A development dashboard user admin/admin, for this script only (never in appsettings.json). Set Auth__Users__0__*
# yourself to use another one; make hashes with `dotnet run --project src/HangfireApp -- hash-password`.
if [[ -z ${Auth__Users__0__Name:-} ]]; then
  export Auth__Users__0__Name=admin
  export Auth__Users__0__Role=admin
  export Auth__Users__0__PasswordHash='AQAAAAIAAYagAAAAEGZMlGS6E2nvq577xXHkPdrG9sVtEq59P7sk/OgPltXMNWbv4QqVNE0DexDQDMpStA=='
fi
# The rows worker's key for secret header values: one random key per checkout, kept (git-ignored) so that
# batches stored earlier can still be run after a restart. Production sets its own, the same on every host.
mkdir -p .local
[ -s .local/rows-secret.key ] || head -c 32 /dev/urandom | base64 > .local/rows-secret.key
export WorkerTypes__rows__SecretKey=${WorkerTypes__rows__SecretKey:-$(cat .local/rows-secret.key)}
# The certificate that encrypts the data-protection keys (they sign login cookies) in the database: one
# self-signed certificate per checkout, kept (git-ignored) like the rows key. Production sets its own, the same on
# every host (README, "Dashboard login, roles and audit").
if [[ ! -s .local/data-protection.crt || ! -s .local/data-protection.key ]]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=HangfireApp data protection (development)" \
    -keyout .local/data-protection.key -out .local/data-protection.crt 2>/dev/null
fi
export Auth__DataProtection__CertificatePath=${Auth__DataProtection__CertificatePath:-$root/.local/data-protection.crt}
export Auth__DataProtection__CertificateKeyPath=${Auth__DataProtection__CertificateKeyPath:-$root/.local/data-protection.key}

dotnet src/HangfireApp/bin/Release/net10.0/HangfireApp.dll --urls "$url" &
host=$!
trap 'kill "$host" 2>/dev/null; wait "$host" 2>/dev/null' INT TERM EXIT

for _ in $(seq 1 60); do
  if curl -fsS "$url/health/ready" >/dev/null 2>&1; then
    cat <<INFO

HangfireApp is up (PID $host).
  API        $url/api        (header X-Api-Key: $Auth__BootstrapAdminKey)
  OpenAPI    $url/openapi/v1.json
  Dashboard  $url/hangfire  (sign in as ${Auth__Users__0__Name}; the default development user is admin/admin)
  Health     $url/health/live  $url/health/ready

INFO
    break
  fi
  if ! kill -0 "$host" 2>/dev/null; then
    echo "HangfireApp exited during start; see the log above." >&2
    exit 1
  fi
  sleep 1
done
wait "$host"
