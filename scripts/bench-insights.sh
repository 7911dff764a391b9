#!/usr/bin/env bash
# make bench-insights: every dashboard page and JSON panel of engage serve under wrk (-t2 -c16) on
# the demo seeds, beside the Hummingbird constant-answer ceiling of ../shared/bench measured in the
# same run, and the insights build time beside features build all. Results: bench-results/insights.json
# and insights.md.
#   REPEATS=1 DURATION=5 make bench-insights     a quicker, noisier run
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
peer=${ENGAGE_PEER_BENCH:-$root/../shared/bench}
work=$root/.engage/peer-bench
out=$root/bench-results
[[ -d $peer/hb-ceiling ]] || { echo "bench-insights: no peer harness at $peer (set ENGAGE_PEER_BENCH)" >&2; exit 1; }
mkdir -p "$out" "$work"

if ! command -v wrk >/dev/null; then
  echo "bench-insights: installing wrk (Debian)" >&2
  sudo_cmd=$([[ $(id -u) == 0 ]] && echo "" || echo sudo)
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq wrk >&2
fi
if [[ ! -x $work/hb-ceiling/.build/release/HBCeiling ]]; then
  echo "bench-insights: building the Hummingbird ceiling (release, a few minutes the first time)" >&2
  mkdir -p "$work/hb-ceiling" && cp -r --no-preserve=mode "$peer/hb-ceiling/." "$work/hb-ceiling/"
  (cd "$work/hb-ceiling" && swift build -c release >&2)
fi
if [[ $(uname -m) == x86_64 ]]; then export ENGAGE_TARGET_CPU=${ENGAGE_TARGET_CPU:-haswell}; fi
swift build -c release --scratch-path .build-bench --product engage >&2
engage=$root/.build-bench/release/engage
seeds=$root/.engage/bench-seeds
[[ -f $seeds/tiktok_recrawl.jsonl ]] || "$engage" seeds generate --seed 42 --out "$seeds" >&2

rm -rf "$root/.engage/bench-insights-db"
DB_DIR=$root/.engage/bench-insights-db DB_PORT=${DB_PORT:-27228} scripts/db.sh run \
  python3 scripts/bench-insights.py --engage "$engage" --ceiling "$work/hb-ceiling/.build/release/HBCeiling" \
  --seeds "$seeds" --out "$out" --repeats "${REPEATS:-2}" --duration "${DURATION:-10}"
