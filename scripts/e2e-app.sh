#!/usr/bin/env bash
# End-to-end tests of the real app window, through WebDriver, against the in-app sandbox.
#
#   scripts/e2e-app.sh [PATH/TO/icims-namely-app]      (default: target/debug/icims-namely-app)
#
# Build the app first: (cd ui && npm run build) && cargo build --workspace --bins
#
# What it does: installs tauri-driver when missing (into $ICIMS_NAMELY_TOOLS_ROOT, else
# $CARGO_HOME, i.e. ~/.cargo); builds tests/app.rs; creates a fresh, empty ICIMS_NAMELY_HOME;
# then, inside a private Secret Service (scripts/with-secret-service.sh) and a virtual screen
# (xvfb-run -a, or an Xvfb it starts itself), starts tauri-driver in its own process group and
# runs `cargo test --workspace --test app -- --include-ignored` (the test is `#[ignore]`d so
# that a plain `cargo test` reports it as ignored), with stand-ins for the desktop's notification
# service and tray host on that session (scripts/lib/dbus-standins.py). Screenshots land in $ICIMS_NAMELY_ARTIFACTS
# (default artifacts/e2e). tauri-driver, WebKitWebDriver and any app left over are always
# stopped; the whole run is bounded by $ICIMS_NAMELY_E2E_TIMEOUT seconds (default 600).
# Exit code: the tests' (124 on timeout).
#
# Environment (all optional): ICIMS_NAMELY_TOOLS_ROOT, ICIMS_NAMELY_ARTIFACTS,
# ICIMS_NAMELY_E2E_TIMEOUT, ICIMS_NAMELY_E2E_PORT (first port tried for tauri-driver, 4444).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SELF="$ROOT/scripts/e2e-app.sh"

log() { printf 'e2e-app: %s\n' "$*" >&2; }
# port_busy, free_port_pair, require_driver_tools, find_tauri_driver, start_own_xvfb,
# stop_own_xvfb
# shellcheck source=lib/webdriver.sh
source "$ROOT/scripts/lib/webdriver.sh"

# ------------------------------------------------------------------------------------------
# Inner part: runs inside the private D-Bus session and the virtual screen.
# ------------------------------------------------------------------------------------------
# Set by inner(); globals, because its EXIT trap runs after the function returned.
DRIVER_PGID=""
XVFB_PID=""
STANDINS_PID=""

inner() {

    # Stops everything this run started: tauri-driver's whole process group (WebKitWebDriver
    # and the app it launched included), then any app still running on our data folder.
    cleanup() {
        local status=$?
        trap - EXIT INT TERM
        if [[ -n "$DRIVER_PGID" ]]; then
            kill -TERM -- "-$DRIVER_PGID" 2>/dev/null || true
            for _ in $(seq 1 30); do
                kill -0 -- "-$DRIVER_PGID" 2>/dev/null || break
                sleep 0.1
            done
            kill -KILL -- "-$DRIVER_PGID" 2>/dev/null || true
        fi
        kill_leftover_apps
        if [[ -n "$STANDINS_PID" ]]; then kill "$STANDINS_PID" 2>/dev/null || true; fi
        stop_own_xvfb
        exit "$status"
    }
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    # No display from xvfb-run: start an Xvfb of our own.
    start_own_xvfb "$ICIMS_NAMELY_HOME/.xvfb-display" || return 1

    # The desktop's notification service and tray host, stood in for on this private D-Bus
    # session; they log what the app sends them (tests/app_background.rs reads it).
    export ICIMS_NAMELY_E2E_DBUS_LOG="$ICIMS_NAMELY_ARTIFACTS/dbus-standins.jsonl"
    export ICIMS_NAMELY_E2E_X11_CLOSE="$ROOT/scripts/lib/x11-close.py"
    # The app gets a scratch home: login items (start at login: ~/.config/autostart, which the
    # autostart library writes whatever XDG_CONFIG_HOME says) never touch the person's own.
    export ICIMS_NAMELY_E2E_APP_HOME="$ICIMS_NAMELY_HOME/.home"
    mkdir -p "$ICIMS_NAMELY_E2E_APP_HOME"
    : >"$ICIMS_NAMELY_E2E_DBUS_LOG"
    /usr/bin/python3 "$ROOT/scripts/lib/dbus-standins.py" "$ICIMS_NAMELY_E2E_DBUS_LOG" \
        2>"$ICIMS_NAMELY_ARTIFACTS/dbus-standins.stderr" &
    STANDINS_PID=$!
    for _ in $(seq 1 100); do
        grep -q '"ready"' "$ICIMS_NAMELY_E2E_DBUS_LOG" 2>/dev/null && break
        sleep 0.1
    done
    if ! grep -q '"ready"' "$ICIMS_NAMELY_E2E_DBUS_LOG"; then
        log "the D-Bus stand-ins did not start (needs python3-dbus and python3-gi):"
        sed 's/^/  standins: /' "$ICIMS_NAMELY_ARTIFACTS/dbus-standins.stderr" >&2 || true
        return 1
    fi

    local port
    port="$(free_port_pair "${ICIMS_NAMELY_E2E_PORT:-4444}")"
    export ICIMS_NAMELY_E2E_WEBDRIVER="http://127.0.0.1:$port"

    # setsid: tauri-driver leads a new process group (a background child of a non-interactive
    # shell is no group leader, so setsid does not fork and $! is the group id).
    # Its XDG folders too: WebKit's storage and cache (and the exported CSV) stay in that home,
    # not in the private Secret Service's XDG_DATA_HOME, which holds the keyring.
    HOME="$ICIMS_NAMELY_E2E_APP_HOME" XDG_DATA_HOME="$ICIMS_NAMELY_E2E_APP_HOME/.local/share" \
        XDG_CONFIG_HOME="$ICIMS_NAMELY_E2E_APP_HOME/.config" XDG_CACHE_HOME="$ICIMS_NAMELY_E2E_APP_HOME/.cache" \
        setsid "$TAURI_DRIVER" --port "$port" --native-port "$((port + 1))" \
        >"$ICIMS_NAMELY_ARTIFACTS/tauri-driver.log" 2>&1 </dev/null &
    DRIVER_PGID=$!
    echo "$DRIVER_PGID" >"$ICIMS_NAMELY_HOME/.driver-pgid"

    local ready=""
    for _ in $(seq 1 200); do
        if port_busy "$port"; then
            ready=1
            break
        fi
        if ! kill -0 "$DRIVER_PGID" 2>/dev/null; then break; fi
        sleep 0.1
    done
    if [[ -z "$ready" ]]; then
        log "tauri-driver did not listen on port $port within 20 s; its log:"
        sed 's/^/  tauri-driver: /' "$ICIMS_NAMELY_ARTIFACTS/tauri-driver.log" >&2 || true
        return 1
    fi
    log "tauri-driver listening on $ICIMS_NAMELY_E2E_WEBDRIVER (DISPLAY=$DISPLAY)"

    # In the background so the traps run at once on a signal.
    local status=0
    cargo test --workspace --test app -- --include-ignored --test-threads=1 --nocapture &
    wait $! || status=$?
    return "$status"
}

# Any app process still running from this binary on this run's data folder.
kill_leftover_apps() {
    local dir pid exe
    for dir in /proc/[0-9]*; do
        pid="${dir#/proc/}"
        exe="$(readlink "$dir/exe" 2>/dev/null)" || continue
        [[ "$exe" == "$ICIMS_NAMELY_E2E_APP" ]] || continue
        if tr '\0' '\n' <"$dir/environ" 2>/dev/null | grep -qxF "ICIMS_NAMELY_HOME=$ICIMS_NAMELY_HOME"; then
            log "stopping a leftover app (pid $pid)"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
}

if [[ "${1:-}" == "--inner" ]]; then
    inner
    exit $?
fi

# ------------------------------------------------------------------------------------------
# Outer part.
# ------------------------------------------------------------------------------------------
cd "$ROOT"

APP="${1:-$ROOT/target/debug/icims-namely-app}"
if [[ ! -x "$APP" ]]; then
    log "the app binary '$APP' was not found. Build it first:"
    log "  (cd ui && npm run build) && cargo build --workspace --bins"
    exit 2
fi
# With links resolved, as /proc/PID/exe names it (target/ may be a link: scripts/ci-room.sh).
APP="$(cd "$(dirname "$APP")" && pwd -P)/$(basename "$APP")"

require_driver_tools
# tauri-driver: on PATH, in the tools root, or installed there now.
find_tauri_driver

# Build the tests before the clock and the screen start.
log "building tests/app.rs"
cargo test --workspace --test app --no-run --quiet

export ICIMS_NAMELY_ARTIFACTS="${ICIMS_NAMELY_ARTIFACTS:-$ROOT/artifacts/e2e}"
mkdir -p "$ICIMS_NAMELY_ARTIFACTS"
rm -f "$ICIMS_NAMELY_ARTIFACTS"/[0-9][0-9]-*.png "$ICIMS_NAMELY_ARTIFACTS"/[0-9][0-9]-*.txt
# With ICIMS_NAMELY_KEEP_TEST_DATA (scripts/test.sh), the data folder — and the app's scratch
# home inside it, with WebKit's storage and the exported CSV — is made there and kept for the
# canary scan (scripts/canary-scan.sh).
KEEP="${ICIMS_NAMELY_KEEP_TEST_DATA:-}"
if [[ -n "$KEEP" ]]; then
    mkdir -p "$KEEP"
    ICIMS_NAMELY_HOME="$(mktemp -d "$KEEP/app-e2e.XXXXXX")"
else
    ICIMS_NAMELY_HOME="$(mktemp -d "${TMPDIR:-/tmp}/icims-namely-e2e-app.XXXXXX")"
fi
export ICIMS_NAMELY_HOME
export ICIMS_NAMELY_E2E_APP="$APP"

finish() {
    local status=$?
    # The inner part stops tauri-driver itself; this is the last resort after a hard timeout.
    if [[ -f "$ICIMS_NAMELY_HOME/.driver-pgid" ]]; then
        kill -KILL -- "-$(cat "$ICIMS_NAMELY_HOME/.driver-pgid")" 2>/dev/null || true
    fi
    kill_leftover_apps
    if [[ -f "$ICIMS_NAMELY_HOME/logs/icims-namely.log" ]]; then
        cp "$ICIMS_NAMELY_HOME/logs/icims-namely.log" "$ICIMS_NAMELY_ARTIFACTS/app.log" 2>/dev/null || true
    fi
    if [[ -z "$KEEP" ]]; then
        rm -rf "$ICIMS_NAMELY_HOME"
    fi
    exit "$status"
}
trap finish EXIT

SCREEN=()
if command -v xvfb-run >/dev/null 2>&1; then
    SCREEN=(xvfb-run -a -s "-screen 0 1280x960x24")
else
    unset DISPLAY
fi

log "app: $APP"
log "data folder: $ICIMS_NAMELY_HOME; screenshots: $ICIMS_NAMELY_ARTIFACTS"
status=0
timeout --kill-after=10 "${ICIMS_NAMELY_E2E_TIMEOUT:-600}" \
    "$ROOT/scripts/with-secret-service.sh" "${SCREEN[@]}" bash "$SELF" --inner || status=$?
if ((status == 124)); then
    log "timed out after ${ICIMS_NAMELY_E2E_TIMEOUT:-600} s"
fi
exit "$status"
