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

step "engage features verify all: every built value equals the Swift evaluation of its raw document"
$engage features verify all

step "engage features show tiktok_virality"
$engage features show tiktok_virality

step "engage insights build (in the background while models train: dashboard summaries inside MongoDB)"
$engage insights build --json > .engage/insights-build.json 2> .engage/insights-build.log &
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

step "engage models promote --best-by: the better candidate of each task becomes production"
$engage models promote tiktok_virality --best-by roc_auc
$engage models promote tiktok_engagement --best-by r2
$engage models promote tmdb_hit --best-by roc_auc
$engage models promote tmdb_revenue --best-by r2
$engage models promote creator_segments --best-by silhouette
$engage models list

step "engage evaluate: reports of the production models (HTML with charts, Markdown, JSON)"
for task in tiktok_virality tiktok_engagement tmdb_hit tmdb_revenue creator_segments; do
  $engage evaluate "$task@production"
done

wait "$insights"
printf 'insights: %s\n' "$(cat .engage/insights-build.json)"

step "engage serve: predictions over HTTP (features, explained; a raw TikTok item), then a graceful stop"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$engage serve --port "$port" --log-level error --log-sample 1 &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/v2/health/ready" >/dev/null && break; sleep 0.2; done
curl -s "http://127.0.0.1:$port/v2/health/ready"; echo
for page in / /growth /creators /virality; do
  curl -s -o /dev/null -w "GET $page (dashboard): %{http_code} in %{time_total} s\n" "http://127.0.0.1:$port$page"
done
instance='{"log_followers": 9.2, "log_following": 6.5, "verified": 0, "duration_s": 21, "hashtag_count": 3, "generic_hashtag": 1,
  "music_original": 1, "hour": 20, "weekday": 4, "evening": 1, "description_length": 40,
  "author_prior_median_log_views": 7.9, "author_prior_videos": 12}'
echo "POST /v1/models/tiktok_virality/predict?explain=true"
curl -s -X POST "http://127.0.0.1:$port/v1/models/tiktok_virality/predict?explain=true" -H 'content-type: application/json' \
  -d "{\"instances\": [$instance]}"; echo
# A post about to be published: a seed creator's item as TikTok-Api gives it, without stats yet.
item=$(python3 -c 'import json, sys, time
item = json.loads(open("seeds/tiktok_items.jsonl").readline())
item.pop("stats"); item["id"] = "7399999999999999999"; item["createTime"] = int(time.time())
print(json.dumps(item))')
echo "POST /v1/models/tiktok_virality/predict with a raw TikTok item (features computed in-process, author history looked up)"
curl -s -X POST "http://127.0.0.1:$port/v1/models/tiktok_virality/predict" -H 'content-type: application/json' \
  -d "{\"documents\": [$item]}"; echo
kill -TERM "$server"; wait "$server" || true

step "engage db stats"
$engage db stats

printf '\nDashboard: `ENGAGE_MONGODB_URI=%s .build/debug/engage serve` and open http://127.0.0.1:8080/ (overview, growth, creators, virality).\n' "$ENGAGE_MONGODB_URI"
printf '\nReports are in reports/ (open reports/tiktok_virality-v*.html); model artifacts in models/.\n'
printf '\nThe database keeps running at %s (stop it with `make db-stop`).\n' "$ENGAGE_MONGODB_URI"
