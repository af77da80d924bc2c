#!/usr/bin/env bash
# Curation benchmark: merging two entities of at least 5,000 articles each, through the API,
# on the bench corpus (../shared/corpus/bench, ~24,000 articles), in one run on this machine:
#
# 1. a fresh PostgreSQL with default durability; the corpus imported, then replayed with
#    distinct URLs until the two most named entities of one type each have TARGET articles;
# 2. baseline, on the same database: the merge's core written by hand in SQL (move the
#    mentions, fold the per-article aggregates, drop the old ones), in a transaction rolled
#    back: the database's own floor for moving that many rows;
# 3. `POST /v1/entities/{a}/merge` with {"entities": [b]} against `newsgraph serve`, timed by
#    curl, then `POST /v1/changes/{n}/undo` (which puts every mention back), REPEATS times.
#
#   bench/curation.sh [TARGET_ARTICLES] [REPEATS]
# Results: bench/results/curation-<date>.md
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-5000}
repeats=${2:-5}
corpus=../shared/corpus/bench
# shellcheck source=scripts/lib/throwaway-pg.sh
source scripts/lib/throwaway-pg.sh
cargo build --release --locked --quiet
THROWAWAY_PG_DURABLE=1 throwaway_pg_start
base=${DATABASE_URL%/*}
psql -q "$DATABASE_URL" -c "CREATE DATABASE newsgraph_bench"
db="$base/newsgraph_bench"
work=$(mktemp -d /tmp/newsgraph-bench-curation.XXXXXX)
results=bench/results/curation-$(date -u +%Y%m%d-%H%M).md
mkdir -p bench/results
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

log "importing the corpus (1x)"
DATABASE_URL=$db target/release/newsgraph import --report json "$corpus"/*.jsonl >"$work/import-1x.json" 2>/dev/null
# The type whose two most named entities are the largest pair, and the smaller one's count.
read -r kind smaller < <(psql -qAt -F ' ' "$db" -c "
  SELECT kind, min(article_count) FROM (
    SELECT kind, article_count, row_number() OVER (PARTITION BY kind ORDER BY article_count DESC) AS n
    FROM entities) t
  WHERE n <= 2 GROUP BY kind ORDER BY 2 DESC LIMIT 1")
copies=$(( (target + smaller - 1) / smaller ))
if [ "$copies" -gt 1 ]; then
  log "replaying the corpus to ${copies}x (the ${kind}s' second largest has $smaller articles at 1x)"
  bench/replay.py "$copies" "$corpus"/*.jsonl | DATABASE_URL=$db target/release/newsgraph import --report json - >"$work/import-replay.json" 2>/dev/null
fi
psql -q "$db" -c "VACUUM ANALYZE" -c "CHECKPOINT"
read -r a_slug a_id a_articles b_slug b_id b_articles < <(psql -qAt -F ' ' "$db" -c "
  SELECT string_agg(slug || ' ' || id || ' ' || article_count, ' ' ORDER BY article_count DESC)
  FROM (SELECT slug, id, article_count FROM entities WHERE kind = '$kind'
        ORDER BY article_count DESC LIMIT 2) t")
articles_total=$(psql -qAt "$db" -c "SELECT count(*) FROM articles")
mentions_b=$(psql -qAt "$db" -c "SELECT mention_count FROM entities WHERE id = '$b_id'")
log "merging $b_slug ($b_articles articles, $mentions_b mentions) into $a_slug ($a_articles articles)"

ms() { python3 -c "import sys; print(f'{(float(sys.argv[2]) - float(sys.argv[1])) * 1000:.1f}')" "$1" "$2"; }
baseline() {
  local start
  start=$(date +%s.%N)
  psql -q "$db" >/dev/null <<SQL
BEGIN;
UPDATE mentions SET entity_id = '$a_id'
WHERE entity_id = '$b_id'
  AND article_id IN (SELECT article_id FROM article_entities WHERE entity_id = '$b_id');
INSERT INTO article_entities (article_id, entity_id, mention_count, published_at, named)
SELECT article_id, '$a_id', mention_count, published_at, named
FROM article_entities WHERE entity_id = '$b_id'
ON CONFLICT (article_id, entity_id)
DO UPDATE SET mention_count = article_entities.mention_count + EXCLUDED.mention_count;
DELETE FROM article_entities WHERE entity_id = '$b_id';
ROLLBACK;
SQL
  ms "$start" "$(date +%s.%N)"
}

token=bench-secret
DATABASE_URL=$db NEWSGRAPH_ADDR=127.0.0.1:18098 NEWSGRAPH_WRITE_TOKENS="bench:$token" \
  target/release/newsgraph serve >"$work/serve.log" 2>&1 &
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null; throwaway_pg_stop' EXIT
for _ in $(seq 1 300); do
  curl -sf http://127.0.0.1:18098/readyz >/dev/null && break
  sleep 0.2
done
post() { # path body -> "status seconds" and the body in $work/answer.json
  curl -s -o "$work/answer.json" -w '%{http_code} %{time_total}\n' -X POST "http://127.0.0.1:18098$1" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$2"
}
: >"$work/runs.txt"
for i in $(seq 1 "$repeats"); do
  base_ms=$(baseline)
  read -r status seconds < <(post "/v1/entities/$a_slug/merge" "{\"entities\": [\"$b_slug\"], \"reason\": \"benchmark\"}")
  [ "$status" = 200 ] || { echo "merge answered $status: $(cat "$work/answer.json")" >&2; exit 1; }
  change=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['change']['id'])" "$work/answer.json")
  merged=$(python3 -c "import json,sys; e=json.load(open(sys.argv[1]))['entity']; print(e['article_count'], e['mention_count'])" "$work/answer.json")
  merge_ms=$(python3 -c "import sys; print(f'{float(sys.argv[1]) * 1000:.1f}')" "$seconds")
  read -r status seconds < <(post "/v1/changes/$change/undo" '{"reason": "benchmark"}')
  [ "$status" = 200 ] || { echo "undo answered $status: $(cat "$work/answer.json")" >&2; exit 1; }
  undo_ms=$(python3 -c "import sys; print(f'{float(sys.argv[1]) * 1000:.1f}')" "$seconds")
  log "run $i: baseline $base_ms ms, merge $merge_ms ms, undo $undo_ms ms (merged: $merged)"
  echo "$base_ms $merge_ms $undo_ms $merged" >>"$work/runs.txt"
done
restored=$(psql -qAt "$db" -c "SELECT article_count FROM entities WHERE id = '$b_id'")

python3 - "$work/runs.txt" "$kind" "$a_slug" "$a_articles" "$b_slug" "$b_articles" "$mentions_b" \
  "$articles_total" "$restored" >"$results" <<'PY'
import statistics, sys
runs = [line.split() for line in open(sys.argv[1])]
kind, a, a_n, b, b_n, b_m, total, restored = sys.argv[2:10]
base = [float(r[0]) for r in runs]
merge = [float(r[1]) for r in runs]
undo = [float(r[2]) for r in runs]
print("# Curation benchmark: merging two large entities\n")
print(f"Corpus: {total} articles (../shared/corpus/bench, replayed with distinct URLs). "
      f"Merged: `{b}` ({b_n} articles, {b_m} mentions) into `{a}` ({a_n} articles), both {kind}s; "
      f"after the merge the survivor names {runs[0][3]} articles. {len(runs)} runs, each a merge "
      f"through `POST /v1/entities/{a}/merge` then its undo through `POST /v1/changes/{{n}}/undo`; "
      f"after the last undo `{b}` names {restored} articles again.\n")
print("| step | median ms | min ms | max ms | / baseline |")
print("|---|---|---|---|---|")
mb = statistics.median(base)
for name, xs in [("baseline: the merge's core in hand-written SQL, rolled back", base),
                 ("merge through the API (curl, end to end)", merge),
                 ("undo of the merge through the API", undo)]:
    m = statistics.median(xs)
    print(f"| {name} | {m:.1f} | {min(xs):.1f} | {max(xs):.1f} | {m / mb:.2f} |")
print("\nThe merge also records every moved mention for its undo, writes the identity rule, the "
      "redirect and the change log entry, moves the aliases and recounts the survivor, all in one "
      "transaction under the ingest lock.")
PY
cat "$results"
