#!/usr/bin/env python3
"""The dashboard benchmark of `make bench-insights` (see scripts/bench-insights.sh).

On the demo seeds in a fresh embedded database: times `engage features build all` and
`engage insights build` (full, then an unchanged re-run), starts `engage serve` and the
Hummingbird constant-answer ceiling of ../shared/bench, checks each URL answers 200, then runs
wrk (-t2 -c16) on every dashboard page and JSON panel, interleaved with the ceiling's GET /health
in each repeat. Reports p50/p95/p99 per URL against the goal (p95 <= 50 ms) and requests/s over
the ceiling's, and writes bench-results/insights.json and insights.md.
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("--engage", required=True)
ap.add_argument("--ceiling", required=True, help="the HBCeiling binary of ../shared/bench/hb-ceiling")
ap.add_argument("--seeds", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--repeats", type=int, default=2)
ap.add_argument("--duration", type=int, default=10)
ap.add_argument("--port", type=int, default=8097)
args = ap.parse_args()
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
LUA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench-insights.lua")
URLS = ["/", "/growth", "/creators", "/virality", "/segments", "/explorer", "/trends", "/movies", "/models",
        "/v1/insights/videos", "/v1/insights/explorer", "/v1/insights/trends", "/v1/insights/movies",
        "/v1/insights/videos?platform=tiktok"]
# A filter that is not pre-aggregated runs live on the embedded database: measured once, not loaded.
LIVE = "/?country=IN"


def engage(*argv):
    start = time.monotonic()
    subprocess.run([args.engage, *argv], check=True, stdout=subprocess.DEVNULL)
    return round(time.monotonic() - start, 2)


def wait_ready(url):
    for _ in range(100):
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"bench-insights: {url} never answered")


def get(url):
    start = time.monotonic()
    with urllib.request.urlopen(url, timeout=120) as r:
        r.read()
        return r.status, time.monotonic() - start


def wrk(url):
    cmd = ["timeout", str(args.duration + 20), "wrk", "-t2", "-c16", f"-d{args.duration}s", "--timeout", "5s", "-s", LUA, url]
    p = subprocess.run(cmd, capture_output=True, text=True)
    line = next((l for l in p.stdout.splitlines() if l.startswith("WRK_JSON ")), None)
    if p.returncode != 0 or line is None:
        return {"failed": True, "stderr": p.stderr[-300:]}
    d = json.loads(line[len("WRK_JSON "):])
    d["rps"] = d["requests"] / (d["duration_us"] / 1e6)
    return d


# 1. Data: the demo's seeds, collected, built.
seeds = args.seeds
for argv in [["collect", "tmdb", "--from", f"{seeds}/tmdb_movies.jsonl"],
             ["collect", "tiktok", "--from", f"{seeds}/tiktok_items.jsonl", "--observed-at", "2026-11-01T00:00:00Z"],
             ["collect", "tiktok", "--from", f"{seeds}/tiktok_recrawl.jsonl", "--observed-at", "2026-11-08T00:00:00Z"],
             ["collect", "videos", "--from", f"{seeds}/videos_export.csv"]]:
    engage(*argv, "--json")
builds = {"features build all": engage("features", "build", "all", "--json"),
          "insights build (full)": engage("insights", "build", "--full", "--json"),
          "insights build (unchanged re-run)": engage("insights", "build", "--json")}
rows = json.loads(subprocess.run([args.engage, "insights", "build", "--json"], check=True, capture_output=True, text=True).stdout)["rows"]
print(f"[bench-insights] builds: {builds}", file=sys.stderr)

# 2. Servers.
logs = os.path.join(args.out, "logs")
os.makedirs(logs, exist_ok=True)
servers = []
try:
    base = f"http://127.0.0.1:{args.port}"
    servers.append(subprocess.Popen([args.engage, "serve", "--port", str(args.port), "--log-level", "error"],
                                    stdout=open(os.path.join(logs, "engage-insights.log"), "w"), stderr=subprocess.STDOUT))
    ceiling = f"http://127.0.0.1:{args.port + 1}"
    servers.append(subprocess.Popen([args.ceiling, str(args.port + 1)],
                                    stdout=open(os.path.join(logs, "hb-ceiling-insights.log"), "w"), stderr=subprocess.STDOUT))
    wait_ready(base + "/v2/health/live")  # ready needs a served model, and this database has none
    wait_ready(ceiling + "/health")
    for url in URLS:
        status, _ = get(base + url)  # also warms the summary cache
        if status != 200:
            raise SystemExit(f"bench-insights: {url} answered {status}")
    live_status, live_seconds = get(base + LIVE)

    # 3. Load, interleaved: each repeat runs every URL and the ceiling once.
    runs = {url: [] for url in URLS + ["ceiling /health"]}
    for _ in range(args.repeats):
        runs["ceiling /health"].append(wrk(ceiling + "/health"))
        for url in URLS:
            runs[url].append(wrk(base + url))
finally:
    for server in servers:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)


def med(url, key):
    values = [r[key] for r in runs[url] if not r.get("failed")]
    return statistics.median(values) if values else None


ceiling_rps = med("ceiling /health", "rps")
results = []
for url in URLS + ["ceiling /health"]:
    p95 = med(url, "lat_p95_us")
    results.append({
        "url": url, "rps": round(med(url, "rps") or 0, 1), "p50_ms": round((med(url, "lat_p50_us") or 0) / 1000, 2),
        "p95_ms": round((p95 or 0) / 1000, 2), "p99_ms": round((med(url, "lat_p99_us") or 0) / 1000, 2),
        "errors": sum(r.get("errors", 0) + r.get("status_errors", 0) for r in runs[url] if not r.get("failed")),
        "failed_runs": sum(1 for r in runs[url] if r.get("failed")),
        "rps_over_ceiling": round((med(url, "rps") or 0) / ceiling_rps, 4) if ceiling_rps else None,
        "meets_p95_goal": p95 is not None and p95 <= 50_000 if url != "ceiling /health" else None,
    })
report = {"rows": rows, "builds_s": builds, "live": {"url": LIVE, "status": live_status, "seconds": round(live_seconds, 2)},
          "wrk": "-t2 -c16 -d%ds, %d repeats, medians" % (args.duration, args.repeats), "results": results}
with open(os.path.join(args.out, "insights.json"), "w") as f:
    json.dump(report, f, indent=2)
lines = ["# make bench-insights", "",
         f"{rows} insights rows (the demo seeds). wrk {report['wrk']}; goal p95 <= 50 ms per page.", "",
         "| URL | req/s | p50 ms | p95 ms | p99 ms | req/s ÷ ceiling | p95 goal |", "|---|---|---|---|---|---|---|"]
for r in results:
    goal = "" if r["meets_p95_goal"] is None else ("met" if r["meets_p95_goal"] else "missed")
    lines.append(f"| `{r['url']}` | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['rps_over_ceiling']} | {goal} |")
lines += ["", "| build | seconds |", "|---|---|"] + [f"| {k} | {v} |" for k, v in builds.items()]
lines += ["", f"Live filter `{LIVE}` (not pre-aggregated, the embedded database runs the pipeline): {report['live']['seconds']} s."]
with open(os.path.join(args.out, "insights.md"), "w") as f:
    f.write("\n".join(lines) + "\n")
print("\n".join(lines))
