#!/usr/bin/env bash
# make bench-ml: EngageML's estimators against scikit-learn (../shared/bench/sklearn_train.py, exact
# settings, same datasets from make_data.py), in one run. Reports fit time ratios (Swift at 1 and 2
# threads / sklearn single-threaded), test quality side by side and peak fit memory / raw training
# data. Each Swift model runs in its own process so peak memory is its own. Results: bench-results/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
peer=${ENGAGE_PEER_BENCH:-$root/../shared/bench}
repeats=${REPEATS:-3}
# k-means: 100 seeds a side. Over 20 the medians of the iteration counts still swing (19 vs 13.5 for the same
# algorithm); over 100 they agree (13.5 vs 14), so the fit-time medians compare like with like.
seeds=${KMEANS_SEEDS:-$(seq -s, 0 99)}
data=$root/.engage/bench-data
venv=$root/.engage/bench-venv
out=$root/bench-results
[[ -f $peer/sklearn_train.py ]] || { echo "bench-ml: no peer harness at $peer (set ENGAGE_PEER_BENCH)" >&2; exit 1; }
mkdir -p "$out" "$data"

if [[ ! -x $venv/bin/python ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r scripts/requirements-bench.txt
fi
[[ -f $data/cls_200k.csv && -f $data/reg_200k.csv && -f $data/blobs_200k.csv ]] \
  || "$venv/bin/python" "$peer/make_data.py" --out "$data" >&2
# Benchmarks build for this CPU class (Package.swift: ENGAGE_TARGET_CPU), in a build folder of their own.
if [[ $(uname -m) == x86_64 ]]; then export ENGAGE_TARGET_CPU=${ENGAGE_TARGET_CPU:-haswell}; fi
swift build -c release --scratch-path .build-bench --product engage-bench >&2

echo "scikit-learn: sklearn_train.py, $repeats repeats, threads 1 and 2" >&2
"$venv/bin/python" "$peer/sklearn_train.py" --data "$data" --repeats "$repeats" --threads 1,2 --out "$out/ml_sklearn.json"

for model in logreg tree_cls tree_reg; do
  echo "EngageML: $model, $repeats repeats, threads 1 and 2" >&2
  .build-bench/release/engage-bench ml --data "$data" --models "$model" --repeats "$repeats" --threads 1,2 --out "$out/ml_swift_$model.json"
done

# k-means fits take a tenth of a second, and this VM's speed drifts by 10-15% over a minute: the two
# sides run in alternating rounds (one pass over the seeds each), so both medians see the same drift.
for round in $(seq "$repeats"); do
  echo "k-means round $round of $repeats: scikit-learn, then EngageML, over seeds $seeds" >&2
  "$venv/bin/python" - "$data/blobs_200k.csv" "$seeds" "$out/ml_sklearn_kmeans_seeds_$round.json" <<'PY'
import json, sys, time
import numpy as np
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits
path, seeds, out = sys.argv[1], [int(s) for s in sys.argv[2].split(",")], sys.argv[3]
d = np.loadtxt(path, delimiter=",", skiprows=1)
X = np.ascontiguousarray(d[: int(len(d) * 0.8), :-1])
fits = []
with threadpool_limits(limits=1):
    for seed in seeds:
        t0 = time.perf_counter()
        m = KMeans(n_clusters=8, n_init=1, init="k-means++", random_state=seed, max_iter=100).fit(X)
        fits.append({"seed": seed, "wall": time.perf_counter() - t0, "inertia": float(m.inertia_), "n_iter": int(m.n_iter_)})
json.dump(fits, open(out, "w"), indent=2)
PY
  .build-bench/release/engage-bench ml --data "$data" --models kmeans --repeats 1 --threads 1,2 \
    --kmeans-seeds "$seeds" --out "$out/ml_swift_kmeans_$round.json"
done
"$venv/bin/python" - "$out" "$repeats" <<'PY'
import json, sys
out, rounds = sys.argv[1], range(1, int(sys.argv[2]) + 1)
sklearn = [fit for r in rounds for fit in json.load(open(f"{out}/ml_sklearn_kmeans_seeds_{r}.json"))]
json.dump(sklearn, open(f"{out}/ml_sklearn_kmeans_seeds.json", "w"), indent=2)
swift = {"kmeans": {}}
for r in rounds:
    for threads, result in json.load(open(f"{out}/ml_swift_kmeans_{r}.json"))["kmeans"].items():
        merged = swift["kmeans"].setdefault(threads, {**result, "fits": []})
        merged["fits"] += result["fits"]
json.dump(swift, open(f"{out}/ml_swift_kmeans.json", "w"), indent=2)
PY

"$venv/bin/python" scripts/bench-ml-summary.py "$out"
