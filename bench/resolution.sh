#!/usr/bin/env bash
# Entity resolution benchmark, against a fresh PostgreSQL with default durability:
#
#   1. ../shared/tools/resolution_eval.py on ../shared/el/*.jsonl (each set's pairwise and
#      B-cubed F1 beside the surface-string baseline, entities per gold QID, Wikidata accuracy);
#   2. a full import of ../shared/corpus/bench (time, peak RSS) and its 100 most named
#      entities;
#   3. `newsgraph resolve` on that database, twice: how long it takes, what it changes, and
#      that the second run changes nothing.
#
#   bench/resolution.sh [OUT.md]      (default bench/results/resolution-<date>.md)
#
# NEWSGRAPH_BIN runs another build (an older release, to compare in the same session).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench/results/resolution-$(date -u +%Y%m%d-%H%M).md}
shared=../shared
# shellcheck source=scripts/lib/throwaway-pg.sh
source scripts/lib/throwaway-pg.sh

if [ -z "${NEWSGRAPH_BIN:-}" ]; then
  cargo build --release --locked --quiet
fi
bin=$(realpath "${NEWSGRAPH_BIN:-target/release/newsgraph}")
THROWAWAY_PG_DURABLE=1 throwaway_pg_start
base=${DATABASE_URL%/*}
psql -q "$DATABASE_URL" -c "CREATE DATABASE eval" -c "CREATE DATABASE bench"
work=$(mktemp -d /tmp/newsgraph-resolution.XXXXXX)
trap 'rm -rf "$work"; throwaway_pg_stop' EXIT

seconds() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }

python3 "$shared/tools/resolution_eval.py" --bin "$bin" --db "$base/eval" --json "$work/eval.json" \
  "$shared"/el/*.jsonl >"$work/eval.txt" 2>"$work/eval.err"

start=$(date +%s.%N)
/usr/bin/time -v env DATABASE_URL="$base/bench" "$bin" import --report json \
  "$shared"/corpus/bench/*.jsonl >"$work/import.json" 2>"$work/import.err"
import_s=$(seconds "$start" "$(date +%s.%N)")
import_rss=$(awk '/Maximum resident/ {print int($6 / 1024)}' "$work/import.err")
psql -q -A -F $'\t' -t "$base/bench" -c "
  SELECT row_number() OVER (ORDER BY article_count DESC, name), article_count, kind, name,
         COALESCE(wikidata_id, '')
  FROM entities ORDER BY article_count DESC, name LIMIT 100" >"$work/top.tsv"

for run in 1 2; do
  start=$(date +%s.%N)
  DATABASE_URL="$base/bench" "$bin" resolve --report json >"$work/resolve$run.json" 2>/dev/null
  echo "$(seconds "$start" "$(date +%s.%N)")" >"$work/resolve$run.seconds"
done

python3 - "$work" "$import_s" "$import_rss" "$bin" >"$out" <<'PY'
import json, subprocess, sys
work, import_s, rss, binary = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
evaluation = json.load(open(f"{work}/eval.json"))
imported = json.load(open(f"{work}/import.json"))
print(f"# Entity resolution: {version}\n")
print("## resolution_eval.py on ../shared/el (pairwise clustering F1 of the mentions found exactly)\n")
print("| set | pairwise F1 (P / R) | surface baseline | B-cubed F1 | entities per QID | Wikidata accuracy |")
print("|---|---|---|---|---|---|")
for name, r in evaluation.items():
    o, b = r["ours"], r["surface_baseline"]
    print(f"| {name} | {o['pair_F1']} ({o['pair_P']} / {o['pair_R']}) | {b['pair_F1']} | {o['b3_F1']} "
          f"| {r['entities_per_qid']} | {r['wikidata_acc']}% |")
print("\nThe scorer's output:\n\n```")
print(open(f"{work}/eval.txt").read().rstrip())
print("```\n")
print("## Import of ../shared/corpus/bench\n")
print(f"{imported['new']} articles in {import_s:.1f} s ({imported['new'] / import_s:.0f} articles/s), "
      f"peak RSS {rss} MiB; {imported['entities_created']} entities, {imported['mentions']} mentions.\n")
print("## resolve on that database, twice\n")
print("| run | seconds | passes | articles changed per pass | then one at a time | changed in the end "
      "| re-keyed | created | redirected | deleted |")
print("|---|---|---|---|---|---|---|---|---|---|")
for run in (1, 2):
    r = json.load(open(f"{work}/resolve{run}.json"))
    s = open(f"{work}/resolve{run}.seconds").read().strip()
    print(f"| {run} | {s} | {r['passes']} | {r['articles_changed']} | {r['articles_settled']} "
          f"| {r['articles_changed_net']} | {r['entities_rekeyed']} "
          f"| {r['entities_created']} | {r['entities_redirected']} | {r['entities_deleted']} |")
print("\n## The 100 most named entities of the bench import\n")
print("| # | articles | type | name | Wikidata |")
print("|---|---|---|---|---|")
for line in open(f"{work}/top.tsv"):
    rank, count, kind, name, qid = line.rstrip("\n").split("\t")
    print(f"| {rank} | {count} | {kind} | {name} | {qid} |")
PY
echo "wrote $out"
