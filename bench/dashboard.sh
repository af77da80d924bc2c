#!/usr/bin/env bash
# Dashboard benchmark, on loopback, everything in one run on this machine:
#
# 1. a fresh PostgreSQL; ../shared/corpus/bench (~24,000 articles) imported;
# 2. baseline: `pgbench -S -M prepared` (the database's own single-row read ceiling);
# 3. wrk at 32 connections against `newsgraph serve` (p50/p99, throughput):
#      GET /v1/articles/timeline?entity=...&interval=week   (the 500 entities with most articles)
#      GET /v1/articles/facets?entity=...
#      GET /v1/articles/timeline?q=...&interval=week        (400 common words)
#      GET /v1/articles/facets?q=...
#    and the peak RSS of `serve`; before each, every path asked once on one connection (the
#    first asks, which roll up popular entities' and words' answers; wrk measures repeats);
# 4. with SCALE > 1 (default 10), the corpus replayed with distinct URLs up to SCALEx, and
#    step 3 again; the p50s are compared with 1x (target <= 2) and the p99s with 100 ms;
# 5. against the serve of the largest scale, bench/sse_load.py: SSE_SUBSCRIBERS (1000)
#    concurrent subscribers of GET /v1/articles/stream, SSE_POSTS (20) articles POSTed a
#    second apart, each delivered to all of them (target within 1 s of the commit), and
#    serve's RSS before, with the subscribers and after.
#
#   bench/dashboard.sh [SCALE] [DURATION_SECONDS]      (defaults 10 and 20)
#   SSE_SUBSCRIBERS=200 SSE_POSTS=5 bench/dashboard.sh 1 5   (a smoke run)
# Results: bench/results/dashboard-<date>.md
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-10}
duration=${2:-20}
sse_subscribers=${SSE_SUBSCRIBERS:-1000}
sse_posts=${SSE_POSTS:-20}
corpus=../shared/corpus/bench
port=18096
# shellcheck source=scripts/lib/throwaway-pg.sh
source scripts/lib/throwaway-pg.sh
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

# serve holds a descriptor per subscriber, and so does sse_load.py.
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((sse_subscribers + 1024)) ]; then
  ulimit -n $((sse_subscribers + 1024)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi

cargo build --release --locked --quiet
throwaway_pg_start
base=${DATABASE_URL%/*}
psql -q "$DATABASE_URL" -c "CREATE DATABASE newsgraph_bench" -c "CREATE DATABASE pgbench_baseline"
db="$base/newsgraph_bench"
work=$(mktemp -d /tmp/newsgraph-bench-dashboard.XXXXXX)
serve_pid=
stop_serve() {
  if [ -n "$serve_pid" ]; then
    kill -TERM "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
    serve_pid=
  fi
}
# The work files (import reports, wrk outputs, serve logs) are kept when the run fails.
trap 'status=$?; stop_serve; if [ "$status" -ne 0 ]; then log "failed ($status); work files kept in $work"; else rm -rf "$work"; fi; throwaway_pg_stop' EXIT
results=bench/results/dashboard-$(date -u +%Y%m%d-%H%M).md
mkdir -p bench/results

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

log "importing the corpus (1x)"
DATABASE_URL=$db target/release/newsgraph import --report json "$corpus"/*.jsonl >"$work/import-1x.json" 2>/dev/null
# Measured after the import's dirty pages are written, not while the checkpointer flushes them.
psql -q "$db" -c "VACUUM ANALYZE" -c "CHECKPOINT"

log "pgbench baseline"
pgbench -q -i -s 10 "$base/pgbench_baseline" >/dev/null 2>&1
pgbench_tps=$(pgbench -S -M prepared -c 32 -j 2 -T "$duration" "$base/pgbench_baseline" 2>/dev/null \
  | awk '/^tps/ {print int($3); exit}')

make_paths() {
  psql -qAt "$db" -c "SELECT slug FROM entities WHERE article_count > 0 ORDER BY article_count DESC LIMIT 500" >"$work/top-entities"
  psql -qAt "$db" -c "SELECT word FROM ts_stat('SELECT search FROM articles TABLESAMPLE SYSTEM (20)') WHERE length(word) > 3 ORDER BY ndoc DESC OFFSET 100 LIMIT 400" >"$work/common-words"
  awk '{print "/v1/articles/timeline?entity=" $0 "&interval=week"}' "$work/top-entities" >"$work/timeline-entity.paths"
  awk '{print "/v1/articles/facets?entity=" $0}' "$work/top-entities" >"$work/facets-entity.paths"
  awk '{print "/v1/articles/timeline?q=" $0 "&interval=week"}' "$work/common-words" >"$work/timeline-q.paths"
  awk '{print "/v1/articles/facets?q=" $0}' "$work/common-words" >"$work/facets-q.paths"
}

# The cpu line of /proc/stat: jiffies by state; the 8th number is steal, the time the
# hypervisor gave this VM's virtual CPUs to someone else.
cpu_times() { awk '/^cpu / {print $2, $3, $4, $5, $6, $7, $8, $9}' /proc/stat; }

# run_wrk NAME PATHS_FILE -> "rps p50_ms p99_ms non2xx steal_percent"
run_wrk() {
  local before after
  before=$(cpu_times)
  wrk -t2 -c32 -d"${duration}s" --latency -s bench/wrk/paths.lua "http://127.0.0.1:$port" -- "$2" >"$work/$1.wrk" 2>&1
  after=$(cpu_times)
  python3 bench/wrk/summary.py "$work/$1.wrk" "$before" "$after"
}

# first_asks PATHS_FILE -> "p50_ms p99_ms": every path asked once, one at a time, right after
# a build: the answers of popular entities and words are rolled up on their first ask, so the
# wrk runs that follow measure repeated asks, and this the first ones.
first_asks() {
  local path
  while read -r path; do
    curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port$path"
  done <"$1" | sort -n | awk '{t[NR] = $1 * 1000} END {printf "%.2f %.2f\n", t[int(NR * 0.5 + 0.5)], t[int(NR * 0.99 + 0.5)]}'
}

# start_serve LABEL: serve in the background ($serve_pid), ready and with its in-memory index
# built (several seconds at 10x; up to 10 minutes allowed).
start_serve() {
  local label=$1 deadline indexed=
  DATABASE_URL=$db NEWSGRAPH_ADDR=127.0.0.1:$port NEWSGRAPH_WRITE_TOKENS=bench:secret \
    NEWSGRAPH_MAX_STREAMS=5000 target/release/newsgraph serve >"$work/serve-$label.log" 2>&1 &
  serve_pid=$!
  deadline=$((SECONDS + 60))
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ] || ! kill -0 "$serve_pid" 2>/dev/null; then
      log "serve ($label) did not become ready"; tail -20 "$work/serve-$label.log" >&2; exit 1
    fi
    sleep 0.2
  done
  log "serve ($label) ready; waiting for its in-memory index"
  deadline=$((SECONDS + 600))
  until indexed=$(curl -sf "http://127.0.0.1:$port/metrics" | awk '/^newsgraph_text_index_articles [1-9]/ {print $2}') \
    && [ -n "$indexed" ]; do
    if [ "$SECONDS" -ge "$deadline" ] || ! kill -0 "$serve_pid" 2>/dev/null; then
      log "serve ($label) built no index within 10 minutes"; tail -20 "$work/serve-$label.log" >&2; exit 1
    fi
    sleep 0.5
  done
  log "serve ($label) index holds $indexed articles"
}

# measure LABEL: the four lists against a fresh serve, which is left running.
measure() {
  local label=$1
  make_paths
  start_serve "$label"
  for name in timeline-entity facets-entity timeline-q facets-q; do
    # Queries the previous run left in flight finish before the next run starts.
    sleep 5
    log "first asks $name ($label)"
    echo "$label $name-first $(first_asks "$work/$name.paths")" >>"$work/results.txt"
    log "wrk $name ($label)"
    echo "$label $name $(run_wrk "$name-$label" "$work/$name.paths")" >>"$work/results.txt"
  done
  echo "$label rss_mib $(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$serve_pid/status")" >>"$work/results.txt"
  echo "$label articles $(psql -qAt "$db" -c "SELECT count(*) FROM articles")" >>"$work/results.txt"
}

: >"$work/results.txt"
measure 1x

if [ "$scale" -gt 1 ]; then
  stop_serve
  log "replaying the corpus to ${scale}x"
  # A record the importer refuses makes it exit non-zero; the run goes on with the rest.
  bench/replay.py "$scale" "$corpus"/*.jsonl | DATABASE_URL=$db target/release/newsgraph import --report json - \
    >"$work/import-replay.json" 2>"$work/import-replay.err" || log "the replay import exited $? (see $work/import-replay.err)"
  log "replayed: $(psql -qAt "$db" -c "SELECT count(*) FROM articles") articles"
  psql -q "$db" -c "VACUUM ANALYZE" -c "CHECKPOINT"
  measure "${scale}x"
fi

sleep 5
log "SSE: $sse_subscribers subscribers, $sse_posts posts (${scale}x)"
sse_status=0
python3 bench/sse_load.py --url "http://127.0.0.1:$port" --subscribers "$sse_subscribers" \
  --posts "$sse_posts" --token bench:secret --pid "$serve_pid" >"$work/sse.txt" 2>&1 || sse_status=$?
log "SSE done (exit status $sse_status)"
stop_serve

python3 - "$work/results.txt" "$pgbench_tps" "$scale" "$work/sse.txt" "$sse_status" "$duration" >"$results" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    parts = line.split()
    rows[(parts[0], parts[1])] = parts[2:]
tps, scale, sse_file, sse_status, duration = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6]
names = ["timeline-entity", "facets-entity", "timeline-q", "facets-q"]
labels = ["1x"] + ([f"{scale}x"] if scale > 1 else [])
print("# Dashboard benchmark\n")
print("Articles: " + ", ".join(f"{rows[(l, 'articles')][0]} at {l}" for l in labels)
      + f". wrk -t2 -c32 for {duration} s per list. pgbench -S -M prepared (32 clients): {tps} TPS over the unix socket.\n")
print("| endpoint | scale | req/s | req/s / pgbench -S TPS | p50 ms | p99 ms | non-2xx | CPU stolen by the hypervisor |")
print("|---|---|---|---|---|---|---|---|")
for label in labels:
    for name in names:
        v = rows.get((label, name))
        if v:
            print(f"| {name} | {label} | {v[0]} | {int(v[0]) / tps:.1%} | {v[1]} | {v[2]} | {v[3]} | {v[4]}% |")
print()
print("First asks: each path once, one connection, right after the in-memory index was built "
      "(timelines and facets of popular entities and words are rolled up on their first ask; "
      "the wrk runs above repeat them).\n")
print("| endpoint | scale | p50 ms | p99 ms |")
print("|---|---|---|---|")
for label in labels:
    for name in names:
        v = rows.get((label, name + "-first"))
        if v:
            print(f"| {name} | {label} | {v[0]} | {v[1]} |")
print()
for label in labels:
    print(f"serve peak RSS at {label}: {rows[(label, 'rss_mib')][0]} MiB.")
print()
last = labels[-1]
for name in names:
    a, b = rows.get(("1x", name)), rows.get((last, name))
    if not (a and b):
        continue
    p99 = float(b[2])
    line = f"{name}: p99 at {last} {b[2]} ms (target <= 100: {'met' if p99 <= 100 else 'MISSED'})"
    if scale > 1:
        ratio = float(b[1]) / float(a[1])
        line += f", p50 {last} / 1x = {ratio:.2f} (target <= 2: {'met' if ratio <= 2 else 'MISSED'})"
    fa, fb = rows.get(("1x", name + "-first")), rows.get((last, name + "-first"))
    if scale > 1 and fa and fb:
        line += f"; first asks p50 {last} / 1x = {float(fb[0]) / float(fa[0]):.2f}"
    if int(b[3]):
        line += f", {b[3]} non-2xx responses"
    print(line + ".")
print()
text = open(sse_file).read()
summary = [l for l in text.splitlines() if l.startswith("sse ")]
print(f"## Live stream at {last}\n")
if summary:
    fields = dict(f.split("=", 1) for f in summary[-1].split()[1:])
    print(f"`{summary[-1]}`\n")
    try:
        p99, worst = float(fields["p99_ms"]), float(fields["max_ms"])
        ok = sse_status == 0 and worst <= 1000
        print(f"Delivery after the POST's commit: p99 {p99:.0f} ms, max {worst:.0f} ms "
              f"(target: every post to every subscriber within 1,000 ms: {'met' if ok else 'MISSED'}).\n")
    except (KeyError, ValueError):
        pass
else:
    print("sse_load.py printed no summary.\n")
print(f"sse_load.py exit status {sse_status}; its report:\n")
print("```")
print(text.rstrip())
print("```")
PY
cat "$results"
