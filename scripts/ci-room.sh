#!/usr/bin/env bash
# Makes room for a CI run before anything is installed or built, and says what it found.
#
# A clean CI run needs about NEED_GB of free disk: Debian packages, node_modules, and cargo's
# target/ (the most of it: see docs/ARCHITECTURE.md, "Building and testing", for the figures).
# CI machines of this kind have been seen with 53 to 80 GB free, and once with a few hundred
# MB, where every build step then failed with "No space left on device". So:
#   - enough free disk where the clone is: target/ stays there;
#   - not enough, but enough in RAM (/dev/shm, a tmpfs; 24 GiB machines): target/ becomes a
#     link to a folder there, so every script's target/... path still holds;
#   - neither: stop at once, saying how much is needed and how much there is, instead of
#     failing each step with a full disk.
# ICIMS_NAMELY_CI_TARGET=disk|ram|auto (auto by default) forces the choice, to test both.
#
# Usage: scripts/ci-room.sh            decide, act, print one line per finding
#        scripts/ci-room.sh --report   after the run: what target/ and node_modules take
#        scripts/ci-room.sh --decide DISK_KB RAM_KB   only print the decision (disk|ram|none)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

NEED_GB="${ICIMS_NAMELY_CI_NEED_GB:-9}"
# In RAM, target/ takes what the build needs less the packages (those stay on disk), and must
# leave the tests and the linker their memory.
RAM_NEED_GB="${ICIMS_NAMELY_CI_RAM_NEED_GB:-14}"
RAM_DIR="${ICIMS_NAMELY_CI_RAM_DIR:-/dev/shm}"
PACKAGES_GB=2

free_kb() { df -Pk "$1" 2>/dev/null | awk 'NR==2 {print $4}'; }
gb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1048576}'; }

# disk | ram | none, from the free KB on the clone's disk and in RAM.
decide() {
  local disk_kb="$1" ram_kb="$2" forced="${ICIMS_NAMELY_CI_TARGET:-auto}"
  case "$forced" in
    disk | ram) echo "$forced"; return ;;
    auto) ;;
    *) echo "ICIMS_NAMELY_CI_TARGET must be disk, ram or auto, not '$forced'" >&2; exit 2 ;;
  esac
  if ((disk_kb >= NEED_GB * 1048576)); then echo disk
  elif ((disk_kb >= PACKAGES_GB * 1048576 && ram_kb >= RAM_NEED_GB * 1048576)); then echo ram
  else echo none
  fi
}

if [[ "${1:-}" == --decide ]]; then
  decide "$2" "$3"
  exit 0
fi
if [[ "${1:-}" == --report ]]; then
  # What the run took, for docs/ARCHITECTURE.md's figures and the next NEED_GB.
  size() { du -sk -L "$1" 2>/dev/null | awk '{print $1}'; }
  echo "room: the run left target/ at $(gb "$(size target)") GB, ui/node_modules at" \
    "$(gb "$(size ui/node_modules)") GB; $(gb "$(free_kb "$ROOT")") GB free on the disk now" >&2
  exit 0
fi

disk_kb="$(free_kb "$ROOT")"
ram_kb="$(free_kb "$RAM_DIR")"
ram_kb="${ram_kb:-0}"
# A tmpfs says it has room up to its size; what it can really take is the memory available.
mem_kb="$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo 2>/dev/null || true)"
if [[ -n "$mem_kb" ]] && ((mem_kb < ram_kb)); then ram_kb="$mem_kb"; fi
echo "room: $(gb "$disk_kb") GB free on the disk of $ROOT, $(gb "$ram_kb") GB free in $RAM_DIR;" \
  "a run needs about $NEED_GB GB" >&2

choice="$(decide "$disk_kb" "$ram_kb")"
case "$choice" in
  disk)
    echo "room: cargo's target/ stays on the disk" >&2
    ;;
  ram)
    if [[ -e target && ! -L target ]]; then
      echo "room: target/ already exists on the disk; it is left there (remove it to use RAM)" >&2
      exit 0
    fi
    dir="$RAM_DIR/icims-namely-target-$(id -u)"
    mkdir -p "$dir"
    ln -sfn "$dir" target
    echo "room: not enough disk, so cargo's target/ is in RAM: target -> $dir" >&2
    ;;
  none)
    echo "room: not enough room for a run: it needs about $NEED_GB GB free on the disk, or" \
      "$PACKAGES_GB GB on the disk and $RAM_NEED_GB GB in $RAM_DIR. Free some disk and run again." >&2
    exit 1
    ;;
esac
