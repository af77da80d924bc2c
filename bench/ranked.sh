#!/usr/bin/env bash
# Full text ranked by relevance (`GET /v1/articles?q=WORD&sort=relevance`), on loopback, in
# one run on this machine:
#
# 1. a fresh PostgreSQL; ../shared/corpus/bench (~24,000 articles) imported and replayed with
#    distinct URLs to SCALE times (default 10); or, with NEWSGRAPH_BENCH_DB set, that
#    database as it is (already imported);
# 2. the words: 400 common ones (the 101st to 500th by articles holding them, as api.sh), and
#    400 drawn from all words held by at least 2 articles;
# 3. wrk at 32 connections, the common words, against `serve --text-index false` (the
#    database ranks: the baseline) and against `serve` (the in-memory index ranks one word);
#    the same for the drawn words against `serve`;
# 4. overlap@20: for every word, the ids of the index's first page of 20 against
#    `ORDER BY ts_rank_cd(search, q) DESC, id DESC LIMIT 20` run in psql; the mean share of
#    the database's 20 the index returned, and how many pages were identical in order;
# 5. the index's size and build time (from serve's log) and serve's peak RSS.
#
#   bench/ranked.sh [SCALE] [DURATION_SECONDS]   (OVERLAP_WORDS: words of each set checked in
#                                                  step 4, default all 400)
# Results: bench/results/ranked-<date>.md
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-10}
duration=${2:-20}
corpus=../shared/corpus/bench
port=18097
# shellcheck source=scripts/lib/throwaway-pg.sh
source scripts/lib/throwaway-pg.sh
# shellcheck source=bench/lib.sh
source bench/lib.sh
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

cargo build --release --locked --quiet
work=$(mktemp -d /tmp/newsgraph-bench-ranked.XXXXXX)
results=bench/results/ranked-$(date -u +%Y%m%d-%H%M).md
mkdir -p bench/results

bench_corpus_db "$scale"
articles=$(psql -qAt "$db" -c "SELECT count(*) FROM articles")

psql -qAt "$db" -c "SELECT word FROM ts_stat('SELECT search FROM articles TABLESAMPLE SYSTEM (20)') \
  WHERE word ~ '^[a-z]{4,}$' ORDER BY ndoc DESC, word OFFSET 100 LIMIT 400" >"$work/common.words"
psql -qAt "$db" -c "SELECT word FROM ts_stat('SELECT search FROM articles TABLESAMPLE SYSTEM (20)') \
  WHERE word ~ '^[a-z]{4,}$' AND ndoc >= 2 ORDER BY md5(word) LIMIT 400" >"$work/drawn.words"
for set in common drawn; do
  sed 's#^#/v1/articles?sort=relevance\&q=#' "$work/$set.words" >"$work/$set.paths"
done

# run_wrk NAME PATHS_FILE -> "rps p50_ms p99_ms non2xx"
run_wrk() {
  wrk -t2 -c32 -d"${duration}s" --latency -s bench/wrk/paths.lua "http://127.0.0.1:$port" -- "$2" \
    >"$work/$1.wrk" 2>&1
  python3 bench/wrk/summary.py "$work/$1.wrk"
}

# start_serve LABEL TEXT_INDEX: serve on $port, ready (and its index built when on).
start_serve() {
  DATABASE_URL=$db NEWSGRAPH_ADDR=127.0.0.1:$port NEWSGRAPH_TEXT_INDEX=$2 \
    target/release/newsgraph serve >"$work/serve-$1.log" 2>&1 &
  serve_pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
  if [ "$2" = true ]; then
    for _ in $(seq 1 1200); do
      curl -sf "http://127.0.0.1:$port/metrics" | grep -q '^newsgraph_text_index_articles [1-9]' && break
      sleep 0.5
    done
  fi
}

stop_serve() {
  echo "$1 rss_mib $(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$serve_pid/status")" >>"$work/results.txt"
  kill -TERM "$serve_pid"
  wait "$serve_pid" || true
}

: >"$work/results.txt"
start_serve database false
sleep 5
log "wrk common words, ranked by the database"
echo "database common $(run_wrk database-common "$work/common.paths")" >>"$work/results.txt"
stop_serve database

start_serve index true
for set in common drawn; do
  sleep 5
  log "wrk $set words, ranked by the index"
  echo "index $set $(run_wrk "index-$set" "$work/$set.paths")" >>"$work/results.txt"
done
answered=$(curl -sf "http://127.0.0.1:$port/metrics" | awk '/^newsgraph_text_index_queries_total\{answer="index"\}/ {print $2}')

log "overlap@20"
: >"$work/overlap.txt"
for set in common drawn; do
  while read -r word; do
    curl -sf "http://127.0.0.1:$port/v1/articles?sort=relevance&limit=20&fields=id&q=$word" \
      | python3 -c 'import json,sys; print(" ".join(a["id"] for a in json.load(sys.stdin)["data"]))' >"$work/index.ids"
    psql -qAt "$db" -c "SELECT string_agg(id::text, ' ' ORDER BY r DESC, id DESC) FROM (SELECT a.id, ts_rank_cd(a.search, q) AS r FROM articles a, websearch_to_tsquery('newsgraph_english', '$word') q WHERE a.search @@ q ORDER BY r DESC, a.id DESC LIMIT 20) t" >"$work/database.ids"
    echo "$set $(cat "$work/index.ids") | $(cat "$work/database.ids")" >>"$work/overlap.txt"
  done < <(head -n "${OVERLAP_WORDS:-400}" "$work/$set.words")
done
stop_serve index
grep -h "full-text index built" "$work/serve-index.log" | tail -1 >"$work/build.log" || true

python3 - "$work/results.txt" "$work/overlap.txt" "$work/build.log" "$articles" "$scale" "${answered:-unknown}" >"$results" <<'PY'
import json, re, sys
rows = {}
for line in open(sys.argv[1]):
    parts = line.split()
    rows[(parts[0], parts[1])] = parts[2:]
overlap = {}
for line in open(sys.argv[2]):
    name, rest = line.split(" ", 1)
    mine, theirs = (part.split() for part in rest.rstrip("\n").split("|"))
    share = len(set(mine) & set(theirs)) / len(theirs) if theirs else 1.0
    overlap.setdefault(name, []).append((share, mine == theirs, len(theirs)))
build = open(sys.argv[3]).read()
articles, scale, answered = sys.argv[4], sys.argv[5], sys.argv[6]
print("# Ranked full text (`sort=relevance`)\n")
print(f"Articles: {articles} ({scale}x of the bench corpus). wrk -t2 -c32; one word per request.\n")
print("| words | ranked by | req/s | p50 ms | p99 ms | non-2xx |")
print("|---|---|---|---|---|---|")
for (who, words), values in sorted(rows.items()):
    if words == "rss_mib":
        continue
    print(f"| {words} | {who} | {values[0]} | {values[1]} | {values[2]} | {values[3]} |")
print()
base, mine = rows.get(("database", "common")), rows.get(("index", "common"))
if base and mine:
    print(f"Common words: {float(mine[0]) / max(1.0, float(base[0])):.0f}x the database's throughput; "
          f"p99 {mine[2]} ms against {base[2]} ms (targets: >= 500 req/s, p99 <= 100 ms).\n")
for name, values in overlap.items():
    n = len(values)
    mean = sum(v[0] for v in values) / n
    same = sum(1 for v in values if v[1])
    full = sum(1 for v in values if v[2] == 20)
    print(f"overlap@20, {name} words: mean {mean:.4f} over {n} words ({full} with 20 or more matches); "
          f"{same} of {n} first pages identical in order to ts_rank_cd's.")
print()
for who in ("database", "index"):
    if (who, "rss_mib") in rows:
        print(f"serve peak RSS, ranked by the {who}: {rows[(who, 'rss_mib')][0]} MiB.")
fields = dict(re.findall(r'(\w+)=(\S+)', re.sub(r'\x1b\[[0-9;]*m', '', build)))
if fields:
    print(f"Index build: {fields.get('articles')} articles, {fields.get('lexemes')} lexemes, "
          f"{fields.get('heap_mib')} MiB of heap, {fields.get('duration_ms')} ms.")
print(f"Pages answered by the index during the run: {answered}.")
PY
cat "$results"
rm -rf "$work"
