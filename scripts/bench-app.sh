#!/usr/bin/env bash
# Benchmark of the desktop app: cold start to an interactive window, and idle memory.
#
#   scripts/bench-app.sh [--release | --debug | PATH/TO/icims-namely-app]   (default --release)
#
# --release builds `cargo build --release -p icims-namely-app --features tauri/custom-protocol`
# (what a shipped build is: assets embedded, no dev mode) and measures target/release; --debug
# builds `cargo build --workspace --bins` like the tests and measures target/debug; a path
# measures that binary as it is. The interface (ui/dist) is built first either way.
#
# Each run, under Xvfb and a private keychain (scripts/with-secret-service.sh), with a fresh,
# empty ICIMS_NAMELY_HOME and fresh XDG cache/config/data folders (a first launch on a new
# machine: the welcome screen): starts tauri-driver in its own process group, then
# tests/app_bench.rs asks it for a session, which makes WebKitWebDriver start the app. The clock
# runs from that request until "Try the sandbox" is in the DOM, visible and enabled, polled every
# 10 ms. That includes: process start, GTK and webview creation, loading the embedded UI, and the
# first IPC answer (list_connections) that chooses the welcome screen. After BENCH_APP_IDLE_SECS
# idle it reads RSS and PSS (/proc/PID/smaps_rollup) of the app process and every process below
# it (WebKitWebProcess, WebKitNetworkProcess). Then it clicks "Try the sandbox" (the simulators
# start inside the app), times until the wizard shows, idles, and reads the memory again.
# After each run the driver's whole process group and anything left on the run's data folder is
# killed and checked gone before the next run.
#
# Environment (all optional): BENCH_APP_RUNS (5), BENCH_APP_IDLE_SECS (10), BENCH_APP_SANDBOX
# (1; 0 skips the sandbox step), BENCH_APP_NO_BUILD=1 (measure what is built), BENCH_APP_TIMEOUT
# (seconds for all runs, default 900), BENCH_APP_OUT (keep the raw results in this file),
# ICIMS_NAMELY_TOOLS_ROOT (where tauri-driver is or gets installed), ICIMS_NAMELY_E2E_PORT (4444).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SELF="$ROOT/scripts/bench-app.sh"

log() { printf 'bench-app: %s\n' "$*" >&2; }
# port_busy, free_port_pair, require_driver_tools, find_tauri_driver, start_own_xvfb,
# stop_own_xvfb
# shellcheck source=lib/webdriver.sh
source "$ROOT/scripts/lib/webdriver.sh"

# Every process whose environment holds ICIMS_NAMELY_HOME=$1 (the app and its WebKit children
# inherit it), as pids.
procs_on_home() {
    local dir
    for dir in /proc/[0-9]*; do
        if { tr '\0' '\n' <"$dir/environ"; } 2>/dev/null | grep -qxF "ICIMS_NAMELY_HOME=$1"; then
            echo "${dir#/proc/}"
        fi
    done
}

# Share of CPU time spent outside idle/iowait over $1 seconds (default 2), in percent: other
# work on the machine skews the runs.
cpu_busy() {
    local a b
    a="$(head -n 1 /proc/stat)"
    sleep "${1:-2}"
    b="$(head -n 1 /proc/stat)"
    printf '%s\n%s\n' "$a" "$b" | awk '{ t = 0; for (i = 2; i <= NF; i++) t += $i; idle = $5 + $6
        if (NR == 1) { t0 = t; i0 = idle } else printf "%.0f", 100 * (1 - (idle - i0) / (t - t0)) }'
}

# ------------------------------------------------------------------------------------------
# Inner part: inside the private D-Bus session and the virtual screen.
# ------------------------------------------------------------------------------------------
DRIVER_PGID=""
XVFB_PID=""
RUN_HOME=""

stop_run() {
    if [[ -n "$DRIVER_PGID" ]]; then
        kill -TERM -- "-$DRIVER_PGID" 2>/dev/null || true
        for _ in $(seq 1 30); do
            kill -0 -- "-$DRIVER_PGID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$DRIVER_PGID" 2>/dev/null || true
        DRIVER_PGID=""
    fi
    if [[ -n "$RUN_HOME" ]]; then
        local left
        for _ in $(seq 1 50); do
            left="$(procs_on_home "$RUN_HOME")"
            [[ -z "$left" ]] && break
            # shellcheck disable=SC2086
            kill -KILL $left 2>/dev/null || true
            sleep 0.1
        done
        if [[ -n "$(procs_on_home "$RUN_HOME")" ]]; then
            log "processes of this run are still alive: $(procs_on_home "$RUN_HOME" | tr '\n' ' ')"
            return 1
        fi
        rm -rf "$RUN_HOME"
        RUN_HOME=""
    fi
}

inner() {
    cleanup() {
        local status=$?
        trap - EXIT INT TERM
        stop_run || true
        stop_own_xvfb
        exit "$status"
    }
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    start_own_xvfb "$(mktemp -u "${TMPDIR:-/tmp}/icims-namely-bench-xvfb.XXXXXX")" || return 1

    local run port failed=0
    for run in $(seq 1 "$BENCH_APP_RUNS"); do
        RUN_HOME="$(mktemp -d "${TMPDIR:-/tmp}/icims-namely-bench.XXXXXX")"
        mkdir -p "$RUN_HOME/data" "$RUN_HOME/xdg-cache" "$RUN_HOME/xdg-config" "$RUN_HOME/xdg-data"
        port="$(free_port_pair "${ICIMS_NAMELY_E2E_PORT:-4444}")"
        # setsid: tauri-driver leads a new process group; WebKitWebDriver, the app and its
        # WebKit processes stay in it.
        ICIMS_NAMELY_HOME="$RUN_HOME/data" XDG_CACHE_HOME="$RUN_HOME/xdg-cache" \
            XDG_CONFIG_HOME="$RUN_HOME/xdg-config" XDG_DATA_HOME="$RUN_HOME/xdg-data" \
            setsid "$TAURI_DRIVER" --port "$port" --native-port "$((port + 1))" \
            >"$RUN_HOME/tauri-driver.log" 2>&1 </dev/null &
        DRIVER_PGID=$!
        # Both tauri-driver and WebKitWebDriver listen before the clock starts.
        local ready=""
        for _ in $(seq 1 200); do
            if port_busy "$port" && port_busy "$((port + 1))"; then
                ready=1
                break
            fi
            kill -0 "$DRIVER_PGID" 2>/dev/null || break
            sleep 0.05
        done
        if [[ -z "$ready" ]]; then
            log "run $run: tauri-driver did not listen on $port and $((port + 1)); its log:"
            sed 's/^/  /' "$RUN_HOME/tauri-driver.log" >&2 || true
            return 1
        fi
        # Let the drivers settle, and wait (up to 30 s) for a second with the CPU quiet.
        local busy
        for _ in $(seq 1 30); do
            busy="$(cpu_busy 1)"
            ((busy <= 10)) && break
        done
        echo "$run CPU busy_pct=$busy" >>"$RESULTS"

        local status=0
        ICIMS_NAMELY_BENCH_APP=1 ICIMS_NAMELY_E2E_APP="$APP" ICIMS_NAMELY_HOME="$RUN_HOME/data" \
            ICIMS_NAMELY_E2E_WEBDRIVER="http://127.0.0.1:$port" BENCH_APP_CLK_TCK="$(getconf CLK_TCK)" \
            timeout --kill-after=5 $((BENCH_APP_IDLE_SECS * 2 + 150)) "$BENCH_BIN" \
            >"$RUN_HOME/out" 2>"$RUN_HOME/err" || status=$?
        sed "s/^/$run /" "$RUN_HOME/out" >>"$RESULTS"
        if ((status != 0)); then
            log "run $run failed ($status):"
            sed 's/^/  /' "$RUN_HOME/err" "$RUN_HOME/tauri-driver.log" >&2 || true
            failed=1
        else
            log "run $run: interactive after $(sed -n 's/^RUN .*ready_ms=\([0-9.]*\) .*/\1/p' "$RUN_HOME/out") ms"
        fi
        stop_run
        ((failed == 0)) || return 1
    done
}

if [[ "${1:-}" == "--inner" ]]; then
    inner
    exit $?
fi

# ------------------------------------------------------------------------------------------
# Outer part: build, machine facts, the runs, the table.
# ------------------------------------------------------------------------------------------
cd "$ROOT"
BEGAN=$SECONDS
export BENCH_APP_RUNS="${BENCH_APP_RUNS:-5}"
export BENCH_APP_IDLE_SECS="${BENCH_APP_IDLE_SECS:-10}"
export BENCH_APP_SANDBOX="${BENCH_APP_SANDBOX:-1}"

require_driver_tools getconf

MODE="${1:---release}"
BUILD_NOTE=""
case "$MODE" in
    --release | --debug)
        if [[ "${BENCH_APP_NO_BUILD:-}" != 1 ]]; then
            log "building the interface (ui/)"
            (cd ui && npm run --silent build >/dev/null)
        fi
        if [[ "$MODE" == --release ]]; then
            APP="$ROOT/target/release/icims-namely-app"
            BUILD_CMD=(cargo build --release -p icims-namely-app --bins --features tauri/custom-protocol)
            BUILD_KIND="release (opt-level 3, tauri/custom-protocol)"
        else
            APP="$ROOT/target/debug/icims-namely-app"
            BUILD_CMD=(cargo build --workspace --bins)
            BUILD_KIND="debug (the tests' build: cargo build --workspace --bins)"
        fi
        if [[ "${BENCH_APP_NO_BUILD:-}" != 1 ]]; then
            log "building the app: ${BUILD_CMD[*]}"
            start=$SECONDS
            "${BUILD_CMD[@]}"
            BUILD_NOTE="build took $((SECONDS - start)) s (incremental)"
        fi
        ;;
    -*)
        sed -n '2,27p' "$SELF" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
    *)
        APP="$MODE"
        BUILD_KIND="as given"
        ;;
esac
if [[ ! -x "$APP" ]]; then
    log "the app binary '$APP' was not found"
    exit 2
fi
APP="$(cd "$(dirname "$APP")" && pwd)/$(basename "$APP")"
case "$APP" in
    */target/release/*) [[ "$BUILD_KIND" == "as given" ]] && BUILD_KIND="release" ;;
    */target/debug/*) [[ "$BUILD_KIND" == "as given" ]] && BUILD_KIND="debug" ;;
esac
export APP

find_tauri_driver

log "building tests/app_bench.rs"
BENCH_BIN="$(cargo test --workspace --test app_bench --no-run --message-format=json 2>/dev/null \
    | grep -o '"executable":"[^"]*app_bench[^"]*"' | tail -n 1 | cut -d'"' -f4)"
if [[ -z "$BENCH_BIN" || ! -x "$BENCH_BIN" ]]; then
    log "could not build tests/app_bench.rs:"
    cargo test --workspace --test app_bench --no-run >&2 || true
    exit 1
fi
export BENCH_BIN

RESULTS="${BENCH_APP_OUT:-$(mktemp "${TMPDIR:-/tmp}/icims-namely-bench-results.XXXXXX")}"
: >"$RESULTS"
export RESULTS

# Machine facts, before the runs.
cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
cores="$(nproc)"
ram="$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
os="$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-?}")"
webkit="$(dpkg-query -W -f='${Version}' libwebkit2gtk-4.1-0 2>/dev/null || echo '?')"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo '?')"
if [[ -n "$(git status --porcelain 2>/dev/null)" ]]; then commit="$commit + uncommitted changes"; fi
# Let this script's own build (and whatever else) calm down first: up to a minute.
for _ in $(seq 1 30); do
    busy_before="$(cpu_busy)"
    ((busy_before <= 15)) && break
    log "waiting for a quiet CPU (${busy_before}% busy)"
done
bin_size="$(du -m "$APP" | cut -f1)"

SCREEN=()
if command -v xvfb-run >/dev/null 2>&1; then
    SCREEN=(xvfb-run -a -s "-screen 0 1280x960x24")
else
    unset DISPLAY
fi
log "$BENCH_APP_RUNS runs of $APP"
status=0
timeout --kill-after=10 "${BENCH_APP_TIMEOUT:-900}" \
    "$ROOT/scripts/with-secret-service.sh" "${SCREEN[@]}" bash "$SELF" --inner >&2 || status=$?
if ((status != 0)); then
    ((status == 124)) && log "timed out after ${BENCH_APP_TIMEOUT:-900} s"
    log "results so far: $RESULTS"
    exit "$status"
fi

busy_after="$(cpu_busy)"

# ------------------------------------------------------------------------------------------
# The table.
# ------------------------------------------------------------------------------------------
echo
echo "icims-namely desktop app: cold start and idle memory"
printf '  %-9s %s\n' \
    "date" "$(date -u '+%Y-%m-%d %H:%M UTC')" \
    "commit" "$commit" \
    "build" "$BUILD_KIND, binary ${bin_size} MiB${BUILD_NOTE:+, $BUILD_NOTE}" \
    "machine" "$cpu, $cores cores, $ram RAM, $os, kernel $(uname -r)" \
    "webview" "WebKitGTK $webkit under Xvfb 1280x960x24 (software rendering)" \
    "cpu busy" "${busy_before}% just before the runs, ${busy_after}% just after (other processes skew the figures)"
if ((busy_before > 15 || busy_after > 15)); then
    echo "  WARNING: something else was using the CPU around the runs: the figures are skewed"
fi
awk -v runs="$BENCH_APP_RUNS" -v idle="$BENCH_APP_IDLE_SECS" '
function val(line, key,   m) {
    if (match(line, " " key "=[^ ]*")) return substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2)
    return ""
}
function med(list,   a, n, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
    if (n == 0) return "-"
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function lo(list,   a, n, i, m) { n = split(list, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 < m + 0) m = a[i]; return m }
function hi(list,   a, n, i, m) { n = split(list, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 > m + 0) m = a[i]; return m }
function mib(k) { return k / 1024 }
{ run = $1 }
$2 == "RUN" {
    exec_[run] = val($0, "exec_ms"); sess[run] = val($0, "session_ms"); page[run] = val($0, "page_ms")
    dcl[run] = val($0, "dcl_ms"); ready[run] = val($0, "ready_ms")
    all_ready = all_ready " " ready[run]; all_exec = all_exec " " exec_[run]; all_sess = all_sess " " sess[run]
    all_page = all_page " " page[run]; all_dcl = all_dcl " " dcl[run]; nrun++
}
$2 == "CPU" { cpu[run] = val($0, "busy_pct"); all_cpu = all_cpu " " cpu[run] }
$2 == "SANDBOX" { sb[run] = val($0, "ready_ms"); all_sb = all_sb " " sb[run] }
$2 == "PROC" {
    ph = val($0, "phase"); name = val($0, "name"); rss = val($0, "rss_kib"); pss = val($0, "pss_kib")
    if (!((ph, name) in seen)) { seen[ph, name] = 1; order[ph] = order[ph] " " name }
    prss[ph, name, run] += rss; ppss[ph, name, run] += pss; pcount[ph, name, run]++
    trss[ph, run] += rss; tpss[ph, run] += pss; phases[ph] = 1
}
END {
    if (nrun == 0) { print "no results"; exit 1 }
    printf "\nCold start to an interactive welcome screen, ms from the launch request (%d runs)\n", nrun
    printf "  %-7s %8s %8s %10s %12s %9s %9s %6s\n", "run", "session", "page", "DOM ready", "interactive", "RSS MiB", "PSS MiB", "cpu%"
    for (r = 1; r <= nrun; r++) {
        printf "  %-7s %8.0f %8.0f %10.0f %12.0f %9.1f %9.1f %6s\n", r, sess[r], page[r], dcl[r], ready[r], mib(trss["welcome", r]), mib(tpss["welcome", r]), cpu[r]
        all_rss = all_rss " " mib(trss["welcome", r]); all_pss = all_pss " " mib(tpss["welcome", r])
    }
    printf "  %-7s %8.0f %8.0f %10.0f %12.0f %9.1f %9.1f\n", "median", med(all_sess), med(all_page), med(all_dcl), med(all_ready), med(all_rss), med(all_pss)
    printf "  %-7s %8.0f %8.0f %10.0f %12.0f %9.1f %9.1f\n", "min", lo(all_sess), lo(all_page), lo(all_dcl), lo(all_ready), lo(all_rss), lo(all_pss)
    printf "  %-7s %8.0f %8.0f %10.0f %12.0f %9.1f %9.1f\n", "max", hi(all_sess), hi(all_page), hi(all_dcl), hi(all_ready), hi(all_rss), hi(all_pss)
    printf "  The app process started within %d ms of the request (10 ms clock). cpu%%: the machine'"'"'s\n", (hi(all_exec) < 10 ? 10 : hi(all_exec))
    print "  CPU use in the second before the launch (others'"'"' work; the script waits for <= 10 %)."
    print "  session: WebDriver session open (app and webview created); page: the page navigation began;"
    print "  DOM ready: DOMContentLoaded ended; interactive: \"Try the sandbox\" in the DOM, visible and"
    print "  enabled, polled every 10 ms (the welcome screen shows after the first IPC answer)."
    print "  RSS/PSS: the app and its WebKit processes, idle " idle " s after interactive (table below)."
    if (all_sb != "")
        printf "\n\"Try the sandbox\" clicked to the sandbox wizard shown (simulators start in the app): median %.0f ms, min %.0f, max %.0f\n", med(all_sb), lo(all_sb), hi(all_sb)
    nph = split("welcome sandbox", phl, " ")
    for (i = 1; i <= nph; i++) {
        ph = phl[i]; if (!(ph in phases)) continue
        if (ph == "welcome") printf "\nIdle memory %d s after the welcome screen was interactive, MiB, median of %d runs\n", idle, nrun
        else printf "\nIdle memory %d s after the sandbox wizard showed (simulators running), MiB, median of %d runs\n", idle, nrun
        printf "  %-24s %5s %9s %9s\n", "process", "count", "RSS", "PSS"
        n = split(order[ph], names, " ")
        for (k = 1; k <= n; k++) {
            rl = ""; pl = ""; cl = ""
            for (r = 1; r <= nrun; r++) { rl = rl " " mib(prss[ph, names[k], r]); pl = pl " " mib(ppss[ph, names[k], r]); cl = cl " " pcount[ph, names[k], r] + 0 }
            printf "  %-24s %5s %9.1f %9.1f\n", names[k], med(cl), med(rl), med(pl)
        }
        rl = ""; pl = ""
        for (r = 1; r <= nrun; r++) { rl = rl " " mib(trss[ph, r]); pl = pl " " mib(tpss[ph, r]) }
        printf "  %-24s %5s %9.1f %9.1f   (min-max RSS %.1f-%.1f, PSS %.1f-%.1f)\n", "total", "", med(rl), med(pl), lo(rl), hi(rl), lo(pl), hi(pl)
    }
    print "  The app process and every process below it; RSS counts shared libraries in each process,"
    print "  PSS shares them out, so the PSS total is the honest sum. WebKitWebDriver (the test driver,"
    print "  parent of the app) is not counted."
}' "$RESULTS"
echo
echo "  took $((SECONDS - BEGAN)) s in all; raw results: $RESULTS"
