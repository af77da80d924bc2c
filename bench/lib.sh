# shellcheck shell=bash
# What bench/ranked.sh and bench/growth.sh share: the database they measure, and their log
# lines. Source it after scripts/lib/throwaway-pg.sh.

# The corpus the benchmarks import (research-only: read from ../shared, never committed).
: "${corpus:=../shared/corpus/bench}"

# log MESSAGE: a timestamped line on stderr.
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# bench_corpus_db SCALE: sets `db` to $NEWSGRAPH_BENCH_DB when set (a database already
# holding the corpus, as it is), else to a new database in a throwaway cluster holding
# $corpus imported and replayed with distinct URLs to SCALE times.
bench_corpus_db() {
  local scale=$1
  if [ -n "${NEWSGRAPH_BENCH_DB:-}" ]; then
    db=$NEWSGRAPH_BENCH_DB
    return
  fi
  throwaway_pg_start
  psql -q "$DATABASE_URL" -c "CREATE DATABASE newsgraph_bench"
  db="${DATABASE_URL%/*}/newsgraph_bench"
  log "importing the corpus (1x)"
  DATABASE_URL=$db target/release/newsgraph import --report json "$corpus"/*.jsonl >/dev/null 2>&1
  bench_replay "$scale"
}

# bench_replay_import SCALE: replays $corpus into $db up to SCALE times (the copies already
# there are left unchanged).
bench_replay_import() {
  if [ "$1" -gt 1 ]; then
    log "replaying the corpus to ${1}x"
    bench/replay.py "$1" "$corpus"/*.jsonl \
      | DATABASE_URL=$db target/release/newsgraph import --report json - >/dev/null 2>&1
  fi
}

# bench_replay SCALE: bench_replay_import, then VACUUM ANALYZE and CHECKPOINT.
bench_replay() {
  bench_replay_import "$1"
  psql -q "$db" -c "VACUUM ANALYZE" -c "CHECKPOINT"
}
