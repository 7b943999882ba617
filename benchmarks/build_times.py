"""Build times of the book: clean build, no-change rebuild, rebuild after a package edit.

Copies the tracked files of the repository to a temporary folder, so the timings do not
disturb (or reuse) the working tree's _build, then runs the README's strict build three
times and prints a table. Never asserts anything; the goal (no-change rebuild under a
tenth of the clean build) is read off the table.

    .venv/bin/python benchmarks/build_times.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _build(book: Path) -> float:
    exe = Path(sys.executable).with_name("jupyter-book")
    start = time.perf_counter()
    r = subprocess.run([str(exe), "build", str(book), "-W", "-n", "--keep-going"], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if r.returncode != 0:
        sys.exit("build failed:\n" + (r.stdout + r.stderr)[-4000:])
    return elapsed


def main() -> None:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "lossbook"
        for f in files:
            dest = book / f
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, dest)
        clean = _build(book)
        again = _build(book)
        # an edit to the package that changes no behaviour still re-executes every chapter
        init = book / "lossbook" / "__init__.py"
        init.write_text(init.read_text() + "\n# benchmark edit\n")
        edited = _build(book)
    rows = [
        ("clean build (executes every chapter)", clean),
        ("rebuild, nothing changed", again),
        ("rebuild after editing lossbook/", edited),
    ]
    print(f"{'build':<40} {'seconds':>8} {'vs clean':>9}")
    for name, secs in rows:
        print(f"{name:<40} {secs:8.1f} {secs / clean:9.2f}")


if __name__ == "__main__":
    main()
