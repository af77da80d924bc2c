# shellcheck shell=bash
# PgBouncer (the machine's, e.g. Debian's 1.18: apt-get install pgbouncer) in front of the
# PostgreSQL server DATABASE_URL points at, for running the tests through a pooler. Source
# this file and call `pgbouncer_start MODE` (session or transaction): DATABASE_URL then points
# at PgBouncer on a loopback port, with every database of the server behind it (`*`), and
# `pgbouncer_stop` (installed as an EXIT trap, after any trap already set) stops it.
#
# Idle server connections are closed after a second, so that a test database can be dropped
# soon after its last client left (PostgreSQL waits up to 5 s for other sessions to end); the
# `extra_float_digits` startup parameter that sqlx::test's connections send is ignored.

# shellcheck source=scripts/lib/throwaway-pg.sh
source "$(dirname "${BASH_SOURCE[0]}")/throwaway-pg.sh"

pgbouncer_start() {
  local mode=${1:-session} target host port database user
  command -v pgbouncer >/dev/null 2>&1 || { echo "pgbouncer is not installed (apt-get install pgbouncer)" >&2; return 1; }
  target=$(python3 - "$DATABASE_URL" <<'PY'
import sys, urllib.parse as u
url = u.urlsplit(sys.argv[1])
host = u.unquote(url.hostname or "") if "%2F" not in url.netloc else u.unquote(url.netloc.split("@")[-1])
print(host or "127.0.0.1", url.port or 5432, url.path.lstrip("/") or "postgres", url.username or "postgres")
PY
)
  read -r host port database user <<<"$target"
  PGBOUNCER_DIR=$(mktemp -d /tmp/newsgraph-pgbouncer.XXXXXX)
  chmod 755 "$PGBOUNCER_DIR"
  PGBOUNCER_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat >"$PGBOUNCER_DIR/pgbouncer.ini" <<EOF
[databases]
* = host=$host port=$port user=$user

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $PGBOUNCER_DIR/userlist.txt
pool_mode = $mode
max_client_conn = 2000
default_pool_size = 40
max_db_connections = 0
server_idle_timeout = 1
; sqlx::test's own connections send it (newsgraph's pools do not).
ignore_startup_parameters = extra_float_digits
logfile = $PGBOUNCER_DIR/pgbouncer.log
pidfile = $PGBOUNCER_DIR/pgbouncer.pid
EOF
  printf '"%s" ""\n' "$user" >"$PGBOUNCER_DIR/userlist.txt"
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres: "$PGBOUNCER_DIR"
  fi
  throwaway_pg_as_owner pgbouncer -d "$PGBOUNCER_DIR/pgbouncer.ini" \
    || { cat "$PGBOUNCER_DIR/pgbouncer.log" >&2; return 1; }
  PGBOUNCER_SERVER_URL=$DATABASE_URL
  export DATABASE_URL="postgres://$user@127.0.0.1:$PGBOUNCER_PORT/$database"
  # shellcheck disable=SC2064 # the trap already set is read now, on purpose
  trap "pgbouncer_stop; $(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\\1/")" EXIT
}

pgbouncer_stop() {
  if [ -n "${PGBOUNCER_DIR:-}" ] && [ -f "$PGBOUNCER_DIR/pgbouncer.pid" ]; then
    kill -TERM "$(cat "$PGBOUNCER_DIR/pgbouncer.pid")" 2>/dev/null || true
    sleep 0.2
  fi
  if [ -n "${PGBOUNCER_SERVER_URL:-}" ]; then
    export DATABASE_URL=$PGBOUNCER_SERVER_URL
  fi
  [ -n "${PGBOUNCER_DIR:-}" ] && rm -rf "$PGBOUNCER_DIR"
  PGBOUNCER_DIR=
}
