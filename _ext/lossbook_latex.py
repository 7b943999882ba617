"""Sphinx extension for Lossbook's PDF edition (the LaTeX builder; ``python3 dev.py pdf``).

Loaded by ``_config.yml`` after ``lossbook_sphinx``, whose node classes it gives LaTeX
visitors. It does six things (the fourth for the HTML builder, the others for LaTeX):

1. **Verified equations in print.** The "verified" mark after an equation becomes a small
   line under it ("checkmark verified, n checks") that links to the equation's row in the
   checks appendix; a check's card (where the checking cell ran) becomes a compact box with
   the equation's number, how it was computed, both sides and the tolerance.
2. **The checks appendix.** After the last chapter (before the bibliography) a chapter
   lists every check of the book: its label, the equation's number (resolved by LaTeX, so
   it is the number printed beside the equation), the check's kind (``rec["kind"]`` when
   the verification records carry one), how it was computed, and the agreement.
3. **Numbering as on the site.** Chapters in the table of contents' unnumbered parts
   ("About this book", "Reference") get no number, so the first chapter of Part I is
   Chapter 1 as on the site; the part headings carry their own "Part I:" caption, so
   LaTeX adds no second part number.
4. **The site links the PDFs** (HTML builder): when ``_build/latex`` holds the PDFs that
   ``python3 dev.py pdf`` built, they are copied into ``_build/html/_pdf/`` and each
   chapter's download menu offers its PDF and the whole book's; the front page offers the
   whole book. Without them no entry appears (no broken link).
5. **A title page** with the title, the authors, the version and release date from
   ``CITATION.cff`` and the licence; PDF metadata (title, author).
6. **A page that fits.** A4, wider text block, code lines that wrap, smaller tables and
   outputs, and a ``bbm.sty`` stand-in (sphinx-jupyterbook-latex's class loads the
   package, which lives in the 500 MB ``texlive-fonts-extra``; the book never uses it).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.texescape import escape as _tex_escape

LOG = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent

BBM_STY = r"""\NeedsTeXFormat{LaTeX2e}
\ProvidesPackage{bbm}[2026/12/02 Lossbook stand-in: mathbbm as mathbb]
% sphinx-jupyterbook-latex's jupyterBook.cls requires bbm (texlive-fonts-extra, 500 MB)
% for macros the book never uses. This stand-in keeps the PDF build to the small TeX set.
\providecommand{\mathbbm}[1]{\mathbb{#1}}
\endinput
"""

PREAMBLE = r"""
% ---- Lossbook (_ext/lossbook_latex.py) ----
\usepackage{longtable}
\usepackage{array}
\newcolumntype{L}[1]{>{\raggedright\arraybackslash}p{#1}}
\definecolor{lossbookgreen}{RGB}{0,110,60}
\definecolor{lossbookcardrule}{RGB}{150,190,160}
\newcommand{\lossbooksecnum}[1]{\setcounter{secnumdepth}{#1}}
% the mark under a verified equation: links to the equation's row in the checks appendix
\newcommand{\lossbookverified}[2]{%
  \par\nopagebreak[4]\vspace{-0.4\baselineskip}%
  {\hfill\footnotesize\hyperref[#1]{\textcolor{lossbookgreen}{$\checkmark$\,verified}}%
   \textcolor{lossbookgreen}{#2}\par}}
% the record of one check, where its cell ran
\newenvironment{lossbookcard}{%
  \par\smallskip\noindent
  \begin{minipage}{\linewidth}\footnotesize\raggedright
  \textcolor{lossbookcardrule}{\rule{\linewidth}{0.6pt}}\par\smallskip}{%
  \par\textcolor{lossbookcardrule}{\rule{\linewidth}{0.6pt}}\end{minipage}\par\smallskip}
"""


def _version_and_date(app):
    try:
        import yaml

        cff = yaml.safe_load((Path(app.confdir) / "CITATION.cff").read_text(encoding="utf-8"))
    except Exception as exc:  # noqa: BLE001 - the title page is still built, without them
        LOG.warning(f"lossbook_latex: CITATION.cff unreadable ({exc}); no version on the title page")
        return "", ""
    return str(cff.get("version", "")), str(cff.get("date-released", ""))


def _title_page(app) -> str:
    version, date = _version_and_date(app)
    title = _tex_escape(app.config.html_title or app.config.project or "Lossbook", app.config.latex_engine)
    author = _tex_escape(app.config.author or "", app.config.latex_engine)
    main, _, sub = title.partition(": ")
    return r"""
\begin{titlepage}
  \centering
  \vspace*{0.22\textheight}
  {\Huge\bfseries %(main)s\par}
  \vspace{0.8em}
  {\LARGE %(sub)s\par}
  \vspace{2.5em}
  {\Large %(author)s\par}
  \vspace{1.5em}
  {\large Version %(version)s%(date)s\par}
  \vfill
  {\small
  An executable textbook: every displayed equation was checked by running code when
  this PDF was built (the checks are listed in the appendix), and every number in the
  text was computed.\par\medskip
  Text and figures licensed under the Creative Commons Attribution 4.0 International
  licence (CC BY 4.0, \url{https://creativecommons.org/licenses/by/4.0/}); code licensed
  MIT.\par}
\end{titlepage}
""" % {
        "main": main,
        "sub": sub,
        "author": author,
        "version": _tex_escape(version, app.config.latex_engine) or "unversioned",
        "date": f", {_tex_escape(date, app.config.latex_engine)}" if date else "",
    }


def on_config_inited(app, config):
    le = dict(config.latex_elements or {})
    le["papersize"] = "a4paper"
    le["pointsize"] = "10pt"
    le["preamble"] = le.get("preamble", "") + PREAMBLE + (
        "\\hypersetup{pdftitle={%s},pdfauthor={%s}}\n"
        % (_tex_escape(config.html_title or config.project or "Lossbook", "xelatex"),
           _tex_escape(config.author or "", "xelatex"))
    )
    le["maketitle"] = _title_page(app)
    # a text block a little narrower than jupyterBook.cls's 17.5 cm, centred on A4
    le["geometry"] = r"\usepackage[a4paper,textwidth=15.5cm,textheight=23.5cm,centering]{geometry}"
    # long code lines wrap instead of running into the margin
    le["sphinxsetup"] = ",".join(
        s for s in (le.get("sphinxsetup", ""), "verbatimwrapslines=true", "verbatimforcewraps=true",
                    "verbatimmaxoverfull=1", "verbatimmaxunderfull=0") if s
    )
    le["makeindex"] = ""  # the book has no index (and so needs neither xindy nor makeindex)
    le["printindex"] = ""
    config.latex_elements = le
    config.latex_use_xindy = False
    config.latex_domain_indices = False


def on_builder_inited(app):
    if app.builder.format != "latex":
        return
    out = Path(app.outdir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bbm.sty").write_text(BBM_STY, encoding="utf-8")


# ---------------------------------------------------------------------------
# visitors for lossbook_sphinx's nodes
# ---------------------------------------------------------------------------
def _fmt(x) -> str:
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, (int, float)):
        return f"{x:.3g}"
    return "" if x is None else str(x)


def _esc(self, text) -> str:
    return self.encode(str(text))


def _eq_ref(env, label) -> str:
    """LaTeX for the printed number of equation ``label`` (as Sphinx labels it)."""
    for docname, eqs in getattr(env, "lossbook_equations", {}).items():
        if any(e["label"] == label for e in eqs):
            return r"(\ref{equation:%s:%s})" % (docname, label)
    return ""


def _row_label(label) -> str:
    return f"lossbook-check:{label}"


def visit_badge_latex(self, node):
    n = len(node["checks"])
    more = f", {n} checks" if n > 1 else ""
    self.body.append("\n" + r"\lossbookverified{%s}{%s}" % (_row_label(node["label"]), _esc(self, more)) + "\n")
    raise nodes.SkipNode


def visit_card_latex(self, node):
    rec = node["record"]
    env = self.builder.env
    ok = rec.get("passed")
    status = r"\textcolor{lossbookgreen}{$\checkmark$ Verified}" if ok else r"\textbf{Verification failed}"
    eq = _eq_ref(env, node["label"])
    kind = rec.get("kind", "")
    lines = [
        r"\begin{lossbookcard}",
        r"\textbf{%s:} equation %s \texttt{%s}%s\par"
        % (status, eq, _esc(self, node["label"]), f" ({_esc(self, kind)})" if kind else ""),
    ]
    if rec.get("how"):
        lines.append(r"\emph{%s}\par" % _esc(self, rec["how"]))
    lines.append(r"left side: \texttt{%s}\par" % _esc(self, rec.get("lhs")))
    lines.append(r"right side: \texttt{%s}\par" % _esc(self, rec.get("rhs")))
    lines.append(
        r"max $|$difference$|$ %s; tolerance rtol = %s, atol = %s\par"
        % (_esc(self, _fmt(rec.get("max_abs_diff"))), _esc(self, _fmt(rec.get("rtol"))), _esc(self, _fmt(rec.get("atol"))))
    )
    lines.append(r"\end{lossbookcard}")
    self.body.append("\n" + "\n".join(lines) + "\n")
    raise nodes.SkipNode


def _skip(self, node):
    raise nodes.SkipNode


# ---------------------------------------------------------------------------
# the assembled book: numbering and the checks appendix
# ---------------------------------------------------------------------------
def _numbered_docs(app) -> set:
    return {d for d, nums in app.env.toc_secnumbers.items() if nums}


def on_doctree_resolved(app, doctree, docname):
    if app.builder.format != "latex" or not any(True for _ in doctree.findall(addnodes.start_of_file)):
        return
    numbered = _numbered_docs(app)
    real_docs = set(app.env.found_docs)
    for sof in doctree.findall(addnodes.start_of_file):
        d = sof.get("docname")
        if d not in real_docs:  # a part heading made by sphinx-jupyterbook-latex
            depth = -2
        else:
            depth = 2 if d in numbered else -2
        sof.insert(0, nodes.raw("", "\\lossbooksecnum{%d}\n" % depth, format="latex"))
    _print_build_report(doctree)
    _print_wide_tables(doctree)
    appendix = nodes.raw("", _checks_appendix(app), format="latex")
    # before the bibliography, which sphinx-jupyterbook-latex moves to the end
    for i, child in enumerate(doctree.children):
        if any(True for _ in child.findall(lambda n: n.__class__.__name__ == "thebibliography")):
            doctree.insert(i, appendix)
            break
    else:
        doctree.append(appendix)


#: the build report's per-chapter tables of checks and claims (``lossbook_sphinx``)
REPORT_TABLE_CLASSES = ("lb-check-table", "lb-claim-table")
#: relative widths of the mutation table's columns in print: function, chapters, status, caught by
MUTATION_COLWIDTHS = (30, 22, 12, 36)
PRINT_REPORT_NOTE = (
    "In the PDF edition every check is listed, with its kind and how it was computed, in the "
    "appendix Checks of the verified equations. The tables of the prose claims checked in each "
    "chapter, with the sentence each one checks, are on this page of the web edition."
)


def _split_name(name: str):
    """'a.b_c' -> [('a', '.'), ('b', '_'), ('c', '')]: the pieces and the separator after each."""
    import re

    pieces = re.split(r"([._])", name)
    return [(pieces[i], pieces[i + 1] if i + 1 < len(pieces) else "") for i in range(0, len(pieces), 2)]


#: relative widths of the notation table's columns in print: symbol, meaning, name in lossbook
NOTATION_COLWIDTHS = (22, 53, 25)


def _breakable_literal(lit) -> None:
    """Replace a code literal by one that may break after each dot or underscore."""
    tex = r"\allowbreak ".join(_tex_escape(part + sep) for part, sep in _split_name(lit.astext()))
    lit.replace_self(nodes.raw("", r"\sphinxcode{\sphinxupquote{%s}}" % tex, format="latex"))


def _print_wide_tables(doctree) -> None:
    """Tables that LaTeX would set as one unbroken line per row: the notation table gets column
    widths (its rows are sentences), and long dotted names in any table (the API summary
    tables: ``lb.binary_cross_entropy_with_logits_grad``) may break after a dot or underscore."""
    for t in doctree.findall(nodes.table):
        if "tab-notation" in t.get("ids", []) and "colwidths-given" not in t.get("classes", []):
            t["classes"].append("colwidths-given")
            for spec, width in zip(t.findall(nodes.colspec), NOTATION_COLWIDTHS):
                spec["colwidth"] = width
        if "lb-mutation-table" in t.get("classes", []):
            continue
        for lit in list(t.findall(nodes.literal)):
            if len(lit.astext()) > 12 and any(c in lit.astext() for c in "._"):
                _breakable_literal(lit)


def _print_build_report(doctree) -> None:
    """The build report in print: the per-chapter counts, not the per-check tables.

    Those tables link to the checking cells' cards by anchor and hold long unbreakable labels:
    in print the checks appendix lists every check instead, and the claim tables stay on the
    site (a table of 200 claim sentences is not book matter).
    """
    # the mutation table: wrapping columns of set widths (LaTeX's default for a long table is
    # one unbroken line per row)
    for t in doctree.findall(nodes.table):
        if "lb-mutation-table" in t.get("classes", []):
            t["classes"].append("colwidths-given")
            for spec, width in zip(t.findall(nodes.colspec), MUTATION_COLWIDTHS):
                spec["colwidth"] = width
            # a dotted function name may break after each dot or underscore
            for lit in list(t.findall(nodes.literal)):
                tex = r"\allowbreak ".join(
                    _tex_escape(part + sep) for part, sep in _split_name(lit.astext()))
                lit.replace_self(nodes.raw("", r"\sphinxcode{\sphinxupquote{%s}}" % tex, format="latex"))
    tables = [t for t in doctree.findall(nodes.table)
              if any(c in t.get("classes", []) for c in REPORT_TABLE_CLASSES)]
    if not tables:
        return
    # before the first chapter's counts (the paragraph just before its first table)
    parent = tables[0].parent
    at = parent.index(tables[0])
    if at > 0 and isinstance(parent[at - 1], nodes.paragraph):
        at -= 1
    parent.insert(at, nodes.paragraph(text=PRINT_REPORT_NOTE))
    for t in tables:
        t.parent.remove(t)


def _checks_appendix(app) -> str:
    env = app.env
    eng = app.config.latex_engine
    esc = lambda s: _tex_escape(str(s), eng)  # noqa: E731
    records = list(getattr(env, "lossbook_verifications", []))
    eqdoc = {}
    for d, eqs in getattr(env, "lossbook_equations", {}).items():
        for e in eqs:
            if e["label"]:
                eqdoc[e["label"]] = d
    order = {d: i for i, d in enumerate(_doc_order(app))}
    records.sort(key=lambda r: (order.get(eqdoc.get(r["label"], r["docname"]), 10**6), r["docname"], r["line"] or 0))
    seen = set()
    rows = []
    for r in records:
        label = r["label"]
        target = ""
        if label not in seen:
            seen.add(label)
            target = r"\phantomsection\label{%s}" % _row_label(label)
        d = eqdoc.get(label)
        number = r"(\ref{equation:%s:%s})" % (d, label) if d else "--"
        kind = r.get("kind", "") or ""
        agree = esc(_fmt(r.get("max_abs_diff"))) if r.get("passed") else r"\textbf{FAILED}"
        rows.append(
            r"%s%s & \texttt{%s} & %s & %s & %s\\" % (
                target, number, esc(label), esc(kind), esc(r.get("how") or ""), agree,
            )
        )
    n_eq = len(eqdoc)
    body = "\n".join(rows)
    return r"""
\lossbooksecnum{-2}
\chapter{Checks of the verified equations}
\label{lossbook-checks-appendix}
\sphinxAtStartPar
Each displayed equation of this book carries a label, and an executed cell computed its two
sides by independent routes when this PDF was built. The table lists all %(nchecks)d checks of
the %(neq)d equations, in the order of the book: the equation's number, its label, the kind of
check, how the two sides were computed, and the largest absolute difference found (which was
within the check's tolerance). The mark “$\checkmark$\,verified” under an equation links here.

{\footnotesize
\begin{longtable}{@{}L{0.08\linewidth}L{0.25\linewidth}L{0.1\linewidth}L{0.36\linewidth}L{0.09\linewidth}@{}}
\textbf{Eq.} & \textbf{Label} & \textbf{Kind} & \textbf{How it was computed} & \textbf{max $|$diff$|$}\\\hline
\endhead
%(body)s
\end{longtable}}
""" % {"nchecks": len(records), "neq": n_eq, "body": body}


def _doc_order(app):
    """Documents in reading order (the root's toctree, depth first)."""
    env = app.env
    out = []

    def walk(doc):
        if doc in out:
            return
        out.append(doc)
        for child in env.toctree_includes.get(doc, []):
            walk(child)

    walk(app.config.root_doc)
    return out


# ---------------------------------------------------------------------------
# the site: copy the PDFs in, link them from the download menus
# ---------------------------------------------------------------------------
PDF_DIR = "_pdf"


def _latex_dir(app) -> Path:
    return Path(app.outdir).parent / "latex"


def _available_pdfs(app) -> dict:
    """{docname or "__book__": file name} of the PDFs that `dev.py pdf` has built."""
    latex = _latex_dir(app)
    out = {}
    if (latex / "lossbook.pdf").is_file():
        out["__book__"] = "lossbook.pdf"
        for f in sorted((latex / "chapters").glob("*.pdf")):
            out[f"book/{f.stem}"] = f.name
    return out


def on_builder_inited_html(app):
    if app.builder.format != "html":
        return
    app.lossbook_pdfs = _available_pdfs(app)


def on_env_get_outdated(app, env, added, changed, removed):
    """When PDFs appear or disappear, every page's download menu changes: rewrite them all."""
    if app.builder.format != "html":
        return []
    now = sorted(getattr(app, "lossbook_pdfs", {}).items())
    before = getattr(env, "lossbook_pdf_menu", None)
    env.lossbook_pdf_menu = now
    if before is not None and before != now:
        return sorted(env.found_docs - set(removed))
    return []


def on_html_page_context(app, pagename, templatename, context, doctree):
    pdfs = getattr(app, "lossbook_pdfs", {})
    if not pdfs or doctree is None:
        return
    entries = []
    pathto = context["pathto"]
    if pagename in pdfs:
        entries.append(("PDF (this chapter)", pdfs[pagename], "Download this chapter as a PDF"))
    if pagename == app.config.root_doc or pagename in pdfs:
        entries.append(("PDF (whole book)", pdfs["__book__"], "Download the whole book as a PDF"))
    if not entries:
        return
    for group in context.get("header_buttons", []):
        if group.get("label") != "download-buttons":
            continue
        # the theme's ".pdf" entry prints the web page; with the real PDF edition at hand it
        # would only confuse (two ".pdf" entries): ours replace it
        buttons = group["buttons"] = [b for b in group["buttons"] if b.get("label") != "download-pdf-button"]
        for text, name, tip in reversed(entries):
            buttons.insert(0, {
                "type": "link",
                "url": pathto(f"{PDF_DIR}/{name}", 1),
                "text": text,
                "tooltip": tip,
                "icon": "fas fa-file-pdf",
                "label": "download-pdf-edition-button",
            })


def on_build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    pdfs = getattr(app, "lossbook_pdfs", {})
    if not pdfs:
        return
    dest = Path(app.outdir) / PDF_DIR
    dest.mkdir(exist_ok=True)
    latex = _latex_dir(app)
    for doc, name in pdfs.items():
        src = latex / name if doc == "__book__" else latex / "chapters" / name
        shutil.copy2(src, dest / name)


def setup(app: Sphinx):
    app.setup_extension("lossbook_sphinx")
    import lossbook_sphinx as lbs

    app.registry.add_translation_handlers(lbs.verification_card, latex=(visit_card_latex, None))
    app.registry.add_translation_handlers(lbs.verified_badge, latex=(visit_badge_latex, None))
    app.registry.add_translation_handlers(lbs.verification_table, latex=(_skip, None))
    app.connect("config-inited", on_config_inited, priority=900)
    app.connect("builder-inited", on_builder_inited)
    app.connect("doctree-resolved", on_doctree_resolved, priority=900)
    app.connect("builder-inited", on_builder_inited_html)
    app.connect("env-get-outdated", on_env_get_outdated)
    app.connect("html-page-context", on_html_page_context, priority=600)  # after the theme's 501
    app.connect("build-finished", on_build_finished)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
