#!/usr/bin/env bash
# The embedded database: SecantusDB (MongoDB wire protocol on WiredTiger) on loopback.
#
#   scripts/db.sh start      start it (idempotent), print its URI
#   scripts/db.sh stop       stop it by PID
#   scripts/db.sh uri        print the URI of the running server
#   scripts/db.sh run CMD…   start it, run CMD with ENGAGE_MONGODB_URI set, always stop it after
#
# If ENGAGE_MONGODB_URI is already set, that server is used and nothing is started or stopped.
# DB_DIR (default .engage/db) holds data, log, PID and URI; DB_PORT (default 27217) is tried
# first, and any free port is used when it is taken.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
db_dir=${DB_DIR:-$root/.engage/db}
[[ $db_dir = /* ]] || db_dir=$root/$db_dir
venv=$root/.venv
pid_file=$db_dir/server.pid
uri_file=$db_dir/uri

ensure_venv() {
  local stamp=$venv/.requirements-db
  if [[ ! -x $venv/bin/python ]] || ! cmp -s "$root/scripts/requirements-db.txt" "$stamp"; then
    echo "db: preparing $venv (SecantusDB, pymongo)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$root/scripts/requirements-db.txt"
    cp "$root/scripts/requirements-db.txt" "$stamp"
  fi
}

running() { [[ -f $pid_file ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }

# The wanted port if it can be had, else any free one (said on stderr). The probe binds with
# SO_REUSEADDR as the server does, so a port whose last connections sit in TIME_WAIT counts as
# free, and a port held by a process is retried for a few seconds before another is taken.
free_port() {
  "$venv/bin/python" - "$1" <<'PY'
import socket, sys, time
def free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port)); return True
        except OSError:
            return False
wanted = int(sys.argv[1])
deadline = time.time() + 5
while not free(wanted) and time.time() < deadline:
    time.sleep(0.25)
port = wanted
if not free(wanted):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
    print(f"db: port {wanted} is in use; using {port}", file=sys.stderr)
print(port)
PY
}

wait_for_ping() {
  "$venv/bin/python" - "$1" "$2" <<'PY'
import sys, time, pymongo
uri, pid = sys.argv[1], int(sys.argv[2])
import os
deadline = time.time() + 90
while time.time() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("db: the server exited during start-up")
    try:
        pymongo.MongoClient(uri, serverSelectionTimeoutMS=1000).admin.command("ping")
        sys.exit(0)
    except Exception:
        time.sleep(0.2)
sys.exit("db: no ping answer within 90 s")
PY
}

start() {
  if [[ -n ${ENGAGE_MONGODB_URI:-} ]]; then echo "$ENGAGE_MONGODB_URI"; return; fi
  if running; then cat "$uri_file"; return; fi
  ensure_venv
  mkdir -p "$db_dir/data"
  local port uri pid
  port=$(free_port "${DB_PORT:-27217}")
  uri="mongodb://127.0.0.1:$port/?directConnection=true"
  setsid "$venv/bin/secantusd-py" --host 127.0.0.1 --port "$port" --storage-path "$db_dir/data" \
    --log-level WARNING >"$db_dir/server.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$pid_file"
  if ! wait_for_ping "$uri" "$pid"; then
    tail -20 "$db_dir/server.log" >&2 || true
    stop
    exit 1
  fi
  echo "$uri" >"$uri_file"
  echo "db: SecantusDB pid $pid on 127.0.0.1:$port, data in $db_dir/data" >&2
  echo "$uri"
}

stop() {
  [[ -f $pid_file ]] || return 0
  local pid
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    echo "db: stopped pid $pid" >&2
  fi
  rm -f "$pid_file" "$uri_file"
}

case ${1:-} in
  start) start ;;
  stop) [[ -n ${ENGAGE_MONGODB_URI:-} ]] || stop ;;
  uri) if [[ -n ${ENGAGE_MONGODB_URI:-} ]]; then echo "$ENGAGE_MONGODB_URI"; elif running; then cat "$uri_file"; else echo "db: not running" >&2; exit 1; fi ;;
  run)
    shift
    if [[ -n ${ENGAGE_MONGODB_URI:-} ]]; then exec "$@"; fi
    uri=$(start)
    trap stop EXIT
    ENGAGE_MONGODB_URI=$uri "$@"
    ;;
  *) echo "usage: scripts/db.sh start|stop|uri|run CMD…" >&2; exit 2 ;;
esac
