#!/usr/bin/env bash
# Runs a command with a real OS keychain reachable (Linux: Secret Service via gnome-keyring).
#
# Why: keytar talks to the Secret Service over the D-Bus *session* bus. CI machines and SSH sessions
# have none, so we start a private bus (dbus-run-session) and an unlocked throwaway keyring inside
# it. XDG_DATA_HOME points at a temp dir so the keyring file never collides with a real one.
# On macOS/Windows, or when a session bus already exists, the command runs as is.
set -euo pipefail

if [[ "$(uname)" != "Linux" || -n "${OAUTH_DESKTOP_IN_KEYRING:-}" ]]; then
  exec "$@"
fi
if [[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" && -z "${OAUTH_DESKTOP_PRIVATE_KEYRING:-}" ]]; then
  exec "$@"
fi
for tool in dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || {
    echo "with-keyring: '$tool' is missing. Install the system packages: sudo bash scripts/install-system-deps.sh" >&2
    exit 1
  }
done

export OAUTH_DESKTOP_IN_KEYRING=1
tmp=$(mktemp -d)
export XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR_FALLBACK="$tmp/run"
mkdir -p "$XDG_DATA_HOME"
# The inner shell starts the daemon with a throwaway password on stdin (--unlock) and then execs
# the real command; the bus and the daemon die with the session.
exec dbus-run-session -- bash -c '
  echo -n "throwaway-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  exec "$@"
' with-keyring "$@"
