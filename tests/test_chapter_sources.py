"""Source rules for the chapters that the build cannot see.

Hidden check cells after a solution carry a toggle text that says what they are.

A ``hide-cell`` code cell renders as a "Show code cell content" toggle. After a collapsed
solution it looks like an empty, broken part of the exercise (visual audit, 2026-12-03), so
such a cell must name itself through the cell-level ``mystnb.code_prompt_show`` option.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
CHAPTERS = sorted(
    p for p in BOOK.glob("*.md") if "format_name: myst" in p.read_text()[:400]
)
CELL = re.compile(r"^```\{code-cell\}[^\n]*\n((?::[^\n]*\n)+|---\n.*?\n---\n)", re.M | re.S)
DIRECTIVE = re.compile(r"^(?:`{3,}|:{3,})\{([\w:-]+)\}", re.M)


def unnamed_check_cells(text: str) -> list[int]:
    """Line numbers of hide-cell code cells after an exercise or solution, without a prompt."""
    bad, start = [], 0
    for m in CELL.finditer(text):
        before = text[start : m.start()]
        start = m.end()
        options = m.group(1)
        if "hide-cell" not in options:
            continue
        directives = DIRECTIVE.findall(before)
        if {"solution", "solution-start", "exercise"} & set(directives):
            if "code_prompt_show" not in options:
                bad.append(text.count("\n", 0, m.start()) + 1)
    return bad


def test_detector_finds_an_unnamed_check_cell_and_accepts_a_named_one():
    sol = "```{solution} ex-a\n:class: dropdown\nText.\n```\n\n"
    plain = "```{code-cell} ipython3\n:tags: [hide-cell]\nprint(1)\n```\n"
    named = (
        "```{code-cell} ipython3\n---\ntags: [hide-cell]\nmystnb:\n"
        '  code_prompt_show: "Show the code that checks the solutions above"\n---\n'
        "print(1)\n```\n"
    )
    assert unnamed_check_cells(sol + plain) == [6]
    assert unnamed_check_cells(sol + named) == []
    nested = ":::{solution} ex-a\n:class: dropdown\n```{code-block} python\nx\n```\n:::\n\n"
    assert unnamed_check_cells(nested + plain) == [8]
    # a hide-cell after ordinary prose is not a solution check
    assert unnamed_check_cells("Some prose.\n\n" + plain) == []


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_check_cells_after_solutions_say_what_they_are(chapter):
    assert len(CHAPTERS) >= 10
    bad = unnamed_check_cells(chapter.read_text())
    assert not bad, (
        f"{chapter.name}: hide-cell code cells after a solution without "
        f"mystnb.code_prompt_show at lines {bad}"
    )


FENCE = re.compile(r"^\s*(`{3,}|:{3,})(.*)$")


def stray_fences(text: str) -> list[int]:
    """Line numbers of bare fences that open an anonymous literal block.

    A closing fence typed once too often opens a literal block that swallows the text after
    it up to the next fence; the build then reports missing labels far away, or nothing at
    all. The chapters never open a block without a directive or a language.
    """
    bad, stack = [], []  # stack of (fence, is_directive)
    for n, line in enumerate(text.split("\n"), 1):
        m = FENCE.match(line)
        if not m:
            continue
        fence, info = m.group(1), m.group(2).strip()
        if stack and not stack[-1][1]:  # inside a literal block only its closing fence counts
            if fence == stack[-1][0] and not info:
                stack.pop()
            continue
        if stack and not info and fence[0] == stack[-1][0][0] and len(fence) >= len(stack[-1][0]):
            stack.pop()
            continue
        if not info:
            bad.append(n)
        stack.append((fence, info.startswith("{")))
    return bad


def test_stray_fence_rule_finds_a_doubled_closing_fence():
    ok = "```{code-cell} ipython3\nx = 1\n```\n\n:::{note}\n```python\ny\n```\n:::\n"
    assert stray_fences(ok) == []
    # the stray fence at line 4, then the cascade it causes further down
    assert stray_fences(ok.replace("x = 1\n```\n", "x = 1\n```\n```\n"))[0] == 4


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_no_stray_fence_swallows_text(chapter):
    bad = stray_fences(chapter.read_text())
    assert not bad, f"{chapter.name}: a bare fence opens a literal block at lines {bad}"
