#!/usr/bin/env bash
# Import benchmark: a full import of ../shared/corpus/bench (~24,000 articles) with
# extraction, then the same import again (all unchanged), against a fresh PostgreSQL with
# default durability. Baseline, on the same server in the same run: COPY of the same JSON
# Lines into a jsonb table, the database's own floor for loading this data.
#
#   bench/import.sh [CORPUS_DIR]
#
# NEWSGRAPH_BIN runs another build (an older release, to compare in the same session).
#
# Prints wall-clock seconds, articles per second, peak RSS of the import process, and the
# ratio of the import time to the baseline's.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus/bench}
# shellcheck source=scripts/lib/throwaway-pg.sh
source scripts/lib/throwaway-pg.sh

if [ -z "${NEWSGRAPH_BIN:-}" ]; then
  cargo build --release --locked --quiet
fi
bin=$(realpath "${NEWSGRAPH_BIN:-target/release/newsgraph}")
THROWAWAY_PG_DURABLE=1 throwaway_pg_start
psql -q "$DATABASE_URL" -c "CREATE DATABASE newsgraph_bench" -c "CREATE DATABASE copy_baseline"
base=${DATABASE_URL%/*}
files=("$corpus"/*.jsonl)
articles=$(cat "${files[@]}" | wc -l)

seconds() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }

start=$(date +%s.%N)
psql -q "$base/copy_baseline" -c "CREATE TABLE raw (doc jsonb)"
cat "${files[@]}" | psql -q "$base/copy_baseline" \
  -c "\\copy raw (doc) FROM STDIN WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
copy_s=$(seconds "$start" "$(date +%s.%N)")

run_import() {
  local log=$1
  /usr/bin/time -v env DATABASE_URL="$base/newsgraph_bench" "$bin" import \
    --report json "${files[@]}" >"$log.json" 2>"$log.err"
}
start=$(date +%s.%N)
run_import /tmp/newsgraph-bench-first
first_s=$(seconds "$start" "$(date +%s.%N)")
first_rss=$(awk '/Maximum resident/ {print int($6 / 1024)}' /tmp/newsgraph-bench-first.err)
start=$(date +%s.%N)
run_import /tmp/newsgraph-bench-again
again_s=$(seconds "$start" "$(date +%s.%N)")

python3 - "$articles" "$copy_s" "$first_s" "$first_rss" "$again_s" <<'PY'
import json, sys
articles, copy_s, first_s, rss, again_s = int(sys.argv[1]), *map(float, sys.argv[2:4]), int(sys.argv[4]), float(sys.argv[5])
first = json.load(open("/tmp/newsgraph-bench-first.json"))
again = json.load(open("/tmp/newsgraph-bench-again.json"))
print(f"articles in corpus:        {articles}")
print(f"baseline COPY into jsonb:  {copy_s:6.2f} s")
print(f"full import + extraction:  {first_s:6.2f} s  {articles / first_s:7.0f} articles/s  "
      f"peak RSS {rss} MiB  ({first_s / copy_s:.1f}x the baseline)   "
      f"new={first['new']} failed={first['failed']} entities={first['entities_created']} mentions={first['mentions']}")
print(f"re-import, unchanged:      {again_s:6.2f} s  ({again_s / copy_s:.2f}x the baseline)   "
      f"unchanged={again['unchanged']} new={again['new']}")
print("targets: full import <= 60 s (>= 400 articles/s), peak RSS <= 1024 MiB, re-import <= 15 s")
PY
