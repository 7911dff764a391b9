#!/usr/bin/env bash
# make fuzz-serve: a served registry on the embedded database, attacked two ways, bounded in time:
#   1. schemathesis generates requests from openapi.yaml (examples, coverage and fuzzing phases) and
#      checks every answer: no 5xx, status, content type, headers and body as the spec says;
#   2. scripts/fuzz-operators.py sends raw documents whose scalars, one at a time, are replaced by
#      MongoDB operator objects ({"$gt": …}, {"$cond": …}, …): every one must be a 400 naming that field.
# FUZZ_SECONDS (default 120) is schemathesis' time budget; .ci/run gives it 30.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${FUZZ_SECONDS:-120}
venv=$root/.venv-fuzz

if [[ ! -x $venv/bin/schemathesis ]] || ! cmp -s scripts/requirements-fuzz.txt "$venv/.requirements"; then
  echo "fuzz-serve: preparing $venv (schemathesis)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r scripts/requirements-fuzz.txt
  cp scripts/requirements-fuzz.txt "$venv/.requirements"
fi
swift build --product engage >&2
engage=$root/.build/debug/engage

if [[ ${1:-} != --inside ]]; then
  export DB_DIR=${DB_DIR:-.engage/fuzz-db}
  rm -rf "$DB_DIR"
  exec scripts/db.sh run "$0" --inside
fi

work=$(mktemp -d)
server=""
cleanup() { [[ -n $server ]] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export ENGAGE_MONGODB_URI
db=(--database fuzz)

echo "fuzz-serve: a small registry (seeds at 2 %, one TikTok and one TMDB model) and the dashboard insights" >&2
"$engage" seeds generate --seed 7 --scale 0.02 --out "$work/seeds" >/dev/null
"$engage" collect tiktok --from "$work/seeds/tiktok_items.jsonl" "${db[@]}" --json >/dev/null
"$engage" collect tmdb --from "$work/seeds/tmdb_movies.jsonl" "${db[@]}" --json >/dev/null
"$engage" collect videos --from "$work/seeds/videos_export.csv" "${db[@]}" --json >/dev/null
"$engage" insights build "${db[@]}" --json >/dev/null
for set in tiktok_virality tmdb_hit; do
  "$engage" features build "$set" "${db[@]}" --json >/dev/null
  "$engage" train --task "$set" --algorithm tree --param max_depth=4 --models "$work/models" "${db[@]}" --json >/dev/null
done
"$engage" models promote tiktok_virality 1 --alias production --models "$work/models" "${db[@]}" >/dev/null

port=$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$engage" serve --port "$port" --models "$work/models" --poll-seconds 1 "${db[@]}" 2>"$work/serve.log" &
server=$!
"$venv/bin/python" - "$port" <<'PY'
import sys, time, urllib.request
for _ in range(150):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/v2/health/ready", timeout=1)
        sys.exit(0)
    except Exception:
        time.sleep(0.2)
sys.exit("fuzz-serve: the server did not become ready")
PY

echo "fuzz-serve: schemathesis for ${seconds} s" >&2
"$venv/bin/schemathesis" run openapi.yaml --url "http://127.0.0.1:$port" --workers 1 --max-time "$seconds" \
  --phases examples,coverage,fuzzing --request-timeout 10 \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --suppress-health-check all --warnings off --no-color
echo "fuzz-serve: operator objects in raw documents" >&2
"$venv/bin/python" scripts/fuzz-operators.py "http://127.0.0.1:$port" "$work/seeds"
if grep -q '\[error\]\|error engage' "$work/serve.log"; then
  echo "fuzz-serve: the server logged errors:" >&2
  grep '\[error\]\|error engage' "$work/serve.log" | head -20 >&2
  exit 1
fi
echo "fuzz-serve: passed"
