#!/usr/bin/env bash
# One entry point for people and CI.
#   scripts/dev.sh app       install what is needed, build, start the desktop app
#   scripts/dev.sh test      install what is needed, run every test
#   scripts/dev.sh sandbox   start the built-in iCIMS and Namely simulators
#   scripts/dev.sh cli ARGS  run the icims-namely command line
#   scripts/dev.sh deps      only install the system and npm packages
#   scripts/dev.sh bench-app the app's cold start and idle memory under Xvfb (docs/benchmarks.md)
#   scripts/dev.sh package   build the .deb (and an AppImage where it can): release, or --debug;
#                            --test also installs it into a temporary root and starts it
#                            (docs/packaging.md)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Debian packages the build and the tests need (docs/ARCHITECTURE.md, "Building and testing").
APT_PACKAGES=(
  build-essential pkg-config libssl-dev
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  xvfb xauth webkit2gtk-driver imagemagick librsvg2-bin chromium
  gnome-keyring dbus-daemon dbus-bin libsecret-tools
  jq desktop-file-utils x11-utils
  python3-dbus python3-gi
)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

install_system_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then return 0; fi
  say "Installing Debian packages: ${missing[*]}"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "These packages are missing and sudo is not available: ${missing[*]}" >&2; exit 2; }
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # On CI the downloaded .debs are never used again: give their disk back to the build.
  if [[ -n "${CI:-}" ]]; then "${sudo[@]}" apt-get clean; fi
}

install_npm_packages() {
  if [[ ! -d ui/node_modules ]] || [[ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]]; then
    say "Installing npm packages (ui/)"
    (cd ui && npm ci --no-fund --no-audit --loglevel=error)
  fi
}

deps() {
  install_system_packages
  install_npm_packages
}

build_ui() {
  say "Building the interface (ui/)"
  (cd ui && npm run --silent build)
}

case "${1:-}" in
  deps)
    deps
    ;;
  app)
    deps
    build_ui
    say "Building the desktop app"
    cargo build --workspace --bins
    if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
      echo "No graphical display was found, so the window cannot open." >&2
      echo "Run this from a desktop session, or without a screen: xvfb-run -a scripts/dev.sh app" >&2
      exit 2
    fi
    say "Starting icims-namely (the sandbox opens when no company is connected yet)"
    exec "$ROOT/target/debug/icims-namely-app"
    ;;
  sandbox)
    deps
    cargo build --workspace --bins
    exec "$ROOT/target/debug/icims-namely" sandbox "${@:2}"
    ;;
  cli)
    cargo build --workspace --bins --quiet
    exec "$ROOT/target/debug/icims-namely" "${@:2}"
    ;;
  bench-app) deps; exec "$ROOT/scripts/bench-app.sh" "${@:2}" ;;
  package)
    deps
    if [[ " ${*:2} " == *" --test "* ]]; then
      args=()
      for a in "${@:2}"; do [[ "$a" == --test ]] || args+=("$a"); done
      deb="$("$ROOT/scripts/package.sh" "${args[@]}" --bundles deb | tail -n 1 | cut -f2)"
      exec "$ROOT/scripts/test-package.sh" "$deb"
    fi
    exec "$ROOT/scripts/package.sh" "${@:2}"
    ;;
  test)
    deps
    exec "$ROOT/scripts/test.sh" "${@:2}"
    ;;
  *)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
    exit 2
    ;;
esac
