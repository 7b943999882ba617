#!/usr/bin/env python3
"""Wrap the code cells of the book's chapters so that no line is longer than the column.

    python3 tools/wrap_code.py              # rewrite book/*.md in place
    python3 tools/wrap_code.py --check      # list the long lines, change nothing (exit 1 if any)
    python3 tools/wrap_code.py book/x.md    # only these files

At 1280 px the site's code column holds ``LIMIT`` characters of code (measured in Chromium,
tests/test_site_layout.py checks the number against the page): a longer line scrolls sideways.
Only the statements that hold a long line are touched, each reformatted by black at that width
(strings left as they are written, long strings split by black's string processing), and
comment lines longer than the limit are re-wrapped. Every rewritten cell must parse to the same
abstract syntax tree as before (``ast.dump``, with the whitespace inside docstrings collapsed,
as long docstring lines are re-wrapped too; a trailing comment that makes a line too long moves
to its own line above), or the cell is left unchanged and reported: the wrap changes the layout
of the code, never what it does.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: characters of code that fit the column at 1280 px with the browser's scrollbars drawn
#: (75 of DejaVu Sans Mono in 640 px; tests/test_site_layout.py measures it)
LIMIT = 75
FENCE = re.compile(r"^```\{code-cell\}")


def chapters() -> list[Path]:
    """Every MyST notebook under book/ (whatever chapters exist)."""
    return sorted(p for p in (ROOT / "book").glob("*.md") if p.read_text().startswith("---\njupytext:"))


def cells(text: str):
    """(first line index, last line index exclusive) of each code cell's code, 0-based."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if FENCE.match(lines[i]):
            j = i + 1
            if j < len(lines) and lines[j] == "---":  # YAML metadata block
                j += 1
                while j < len(lines) and lines[j] != "---":
                    j += 1
                j += 1
            while j < len(lines) and lines[j].startswith(":") and not lines[j].startswith("::"):
                j += 1  # short-form metadata (:tags: [...])
            k = j
            while k < len(lines) and not lines[k].startswith("```"):
                k += 1
            yield j, k
            i = k + 1
        else:
            i += 1


def _black(src: str, width: int) -> str:
    import black

    mode = black.Mode(
        line_length=width,
        string_normalization=False,
        preview=True,
        enabled_features={black.Preview.string_processing} if hasattr(black.Preview, "string_processing") else set(),
    )
    return black.format_str(src, mode=mode)


def _wrap_comment(line: str, width: int) -> list[str]:
    indent = line[: len(line) - len(line.lstrip())]
    body = line.strip()[1:].strip()
    return textwrap.wrap(body, width=width, initial_indent=indent + "# ", subsequent_indent=indent + "# ",
                         break_long_words=False, break_on_hyphens=False) or [line]


def _innermost(stmts, line_no):
    """The statements (siblings) that hold source line ``line_no`` (1-based), innermost level."""
    hit = [s for s in stmts if s.lineno <= line_no <= s.end_lineno]
    if not hit:
        return None
    for s in hit:
        for field in ("body", "orelse", "finalbody", "handlers"):
            kids = getattr(s, field, None)
            if isinstance(kids, list) and kids and isinstance(kids[0], ast.AST):
                inner = _innermost(kids, line_no)
                if inner:
                    return inner
        if isinstance(s, ast.Try):
            for h in s.handlers:
                inner = _innermost(h.body, line_no)
                if inner:
                    return inner
    return hit


def _dump(tree) -> str:
    """``ast.dump`` with each docstring's whitespace collapsed: re-wrapping a docstring's lines
    changes how the text is laid out, not the code."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                body[0].value.value = " ".join(body[0].value.value.split())
    return ast.dump(tree)


def _docstring_lines(tree) -> set[int]:
    """Line numbers (1-based) inside docstrings."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                out |= set(range(body[0].lineno, body[0].end_lineno + 1))
    return out


def _inline_comment(line: str):
    """(code, comment) when the line ends with a comment after code, else None."""
    import io
    import tokenize

    try:
        toks = list(tokenize.generate_tokens(io.StringIO(line + "\n").readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    for t in toks:
        if t.type == tokenize.COMMENT and line[: t.start[1]].strip():
            return line[: t.start[1]].rstrip(), t.string
    return None


def wrap_cell(code: str, width: int) -> str:
    """The cell's code with its long lines wrapped; the AST is unchanged (else the code as is)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code  # magics (%timeit, !pip) and the like: left to the reader
    before = _dump(tree)
    lines = code.split("\n")
    refused = set()  # lines whose statement black cannot rewrite without changing the AST
    for _ in range(200):  # each pass rewrites one statement group, then parses again
        long = [n for n, l in enumerate(lines, 1) if len(l) > width and n not in refused]
        if not long:
            break
        docs = _docstring_lines(ast.parse("\n".join(lines)))
        n = next((k for k in long if k in docs), long[0])  # docstrings first: black keeps them then
        line = lines[n - 1]
        if line.lstrip().startswith("#"):
            new = _wrap_comment(line, width)
            if new != [line]:
                lines[n - 1 : n] = new
                refused = {r + len(new) - 1 if r > n else r for r in refused}
            else:
                refused.add(n)
            continue
        tree = ast.parse("\n".join(lines))
        if n in _docstring_lines(tree):  # re-wrap a docstring line at its own indentation
            indent = re.match(r"\s*", line).group(0)
            new = textwrap.wrap(line.strip(), width=width - len(indent), break_long_words=False,
                                break_on_hyphens=False)
            trial = lines[: n - 1] + [indent + t for t in new] + lines[n:]
            if len(new) > 1 and _dump(ast.parse("\n".join(trial))) == before:
                lines = trial
                refused = {r + len(new) - 1 if r > n else r for r in refused}
            else:
                refused.add(n)
            continue
        split = _inline_comment(line)
        if split and len(split[0]) <= width:  # the comment goes on its own line, above
            indent = re.match(r"\s*", line).group(0)
            new = _wrap_comment(indent + split[1], width) + [split[0]]
            lines[n - 1 : n] = new
            refused = {r + len(new) - 1 if r > n else r for r in refused}
            continue
        group = _innermost(tree.body, n)
        if not group:
            refused.add(n)
            continue
        first = min(s.lineno for s in group)
        for s in group:
            for d in getattr(s, "decorator_list", []):
                first = min(first, d.lineno)
        last = max(s.end_lineno for s in group)
        seg = lines[first - 1 : last]
        indent = re.match(r"\s*", seg[0]).group(0)
        new = None
        if all(not l.strip() or l.startswith(indent) for l in seg):
            try:
                formatted = _black(textwrap.dedent("\n".join(seg)) + "\n", width - len(indent))
                new = [(indent + l) if l else l for l in formatted.rstrip("\n").split("\n")]
            except Exception:
                new = None
        trial = lines[: first - 1] + (new or seg) + lines[last:]
        ok = new is not None and new != seg
        if ok:
            try:
                ok = _dump(ast.parse("\n".join(trial))) == before
            except SyntaxError:
                ok = False
        if ok:
            shift = len(new) - len(seg)
            refused = {r + shift if r > last else r for r in refused if not first <= r <= last}
            lines = trial
            refused |= {k for k in range(first, first + len(new)) if len(lines[k - 1]) > width}
        else:
            refused |= set(range(first, last + 1))
    out = "\n".join(lines)
    try:
        if _dump(ast.parse(out)) != before:
            return code
    except SyntaxError:
        return code
    return out


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def process(path: Path, width: int, check: bool) -> list[str]:
    """Wrap one chapter; return 'file:line: n characters' for each line still too long."""
    text = path.read_text()
    lines = text.split("\n")
    out, pos, problems = [], 0, []
    for a, b in cells(text):
        out += lines[pos:a]
        code = "\n".join(lines[a:b])
        new = code if check else wrap_cell(code, width)
        new_lines = new.split("\n") if b > a else []
        for k, l in enumerate(new_lines):
            if len(l) > width:
                problems.append(f"{_rel(path)}:{len(out) + k + 1}: {len(l)} characters (limit {width})")
        out += new_lines
        pos = b
    out += lines[pos:]
    new_text = "\n".join(out)
    if not check and new_text != text:
        path.write_text(new_text)
    return problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--check", action="store_true", help="report long lines, change nothing")
    ap.add_argument("--width", type=int, default=LIMIT, help=f"characters per line (default {LIMIT})")
    args = ap.parse_args(argv)
    files = [f.resolve() for f in args.files] or chapters()
    problems = []
    for f in files:
        problems += process(f, args.width, args.check)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} code line(s) longer than {args.width} characters"
              + ("" if args.check else " that the wrap could not shorten"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
