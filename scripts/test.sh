#!/usr/bin/env bash
# Runs every test of the project. Called by `scripts/dev.sh test` (which installs what is
# needed first) and by CI. Each step prints its own results; the last line sums them up.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
ARTIFACTS="$ROOT/artifacts"
mkdir -p "$ARTIFACTS"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }
passed=0
failed=0
LOG="$ARTIFACTS/test-output.log"
: > "$LOG"
step() {
  local name="$1"; shift
  say "$name"
  local start=$SECONDS
  if "$@" 2>&1 | tee -a "$LOG"; then
    passed=$((passed + 1))
    printf '    %s: ok (%ss)\n' "$name" $((SECONDS - start)) >&2
  else
    failed=$((failed + 1))
    printf '    %s: FAILED (%ss)\n' "$name" $((SECONDS - start)) >&2
    FAILED_STEPS+=("$name")
  fi
}
FAILED_STEPS=()

step "ui: type check" bash -c 'cd ui && npm run --silent check'
step "ui: unit tests" bash -c 'cd ui && npm run --silent test:unit'
step "ui: build" bash -c 'cd ui && npm run --silent build'
step "rust: format" cargo fmt --all --check
step "rust: house rules (layering, file sizes)" scripts/check-house.sh
step "rust: clippy" cargo clippy --workspace --all-targets --quiet -- -D warnings
step "rust: build" cargo build --workspace --all-targets --quiet
step "rust: tests" cargo test --workspace --no-fail-fast
# The sync benchmark at reduced sizes, with the vendors' limits and 50 ms latency on: it
# asserts correctness and prints figures (docs/benchmarks.md); full sizes with `cargo bench`.
step "benchmark: syncs at the vendors' limits (CI sizes)" \
  env BENCH_SIZE=ci cargo test --workspace --bench sync
# The keychain tests and the command-line end-to-end tests need a real Secret Service: run them
# inside a private D-Bus session with gnome-keyring.
step "keychain + CLI end-to-end (real Secret Service)" scripts/with-secret-service.sh \
  env ICIMS_NAMELY_SECRET_SERVICE_TEST=1 cargo test --workspace --test keychain --test cli
step "ui: browser tests (headless Chromium, IPC mocked)" bash -c 'cd ui && npm run --silent test:browser'
if [[ -x scripts/e2e-app.sh ]]; then
  step "app: end-to-end through WebDriver (Xvfb, real window, sandbox)" \
    scripts/e2e-app.sh "$ROOT/target/debug/icims-namely-app"
fi
# Last, since it relinks target/debug/icims-namely-app with tauri/custom-protocol: the .deb from
# the debug profile, unpacked into a temporary root and checked, its app started under Xvfb
# (docs/packaging.md).
step "package: .deb unpacked, installed app started (Xvfb)" scripts/test-package.sh

echo
if ((failed > 0)); then
  printf 'Failed steps: %s\n' "${FAILED_STEPS[*]}" >&2
fi
echo "steps: $passed passed, $failed failed" >&2
# Sum the test counts every runner printed (cargo test, vitest, node --test).
python3 - "$LOG" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
text = re.sub(r"\x1b\[[0-9;]*m", "", text)
ok = bad = 0
for p, f in re.findall(r"test result: \w+\. (\d+) passed; (\d+) failed", text):
    ok += int(p); bad += int(f)
for line in re.findall(r"^\s*Tests\s+(.*)$", text, re.M):
    m = re.search(r"(\d+) passed", line); ok += int(m.group(1)) if m else 0
    m = re.search(r"(\d+) failed", line); bad += int(m.group(1)) if m else 0
for p in re.findall(r"^# pass (\d+)$", text, re.M):
    ok += int(p)
for f in re.findall(r"^# fail (\d+)$", text, re.M):
    bad += int(f)
print(f"tests: {ok} passed, {bad} failed")
PY
((failed == 0))
