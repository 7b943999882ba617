"""Rewrite flat ``lb.<name>`` usage to lossbook's three rooms (issue 11). Idempotent.

The top level of ``lossbook`` is the library; the book's machinery lives in
``lossbook.book`` and chapter demos in ``lossbook.demos``. The import convention for
chapters, tests and benchmarks is::

    import lossbook as lb              # the library: lb.softmax_cross_entropy(...)
    from lossbook import book, demos   # book.verify(...), book.glue(...), demos.make_blobs(...)

This script converts text written against the old flat namespace:

- ``lb.<name>`` where ``<name>`` is not a top-level attribute of ``lossbook`` but is in
  ``lossbook.book.__all__`` (or ``lossbook.demos.__all__``) becomes ``book.<name>``
  (``demos.<name>``). The sets are read from the package by introspection each run,
  so names added later (``verify_bound``, ``claim``, a new demo) are mapped too;
- module paths ``lossbook.<name>`` for names and modules that moved (``lossbook.verify``,
  ``lossbook.citation``, ``lossbook.train``, ...) become ``lossbook.book.<name>`` /
  ``lossbook.demos.<name>``;
- a file that then uses ``book.`` or ``demos.`` gets ``from lossbook import book, demos``
  (only the rooms it uses) after each ``import lossbook as lb`` line (a chapter's first
  cell, a test module, a doctest), unless that import is already there.

Already converted text is left as it is (``lb.book``, ``book.verify`` and
``lossbook.book.verify`` do not match again), so the script can be re-run after merging
other branches. Names it cannot place are listed on stderr and left unchanged.

Usage (from the repository root)::

    python tools/rewrite_namespace.py            # rewrite the default file set in place
    python tools/rewrite_namespace.py --check    # list files that would change; exit 1 if any
    python tools/rewrite_namespace.py FILE ...   # only these files
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Files rewritten by default (relative to the repository root).
DEFAULT_GLOBS = [
    "book/*.md",
    "tests/*.py",
    "benchmarks/*.py",
    "benchmarks/*.md",
    "README.md",
    "docs/**/*.md",
    "_ext/*.py",
    "lossbook/**/*.py",
]

# not preceded by a name character or a dot -- but a "\n" or "\t" escape inside a string
# literal (a chapter cell written as a one-line string in a test) does not count as one
_START = r"(?:(?<![\w.])|(?<=\\[nt]))"
LB_RE = re.compile(_START + r"lb\.([A-Za-z_]\w*)")
PKG_RE = re.compile(_START + r"lossbook\.([A-Za-z_]\w*)")
USE_RE = {room: re.compile(_START + rf"{room}\.[A-Za-z_]") for room in ("book", "demos")}
IMPORT_RE = re.compile(
    r"^(?P<prefix>[ \t]*(?:>>> )?)import (?:[\w.]+(?: as \w+)?, )*lossbook as lb(?:, [\w.]+(?: as \w+)?)*[ \t]*$", re.M
)
INDENT_RE = re.compile(r"^([ \t]*(?:\.\.\.)?[ \t]*)")
FROM_RE = re.compile(r"^[ \t]*(?:>>> )?from lossbook import (?P<names>[\w ,]+?)[ \t]*$", re.M)


def rooms():
    """Top-level names, and where each book/demo name lives, read from the package."""
    sys.path.insert(0, str(ROOT))
    import lossbook
    import lossbook.book
    import lossbook.demos

    top = {n for n in dir(lossbook) if not n.startswith("__")} | {"__all__", "__version__", "__file__"}
    where = {}
    for room, mod in (("demos", lossbook.demos), ("book", lossbook.book)):
        names = set(mod.__all__)
        # submodules of the room (lossbook.book.verify, lossbook.demos.train, ...)
        pkg_dir = Path(mod.__file__).parent
        names |= {p.stem for p in pkg_dir.glob("*.py") if not p.stem.startswith("_")}
        for n in names:
            where.setdefault(n, room)
    return top, where


def rewrite(text: str, top, where, unknown: set) -> str:
    def lb_sub(m):
        name = m.group(1)
        if name in top:
            return m.group(0)
        if name in where:
            return f"{where[name]}.{name}"
        unknown.add(name)
        return m.group(0)

    def pkg_sub(m):
        name = m.group(1)
        if name in top or name not in where:
            return m.group(0)
        return f"lossbook.{where[name]}.{name}"

    new = _sub_keeping_alignment(text, lambda line: PKG_RE.sub(pkg_sub, LB_RE.sub(lb_sub, line)))
    needed = [room for room in ("book", "demos") if USE_RE[room].search(new)]
    if needed and IMPORT_RE.search(new):
        new = _ensure_import(new, needed)
    return new


def _open_column(line: str):
    """Column just after the innermost bracket left open at the end of ``line`` (or None)."""
    stack = []
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote and line[i - 1] != "\\":
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            break
        elif ch in "([{":
            stack.append(i + 1)
        elif ch in ")]}" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _sub_keeping_alignment(text: str, sub) -> str:
    """Apply ``sub`` line by line; continuation lines aligned under an opening bracket
    whose column moved (``lb.f(`` -> ``demos.f(``) move with it."""
    out = []
    pending = None  # (column of the continuation lines in the old text, shift)
    for orig in text.split("\n"):
        line = orig
        if pending and line.strip():
            col, shift = pending
            indent = len(INDENT_RE.match(line).group(1))
            if indent >= col:
                if shift > 0:
                    line = line[:indent] + " " * shift + line[indent:]
                elif line[indent + shift : indent].strip() == "":
                    line = line[: indent + shift] + line[indent:]
            else:
                pending = None
        new = sub(line)
        a, b = _open_column(orig), _open_column(new)
        if a is not None and b is not None and a != b:
            pending = (a, b - a)
        out.append(new)
    return "\n".join(out)


def _ensure_import(text: str, needed) -> str:
    """``from lossbook import <rooms>`` right after each ``import lossbook as lb``.

    Only the rooms used in that import's reach are added: up to the next
    ``import lossbook as lb`` line, and for a doctest (``>>> import ...``) up to the end
    of its docstring.
    """
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if IMPORT_RE.match(line)]
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        m = IMPORT_RE.match(line)
        if not m:
            i += 1
            continue
        prefix = m.group("prefix")
        later = [j for j in starts if j > i]
        end = later[0] if later else len(lines)
        if ">>>" in prefix:
            close = next((j for j in range(i + 1, end) if '"""' in lines[j]), end)
            end = close
        reach = "\n".join(lines[i + 1 : end])
        want = [room for room in needed if USE_RE[room].search(reach)]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        fm = FROM_RE.match(nxt)
        have = [n.strip() for n in fm.group("names").split(",") if n.strip()] if fm else []
        names = have + [r for r in want if r not in have]
        if fm:
            if names != have:
                out.append(f"{prefix}from lossbook import {', '.join(names)}")
                i += 2
                continue
        elif names:
            out.append(f"{prefix}from lossbook import {', '.join(names)}")
        i += 1
    return "\n".join(out)


def default_files():
    files = []
    for g in DEFAULT_GLOBS:
        files += sorted(ROOT.glob(g))
    here = Path(__file__).resolve()
    return [f for f in dict.fromkeys(files) if f.resolve() != here and "__pycache__" not in f.parts]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--check", action="store_true", help="only report files that would change")
    args = ap.parse_args(argv)
    top, where = rooms()
    files = args.files or default_files()
    unknown: set = set()
    changed = []
    for f in files:
        old = f.read_text(encoding="utf-8")
        new = rewrite(old, top, where, unknown)
        if new != old:
            changed.append(f)
            if not args.check:
                f.write_text(new, encoding="utf-8")
    for f in changed:
        print(("would rewrite " if args.check else "rewrote ") + str(f.relative_to(ROOT) if f.is_absolute() else f))
    if unknown:
        print("lb.<name> not found in lossbook, lossbook.book or lossbook.demos (left unchanged): "
              + ", ".join(sorted(unknown)), file=sys.stderr)
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
