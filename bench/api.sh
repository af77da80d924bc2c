#!/usr/bin/env bash
# API benchmark, on loopback, everything in one run on this machine:
#
# 1. a fresh PostgreSQL; ../shared/corpus/bench (~24,000 articles) imported;
# 2. baseline: `pgbench -S -M prepared` (the database's own single-row read ceiling);
# 3. wrk at 32 connections against `newsgraph serve`:
#      GET /v1/entities/{slug}                (throughput, compared with pgbench TPS)
#      GET /v1/articles?entity=...&limit=20   (p50/p99)
#      GET /v1/articles?q=...                 (p50/p99)
#      GET /v1/entities?q=...                 (p50/p99)
#    and the peak RSS of `serve`;
# 4. with SCALE=10 (default), the corpus replayed with distinct URLs up to 10x, and step 3
#    again; the p50s are compared with 1x and the query plans saved.
#
#   bench/api.sh [SCALE] [DURATION_SECONDS]
# Results: bench/results/api-<date>.md
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-10}
duration=${2:-20}
corpus=../shared/corpus/bench
# shellcheck source=scripts/lib/throwaway-pg.sh
source scripts/lib/throwaway-pg.sh
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

cargo build --release --locked --quiet
throwaway_pg_start
base=${DATABASE_URL%/*}
psql -q "$DATABASE_URL" -c "CREATE DATABASE newsgraph_bench" -c "CREATE DATABASE pgbench_baseline"
db="$base/newsgraph_bench"
work=$(mktemp -d /tmp/newsgraph-bench-api.XXXXXX)
results=bench/results/api-$(date -u +%Y%m%d-%H%M).md
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
# The same over TCP loopback, as HTTP clients reach serve (when port 5432 is free).
pgbench_tcp_tps=0
if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  psql -q "$DATABASE_URL" -c "ALTER SYSTEM SET listen_addresses = '127.0.0.1'"
  throwaway_pg_pause
  throwaway_pg_resume
  pgbench_tcp_tps=$(pgbench -h 127.0.0.1 -p 5432 -U postgres -S -M prepared -c 32 -j 2 -T "$duration" \
    pgbench_baseline 2>/dev/null | awk '/^tps/ {print int($3); exit}')
fi

make_paths() {
  psql -qAt "$db" -c "SELECT '/v1/entities/' || slug FROM entities WHERE article_count > 0 ORDER BY article_count DESC LIMIT 2000" >"$work/entity.paths"
  psql -qAt "$db" -c "SELECT '/v1/articles?entity=' || slug || '&limit=20' FROM entities WHERE article_count > 0 ORDER BY article_count DESC LIMIT 500" >"$work/articles-entity.paths"
  psql -qAt "$db" -c "SELECT '/v1/articles?q=' || word FROM ts_stat('SELECT search FROM articles TABLESAMPLE SYSTEM (20)') WHERE length(word) > 3 ORDER BY ndoc DESC OFFSET 100 LIMIT 400" >"$work/articles-q.paths"
  psql -qAt "$db" -c "SELECT '/v1/entities?q=' || replace(left(norm, 3 + (abs(hashtext(norm)) % 6)), ' ', '%20') FROM entity_aliases TABLESAMPLE SYSTEM (10) LIMIT 500" >"$work/entities-q.paths"
}

# The cpu line of /proc/stat: jiffies by state; the 8th number is steal, the time the
# hypervisor gave this VM's virtual CPUs to someone else.
cpu_times() { awk '/^cpu / {print $2, $3, $4, $5, $6, $7, $8, $9}' /proc/stat; }

# run_wrk NAME PATHS_FILE -> "rps p50_ms p99_ms non2xx steal_percent"
run_wrk() {
  local before after
  before=$(cpu_times)
  wrk -t2 -c32 -d"${duration}s" --latency -s bench/wrk/paths.lua "http://127.0.0.1:18099" -- "$2" >"$work/$1.wrk" 2>&1
  after=$(cpu_times)
  python3 bench/wrk/summary.py "$work/$1.wrk" "$before" "$after"
}

measure() {
  local label=$1
  make_paths
  DATABASE_URL=$db NEWSGRAPH_ADDR=127.0.0.1:18099 \
    target/release/newsgraph serve >"$work/serve-$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18099/readyz >/dev/null && break; sleep 0.2; done
  # The full-text index is built in the background after start-up; measure it once built.
  for _ in $(seq 1 600); do
    curl -sf http://127.0.0.1:18099/metrics | grep -q '^newsgraph_text_index_articles [1-9]' && break
    sleep 0.2
  done
  for name in entity articles-entity articles-q entities-q; do
    # Queries the previous run left in flight finish before the next run starts.
    sleep 5
    log "wrk $name ($label)"
    echo "$label $name $(run_wrk "$name-$label" "$work/$name.paths")" >>"$work/results.txt"
  done
  echo "$label rss_mib $(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$pid/status")" >>"$work/results.txt"
  kill -TERM "$pid"; wait "$pid" || true
}

: >"$work/results.txt"
measure 1x
articles_1x=$(psql -qAt "$db" -c "SELECT count(*) FROM articles")

if [ "$scale" -gt 1 ]; then
  log "replaying the corpus to ${scale}x"
  bench/replay.py "$scale" "$corpus"/*.jsonl | DATABASE_URL=$db target/release/newsgraph import --report json - >"$work/import-replay.json" 2>/dev/null
  psql -q "$db" -c "VACUUM ANALYZE" -c "CHECKPOINT"
  measure "${scale}x"
  slug=$(head -1 "$work/entity.paths" | sed 's#.*/##')
  word=$(sed -n 50p "$work/articles-q.paths" | sed 's#.*q=##')
  entity_id=$(psql -qAt "$db" -c "SELECT id FROM entities WHERE slug = '$slug'")
  {
    echo "-- entity by slug"; psql -q "$db" -c "EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM entities WHERE slug = '$slug'"
    echo "-- articles of the top entity, newest first"
    psql -q "$db" -c "EXPLAIN (ANALYZE, BUFFERS) SELECT a.id FROM article_entities ae0 JOIN articles a ON a.id = ae0.article_id WHERE ae0.entity_id = '$entity_id' ORDER BY COALESCE(ae0.published_at, '-infinity'::timestamptz) DESC, ae0.article_id DESC LIMIT 21"
    echo "-- full text, newest first (the default order with q)"
    psql -q "$db" -c "EXPLAIN (ANALYZE, BUFFERS) SELECT a.id FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.search @@ websearch_to_tsquery('newsgraph_english', '$word') ORDER BY COALESCE(a.published_at, '-infinity'::timestamptz) DESC, a.id DESC LIMIT 21"
    echo "-- full text, ranked (sort=relevance)"
    psql -q "$db" -c "EXPLAIN (ANALYZE, BUFFERS) SELECT a.id, ts_rank_cd(a.search, q) AS r FROM articles a, websearch_to_tsquery('newsgraph_english', '$word') q WHERE a.search @@ q ORDER BY r DESC, a.id DESC LIMIT 21"
    echo "-- entity name search"
    psql -q "$db" -c "EXPLAIN (ANALYZE, BUFFERS) SELECT entity_id FROM entity_aliases WHERE norm LIKE 'vuc%' OR norm LIKE '% vuc%' OR norm % 'vuc' OR 'vuc' <% norm"
  } >"${results%.md}-plans.txt" 2>&1
fi
articles_now=$(psql -qAt "$db" -c "SELECT count(*) FROM articles")

python3 - "$work/results.txt" "$pgbench_tps" "$articles_1x" "$articles_now" "$scale" "$pgbench_tcp_tps" >"$results" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    parts = line.split()
    rows[(parts[0], parts[1])] = parts[2:]
tps, n1, nn, scale, tcp = int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
print("# API benchmark\n")
print(f"Articles: {n1} at 1x, {nn} at {scale}x. pgbench -S -M prepared (32 clients): {tps} TPS over the unix socket, {tcp or 'not measured'} TPS over TCP loopback.\n")
print("| endpoint | scale | req/s | p50 ms | p99 ms | non-2xx | CPU stolen by the hypervisor |")
print("|---|---|---|---|---|---|---|")
for (label, name), values in sorted(rows.items()):
    if name == "rss_mib":
        continue
    print(f"| {name} | {label} | {values[0]} | {values[1]} | {values[2]} | {values[3]} | {values[4]}% |")
print()
one = rows.get(("1x", "entity"))
if one:
    print(f"GET /v1/entities/{{slug}} throughput: {int(one[0]) / tps:.0%} of pgbench -S over the unix socket (target >= 60%).")
    if tcp:
        print(f"GET /v1/entities/{{slug}} throughput: {int(one[0]) / tcp:.0%} of pgbench -S over TCP loopback.")
for label in sorted({l for l, _ in rows}):
    print(f"serve peak RSS at {label}: {rows[(label, 'rss_mib')][0]} MiB (target <= 300).")
if scale > 1:
    for name in ["entity", "articles-entity", "articles-q", "entities-q"]:
        a, b = rows.get(("1x", name)), rows.get((f"{scale}x", name))
        if a and b:
            print(f"{name}: p50 {scale}x / 1x = {float(b[1]) / float(a[1]):.2f} (target <= 2), p99 at {scale}x {b[2]} ms (target <= 50).")
PY
cat "$results"
rm -rf "$work"
