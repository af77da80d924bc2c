#!/usr/bin/env bash
# How reads and imports grow with the data, to decide whether partitioning pays: the API's
# database-bound reads measured at several sizes of the same corpus, in one run on this
# machine.
#
# 1. a fresh PostgreSQL with ../shared/corpus/bench (~24,000 articles) imported; or, with
#    NEWSGRAPH_BENCH_DB set, that database, which already holds the corpus replayed to the
#    first SCALE;
# 2. for each SCALE in turn: the corpus replayed with distinct URLs up to SCALE times (the
#    import's rate is recorded), VACUUM ANALYZE and CHECKPOINT, then wrk at 32 connections
#    against `serve --text-index false` (so that full text reads the database, as a
#    partitioned table would change) on: an entity by slug, an entity's newest articles, the
#    newest articles matching a word, entity name search, and an entity's related entities;
#    p50/p99, serve's peak RSS, the tables' sizes;
# 3. the p50 of each read at each scale over its p50 at the first scale, and the query plans
#    at the last.
#
#   bench/growth.sh [SCALE...]          (default: 1 10 40; BENCH_SECONDS, default 20)
# Results: bench/results/growth-<date>.md (+ -plans.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
scales=("$@")
[ ${#scales[@]} -gt 0 ] || scales=(1 10 40)
duration=${BENCH_SECONDS:-20}
corpus=../shared/corpus/bench
port=18098
# shellcheck source=scripts/lib/throwaway-pg.sh
source scripts/lib/throwaway-pg.sh
# shellcheck source=bench/lib.sh
source bench/lib.sh
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

cargo build --release --locked --quiet
work=$(mktemp -d /tmp/newsgraph-bench-growth.XXXXXX)
results=bench/results/growth-$(date -u +%Y%m%d-%H%M).md
mkdir -p bench/results

bench_corpus_db 1

make_paths() {
  psql -qAt "$db" -c "SELECT '/v1/entities/' || slug FROM entities WHERE article_count > 0 ORDER BY article_count DESC LIMIT 2000" >"$work/entity.paths"
  psql -qAt "$db" -c "SELECT '/v1/articles?entity=' || slug || '&limit=20' FROM entities WHERE article_count > 0 ORDER BY article_count DESC LIMIT 500" >"$work/articles-entity.paths"
  psql -qAt "$db" -c "SELECT '/v1/articles?q=' || word FROM ts_stat('SELECT search FROM articles TABLESAMPLE SYSTEM (2)') WHERE word ~ '^[a-z]{4,}$' ORDER BY ndoc DESC, word OFFSET 100 LIMIT 400" >"$work/articles-q.paths"
  psql -qAt "$db" -c "SELECT '/v1/entities?q=' || replace(left(norm, 3 + (abs(hashtext(norm)) % 6)), ' ', '%20') FROM entity_aliases TABLESAMPLE SYSTEM (10) LIMIT 500" >"$work/entities-q.paths"
  psql -qAt "$db" -c "SELECT '/v1/entities/' || slug || '/related' FROM entities WHERE article_count > 0 ORDER BY article_count DESC OFFSET 50 LIMIT 500" >"$work/related.paths"
}

run_wrk() {
  wrk -t2 -c32 -d"${duration}s" --latency -s bench/wrk/paths.lua "http://127.0.0.1:$port" -- "$2" \
    >"$work/$1.wrk" 2>&1
  python3 bench/wrk/summary.py "$work/$1.wrk"
}

measure() {
  local label=$1 pid
  make_paths
  DATABASE_URL=$db NEWSGRAPH_ADDR=127.0.0.1:$port NEWSGRAPH_TEXT_INDEX=false \
    target/release/newsgraph serve >"$work/serve-$label.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
  for name in entity articles-entity articles-q entities-q related; do
    sleep 5
    log "wrk $name ($label)"
    echo "$label $name $(run_wrk "$name-$label" "$work/$name.paths")" >>"$work/results.txt"
  done
  echo "$label rss_mib $(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$pid/status")" >>"$work/results.txt"
  kill -TERM "$pid"; wait "$pid" || true
  echo "$label sizes $(psql -qAt "$db" -c "SELECT (SELECT count(*) FROM articles), pg_total_relation_size('articles') / 1048576, pg_total_relation_size('mentions') / 1048576, pg_total_relation_size('article_entities') / 1048576, pg_database_size(current_database()) / 1048576" | tr '|' ' ')" >>"$work/results.txt"
}

: >"$work/results.txt"
# The scale the database holds.
if [ -n "${NEWSGRAPH_BENCH_DB:-}" ]; then have=${scales[0]}; else have=1; fi
for scale in "${scales[@]}"; do
  if [ "$scale" -gt "$have" ]; then
    before=$(psql -qAt "$db" -c "SELECT count(*) FROM articles")
    started=$(date +%s)
    bench_replay_import "$scale"
    took=$(( $(date +%s) - started ))
    after=$(psql -qAt "$db" -c "SELECT count(*) FROM articles")
    echo "${scale}x import $((after - before)) $took" >>"$work/results.txt"
  fi
  psql -q "$db" -c "VACUUM ANALYZE" -c "CHECKPOINT"
  measure "${scale}x"
  have=$scale
done

last="${scales[-1]}x"
slug=$(head -1 "$work/entity.paths" | sed 's#.*/##')
word=$(sed -n 50p "$work/articles-q.paths" | sed 's#.*q=##')
entity_id=$(psql -qAt "$db" -c "SELECT id FROM entities WHERE slug = '$slug'")
{
  echo "-- at $last: articles of the top entity, newest first"
  psql -q "$db" -c "EXPLAIN (ANALYZE, BUFFERS) SELECT a.id FROM article_entities ae0 JOIN articles a ON a.id = ae0.article_id WHERE ae0.entity_id = '$entity_id' ORDER BY COALESCE(ae0.published_at, '-infinity'::timestamptz) DESC, ae0.article_id DESC LIMIT 21"
  echo "-- full text, newest first, from the database"
  psql -q "$db" -c "EXPLAIN (ANALYZE, BUFFERS) SELECT a.id FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.search @@ websearch_to_tsquery('newsgraph_english', '$word') ORDER BY COALESCE(a.published_at, '-infinity'::timestamptz) DESC, a.id DESC LIMIT 21"
} >"${results%.md}-plans.txt" 2>&1

python3 - "$work/results.txt" "${scales[@]}" >"$results" <<'PY'
import sys
rows, sizes, imports = {}, {}, {}
for line in open(sys.argv[1]):
    parts = line.split()
    if parts[1] == "sizes":
        sizes[parts[0]] = parts[2:]
    elif parts[1] == "import":
        imports[parts[0]] = parts[2:]
    else:
        rows[(parts[0], parts[1])] = parts[2:]
labels = [f"{s}x" for s in sys.argv[2:]]
names = ["entity", "articles-entity", "articles-q", "entities-q", "related"]
print("# Growth: the API's database-bound reads at several sizes of the corpus\n")
print("`serve --text-index false` (full text from the database); wrk -t2 -c32.\n")
print("| scale | articles | articles table MiB | mentions MiB | article_entities MiB | database MiB | import of this step |")
print("|---|---|---|---|---|---|---|")
for label in labels:
    s = sizes.get(label, ["?"] * 5)
    imp = imports.get(label)
    rate = f"{imp[0]} articles in {imp[1]} s ({int(imp[0]) / max(1, int(imp[1])):.0f}/s)" if imp else "(given)"
    print(f"| {label} | {s[0]} | {s[1]} | {s[2]} | {s[3]} | {s[4]} | {rate} |")
print()
print("| read | " + " | ".join(f"{l} req/s, p50 / p99 ms" for l in labels) + " | " + " | ".join(f"p50 {l} / {labels[0]}" for l in labels[1:]) + " |")
print("|---|" + "---|" * (2 * len(labels) - 1))
for name in names:
    cells, base = [], rows.get((labels[0], name))
    for label in labels:
        v = rows.get((label, name))
        cells.append(f"{v[0]}, {v[1]} / {v[2]}" + (f" ({v[3]} non-2xx)" if v and v[3] != "0" else "") if v else "n/a")
    ratios = []
    for label in labels[1:]:
        v = rows.get((label, name))
        ratios.append(f"{float(v[1]) / float(base[1]):.2f}" if v and base else "n/a")
    print(f"| {name} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
print()
for label in labels:
    if (label, "rss_mib") in rows:
        print(f"serve peak RSS at {label}: {rows[(label, 'rss_mib')][0]} MiB.")
PY
cat "$results"
rm -rf "$work"
