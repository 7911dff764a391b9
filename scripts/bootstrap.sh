#!/usr/bin/env bash
# Installs what EngageML needs from Debian's packages, only what is missing, so it is safe to re-run.
# Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(libmongoc-dev libbson-dev pkg-config python3 python3-venv)
# `--browser` (what `make test` passes): also the headless browser the dashboard test drives.
if [[ ${1:-} == --browser ]]; then packages+=(chromium chromium-driver curl); fi
missing=()
for package in "${packages[@]}"; do
  # python3 and venv may come from elsewhere (pyenv): accept a working interpreter with venv.
  if [[ $package == python3 ]] && command -v python3 >/dev/null; then continue; fi
  if [[ $package == python3-venv ]] && command -v python3 >/dev/null && python3 -c 'import venv, ensurepip' 2>/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}" >&2
  sudo=""
  if [[ $(id -u) != 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The oldest libmongoc EngageML is tested with (Sources/CMongoC/shim.h refuses older ones too).
pkg-config --atleast-version=1.23 libmongoc-1.0 || {
  echo "bootstrap: libmongoc $(pkg-config --modversion libmongoc-1.0 2>/dev/null || echo '(none)') is older than 1.23; install a newer libmongoc-dev" >&2
  exit 1
}

command -v swift >/dev/null || { echo "bootstrap: Swift 6.3 is required (https://swift.org/install); 'swift' is not on PATH" >&2; exit 1; }
