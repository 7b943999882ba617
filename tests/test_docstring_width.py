"""The Examples in lossbook's docstrings fit the API pages' code boxes at 1280 px.

The API pages render each docstring's doctest lines in a code box as wide as a chapter's code
column, which holds ``wrap_code.LIMIT`` characters (tests/test_site_layout.py measures it); a
longer line scrolls sideways inside its box (visual audit, 2026-12-03).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import wrap_code  # noqa: E402

MODULES = sorted((ROOT / "lossbook").rglob("*.py"))


def long_example_lines(source: str, limit: int) -> list[tuple[int, str]]:
    """(line number, text) of doctest lines, prompts and printed output, longer than ``limit``."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        doc = ast.get_docstring(node, clean=False)
        if not doc or ">>>" not in doc:
            continue
        first = node.body[0].lineno
        in_example = False
        for i, line in enumerate(doc.split("\n")):
            text = line.strip()
            if text.startswith((">>>", "...")):
                in_example = True
            elif not text:
                in_example = False
            if in_example and len(text) > limit:
                out.append((first + i, text))
    return out


def test_rule_finds_a_long_prompt_and_its_long_output():
    long = "a" * 80
    src = f'def f():\n    """Doc.\n\n    >>> x = 1\n    >>> print("{long}")\n    {long}\n    """\n'
    assert [n for n, _ in long_example_lines(src, 75)] == [5, 6]
    assert long_example_lines(src, 100) == []


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_docstring_examples_fit_the_code_box(module):
    assert len(MODULES) > 10
    long = long_example_lines(module.read_text(), wrap_code.LIMIT)
    assert not long, "; ".join(f"line {n} ({len(t)} chars): {t[:60]}" for n, t in long)
