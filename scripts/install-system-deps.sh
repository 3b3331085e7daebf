#!/usr/bin/env bash
# System packages the tests need on Debian/Ubuntu (run as root, or with sudo):
#   libsecret-1-dev  headers keytar compiles against (its prebuilt download is not reachable here)
#   gnome-keyring    a real Secret Service for keytar; dbus provides dbus-run-session
#   chromium         plays the user's "system browser" in end-to-end tests
#   libsecret-tools  secret-tool, to inspect the keychain by hand (optional, cheap)
set -euo pipefail
if [[ "$(uname)" != "Linux" ]]; then
  echo "install-system-deps: nothing to do on $(uname) (the OS keychain is built in)"; exit 0
fi
SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
packages=(libsecret-1-dev gnome-keyring dbus chromium libsecret-tools python3 make g++)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]} == 0)); then echo "install-system-deps: all present"; exit 0; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
