"""The built site, read as files: the promises of the foundation that need the whole book."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lossbook.book.citation import _preferred, load_citation, to_apa

ROOT = Path(__file__).resolve().parents[1]
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())


def _toc_files():
    files = [TOC["root"]]
    for part in TOC.get("parts", []):
        files += [c["file"] for c in part.get("chapters", [])]
    return files


CHAPTERS = [f for f in _toc_files() if f.startswith("book/") and (ROOT / f"{f}.md").exists()]
NOTEBOOKS = [f for f in CHAPTERS if (ROOT / f"{f}.md").read_text().startswith("---\njupytext:")]


def test_citation_cff_is_valid_cff_1_2():
    exe = Path(sys.executable).with_name("cffconvert")
    r = subprocess.run([str(exe), "--validate", "-i", str(ROOT / "CITATION.cff")], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "valid according to schema version 1.2.0" in r.stdout + r.stderr


def test_every_toc_chapter_exists():
    missing = [f for f in _toc_files() if not (ROOT / f"{f}.md").exists()]
    assert not missing


@pytest.mark.build
def test_index_page_built(built_site):
    assert (built_site / "index.html").is_file()  # the root redirect
    assert (built_site / "book" / "index.html").is_file()


@pytest.mark.build
def test_how_to_cite_page_shows_citation_cff(built_site):
    cff = load_citation(ROOT / "CITATION.cff")
    html = (built_site / "book" / "how-to-cite.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    assert _preferred(cff)["title"] in text
    assert f"Version {cff['version']}" in text
    assert "@book{lossbook," in text
    assert to_apa(cff).replace("*", "").split(" (Version")[0] in text


@pytest.mark.build
@pytest.mark.parametrize("doc", NOTEBOOKS)
def test_every_equation_has_a_verified_mark_and_no_check_failed(built_site, doc):
    src = (ROOT / f"{doc}.md").read_text()
    labels = re.findall(r"^:label: (\S+)", src, flags=re.M)
    eq_labels = [lab for lab in labels if not lab.startswith(("ex-", "def-", "thm-", "sol-", "prf-", "lem-", "cor-", "alg-", "rem-"))]
    html = (built_site / f"{doc}.html").read_text()
    for lab in eq_labels:
        if f'id="equation-{lab}"' in html:
            assert f'id="verified-{lab}"' in html, f"{doc}: equation {lab} has no verified mark"
    assert "lb-fail" not in html


@pytest.mark.build
def test_no_page_loads_anything_from_the_network(built_site):
    bad = []
    pattern = re.compile(r"<(script|img|iframe)[^>]+src=\"(https?:)?//|<link[^>]+rel=\"stylesheet\"[^>]+href=\"(https?:)?//")
    for page in built_site.rglob("*.html"):
        for m in pattern.finditer(page.read_text(errors="replace")):
            bad.append(f"{page.relative_to(built_site)}: {m.group(0)[:80]}")
    assert not bad, "\n".join(bad[:20])
    assert (built_site / "_static" / "mathjax" / "tex-svg.js").is_file()


@pytest.mark.build
@pytest.mark.notebooks
def test_building_twice_gives_the_same_numbers(built_site):
    """Every number glued into the prose is the same in the book build and in a fresh kernel.

    The notebook-execution tests (same session) ran each chapter again in an empty folder;
    seeded randomness must make the two runs agree to the last printed digit.
    """
    from jupyter_cache import get_cache
    import test_notebooks

    if not test_notebooks.GLUED:
        pytest.skip("needs tests/test_notebooks.py in the same run (python3 dev.py test runs both)")
    # the book's executed notebooks, with their glue outputs, are in the execution cache
    (cache_dir,) = (built_site.parent / ".jupyter_cache").glob("lossbook-*")
    cache = get_cache(str(cache_dir))
    executed = {Path(r.uri).stem: cache.get_cache_bundle(r.pk).nb for r in cache.list_cache_records()}
    differ = []
    for stem, fresh in test_notebooks.GLUED.items():
        book = test_notebooks.glued_values(executed[stem])
        assert set(book) == set(fresh), stem
        differ += [f"{stem}:{k}: {book[k]} != {fresh[k]}" for k in book if book[k] != fresh[k]]
    assert not differ, "\n".join(differ[:20])
