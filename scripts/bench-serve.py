#!/usr/bin/env python3
"""The serving benchmark of `make bench-serve` (see scripts/bench-serve.sh).

Trains the peers' two models (logistic regression C=1, max_iter=200; tree max_depth=12,
min_samples_leaf=20) on the same cls_200k.csv with `engage train --data … --name`, starts
`engage serve` and the peers, checks every answer, then runs wrk with the peer harness's own
functions (load/load.py: run_wrk, server CPU from /proc, summarize), repeats interleaved across
servers. Prints and writes the ratios the issue asks for:
  - one instance: engage req/s over the Hummingbird ceiling's (constant answer, each decode variant)
    and over Flask/gunicorn's with the same model;
  - p99 at 16 connections;
  - 64 instances: engage req/s over the ceiling's Foundation JSONDecoder variant.
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
ap.add_argument("--peer", required=True, help="a writable copy of ../shared/bench")
ap.add_argument("--engage", required=True)
ap.add_argument("--data", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--repeats", type=int, default=3)
ap.add_argument("--duration", type=int, default=10)
ap.add_argument("--conns", default="16,64")
ap.add_argument("--servers", default="flask-gunicorn,fastapi-uvicorn,hb-ceiling")
ap.add_argument("--port", type=int, default=8096)
args = ap.parse_args()
# A stopped run (SIGTERM; Ctrl-C already raises) still stops every server it started: the
# `finally` below runs on SystemExit.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

sys.path.insert(0, os.path.join(args.peer, "load"))
import load  # noqa: E402  the peer harness's own wrk driver

models_dir = os.path.join(args.out, "serve-models")
logdir = os.path.join(args.out, "logs")
os.makedirs(logdir, exist_ok=True)
conns = [int(c) for c in args.conns.split(",")]
bodies = load.make_bodies(os.path.join(args.data, "cls_200k.csv"), os.path.join(args.peer, "data", "bodies"))

# 1. The same two models, registered in engage's registry.
subprocess.run(["rm", "-rf", models_dir], check=True)
for name, algorithm, params in [("logreg", "logistic", ["C=1", "max_iter=200"]),
                                ("tree", "tree", ["max_depth=12", "min_samples_leaf=20"])]:
    cmd = [args.engage, "train", "--data", os.path.join(args.data, "cls_200k.csv"), "--label", "label",
           "--algorithm", algorithm, "--name", name, "--models", models_dir, "--json"]
    for p in params:
        cmd += ["--param", p]
    result = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    print(f"[engage] trained {result['model']}: test {json.dumps(result['test'])}", file=sys.stderr)


def start_engage():
    port = args.port
    log = open(os.path.join(logdir, "server_engage.log"), "w")
    t0 = time.perf_counter()
    proc = subprocess.Popen([args.engage, "serve", "--port", str(port), "--models", models_dir, "--max-instances", "1000"],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"engage serve exited with {proc.returncode}; see {log.name}")
        try:
            if load.http("GET", base + "/v2/health/ready", timeout=1.0)[0] == 200:
                return proc, base, round(time.perf_counter() - t0, 2)
        except OSError:
            time.sleep(0.1)
    load.stop_server(proc)
    raise RuntimeError("engage serve was not ready within 60 s")


def check_engage(base):
    for model in ("logreg", "tree"):
        for n, path in bodies.items():
            status, raw = load.http("POST", f"{base}/v1/models/{model}/predict", open(path, "rb").read())
            answer = json.loads(raw)
            ok = status == 200 and len(answer.get("predictions", [])) == n and all(
                0 <= p["probability"] <= 1 for p in answer["predictions"])
            if not ok:
                raise RuntimeError(f"engage {model} n={n} answered wrongly: {raw[:300]!r}")


servers = {}
started = {}
try:
    for name in [s for s in args.servers.split(",") if s]:
        spec = load.SERVERS[name]
        proc, base, secs, _ = load.start_server(name, spec, logdir)
        started[name] = proc
        load.check_server(name, base, spec["variants"], bodies, spec.get("compare_to_sklearn", False))
        endpoints = [("health", base + "/health", None)]
        for label, query in spec["variants"]:
            for n in bodies:
                endpoints.append((f"predict_{label}_b{n}", base + "/predict" + query, bodies[n]))
        servers[name] = {"start_seconds": secs, "endpoints": endpoints, "runs": []}
        print(f"[{name}] up in {secs}s", file=sys.stderr)
    proc, base, secs = start_engage()
    started["engage"] = proc
    check_engage(base)
    endpoints = [("health", base + "/v2/health/live", None)]
    for model in ("logreg", "tree"):
        for n in bodies:
            endpoints.append((f"predict_{model}_b{n}", f"{base}/v1/models/{model}/predict", bodies[n]))
    servers["engage"] = {"start_seconds": secs, "endpoints": endpoints, "runs": []}
    print(f"[engage] up in {secs}s", file=sys.stderr)

    for name, server in servers.items():  # unrecorded warm-up
        for _, url, body in server["endpoints"]:
            load.run_wrk(url, body, conns[0], 2, 2)
    for rep in range(1, args.repeats + 1):
        for name, server in servers.items():
            pid = started[name].pid
            for endpoint, url, body in server["endpoints"]:
                for c in conns:
                    c0 = load.tree_cpu_seconds(pid)
                    r = load.run_wrk(url, body, c, args.duration, 2)
                    r.update(server=name, endpoint=endpoint, conns=c, rep=rep, server_cpu_s=round(load.tree_cpu_seconds(pid) - c0, 2))
                    server["runs"].append(r)
                    if r.get("failed"):
                        print(f"  rep{rep} {name} {endpoint} c{c}: FAILED {r}", file=sys.stderr)
                    else:
                        print(f"  rep{rep} {name:16s} {endpoint:26s} c{c:<3d} {r['rps']:>9.1f} req/s "
                              f"p99 {r['lat_p99_us'] / 1000:7.2f} ms", file=sys.stderr)
        for name in servers:
            servers[name]["rss_mib_after"] = load.tree_rss_mib(started[name].pid)
finally:
    for proc in started.values():
        load.stop_server(proc)

summary = {}
for name, server in servers.items():
    server.pop("endpoints")
    server["summary"] = load.summarize(server["runs"])
    summary[name] = {(s["endpoint"], s["conns"]): s for s in server["summary"]}


def rps(server, endpoint, c):
    s = summary.get(server, {}).get((endpoint, c))
    return s["rps_median"] if s else None


def ratio(a, b):
    return round(a / b, 2) if a and b else None


goals = []
for c in conns:
    for model in ("logreg", "tree"):
        mine = rps("engage", f"predict_{model}_b1", c)
        for variant in ("no-decode", "decode-struct", "decode-dict"):
            goals.append({"what": f"{model}, 1 instance, c{c}: engage / hb-ceiling {variant}", "ratio": ratio(mine, rps("hb-ceiling", f"predict_{variant}_b1", c)),
                          "goal": ">= 0.85" if variant == "no-decode" else None})
        goals.append({"what": f"{model}, 1 instance, c{c}: engage / flask-gunicorn {model}", "ratio": ratio(mine, rps("flask-gunicorn", f"predict_{model}_b1", c)), "goal": ">= 10"})
        goals.append({"what": f"{model}, 1 instance, c{c}: engage / fastapi-uvicorn {model}", "ratio": ratio(mine, rps("fastapi-uvicorn", f"predict_{model}_b1", c)), "goal": None})
        goals.append({"what": f"{model}, 64 instances, c{c}: engage / hb-ceiling decode-dict (JSONDecoder)",
                      "ratio": ratio(rps("engage", f"predict_{model}_b64", c), rps("hb-ceiling", "predict_decode-dict_b64", c)), "goal": ">= 10"})
    goals.append({"what": f"health, c{c}: engage / hb-ceiling", "ratio": ratio(rps("engage", "health", c), rps("hb-ceiling", "health", c)), "goal": None})
p99 = {f"{e} c16": summary["engage"][(e, 16)]["p99_ms_median"] for e, c in summary["engage"] if c == 16}

doc = {"settings": {"repeats": args.repeats, "duration_s": args.duration, "conns": conns, "wrk_threads": 2,
                    "note": "wrk and the servers share the machine's cores; compare only within this run"},
       "servers": servers, "ratios": goals, "engage_p99_ms": p99}
with open(os.path.join(args.out, "serve.json"), "w") as fh:
    json.dump(doc, fh, indent=2)

lines = ["# make bench-serve", "",
         f"wrk -t2 -d{args.duration}s, {args.repeats} repeat(s), 127.0.0.1, every server measured in this run.", "",
         "| server | endpoint | conns | req/s median | p50 ms | p99 ms | server CPU ms/req |", "|---|---|---|---|---|---|---|"]
for name, server in servers.items():
    for s in server["summary"]:
        lines.append(f"| {name} | {s['endpoint']} | {s['conns']} | {s['rps_median']:.0f} | {s['p50_ms_median']:.2f} | "
                     f"{s['p99_ms_median']:.2f} | {s['server_cpu_ms_per_req_median']:.3f} |")
lines += ["", "| ratio | value | goal |", "|---|---|---|"]
for g in goals:
    lines.append(f"| {g['what']} | {g['ratio']}× | {g['goal'] or ''} |")
lines += ["", "engage p99 at 16 connections (goal ≤ 2 ms): " + ", ".join(f"{k} {v:.2f} ms" for k, v in p99.items())]
text = "\n".join(lines) + "\n"
open(os.path.join(args.out, "serve.md"), "w").write(text)
print(text)
