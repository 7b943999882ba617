"""The built site in a real browser: Debian's Chromium driven by Playwright.

The site is served on 127.0.0.1 and every page of the table of contents is opened as a
reader would open it. Requests that would leave the machine are blocked and counted as
failures. Screenshots (light and dark) are saved under ``test-artifacts/screenshots``.

Chromium comes from Debian (``apt-get install chromium``), never from Playwright's own
download. Without it these tests are skipped, unless LOSSBOOK_REQUIRE_BROWSER=1 (as in CI),
where a missing browser fails them.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import threading
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]

pytestmark = [pytest.mark.browser, pytest.mark.build]


def _pages() -> list[str]:
    toc = yaml.safe_load(Path(os.environ.get("LOSSBOOK_TOC", ROOT / "_toc.yml")).read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part.get("chapters", [])]
    return files


PAGES = _pages()


def _is_chapter(page: str) -> bool:
    src = ROOT / f"{page}.md"
    return src.read_text().startswith("---\njupytext:") and not page.endswith("how-to-cite")


CHAPTERS = [p for p in PAGES if _is_chapter(p)]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


@pytest.fixture(scope="module")
def server(built_site):
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("LOSSBOOK_REQUIRE_BROWSER") == "1":
            pytest.fail("Debian's chromium is required (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


class Visit:
    """A page opened in a fresh context, with everything that went wrong recorded."""

    def __init__(self, browser, base, page_path, dark=False, serve=None):
        """``serve``: {path under the site: HTML} answered instead of the file (a page copy)."""
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark" if dark else "light")
        self.page = self.context.new_page()
        self.console_errors, self.failed, self.external = [], [], []
        host = urlparse(base).netloc

        def route(r):
            if serve and urlparse(r.request.url).path.lstrip("/") in serve:
                r.fulfill(status=200, content_type="text/html", body=serve[urlparse(r.request.url).path.lstrip("/")])
            elif urlparse(r.request.url).netloc not in (host, "") and not r.request.url.startswith(("data:", "blob:")):
                self.external.append(r.request.url)
                r.abort()
            else:
                r.continue_()

        self.page.route("**/*", route)
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.page.on(
            "response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} (HTTP {r.status})")
        )
        if dark:
            self.page.add_init_script("localStorage.setItem('theme', 'dark'); localStorage.setItem('mode', 'dark');")
        self.url = urljoin(base, page_path + ".html")
        self.page.goto(self.url, wait_until="load")
        self.page.wait_for_function(
            "() => !window.MathJax || (MathJax.startup && MathJax.startup.promise)", timeout=30000
        )
        self.page.evaluate("() => window.MathJax && MathJax.startup.promise")
        self.page.wait_for_load_state("networkidle")

    def close(self):
        self.context.close()


def _shot(visit, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    visit.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


@pytest.mark.parametrize("page_path", PAGES)
def test_page_loads_cleanly_with_typeset_maths_figures_and_links(browser, server, built_site, page_path):
    v = Visit(browser, server, page_path)
    try:
        _shot(v, page_path.replace("/", "_"))
        assert not v.external, f"requests leaving the machine: {v.external[:5]}"
        assert not v.failed, f"failed requests: {v.failed[:5]}"
        assert not v.console_errors, f"console errors: {v.console_errors[:5]}"
        p = v.page
        # all mathematics typeset: every math span/div holds a MathJax container, no raw TeX
        untypeset = p.evaluate(
            """() => [...document.querySelectorAll('article .math')]
                  .filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))"""
        )
        assert not untypeset, f"maths not typeset: {untypeset[:5]}"
        text = p.evaluate(
            """() => { const a = document.querySelector('article').cloneNode(true);
                       a.querySelectorAll('pre, code, .highlight, mjx-container').forEach(e => e.remove());
                       return a.textContent; }"""
        )  # prose only: code, tracebacks and typeset maths removed
        raw = re.findall(r"\\(frac|sum|log|mathrm|boldsymbol|begin)\b|\$\$", text)
        assert not raw, f"raw TeX visible in the text: {raw[:5]}"
        # every figure image loaded, with alt text; every figure has a caption
        imgs = p.evaluate(
            """() => [...document.querySelectorAll('article img')].map(i => ({
                   src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0,
                   alt: (i.getAttribute('alt') || '').trim()}))"""
        )
        assert all(i["ok"] for i in imgs), [i["src"] for i in imgs if not i["ok"]]
        assert all(i["alt"] for i in imgs), f"images without alt text: {[i['src'] for i in imgs if not i['alt']]}"
        uncaptioned = p.evaluate(
            "() => [...document.querySelectorAll('article figure')].filter(f => !f.querySelector('figcaption')).length"
        )
        assert uncaptioned == 0
        tables = p.evaluate(
            "() => [...document.querySelectorAll('article table')].filter(t => !t.querySelector('caption')).map(t => t.className)"
        )
        assert not tables, f"tables without a caption: {tables}"
        # headings in order: no level skipped on the way down
        levels = p.evaluate("() => [...document.querySelectorAll('article h1, article h2, article h3, article h4, article h5')].map(h => +h.tagName[1])")
        assert levels and levels[0] == 1
        skips = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
        assert not skips, f"heading levels skipped: {skips}"
        # every internal link resolves (file exists, and the anchor exists in it)
        hrefs = p.evaluate("() => [...document.querySelectorAll('article a[href]')].map(a => a.href)")
        broken = _broken_links(built_site, server, hrefs)
        assert not broken, f"broken internal links: {broken[:5]}"
    finally:
        v.close()


def _broken_links(site: Path, base: str, hrefs) -> list[str]:
    broken = []
    for href in set(hrefs):
        if not href.startswith(base):
            continue  # external links are not followed (there is no network)
        parsed = urlparse(href)
        target = site / parsed.path.lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            broken.append(href)
            continue
        if parsed.fragment and target.suffix == ".html":
            html = target.read_text(errors="replace")
            if f'id="{parsed.fragment}"' not in html:
                broken.append(href)
    return broken


@pytest.mark.parametrize("page_path", CHAPTERS)
def test_chapter_verified_marks_open_their_checks_and_notebook_download(browser, server, built_site, page_path):
    v = Visit(browser, server, page_path)
    try:
        p = v.page
        n_eq = p.locator("article div.math[id^='equation-'], article div.math-wrapper").count()
        badges = p.locator("details.lb-badge")
        assert badges.count() >= 1, "a chapter with no verified equation"
        assert badges.count() == p.locator("article [id^='equation-']").count() or n_eq == 0
        for i in range(badges.count()):
            badge = badges.nth(i)
            holder = None
            if not badge.locator("summary").is_visible():
                # a display inside a solution: the reader opens the solution first (and it is
                # closed again below); a mark hidden anywhere else is a fault
                holder = badge.locator("xpath=ancestor::div[contains(@class, 'dropdown')][1]")
                assert holder.count() == 1, f"verified mark {i} is hidden outside any dropdown"
                holder.locator(".toggle-button").first.click()
                p.wait_for_timeout(300)
            badge.scroll_into_view_if_needed()
            assert badge.locator("summary").is_visible()
            badge.locator("summary").click()
            assert badge.evaluate("d => d.open")
            link = badge.locator("a").first
            assert link.is_visible()
            href = link.get_attribute("href")
            assert "#verification-" in href
            if href.startswith("#"):
                assert p.locator(f"[id='{href[1:]}']").count() == 1
            if holder is not None:
                holder.locator(".toggle-button").first.click()
                p.wait_for_timeout(300)
                assert not badge.locator("summary").is_visible(), "the solution did not close again"
        _shot(v, page_path.replace("/", "_") + "-badge-open")
        # the notebook download: a real .ipynb generated from the MyST source
        link = p.locator("a[href$='.ipynb']")
        assert link.count() >= 1, "no .ipynb download link"
        url = urljoin(v.url, link.first.get_attribute("href"))
        resp = v.context.request.get(url)
        assert resp.ok
        nb = json.loads(resp.text())
        assert nb["nbformat"] == 4
        # its first cell installs lossbook when it is missing (tests/test_run_a_chapter.py runs it)
        assert 'for m in ("lossbook", "matplotlib", "mpmath", "scipy", "sklearn")' in "".join(nb["cells"][0]["source"]) and nb["cells"][0]["cell_type"] == "code"
        assert any(c["cell_type"] == "code" for c in nb["cells"])
        # exercises, with their solutions hidden until the reader asks
        assert p.locator("article div.exercise").count() >= 3
        sols = p.locator("article div.solution")
        assert sols.count() >= 3
        hidden = p.evaluate(
            """() => [...document.querySelectorAll('article div.solution')].map(s => {
                   const body = s.querySelector('section');
                   return !body || getComputedStyle(body).visibility === 'hidden' || body.getBoundingClientRect().height === 0; })"""
        )
        assert all(hidden), f"solutions visible before a click: {hidden}"
        sols.first.locator(".admonition-title").click()
        p.wait_for_timeout(400)
        assert sols.first.locator("section").is_visible(), "a solution does not open when clicked"
        # figures are numbered by chapter ("Fig. 3.1"), as are equations ("(3.1)")
        number = p.evaluate("() => (document.querySelector('article figcaption .caption-number') || {}).textContent || ''")
        assert re.match(r"Fig\. \d+\.\d+", number), number
        # how to cite this chapter: version and licence on the page
        cite = p.locator("aside.lb-cite")
        assert cite.count() == 1 and "version" in cite.inner_text().lower() and "CC-BY-4.0" in cite.inner_text()
    finally:
        v.close()


def test_search_finds_cross_entropy(browser, server):
    v = Visit(browser, server, "search")
    try:
        v.page.goto(urljoin(server, "search.html?q=cross-entropy"), wait_until="load")
        v.page.wait_for_selector("#search-results li", timeout=30000)
        results = v.page.locator("#search-results li")
        assert results.count() >= 3
        assert "cross-entropy" in v.page.locator("#search-results").inner_text().lower()
        _shot(v, "search-cross-entropy")
        assert not v.external
    finally:
        v.close()


@pytest.mark.parametrize("page_path", [p for p in CHAPTERS][:3] + ["book/index"])
def test_dark_mode_is_readable_and_figures_stay_white(browser, server, page_path):
    v = Visit(browser, server, page_path, dark=True)
    try:
        p = v.page
        assert p.evaluate("() => document.documentElement.dataset.theme") == "dark"
        fg, bg = p.evaluate(
            """() => { const a = document.querySelector('article p') || document.querySelector('article');
                       const s = getComputedStyle(a); let e = a, b = 'rgba(0, 0, 0, 0)';
                       while (e && (b === 'rgba(0, 0, 0, 0)' || b === 'transparent')) { b = getComputedStyle(e).backgroundColor; e = e.parentElement; }
                       if (b === 'rgba(0, 0, 0, 0)') b = getComputedStyle(document.body).backgroundColor;
                       return [s.color, b]; }"""
        )
        assert _contrast(fg, bg) >= 4.5, f"text {fg} on {bg} is hard to read"
        backgrounds = p.evaluate(
            "() => [...document.querySelectorAll('article figure img, article .cell_output img')].map(i => getComputedStyle(i).backgroundColor)"
        )
        assert all(b == "rgb(255, 255, 255)" for b in backgrounds), backgrounds
        _shot(v, page_path.replace("/", "_") + "-dark")
        assert not v.console_errors and not v.external
    finally:
        v.close()


def _rgb(css: str):
    nums = [float(x) for x in re.findall(r"[\d.]+", css)[:3]]
    return nums


def _luminance(rgb):
    def ch(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (ch(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(fg: str, bg: str) -> float:
    l1, l2 = sorted((_luminance(_rgb(fg)), _luminance(_rgb(bg))), reverse=True)
    return (l1 + 0.05) / (l2 + 0.05)


def test_contrast_helper_can_fail():
    assert _contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") > 20
    assert _contrast("rgb(120, 120, 120)", "rgb(128, 128, 128)") < 4.5
