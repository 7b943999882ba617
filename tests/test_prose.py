"""No hand-typed results: a lint over the chapters' prose, and tests of the lint itself."""

from pathlib import Path

import pytest

from prose_lint import allowlist, prose, typed_decimals

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("*.md"))
ALLOWED = allowlist(Path(__file__).with_name("prose_allowlist.txt"))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_decimal_numbers_typed_into_prose(path):
    hits = [
        f"{path.name}:{line}: {num}"
        for line, num in typed_decimals(path.read_text())
        if (path.name, num) not in ALLOWED
    ]
    assert not hits, "decimal numbers typed into prose (glue them from code):\n" + "\n".join(hits)


def test_lint_flags_typed_numbers():
    text = "The loss is 0.69 here, and .5 there.\n"
    assert [n for _, n in typed_decimals(text)] == ["0.69", ".5"]


def test_lint_ignores_maths_code_roles_and_header():
    text = (
        "---\nformat_version: 0.13\n---\n"
        "With $p = 0.9$ the loss is {glue:text}`loss:.3f` nats ({cite}`goodfellow2016deep`).\n"
        "$$\nx = 1.5\n$$ (eq-x)\n"
        "```{code-cell} ipython3\nbook.glue('loss', 2.5)\n```\n"
        "Use `eps = 1e-15` or ``0.5``. Version 3 of [the docs](https://x.org/v1.4/).\n"
    )
    assert typed_decimals(text) == []


def test_lint_keeps_line_numbers():
    text = "line one\n```python\nx = 0.1\n```\nthe value 2.5 is typed\n"
    assert typed_decimals(text) == [(5, "2.5")]
    assert prose(text).count("\n") == text.count("\n")


def test_integers_and_versions_in_words_are_fine():
    assert typed_decimals("There are 3 classes and 12,500 test images.") == []
