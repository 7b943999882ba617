"""Sphinx extension for Lossbook's readers: notebook downloads and chapter citations.

* **Notebooks.** For every page written as a MyST notebook, a real ``.ipynb`` is
  generated at build time from the MyST source (with jupytext) into
  ``_sources/<page>.ipynb`` and offered by the theme's download button. Its first
  cell installs ``lossbook`` (and matplotlib) from the book's site when they are
  missing (see ``_ext/lossbook_notebooks.py``). The notebook is written at
  ``build-finished``, after the theme's launch-button code (which would otherwise
  copy the executed notebook over it).
* Chapter citations (the "Cite this chapter" box, meta tags) are in ``_ext/lossbook_cite.py``.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

LOG = logging.getLogger(__name__)

NOTEBOOK_NOTE = """\
**Running this chapter as a notebook.** This notebook is a chapter of *Lossbook*
(version {version}){page_hint}. It needs Python 3.10 or later with pip. The cell above
installs the `lossbook` package and matplotlib when they are missing (see the book's
"Run a chapter" page); then run the cells from the top. Cells tagged `remove-cell` are
set-up code that the web page hides.
"""


def _is_notebook_source(path: Path) -> bool:
    try:
        head = path.read_text(encoding="utf-8")[:400]
    except OSError:
        return False
    return path.suffix == ".md" and head.startswith("---") and "jupytext:" in head and "kernelspec:" in head


def _cff(app):
    from lossbook.book.citation import load_citation

    return load_citation(Path(app.confdir) / "CITATION.cff")


def _repo_url(app) -> str:
    opts = app.config.html_theme_options or {}
    return (opts.get("repository_url") or "").strip()


def on_builder_inited(app):
    # Launch buttons are driven by one setting, `repository.url` in _config.yml. Without it
    # the theme would fail on the Binder/Colab settings, so they are switched off.
    opts = app.config.html_theme_options
    if opts is not None and not _repo_url(app) and opts.get("launch_buttons"):
        opts["launch_buttons"] = {}
    # The theme's light/dark switch needs a default mode; without one it logs a console error.
    if not app.config.html_context.get("default_mode"):
        app.config.html_context["default_mode"] = "auto"
    # Live code (thebe) is not used: its scripts would point at a CDN and, with Sphinx 7.4,
    # declare the same constant twice (a console error on every page).
    for event in ("env-before-read-docs", "doctree-resolved"):
        for listener in list(app.events.listeners.get(event, [])):
            if getattr(listener.handler, "__module__", "") == "sphinx_thebe":
                app.disconnect(listener.id)


def on_html_page_context(app, pagename, templatename, context, doctree):
    if doctree is None:
        return
    src = Path(app.env.doc2path(pagename))
    if _is_notebook_source(src) and app.config.lossbook_notebook_downloads:
        context["ipynb_source"] = pagename + ".ipynb"
        app.lossbook_pending_notebooks.add(pagename)


def chapter_notebook(src: Path, *, version: str, repo: str = "", source_name: str = "", baseurl: str = ""):
    """The reader's notebook for one chapter: an install cell, a note, then the MyST source."""
    import jupytext
    import nbformat
    from lossbook_notebooks import install_cell_source

    base = (baseurl or "").strip().rstrip("/")
    page = source_name[:-3] + ".html" if source_name.endswith(".md") else ""
    page_hint = f", from {base}/{page}" if base and page else ""
    note = NOTEBOOK_NOTE.format(version=version, page_hint=page_hint)
    nb = jupytext.read(src)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(note))
    nb.cells.insert(0, nbformat.v4.new_code_cell(install_cell_source(version=version, baseurl=baseurl)))
    nb.metadata.pop("jupytext", None)
    nb.metadata["lossbook"] = {"version": str(version), "source": source_name or src.name, "baseurl": base}
    for i, cell in enumerate(nb.cells):  # stable ids, so regenerating changes nothing
        cell["id"] = f"cell-{i}"
    nbformat.validate(nb)
    return nb


def on_build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    import nbformat

    cff = _cff(app)
    for pagename in sorted(app.lossbook_pending_notebooks):
        src = Path(app.env.doc2path(pagename))
        nb = chapter_notebook(src, version=str(cff["version"]), repo=_repo_url(app), source_name=f"{pagename}.md",
                              baseurl=app.config.html_baseurl or "")
        out = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out)


def paired_notebooks(root: Path) -> dict:
    """{path of book/<chapter>.ipynb: notebook} for every MyST notebook chapter in the toc.

    These paired notebooks are committed next to their sources so that Binder and Colab
    (which open .ipynb, not MyST) can launch a chapter from the repository.
    """
    import yaml

    import sys

    sys.path.insert(0, str(root))
    sys.path.insert(0, str(root / "_ext"))
    from lossbook.book.citation import load_citation

    cfg = yaml.safe_load((root / "_config.yml").read_text())
    repo = ((cfg.get("repository") or {}).get("url") or "").strip()
    baseurl = ((cfg.get("html") or {}).get("baseurl") or "").strip()
    version = str(load_citation(root / "CITATION.cff")["version"])
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [c["file"] for part in toc.get("parts", []) for c in part.get("chapters", [])]
    out = {}
    for f in files:
        src = root / f"{f}.md"
        if _is_notebook_source(src) and not f.endswith("how-to-cite"):
            out[src.with_suffix(".ipynb")] = chapter_notebook(
                src, version=version, repo=repo, source_name=f"{f}.md", baseurl=baseurl
            )
    return out


if __name__ == "__main__":  # python _ext/lossbook_reader.py: write the paired notebooks
    import nbformat

    root = Path(__file__).resolve().parents[1]
    for path, nb in paired_notebooks(root).items():
        nbformat.write(nb, path)
        print(f"wrote {path.relative_to(root)}")


def setup(app: Sphinx):
    app.add_config_value("lossbook_notebook_downloads", True, "html")
    app.lossbook_pending_notebooks = set()
    app.connect("builder-inited", on_builder_inited)
    app.connect("html-page-context", on_html_page_context, priority=400)
    app.connect("build-finished", on_build_finished, priority=900)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": False}
