#!/usr/bin/env bash
# The demo a new user runs: `make demo`. Leaves the embedded database running (`make db-stop` stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
engage=.build/debug/engage

uri=$(scripts/db.sh start)
export ENGAGE_MONGODB_URI=${ENGAGE_MONGODB_URI:-$uri}

step() { printf '\n== %s\n' "$*"; }

step "engage db ping"
$engage db ping

if [[ ! -f seeds/videos_export.csv || ! -f seeds/tmdb_movies.jsonl || ! -f seeds/tiktok_items.jsonl || ! -f seeds/tiktok_recrawl.jsonl ]]; then
  step "engage seeds generate --seed 42 (deterministic sample data, see seeds/README.md)"
  $engage seeds generate --seed 42 --out seeds
fi

step "engage collect: the seeds into raw collections (a second run would insert nothing)"
$engage collect tmdb --from seeds/tmdb_movies.jsonl
$engage collect tiktok --from seeds/tiktok_items.jsonl
$engage collect tiktok --from seeds/tiktok_recrawl.jsonl
$engage collect videos --from seeds/videos_export.csv

step "engage features build all (aggregation pipelines inside MongoDB, \$merge into features_*)"
$engage features build all

step "engage features show tiktok_virality"
$engage features show tiktok_virality

step "engage db stats"
$engage db stats

printf '\nThe database keeps running at %s (stop it with `make db-stop`).\n' "$ENGAGE_MONGODB_URI"
