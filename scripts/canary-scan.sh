#!/usr/bin/env bash
# The canary scan: fails when any canary secret of crates/sandbox/canaries.txt is in a file.
#
#   scripts/canary-scan.sh [--list CANARIES.txt] [--self-test] PATH...
#
# Looks through every file under each PATH (binary-safe; symlinks are not followed) for each
# canary raw, in base64 and base64url (at every alignment), hex, URL- and JSON-escaped, and
# UTF-16LE/BE. Each hit prints the file, the canary's name, its first 4 characters (never the
# value) and the form; the exit code is then 1 (0: no hit; 2: a PATH that does not exist or
# holds no file).
# --self-test first plants canaries in a scratch folder and checks that the scan fails naming
# each file (and passes near misses): proof that this step can fail. --list scans for the
# canaries of another file (the self-test uses it).
#
# scripts/test.sh runs the whole suite with ICIMS_NAMELY_KEEP_TEST_DATA=target/test-data, so
# that the test harnesses keep every data folder (SQLite files, logs, CSV exports, the app's
# scratch home with WebKit's storage) and the output of every command-line run there, then
# scans that folder and artifacts/ (test-output.log: everything the steps printed, panics
# included; the window's text and storage next to each screenshot; the app's log).
# What may legitimately hold a canary is never put there: the keychain and the secrets folders
# live elsewhere, and the stdout of `icims-namely sandbox` (which prints its demo credentials
# by design) is read by the tests, not kept.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec python3 "$ROOT/scripts/lib/canary_scan.py" "$@"
