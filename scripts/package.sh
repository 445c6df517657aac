#!/usr/bin/env bash
# Builds the Linux installers: a .deb (always) and an AppImage (when it can be built here).
#
#   scripts/package.sh [--debug] [--bundles deb|appimage|deb,appimage]
#
# Default: a release build, both bundles. --debug packages the debug profile instead (faster:
# the package test, scripts/test-package.sh, uses it). The result is printed on the last lines:
#   target/<profile>/bundle/deb/icims-namely_<version>_amd64.deb
#   target/<profile>/bundle/appimage/icims-namely_<version>_amd64.AppImage
#
# Steps: builds the interface (ui/dist) when it is missing or older than its sources; builds
# both binaries with `cargo build --workspace --bins --features tauri/custom-protocol` (the
# app with its interface embedded and no dev mode; the same package set as every other cargo
# command, so nothing else is rebuilt); then `tauri bundle` packages them (the bundle section
# of src-tauri/tauri.conf.json: icons, desktop entry from packaging/linux/, control fields,
# and the command line icims-namely installed next to the app in /usr/bin).
#
# The AppImage needs linuxdeploy, which tauri downloads from GitHub on first use (into
# ~/.cache/tauri). Where GitHub cannot be reached this prints "AppImage skipped: <reason>" and
# still succeeds, since the .deb was built. docs/packaging.md has the details, and how the
# macOS .dmg and the Windows .msi are built in CI.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf 'package: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

profile=release
bundles="deb,appimage"
while (($#)); do
    case "$1" in
        --debug) profile=debug ;;
        --release) profile=release ;;
        --bundles) bundles="${2:?--bundles needs a value: deb, appimage or deb,appimage}"; shift ;;
        --bundles=*) bundles="${1#--bundles=}" ;;
        -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done
want() { [[ ",$bundles," == *",$1,"* ]]; }
for b in ${bundles//,/ }; do
    [[ "$b" == deb || "$b" == appimage ]] || die "unknown bundle '$b': this machine builds deb and appimage"
done

TAURI="$ROOT/ui/node_modules/.bin/tauri"
[[ -x "$TAURI" ]] || die "tauri-cli is not installed in ui/node_modules; run: scripts/dev.sh deps"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found; install: apt-get install -y dpkg"

# The interface, embedded into the app at compile time from ui/dist.
if [[ ! -f ui/dist/index.html ]] \
    || [[ -n "$(find ui/src ui/index.html ui/package-lock.json ui/vite.config.* -newer ui/dist/index.html -print -quit 2>/dev/null)" ]]; then
    log "building the interface (ui/dist)"
    (cd ui && npm run --silent build) >&2
fi

# Where cargo puts its output (CARGO_TARGET_DIR or the workspace's target/).
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)"
OUT="$TARGET_DIR/$profile"

cargo_profile=()
tauri_profile=()
# A debug package is for tests: leave the debug binary as cargo made it (other tools run it),
# without the bundle-type note tauri writes into the binary for its updater.
if [[ "$profile" == release ]]; then cargo_profile=(--release); else tauri_profile=(--debug --no-binary-patching); fi

start=$SECONDS
log "building the app and the command line ($profile, tauri/custom-protocol)"
cargo build --workspace --bins "${cargo_profile[@]}" --features tauri/custom-protocol >&2
log "built in $((SECONDS - start)) s"
[[ -x "$OUT/icims-namely-app" && -x "$OUT/icims-namely" ]] || die "the build did not produce $OUT/icims-namely-app and $OUT/icims-namely"

# The command line goes into /usr/bin next to the app; the path in tauri.conf.json is the
# release one, so point it at the profile and target folder of this build.
cli_files="{\"/usr/bin/icims-namely\": \"$OUT/icims-namely\"}"
override="{\"bundle\": {\"linux\": {\"deb\": {\"files\": $cli_files}, \"appimage\": {\"files\": $cli_files}}}}"

version="$(jq -r .version src-tauri/tauri.conf.json)"
results=()

if want deb; then
    start=$SECONDS
    rm -rf "$OUT/bundle/deb"
    log "bundling the .deb"
    # Everything on stderr: the last lines on stdout are the packages, for scripts to read.
    (cd src-tauri && CI=true "$TAURI" bundle "${tauri_profile[@]}" --bundles deb --config "$override") >&2
    deb="$(find "$OUT/bundle/deb" -maxdepth 1 -name "*_${version}_*.deb" -print -quit)"
    [[ -n "$deb" ]] || die "tauri bundle finished but left no .deb in $OUT/bundle/deb"
    log "bundled in $((SECONDS - start)) s"
    results+=("$deb")
fi

if want appimage; then
    start=$SECONDS
    rm -rf "$OUT/bundle/appimage"
    log "bundling the AppImage (tauri downloads linuxdeploy from GitHub on first use)"
    applog="$(mktemp)"
    # Bounded: without a network, the download must not hang the build.
    if (cd src-tauri && CI=true APPIMAGE_EXTRACT_AND_RUN=1 timeout 600 "$TAURI" bundle "${tauri_profile[@]}" \
        --bundles appimage --config "$override") >"$applog" 2>&1; then
        appimage="$(find "$OUT/bundle/appimage" -maxdepth 1 -name '*.AppImage' -print -quit)"
        if [[ -n "$appimage" ]]; then
            log "bundled in $((SECONDS - start)) s"
            results+=("$appimage")
        else
            log "AppImage skipped: tauri bundle finished but left no .AppImage (log: $applog)"
        fi
        rm -f "$applog"
    else
        status=$?
        plain="$(sed 's/\x1b\[[0-9;]*m//g' "$applog")"
        reason="$(grep -iE 'error|failed' <<<"$plain" | tail -n 1 | sed 's/^[[:space:]]*//; s/^Error //; s/^failed to bundle project: //')"
        url="$(grep -oE 'Downloading [^ ]+' <<<"$plain" | tail -n 1 | cut -d' ' -f2)"
        [[ $status -eq 124 ]] && reason="no answer within 600 s (downloading linuxdeploy?)"
        if [[ -n "$url" && $status -ne 124 ]]; then
            # The expected case without GitHub: the reason says it all.
            log "AppImage skipped: cannot download $url (${reason:-no reason given})"
            rm -f "$applog"
        else
            log "AppImage skipped: ${reason:-tauri bundle exited $status} (full log kept: $applog)"
        fi
    fi
fi

for f in "${results[@]}"; do
    printf '%s\t%s\n' "$(du -h "$f" | cut -f1)" "$f"
done
