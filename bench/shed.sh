#!/usr/bin/env bash
# Load shedding: do cheap reads keep their latency while costly requests are
# abused? On loopback, against a throwaway PostgreSQL holding ../shared/corpus/bench:
#
# 1. cheap reads alone: wrk, 8 connections, GET /v1/entities/{slug} and /v1/articles/{id};
# 2. the same while another wrk hammers costly requests at 64 connections: full-text
#    searches of common words with count=true and headlines, each a scan of thousands of
#    articles;
# for this build and, when NEWSGRAPH_BASE_BIN names another (an older release), for that one
# too, in the same session. Reported: p50/p99 of the cheap reads in both phases, and the
# costly requests' throughput and refusals (503 overloaded).
#
#   bench/shed.sh [DURATION_SECONDS]      (default 20)
# Results: bench/results/shed-<date>.md
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20}
corpus=../shared/corpus/bench
# shellcheck source=scripts/lib/throwaway-pg.sh
source scripts/lib/throwaway-pg.sh
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

cargo build --release --locked --quiet
throwaway_pg_start
base=${DATABASE_URL%/*}
work=$(mktemp -d /tmp/newsgraph-bench-shed.XXXXXX)
trap 'rm -rf "$work"; throwaway_pg_stop' EXIT
results=bench/results/shed-$(date -u +%Y%m%d-%H%M).md
mkdir -p bench/results
port=18098

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# run_wrk NAME PATHS CONNECTIONS -> "rps p50_ms p99_ms non2xx" (into $work/NAME.txt)
run_wrk() {
  wrk -t1 -c"$3" -d"${duration}s" --latency -s bench/wrk/paths.lua "http://127.0.0.1:$port" -- "$2" \
    >"$work/$1.wrk" 2>&1
  python3 bench/wrk/summary.py "$work/$1.wrk" >"$work/$1.txt"
}

# measure LABEL BINARY
measure() {
  local label=$1 bin=$2 db="$base/shed_$1"
  psql -q "$DATABASE_URL" -c "CREATE DATABASE shed_$label"
  log "importing the corpus ($label)"
  DATABASE_URL=$db "$bin" import --report json "$corpus"/*.jsonl >/dev/null 2>&1
  psql -q "$db" -c "VACUUM ANALYZE" -c "CHECKPOINT"
  psql -qAt "$db" -c "SELECT '/v1/entities/' || slug FROM entities WHERE article_count > 0 ORDER BY article_count DESC LIMIT 1000" >"$work/cheap.paths"
  psql -qAt "$db" -c "SELECT '/v1/articles/' || id FROM articles TABLESAMPLE SYSTEM (5) LIMIT 1000" >>"$work/cheap.paths"
  psql -qAt "$db" -c "SELECT '/v1/articles?count=true&limit=100&fields=id,title,headline&q=' || word FROM ts_stat('SELECT search FROM articles TABLESAMPLE SYSTEM (20)') WHERE length(word) > 2 ORDER BY ndoc DESC LIMIT 50" >"$work/costly.paths"
  DATABASE_URL=$db NEWSGRAPH_ADDR=127.0.0.1:$port "$bin" serve >"$work/serve-$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/metrics" | grep -q '^newsgraph_text_index_articles [1-9]' && break
    sleep 0.2
  done
  sleep 2
  log "cheap reads alone ($label)"
  run_wrk "$label-alone" "$work/cheap.paths" 8
  sleep 5
  log "cheap reads while costly ones are abused ($label)"
  run_wrk "$label-costly" "$work/costly.paths" 64 &
  local abuse=$!
  sleep 2
  run_wrk "$label-abused" "$work/cheap.paths" 8
  wait "$abuse"
  kill -TERM "$pid"; wait "$pid" || true
  echo "$label $(cat "$work/$label-alone.txt") $(cat "$work/$label-abused.txt") $(cat "$work/$label-costly.txt") $bin" \
    >>"$work/results.txt"
}

: >"$work/results.txt"
measure this target/release/newsgraph
if [ -n "${NEWSGRAPH_BASE_BIN:-}" ]; then
  measure base "$(realpath "$NEWSGRAPH_BASE_BIN")"
fi

python3 - "$work/results.txt" "$duration" >"$results" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1])]
print("# Load shedding: cheap reads while costly requests are abused\n")
print(f"wrk, {sys.argv[2]} s per phase. Cheap: GET /v1/entities/{{slug}} and /v1/articles/{{id}}, "
      "8 connections. Costly: GET /v1/articles?q=<common word>&count=true&fields=...headline, "
      "64 connections, during the second phase.\n")
print("| build | cheap alone p50 / p99 ms | cheap while abused p50 / p99 ms | p99 ratio | cheap req/s alone / abused | costly req/s | costly refused (503) |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    label = r[0]
    alone, abused, costly = r[1:5], r[5:9], r[9:13]
    print(f"| {label} (`{r[13]}`) | {alone[1]} / {alone[2]} | {abused[1]} / {abused[2]} "
          f"| {float(abused[2]) / float(alone[2]):.1f} | {alone[0]} / {abused[0]} | {costly[0]} | {costly[3]} |")
PY
cat "$results"
