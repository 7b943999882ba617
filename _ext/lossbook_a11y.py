"""Sphinx extension for Lossbook's accessibility (WCAG 2.1 AA, checked by tests/test_a11y.py).

Every change here overrides a theme's or a library's markup, and each says why. The list is
repeated in the README ("Accessibility overrides"), together with the CSS overrides in
``_static/lossbook.css``.

* **Mathematics a screen reader can speak.** MathJax renders each formula as SVG, which a
  screen reader cannot read. MathJax's *assistive MathML* extension (``a11y/assistive-mml``,
  staged locally with the rest of MathJax by ``lossbook_sphinx``) puts a visually hidden
  MathML copy of the formula beside the SVG; Chromium, Firefox and Safari expose it as a
  ``math`` element, which NVDA, JAWS and VoiceOver read as mathematics. The SVG itself is
  hidden from assistive technology, so the formula is read once.
* **Bibliography list markup.** docutils writes citations as ``<div role="list">`` holding
  ``<div role="doc-biblioentry">``: ``doc-biblioentry`` is deprecated in DPUB-ARIA 1.1 and
  is not a list item, so the list has children that are not list items (axe's ``list`` /
  ``aria-required-children`` rules). Each entry gets ``role="listitem"`` instead.
* **Search button.** pydata-sphinx-theme's search button says "Search Ctrl+K" on screen but
  is named "Search" by ``aria-label``, and WCAG 2.5.3 (label in name) wants the visible text
  inside the accessible name. The template override names it by its visible text and
  announces the shortcut with ``aria-keyshortcuts``.
* **Hidden code cells.** myst-nb names the toggle of a hidden cell "Toggle hidden content"
  (``aria-label``) while it shows "Show code cell source"; without the ``aria-label`` the
  name is the visible text (WCAG 2.5.3).
* **Long descriptions of figures** (a mechanism the chapters use, not an override). The
  ``{figure-description} <figure name>`` directive, placed after the cell that draws the
  figure, renders its content as a "Description of Fig. N.M" disclosure under the figure and
  links the image to it with ``aria-details`` (an extended description, kept with its
  structure and mathematics), so a screen reader announces that the image has details and
  goes to them on request, and a sighted reader can open it. A description whose figure is not on the
  page is a build warning (so ``-W`` fails).
* **Colour-mode switch.** The theme's switch is named "Color mode" but carries its three
  icons' ``title`` tooltips ("Light", "Dark", "System Settings") as visible labels; the
  override names it after the mode it shows and keeps the icons decorative.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

LOG = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "a11y_templates"

#: MathJax 3 options merged into ``mathjax3_config`` (other extensions' options are kept).
MATHJAX_A11Y = {
    "loader": {"load": ["a11y/assistive-mml"]},
    "options": {
        "enableAssistiveMml": True,
        # the contextual menu may not switch assistive MathML off again on the next page
        "menuOptions": {"settings": {"assistiveMml": True}},
    },
}


def _merge(into: dict, new: dict) -> dict:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        elif isinstance(value, list) and isinstance(into.get(key), list):
            into[key] = into[key] + [v for v in value if v not in into[key]]
        else:
            into[key] = value
    return into


def on_config_inited(app, config):
    # theme component overrides: the themes append their components/ folders to templates_path
    # and include them by bare name ("search-button-field.html"); ours come first
    config.templates_path = [str(TEMPLATES)] + list(config.templates_path or [])


def on_builder_inited(app):
    if app.builder.format != "html":
        return
    app.config.mathjax3_config = _merge(dict(app.config.mathjax3_config or {}), MATHJAX_A11Y)


_BIBLIOENTRY = re.compile(r'(<div class="citation"[^>]*?) role="doc-biblioentry"')


def fix_citation_roles(body: str) -> str:
    """``role="doc-biblioentry"`` (deprecated, not a list item) becomes ``role="listitem"``."""
    return _BIBLIOENTRY.sub(r'\1 role="listitem"', body)


_HIDDEN_CELL_SUMMARY = '<summary aria-label="Toggle hidden content">'


def fix_hidden_cell_toggles(body: str) -> str:
    """myst-nb's hidden-cell toggle is named by its visible text, not "Toggle hidden content"."""
    return body.replace(_HIDDEN_CELL_SUMMARY, "<summary>")


# ---------------------------------------------------------------------------
# long descriptions of figures
# ---------------------------------------------------------------------------
class figure_description(nodes.General, nodes.Element):
    """The long description of one figure (``figure`` = the figure's name)."""


class FigureDescriptionDirective(SphinxDirective):
    """``{figure-description} fig-name``: a long description for the figure ``fig-name``."""

    required_arguments = 1
    has_content = True

    def run(self):
        name = nodes.make_id(self.arguments[0])
        if not self.content:
            raise self.error(f"figure-description {name}: the description is empty")
        node = figure_description(figure=name)
        self.set_source_info(node)
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


def _visit_figdesc_html(self, node):
    name = node["figure"]
    number = self.builder.fignumbers.get("figure", {}).get(name)
    what = f"Fig. {'.'.join(map(str, number))}" if number else "the figure"
    self.body.append(
        f'<details class="lb-figdesc" id="figdesc-{html.escape(name)}" data-figure="{html.escape(name)}">'
        f"<summary>Description of {html.escape(what)}</summary>"
        f'<div class="lb-figdesc-body" id="figdesc-{html.escape(name)}-text">'
    )


def _depart_figdesc_html(self, node):
    self.body.append("</div></details>")


def _visit_figdesc_other(self, node):
    pass  # other builders (LaTeX, text): the description is printed as ordinary paragraphs


_FIGDESC = re.compile(r'<details class="lb-figdesc" id="figdesc-([^"]+)" data-figure="[^"]*">')


def link_figure_descriptions(body: str) -> tuple[str, list[str]]:
    """Point each described figure's image at its long description (``aria-details``).

    ``aria-details`` is ARIA's attribute for an extended description with structure of its own
    (here paragraphs with mathematics): a screen reader announces that the image "has details"
    and moves to them on request. ``aria-describedby`` would flatten the description into one
    string, and Chromium computes none for a closed ``<details>`` and cuts a hidden copy short
    at the first formula it cannot flatten (measured in Chromium 156: an image described that
    way was announced with no description, or with half a sentence).

    Returns the new body and the names of descriptions whose figure is not in it.
    """
    missing = []
    for name in _FIGDESC.findall(body):
        fig = re.search(r'<figure[^>]*\bid="' + re.escape(name) + r'"[^>]*>', body)
        img = re.compile(r"<img(?![^>]*aria-details)").search(body, fig.end()) if fig else None
        end = body.find("</figure>", fig.end()) if fig else -1
        if not fig or not img or img.start() > end:
            missing.append(name)
            continue
        attr = f' aria-details="figdesc-{name}"'
        body = body[: img.start() + 4] + attr + body[img.start() + 4 :]
    return body, missing


def on_html_page_context(app, pagename, templatename, context, doctree):
    if "body" in context:
        body = fix_hidden_cell_toggles(fix_citation_roles(context["body"]))
        body, missing = link_figure_descriptions(body)
        for name in missing:
            LOG.warning(
                f"figure-description '{name}': no figure named '{name}' with an image on this page "
                f"(name the figure with `mystnb: figure: name: {name}`) [lossbook.a11y]",
                type="lossbook",
                subtype="a11y",
                location=pagename,
            )
        context["body"] = body


def setup(app: Sphinx):
    app.add_node(
        figure_description,
        html=(_visit_figdesc_html, _depart_figdesc_html),
        latex=(_visit_figdesc_other, _visit_figdesc_other),
        text=(_visit_figdesc_other, _visit_figdesc_other),
        man=(_visit_figdesc_other, _visit_figdesc_other),
        texinfo=(_visit_figdesc_other, _visit_figdesc_other),
    )
    app.add_directive("figure-description", FigureDescriptionDirective)
    app.connect("config-inited", on_config_inited)
    app.connect("builder-inited", on_builder_inited, priority=950)
    app.connect("html-page-context", on_html_page_context, priority=950)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
