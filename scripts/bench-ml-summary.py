"""Tables for make bench-ml from bench-results/ml_*.json: fit time ratios, quality, memory."""
import json
import statistics
import sys

out = sys.argv[1]
sk = json.load(open(f"{out}/ml_sklearn.json"))["runs"]
sk_seeds = json.load(open(f"{out}/ml_sklearn_kmeans_seeds.json"))
quality = {"logreg": ("roc_auc", "AUC"), "tree_cls": ("roc_auc", "AUC"), "tree_reg": ("r2", "R²"),
           "kmeans": ("inertia_train", "inertia")}
goal = {"logreg": lambda s, p: s >= p - 0.005, "tree_cls": lambda s, p: s >= p - 0.005,
        "tree_reg": lambda s, p: s >= p - 0.01, "kmeans": lambda s, p: s <= 1.01 * p}
rows = ["| model | sklearn 1 thread, median s | Swift 1 thread, median s | Swift 2 threads, median s | ratio best Swift / sklearn | quality sklearn | quality Swift | quality goal | peak fit memory / raw train data |",
        "|---|---|---|---|---|---|---|---|---|"]
summary = {}
for model, (key, label) in quality.items():
    swift = json.load(open(f"{out}/ml_swift_{model}.json"))[model]
    if model == "kmeans":
        sk_wall = statistics.median(f["wall"] for f in sk_seeds)
        sk_quality = statistics.median(f["inertia"] for f in sk_seeds)
    else:
        sk_wall = sk["threads_1"][model]["fit_wall_seconds"]["median"]
        sk_quality = sk["threads_1"][model]["metrics"][key]
    med = {t: statistics.median(f["wallSeconds"] for f in swift[t]["fits"]) for t in ("1", "2")}
    swift_quality = statistics.median(f["metrics"][key] for f in swift["1"]["fits"])
    best = min(med.values())
    first = swift["1"]["fits"][0]
    memory = first["peakExtraBytes"] / swift["1"]["rawTrainingBytes"]
    ok = goal[model](swift_quality, sk_quality)
    summary[model] = {"sklearn_s": sk_wall, "swift_1t_s": med["1"], "swift_2t_s": med["2"], "ratio": best / sk_wall,
                      "quality_sklearn": sk_quality, "quality_swift": swift_quality, "quality_ok": ok, "memory_ratio": memory}
    fmt = (lambda v: f"{v:.4g}") if model == "kmeans" else (lambda v: f"{v:.4f}")
    rows.append(f"| {model} | {sk_wall:.3f} | {med['1']:.3f} | {med['2']:.3f} | {best / sk_wall:.2f}x | {label} {fmt(sk_quality)} | "
                f"{label} {fmt(swift_quality)} | {'met' if ok else 'MISSED'} | {memory:.2f}x |")
if "kmeans" in summary:
    swift_kmeans = json.load(open(f"{out}/ml_swift_kmeans.json"))["kmeans"]["2"]["fits"]
    note = (f"\nk-means: medians over seeds {sorted({f['seed'] for f in sk_seeds})} on both sides, because a seed draws "
            f"differently in numpy and in Swift and the iteration count swings with the draw "
            f"(median iterations: sklearn {statistics.median(f['n_iter'] for f in sk_seeds):g}, "
            f"Swift {statistics.median(f['metrics']['n_iter'] for f in swift_kmeans):g}). "
            f"sklearn_train.py's own seed-0 fit: {sk['threads_1']['kmeans']['fit_wall_seconds']['median']:.3f} s.\n")
else:
    note = ""
table = "\n".join(rows)
text = f"bench-ml: 160,000 training rows, 40,000 test rows (make_data.py 200k), same run\n\n{table}\n{note}"
open(f"{out}/ml.md", "w").write(text)
json.dump(summary, open(f"{out}/ml_summary.json", "w"), indent=2)
print(text)
