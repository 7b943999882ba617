"""Accessibility of the built site (issue 19), in Debian's Chromium driven by Playwright.

* **WCAG 2.1 A/AA.** axe-core (bundled by ``axe-playwright-python``, injected from the
  package: nothing is fetched) runs every WCAG 2.0/2.1 level A and AA rule, plus the
  "label in name" rule (WCAG 2.5.3, which axe ships as experimental), on every page of the
  table of contents and on the search, general, module and proof index pages, in light and
  in dark mode. Any violation fails, with the rule, its impact and the elements at fault.
  A test fails if the built site has an HTML page the audit does not open; another shows the
  audit failing on a served copy of a real chapter with known faults put in.
* **Mathematics a screen reader can speak.** Two displayed equations are read through
  Chromium's accessibility tree (Playwright's ARIA snapshot): each must be a ``math``
  node holding the formula's symbols, not an image without a name or nothing at all.
* **Figures.** Each described figure's image is named by its alt text and has its long
  description as ``details`` in Chromium's tree.
* **Keyboard.** A chapter is walked with the Tab key alone: every verified mark, figure
  description, hidden cell, solution, the download menu and the search button is reached, in reading order,
  each with a visible focus ring; a verified mark opens with Enter and its link moves the
  focus to the check's card; a solution opens with Enter.

Like tests/test_browser.py, these are skipped without /usr/bin/chromium unless
LOSSBOOK_REQUIRE_BROWSER=1 (as in CI).
"""

from __future__ import annotations

import re

import pytest

from test_browser import CHAPTERS, PAGES, Visit, _shot, browser, server  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.build]

#: axe-core options: every WCAG 2.0 and 2.1 rule of level A and AA, and WCAG 2.5.3
#: (label in name), which axe tags "experimental" and so would otherwise skip.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "rules": {"label-content-name-mismatch": {"enabled": True}},
    "resultTypes": ["violations"],
}
#: pages outside the table of contents: search and the general index (linked from every
#: page), and the two domain indexes Sphinx writes (Python modules, sphinx-proof's proofs)
EXTRA_PAGES = ["search", "genindex", "py-modindex", "prf-prf"]
#: HTML files that are not pages: jupyter-book's root index.html is only a
#: ``<meta http-equiv="Refresh" content="0; url=book/index.html">``, which the browser follows
#: before anything is shown (the page it leads to is audited)
NOT_PAGES = {"index"}


def _axe(page) -> dict:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page, options=AXE_OPTIONS).response


def _describe(violations) -> str:
    lines = []
    for v in violations:
        targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:4]]
        lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']}; e.g. {targets}")
    return "\n".join(lines)


def _assert_no_violations(visit, page_path, mode):
    """The audit of one page in one colour mode: axe-core's WCAG 2.1 A/AA rules, none violated."""
    assert visit.page.evaluate("() => document.documentElement.dataset.theme") == mode
    result = _axe(visit.page)
    assert result["testEngine"]["name"] == "axe-core"
    assert not result["violations"], f"{page_path} ({mode}):\n" + _describe(result["violations"])


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("page_path", PAGES + EXTRA_PAGES)
def test_no_wcag_21_aa_violations(browser, server, page_path, mode):
    v = Visit(browser, server, page_path, dark=mode == "dark")
    try:
        _assert_no_violations(v, page_path, mode)
    finally:
        v.close()


def test_every_html_page_of_the_site_is_audited(built_site):
    """No page escapes the audit: each HTML file of the built site is in the list above.

    Chapters come from _toc.yml, so a new chapter is audited as soon as it is in the table of
    contents; a page of another kind (a new index, an orphan page) fails here until it is added.
    """
    files = {
        str(f.relative_to(built_site).with_suffix(""))
        for f in built_site.rglob("*.html")
        if not f.relative_to(built_site).parts[0].startswith("_")
    }
    audited = set(PAGES) | set(EXTRA_PAGES)
    assert files - NOT_PAGES <= audited, f"pages the accessibility audit does not open: {sorted(files - NOT_PAGES - audited)}"
    assert audited <= files, f"audited pages missing from the site: {sorted(audited - files)}"
    assert "Refresh" in (built_site / "index.html").read_text()


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_the_audit_fails_on_a_copy_of_a_real_page_with_known_violations(browser, server, built_site, mode):
    """A built chapter, served as a copy with three faults put in, fails the very same audit.

    The faults: a figure image without alt text (WCAG 1.1.1, axe ``image-alt``), a
    search button named "Find" while it shows "Search Ctrl+K" (WCAG 2.5.3,
    ``label-content-name-mismatch``) and a paragraph of pale grey text (WCAG 1.4.3,
    ``color-contrast``).
    """
    page_path = CHAPTERS[0]
    html = (built_site / f"{page_path}.html").read_text()
    start = html.index("<article")
    faulty = html[:start] + re.sub(r'(<img\b[^>]*?) alt="[^"]*"', r"\1", html[start:], count=1)
    faulty = faulty.replace('<button class="btn search-button-field', '<button aria-label="Find" class="btn search-button-field', 1)
    faulty = faulty.replace(
        "</article>", '<p style="color:#b0b0b0 !important;background:#fff">faint words</p></article>', 1
    )
    assert faulty.count("faint words") == 1 and 'aria-label="Find"' in faulty
    copy = f"{page_path}-a11y-copy"
    v = Visit(browser, server, copy, dark=mode == "dark", serve={f"{copy}.html": faulty})
    try:
        assert v.page.locator("article img:not([alt])").count() >= 1
        with pytest.raises(AssertionError) as failure:
            _assert_no_violations(v, copy, mode)
        message = str(failure.value)
        for rule in ("image-alt", "label-content-name-mismatch", "color-contrast"):
            assert rule in message, message
    finally:
        v.close()


def test_axe_check_can_fail(browser):
    """The same options report the faults this issue fixed, on a page made to have them."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.set_content(
            """<html lang="en"><head><title>faults</title></head><body><main>
            <button aria-label="Search">Search <kbd>Ctrl</kbd>+<kbd>K</kbd></button>
            <p style="background:#ecf3ff"><a href="#x" style="color:#176de8">(3.2)</a></p>
            <div role="list"><div role="doc-biblioentry">Bishop, 1995</div></div>
            </main></body></html>"""
        )
        found = {v["id"] for v in _axe(page)["violations"]}
        assert {"label-content-name-mismatch", "color-contrast", "aria-required-children"} <= found, found
    finally:
        context.close()


# ---------------------------------------------------------------------------
# mathematics in the accessibility tree
# ---------------------------------------------------------------------------
def test_two_equations_are_exposed_as_mathematics(browser, server):
    page_path = CHAPTERS[0]
    v = Visit(browser, server, page_path)
    try:
        p = v.page
        config = p.evaluate("() => [MathJax.config.loader.load, MathJax.config.options.enableAssistiveMml]")
        assert "a11y/assistive-mml" in config[0] and config[1] is True, config
        # on the page as it opens: displays inside a closed solution dropdown are not shown yet
        equations = p.locator("article div.math[id^='equation-'] >> visible=true")
        assert equations.count() >= 2
        for i in (0, equations.count() - 1):
            eq = equations.nth(i)
            eq.scroll_into_view_if_needed()
            snapshot = eq.aria_snapshot()
            # the formula is a `math` node, with its symbols as text (not skipped, not an
            # unnamed image)
            maths = re.findall(r"^\s*- math:? ?(.*)$", snapshot, flags=re.M)
            assert maths and maths[0].strip(), f"equation {i} is not exposed as mathematics:\n{snapshot}"
            # ... the symbols of this very formula: MathJax's own MathML, read from the DOM
            mathml = eq.evaluate("e => e.querySelector('mjx-assistive-mml math').textContent")
            spoken, source = (re.sub(r"\s", "", t) for t in (maths[0], mathml))
            assert len(source) >= 3 and spoken == source, (spoken, source)
            # ... and read once: the SVG drawing is hidden from assistive technology
            assert eq.locator("svg").first.get_attribute("aria-hidden") == "true"
    finally:
        v.close()


@pytest.mark.parametrize("page_path", CHAPTERS)
def test_figure_descriptions_are_the_images_details(browser, server, page_path):
    """In Chromium's accessibility tree each described figure's image is named by its alt text
    and has ``details``: the "Description of Fig. N.M" disclosure, whose content (with its
    mathematics as ``math`` nodes) is read once it is opened."""
    v = Visit(browser, server, page_path)
    try:
        p = v.page
        descs = p.locator("article details.lb-figdesc")
        cdp = p.context.new_cdp_session(p)
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        for i in range(descs.count()):
            d = descs.nth(i)
            desc_id = d.get_attribute("id")
            assert re.fullmatch(r"Description of Fig\. \d+\.\d+", d.locator("summary").inner_text().strip())
            img = p.locator(f"article figure img[aria-details='{desc_id}']")
            assert img.count() == 1, f"no image has {desc_id} as its details"
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": f"img[aria-details='{desc_id}']"})
            ax = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node["nodeId"], "fetchRelatives": False})["nodes"][0]
            assert ax["role"]["value"] == "image" and ax.get("name", {}).get("value") == img.get_attribute("alt"), ax
            details = {pr["name"]: pr["value"] for pr in ax.get("properties", [])}.get("details", {})
            target = cdp.send("DOM.describeNode", {"nodeId": cdp.send("DOM.querySelector", {"nodeId": root, "selector": f"#{desc_id}"})["nodeId"]})
            assert [n["backendDOMNodeId"] for n in details.get("relatedNodes", [])] == [target["node"]["backendNodeId"]], ax
            # opened, the description is read as text, its formulas as mathematics
            d.locator("summary").click()
            snapshot = d.aria_snapshot()
            assert len(re.sub(r"\s", "", snapshot)) > 120, snapshot
            if d.locator(".math").count():
                assert re.search(r"- math", snapshot), snapshot
    finally:
        v.close()


# ---------------------------------------------------------------------------
# the keyboard
# ---------------------------------------------------------------------------
_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const r = e.getBoundingClientRect(), s = getComputedStyle(e);
  const shadow = s.boxShadow && s.boxShadow !== 'none' && !/rgba\\([^)]*,\\s*0\\)/.test(s.boxShadow)
                 && /(\\d+(\\.\\d+)?)px\\s*(inset)?\\s*$|\\dpx \\dpx \\dpx [1-9]/.test(s.boxShadow);
  return {
    key: e.id || (e.tagName + ':' + (e.getAttribute('aria-label') || e.textContent || '').trim().slice(0, 50)),
    tag: e.tagName, id: e.id, cls: typeof e.className === 'string' ? e.className : '',
    inArticle: !!e.closest('article'),
    badge: !!e.closest('details.lb-badge') && e.tagName === 'SUMMARY',
    figdesc: !!e.closest('details.lb-figdesc') && e.tagName === 'SUMMARY',
    y: r.top + window.scrollY, h: r.height, visible: r.width > 0 && r.height > 0,
    ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || shadow,
    outline: s.outlineStyle + ' ' + s.outlineWidth, boxShadow: s.boxShadow,
  };
}"""


def _tab_walk(page, limit=600):
    """Focus stops met by pressing Tab from the top of the page until it wraps around."""
    stops, first = [], None
    for _ in range(limit):
        page.keyboard.press("Tab")
        f = page.evaluate(_FOCUSED)
        if f is None:
            continue
        if first is None:
            first = f["key"]
        elif f["key"] == first:
            break
        stops.append(f)
    return stops


@pytest.fixture(scope="module")
def walked_chapter(browser, server):
    page_path = CHAPTERS[0]
    v = Visit(browser, server, page_path)
    try:
        yield page_path, v, _tab_walk(v.page)
    finally:
        v.close()


def test_a_chapter_walked_by_keyboard_reaches_everything_in_reading_order(walked_chapter):
    page_path, v, stops = walked_chapter
    p = v.page
    assert stops, "Tab reaches nothing"
    # every stop is on screen when focused and has a visible focus ring
    no_ring = [(s["key"], s["outline"], s["boxShadow"]) for s in stops if not s["ring"]]
    assert not no_ring, f"focus without a visible ring: {no_ring[:8]}"
    assert all(s["visible"] for s in stops), [s["key"] for s in stops if not s["visible"]][:8]
    classes = " ".join(s["cls"] for s in stops)
    # the theme's controls: search, download menu (and the launch menu when it is shown)
    assert "search-button" in classes, "the search button is not reached by Tab"
    assert "dropdown-toggle" in classes, "the download menu is not reached by Tab"
    if p.locator(".dropdown-launch-buttons").count():
        assert any("launch" in s["key"].lower() for s in stops), "the launch menu is not reached by Tab"
    # every verified mark, every hidden cell's toggle and every solution, in the article
    # marks inside a closed solution dropdown are not reachable until it is opened
    n_badges = p.locator("article details.lb-badge > summary >> visible=true").count()
    assert n_badges >= 1 and sum(s["badge"] for s in stops) == n_badges
    # every figure's long description ("Description of Fig. 1.1"), this chapter has some
    n_figdesc = p.locator("article details.lb-figdesc > summary").count()
    assert n_figdesc >= 1 and sum(s["figdesc"] for s in stops) == n_figdesc
    n_hidden = p.locator("article .cell details.hide > summary").count()
    hidden_stops = [s for s in stops if s["tag"] == "SUMMARY" and s["inArticle"] and not s["badge"] and not s["figdesc"]]
    assert len(hidden_stops) >= n_hidden
    n_solutions = p.locator("article div.solution").count()
    solution_stops = p.evaluate(
        "() => [...document.querySelectorAll('article div.solution')].map(s => s.querySelector('button.toggle-button, summary, [tabindex=\"0\"]') !== null)"
    )
    assert n_solutions >= 1 and all(solution_stops), "a solution has no keyboard control"
    toggles = [s for s in stops if s["inArticle"] and "toggle-button" in s["cls"]]
    assert len(toggles) >= n_solutions, f"{len(toggles)} solution toggles reached, {n_solutions} solutions"
    # reading order: in the article, each stop is at or below the previous one (a few
    # pixels of slack for stops on the same line)
    ys = [s["y"] for s in stops if s["inArticle"]]
    backwards = [(a, b) for a, b in zip(ys, ys[1:]) if b < a - 40]
    assert not backwards, f"Tab goes back up the page: {backwards[:5]}"


def test_verified_mark_and_solution_work_from_the_keyboard(browser, server):
    page_path = CHAPTERS[0]
    v = Visit(browser, server, page_path)
    try:
        p = v.page
        summary = p.locator("article details.lb-badge > summary").first
        # its accessible name says what it is: "equation 1.2, verified, 1 check"
        name = summary.get_attribute("aria-label") or ""
        assert re.fullmatch(r"equation \d+\.\d+, verified(, [a-z ]+)*, \d+ checks?", name), name
        n = summary.locator("xpath=..").locator("li").count()
        assert name.endswith(f"{n} check" + ("s" if n != 1 else ""))
        summary.focus()
        p.keyboard.press("Enter")
        assert summary.evaluate("s => s.parentElement.open"), "Enter does not open a verified mark"
        p.keyboard.press("Tab")
        link = p.evaluate("() => document.activeElement.getAttribute('href')")
        assert link and "#verification-" in link, link
        p.keyboard.press("Enter")
        p.wait_for_timeout(300)
        focused = p.evaluate("() => [document.activeElement.id, document.activeElement.getAttribute('aria-label')]")
        assert focused[0] == link.split("#")[1], f"the check's card does not take the focus: {focused}"
        assert focused[1].startswith("check of equation ("), focused
        _shot(v, page_path.replace("/", "_") + "-keyboard-card")
        # the download menu opens from the keyboard and offers the notebook
        p.evaluate("() => window.scrollTo(0, 0)")
        p.locator(".article-header-buttons .dropdown-download-buttons button.dropdown-toggle").focus()
        p.keyboard.press("Enter")
        reached = []
        for _ in range(6):
            p.keyboard.press("Tab")
            reached.append(p.evaluate("() => document.activeElement.getAttribute('href') || ''"))
        assert any(h.endswith(".ipynb") for h in reached), f"the notebook download is not reached: {reached}"
        # a solution opens from the keyboard
        toggle = p.locator("article div.solution button.toggle-button").first
        toggle.focus()
        p.keyboard.press("Enter")
        p.wait_for_timeout(400)
        assert p.locator("article div.solution").first.locator("section").is_visible(), "Enter does not open a solution"
    finally:
        v.close()
