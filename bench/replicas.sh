#!/usr/bin/env bash
# Read/write split benchmark, on loopback, everything in one run on this machine:
#
# 1. a primary and two streaming standbys (pg_basebackup -R), PostgreSQL from the server
#    binaries installed here; ../shared/corpus/bench (~24,000 articles) imported into the
#    primary (or the first LIMIT files' articles: bench/replicas.sh DURATION LIMIT);
# 2. wrk -t2 -c32 for DURATION seconds over database-bound reads (an entity's article pages,
#    its related entities, single articles), against `serve` on the primary alone, then
#    against `serve` with both standbys (--read-database-url twice);
#    for each: req/s, p50, p99, and the CPU seconds PostgreSQL and serve spent (from
#    /proc/*/stat), so throughput is compared per CPU second: on 2 cores three servers share
#    the same CPU, so absolute scale-out cannot show here;
# 3. the split again while standby 1 is stopped (pg_ctl stop -m fast) a quarter of the way in
#    and started again half way: every request must still answer 2xx.
#
#   bench/replicas.sh [DURATION_SECONDS]       (default 20)
# Results: bench/results/replicas-<date>.md
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20}
corpus=../shared/corpus/bench
port=18097
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
bindir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

cargo build --release --locked --quiet
work=$(mktemp -d /tmp/newsgraph-bench-replicas.XXXXXX)
chmod 755 "$work"
[ "$(id -u)" = 0 ] && chown postgres: "$work"
ports=(18191 18192 18193)
serve_pid=
stop_serve() {
  if [ -n "$serve_pid" ]; then
    kill -TERM "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
    serve_pid=
  fi
}
stop_all() {
  stop_serve
  for server in 2 1 0; do
    if [ -d "$work/server$server" ]; then
      as_pg "$bindir/pg_ctl" -D "$work/server$server" -m immediate stop >/dev/null 2>&1 || true
    fi
  done
}
trap 'status=$?; stop_all; if [ "$status" -ne 0 ]; then log "failed ($status); work files kept in $work"; else rm -rf "$work"; fi' EXIT
url() { echo "postgres://postgres@127.0.0.1:${ports[$1]}/postgres"; }
pg_start() { as_pg "$bindir/pg_ctl" -w -D "$work/server$1" -l "$work/server$1.log" start >/dev/null; }

log "a primary and two standbys"
as_pg "$bindir/initdb" -A trust -U postgres -E UTF8 --locale=C.UTF-8 -D "$work/server0" >/dev/null
cat >>"$work/server0/postgresql.conf" <<EOF
port = ${ports[0]}
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work'
wal_level = replica
max_wal_senders = 8
wal_keep_size = '1GB'
fsync = off
EOF
echo "host replication postgres 127.0.0.1/32 trust" >>"$work/server0/pg_hba.conf"
pg_start 0
for server in 1 2; do
  as_pg "$bindir/pg_basebackup" -h 127.0.0.1 -p "${ports[0]}" -U postgres -R -X stream -D "$work/server$server"
  echo "port = ${ports[$server]}" >>"$work/server$server/postgresql.conf"
  pg_start "$server"
done

log "importing the corpus into the primary"
DATABASE_URL=$(url 0) target/release/newsgraph import --report json "$corpus"/*.jsonl >"$work/import.json" 2>/dev/null
psql -q "$(url 0)" -c "VACUUM ANALYZE" -c "CHECKPOINT"
articles=$(psql -qAt "$(url 0)" -c "SELECT count(*) FROM articles")
psql -qAt "$(url 0)" -c "SELECT slug FROM entities WHERE article_count > 0 ORDER BY article_count DESC LIMIT 500" >"$work/top"
psql -qAt "$(url 0)" -c "SELECT id FROM articles ORDER BY random() LIMIT 500" >"$work/ids"
{
  awk '{print "/v1/articles?entity=" $0 "&limit=20"}' "$work/top"
  awk '{print "/v1/entities/" $0 "/related?limit=10"}' "$work/top"
  awk '{print "/v1/articles/" $0}' "$work/ids"
} >"$work/reads.paths"

# CPU seconds spent so far by every PostgreSQL process and by newsgraph: "postgres newsgraph".
server_cpu() {
  # Processes may end while they are read.
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } \
    | awk -v tick="$(getconf CLK_TCK)" '$2 == "(postgres)" {p += $14 + $15} $2 == "(newsgraph)" {n += $14 + $15}
        END {printf "%.2f %.2f\n", p / tick, n / tick}'
}

start_serve() {
  local label=$1; shift
  DATABASE_URL=$(url 0) NEWSGRAPH_ADDR=127.0.0.1:$port target/release/newsgraph serve "$@" >"$work/serve-$label.log" 2>&1 &
  serve_pid=$!
  local deadline=$((SECONDS + 120))
  until curl -sf "http://127.0.0.1:$port/readyz" | grep -q '"status":"ready"' \
    && ! curl -sf "http://127.0.0.1:$port/readyz" | grep -q '"in_rotation":false'; do
    if [ "$SECONDS" -ge "$deadline" ] || ! kill -0 "$serve_pid" 2>/dev/null; then
      log "serve ($label) did not become ready"; tail -20 "$work/serve-$label.log" >&2; exit 1
    fi
    sleep 0.2
  done
  # Warm every database's cache the same way before measuring.
  wrk -t2 -c32 -d5s -s bench/wrk/paths.lua "http://127.0.0.1:$port" -- "$work/reads.paths" >/dev/null 2>&1
}

run_wrk() {
  local label=$1 before after
  before=$(server_cpu)
  wrk -t2 -c32 -d"${duration}s" --latency -s bench/wrk/paths.lua "http://127.0.0.1:$port" -- "$work/reads.paths" >"$work/$label.wrk" 2>&1
  after=$(server_cpu)
  local requests errors
  requests=$(awk '/requests in/ {print $1}' "$work/$label.wrk")
  errors=$(awk '/Socket errors/ {print}' "$work/$label.wrk")
  local spent
  spent=$(awk -v a="$after" -v b="$before" 'BEGIN {split(a, x, " "); split(b, y, " "); printf "%.2f %.2f", x[1] - y[1], x[2] - y[2]}')
  echo "$label $(python3 bench/wrk/summary.py "$work/$label.wrk") $requests $spent ${errors:+errors}" >>"$work/results.txt"
  curl -s "http://127.0.0.1:$port/metrics" | grep -E '^newsgraph_reads' | sed "s/^/$label /" >>"$work/reads.txt" || true
}

: >"$work/results.txt"; : >"$work/reads.txt"
# serve's default pool size (two per core, at least 4), per pool.
connections=$(( $(nproc) * 2 > 4 ? $(nproc) * 2 : 4 ))
log "single: serve on the primary alone"
start_serve single
run_wrk single
stop_serve

log "split, half the connections per pool: as many in total as serve alone"
start_serve split-half --read-database-url "$(url 1)" --read-database-url "$(url 2)" \
  --db-max-connections $((connections / 2))
run_wrk split-half
stop_serve

log "split: serve reading from both standbys"
start_serve split --read-database-url "$(url 1)" --read-database-url "$(url 2)"
run_wrk split
log "split while standby 1 is stopped and started again"
(
  sleep $((duration / 4)); as_pg "$bindir/pg_ctl" -w -D "$work/server1" -m fast stop >/dev/null
  sleep $((duration / 4)); pg_start 1
) &
restarter=$!
run_wrk split-standby-restarted
wait "$restarter"
curl -s "http://127.0.0.1:$port/readyz" >"$work/readyz.json"
stop_serve

results=bench/results/replicas-$(date -u +%Y%m%d-%H%M).md
python3 - "$work/results.txt" "$work/reads.txt" "$articles" "$duration" "$work/readyz.json" >"$results" <<'PY'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    p = line.split()
    rows[p[0]] = p[1:]
reads = [l.split(maxsplit=1) for l in open(sys.argv[2])]
articles, duration = sys.argv[3], sys.argv[4]
print("# Read/write split benchmark\n")
print(f"{articles} articles on a primary with two streaming standbys (pg_basebackup -R, "
      f"PostgreSQL 15), all on this 2-core machine. wrk -t2 -c32 for {duration} s over "
      "500 entities' article pages, their related entities, and 500 single articles. "
      "CPU: seconds of CPU every PostgreSQL and newsgraph process spent during the run. "
      "single: serve on the primary; split-half: reading from both standbys with half the "
      "connections per pool (as many in total as single); split: the default pool size per "
      "standby; split-standby-restarted: split while standby 1 is stopped (pg_ctl stop -m "
      "fast) a quarter of the way in and started again half way.\n")
print("| run | req/s | p50 ms | p99 ms | non-2xx | requests | CPU s: PostgreSQL + newsgraph | requests per CPU s |")
print("|---|---|---|---|---|---|---|---|")
base = None
for label in ["single", "split-half", "split", "split-standby-restarted"]:
    v = rows.get(label)
    if not v:
        continue
    rps, p50, p99, non2xx, requests = v[0], v[1], v[2], v[3], int(v[4])
    pg_cpu, ng_cpu = float(v[5]), float(v[6])
    cpu = pg_cpu + ng_cpu
    socket = " (socket errors)" if len(v) > 7 else ""
    if label == "split-standby-restarted":
        # The stopped standby's processes took their CPU time with them.
        print(f"| {label} | {rps} | {p50} | {p99} | {non2xx}{socket} | {requests} | n/a | n/a |")
        continue
    per = requests / cpu if cpu else 0
    if label == "single":
        base = per
    ratio = f" ({per / base:.2f}x single)" if base and label != "single" else ""
    print(f"| {label} | {rps} | {p50} | {p99} | {non2xx}{socket} | {requests} | {pg_cpu:.1f} + {ng_cpu:.1f} = {cpu:.1f} | {per:.0f}{ratio} |")
print("\nWhere reads went (`/metrics` at the end of each run):\n")
for label, line in reads:
    print(f"- {label}: `{line.strip()}`")
print("\n`/readyz` at the end:\n")
print("```json\n" + json.dumps(json.load(open(sys.argv[5])), indent=1) + "\n```")
PY
log "results in $results"
cat "$results"
