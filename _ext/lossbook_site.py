"""The site as readers meet it (issue 16): quiet pages and typeset numbers.

- Every number pasted into the prose by ``{glue:text}`` is typeset by
  :func:`lossbook.book.typeset_number`: ``−0.25`` with a true minus sign, ``1.2 × 10⁻⁵``
  instead of ``1.2e-05`` (HTML only; the PDF edition keeps its own typesetting).
- ``_static/lossbook-site.js`` opens a collapsed verification card when a verified mark's
  link leads to it; ``_static/lossbook-site.css`` styles the collapsed cards and keeps wide
  displays, code and tables inside their column (scrolling, with a visible scrollbar).
- ``{lossbook-build-info}`` (build report): the commit and the versions of the toolchain.
- myst-nb's execution table says its status in words, not only with an emoji.
"""

from __future__ import annotations

import platform
import subprocess
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive

from lossbook.book.numbers import typeset_number


def typeset_pasted_numbers(app, doctree, docname):
    if app.builder.format != "html":
        return
    for node in doctree.findall(nodes.inline):
        if "pasted-text" not in node.get("classes", []):
            continue
        for text in list(node.findall(nodes.Text)):
            new = typeset_number(str(text))
            if new != str(text):
                text.parent.replace(text, nodes.Text(new))


#: myst-nb's execution table marks success with an emoji only
_STATUS_WORDS = {"\u2705": "\u2705 passed", "\u274c": "\u274c FAILED", "\u2714": "\u2714 passed"}


def status_in_words(app, doctree, docname):
    for table in doctree.findall(nodes.table):
        heads = [e.astext() for e in table.findall(nodes.entry)][:6]
        if heads[:3] != ["Document", "Modified", "Method"]:
            continue
        for para in table.findall(nodes.paragraph):
            t = para.astext().strip()
            if t in _STATUS_WORDS:
                para.children = [nodes.Text(_STATUS_WORDS[t])]


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def build_info(root: Path) -> list[tuple[str, str]]:
    """(what, value) rows: the commit built and the toolchain's versions."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True).stdout.strip()
        commit += " (with uncommitted changes)" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown (not a git checkout)"
    import numpy

    return [
        ("Commit", commit),
        ("Python", platform.python_version()),
        ("numpy", numpy.__version__),
        ("Sphinx", _version("sphinx")),
        ("myst-nb", _version("myst-nb")),
        ("Jupyter Book", _version("jupyter-book")),
        ("matplotlib", _version("matplotlib")),
        ("lossbook", _version("lossbook")),
    ]


class BuildInfoDirective(Directive):
    """``{lossbook-build-info}``: a captioned table of the commit and the toolchain's versions."""

    has_content = False

    def run(self):
        env = self.state.document.settings.env
        env.note_reread()
        rows = build_info(Path(env.app.confdir))
        table = nodes.table(classes=["lb-build-info"], ids=["table-build-info"])
        table += nodes.title(text="What was built, and with what")
        tgroup = nodes.tgroup(cols=2)
        table += tgroup
        tgroup += nodes.colspec(colwidth=1)
        tgroup += nodes.colspec(colwidth=3)
        head = nodes.thead()
        row = nodes.row()
        for h in ("Item", "Version"):
            row += nodes.entry("", nodes.paragraph(text=h))
        head += row
        tgroup += head
        body = nodes.tbody()
        for what, value in rows:
            r = nodes.row()
            r += nodes.entry("", nodes.paragraph(text=what))
            r += nodes.entry("", nodes.paragraph("", "", nodes.literal(text=value)))
            body += r
        tgroup += body
        return [table]


def setup(app):
    app.connect("doctree-resolved", typeset_pasted_numbers)
    app.connect("doctree-resolved", status_in_words)
    app.add_directive("lossbook-build-info", BuildInfoDirective)
    app.add_css_file("lossbook-site.css")
    app.add_js_file("lossbook-site.js", loading_method="defer")
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
