#!/usr/bin/env bash
# make bench-serve: engage serve against the peers of ../shared/bench (Flask/gunicorn, FastAPI/uvicorn
# and the Hummingbird constant-answer ceiling) under wrk on loopback, interleaved in one run with the
# peer harness's own settings (wrk -t2 -c16,64 -d10s, its Lua script and request bodies). The peer
# harness is read-only, so it is copied to .engage/peer-bench (its Python packages, datasets and
# ceiling build live there too). Results: bench-results/serve.json and serve.md.
#   REPEATS=1 DURATION=5 make bench-serve     a quicker, noisier run
#   SERVERS=hb-ceiling make bench-serve       fewer peers (default: flask-gunicorn,fastapi-uvicorn,hb-ceiling)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
peer=${ENGAGE_PEER_BENCH:-$root/../shared/bench}
work=$root/.engage/peer-bench
venv=$root/.engage/bench-venv
data=$root/.engage/bench-data
out=$root/bench-results
[[ -f $peer/load/load.py ]] || { echo "bench-serve: no peer harness at $peer (set ENGAGE_PEER_BENCH)" >&2; exit 1; }
mkdir -p "$out" "$data" "$work"

if ! command -v wrk >/dev/null; then
  echo "bench-serve: installing wrk (Debian)" >&2
  sudo_cmd=$([[ $(id -u) == 0 ]] && echo "" || echo sudo)
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq wrk >&2
fi
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -c "import flask, gunicorn, fastapi, uvicorn, sklearn" 2>/dev/null \
  || "$venv/bin/pip" install -q --disable-pip-version-check -r "$peer/requirements.lock" >&2

cp -r --no-preserve=mode "$peer/." "$work/"
ln -sfn "$venv" "$work/.venv"
rm -rf "$work/data" && ln -sfn "$data" "$work/data"
[[ -f $data/cls_200k.csv ]] || "$venv/bin/python" "$work/make_data.py" --out "$data" >&2
if [[ ! -f $data/models/logreg.pkl || ! -f $data/models/tree.pkl ]]; then
  echo "bench-serve: fitting the peers' pickled models (sklearn_train.py)" >&2
  "$venv/bin/python" "$work/sklearn_train.py" --data "$data" --repeats 1 --threads 1 --out "$work/results/sklearn.json" >&2
fi
if [[ ! -x $work/hb-ceiling/.build/release/HBCeiling ]]; then
  echo "bench-serve: building the Hummingbird ceiling (release, a few minutes the first time)" >&2
  (cd "$work/hb-ceiling" && swift build -c release >&2)
fi
# Benchmarks build for this CPU class (Package.swift: ENGAGE_TARGET_CPU), in a build folder of their own.
if [[ $(uname -m) == x86_64 ]]; then export ENGAGE_TARGET_CPU=${ENGAGE_TARGET_CPU:-haswell}; fi
swift build -c release --scratch-path .build-bench --product engage >&2

rm -rf "$root/.engage/bench-serve-db"  # a fresh registry: the models are versions 1
DB_DIR=$root/.engage/bench-serve-db DB_PORT=${DB_PORT:-27227} scripts/db.sh run \
  "$venv/bin/python" scripts/bench-serve.py --peer "$work" --engage "$root/.build-bench/release/engage" \
  --data "$data" --out "$out" --repeats "${REPEATS:-3}" --duration "${DURATION:-10}" \
  --servers "${SERVERS:-flask-gunicorn,fastapi-uvicorn,hb-ceiling}"
