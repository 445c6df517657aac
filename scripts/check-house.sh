#!/usr/bin/env bash
# Checks the house rules of docs/ARCHITECTURE.md that a machine can check, and fails naming
# every one broken:
# - who may import whom, from Cargo's own dependency graph (the normal dependencies of each
#   crate, the ones that ship);
# - no source file of the engine (crates/core/src) over 600 lines, unless its first comment
#   says why it is long ("long because …");
# - every row of docs/reliability.md names a test that exists.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# deps CRATE: every crate CRATE links when it ships (direct or not), one name per line.
deps() {
  cargo tree -q -p "$1" -e normal --prefix none --no-dedupe 2>/dev/null \
    | awk '{print $1}' | sort -u | grep -vx "$1"
}
# direct CRATE: what CRATE names in its own [dependencies].
direct() {
  cargo tree -q -p "$1" -e normal --prefix none --depth 1 2>/dev/null \
    | awk '{print $1}' | sort -u | grep -vx "$1"
}

broken=0
forbid() { # forbid WHAT CRATE LIST... : CRATE must not have any of LIST in WHAT (deps|direct)
  local what="$1" crate="$2"; shift 2
  local have
  have=$("$what" "$crate")
  for f in "$@"; do
    if grep -qx -- "$f" <<<"$have"; then
      echo "layering: $crate must not depend on $f ($what)" >&2
      broken=1
    fi
  done
}

# The vendor clients know one vendor each, and nothing of the engine.
forbid deps icims namely icims-namely-core sandbox tauri rusqlite keyring-core
forbid deps namely icims icims-namely-core sandbox tauri rusqlite keyring-core
# The simulators play the vendors with code of their own: never the clients or the engine.
forbid deps sandbox icims namely icims-namely-core
# The engine ships without a simulator, a window or a command-line parser.
forbid deps icims-namely-core sandbox icims-namely-sandbox-host axum tauri clap
# The shells reach the vendors, the database and the keychain only through the engine.
forbid direct icims-namely-cli icims namely rusqlite keyring-core
forbid direct icims-namely-app icims namely rusqlite keyring-core

# Files of the engine stay small enough to read in one sitting.
while IFS= read -r file; do
  lines=$(wc -l <"$file")
  if ((lines > 600)) && ! head -n 5 "$file" | grep -qi "long because"; then
    echo "size: $file has $lines lines (over 600): split it by concern, or say in its first comment why it is long" >&2
    broken=1
  fi
done < <(find crates/core/src -name '*.rs' | sort)

# Every row of the bad-input table names a test that exists (docs/reliability.md).
python3 scripts/lib/check-reliability-table.py || broken=1

if ((broken)); then exit 1; fi
echo "house rules: every crate depends only on what it may (cargo tree); no engine file over 600 lines"
