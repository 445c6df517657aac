#!/usr/bin/env bash
# Run a command against a real, private, unlocked Secret Service (GNOME Keyring), headless.
#
#   scripts/with-secret-service.sh CMD [ARGS...]
#
# Inside a fresh D-Bus session (dbus-run-session), with an empty temporary XDG_DATA_HOME and
# XDG_RUNTIME_DIR (mode 700), it starts `gnome-keyring-daemon --foreground --components=secrets
# --unlock` with a throwaway password on stdin, waits until `org.freedesktop.secrets` has an
# owner (otherwise D-Bus activation would start a second, locked daemon), runs CMD, then stops
# the daemon and removes the temporary directories. Exits with CMD's exit code.
#
# Needs (Debian): gnome-keyring dbus-daemon dbus-bin (libsecret-tools for secret-tool checks).
# The user's own keychain is never touched: everything lives in the private session.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "with-secret-service: '$tool' not found; install: apt-get install -y gnome-keyring dbus-daemon dbus-bin libsecret-tools" >&2
        exit 127
    fi
done

# The inner script runs inside the private session bus; "$@" is passed through untouched.
# shellcheck disable=SC2016
exec dbus-run-session -- bash -c '
set -euo pipefail

tmp="$(mktemp -d "${TMPDIR:-/tmp}/icims-namely-keyring.XXXXXX")"
chmod 700 "$tmp"
mkdir -m 700 "$tmp/data" "$tmp/runtime"
export XDG_DATA_HOME="$tmp/data"
export XDG_RUNTIME_DIR="$tmp/runtime"
daemon_pid=""

cleanup() {
    if [[ -n "$daemon_pid" ]] && kill -0 "$daemon_pid" 2>/dev/null; then
        kill "$daemon_pid" 2>/dev/null || true
        wait "$daemon_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 130" INT
trap "exit 143" TERM

# A throwaway password: the login keyring is created with it, encrypted, and unlocked.
printf "%s" "with-secret-service-$$-$RANDOM" \
    | gnome-keyring-daemon --foreground --components=secrets --unlock \
        >"$tmp/daemon.log" 2>&1 &
daemon_pid=$!

has_owner() {
    dbus-send --session --dest=org.freedesktop.DBus --type=method_call --print-reply \
        /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
        string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"
}

# Wait up to ~10 s (100 x 0.1 s) for the daemon to own the Secret Service name.
ready=""
for _ in $(seq 1 100); do
    if has_owner; then
        ready=1
        break
    fi
    if ! kill -0 "$daemon_pid" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
if [[ -z "$ready" ]]; then
    echo "with-secret-service: gnome-keyring-daemon did not provide org.freedesktop.secrets within 10 s" >&2
    sed "s/^/  gnome-keyring-daemon: /" "$tmp/daemon.log" >&2 || true
    exit 1
fi

status=0
"$@" || status=$?
exit "$status"
' with-secret-service "$@"
