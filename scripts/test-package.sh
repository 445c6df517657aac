#!/usr/bin/env bash
# Tests the .deb as a user would get it: unpacked, inspected, and the installed app started.
#
#   scripts/test-package.sh [PATH/TO/icims-namely_VERSION_amd64.deb]
#
# Without a path it builds one first with `scripts/package.sh --debug --bundles deb`.
# Then, in a temporary folder (removed at the end):
# - the control fields (`dpkg-deb -I`): Package, Version, Architecture, a Description, and a
#   Depends that names the WebKitGTK and GTK runtime libraries;
# - `dpkg-deb -x` into a temporary root; both binaries in usr/bin, every shared library they
#   need found (ldd), and `usr/bin/icims-namely --version` printing the package's version;
# - the desktop entry: desktop-file-validate when installed, and always Type, Name, Exec (the
#   installed app), Icon and Categories read from it; the icon in the hicolor theme at
#   32, 128, 256 and 512 px, each PNG of the size its folder says;
# - the installed usr/bin/icims-namely-app started in its own process group, on a private
#   Xvfb screen, inside a private Secret Service (scripts/with-secret-service.sh), with an empty
#   ICIMS_NAMELY_HOME and XDG folders: its window (the title from tauri.conf.json) must appear
#   and be shown (mapped) within 60 s, show more than a blank page, and the process must still
#   be running 5 s later.
#   A screenshot is saved as $ICIMS_NAMELY_ARTIFACTS/installed-app.png (default
#   artifacts/package) with the app's output next to it (installed-app.log); then the whole
#   process group is stopped and checked gone.
# Exits 0 when all hold; otherwise 1 naming what failed (2 when a tool is missing).
# The whole run is bounded by $ICIMS_NAMELY_PACKAGE_TIMEOUT seconds (default 300, building
# excluded).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SELF="$ROOT/scripts/test-package.sh"

log() { printf 'test-package: %s\n' "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }
# start_own_xvfb, stop_own_xvfb
# shellcheck source=lib/webdriver.sh
source "$ROOT/scripts/lib/webdriver.sh"

# ------------------------------------------------------------------------------------------
# Inner part: inside the private D-Bus session and Secret Service. Starts the installed app on
# a private screen and proves its window is there and stays.
# Inputs (environment): PKG_ROOT, ICIMS_NAMELY_HOME, ICIMS_NAMELY_ARTIFACTS, PKG_TITLE.
# ------------------------------------------------------------------------------------------
APP_PGID=""
XVFB_PID=""

inner() {
    cleanup() {
        local status=$?
        trap - EXIT INT TERM
        stop_app || status=1
        stop_own_xvfb
        exit "$status"
    }
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    # Always a screen of our own, so that the only windows on it are the app's.
    unset DISPLAY WAYLAND_DISPLAY
    start_own_xvfb "$ICIMS_NAMELY_HOME/.xvfb-display" || fail "Xvfb did not start"
    log "screen $DISPLAY"

    local app="$PKG_ROOT/usr/bin/icims-namely-app" applog="$ICIMS_NAMELY_ARTIFACTS/installed-app.log"
    # setsid: the app leads a new process group (a background child of a non-interactive shell
    # is no group leader, so setsid does not fork and $! is the group id); its WebKit helper
    # processes join that group, and stop_app ends them all.
    setsid "$app" >"$applog" 2>&1 </dev/null &
    APP_PGID=$!
    local start=$SECONDS

    local window=""
    while ((SECONDS - start < 60)); do
        kill -0 "$APP_PGID" 2>/dev/null || break
        window="$(xwininfo -root -tree 2>/dev/null | grep -F "\"$PKG_TITLE\"" | awk '{print $1}' | head -n 1)" || true
        [[ -n "$window" ]] && break
        sleep 0.2
    done
    if [[ -z "$window" ]]; then
        if kill -0 "$APP_PGID" 2>/dev/null; then
            import -window root "$ICIMS_NAMELY_ARTIFACTS/installed-app.png" 2>/dev/null || true
            fail "no window titled '$PKG_TITLE' appeared within 60 s (screenshot and the app's output in $ICIMS_NAMELY_ARTIFACTS)"
        fi
        wait "$APP_PGID" && status=0 || status=$?
        APP_PGID=""
        sed 's/^/  app: /' "$applog" | tail -n 20 >&2
        fail "the installed app exited with status $status before its window appeared"
    fi
    # The window is created hidden and shown by the app once set up: wait until it is mapped.
    local viewable=""
    while ((SECONDS - start < 60)); do
        kill -0 "$APP_PGID" 2>/dev/null || break
        if xwininfo -id "$window" 2>/dev/null | grep -q 'Map State: IsViewable'; then
            viewable=1
            break
        fi
        sleep 0.2
    done
    [[ -n "$viewable" ]] || fail "the window '$PKG_TITLE' exists but was not shown within 60 s"
    log "window $window '$PKG_TITLE' shown after $((SECONDS - start)) s"

    # Give the page time to render, check the process stays up all along.
    local i
    for i in $(seq 1 25); do
        kill -0 "$APP_PGID" 2>/dev/null || {
            sed 's/^/  app: /' "$applog" | tail -n 20 >&2
            fail "the installed app stopped $((i / 5)) s after its window appeared"
        }
        sleep 0.2
    done
    local shot="$ICIMS_NAMELY_ARTIFACTS/installed-app.png"
    import -window root "$shot" || fail "could not take a screenshot with ImageMagick's import"
    # A window whose page did not load (no interface embedded, a crashed web process) is one
    # flat colour; the app's first screen has text, buttons and an icon.
    local colours
    import -window "$window" "$ICIMS_NAMELY_HOME/window.png" 2>/dev/null || true
    colours="$(identify -format '%k' "$ICIMS_NAMELY_HOME/window.png" 2>/dev/null || echo 0)"
    ((colours >= 16)) || fail "the window shows a blank page ($colours colours); screenshot: $shot"
    log "the window shows $colours colours after 5 s; screenshot: $shot"
    kill -0 "$APP_PGID" 2>/dev/null || fail "the installed app stopped after the screenshot"
    log "the app ran for $((SECONDS - start)) s"
}

# Stops the app's whole process group: TERM, up to 3 s, then KILL; fails if any is left.
stop_app() {
    [[ -n "$APP_PGID" ]] || return 0
    kill -TERM -- "-$APP_PGID" 2>/dev/null || true
    local gone=""
    for _ in $(seq 1 30); do
        if ! kill -0 -- "-$APP_PGID" 2>/dev/null; then
            gone=1
            break
        fi
        sleep 0.1
    done
    if [[ -n "$gone" ]]; then
        log "the app's process group ended on SIGTERM"
    else
        log "the app's process group was still running 3 s after SIGTERM; killing it"
        kill -KILL -- "-$APP_PGID" 2>/dev/null || true
    fi
    wait "$APP_PGID" 2>/dev/null || true
    sleep 0.2
    if kill -0 -- "-$APP_PGID" 2>/dev/null; then
        log "FAILED: processes of the app's group $APP_PGID are still running"
        APP_PGID=""
        return 1
    fi
    APP_PGID=""
}

if [[ "${1:-}" == "--inner" ]]; then
    inner
    exit $?
fi

# ------------------------------------------------------------------------------------------
# Outer part: build or take the .deb, unpack it and inspect it, then run the inner part.
# ------------------------------------------------------------------------------------------
DEB=""
if (($# > 0)); then
    [[ -f "$1" ]] || fail "no such package: $1"
    DEB="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
fi
cd "$ROOT"

for tool in dpkg-deb ldd jq xwininfo import identify Xvfb setsid timeout; do
    command -v "$tool" >/dev/null 2>&1 || {
        log "'$tool' not found; install: apt-get install -y dpkg libc-bin jq x11-utils imagemagick xvfb util-linux coreutils"
        exit 2
    }
done

if [[ -z "$DEB" ]]; then
    log "building the .deb (scripts/package.sh --debug --bundles deb)"
    DEB="$("$ROOT/scripts/package.sh" --debug --bundles deb | tail -n 1 | cut -f2)"
    [[ -f "$DEB" ]] || fail "scripts/package.sh did not name a .deb"
fi
log "package: $DEB ($(du -h "$DEB" | cut -f1))"

export ICIMS_NAMELY_ARTIFACTS="${ICIMS_NAMELY_ARTIFACTS:-$ROOT/artifacts/package}"
mkdir -p "$ICIMS_NAMELY_ARTIFACTS"
rm -f "$ICIMS_NAMELY_ARTIFACTS/installed-app.png" "$ICIMS_NAMELY_ARTIFACTS/installed-app.log"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/icims-namely-test-package.XXXXXX")"
# Last resort after a hard timeout: every process that still has this run's data folder in its
# environment (the app and its WebKit processes inherit it) is killed, then the folder removed.
finish() {
    local status=$?
    local dir
    for dir in /proc/[0-9]*; do
        if tr '\0' '\n' 2>/dev/null <"$dir/environ" | grep -qxF "ICIMS_NAMELY_HOME=$WORK/home"; then
            log "stopping a leftover process (pid ${dir#/proc/})"
            kill -KILL "${dir#/proc/}" 2>/dev/null || true
        fi
    done
    # With ICIMS_NAMELY_KEEP_TEST_DATA (scripts/test.sh), the app's data folder and XDG folders
    # are kept for the canary scan — not the unpacked package: its binaries hold the sandbox's
    # demo credentials by design.
    if [[ -n "${ICIMS_NAMELY_KEEP_TEST_DATA:-}" ]]; then
        local kept
        kept="$(mkdir -p "$ICIMS_NAMELY_KEEP_TEST_DATA" && mktemp -d "$ICIMS_NAMELY_KEEP_TEST_DATA/package.XXXXXX")" \
            && cp -a "$WORK/home" "$WORK/config" "$WORK/cache" "$kept/" 2>/dev/null || true
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap finish EXIT

# --- control fields -----------------------------------------------------------------------
dpkg-deb -I "$DEB" >"$WORK/info" || fail "dpkg-deb cannot read $DEB"
field() { dpkg-deb -f "$DEB" "$1"; }
PKG_VERSION="$(jq -r .version src-tauri/tauri.conf.json)"
[[ "$(field Package)" == icims-namely ]] || fail "control: Package is '$(field Package)', expected icims-namely"
[[ "$(field Version)" == "$PKG_VERSION" ]] || fail "control: Version is '$(field Version)', expected $PKG_VERSION (src-tauri/tauri.conf.json)"
[[ "$(field Architecture)" == "$(dpkg --print-architecture)" ]] || fail "control: Architecture is '$(field Architecture)'"
[[ -n "$(field Description)" ]] || fail "control: no Description"
depends="$(field Depends)"
for dep in libwebkit2gtk-4.1-0 libgtk-3-0; do
    grep -qE "(^|[ ,|])$dep([ ,(|]|$)" <<<"$depends" || fail "control: Depends ($depends) does not name $dep"
done
log "control: $(field Package) $(field Version) $(field Architecture); Depends: $depends"

# --- contents -----------------------------------------------------------------------------
PKG_ROOT="$WORK/root"
dpkg-deb -x "$DEB" "$PKG_ROOT" || fail "dpkg-deb -x failed"
for bin in icims-namely-app icims-namely; do
    f="$PKG_ROOT/usr/bin/$bin"
    [[ -f "$f" && -x "$f" ]] || fail "the package has no executable usr/bin/$bin"
    missing="$(ldd "$f" | grep 'not found' || true)"
    [[ -z "$missing" ]] || fail "usr/bin/$bin needs libraries that are not installed: $missing"
done
cli_version="$("$PKG_ROOT/usr/bin/icims-namely" --version)" || fail "usr/bin/icims-namely --version failed"
[[ "$cli_version" == *"$PKG_VERSION"* ]] || fail "usr/bin/icims-namely --version printed '$cli_version', expected version $PKG_VERSION"
log "usr/bin/icims-namely --version: $cli_version"

# --- desktop entry and icons --------------------------------------------------------------
mapfile -t desktops < <(find "$PKG_ROOT/usr/share/applications" -name '*.desktop' 2>/dev/null)
((${#desktops[@]} == 1)) || fail "expected one desktop entry in usr/share/applications, found ${#desktops[@]}"
desktop="${desktops[0]}"
if command -v desktop-file-validate >/dev/null 2>&1; then
    desktop-file-validate "$desktop" || fail "desktop-file-validate rejects $(basename "$desktop")"
    log "desktop-file-validate: ok"
else
    log "desktop-file-validate not installed (Debian: desktop-file-utils); checking the keys only"
fi
key() { sed -n "/^\[Desktop Entry\]/,/^\[/{s/^$1=//p}" "$desktop" | head -n 1; }
[[ "$(key Type)" == Application ]] || fail "desktop entry: Type is '$(key Type)', expected Application"
[[ -n "$(key Name)" ]] || fail "desktop entry: no Name"
exec_cmd="$(key Exec)"
exec_bin="${exec_cmd%% *}"
[[ "$exec_bin" == icims-namely-app || "$exec_bin" == /usr/bin/icims-namely-app ]] \
    || fail "desktop entry: Exec is '$exec_cmd', expected the installed icims-namely-app"
[[ "$(key Categories)" =~ ^[A-Za-z0-9-]+(\;[A-Za-z0-9-]+)*\;$ ]] || fail "desktop entry: Categories is '$(key Categories)'"
icon="$(key Icon)"
[[ -n "$icon" && "$icon" != */* ]] || fail "desktop entry: Icon is '$icon', expected a theme icon name"
for size in 32 128 256 512; do
    png="$PKG_ROOT/usr/share/icons/hicolor/${size}x${size}/apps/$icon.png"
    [[ -f "$png" ]] || fail "no ${size}x${size} icon: usr/share/icons/hicolor/${size}x${size}/apps/$icon.png"
    dims="$(identify -format '%m %wx%h' "$png" 2>/dev/null)" || fail "usr/share/icons/hicolor/${size}x${size}/apps/$icon.png is not a PNG"
    [[ "$dims" == "PNG ${size}x${size}" ]] || fail "usr/share/icons/hicolor/${size}x${size}/apps/$icon.png is $dims"
done
log "desktop entry $(basename "$desktop"): Name=$(key Name), Exec=$exec_cmd, Icon=$icon (32-512 px), Categories=$(key Categories)"

# --- the installed app, started -------------------------------------------------------------
PKG_TITLE="$(jq -r '.app.windows[0].title' src-tauri/tauri.conf.json)"
export PKG_ROOT PKG_TITLE
export ICIMS_NAMELY_HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/config" XDG_CACHE_HOME="$WORK/cache"
mkdir -p "$ICIMS_NAMELY_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
log "starting the installed usr/bin/icims-namely-app (private screen and keychain, empty data folder)"
status=0
timeout --kill-after=10 "${ICIMS_NAMELY_PACKAGE_TIMEOUT:-300}" \
    "$ROOT/scripts/with-secret-service.sh" bash "$SELF" --inner || status=$?
((status != 124)) || fail "timed out after ${ICIMS_NAMELY_PACKAGE_TIMEOUT:-300} s"
((status == 0)) || exit "$status"
log "ok: the .deb installs both binaries, a valid desktop entry and its icons, and the installed app opens its window"
