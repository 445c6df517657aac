#!/usr/bin/env python3
"""docs/reliability.md names a test for every row: check that each named test exists.

A name is `path::function`: the file must exist and define that function (`fn NAME` in Rust,
`def NAME` in Python); a browser test is `path.mjs::"its it() title"`. Rows are numbered;
the numbers must run 1, 2, 3… without a gap, and
there must be at least 40. Prints what is wrong and exits 1; prints the count and exits 0.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "reliability.md"


def main():
    text = DOC.read_text(encoding="utf-8")
    problems = []
    numbers = []
    tests = 0
    for line in text.splitlines():
        m = re.match(r"^\| (\d+) \|", line)
        if not m:
            continue
        numbers.append(int(m.group(1)))
        # (file, pattern that defines the test, what to call it when missing)
        wanted = [
            (path, rf"\b(fn|def) {re.escape(func)}\b", f"test {func}")
            for path, func in re.findall(r"`([\w./-]+\.(?:rs|py))::(\w+)`", line)
        ] + [
            (path, r"\bit\(\s*[\"']" + re.escape(title) + r"[\"']", f'it("{title}")')
            for path, title in re.findall(r'`([\w./-]+\.mjs)::"([^"`]+)"`', line)
        ]
        if not wanted:
            problems.append(f"row {m.group(1)} names no test")
        for path, pattern, what in wanted:
            tests += 1
            file = ROOT / path
            if not file.is_file():
                problems.append(f"row {m.group(1)}: {path} does not exist")
            elif not re.search(pattern, file.read_text(encoding="utf-8")):
                problems.append(f"row {m.group(1)}: {path} has no {what}")
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"rows are not numbered 1..{len(numbers)} in order")
    if len(numbers) < 40:
        problems.append(f"only {len(numbers)} rows; the table promises at least 40")
    for p in problems:
        print(f"docs/reliability.md: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"docs/reliability.md: {len(numbers)} rows, {tests} named tests, all found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
