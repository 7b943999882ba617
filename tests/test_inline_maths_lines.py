"""Inline maths that runs over a line break must not start the next line with a Markdown block
marker: a line beginning with "+ ", "- ", "* ", "> " or "1. " inside an open $...$ becomes a list
item or a quotation, and the page shows raw TeX (found on the priors, KL and calibration pages)."""

import re
from pathlib import Path

BOOK = Path(__file__).resolve().parents[1] / "book"
MARKER = re.compile(r"^\s*([-+*>]|\d+[.)])\s")


def broken_lines(text: str) -> list[str]:
    bad, open_, in_code = [], False, False
    for n, line in enumerate(text.split("\n"), 1):
        s = line.lstrip()
        if s.startswith("```{code-cell}"):
            in_code = True
            continue
        if in_code:
            in_code = not s.startswith("```")
            continue
        if not s:
            open_ = False
            continue
        if open_ and MARKER.match(line):
            bad.append(f"{n}: {s[:60]}")
        if "$$" not in line:
            open_ ^= line.count("$") % 2 == 1
    return bad


def test_the_rule_can_fail():
    assert broken_lines("We have $a\n+ b$ here.")
    assert broken_lines("so $m'(z) = v\n> 0$, and")
    assert not broken_lines("We have $a +\nb$ here.\n\n- a list item")


def test_no_inline_maths_continuation_starts_a_block():
    bad = {p.name: broken_lines(p.read_text(encoding="utf-8")) for p in sorted(BOOK.glob("*.md"))}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, f"join these lines to the line before (or reflow): {bad}"
