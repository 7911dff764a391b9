"""Tables for make bench-scale from bench-results/scale_*.json: fit time per row and its growth per
5x rows, peak fit memory over the raw training matrix, the histogram splitter against the exact
one and against LightGBM, scikit-learn beside each."""
import json
import math
import os
import sys

out, sizes = sys.argv[1], sys.argv[2:]
rows_of = {"200k": 160_000, "1m": 800_000, "5m": 4_000_000}
quality_key = {"logreg": "roc_auc", "tree_cls": "roc_auc", "tree_reg": "r2", "kmeans": "inertia_train"}


def load(path):
    return json.load(open(path)) if os.path.exists(path) else None


def swift(model, size, splitter=None):
    name = f"scale_swift_{model}_{splitter}_{size}.json" if splitter else f"scale_swift_{model}_{size}.json"
    result = load(f"{out}/{name}")
    if not result:
        return None
    cell = result[model]["1"]
    fit = cell["fits"][0]
    return {"seconds": fit["wallSeconds"], "memory": fit["peakExtraBytes"] / cell["rawTrainingBytes"],
            "quality": fit["metrics"].get(quality_key[model])}


def sklearn(model, size):
    result = load(f"{out}/scale_sklearn_{size}.json")
    if not result:
        return None
    run = result["runs"]["threads_1"][model]
    key = "inertia" if model == "kmeans" else quality_key[model]
    return {"seconds": run["fit_wall_seconds"]["median"], "quality": run["metrics"].get(key, run["metrics"].get("inertia_train"))}


lines = [f"bench-scale: training rows {', '.join(f'{rows_of[s]:,}' for s in sizes)} (80 % of make_data.py's files), 1 thread, same run", ""]
lines += ["| estimator | " + " | ".join(f"{s} s" for s in sizes) + " | " + " | ".join(f"µs/row {s}" for s in sizes)
          + " | growth per 5x rows | goal | peak fit memory / raw matrix | sklearn " + " | sklearn ".join(s for s in sizes if s != "5m") + " |",
          "|---" * (2 + 2 * len(sizes) + 2 + len([s for s in sizes if s != "5m"])) + "|---|"]
summary = {}
for model, splitter, goal in (("logreg", None, "linear"), ("kmeans", None, "linear"), ("tree_cls", "exact", "n log n"),
                              ("tree_cls", "hist", "n log n"), ("tree_reg", "exact", "n log n"), ("tree_reg", "hist", "n log n")):
    cells = {s: swift(model, s, splitter) for s in sizes}
    if not all(cells.values()):
        continue
    per_row = {s: cells[s]["seconds"] / rows_of[s] * 1e6 for s in sizes}
    growth = [per_row[b] / per_row[a] for a, b in zip(sizes, sizes[1:])]
    # n log n allows per-row time to grow by log(5n)/log(n) per 5x: 1.13 from 160k to 800k.
    allowed = [1.0 if goal == "linear" else math.log(5 * rows_of[a]) / math.log(rows_of[a]) for a in sizes[:-1]]
    ok = all(g <= a * 1.25 for g, a in zip(growth, allowed))  # 25 %: this machine's drift between runs
    memory = max(c["memory"] for c in cells.values())
    peers = [sklearn(model, s) for s in sizes if s != "5m"]
    label = f"{model} ({splitter})" if splitter else model
    summary[label] = {"seconds": {s: cells[s]["seconds"] for s in sizes}, "us_per_row": per_row, "growth": growth,
                      "memory_ratio": memory, "quality": {s: cells[s]["quality"] for s in sizes},
                      "sklearn_seconds": [p and p["seconds"] for p in peers]}
    lines.append(f"| {label} | " + " | ".join(f"{cells[s]['seconds']:.2f}" for s in sizes) + " | "
                 + " | ".join(f"{per_row[s]:.2f}" for s in sizes) + " | " + ", ".join(f"{g:.2f}x" for g in growth)
                 + f" | {goal}: {'met' if ok else 'MISSED'} | {memory:.2f}x | "
                 + " | ".join(f"{p['seconds']:.2f} s" if p else "-" for p in peers) + " |")

lines += ["", "Histogram splitter against the exact one and LightGBM (one tree, depth 12, leaves of 20, 1 thread)", "",
          "| tree | rows | exact s | hist s | speed-up | exact quality | hist quality | difference | goal | LightGBM s | LightGBM quality | hist / LightGBM time |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|"]
for model, limit in (("tree_cls", 0.002), ("tree_reg", 0.005)):
    for s in sizes:
        exact, hist, lgbm = swift(model, s, "exact"), swift(model, s, "hist"), load(f"{out}/scale_lightgbm_{s}.json")
        if not (exact and hist):
            continue
        diff = hist["quality"] - exact["quality"]
        speed = exact["seconds"] / hist["seconds"]
        goal = f"{'met' if speed >= 5 and abs(diff) <= limit else 'MISSED'} (≥5x, ±{limit})" if s != "200k" else "-"
        peer = lgbm.get(model) if lgbm else None
        key = quality_key[model]
        lines.append(f"| {model} | {rows_of[s]:,} | {exact['seconds']:.2f} | {hist['seconds']:.2f} | {speed:.1f}x | {exact['quality']:.4f} | "
                     f"{hist['quality']:.4f} | {diff:+.4f} | {goal} | " + (f"{peer['wall_seconds']:.2f} | {peer[key]:.4f} | {hist['seconds'] / peer['wall_seconds']:.2f}x |" if peer else "- | - | - |"))
        summary.setdefault("hist_vs_exact", {}).setdefault(model, {})[s] = {"speedup": speed, "quality_difference": diff,
                                                                            "lightgbm_seconds": peer and peer["wall_seconds"]}
text = "\n".join(lines) + "\n"
open(f"{out}/scale.md", "w").write(text)
json.dump(summary, open(f"{out}/scale_summary.json", "w"), indent=2)
print(text)
