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
step() {
  local name="$1"; shift
  say "$name"
  local start=$SECONDS
  if "$@"; then
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
step "rust: clippy" cargo clippy --workspace --all-targets --quiet -- -D warnings
step "rust: tests" cargo test --workspace
step "keychain: real Secret Service" scripts/with-secret-service.sh \
  env ICIMS_NAMELY_SECRET_SERVICE_TEST=1 cargo test --workspace --test keychain
if [[ -d ui/tests/browser ]] && compgen -G "ui/tests/browser/*.test.*" >/dev/null; then
  step "ui: browser tests (headless Chromium)" bash -c 'cd ui && npm run --silent test:browser'
fi

echo
if ((failed > 0)); then
  printf 'Failed steps: %s\n' "${FAILED_STEPS[*]}" >&2
fi
echo "steps: $passed passed, $failed failed"
((failed == 0))
