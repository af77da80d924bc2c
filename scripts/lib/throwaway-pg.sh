# shellcheck shell=bash
# A throwaway PostgreSQL cluster for tests and benchmarks: a fresh data directory under /tmp,
# a unix socket only (no TCP port to collide with), durability off because nothing in it
# outlives the run. Source this file, call `throwaway_pg_start`, and DATABASE_URL points at
# the new cluster; `throwaway_pg_stop` (installed as an EXIT trap) removes it.

throwaway_pg_bindir() {
  local dir
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return
  fi
  if command -v pg_config >/dev/null 2>&1; then
    dir=$(pg_config --bindir)
    if [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
  done
  echo "no PostgreSQL server binaries found: install the PostgreSQL server (Debian: apt-get install postgresql) or set DATABASE_URL" >&2
  return 1
}

# Runs a command as the cluster's owner: the `postgres` user when we are root (PostgreSQL
# refuses to run as root), else ourselves.
throwaway_pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

throwaway_pg_start() {
  local bindir
  bindir=$(throwaway_pg_bindir)
  THROWAWAY_PG_DIR=$(mktemp -d /tmp/newsgraph-pg.XXXXXX)
  chmod 755 "$THROWAWAY_PG_DIR"
  mkdir "$THROWAWAY_PG_DIR/data" "$THROWAWAY_PG_DIR/run"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$THROWAWAY_PG_DIR/data" "$THROWAWAY_PG_DIR/run"
  fi
  throwaway_pg_as_owner "$bindir/initdb" -D "$THROWAWAY_PG_DIR/data" -U postgres \
    --auth=trust -E UTF8 --locale=C.UTF-8 >"$THROWAWAY_PG_DIR/initdb.log" 2>&1 \
    || { cat "$THROWAWAY_PG_DIR/initdb.log" >&2; return 1; }
  # The settings go to postgresql.auto.conf, so a resumed server listens where it did.
  # Benchmarks set THROWAWAY_PG_DURABLE=1 to measure with the defaults a real server has.
  {
    echo "listen_addresses = ''"
    echo "unix_socket_directories = '$THROWAWAY_PG_DIR/run'"
    echo "max_connections = 200"
    if [ -z "${THROWAWAY_PG_DURABLE:-}" ]; then
      echo "fsync = off"
      echo "synchronous_commit = off"
      echo "full_page_writes = off"
    fi
  } >>"$THROWAWAY_PG_DIR/data/postgresql.auto.conf"
  throwaway_pg_as_owner "$bindir/pg_ctl" -D "$THROWAWAY_PG_DIR/data" -w -t 60 \
    -l "$THROWAWAY_PG_DIR/run/postgres.log" start >/dev/null \
    || { cat "$THROWAWAY_PG_DIR/run/postgres.log" >&2; return 1; }
  THROWAWAY_PG_BINDIR=$bindir
  # The socket directory goes in the host part, percent-encoded, so that the database name
  # stays the last path segment and is easy to swap.
  export DATABASE_URL="postgres://postgres@${THROWAWAY_PG_DIR//\//%2F}%2Frun/postgres"
  trap throwaway_pg_stop EXIT
}

# Stops the server but keeps the cluster, so that throwaway_pg_resume brings the same database
# back at the same address (tests of what clients do while the database is down).
throwaway_pg_pause() {
  throwaway_pg_as_owner "$THROWAWAY_PG_BINDIR/pg_ctl" -D "$THROWAWAY_PG_DIR/data" -m fast -w stop >/dev/null
}

throwaway_pg_resume() {
  throwaway_pg_as_owner "$THROWAWAY_PG_BINDIR/pg_ctl" -D "$THROWAWAY_PG_DIR/data" -w -t 60 \
    -l "$THROWAWAY_PG_DIR/run/postgres.log" start >/dev/null
}

throwaway_pg_stop() {
  if [ -n "${THROWAWAY_PG_DIR:-}" ] && [ -d "$THROWAWAY_PG_DIR" ]; then
    throwaway_pg_as_owner "$THROWAWAY_PG_BINDIR/pg_ctl" -D "$THROWAWAY_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$THROWAWAY_PG_DIR"
  fi
}
