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

ENGAGE=$engage scripts/pipeline.sh

step "engage evaluate: reports of the production models (HTML with charts, Markdown, JSON)"
for task in tiktok_virality tiktok_engagement tmdb_hit tmdb_revenue creator_segments user_churn; do
  $engage evaluate "$task@production"
done

step "engage audience: DAU, WAU, MAU, retention and churn from the viewers' events (built with the insights)"
$engage audience

step "engage serve: predictions over HTTP (features, explained; a raw TikTok item; viewers by id), then a graceful stop"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$engage serve --port "$port" --log-level error --log-sample 1 &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/v2/health/ready" >/dev/null && break; sleep 0.2; done
curl -s "http://127.0.0.1:$port/v2/health/ready"; echo
for page in / /growth /creators /virality /segments /explorer /trends /movies /audience /models; do
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
# Two viewers of the seed log, scored from their stored events as of the day after the log ends
# (without a cutoff the answer is as of now, and the seed log is from autumn 2026).
viewers=$(python3 -c 'import csv
rows = list(csv.DictReader(open("seeds/events_sample.csv")))
last = {}
for row in rows:
    if row["event_time"][:4].isdigit(): last[row["user_id"]] = max(last.get(row["user_id"], ""), row["event_time"])
ids = sorted(last, key=last.get)
print(" ".join([ids[len(ids) // 3], ids[-1]]))')
set -- $viewers
echo "POST /v1/models/user_churn/predict with two user ids (features from their stored events before the cutoff)"
curl -s -X POST "http://127.0.0.1:$port/v1/models/user_churn/predict" -H 'content-type: application/json' \
  -d "{\"documents\": [{\"user_id\": \"$1\", \"cutoff\": \"2026-10-31\"}, {\"user_id\": \"$2\", \"cutoff\": \"2026-10-31\"}]}"; echo
kill -TERM "$server"; wait "$server" || true

step "engage db stats"
$engage db stats

printf '\nDashboard: `ENGAGE_MONGODB_URI=%s .build/debug/engage serve` and open http://127.0.0.1:8080/ (overview, growth, creators, virality, segments, explorer, trends, movies, audience, models),\nor write it as static files: `.build/debug/engage insights export --out dashboard` and open dashboard/index.html.\n' "$ENGAGE_MONGODB_URI"
printf '\nReports are in reports/ (open reports/tiktok_virality-v*.html); model artifacts in models/.\n'
printf '\nThe database keeps running at %s (stop it with `make db-stop`).\n' "$ENGAGE_MONGODB_URI"
