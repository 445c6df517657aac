# Shell helpers shared by the scripts that drive the real app window through tauri-driver
# (scripts/e2e-app.sh, scripts/bench-app.sh). Sourced, not run; the caller defines `log`.

# A TCP port on 127.0.0.1 is taken when something accepts a connection on it.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The first free port pair (tauri-driver's and WebKitWebDriver's), starting at $1.
free_port_pair() {
    local p="$1"
    while port_busy "$p" || port_busy "$((p + 1))"; do
        p=$((p + 2))
        if ((p > $1 + 200)); then
            log "no free port pair found from $1"
            return 1
        fi
    done
    echo "$p"
}

# Exits 2 naming the Debian packages when WebKitWebDriver, setsid, timeout, the extra tools
# given, or a way to start a virtual screen are missing.
require_driver_tools() {
    local tool
    for tool in WebKitWebDriver setsid timeout "$@"; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            log "'$tool' not found; install: apt-get install -y webkit2gtk-driver coreutils util-linux libc-bin"
            exit 2
        fi
    done
    if ! command -v xvfb-run >/dev/null 2>&1 && ! command -v Xvfb >/dev/null 2>&1; then
        log "neither xvfb-run nor Xvfb found; install: apt-get install -y xvfb xauth"
        exit 2
    fi
}

# Sets TAURI_DRIVER: on PATH, in the tools root (ICIMS_NAMELY_TOOLS_ROOT, else CARGO_HOME), or
# installed there now.
find_tauri_driver() {
    local root="${ICIMS_NAMELY_TOOLS_ROOT:-${CARGO_HOME:-$HOME/.cargo}}"
    if [[ -x "$root/bin/tauri-driver" ]]; then
        TAURI_DRIVER="$root/bin/tauri-driver"
    elif command -v tauri-driver >/dev/null 2>&1; then
        TAURI_DRIVER="$(command -v tauri-driver)"
    else
        log "installing tauri-driver into $root"
        cargo install tauri-driver --locked --root "$root" --quiet
        TAURI_DRIVER="$root/bin/tauri-driver"
    fi
    export TAURI_DRIVER
}

# With no DISPLAY (no xvfb-run around us), starts an Xvfb of our own that reports its display
# through the FIFO path $1; sets XVFB_PID and DISPLAY.
start_own_xvfb() {
    [[ -z "${DISPLAY:-}" ]] || return 0
    local fifo="$1"
    mkfifo "$fifo"
    Xvfb -displayfd 3 -screen 0 1280x960x24 -nolisten tcp 3>"$fifo" >/dev/null 2>&1 &
    XVFB_PID=$!
    local display=""
    read -r -t 20 display <"$fifo" || true
    rm -f "$fifo"
    if [[ -z "$display" ]]; then
        log "Xvfb did not start"
        return 1
    fi
    export DISPLAY=":$display"
}

# Stops the Xvfb start_own_xvfb started, if any.
stop_own_xvfb() {
    if [[ -n "${XVFB_PID:-}" ]]; then
        kill "$XVFB_PID" 2>/dev/null || true
        wait "$XVFB_PID" 2>/dev/null || true
    fi
}
