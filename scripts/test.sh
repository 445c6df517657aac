#!/usr/bin/env bash
# Runs every test of the project. Called by `scripts/dev.sh test` (which installs what is
# needed first) and by CI. Each step prints its own results; the last line sums them up.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
ARTIFACTS="$ROOT/artifacts"
mkdir -p "$ARTIFACTS"
# The harnesses keep what the tests write (data folders with their SQLite files and logs, CSV
# exports, the app's scratch home with WebKit's storage, the output of every command-line run)
# under this folder instead of deleting it, for the canary scan at the end; the window's text
# goes next to each screenshot in artifacts/. Both start empty.
export ICIMS_NAMELY_KEEP_TEST_DATA="$ROOT/target/test-data"
rm -rf "$ICIMS_NAMELY_KEEP_TEST_DATA" "$ARTIFACTS"/ui/*.txt "$ARTIFACTS"/e2e/*.txt
mkdir -p "$ICIMS_NAMELY_KEEP_TEST_DATA"

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
step "ci: room for a run (target/ on the disk or in RAM)" scripts/ci-room.sh --self-test
step "rust: clippy" cargo clippy --workspace --all-targets --quiet -- -D warnings
step "rust: build" cargo build --workspace --all-targets --quiet
step "rust: tests" cargo test --workspace --no-fail-fast
# The sync benchmark at reduced sizes, with the vendors' limits and 50 ms latency on: it
# asserts correctness and prints figures (docs/benchmarks.md); full sizes with `cargo bench`.
step "benchmark: syncs at the vendors' limits (CI sizes)" \
  env BENCH_SIZE=ci cargo test --workspace --bench sync
# The keychain tests and the command-line end-to-end tests need a real Secret Service: run them
# inside a private D-Bus session with gnome-keyring. Those that need it are #[ignore]d (the
# step above reports them as ignored); --include-ignored runs them here, with the rest of the
# suites (cli_signin: Sign in with Namely, which keeps its secrets in the keychain). The summary
# below counts each test once.
step "keychain + CLI end-to-end (real Secret Service)" scripts/with-secret-service.sh \
  env ICIMS_NAMELY_SECRET_SERVICE_TEST=1 cargo test --workspace --test keychain --test cli \
  --test cli_signin -- --include-ignored
step "ui: browser tests (headless Chromium, IPC mocked)" bash -c 'cd ui && npm run --silent test:browser'
if [[ -x scripts/e2e-app.sh ]]; then
  step "app: end-to-end through WebDriver (Xvfb, real window, sandbox)" \
    scripts/e2e-app.sh "$ROOT/target/debug/icims-namely-app"
fi
# Last, since it relinks target/debug/icims-namely-app with tauri/custom-protocol: the .deb from
# the debug profile, unpacked into a temporary root and checked, its app started under Xvfb
# (docs/packaging.md).
step "package: .deb unpacked, installed app started (Xvfb)" scripts/test-package.sh
# Last: no canary secret (crates/sandbox/canaries.txt) in anything the steps above left — the
# kept data folders, SQLite files, logs and CSV exports, the webview's storage, the window's text
# beside every screenshot, and everything printed (test-output.log, panics included). The
# self-test first proves the scan fails, naming the file, on planted canaries.
step "canary scan: no secret in files, logs, output, window" \
  scripts/canary-scan.sh --self-test "$ICIMS_NAMELY_KEEP_TEST_DATA" "$ARTIFACTS"

echo
if ((failed > 0)); then
  printf 'Failed steps: %s\n' "${FAILED_STEPS[*]}" >&2
fi
echo "steps: $passed passed, $failed failed" >&2
# Sum the test counts every runner printed (cargo test, vitest, node --test), each test once:
# a cargo test binary run by two steps (the plain run, where tests needing a keychain or the app
# window are ignored, and the step that runs them with --include-ignored) is merged — a test
# ignored by one run and passed by the other counts as passed. "skipped" is what no step ran:
# tests ignored everywhere, and vitest's / node's skipped and todo tests.
python3 - "$LOG" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
text = re.sub(r"\x1b\[[0-9;]*m", "", text)
# cargo: results per test binary ("Running tests/cli.rs (target/debug/deps/cli-<hash>)", or
# "Doc-tests <crate>"), merged over the steps that ran it.
runs = {}
key, names = None, {}
for line in text.splitlines():
    m = re.match(r"^\s*(?:Running (.+ \(.+\))|Doc-tests (\S+))\s*$", line)
    if m:
        key, names = m.group(1) or "doc-tests " + m.group(2), {}
        continue
    m = re.match(r"^test (.+?) \.\.\. ignored(?:, (.*))?$", line)
    if m and key:
        names[m.group(1)] = m.group(2) or "ignored"
        continue
    m = re.search(r"test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored", line)
    if m and key:
        runs.setdefault(key, []).append((tuple(int(x) for x in m.groups()), names))
        key, names = None, {}
ok = bad = skipped = 0
for key, results in runs.items():
    counts = [c for c, _ in results]
    total = max(p + f + i for p, f, i in counts)
    failed = max(f for _, f, _ in counts)
    ignored = min(i for _, _, i in counts)
    ok += total - failed - ignored
    bad += failed
    skipped += ignored
    if ignored:
        everywhere = set.intersection(*(set(n) for _, n in results))
        for name in sorted(everywhere):
            print(f"skipped: {name} ({results[0][1][name]}) in {key}")
# vitest: " Tests  12 passed | 1 skipped (13)"
for line in re.findall(r"^\s*Tests\s+(.*)$", text, re.M):
    for n, word in re.findall(r"(\d+) (passed|failed|skipped|todo)", line):
        if word == "passed":
            ok += int(n)
        elif word == "failed":
            bad += int(n)
        else:
            skipped += int(n)
# node --test: "# pass 24", "# fail 0", "# cancelled 0", "# skipped 0" (older: "# skip 0"), "# todo 0"
for word, n in re.findall(r"^# (pass|fail|cancelled|skipped|skip|todo) (\d+)$", text, re.M):
    n = int(n)
    if word == "pass":
        ok += n
    elif word in ("fail", "cancelled"):
        bad += n
    else:
        skipped += n
print(f"tests: {ok} passed, {bad} failed, {skipped} skipped")
PY
((failed == 0))
