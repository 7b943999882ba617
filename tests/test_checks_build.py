"""Issue 12 in the strict build: kinds, inequalities, estimates and prose claims.

Each test builds a one-chapter book (tests/minibook.py) with the real
``jupyter-book build -W -n --keep-going``: a violated inequality, a false claim and a check
without a kind each fail the build with a message naming the label; a passing book shows the
kinds on the badges and lists every check (label, kind, how) and every claim (label, text,
status) on the report page.
"""

import re

import pytest

from minibook import build, make

pytestmark = pytest.mark.build

EQ = """
```{math}
:label: eq-double
2x = x + x
```

```{math}
:label: eq-pos
0 \\le x^2
```
"""

CHECKS = """
```{code-cell} ipython3
import numpy as np, lossbook as lb, minilib
from lossbook import book
x = np.arange(5.0)
book.verify("eq-double", minilib.double(x), x + x, kind="identity", how="minilib.double against x + x")
book.verify_bound("eq-double", x, minilib.double(x), at=x, how="x <= 2x for x >= 0, including x = 0")
book.verify_estimate("eq-pos", np.random.default_rng(0).normal(size=(4000, 1)) ** 2, np.array([1.0]),
                     how="mean of squared normal draws is 1")
book.glue("answer", minilib.double(np.float64(0.5)))
```

See {eq}`eq-double`; the answer is {glue:text}`answer:.2f`, and it is positive.

```{code-cell} ipython3
:tags: [remove-input]
book.claim("answer-positive", minilib.double(0.5) > 0, "the answer is positive")
```
"""

REPORT_INDEX = """# Mini book

```{lossbook-check-report}
```

```{lossbook-mutation-table}
```
"""


def _log(result):
    return re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)


def test_kinds_bounds_estimates_and_claims_build_and_are_reported(tmp_path):
    book = make(tmp_path, EQ + CHECKS)
    (book / "index.md").write_text(REPORT_INDEX)
    r = build(book)
    assert r.returncode == 0, _log(r)[-3000:]
    page = (book / "_build" / "html" / "chapter.html").read_text()
    # the tick is hidden from screen readers; the words are inside the badge's accessible name
    assert '<span aria-hidden="true">&#10003;</span> verified (identity, inequality; 2 checks)</summary>' in page
    assert '<span aria-hidden="true">&#10003;</span> verified (estimate)</summary>' in page
    assert 'aria-label="equation 1, verified, identity, inequality, 2 checks"' in page  # unnumbered minibook
    assert "tightest margin" in page and "at x = 0" in page  # the bound's card
    # two checks of one equation have different one-line summaries: each names its route
    summaries = re.findall(r'<details class="lb-card"><summary>(.*?)</summary>', page)
    assert len(summaries) == 3 and len(set(summaries)) == 3, summaries
    assert any("minilib.double against x + x" in s for s in summaries)
    assert "largest |z|" in page  # the estimate's card
    # the claim leaves an anchor, no empty cell box, no visible text
    assert re.search(r'<span class="lb-claim" id="claim-answer-positive-1" hidden', page)
    assert "tag_remove-input" not in page and "the answer is positive" not in page
    report = (book / "_build" / "html" / "index.html").read_text()
    assert "2 displayed equations, 3 checks (1 identity, 1 inequality, 1 estimate) and 1 checked prose claims" in report
    for text in ("eq-double", "x &lt;= 2x for x &gt;= 0, including x = 0", "mean of squared normal draws is 1",
                 "answer-positive", "the answer is positive", ">holds<", ">passed<", ">inequality<"):
        assert text in report, text
    assert 'href="chapter.html#claim-answer-positive-1"' in report
    assert "No mutation run recorded yet" in report


def test_a_violated_inequality_fails_the_build(tmp_path):
    body = EQ + CHECKS.replace("book.verify_bound(\"eq-double\", x, minilib.double(x)",
                               "book.verify_bound(\"eq-double\", minilib.double(x), x")
    r = build(make(tmp_path, body))
    assert r.returncode != 0
    log = _log(r)
    assert "chapter.md" in log
    assert "inequality 'eq-double' failed (inequality): lower <= upper is violated at 4 of 5 point(s); worst at x = 4" in log


def test_a_false_claim_fails_the_build(tmp_path):
    body = EQ + CHECKS.replace("minilib.double(0.5) > 0", "minilib.double(0.5) < 0")
    r = build(make(tmp_path, body))
    assert r.returncode != 0
    log = _log(r)
    # one clear line before myst-nb's traceback: the file, "a check failed", the label and the text
    assert re.search(r"ERROR: lossbook: \S*chapter\.md: a check failed: ClaimFailed: claim 'answer-positive' "
                     r"is false: the answer is positive", log), log[-3000:]


def test_a_check_without_a_kind_is_refused_by_the_build(tmp_path):
    body = EQ + CHECKS.replace(', kind="identity"', "")
    r = build(make(tmp_path, body))
    assert r.returncode != 0
    log = _log(r)
    assert "chapter.md" in log and "TypeError: kind is required" in log and "'definition'" in log
