"""The PDF edition (`python3 dev.py pdf`): a real book, numbered like the site.

Needs TeX Live and poppler from apt (the packages are named in _ext/lossbook_pdfbuild.py).
Without them these tests are skipped locally; with LOSSBOOK_REQUIRE_TEX=1 (as in CI,
`.ci/run`) a missing TeX is a failure. LOSSBOOK_SKIP_BUILD=1 tests the PDFs and site
already built (by `python3 dev.py pdf`) instead of building them.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
import lossbook_pdfbuild as pdfbuild  # noqa: E402

from conftest import build_problems  # noqa: E402

LATEX = ROOT / "_build" / "latex"
BOOK = LATEX / "lossbook.pdf"
SITE = ROOT / "_build" / "html"
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
NUMBERED = [c["file"] for p in TOC["parts"] if p.get("numbered") for c in p["chapters"]]
ALL_CHAPTERS = [c["file"] for p in TOC["parts"] for c in p["chapters"]]

pytestmark = pytest.mark.build


def _title(doc: str) -> str:
    """The page's title as printed: without the Markdown code markup (`...`)."""
    m = re.search(r"^# (.+)$", (ROOT / f"{doc}.md").read_text(encoding="utf-8"), flags=re.M)
    return re.sub(r"`([^`]*)`", r"\1", m.group(1).strip())


@functools.lru_cache(maxsize=None)
def _text(pdf: Path, *args) -> str:
    r = subprocess.run(["pdftotext", *args, str(pdf), "-"], capture_output=True, text=True, check=True)
    # hyphens and spaces as typeset: join "cross-" + newline, normalise dashes and spaces
    text = r.stdout.replace("\u2010", "-").replace("\u2011", "-").replace("\xa0", " ")
    return text.replace("\u2019", "'")  # LaTeX sets the apostrophe as a right quote


@pytest.fixture(scope="session")
def pdf_edition() -> Path:
    """Build the PDF edition (and the site that links it), or skip when TeX is absent."""
    missing = pdfbuild.missing_tools()
    if missing:
        msg = pdfbuild.missing_message(missing)
        if os.environ.get("LOSSBOOK_REQUIRE_TEX") == "1":
            pytest.fail("LOSSBOOK_REQUIRE_TEX=1 but " + msg)
        pytest.skip("TeX Live is not installed: " + msg.splitlines()[0])
    if os.environ.get("LOSSBOOK_SKIP_BUILD") != "1":
        exe = Path(sys.executable).with_name("jupyter-book")
        logs = []

        def run(cmd):
            r = subprocess.run([str(c) for c in cmd], cwd=ROOT, capture_output=True, text=True, timeout=3600)
            logs.append(r.stdout + r.stderr)
            return r.returncode

        if pdfbuild.build(ROOT, exe, run) != 0:
            pytest.fail("the PDF build failed:\n" + build_problems("\n".join(logs)))
        # the site picks the PDFs up (download menus, _build/html/_pdf)
        if run([exe, "build", ROOT, "-W", "-n", "--keep-going"]) != 0:
            pytest.fail("the strict HTML build after the PDF build failed:\n" + build_problems(logs[-1]))
    assert BOOK.is_file()
    return BOOK


def test_missing_tex_message_names_the_apt_packages():
    msg = pdfbuild.missing_message(["xelatex"])
    assert "xelatex" in msg
    assert f"apt-get install {pdfbuild.APT_PACKAGES}" in msg
    for pkg in ("texlive-xetex", "texlive-latex-extra", "texlive-fonts-recommended", "latexmk", "fonts-freefont-otf"):
        assert pkg in msg


def test_dev_pdf_without_tex_says_what_to_install(tmp_path):
    """`dev.py pdf` with an empty PATH (no TeX): exit 3 and the apt line, no traceback."""
    env = dict(os.environ, PATH=str(tmp_path))
    r = subprocess.run([sys.executable, str(ROOT / "dev.py"), "pdf"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert r.returncode == 3, r.stdout + r.stderr
    assert "apt-get install texlive-xetex" in r.stderr
    assert "Traceback" not in r.stderr


def test_overfull_box_parser():
    log = "Overfull \\hbox (12.5pt too wide) in paragraph at lines 3--4\nOverfull \\vbox (1.0pt too high) has occurred"
    assert [w for w, _ in pdfbuild.overfull_boxes(log)] == [12.5, 1.0]


def test_the_book_has_title_page_contents_and_every_chapter_numbered_as_on_the_site(pdf_edition):
    text = _text(pdf_edition)
    first = _text(pdf_edition, "-f", "1", "-l", "1")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert "Lossbook" in first and f"Version {cff['version']}" in first and "CC BY 4.0" in first
    assert "Contents" in _text(pdf_edition, "-f", "2", "-l", "3") or "CONTENTS" in _text(pdf_edition, "-f", "2", "-l", "3")
    flat = re.sub(r"\s+", " ", text)
    for doc in ALL_CHAPTERS:
        assert _title(doc) in flat or _title(doc).upper() in flat, f"{doc}: chapter title missing from the PDF"
    # numbered chapters are Chapter 1..n in reading order, the others unnumbered (as on the site)
    for n, doc in enumerate(NUMBERED, start=1):
        assert re.search(rf"Chapter {n}\. {re.escape(_title(doc))}", flat), f"{doc} is not Chapter {n} in the running heads"
    for part in TOC["parts"]:
        assert part["caption"] in flat
    assert "Checks of the verified equations" in flat
    assert "Bibliography" in flat or "BIBLIOGRAPHY" in flat


def test_one_pdf_per_chapter_with_its_own_pages(pdf_edition):
    for doc in ALL_CHAPTERS:
        name = doc.rsplit("/", 1)[-1]
        pdf = LATEX / "chapters" / f"{name}.pdf"
        assert pdf.is_file(), f"no chapter PDF for {doc}"
    for n, doc in enumerate(NUMBERED, start=1):
        text = re.sub(r"\s+", " ", _text(LATEX / "chapters" / f"{doc.rsplit('/', 1)[-1]}.pdf"))
        assert _title(doc).upper() in text or _title(doc) in text
        other = NUMBERED[n] if n < len(NUMBERED) else None
        if other:
            assert f"Chapter {n + 1}." not in text, f"{doc}'s PDF runs into the next chapter"


def _site_equation_numbers() -> dict:
    numbers = {}
    for doc in NUMBERED:
        page = (SITE / f"{doc}.html").read_text(encoding="utf-8")
        for m in re.finditer(r'<span class="eqno">\(([\d.]+)\)<a class="headerlink" href="#equation-([^"]+)"', page):
            numbers[m.group(2)] = (m.group(1), doc)
    return numbers


def test_every_site_equation_number_is_the_pdf_number_for_the_same_label(pdf_edition):
    site = _site_equation_numbers()
    assert len(site) > 20, "the site shows too few equation numbers; the HTML format changed?"
    # the checks appendix prints "(number) label" for every check, as LaTeX resolved them
    pages = pdfbuild.chapter_pages(LATEX)
    text = _text(pdf_edition, "-layout")
    appendix = text[text.rindex("CHECKS OF THE VERIFIED EQUATIONS"):]  # the chapter heading
    pdf_numbers = {}
    for m in re.finditer(r"\((\d+\.\d+)\)\s+([a-z][a-z0-9-]+)", appendix):
        pdf_numbers.setdefault(m.group(2), m.group(1))
    wrong = {lab: (num, pdf_numbers.get(lab)) for lab, (num, _) in site.items() if pdf_numbers.get(lab) != num}
    assert not wrong, f"label: (site number, PDF number) differ: {wrong}"
    # and each number is printed in that chapter's own pages, beside its equation
    for lab, (num, doc) in site.items():
        first, last = pages[doc]
        chapter = _text(pdf_edition, "-f", str(first), "-l", str(last))
        assert f"({num})" in chapter, f"({num}) {lab} is not printed in {doc}'s pages {first}-{last}"


def test_no_unresolved_reference_or_citation(pdf_edition):
    log = (LATEX / "lossbook.log").read_text(errors="replace")
    assert not re.findall(r"(Reference|Citation) `[^']+' on page \d+ undefined", log)
    assert "There were undefined references" not in log
    text = _text(pdf_edition)
    assert "??" not in text, "an unresolved reference ('??') is printed"


def test_no_overfull_box_above_the_limit(pdf_edition):
    log = (LATEX / "lossbook.log").read_text(errors="replace")
    big = [line for width, line in pdfbuild.overfull_boxes(log) if width > pdfbuild.OVERFULL_LIMIT_PT]
    assert not big, f"{len(big)} overfull boxes wider than {pdfbuild.OVERFULL_LIMIT_PT} pt:\n" + "\n".join(big[:15])


@pytest.mark.parametrize("which", ["lossbook.pdf", "chapters/kl-divergence.pdf"])
def test_every_font_is_embedded(pdf_edition, which):
    out = subprocess.run(["pdffonts", str(LATEX / which)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows, "pdffonts lists no font"
    # columns: name type encoding emb sub uni object ID; 'emb' is the 4th from the right
    not_embedded = [r for r in rows if r.split()[-5] != "yes"]
    assert not not_embedded, "\n".join(not_embedded)


def test_figures_are_vector_graphics(pdf_edition):
    tex = (LATEX / "lossbook.tex").read_text(encoding="utf-8")
    graphics = re.findall(r"\\sphinxincludegraphics(?:\[[^\]]*\])?\{\{?([^}]+?)\}?\.(\w+)\}", tex)
    assert len(graphics) >= 8, "too few figures found in the LaTeX"
    raster = [f"{name}.{ext}" for name, ext in graphics if ext.lower() not in {"pdf"}]
    assert not raster, f"figures included as raster images: {raster[:5]}"


def test_verified_equations_are_marked_and_the_checks_appendix_lists_kind_and_how(pdf_edition):
    tex = (LATEX / "lossbook.tex").read_text(encoding="utf-8")
    n_eq = tex.count(r"\begin{equation}\label{equation:")
    n_marks = tex.count(r"\lossbookverified{")
    assert n_eq > 20 and n_marks == n_eq, f"{n_eq} labelled equations but {n_marks} verified marks"
    assert r"\chapter{Checks of the verified equations}" in tex
    appendix = tex[tex.index(r"\chapter{Checks of the verified equations}"):]
    for column in ("Kind", "How it was computed"):
        assert column in appendix


def test_exercise_solutions_are_printed(pdf_edition):
    text = re.sub(r"\s+", " ", _text(pdf_edition))
    n_ex = len(re.findall(r"Exercise \d+\.\d+\.\d+ ", text))
    n_sol = len(re.findall(r"Solution to Exercise \d+\.\d+\.\d+", text))
    assert n_ex > 10 and n_sol > 10


def test_the_site_links_and_serves_the_pdfs(pdf_edition):
    assert (SITE / "_pdf" / "lossbook.pdf").is_file()
    front = (SITE / "book" / "index.html").read_text(encoding="utf-8")
    assert 'href="../_pdf/lossbook.pdf"' in front
    for doc in NUMBERED:
        name = doc.rsplit("/", 1)[-1]
        page = (SITE / f"{doc}.html").read_text(encoding="utf-8")
        assert f'href="../_pdf/{name}.pdf"' in page, f"{doc}: no link to its PDF"
        assert "window.print()" not in page, f"{doc}: the theme's print-the-page entry is still offered"
        assert (SITE / "_pdf" / f"{name}.pdf").is_file()


def test_ci_installs_the_tex_packages_and_requires_them():
    # the lines that run, not comments
    ci = "\n".join(line.split("#", 1)[0] for line in (ROOT / ".ci" / "run").read_text().splitlines())
    assert pdfbuild.APT_PACKAGES in ci
    assert re.search(r"^\s*export LOSSBOOK_REQUIRE_TEX=1\b", ci, flags=re.M)


def test_every_site_figure_number_is_printed_in_the_same_chapter(pdf_edition):
    pages = pdfbuild.chapter_pages(LATEX)
    n = 0
    for doc in NUMBERED:
        page = (SITE / f"{doc}.html").read_text(encoding="utf-8")
        site_figs = re.findall(r'<span class="caption-number">Fig\. ([\d.]+) </span>', page)
        first, last = pages[doc]
        chapter = re.sub(r"\s+", " ", _text(pdf_edition, "-f", str(first), "-l", str(last)))
        pdf_figs = re.findall(r"Fig\. ([\d.]+): ", chapter)
        assert pdf_figs == site_figs, f"{doc}: site figures {site_figs}, PDF captions {pdf_figs}"
        n += len(site_figs)
    assert n >= 8


def test_the_build_report_in_print_points_to_the_appendix_instead_of_card_links(pdf_edition):
    """The per-check tables link to the checking cells' cards, which the PDF does not print."""
    sys.path.insert(0, str(ROOT / "_ext"))
    import lossbook_latex

    # words hyphenated at a line end are joined (the note itself has no hyphen)
    flat = re.sub(r"\s+", " ", re.sub(r"(\w)-\n(\w)", r"\1\2", _text(pdf_edition)))
    assert lossbook_latex.PRINT_REPORT_NOTE in flat
    tex = (LATEX / "lossbook.tex").read_text(encoding="utf-8")
    report = tex[tex.index(r"\chapter{Build report}"):]
    assert "verification-" not in report and "claim-" not in report.split(r"\section{The mutation net}")[0]
