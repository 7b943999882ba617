"""The accessibility extension's markup repairs (_ext/lossbook_a11y.py), without a browser."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))

import lossbook_a11y as a11y  # noqa: E402

FIG = (
    '<figure class="align-default" id="fig-kl"><div class="cell_output"><img alt="KL curves" '
    'src="k.png" /></div><figcaption><p>KL</p></figcaption></figure>'
    '<details class="lb-figdesc" id="figdesc-fig-kl" data-figure="fig-kl"><summary>Description of Fig. 4.1'
    '</summary><div class="lb-figdesc-body" id="figdesc-fig-kl-text"><p>...</p></div></details>'
)


def test_figure_description_is_linked_to_its_image():
    body, missing = a11y.link_figure_descriptions(FIG)
    assert missing == []
    assert '<img aria-details="figdesc-fig-kl" alt="KL curves" src="k.png" />' in body
    assert body.count("aria-details") == 1 and '<details class="lb-figdesc" id="figdesc-fig-kl"' in body
    assert a11y.link_figure_descriptions(body)[0] == body  # idempotent


def test_figure_description_without_its_figure_is_reported():
    body, missing = a11y.link_figure_descriptions(FIG.replace('id="fig-kl"', 'id="fig-other"'))
    assert missing == ["fig-kl"] and "aria-details" not in body
    # an image after the figure's end does not count
    no_img = FIG.replace('<img alt="KL curves" src="k.png" />', "")
    assert a11y.link_figure_descriptions(no_img + '<img src="x.png" />')[1] == ["fig-kl"]


def test_citation_entries_become_list_items():
    html = '<div role="list" class="citation-list">\n<div class="citation" id="id3" role="doc-biblioentry">'
    out = a11y.fix_citation_roles(html)
    assert 'role="doc-biblioentry"' not in out and '<div class="citation" id="id3" role="listitem">' in out


def test_hidden_cell_toggle_is_named_by_its_text():
    html = '<summary aria-label="Toggle hidden content">\n<p class="collapsed admonition-title">Show code cell source</p>'
    assert a11y.fix_hidden_cell_toggles(html).startswith("<summary>\n<p")


def test_mathjax_accessibility_options_are_merged_not_replacing():
    cfg = {"options": {"processHtmlClass": "tex2jax_process"}, "loader": {"load": ["[tex]/ams"]}}
    out = a11y._merge(cfg, a11y.MATHJAX_A11Y)
    assert out["options"]["processHtmlClass"] == "tex2jax_process" and out["options"]["enableAssistiveMml"] is True
    assert out["loader"]["load"] == ["[tex]/ams", "a11y/assistive-mml"]


def test_badge_accessible_name_counts_checks_and_names_kinds():
    import lossbook_sphinx as ext

    assert ext.badge_aria_label("3.2", [{"lhs": 1}, {"lhs": 2}]) == "equation 3.2, verified, 2 checks"
    assert ext.badge_aria_label("1.1", [{"kind": "identity"}]) == "equation 1.1, verified, identity, 1 check"
    two = [{"kind": "derivative"}, {"kind": "identity"}, {"kind": "derivative"}]
    assert ext.badge_aria_label("4.3", two) == "equation 4.3, verified, derivative, identity, 3 checks"


# ---------------------------------------------------------------------------
# the {figure-description} directive in a real (tiny) build
# ---------------------------------------------------------------------------
FIGURE_CHAPTER = """
```{math}
:label: eq-double
2x = x + x
```

```{code-cell} ipython3
import numpy as np, lossbook as lb, minilib
from lossbook import book
import matplotlib.pyplot as plt
x = np.arange(5.0)
book.verify("eq-double", minilib.double(x), x + x, kind="identity", how="minilib.double against x + x")
```

```{code-cell} ipython3
---
mystnb:
  figure:
    name: fig-double
    caption: Doubling.
  image:
    alt: A straight line from (0, 0) to (4, 8).
---
fig, ax = plt.subplots()
ax.plot(x, minilib.double(x))
plt.show()
```

```{figure-description} FIGNAME
The line rises by 2 for each step of 1 in x.
```
"""


def _a11y_book(tmp_path, figname):
    from minibook import make

    book = make(tmp_path, FIGURE_CHAPTER.replace("FIGNAME", figname))
    cfg = book / "_config.yml"
    cfg.write_text(cfg.read_text().replace("lossbook_sphinx: _ext/", "lossbook_sphinx: _ext/\n    lossbook_a11y: _ext/"))
    return book


@pytest.mark.build
def test_figure_description_renders_under_its_figure_and_describes_the_image(tmp_path):
    from minibook import build

    book = _a11y_book(tmp_path, "fig-double")
    r = build(book)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    page = (book / "_build" / "html" / "chapter.html").read_text()
    assert re.search(r'<img aria-details="figdesc-fig-double"', page)
    assert '<summary>Description of Fig. 1</summary>' in page
    assert 'id="figdesc-fig-double-text"><p>The line rises by 2' in page


@pytest.mark.build
def test_figure_description_of_a_missing_figure_fails_the_build(tmp_path):
    from minibook import build

    r = build(_a11y_book(tmp_path, "fig-nowhere"))
    assert r.returncode != 0
    assert "figure-description 'fig-nowhere'" in r.stdout + r.stderr


# ---------------------------------------------------------------------------
# the chapters' figures
# ---------------------------------------------------------------------------
BOOK = Path(__file__).resolve().parents[1] / "book"


def _figure_cells(text: str):
    """(name, alt text, code) of each code cell that makes a named figure."""
    for cell in re.findall(r"^```\{code-cell\}[^\n]*\n(.*?)^```", text, flags=re.S | re.M):
        name = re.search(r"^:\s+name:\s*(fig-[\w-]+)", cell, flags=re.M)
        if name and re.search(r"^:\s+figure:", cell, flags=re.M):
            alt = re.search(r"^:\s+alt:\s*(.*?)(?=^:\s{0,4}\S+:|^[^:])", cell, flags=re.S | re.M)
            yield name.group(1), re.sub(r"\s*\n:\s*", " ", alt.group(1)).strip() if alt else "", cell


@pytest.mark.parametrize("chapter", sorted(BOOK.glob("*.md")), ids=lambda p: p.stem)
def test_figures_have_alt_text_and_long_descriptions_are_linked(chapter):
    """Every named figure of every chapter (new chapters included) has alt text of some substance,
    and a long description is written as ``{figure-description} fig-name`` (so the build links it
    to the image with ``aria-details``), never as an anonymous "Figure description" dropdown."""
    text = chapter.read_text()
    for name, alt, _ in _figure_cells(text):
        assert len(alt.split()) >= 12, f"{chapter.name}: {name} has no alt text, or too short a one: {alt!r}"
    assert not re.search(r"\{dropdown\}\s*Figure description", text, flags=re.I), (
        f"{chapter.name}: write a figure's long description as `:::{{figure-description}} fig-name`"
    )
    names = {name for name, _, _ in _figure_cells(text)}
    for described in re.findall(r"\{figure-description\}\s+(\S+)", text):
        assert described in names, f"{chapter.name}: a description of {described}, which is not a figure here"
