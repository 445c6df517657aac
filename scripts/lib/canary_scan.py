#!/usr/bin/env python3
"""The canary scan (see scripts/canary-scan.sh): is any canary of crates/sandbox/canaries.txt
in any file under the given folders, as raw bytes or encoded?

Each canary is looked for in these forms: raw; base64 and base64url at each of the three
alignments it can take inside a longer base64 text; hex (lower and upper case); URL-encoded
and JSON-escaped where they differ from raw; UTF-16LE and UTF-16BE (WebKit keeps storage
strings in UTF-16). GNU grep (-F, every form at once, binary-safe, symlinks not followed)
finds the files with a hit; this script then names, per file, which canary in which form.

A hit prints the file, the canary's name and its first 4 characters (never the whole value)
and the form; the exit code is 1 when there is any hit, 2 on a usage error or a folder that
does not exist, else 0.
"""

import base64
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIST = ROOT / "crates" / "sandbox" / "canaries.txt"


def load(path=LIST):
    """[(name, value bytes)] from canaries.txt (NAME VALUE [FILE...] per line)."""
    canaries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        if len(words) < 2:
            raise SystemExit(f"canary-scan: {path}: no value on the line {words[0]!r}")
        canaries.append((words[0], words[1].encode("utf-8")))
    if not canaries:
        raise SystemExit(f"canary-scan: {path} lists no canary")
    return canaries


def base64_forms(value):
    """The base64 text `value` becomes inside any longer base64 text: for each of the three
    byte offsets it can start at, the characters that depend on `value`'s bytes only."""
    forms = []
    for offset in range(3):
        text = base64.b64encode(b"\0" * offset + value).decode("ascii").rstrip("=")
        first = -(-8 * offset // 6)  # ceil: the first character made of value's bits only
        last = (8 * (offset + len(value))) // 6  # characters wholly inside value's bits
        core = text[first:last]
        forms.append((f"base64 (offset {offset})", core.encode("ascii")))
        url = core.replace("+", "-").replace("/", "_")
        if url != core:
            forms.append((f"base64url (offset {offset})", url.encode("ascii")))
    return forms


def forms(value):
    """Every (label, bytes) form of one canary the scan looks for."""
    text = value.decode("utf-8")
    out = [("raw", value)]
    out += base64_forms(value)
    out += [("hex", value.hex().encode("ascii")), ("HEX", value.hex().upper().encode("ascii"))]
    url = urllib.parse.quote(text, safe="").encode("ascii")
    if url != value:
        out.append(("URL-encoded", url))
    json_escaped = text.replace("/", "\\/").encode("ascii")
    if json_escaped != value:
        out.append(("JSON-escaped", json_escaped))
    out += [("UTF-16LE", text.encode("utf-16-le")), ("UTF-16BE", text.encode("utf-16-be"))]
    return out


def patterns(canaries):
    """[(name, label, bytes)] for every canary and form."""
    return [(name, label, b) for name, value in canaries for label, b in forms(value)]


def files_with_hits(paths, pats):
    """The files under `paths` that hold any pattern (GNU grep -F, in one pass)."""
    with tempfile.NamedTemporaryFile("wb", prefix="canary-patterns.", delete=False) as f:
        f.write(b"\n".join(p for _, _, p in pats) + b"\n")
        pattern_file = f.name
    try:
        run = subprocess.run(
            ["grep", "-r", "-l", "-a", "-F", "-D", "skip", "--null", "-f", pattern_file, "--", *paths],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "LC_ALL": "C"},
        )
    finally:
        os.unlink(pattern_file)
    if run.returncode not in (0, 1):
        # 2: a file that could not be read is an error, not a pass.
        sys.stderr.write(run.stderr.decode("utf-8", "replace"))
        raise SystemExit("canary-scan: grep could not read every file (above); no verdict")
    return [p.decode("utf-8", "surrogateescape") for p in run.stdout.split(b"\0") if p]


def size_of(paths):
    files = total = 0
    for top in paths:
        for dirpath, _dirs, names in os.walk(top):
            for n in names:
                p = os.path.join(dirpath, n)
                if os.path.isfile(p) and not os.path.islink(p):
                    files += 1
                    total += os.path.getsize(p)
    return files, total


def scan(paths, canaries):
    """Prints every hit; returns how many (file, canary, form) hits there are."""
    pats = patterns(canaries)
    start = time.monotonic()
    hits = 0
    for path in files_with_hits(paths, pats):
        data = Path(path).read_bytes()
        for name, label, p in pats:
            if p in data:
                value = dict(canaries)[name].decode("utf-8")
                print(f"canary-scan: LEAK in {path}: the canary {name} ({value[:4]}…) as {label}")
                hits += 1
    files, total = size_of(paths)
    took = time.monotonic() - start
    print(
        f"canary-scan: {len(canaries)} canaries ({len(pats)} byte patterns), "
        f"{files} files ({total / 1e6:.1f} MB) under {', '.join(paths)}: "
        f"{'no hit' if hits == 0 else f'{hits} hits'} ({took:.1f} s)"
    )
    return hits


def self_test():
    """Plants canaries (raw, base64 at an odd offset, hex, UTF-16LE, URL-encoded) in a scratch
    folder and checks that the scan fails naming each file and never printing a value; a
    folder with near misses only passes. Returns 0 when all holds."""
    canaries = load()
    name, value = next((n, v) for n, v in canaries if n == "namely-demo-token-owner")
    # A value with characters URL-encoding and JSON change, in a list of its own.
    slash = b"self-test/canary+value=1"
    problems = []
    scratch = Path(tempfile.mkdtemp(prefix="canary-self-test."))
    try:
        planted = {
            "db/raw.sqlite": b"SQLite format 3\0" + os.urandom(64) + value + os.urandom(64),
            "logs/app.log": b"INFO sent Authorization: Basic "
            + base64.b64encode(b"x:" + value)  # offset 2 inside the base64 text
            + b"\n",
            "storage/localstorage.sqlite3": b"\0\1" + value.decode().encode("utf-16-le") + b"\0",
            "export.csv": b"id,token\n1," + value.hex().encode() + b"\n",
            "window/01-page.txt": b"Sent to " + urllib.parse.quote(slash.decode() + "/x", safe="").encode(),
            "window/02-page.json": b'{"url":"' + slash.replace(b"/", b"\\/") + b'"}',
        }
        clean = {
            # The first 4 characters, the value without its last byte, the value split by a
            # line break: none of these is the canary.
            "clean/near.txt": value[:4] + b"\n" + value[:-1] + b"!\n" + value[:8] + b"\n" + value[8:],
        }
        for rel, data in {**planted, **clean}.items():
            (scratch / rel).parent.mkdir(parents=True, exist_ok=True)
            (scratch / rel).write_bytes(data)
        os.symlink("/etc/hostname", scratch / "db" / "link-out")  # never followed

        own_list = scratch / "own-canaries.txt"
        own_list.write_bytes(b"self-test-url " + slash + b"\n")

        def run(*dirs, canaries=None):
            listed = ["--list", str(canaries)] if canaries else []
            return subprocess.run(
                [sys.executable, __file__, *listed, *map(str, dirs)],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )

        leaky = run(scratch / "db", scratch / "logs", scratch / "storage", scratch / "export.csv")
        encoded = run(scratch / "window", canaries=own_list)
        for what, ran, rels, labels in (
            ("the real list", leaky, [r for r in planted if not r.startswith("window/")],
             ("raw", "base64 (offset 2)", "UTF-16LE", "hex")),
            ("a list of its own", encoded, [r for r in planted if r.startswith("window/")],
             ("URL-encoded", "JSON-escaped")),
        ):
            if ran.returncode != 1:
                problems.append(f"{what}: exit code {ran.returncode}, expected 1")
            for rel in rels:
                if str(scratch / rel) not in ran.stdout:
                    problems.append(f"{what}: the scan did not name {rel}")
            for label in labels:
                if f"as {label}" not in ran.stdout:
                    problems.append(f"{what}: no hit as {label}")
        if value.decode() in leaky.stdout or slash.decode() in encoded.stdout:
            problems.append("the scan printed a canary's value")
        quiet = run(scratch / "clean")
        if quiet.returncode != 0:
            problems.append(f"near misses only: exit code {quiet.returncode}, expected 0:\n{quiet.stdout}")
        missing = run(scratch / "no-such-folder")
        if missing.returncode != 2:
            problems.append(f"a missing folder: exit code {missing.returncode}, expected 2")
        (scratch / "empty").mkdir()
        empty = run(scratch / "empty")
        if empty.returncode != 2:
            problems.append(f"an empty folder: exit code {empty.returncode}, expected 2")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if problems:
        print("canary-scan self-test FAILED:\n  " + "\n  ".join(problems))
        print("what the scan printed for the planted files:\n" + leaky.stdout + encoded.stdout)
        return 1
    print(
        "canary-scan self-test: ok (6 planted files named, as raw, base64, UTF-16LE, hex, "
        "URL-encoded and JSON-escaped, values never printed; exit 1; near misses pass; a "
        "missing or empty folder is exit 2)"
    )
    return 0


def main(argv):
    args = argv[1:]
    listed = LIST
    if args[:1] == ["--list"] and len(args) >= 2:
        listed, args = Path(args[1]), args[2:]
    if args and args[0] == "--self-test":
        if self_test() != 0:
            return 1
        args = args[1:]
        if not args:
            return 0
    if not args or any(a.startswith("-") for a in args):
        print("usage: canary-scan.sh [--list CANARIES.txt] [--self-test] PATH...", file=sys.stderr)
        return 2
    missing = [a for a in args if not os.path.exists(a)]
    if missing:
        print(f"canary-scan: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    # A scan of nothing would pass: an empty folder means the harnesses kept nothing.
    empty = [a for a in args if os.path.isdir(a) and size_of([a])[0] == 0]
    if empty:
        print(
            f"canary-scan: nothing to scan in {', '.join(empty)}: did the tests run with "
            "ICIMS_NAMELY_KEEP_TEST_DATA set (scripts/test.sh sets it)?",
            file=sys.stderr,
        )
        return 2
    return 1 if scan(args, load(listed)) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
