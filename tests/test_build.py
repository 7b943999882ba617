"""The strict build: real ``jupyter-book build -W -n --keep-going`` runs on tiny books.

Each test builds a one-chapter book in a temporary folder with the project's Sphinx
extension (tests/minibook.py) and checks that the build fails, with a message naming
the file and the reason, for each thing the book promises to catch, and that the
execution cache neither re-executes needlessly nor serves stale results.
"""

import re

import pytest

from minibook import build, executions, make

pytestmark = pytest.mark.build

GOOD = """
```{math}
:label: eq-double
2x = x + x
```

```{code-cell} ipython3
import numpy as np, lossbook as lb, minilib
from lossbook import book
x = np.arange(5.0)
book.verify("eq-double", minilib.double(x), x + x, kind="identity", how="minilib.double against x + x")
book.glue("answer", minilib.double(np.float64(0.5)))
```

See {eq}`eq-double`; the answer is {glue:text}`answer:.2f`.
"""


def _log(result):
    return result.stdout + result.stderr


def _plain(text):
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.fixture
def good_book(tmp_path):
    return make(tmp_path, GOOD)


def test_good_book_builds_and_shows_the_verified_mark(good_book):
    r = build(good_book)
    assert r.returncode == 0, _log(r)[-3000:]
    html = (good_book / "_build" / "html" / "chapter.html").read_text()
    assert 'id="verified-eq-double"' in html  # the mark beside the equation
    assert 'href="#verification-eq-double-1"' in html  # ... links to the check
    assert 'id="verification-eq-double-1"' in html  # ... which sits under the cell
    assert "minilib.double against x + x" in html
    assert re.search(r"the answer is <span[^>]*>1.00</span>", html)  # glued, formatted
    assert "_static/mathjax/tex-svg.js" in html  # served locally
    assert not re.search(r"<script[^>]+src=\"https?://", html)  # no CDN scripts
    assert (good_book / "_build" / "html" / "_static" / "mathjax" / "tex-svg.js").is_file()


def test_rebuild_without_change_executes_nothing_and_package_edit_reexecutes(good_book):
    assert build(good_book).returncode == 0
    assert executions(good_book) == 1
    r = build(good_book)
    assert r.returncode == 0, _log(r)[-3000:]
    assert executions(good_book) == 1, "a no-change rebuild executed the chapter again"
    # edit the imported package: the next build must re-execute and show the new value
    lib = good_book / "minilib" / "__init__.py"
    lib.write_text(lib.read_text().replace("return 2 * x", "return x + x  # same maths, new code"))
    r = build(good_book)
    assert r.returncode == 0, _log(r)[-3000:]
    assert executions(good_book) == 2, "editing the package did not re-execute the chapter"
    # a real change of behaviour shows up in the page, not a stale cached number
    lib.write_text("def double(x):\n    return 2 * x + 0 * x\n\ndef triple(x):\n    return 3 * x\n")
    chapter = good_book / "chapter.md"
    chapter.write_text(chapter.read_text().replace("minilib.double(np.float64(0.5))", "minilib.triple(np.float64(0.5))"))
    r = build(good_book)
    assert r.returncode == 0, _log(r)[-3000:]
    assert executions(good_book) == 3
    assert re.search(r"the answer is <span[^>]*>1.50</span>", (good_book / "_build" / "html" / "chapter.html").read_text())


def test_cell_that_raises_fails_the_build(tmp_path):
    book = make(tmp_path, GOOD + "\n```{code-cell} ipython3\n1 / 0\n```\n")
    r = build(book)
    assert r.returncode != 0
    log = _plain(_log(r))
    assert "chapter.md" in log and "ZeroDivisionError" in log


def test_unlabelled_equation_fails_the_build(tmp_path):
    book = make(tmp_path, GOOD + "\n$$\ny = 3x\n$$\n")
    r = build(book)
    assert r.returncode != 0
    log = _plain(_log(r))
    assert re.search(r"chapter\.md:\d+: WARNING: displayed equation has no label", log), log[-3000:]


def test_unlabelled_amsmath_environment_fails_the_build(tmp_path):
    book = make(tmp_path, GOOD + "\n\\begin{equation}\ny = 4x\n\\end{equation}\n")
    r = build(book)
    assert r.returncode != 0
    assert "displayed equation has no label" in _plain(_log(r))


def test_labelled_equation_without_verification_fails_the_build(tmp_path):
    book = make(tmp_path, GOOD + "\n```{math}\n:label: eq-orphan\ny = 5x\n```\n")
    r = build(book)
    assert r.returncode != 0
    log = _plain(_log(r))
    assert re.search(
        r"chapter\.md:\d+: WARNING: equation 'eq-orphan' has no passing verification", log
    ), log[-3000:]


def test_disagreeing_verification_fails_the_build_naming_label_values_tolerance(tmp_path):
    body = GOOD.replace("x + x, kind=", "x + x + 1e-6, rtol=1e-9, kind=")
    book = make(tmp_path, body)
    r = build(book)
    assert r.returncode != 0
    log = _plain(_log(r))
    assert "chapter.md" in log
    assert "equation 'eq-double' failed verification" in log
    assert "lhs = [0, 2, 4, 6, 8]" in log and "rhs = [1e-06, 2.000001" in log
    assert "rtol = 1e-09" in log


def test_verification_of_unknown_label_fails_the_build(tmp_path):
    body = GOOD + '\n```{code-cell} ipython3\nbook.verify("eq-typo", 1.0, 1.0, kind="identity", how="t")\n```\n'
    r = build(make(tmp_path, body))
    assert r.returncode != 0
    assert "names equation 'eq-typo', but no displayed equation has that label" in _plain(_log(r))


def test_broken_cross_reference_fails_the_build(tmp_path):
    r = build(make(tmp_path, GOOD + "\nSee {eq}`eq-nowhere`.\n"))
    assert r.returncode != 0
    assert "eq-nowhere" in _plain(_log(r))
