#!/usr/bin/env bash
# Makes room for a CI run before anything is installed or built, and says what it found.
#
# A clean CI run needs about NEED_GB of free disk. Measured on a clean clone (2026-11-30):
# cargo's target/ peaks at 4.9 GB without incremental caches (7.1 GB with them), the crates
# cargo downloads take 0.4 GB, node_modules 0.1 GB, the Debian packages about 1.5 GB (estimated).
# CI machines of this kind have been seen with 53 to 80 GB free, and once with a few hundred
# MB, where every build step then failed with "No space left on device". So:
#   - enough free disk where the clone is: target/ stays there;
#   - not enough, but enough memory (/dev/shm, a tmpfs, on 24 GiB machines): target/ becomes
#     a link to a folder there, so every script's target/... path still holds (a binary's
#     /proc/PID/exe then names the folder in RAM: compare paths with links resolved), and so
#     does cargo's registry of downloaded crates when the machine has none yet;
#   - neither: stop at once, saying how much is needed and how much there is, instead of
#     failing each step with a full disk.
# ICIMS_NAMELY_CI_TARGET=disk|ram|auto (auto by default) forces the choice, to test both.
#
# Usage: scripts/ci-room.sh            decide, act, print one line per finding
#        scripts/ci-room.sh --self-test   proves each decision and action in a scratch folder
#        scripts/ci-room.sh --report   after the run: what target/ and node_modules take
#        scripts/ci-room.sh --decide DISK_KB RAM_KB   only print the decision (disk|ram|none)
set -euo pipefail
SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
ROOT="${ICIMS_NAMELY_CI_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cd "$ROOT"

NEED_GB="${ICIMS_NAMELY_CI_NEED_GB:-10}"
# In RAM, target/ (4.9 GB) and the downloaded crates (0.4 GB) must leave the tests, rustc and
# the linker their memory: a run with target/ in RAM was seen with 18.3 GB of 23.8 GB still
# available at its lowest (both in RAM, from an empty registry: 18.2 GB).
RAM_NEED_GB="${ICIMS_NAMELY_CI_RAM_NEED_GB:-11}"
RAM_DIR="${ICIMS_NAMELY_CI_RAM_DIR:-/dev/shm}"
# What stays on the disk then: the Debian packages, node_modules, npm's cache.
PACKAGES_GB=2

free_kb() { { df -Pk "$1" 2>/dev/null || true; } | awk 'NR==2 {print $4}'; }
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
if [[ "${1:-}" == --self-test ]]; then
  # The decisions are tested from auto, whatever this run was forced to.
  unset ICIMS_NAMELY_CI_TARGET
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  fails=0
  expect() { # expect WHAT GOT WANTED
    if [[ "$2" == "$3" ]]; then echo "ok: $1"; else echo "FAILED: $1: got '$2', wanted '$3'"; fails=1; fi
  }
  G=1048576
  expect "enough disk keeps target/ on the disk" "$(decide $((NEED_GB * G)) 0)" disk
  expect "a short disk with RAM to spare moves it to RAM" \
    "$(decide $((NEED_GB * G - 1)) $((RAM_NEED_GB * G)))" ram
  expect "a short disk and short RAM is no room" \
    "$(decide $((NEED_GB * G - 1)) $((RAM_NEED_GB * G - 1)))" none
  expect "a disk too short even for the packages is no room" \
    "$(decide $((PACKAGES_GB * G - 1)) $((100 * G)))" none
  expect "the choice can be forced" "$(ICIMS_NAMELY_CI_TARGET=ram decide $((100 * G)) 0)" ram
  status=0
  out="$(ICIMS_NAMELY_CI_TARGET=tmp decide 0 0 2>&1)" || status=$?
  expect "a wrong forced choice is refused" "$status: $out" \
    "2: ICIMS_NAMELY_CI_TARGET must be disk, ram or auto, not 'tmp'"
  # The actions, on a scratch clone and a scratch RAM folder.
  mkdir -p "$scratch/clone" "$scratch/ram"
  run() {
    CARGO_HOME="$scratch/cargo" ICIMS_NAMELY_CI_ROOT="$scratch/clone" \
      ICIMS_NAMELY_CI_RAM_DIR="$scratch/ram" "$SELF" 2>&1
  }
  out="$(ICIMS_NAMELY_CI_TARGET=ram run)"
  expect "the crates cargo downloads go to RAM when there are none yet" \
    "$(readlink "$scratch/cargo/registry")" "$scratch/ram/icims-namely-cargo-registry-$(id -u)"
  expect "in RAM, target is a link into the RAM folder" \
    "$(readlink "$scratch/clone/target")" "$scratch/ram/icims-namely-target-$(id -u)"
  expect "and it says so" "$(grep -c 'target/ is in RAM' <<<"$out")" 1
  expect "running again keeps the link" \
    "$(ICIMS_NAMELY_CI_TARGET=ram run >/dev/null; readlink "$scratch/clone/target")" \
    "$scratch/ram/icims-namely-target-$(id -u)"
  rm "$scratch/clone/target" && mkdir "$scratch/clone/target"
  out="$(ICIMS_NAMELY_CI_TARGET=ram run)"
  rm "$scratch/cargo/registry" && mkdir -p "$scratch/cargo/registry/cache"
  out="$(ICIMS_NAMELY_CI_TARGET=ram run)"
  expect "a target/ already on the disk is left there" \
    "$([[ -L "$scratch/clone/target" ]] && echo link || echo folder)" folder
  expect "and so are crates already downloaded" \
    "$([[ -L "$scratch/cargo/registry" ]] && echo link || echo folder)" folder
  out="$(ICIMS_NAMELY_CI_NEED_GB=100000 ICIMS_NAMELY_CI_RAM_NEED_GB=100000 run; echo "exit $?")"
  expect "no room stops the run" "$(tail -n 1 <<<"$out")" "exit 1"
  expect "saying what is needed" "$(grep -c 'not enough room for a run: it needs about 100000 GB' <<<"$out")" 1
  out="$(ICIMS_NAMELY_CI_NEED_GB=100000 ICIMS_NAMELY_CI_ROOT="$scratch/clone" \
    ICIMS_NAMELY_CI_RAM_DIR="$scratch/no-such-folder" "$SELF" 2>&1; echo "exit $?")"
  expect "a machine without the RAM folder is told so, not stopped silently" \
    "$(grep -c "0.0 GB free in $scratch/no-such-folder" <<<"$out"), $(tail -n 1 <<<"$out")" "1, exit 1"
  exit "$fails"
fi
if [[ "${1:-}" == --report ]]; then
  # What the run took, for docs/ARCHITECTURE.md's figures and the next NEED_GB.
  size() { du -sk -L "$1" 2>/dev/null | awk '{print $1}'; }
  echo "room: the run left target/ at $(gb "$(size target)") GB, ui/node_modules at" \
    "$(gb "$(size ui/node_modules)") GB; $(gb "$(free_kb "$ROOT")") GB free on the disk now" >&2
  exit 0
fi

disk_kb="$(free_kb "$ROOT")"
disk_kb="${disk_kb:-0}"
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
    # target/ and the crates cargo downloads go to RAM; what is already on the disk stays.
    if [[ -e target && ! -L target ]]; then
      echo "room: target/ already exists on the disk; it is left there (remove it to use RAM)" >&2
    else
      dir="$RAM_DIR/icims-namely-target-$(id -u)"
      mkdir -p "$dir"
      ln -sfn "$dir" target
      echo "room: not enough disk, so cargo's target/ is in RAM: target -> $dir" >&2
    fi
    registry="${CARGO_HOME:-$HOME/.cargo}/registry"
    if [[ -L "$registry" ]]; then
      echo "room: cargo's downloaded crates are already a link: $registry -> $(readlink "$registry")" >&2
    elif [[ -d "$registry" ]] && [[ -n "$(ls -A "$registry")" ]]; then
      echo "room: cargo's downloaded crates stay where they are ($registry)" >&2
    else
      dir="$RAM_DIR/icims-namely-cargo-registry-$(id -u)"
      mkdir -p "$dir" "$(dirname "$registry")"
      rmdir "$registry" 2>/dev/null || true
      ln -sfn "$dir" "$registry"
      echo "room: cargo's downloaded crates go to RAM too: $registry -> $dir" >&2
    fi
    ;;
  none)
    echo "room: not enough room for a run: it needs about $NEED_GB GB free on the disk, or" \
      "$PACKAGES_GB GB on the disk and $RAM_NEED_GB GB in $RAM_DIR. Free some disk and run again." >&2
    exit 1
    ;;
esac
