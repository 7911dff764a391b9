#!/usr/bin/env bash
# make bench-scale: how fit time and peak fit memory grow with the rows. The four estimators at
# 200k, 1M and 5M rows (make_data.py's 200k and --big files; 5M is its generator run for 50 blocks,
# each with its own seed), single-threaded, each fit in its own process; scikit-learn at 200k and
# 1M and LightGBM (one tree: num_iterations=1, learning_rate=1, the same depth and leaf limits) at
# every size, in the same run. Trees run with the exact and the histogram splitter. SIZES="200k 1m"
# skips the 5M files (1.1 GB each). Results: bench-results/scale*.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
peer=${ENGAGE_PEER_BENCH:-$root/../shared/bench}
sizes=${SIZES:-200k 1m 5m}
data=$root/.engage/bench-data
venv=$root/.engage/bench-venv
out=$root/bench-results
[[ -f $peer/make_data.py ]] || { echo "bench-scale: no peer harness at $peer (set ENGAGE_PEER_BENCH)" >&2; exit 1; }
mkdir -p "$out" "$data"

if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c 'import lightgbm, sklearn' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r scripts/requirements-scale.txt
fi
[[ -f $data/cls_1m.csv && -f $data/reg_1m.csv && -f $data/blobs_1m.csv && -f $data/cls_200k.csv ]] \
  || "$venv/bin/python" "$peer/make_data.py" --out "$data" --big >&2
if [[ " $sizes " == *" 5m "* ]]; then
  for kind in cls reg blobs; do
    [[ -f $data/${kind}_5m.csv ]] && continue
    echo "writing $data/${kind}_5m.csv (make_data.py's blocks 0-49)" >&2
    "$venv/bin/python" - "$peer" "$kind" "$data/${kind}_5m.csv.partial" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import make_data
make_data.write_dataset(sys.argv[2], 5_000_000, sys.argv[3])
PY
    mv "$data/${kind}_5m.csv.partial" "$data/${kind}_5m.csv"
  done
fi
if [[ $(uname -m) == x86_64 ]]; then export ENGAGE_TARGET_CPU=${ENGAGE_TARGET_CPU:-haswell}; fi
swift build -c release --scratch-path .build-bench --product engage-bench >&2

for size in $sizes; do
  for model in logreg kmeans; do
    echo "EngageML $model at $size" >&2
    .build-bench/release/engage-bench ml --data "$data" --size "$size" --models "$model" --repeats 1 --threads 1 \
      --out "$out/scale_swift_${model}_$size.json"
  done
  for splitter in exact hist; do
    for model in tree_cls tree_reg; do
      echo "EngageML $model ($splitter) at $size" >&2
      .build-bench/release/engage-bench ml --data "$data" --size "$size" --models "$model" --repeats 1 --threads 1 \
        --splitter "$splitter" --out "$out/scale_swift_${model}_${splitter}_$size.json"
    done
  done
  echo "LightGBM, one tree, at $size" >&2
  "$venv/bin/python" - "$data" "$size" "$out/scale_lightgbm_$size.json" <<'PY'
import json, resource, sys, time
import numpy as np
import lightgbm as lgb
from sklearn.metrics import r2_score, roc_auc_score
data, size, out = sys.argv[1:4]
result = {}
for model, kind, objective in (("tree_cls", "cls", "binary"), ("tree_reg", "reg", "regression")):
    d = np.loadtxt(f"{data}/{kind}_{size}.csv", delimiter=",", skiprows=1)
    cut = int(len(d) * 0.8)
    X, y, Xt, yt = np.ascontiguousarray(d[:cut, :-1]), d[:cut, -1], np.ascontiguousarray(d[cut:, :-1]), d[cut:, -1]
    del d
    params = {"objective": objective, "num_iterations": 1, "learning_rate": 1.0, "max_depth": 12, "num_leaves": 4096,
              "min_data_in_leaf": 20, "min_sum_hessian_in_leaf": 0.0, "lambda_l2": 0.0, "max_bin": 255,
              "num_threads": 1, "deterministic": True, "force_col_wise": True, "verbose": -1}
    t0 = time.perf_counter(); c0 = time.process_time()
    booster = lgb.train(params, lgb.Dataset(X, y, params={"max_bin": 255, "verbose": -1}))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    p = booster.predict(Xt)
    metric = {"roc_auc": roc_auc_score(yt, p)} if kind == "cls" else {"r2": r2_score(yt, p)}
    result[model] = {"wall_seconds": wall, "cpu_seconds": cpu, "leaves": booster.dump_model()["tree_info"][0]["num_leaves"], **metric}
    print(model, size, result[model], file=sys.stderr)
result["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
json.dump(result, open(out, "w"), indent=2)
PY
  if [[ $size != 5m ]]; then
    echo "scikit-learn at $size" >&2
    "$venv/bin/python" "$peer/sklearn_train.py" --data "$data" --size "$size" --repeats 1 --threads 1 \
      --out "$out/scale_sklearn_$size.json"
  fi
done
"$venv/bin/python" scripts/bench-scale-summary.py "$out" $sizes
