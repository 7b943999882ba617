"""Find decimal numbers typed into chapter prose (they must be glued from code).

Prose is what remains of a MyST chapter after removing: the YAML header, fenced
blocks (code cells, math, directives' bodies that are code), display and inline
maths, inline code literals, roles such as {glue:text}`x:.2f` or {cite}`key`,
link targets, and directive option lines (``:label:``, ``:caption:`` in a figure's
cell metadata are inside code cells already). What is left is what a reader reads
as text, and a decimal number there is typed by hand.

The allowlist (``prose_allowlist.txt`` beside this file) holds ``file: text``
lines for the rare decimal that is not a result (none, ideally).
"""

from __future__ import annotations

import re
from pathlib import Path

DECIMAL = re.compile(r"(?<![\w.])\d*\.\d+(?![\w.])")

_STRIP = [
    (re.compile(r"\A---\n.*?\n---\n", re.S), ""),  # YAML header
    (re.compile(r"^(`{3,}|~{3,}).*?^\1\s*$", re.S | re.M), ""),  # fenced blocks (code, math, cells)
    (re.compile(r"\$\$.*?\$\$", re.S), " "),  # display maths
    (re.compile(r"(?<!\\)\$[^$\n]+?(?<!\\)\$"), " "),  # inline maths
    (re.compile(r"\{[\w:.-]+\}`[^`]*`"), " "),  # roles: {glue:text}`x:.2f`, {cite}`k`, {math}`..`
    (re.compile(r"``.+?``"), " "),  # double-backtick literals
    (re.compile(r"`[^`\n]+`"), " "),  # inline code literals
    (re.compile(r"\]\([^)]*\)"), "]"),  # link targets
    (re.compile(r"<[^>\n]+>"), " "),  # html tags / autolinks
    (re.compile(r"^\([\w:.-]+\)=\s*$", re.M), ""),  # targets
]


def prose(text: str) -> str:
    """The reader-visible prose of a MyST document, with line structure kept where possible."""
    for pattern, repl in _STRIP:
        text = pattern.sub(lambda m: _blank(m.group(0)) if repl == "" else repl, text)
    return text


def _blank(s: str) -> str:
    return "\n" * s.count("\n")


def typed_decimals(text: str) -> list[tuple[int, str]]:
    """(line number, number) for every decimal number in the prose."""
    out = []
    for lineno, line in enumerate(prose(text).splitlines(), start=1):
        for m in DECIMAL.finditer(line):
            out.append((lineno, m.group(0)))
    return out


def allowlist(path: Path) -> set[tuple[str, str]]:
    entries = set()
    if path.exists():
        for raw in path.read_text().splitlines():
            raw = raw.split("#", 1)[0].strip()
            if raw:
                name, _, number = raw.partition(":")
                entries.add((name.strip(), number.strip()))
    return entries
