"""The site as readers meet it (issue 16): nothing cut off, readable figures, quiet pages.

Browser tests (Debian's Chromium, as tests/test_browser.py) over every page of the table of
contents, so chapters added later are measured too:

- at 360, 768, 1280, 1600 and 1920 px no displayed equation is clipped: from 1024 px on none
  is wider than its column; below, a wider one scrolls inside the column with a drawn scrollbar;
- at 390 px no page scrolls sideways;
- code lines fit the column at 1280 px: the column holds ``tools/wrap_code.LIMIT`` characters,
  and ``tools/wrap_code.py --check`` finds no longer line in any chapter;
- figures are SVG, with tick and axis labels of at least 9 pt at their displayed size;
- served over HTTP, no page makes a failed request (the favicon included).

File tests over the built HTML: no traceback, machine path, ``ipykernel`` path or warning;
verification cards collapsed behind the mark; glued numbers typeset (``1.2 × 10⁻⁵``, ``−0.5``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin

import pytest

from test_browser import ARGS, CHAPTERS, CHROMIUM, PAGES, server  # noqa: F401  (a fixture)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import wrap_code  # noqa: E402

IN_BROWSER = [pytest.mark.browser, pytest.mark.build]
WIDTHS = (360, 768, 1280, 1600, 1920)
#: pages a reader reaches on a phone: every chapter, how to cite, the API pages
PHONE_PAGES = CHAPTERS + [p for p in PAGES if p.endswith(("how-to-cite", "api", "api-book", "api-demos"))]


@pytest.fixture(scope="module")
def shown_browser():
    """Chromium as a reader has it: Playwright's headless default hides scrollbars
    (--hide-scrollbars); here they are drawn, so a test can see whether one is there."""
    if not CHROMIUM.exists():
        if os.environ.get("LOSSBOOK_REQUIRE_BROWSER") == "1":
            pytest.fail("Debian's chromium is required (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS,
                              ignore_default_args=["--hide-scrollbars"])
        yield b
        b.close()


def _open(context, base, page_path):
    page = context.new_page()
    failed = []
    page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url} (HTTP {r.status})"))
    page.goto(urljoin(base, page_path + ".html"), wait_until="load")
    page.wait_for_function("() => !window.MathJax || (MathJax.startup && MathJax.startup.promise)", timeout=30000)
    page.evaluate("() => window.MathJax && MathJax.startup.promise")
    page.wait_for_load_state("networkidle")
    return page, failed


_DISPLAYS = """() => {
  const art = document.querySelector('article').getBoundingClientRect();
  return [...document.querySelectorAll('article mjx-container[display="true"]')].map(c => {
    const svg = c.querySelector('svg'), r = c.getBoundingClientRect(), cs = getComputedStyle(c);
    const math = c.closest('div.math');
    return {id: (math && math.id) || (c.closest('dd') && c.closest('dd').previousElementSibling
                ? c.closest('dd').previousElementSibling.id : '') || c.getAttribute('aria-label') || '',
            // the column is the narrowest of the container, its div.math and the article: a container
            // wider than its column would otherwise hide the overflow in a parent that scrolls
            content: svg ? svg.getBoundingClientRect().width : 0,
            width: Math.min(c.clientWidth, math ? math.clientWidth : Infinity, art.width),
            scrollWidth: c.scrollWidth, overflow: cs.overflowX, bar: c.offsetHeight - c.clientHeight
              - parseFloat(cs.borderTopWidth) - parseFloat(cs.borderBottomWidth),
            left: r.left, right: r.right, artLeft: art.left, artRight: art.right,
            vw: document.documentElement.clientWidth, visible: r.width > 0};
  }).filter(d => d.visible);
}"""


def display_problems(displays, width):
    """What is wrong with the displayed equations of one page at one window width."""
    bad = []
    for d in displays:
        over = d["content"] > d["width"] + 1
        if d["right"] > d["vw"] + 1 or d["left"] < -1:
            bad.append(f"{d['id']}: box outside the window")
        elif width >= 1024 and over:
            bad.append(f"{d['id']}: {d['content']:.0f} px in a {d['width']} px column")
        elif over and not (d["overflow"] in ("auto", "scroll") and d["scrollWidth"] > d["width"] and d["bar"] >= 4):
            bad.append(f"{d['id']}: clipped ({d['content']:.0f} px in {d['width']} px, overflow {d['overflow']}, "
                       f"scrollbar {d['bar']:.0f} px)")
    return bad


def test_display_rule_can_fail():
    base = dict(id="e", width=300, scrollWidth=300, overflow="auto", bar=0, left=0, right=300, vw=360)
    assert display_problems([dict(base, content=400)], 1280)  # too wide on a desktop
    assert display_problems([dict(base, content=400, scrollWidth=400, overflow="hidden")], 360)  # clipped
    assert display_problems([dict(base, content=400, scrollWidth=400)], 360)  # scrolls, no bar drawn
    assert not display_problems([dict(base, content=400, scrollWidth=400, bar=8)], 360)
    assert not display_problems([dict(base, content=290)], 1280)


@pytest.mark.browser
@pytest.mark.build
@pytest.mark.parametrize("width", WIDTHS)
def test_no_displayed_equation_is_cut_off(shown_browser, server, width):
    context = shown_browser.new_context(viewport={"width": width, "height": 900})
    problems = []
    try:
        for page_path in PAGES:
            page, _ = _open(context, server, page_path)
            problems += [f"{page_path}: {p}" for p in display_problems(page.evaluate(_DISPLAYS), width)]
            page.close()
    finally:
        context.close()
    assert not problems, f"at {width} px:\n" + "\n".join(problems)


@pytest.mark.browser
@pytest.mark.build
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_no_page_scrolls_sideways_on_a_phone(shown_browser, server, dark):
    context = shown_browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark" if dark else "light")
    wide = []
    try:
        for page_path in PHONE_PAGES:
            page, _ = _open(context, server, page_path)
            sw = page.evaluate("() => document.documentElement.scrollWidth")
            if sw > 391:
                wide.append(f"{page_path}: {sw} px")
            page.close()
    finally:
        context.close()
    assert not wide, f"pages wider than a 390 px window: {wide}"


@pytest.mark.browser
@pytest.mark.build
@pytest.mark.parametrize("width", [1280, 390])
def test_notation_table_fits_its_column(shown_browser, server, width):
    """The notation page is looked up row by row: at 1280 px the table fits the column (long
    lossbook names wrap), on a phone each row stacks, so no row scrolls sideways (visual audit)."""
    context = shown_browser.new_context(viewport={"width": width, "height": 900})
    try:
        page, _ = _open(context, server, "book/notation")
        table, column, widest = page.evaluate(
            """() => { const t = document.querySelector('table#tab-notation');
                 const c = t.closest('.pst-scrollable-table-container') || t.parentElement;
                 const cells = [...t.querySelectorAll('td')].map(td => td.scrollWidth - td.clientWidth);
                 return [t.getBoundingClientRect().width, c.clientWidth, Math.max(...cells)]; }""")
    finally:
        context.close()
    assert table <= column + 1, f"notation table {table:.0f} px in a {column} px column at {width} px"
    assert widest <= 1, f"a notation cell overflows by {widest} px at {width} px"


@pytest.mark.browser
@pytest.mark.build
@pytest.mark.parametrize("width", [1280, 390])
def test_build_report_tables_fit_their_column(shown_browser, server, width):
    """The build report's per-chapter check and claim tables and the mutation table fit the
    column at 1280 px (long labels wrap) and stack on a phone (visual audit, 2026-12-03)."""
    context = shown_browser.new_context(viewport={"width": width, "height": 900})
    try:
        page, _ = _open(context, server, "book/build-report")
        sizes = page.evaluate(
            """() => [...document.querySelectorAll('article table')].map(t => {
                 const c = t.closest('.pst-scrollable-table-container') || t.parentElement;
                 return [t.id, t.getBoundingClientRect().width, c.clientWidth]; })""")
    finally:
        context.close()
    assert len(sizes) >= 10 and any(i == "table-mutation-net" for i, _, _ in sizes)
    wide = [(i, round(w), c) for i, w, c in sizes if w > c + 1]
    assert not wide, f"build-report tables wider than the column at {width} px: {wide}"


@pytest.mark.browser
@pytest.mark.build
@pytest.mark.parametrize("width", [390, 768, 1280])
def test_the_visible_sidebar_button_works(shown_browser, server, width):
    """The button a reader sees opens the table of contents on a phone or tablet (a dialog)
    and hides the sidebar on a desktop (pydata-sphinx-theme 0.17 with sphinx-book-theme left
    it dead: two .primary-toggle buttons, handlers on the hidden one)."""
    context = shown_browser.new_context(viewport={"width": width, "height": 900})
    try:
        page, _ = _open(context, server, CHAPTERS[0])
        buttons = page.locator(".primary-toggle")
        visible = [i for i in range(buttons.count()) if buttons.nth(i).is_visible()]
        assert len(visible) == 1, f"{len(visible)} visible sidebar buttons at {width} px"
        buttons.nth(visible[0]).click()
        page.wait_for_timeout(300)
        if width < 992:
            assert page.evaluate("() => document.getElementById('pst-primary-sidebar-modal').open"), \
                f"the table of contents did not open at {width} px"
            assert page.locator("#pst-primary-sidebar-modal a.reference").first.is_visible()
        else:
            assert page.evaluate(
                "() => document.getElementById('pst-primary-sidebar').classList.contains('pst-sidebar-hidden')"), \
                "the sidebar did not collapse at 1280 px"
    finally:
        context.close()


_INLINE_AND_OUTPUTS = """() => {
  const out = [];
  // an inline formula neither wraps nor scrolls: its right edge must stay inside its block
  for (const c of document.querySelectorAll('article mjx-container:not([display="true"])')) {
    const block = c.closest('p, li, td, dd, div.admonition, div.math, dt') || c.parentElement;
    const b = block.getBoundingClientRect(), r = c.getBoundingClientRect();
    if (r.width > 0 && r.right > b.right + 1 && !c.closest('.pst-scrollable-table-container, .table-wrapper'))
      out.push('inline formula ' + (c.getAttribute('aria-label') || c.textContent).slice(0, 60)
               + ': ' + Math.round(r.right - b.right) + ' px past its block');
  }
  // a printed output is read, not scrolled: it fits its box at desktop width
  for (const pre of document.querySelectorAll('article div.cell_output pre')) {
    if (pre.getBoundingClientRect().width > 0 && pre.scrollWidth > pre.clientWidth + 1)
      out.push('cell output ' + pre.textContent.trim().split('\\n')[0].slice(0, 60) + ': '
               + pre.scrollWidth + ' px in ' + pre.clientWidth);
  }
  return out;
}"""


@pytest.mark.browser
@pytest.mark.build
def test_inline_formulas_and_printed_outputs_fit_at_1280(shown_browser, server):
    """At 1280 px no inline formula runs past its paragraph (inline maths is cut, not
    scrolled) and no printed cell output is wider than its box (the visual audit found both)."""
    context = shown_browser.new_context(viewport={"width": 1280, "height": 900})
    problems = []
    try:
        for page_path in PAGES:
            page, _ = _open(context, server, page_path)
            problems += [f"{page_path}: {p}" for p in page.evaluate(_INLINE_AND_OUTPUTS)]
            page.close()
    finally:
        context.close()
    assert not problems, "\n".join(problems[:40])


@pytest.mark.browser
@pytest.mark.build
def test_code_column_holds_the_line_limit_at_1280(shown_browser, server):
    context = shown_browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page, _ = _open(context, server, CHAPTERS[0])
        fits = page.evaluate(
            """(n) => { const pre = document.querySelector('article div.cell_input pre');
                 const s = document.createElement('span'); s.textContent = 'x'.repeat(n); pre.appendChild(s);
                 const cs = getComputedStyle(pre);
                 const inner = pre.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
                 const w = s.getBoundingClientRect().width; s.remove(); return [w, inner]; }""",
            wrap_code.LIMIT,
        )
    finally:
        context.close()
    assert fits[0] <= fits[1], f"{wrap_code.LIMIT} characters take {fits[0]:.0f} px; the code column has {fits[1]:.0f} px"


def test_code_lines_fit_the_column():
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "wrap_code.py"), "--check"], capture_output=True, text=True)
    assert r.returncode == 0, "run python3 tools/wrap_code.py:\n" + r.stdout[-3000:]


def test_wrap_keeps_the_code_and_shortens_the_lines():
    code = (
        "result = some_function(first_argument_name, second_argument_name, third_argument_name, fourth=4)\n"
        "# a comment that is much too long for the column of the book at twelve hundred and eighty pixels wide\n"
        "x = 1"
    )
    out = wrap_code.wrap_cell(code, 60)
    assert max(len(l) for l in out.splitlines()) <= 60
    import ast

    assert ast.dump(ast.parse(out)) == ast.dump(ast.parse(code))
    assert wrap_code.wrap_cell("%timeit f(x)  " + "y" * 80, 60).startswith("%timeit")  # magics left alone


# --- figures -------------------------------------------------------------------------------
def svg_text_sizes(svg_text: str):
    """(kind, text, font size in pt) for each text of a matplotlib SVG; kind is 'tick', 'axis
    label', 'legend' or 'other' (titles, annotations)."""
    root = ET.fromstring(svg_text)
    out = []

    def walk(el, ancestors):
        gid = el.get("id", "")
        if el.tag.endswith("}g") and gid.startswith("text_"):
            m = None
            for sub in el.iter():
                m = re.search(r"scale\(([0-9.]+) -[0-9.]+\)", sub.get("transform", "")) or re.search(
                    r"scale\(([0-9.]+)\)", sub.get("transform", ""))
                if m:
                    break
            label = ""
            for node in el.iter():
                pass
            ids = [a.get("id", "") for a in ancestors]
            kind = ("tick" if any(i.startswith(("xtick_", "ytick_")) for i in ids) else
                    "legend" if any(i.startswith("legend_") for i in ids) else
                    "axis label" if ids and ids[-1].startswith("matplotlib.axis_") else "other")
            if m:
                out.append((kind, gid, float(m.group(1)) * 100))
            return
        for child in el:
            walk(child, ancestors + [el])

    walk(root, [])
    return out


def _svg_width_pt(svg_text: str) -> float:
    return float(re.search(r'<svg[^>]*\swidth="([0-9.]+)pt"', svg_text).group(1))


_FIGURES = """() => [...document.querySelectorAll('article img')].filter(i => i.closest('.cell_output'))
                 .map(i => ({src: i.currentSrc || i.src, width: i.getBoundingClientRect().width}))"""


def _figure_sizes(shown_browser, server, page_path):
    context = shown_browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page, _ = _open(context, server, page_path)
        figs = page.evaluate(_FIGURES)
        out = []
        for f in figs:
            text = context.request.get(f["src"]).text() if f["src"].endswith(".svg") else None
            out.append((f, text))
        return out
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.build
@pytest.mark.parametrize("page_path", CHAPTERS)
def test_figures_are_svg_with_readable_axes(shown_browser, server, page_path):
    small = []
    figs = _figure_sizes(shown_browser, server, page_path)
    assert figs, "a chapter without a figure"
    for f, svg in figs:
        assert f["src"].endswith(".svg"), f"not a vector figure: {f['src']}"
        scale = f["width"] / (_svg_width_pt(svg) * 4 / 3)  # CSS px per pt of the figure
        for kind, gid, size in svg_text_sizes(svg):
            if kind in ("tick", "axis label") and size * scale < 9 - 1e-6:
                small.append(f"{Path(f['src']).name[:12]} {kind} {gid}: {size:g} pt shown at {size * scale:.1f} pt")
    assert not small, "text under 9 pt at 1280 px:\n" + "\n".join(small[:20])


def unlabelled_axes(svg: str) -> list[str]:
    """The panels of a matplotlib SVG with an axis that has no label."""
    out = []
    for ax in ET.fromstring(svg).iter():
        if ax.get("id", "").startswith("axes_"):
            axes = [a for a in ax.iter() if a.get("id", "").startswith("matplotlib.axis_")]
            labelled = [a for a in axes if any(c.get("id", "").startswith("text_") for c in a)]
            # an axis without tick labels shows no values (a zoom inset, an image): it needs no label
            with_values = [a for a in axes if any(c.get("id", "").startswith("text_") for c in a.iter() if c is not a)]
            if len(axes) == 2 and with_values and len(labelled) < len(with_values):
                out.append(ax.get("id"))
    return out


@pytest.mark.browser
@pytest.mark.build
@pytest.mark.parametrize("page_path", CHAPTERS[:1])
def test_all_figure_text_is_at_least_9pt(shown_browser, server, page_path):
    small = []
    for p in CHAPTERS:
        for f, svg in _figure_sizes(shown_browser, server, p):
            scale = f["width"] / (_svg_width_pt(svg) * 4 / 3)
            small += [f"{p} {kind} {size * scale:.1f} pt" for kind, _, size in svg_text_sizes(svg) if size * scale < 9]
            small += [f"{p} {Path(f['src']).name[:12]} {ax}: an axis without a label" for ax in unlabelled_axes(svg)]
    assert not small, "\n".join(small[:30])


def test_svg_text_sizes_reads_matplotlib_output():
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lossbook import book

    with book.style():
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1], label="a")
        ax.set_xlabel("x (nats)")
        ax.set_ylabel("y")
        ax.legend(fontsize=8)
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
        plt.close(fig)
    sizes = svg_text_sizes(buf.getvalue())
    kinds = {k for k, _, _ in sizes}
    assert {"tick", "axis label", "legend"} <= kinds
    assert min(s for k, _, s in sizes if k == "legend") == 8
    assert min(s for k, _, s in sizes if k == "tick") == book.style_params()["xtick.labelsize"]


# --- quiet pages ---------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.build
def test_no_page_makes_a_failed_request(shown_browser, server):
    context = shown_browser.new_context(viewport={"width": 1280, "height": 900})
    failed = []
    try:
        for page_path in PAGES:
            page, f = _open(context, server, page_path)
            failed += [f"{page_path}: {x}" for x in f]
            page.close()
    finally:
        context.close()
    assert not failed, "\n".join(failed[:20])


DEBRIS = [
    (re.compile(r"Traceback \(most recent call last\)|<span class=\"ansi-[a-z-]+\">Traceback"), "a traceback"),
    (re.compile(r"(?<![\w.])/(?:work|tmp|home|root|Users|opt)/[\w.-]+"), "an absolute path of the build machine"),
    (re.compile(r"ipykernel"), "an ipykernel path"),
    # Python prints a warning as "file:line: Category: message"; a demonstrated one is shown
    # as "Category: message" (book.show_warnings)
    (re.compile(r":\d+: \w*Warning\b"), "a warning"),
]


def _built_pages(site: Path):
    for page in sorted(site.rglob("*.html")):
        if "_static" in page.parts or page.name in ("genindex.html", "search.html"):
            continue
        yield page


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return html


@pytest.mark.build
def test_no_build_debris_in_the_site(built_site):
    found = []
    for page in _built_pages(built_site):
        text = _visible_text(page.read_text(errors="replace"))
        for pattern, what in DEBRIS:
            m = pattern.search(text)
            if m:
                found.append(f"{page.relative_to(built_site)}: {what}: ...{text[max(0, m.start() - 60):m.end() + 40]!r}")
    assert not found, "\n".join(found[:20])


def test_debris_patterns_can_fail():
    sample = "Traceback (most recent call last) /tmp/ipykernel_1/123.py:4: RuntimeWarning: divide"
    assert all(p.search(sample) for p, _ in DEBRIS)
    assert not any(p.search("see https://example.org/work/x and lossbook/book/verify.py") for p, _ in DEBRIS[1:2])


@pytest.mark.build
@pytest.mark.parametrize("doc", CHAPTERS)
def test_verification_cards_are_collapsed_behind_the_mark(built_site, doc):
    html = (built_site / f"{doc}.html").read_text()
    cards = re.findall(r'(<details class="lb-card"[^>]*>)<summary>[^<]*(?:<span[^>]*>[^<]*</span>[^<]*)*</summary>'
                       r'<div class="lb-verification', html)
    n_cards = html.count('<div class="lb-verification ')
    assert n_cards and len(cards) == n_cards, f"{n_cards} cards, {len(cards)} inside a collapsed <details>"
    assert all(" open" not in c for c in cards), "a passed check's card is open by default"


@pytest.mark.build
@pytest.mark.parametrize("doc", CHAPTERS)
def test_numbers_in_the_prose_are_typeset(built_site, doc):
    html = (built_site / f"{doc}.html").read_text()
    pasted = re.findall(r'<span class="pasted-text">([^<]*)</span>', html)
    bad = [t for t in pasted if re.search(r"\d[eE][-+]?\d", t) or re.match(r"-\d", t)]
    assert not bad, f"numbers pasted as Python writes them: {bad[:10]}"


@pytest.mark.browser
@pytest.mark.build
def test_mark_link_opens_the_collapsed_card(shown_browser, server):
    context = shown_browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page, _ = _open(context, server, CHAPTERS[0])
        card = page.locator("details.lb-card").first
        assert not card.evaluate("d => d.open")
        assert not card.locator("div.lb-verification").is_visible()
        badge = page.locator("details.lb-badge").first
        badge.locator("summary").click()
        link = badge.locator("a[href*='#verification-']").first
        target = link.get_attribute("href").split("#")[1]
        link.click()
        page.wait_for_timeout(300)
        opened = page.locator(f"[id='{target}']")
        assert opened.is_visible(), "the mark's link does not open the card"
        assert opened.evaluate("e => e.closest('details').open")
    finally:
        context.close()


# --- reference pages -----------------------------------------------------------------------
@pytest.mark.build
@pytest.mark.parametrize("doc", ["book/api", "book/api-book", "book/api-demos"])
def test_api_pages_have_no_duplicated_paragraph(built_site, doc):
    html = (built_site / f"{doc}.html").read_text()
    article = html.split("<article", 1)[1].split("</article>", 1)[0]
    # parameters and references shared by several functions are described alike in each entry:
    # a paragraph may not repeat within one entry, nor in the text around the entries
    article = re.sub(r'<dl class="field-list.*?</dl>', " ", article, flags=re.S)
    dup = []
    for chunk in re.split(r'<dl class="py ', article):
        paras = [" ".join(re.sub(r"<[^>]+>", "", p).split()) for p in re.findall(r"<p\b[^>]*>(.*?)</p>", chunk, re.S)]
        seen = set()
        for p in paras:
            if len(p) >= 60:
                if p in seen:
                    dup.append(p[:80])
                seen.add(p)
    assert not dup, f"paragraphs printed twice: {dup[:5]}"


@pytest.mark.build
def test_api_page_opens_with_linked_summary_tables(built_site):
    html = (built_site / "book" / "api.html").read_text()
    article = html.split("<article", 1)[1]
    first_table = article.find("<table")
    assert 0 <= first_table < article.find('<dl class="py function"'), "the summary tables do not open the page"
    # each summary row links to an entry that exists
    links = re.findall(r'<a class="reference internal" href="([^"]*)"[^>]*><code[^>]*><span class="pre">(lb|book|demos)\.(\w+)</span>', article)
    assert len(links) > 60
    for href, room, name in links:
        page, _, anchor = href.partition("#")
        target = (built_site / "book" / page).read_text() if page else html
        assert f'id="{anchor}"' in target, f"{room}.{name} links to a missing entry {href}"


@pytest.mark.build
def test_build_report_names_the_build_and_lists_chapters_in_book_order(built_site):
    import platform

    import numpy
    import sphinx
    from importlib.metadata import version

    html = (built_site / "book" / "build-report.html").read_text()
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    for needle in (f"Python {platform.python_version()}", f"numpy {numpy.__version__}",
                   f"Sphinx {sphinx.__version__}", f"myst-nb {version('myst-nb')}"):
        assert needle in text, needle
    assert re.search(r"Commit [0-9a-f]{40}", text) and (not commit or commit[:12] in text or "uncommitted" in text)
    table = html.split('id="table-verified-equations"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr class="row-(?:odd|even)"><td><p><a class="reference internal" href="([\w-]+)\.html', table)
    order = [Path(c).name for c in CHAPTERS]
    assert rows == [r for r in order if r in rows] and len(rows) >= len(CHAPTERS), rows
    assert "all verified" in table
    exec_table = html.split('id="table-execution-statistics"', 1)[1].split("</table>", 1)[0]
    assert "passed" in exec_table and "FAILED" not in exec_table


def test_unlabelled_axes_reads_matplotlib_output():
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def svg_of(fig):
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
        plt.close(fig)
        return buf.getvalue()

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("x")
    assert len(unlabelled_axes(svg_of(fig))) == 1  # the y axis shows values and has no label
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    inset = ax.inset_axes([0.1, 0.1, 0.3, 0.3])
    inset.plot([0, 1], [1, 0])
    inset.set_xticks([])
    inset.set_yticks([])
    assert unlabelled_axes(svg_of(fig)) == []  # a zoom inset without ticks needs no labels
