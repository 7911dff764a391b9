#!/usr/bin/env bash
# make bench-store: the Swift/libmongoc client against pymongo (../shared/bench/ingest_peer.py) on the
# same 50k TikTok-shaped documents, same batches, each repeat on a fresh SecantusDB, in one run.
# Reports client CPU seconds per 10k documents and the ratio Swift / pymongo. Results: bench-results/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
peer=${ENGAGE_PEER_BENCH:-$root/../shared/bench}
repeats=${REPEATS:-3}
docs=${DOCS:-50000}
out=$root/bench-results
[[ -f $peer/ingest_peer.py ]] || { echo "bench-store: no peer harness at $peer (set ENGAGE_PEER_BENCH)" >&2; exit 1; }
mkdir -p "$out"

unset ENGAGE_MONGODB_URI  # always fresh local servers, like the peer
DB_DIR=.engage/bench-db scripts/db.sh stop
# Benchmarks build for this CPU class (Package.swift: ENGAGE_TARGET_CPU), in a build folder of their own.
if [[ $(uname -m) == x86_64 ]]; then export ENGAGE_TARGET_CPU=${ENGAGE_TARGET_CPU:-haswell}; fi
swift build -c release --scratch-path .build-bench --product engage-bench >&2
.venv/bin/python - "$peer" "$docs" "$out/store_docs.jsonl" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
from ingest_peer import make_docs
with open(sys.argv[3], "w") as fh:
    for d in make_docs(int(sys.argv[2])):
        fh.write(json.dumps(d) + "\n")
PY

for rep in $(seq "$repeats"); do
  rm -rf .engage/bench-db
  uri=$(DB_DIR=.engage/bench-db scripts/db.sh start)
  echo "swift repeat $rep" >&2
  .build-bench/release/engage-bench store --uri "$uri" --documents "$out/store_docs.jsonl" --out "$out/store_swift_$rep.json" \
    || { DB_DIR=.engage/bench-db scripts/db.sh stop; exit 1; }
  DB_DIR=.engage/bench-db scripts/db.sh stop
done
rm -rf .engage/bench-db

echo "pymongo peer, $repeats repeats" >&2
port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
.venv/bin/python "$peer/ingest_peer.py" --docs "$docs" --repeats "$repeats" --port "$port" --out "$out/store_peer.json"

.venv/bin/python - "$out" "$repeats" "$docs" <<'PY'
import json, statistics, sys
out, repeats, docs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
swift = [json.load(open(f"{out}/store_swift_{r}.json"))["phases"] for r in range(1, repeats + 1)]
peer = json.load(open(f"{out}/store_peer.json"))["phases"]
per10k = docs / 10_000
lines = ["| phase | Swift client CPU / 10k (median) | pymongo client CPU / 10k (median) | ratio Swift / pymongo | Swift wall s | pymongo wall s |",
         "|---|---|---|---|---|---|"]
summary = {}
for phase in ("insert", "find", "aggregate"):
    s_cpu = statistics.median(p[phase]["clientCPUSeconds"] for p in swift) / per10k
    s_wall = statistics.median(p[phase]["wallSeconds"] for p in swift)
    p_cpu = peer[phase]["client_cpu"]["median"] / per10k
    p_wall = peer[phase]["wall"]["median"]
    ratio = s_cpu / p_cpu if p_cpu else float("nan")
    summary[phase] = {"swift_cpu_per_10k": round(s_cpu, 4), "pymongo_cpu_per_10k": round(p_cpu, 4), "ratio": round(ratio, 3)}
    lines.append(f"| {phase} | {s_cpu:.4f} s | {p_cpu:.4f} s | {ratio:.2f}x | {s_wall:.2f} | {p_wall:.2f} |")
table = "\n".join(lines)
open(f"{out}/store.md", "w").write(f"bench-store: {docs} documents, {repeats} repeats each, fresh SecantusDB per repeat\n\n{table}\n")
json.dump(summary, open(f"{out}/store_summary.json", "w"), indent=2)
print(table)
PY
