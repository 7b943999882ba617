"""Sphinx extension for Lossbook's readers: notebook downloads and chapter citations.

* **Notebooks.** For every page written as a MyST notebook, a real ``.ipynb`` is
  generated at build time from the MyST source (with jupytext) into
  ``_sources/<page>.ipynb`` and offered by the theme's download button. Its first
  cell says how to get ``lossbook``; it installs nothing by itself. The notebook is
  written at ``build-finished``, after the theme's launch-button code (which would
  otherwise copy the executed notebook over it).
* **Citations.** Every chapter page (a numbered chapter) ends with a "Cite this
  chapter" box built from ``CITATION.cff``: APA and BibTeX for the chapter, the
  book's version and its licence.
"""

from __future__ import annotations

import html
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

LOG = logging.getLogger(__name__)

INSTALL_NOTE = """\
**Running this chapter as a notebook.** This notebook is a chapter of *Lossbook*
(version {version}). It needs Python 3.10 or later with the `lossbook` package, numpy and
matplotlib. It installs nothing by itself: install the package first, from a copy of the
book's repository{repo_hint}:

```
pip install -e .          # run in the folder that holds pyproject.toml
pip install matplotlib
```

{launch_hint}Then run the cells from the top. Cells tagged `remove-cell` are set-up code
that the web page hides.
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
    secnum = app.env.toc_secnumbers.get(pagename, {}).get("")
    if secnum and "body" in context:
        context["body"] += _cite_box(app, pagename, ".".join(map(str, secnum)))


def _cite_box(app, pagename, number):
    from lossbook.book.citation import to_apa, to_bibtex

    cff = _cff(app)
    title = app.env.titles[pagename].astext()
    chapter = f"Chapter {number}: {title}"
    base = (app.config.html_baseurl or "").rstrip("/")
    url = f"{base}/{pagename}.html" if base else None
    apa = html.escape(to_apa(cff, chapter=chapter, url=url)).replace("*", "")
    key = "lossbook-" + pagename.rsplit("/", 1)[-1]
    bib = html.escape(to_bibtex(cff, key=key, chapter=chapter, url=url))
    lic = html.escape(str(cff.get("license", "")))
    return (
        '<aside class="lb-cite" aria-label="How to cite this chapter">'
        '<h2 class="lb-cite-title">Cite this chapter</h2>'
        f"<p>{apa}</p>"
        f"<details><summary>BibTeX</summary><pre>{bib}</pre></details>"
        f'<p class="lb-cite-meta">Lossbook version {html.escape(str(cff["version"]))} '
        f"({html.escape(str(cff['date-released']))}). Text licensed {lic}, code MIT. "
        'See also <a href="how-to-cite.html">How to cite</a>.</p></aside>'
    )


def chapter_notebook(src: Path, *, version: str, repo: str = "", source_name: str = ""):
    """The reader's notebook for one chapter: the MyST source as .ipynb, plus an install note."""
    import jupytext
    import nbformat

    repo_hint = f" ({repo})" if repo else ""
    launch_hint = (
        "On Binder or Colab, run `!pip install git+" + repo + "` in a first cell. " if repo else ""
    )
    note = INSTALL_NOTE.format(version=version, repo_hint=repo_hint, launch_hint=launch_hint)
    nb = jupytext.read(src)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(note))
    nb.metadata.pop("jupytext", None)
    nb.metadata["lossbook"] = {"version": str(version), "source": source_name or src.name}
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
        nb = chapter_notebook(src, version=str(cff["version"]), repo=_repo_url(app), source_name=f"{pagename}.md")
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
    from lossbook.book.citation import load_citation

    cfg = yaml.safe_load((root / "_config.yml").read_text())
    repo = ((cfg.get("repository") or {}).get("url") or "").strip()
    version = str(load_citation(root / "CITATION.cff")["version"])
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [c["file"] for part in toc.get("parts", []) for c in part.get("chapters", [])]
    out = {}
    for f in files:
        src = root / f"{f}.md"
        if _is_notebook_source(src) and not f.endswith("how-to-cite"):
            out[src.with_suffix(".ipynb")] = chapter_notebook(src, version=version, repo=repo, source_name=f"{f}.md")
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
