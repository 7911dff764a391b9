#!/usr/bin/env bash
# Loads the seeds, builds features and insights, trains and promotes: the steps `make demo` runs
# and the one-shot `setup` service of docker-compose.yml runs, against $ENGAGE_MONGODB_URI.
# Every step is safe to re-run (collectors skip unchanged documents, builds are incremental).
# ENGAGE is the engage command (default: engage on PATH); the insights build's answer goes to
# $ENGAGE_STATE (default .engage).
set -euo pipefail
engage=${ENGAGE:-engage}
state=${ENGAGE_STATE:-.engage}
mkdir -p "$state"
step() { printf '\n== %s\n' "$*"; }

if [[ ! -f seeds/videos_export.csv || ! -f seeds/tmdb_movies.jsonl || ! -f seeds/tiktok_items.jsonl || ! -f seeds/tiktok_recrawl.jsonl
  || ! -f seeds/events_sample.csv || ! -f seeds/users.csv ]]; then
  step "engage seeds generate --seed 42 (deterministic sample data, see seeds/README.md)"
  $engage seeds generate --seed 42 --out seeds
fi

step "engage collect: the seeds into raw collections (a second run would insert nothing)"
$engage collect tmdb --from seeds/tmdb_movies.jsonl
# The crawl times the generator writes for (seeds/README.md): view velocity is measured between them.
$engage collect tiktok --from seeds/tiktok_items.jsonl --observed-at 2026-11-01T00:00:00Z
$engage collect tiktok --from seeds/tiktok_recrawl.jsonl --observed-at 2026-11-08T00:00:00Z
$engage collect videos --from seeds/videos_export.csv
# Viewers' interactions with those videos: the demo loads a quarter of the users' events
# (seeds/events.csv holds them all, about 160k, for a larger database).
$engage collect users --from seeds/users.csv
$engage collect events --from seeds/events_sample.csv

step "engage audience build (the viewers' events per user and day, DAU/WAU/MAU, retention, churn; user_churn reads it)"
$engage audience build

step "engage features build all (aggregation pipelines inside MongoDB, \$merge into features_*)"
$engage features build all

# One set per distinct feature definition (the *_engagement sets share their features and history
# with the *_virality sets; verify compares features, never labels); `verify all` checks every set.
step "engage features verify: every built value equals what serving computes for its raw document (or, for user_churn, its prepared row)"
$engage features verify tiktok_virality tmdb_hit tmdb_revenue video_virality user_churn

step "engage features show tiktok_virality"
$engage features show tiktok_virality

step "engage insights build (in the background while models train: dashboard summaries and audience numbers inside MongoDB)"
$engage insights build > "$state/insights-build.txt" 2> "$state/insights-build.log" &
insights=$!

step "engage train: two candidates per task, evaluated on held-out rows against the baseline"
train() { $engage train --task "$1" --algorithm "$2" "${@:3}" --split hash:0.2; }
train tiktok_virality tree --param max_depth=8 --param min_samples_leaf=20
train tiktok_virality logistic --param class_weight=balanced
train tiktok_engagement tree --param max_depth=8 --param min_samples_leaf=20
train tiktok_engagement ridge
train tmdb_hit tree --param max_depth=5 --param min_samples_leaf=20
train tmdb_hit logistic
train tmdb_revenue tree --param max_depth=6 --param min_samples_leaf=10
train tmdb_revenue ridge
train creator_segments kmeans --param n_clusters=4 --param random_state=1
train creator_segments kmeans --param n_clusters=6 --param random_state=1
# Churn rows of later cutoffs are the test rows: a hash split would put one user's rows on both sides.
$engage train --task user_churn --algorithm logistic --param class_weight=balanced --split time:2026-10-10
$engage train --task user_churn --algorithm tree --param max_depth=5 --param min_samples_leaf=20 --split time:2026-10-10

step "engage models promote --best-by: the better candidate of each task becomes production"
$engage models promote tiktok_virality --best-by roc_auc
$engage models promote tiktok_engagement --best-by r2
$engage models promote tmdb_hit --best-by roc_auc
$engage models promote tmdb_revenue --best-by r2
$engage models promote creator_segments --best-by silhouette
$engage models promote user_churn --best-by roc_auc
$engage models list

wait "$insights" || { echo "engage insights build failed:" >&2; cat "$state/insights-build.log" >&2; exit 1; }
cat "$state/insights-build.txt"
