"""How the book is cited: entries, page metadata for reference managers, the bibliography.

The page metadata is read as a crawler reads it: JSON-LD with ``extruct``, the Highwire
``citation_*`` meta tags with an HTML parser (BeautifulSoup), and both are compared with
``CITATION.cff``, the one source they are generated from.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lossbook.book.citation import _preferred, author_names, load_citation, publisher_name, to_apa, to_bibtex

ROOT = Path(__file__).resolve().parents[1]
CFF = load_citation(ROOT / "CITATION.cff")
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
NUMBERED = [c["file"] for part in TOC["parts"] if part.get("numbered") for c in part["chapters"]]
BASEURL = ((CONFIG.get("html") or {}).get("baseurl") or "").strip().rstrip("/")

sys.path.insert(0, str(ROOT / "_ext"))


# --------------------------------------------------------------------------- entries


def test_entries_carry_url_publisher_version_and_commit():
    url = "https://example.org/lossbook/book/kl-divergence.html"
    commit = "0123456789abcdef0123456789abcdef01234567"
    bib = to_bibtex(CFF, key="k", chapter="KL divergence", url=url, commit=commit)
    assert bib.startswith("@incollection{k,")
    assert f"url = {{{url}}}" in bib
    assert f"publisher = {{{publisher_name(CFF)}}}" in bib and publisher_name(CFF)
    assert f"edition = {{version {CFF['version']}}}" in bib
    assert "commit 0123456789ab" in bib
    apa = to_apa(CFF, chapter="KL divergence", url=url, commit=commit)
    assert apa.endswith(url)
    assert f"(Version {CFF['version']}, commit 0123456789ab)" in apa
    assert "KL divergence. In *" in apa


def test_a_chapter_is_cited_by_title_not_number():
    bib = to_bibtex(CFF, key="k", chapter="KL divergence", url="https://x/book/kl-divergence.html")
    apa = to_apa(CFF, chapter="KL divergence", url="https://x/book/kl-divergence.html")
    assert not re.search(r"Chapter \d", bib + apa)


def test_apa_omits_the_publisher_when_it_is_the_author():
    """APA 7: when the author is also the publisher, the publisher is left out."""
    cff = dict(CFF, **{"preferred-citation": dict(CFF["preferred-citation"], publisher={"name": "Some Press"})})
    assert " Some Press." in to_apa(cff)
    assert publisher_name(CFF) in author_names(_preferred(CFF))
    assert to_apa(CFF).count(publisher_name(CFF)) == 1  # the author only


def test_the_book_address_is_one_setting():
    """CITATION.cff `url` and `html.baseurl` agree (the build refuses to run otherwise)."""
    assert str(CFF.get("url") or "").rstrip("/") == BASEURL


def test_git_commit_outside_a_checkout_is_empty_and_env_overrides(tmp_path, monkeypatch):
    from lossbook_cite import COMMIT_ENV, git_commit

    monkeypatch.delenv(COMMIT_ENV, raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert git_commit(tmp_path) == ""
    monkeypatch.setenv(COMMIT_ENV, "abc123")
    assert git_commit(tmp_path) == "abc123"
    monkeypatch.delenv(COMMIT_ENV)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    assert git_commit(ROOT).startswith(head)


def test_no_page_claims_equation_numbers_are_stable():
    texts = {"README.md": (ROOT / "README.md").read_text()}
    texts.update({p.name: p.read_text() for p in (ROOT / "book").glob("*.md")})
    bad = [name for name, t in texts.items()
           if re.search(r"[Ee]quation numbers[^.]*\b(are|stay|remain)\s+(stable|unchanged)", t)
           or re.search(r"[Ee]quation numbers[^.]*do not change", t)]
    assert not bad


# --------------------------------------------------------------------------- the bibliography


def _bib():
    from pybtex.database import parse_file

    return parse_file(str(ROOT / "book" / "references.bib"))


def test_every_bibliography_entry_has_a_doi_or_url():
    missing = [k for k, e in _bib().entries.items()
               if not (e.fields.get("doi") or e.fields.get("url"))]
    # the source articles of which no address is known (../shared/source-claims.md), and two
    # coding-theory works of 1949 and 1953 with neither DOI nor stable address
    assert sorted(missing) == ["brownlee2019loss", "jsper0420_cross_entropy", "kraft1949device",
                               "qa_loss_function_deep_learning", "sardinas1953necessary"]


def test_entry_types_of_proceedings_and_chapters():
    e = _bib().entries
    assert e["guo2017calibration"].type == "inproceedings"
    assert e["szegedy2016rethinking"].type == "inproceedings"
    assert e["bridle1990probabilistic"].type == "incollection"
    assert e["bridle1990probabilistic"].persons.get("editor")
    # journals whose title begins "Proceedings" (they publish articles, not conference papers)
    journals_named_proceedings = {"Proceedings of the IRE"}
    for key, entry in e.items():  # a proceedings paper is not a journal article
        if entry.type == "article" and entry.fields["journal"] not in journals_named_proceedings:
            assert "Proceedings" not in entry.fields["journal"], key


def _cited_keys():
    keys = set()
    for p in (ROOT / "book").glob("*.md"):
        for group in re.findall(r"\{cite(?::[a-z]+)?\}`([^`]+)`", p.read_text()):
            # pre- and post-text in braces, {cite:t}`key{Theorem 5.7}`, may hold commas
            group = re.sub(r"\{[^{}]*\}", "", group)
            keys.update(k.strip() for k in group.split(","))
    return keys


# Entries no chapter cites yet: the lead decides where (the chapters are not this work's to edit).
# With any entry uncited, book/bibliography.md must keep `:all:`.
NOT_YET_CITED = {
    "blondel2020learning",
}


def test_every_entry_is_cited_or_listed_as_not_yet_cited():
    keys = set(_bib().entries)
    cited = _cited_keys()
    assert not cited - keys, f"cited but not in references.bib: {cited - keys}"
    assert keys - cited == NOT_YET_CITED
    if keys - cited:
        assert ":all:" in (ROOT / "book" / "bibliography.md").read_text()


# --------------------------------------------------------------------------- built pages


def _soup(path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(), "html.parser")


@pytest.mark.build
def test_bibliography_labels_are_the_in_text_labels(built_site):
    bib = _soup(built_site / "book" / "bibliography.html")
    labels = {}
    for entry in bib.select("div.citation"):  # role=listitem since the a11y override (README)
        labels[entry["id"]] = entry.select_one(".label").get_text().strip("[]")
    # a year, with a letter when one author-year pair names two works ("Zhang, 2004a")
    assert labels and all(re.search(r", (\d{4}[a-z]?|n\.d\.)$", v) for v in labels.values()), labels
    assert len(set(labels.values())) == len(labels), "two bibliography entries share a label"
    # filed in alphabetical order by the label's first letter (web pages without an author
    # under their title, braced corporate authors under their first letter), no BibTeX braces
    firsts = [v.lstrip("{")[0].lower() for v in labels.values()]
    assert firsts == sorted(firsts), firsts
    assert not [v for v in labels.values() if "{" in v or "}" in v]
    checked = 0
    for doc in NUMBERED:
        page = _soup(built_site / f"{doc}.html")
        for a in page.select('a[href*="bibliography.html#"]'):
            text = " ".join(a.get_text().split())
            target = labels[a["href"].split("#", 1)[1]]
            if re.fullmatch(r"\d{4}[a-z]?", text):  # {cite:t}: 'Goodfellow et al. [2016]', the year is the link
                assert target.endswith(", " + text)
            else:
                assert text == target
            checked += 1
    assert checked > 20


def _chapter_metadata(built_site, doc):
    import extruct

    page = (built_site / f"{doc}.html").read_text()
    data = extruct.extract(page, base_url=f"{BASEURL or 'http://localhost'}/{doc}.html",
                           syntaxes=["json-ld"], uniform=True)
    chapters = [d for d in data["json-ld"] if d.get("@type") == "Chapter"]
    meta = {}
    for tag in _soup(built_site / f"{doc}.html").find_all("meta"):
        if tag.get("name", "").startswith("citation_"):
            meta.setdefault(tag["name"], []).append(tag.get("content"))
    return chapters, meta


@pytest.mark.build
@pytest.mark.parametrize("doc", NUMBERED)
def test_chapter_pages_carry_metadata_from_citation_cff(built_site, doc):
    chapters, meta = _chapter_metadata(built_site, doc)
    pref = _preferred(CFF)
    title = _soup(built_site / f"{doc}.html").select_one("main h1").get_text().strip("#¶ \n")
    # JSON-LD: one Chapter, part of the Book
    assert len(chapters) == 1
    ch = chapters[0]
    assert ch["name"] == title
    book = ch["isPartOf"]
    assert book["@type"] == "Book" and book["name"] == pref["title"]
    assert [a["name"] for a in book["author"]] == author_names(pref) == [a["name"] for a in ch["author"]]
    assert book["version"] == ch["version"] == str(CFF["version"])
    assert book["datePublished"] == str(CFF["date-released"])
    assert book["keywords"] == CFF["keywords"]
    assert book["publisher"]["name"] == publisher_name(CFF)
    assert "creativecommons.org/licenses/by/4.0" in book["license"]
    if BASEURL:
        assert ch["url"] == f"{BASEURL}/{doc}.html" and book["url"] == BASEURL + "/"
    # Highwire Press tags (what Zotero and Google Scholar read)
    assert meta["citation_title"] == [title]
    assert meta["citation_inbook_title"] == [pref["title"]]
    assert meta["citation_author"] == author_names(pref)
    assert meta["citation_publication_date"] == [str(CFF["date-released"]).replace("-", "/")]
    assert meta["citation_publisher"] == [publisher_name(CFF)]
    if BASEURL:
        assert meta["citation_fulltext_html_url"] == [f"{BASEURL}/{doc}.html"]


@pytest.mark.build
def test_front_matter_pages_carry_no_chapter_metadata(built_site):
    chapters, meta = _chapter_metadata(built_site, "book/how-to-cite")
    assert not chapters and not meta


@pytest.mark.build
def test_how_to_cite_gives_book_chapter_and_equation_entries(built_site):
    page = _soup(built_site / "book" / "how-to-cite.html")
    text = " ".join(page.select_one("main").get_text().split())
    assert "@book{lossbook," in text and "@incollection{lossbook-entropy-and-cross-entropy," in text
    assert f"publisher = {{{publisher_name(CFF)}}}" in text
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    assert f"commit {head[:12]}" in text or "no commit is recorded" in text
    assert not re.search(r"Chapter \d", text)
    # the equation is cited by its label's anchor, and that anchor exists
    link = page.select_one('a[href*="#equation-kl-decomp"]')
    assert link is not None
    target = _soup(built_site / "book" / "kl-divergence.html")
    assert target.find(id="equation-kl-decomp") is not None
    assert "not** stable" in (ROOT / "book" / "how-to-cite.md").read_text()


@pytest.mark.build
def test_chapter_cite_box_names_the_chapter_by_title(built_site):
    page = _soup(built_site / "book" / "kl-divergence.html")
    box = page.select_one("aside.lb-cite")
    assert box is not None
    text = box.get_text()
    assert "KL divergence. In Lossbook" in text
    assert not re.search(r"Chapter \d", text)


def test_references_bib_braces_balance():
    """Union merges of branches that append to references.bib have dropped or doubled closing
    braces; pybtex tolerates a stray one, so the file is checked brace by brace."""
    depth = 0
    for n, line in enumerate((ROOT / "book" / "references.bib").read_text().splitlines(), 1):
        if line.lstrip().startswith("%"):
            continue
        for ch in line:
            depth += (ch == "{") - (ch == "}")
            assert depth >= 0, f"references.bib line {n}: a closing brace with no entry open"
        if line.startswith("@"):
            assert depth == 1, f"references.bib line {n}: an entry starts before the previous one closed"
    assert depth == 0
