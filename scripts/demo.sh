#!/usr/bin/env bash
# The demo a new user runs: `make demo`. Leaves the embedded database running (`make db-stop` stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
engage=.build/debug/engage

uri=$(scripts/db.sh start)
export ENGAGE_MONGODB_URI=${ENGAGE_MONGODB_URI:-$uri}

step() { printf '\n== %s\n' "$*"; }

step "engage db ping"
$engage db ping
step "engage db stats"
$engage db stats

printf '\nThe database keeps running at %s (stop it with `make db-stop`).\n' "$ENGAGE_MONGODB_URI"
