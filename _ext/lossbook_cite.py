"""Sphinx extension: how Lossbook is cited, generated from ``CITATION.cff``.

* **Entries.** The How-to-cite page (directive ``{lossbook-citation}``) and the "Cite this
  chapter" box at the end of every chapter give APA and BibTeX entries with the book's web
  address (``html.baseurl``), its publisher, its version and the git commit it was built from.
  A chapter is cited by its title and page address, never by its number (numbers change when
  chapters are added); an equation by its label's anchor, ``<page>#equation-<label>``.
* **The commit** comes from ``git rev-parse HEAD`` at build time, marked ``+local changes``
  when tracked files differ from it. Outside a git checkout the environment variable
  ``LOSSBOOK_COMMIT`` can supply it; without either, the entries carry no commit and the
  How-to-cite page says so.
* **Metadata for reference managers.** Every chapter page carries Highwire Press
  ``citation_*`` meta tags (what Zotero and Google Scholar read) and a schema.org JSON-LD
  ``Chapter`` that is part of a ``Book``, both from ``CITATION.cff``.
* **Bibliography labels.** The pybtex style ``lossbook`` labels entries exactly as the text
  cites them with ``bibtex_reference_style = author_year`` ("Goodfellow et al., 2016").

Entries are filled in at write time (``doctree-resolved`` and ``html-page-context``), and the
commit is a config value that triggers an HTML rewrite, so they cannot go stale in the cache.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.errors import ConfigError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

LOG = logging.getLogger(__name__)
COMMIT_ENV = "LOSSBOOK_COMMIT"


def _citation():
    import lossbook.book.citation as citation  # one place to change if the module moves

    return citation


def git_commit(root: Path) -> str:
    """The commit the book is built from ('' when unknown), '+local changes' when dirty."""
    env = os.environ.get(COMMIT_ENV, "").strip()
    if env:
        return env
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=30)
        if head.returncode != 0:
            return ""
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root, capture_output=True, text=True, timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    commit = head.stdout.strip()
    return commit + ("+local changes" if dirty.returncode == 0 and dirty.stdout.strip() else "")


def _cff(app) -> dict:
    return _citation().load_citation(Path(app.confdir) / "CITATION.cff")


def _base(app) -> str:
    return (app.config.html_baseurl or "").strip().rstrip("/")


def page_url(app, pagename: str) -> str:
    base = _base(app)
    return f"{base}/{pagename}.html" if base else ""


def on_config_inited(app, config):
    config.lossbook_commit = git_commit(Path(app.confdir))
    cff = _citation().load_citation(Path(app.confdir) / "CITATION.cff")
    cff_url = str(cff.get("url") or "").strip().rstrip("/")
    base = (config.html_baseurl or "").strip().rstrip("/")
    if cff_url != base:
        raise ConfigError(
            f"CITATION.cff url is {cff_url or '(none)'!r} but html.baseurl in _config.yml is "
            f"{base or '(empty)'!r}: the book's web address is one setting, so they must agree"
        )


# --------------------------------------------------------------------------- entries


def entries(app, *, chapter: str | None = None, pagename: str | None = None, key: str = "lossbook") -> dict:
    """APA (plain text) and BibTeX for the book, or for one chapter of it."""
    cit = _citation()
    cff = _cff(app)
    url = page_url(app, pagename) if pagename else (_base(app) + "/" if _base(app) else None)
    commit = app.config.lossbook_commit or None
    apa = cit.to_apa(cff, chapter=chapter, url=url or None, commit=commit)
    bib = cit.to_bibtex(cff, key=key, chapter=chapter, url=url or None, commit=commit)
    return {"apa": apa, "bibtex": bib, "url": url or ""}


def _apa_nodes(apa: str):
    """APA text with its *italic* title as emphasis."""
    para = nodes.paragraph()
    parts = apa.split("*")
    for i, part in enumerate(parts):
        para += nodes.emphasis(part, part) if i % 2 else nodes.Text(part)
    return para


class citation_placeholder(nodes.General, nodes.Element):
    """Replaced at write time by the entries of ``{lossbook-citation}``."""


class CitationDirective(SphinxDirective):
    """``{lossbook-citation}`` with ``:what: book``, ``:what: chapter`` (``:doc:`` a chapter)
    or ``:what: equation`` (``:label:`` an equation label)."""

    option_spec = {
        "what": lambda a: directives.choice(a, ("book", "chapter", "equation")),
        "doc": directives.unchanged,
        "label": directives.unchanged,
    }

    def run(self):
        node = citation_placeholder()
        node["what"] = self.options.get("what", "book")
        node["doc"] = self.options.get("doc", "")
        node["label"] = self.options.get("label", "")
        node["source"], node["line"] = self.get_source_info()
        return [node]


def _bibtex_block(text):
    block = nodes.literal_block(text, text)
    block["language"] = "bibtex"
    return block


def resolve_citations(app, doctree, docname):
    for node in list(doctree.findall(citation_placeholder)):
        node.replace_self(_citation_nodes(app, node, docname))


def _citation_nodes(app, node, docname):
    what = node["what"]
    out = []
    if what == "book":
        e = entries(app)
        out += [_labelled("APA. ", _apa_nodes(e["apa"])), _labelled("BibTeX.", nodes.paragraph()),
                _bibtex_block(e["bibtex"])]
        out.append(nodes.paragraph(text=_provenance(app)))
        return out
    if what == "chapter":
        doc = node["doc"]
        title = app.env.titles[doc].astext() if doc in app.env.titles else None
        if title is None:
            LOG.warning("lossbook-citation: no document %r", doc, location=(node["source"], node["line"]))
            return []
        e = entries(app, chapter=title, pagename=doc, key="lossbook-" + doc.rsplit("/", 1)[-1])
        return [_labelled("APA. ", _apa_nodes(e["apa"])), _bibtex_block(e["bibtex"])]
    # an equation: the chapter's entry plus the label's anchor
    label = node["label"]
    eqs = app.env.get_domain("math").equations
    if label not in eqs:
        LOG.warning("lossbook-citation: no equation labelled %r", label, location=(node["source"], node["line"]))
        return []
    doc = eqs[label][0]
    title = app.env.titles[doc].astext()
    url = page_url(app, doc)
    anchor = f"{doc}.html#equation-{label}"
    rel = "../" * docname.count("/") + anchor
    para = nodes.paragraph()
    para += nodes.Text(f"Equation {label} of the chapter \u201c{title}\u201d: ")
    target = f"{url}#equation-{label}" if url else anchor
    para += nodes.reference(target, target, refuri=(f"{url}#equation-{label}" if url else rel))
    return [para]


def _labelled(label, para):
    para.insert(0, nodes.strong(label, label))
    return para


def _provenance(app) -> str:
    cff = _cff(app)
    commit = app.config.lossbook_commit
    base = _base(app)
    parts = [f"Version {cff['version']}, released {cff['date-released']}."]
    if commit:
        parts.append(f"Built from commit {commit}.")
    else:
        parts.append(
            "This copy was built outside a git checkout and without LOSSBOOK_COMMIT, so no commit is recorded."
        )
    if not base:
        parts.append("It was built without the book's web address (html.baseurl), so the entries give no URL.")
    return " ".join(parts)


# --------------------------------------------------------------------------- chapter pages


def _is_chapter(app, pagename) -> bool:
    return bool(app.env.toc_secnumbers.get(pagename, {}).get(""))


def on_html_page_context(app, pagename, templatename, context, doctree):
    if doctree is None or not _is_chapter(app, pagename):
        return
    title = app.env.titles[pagename].astext()
    if "body" in context:
        context["body"] += cite_box(app, pagename, title)
    context["metatags"] = context.get("metatags", "") + head_metadata(app, pagename, title)


def cite_box(app, pagename, title) -> str:
    cff = _cff(app)
    e = entries(app, chapter=title, pagename=pagename, key="lossbook-" + pagename.rsplit("/", 1)[-1])
    apa = "".join(
        f"<em>{html.escape(p)}</em>" if i % 2 else html.escape(p) for i, p in enumerate(e["apa"].split("*"))
    )
    up = "../" * pagename.count("/")
    lic = html.escape(str(cff.get("license", "")))
    return (
        '<aside class="lb-cite" aria-label="How to cite this chapter">'
        '<h2 class="lb-cite-title">Cite this chapter</h2>'
        f"<p>{apa}</p>"
        f"<details><summary>BibTeX</summary><pre>{html.escape(e['bibtex'])}</pre></details>"
        f'<p class="lb-cite-meta">{html.escape(_provenance(app))} Text licensed {lic}, code MIT. '
        f'Cite an equation by its anchor, for example <code>{html.escape(pagename)}.html#equation-&lt;label&gt;</code>. '
        f'See also <a href="{up}book/how-to-cite.html">How to cite</a>.</p></aside>'
    )


def _people(cff):
    out = []
    for a in cff["authors"]:
        if "name" in a:
            out.append({"@type": "Organization", "name": a["name"]})
        else:
            out.append({"@type": "Person", "familyName": a["family-names"], "givenName": a.get("given-names", ""),
                        "name": f"{a.get('given-names', '')} {a['family-names']}".strip()})
    return out


LICENSE_URLS = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "MIT": "https://opensource.org/license/mit",
}


def metadata(app, pagename, title) -> dict:
    """The chapter's citation metadata: {'meta': [(name, content), ...], 'jsonld': {...}}."""
    cit = _citation()
    cff = _cff(app)
    pref = cit._preferred(cff)
    book_title = pref["title"]
    names = cit.author_names(pref)
    date = str(cff["date-released"])
    publisher = cit.publisher_name(cff)
    url = page_url(app, pagename)
    base = _base(app)
    commit = app.config.lossbook_commit
    meta = [("citation_title", title), ("citation_inbook_title", book_title), ("citation_book_title", book_title)]
    meta += [("citation_author", n) for n in names]
    meta += [("citation_publication_date", date.replace("-", "/")), ("citation_date", date.replace("-", "/"))]
    if publisher:
        meta.append(("citation_publisher", publisher))
    meta += [("citation_language", "en")]
    if cff.get("keywords"):
        meta.append(("citation_keywords", "; ".join(cff["keywords"])))
    if url:
        meta += [("citation_fulltext_html_url", url), ("citation_abstract_html_url", url)]
    lic = str(cff.get("license", ""))
    book = {
        "@type": "Book",
        "name": book_title,
        "author": _people(pref),
        "datePublished": date,
        "version": str(cff["version"]),
        "bookEdition": str(cff["version"]),
        "license": LICENSE_URLS.get(lic, lic),
        "inLanguage": "en",
    }
    if cff.get("abstract"):
        book["abstract"] = " ".join(str(cff["abstract"]).split())
    if cff.get("keywords"):
        book["keywords"] = list(cff["keywords"])
    if publisher:
        book["publisher"] = {"@type": "Organization", "name": publisher}
    if base:
        book["url"] = base + "/"
        book["@id"] = base + "/#book"
    chapter = {
        "@context": "https://schema.org",
        "@type": "Chapter",
        "name": title,
        "headline": title,
        "author": _people(pref),
        "datePublished": date,
        "version": str(cff["version"]),
        "license": LICENSE_URLS.get(lic, lic),
        "inLanguage": "en",
        "isPartOf": book,
    }
    if publisher:
        chapter["publisher"] = {"@type": "Organization", "name": publisher}
    if url:
        chapter["url"] = url
        chapter["@id"] = url
    if commit:
        chapter["identifier"] = {"@type": "PropertyValue", "propertyID": "git commit", "value": commit}
    return {"meta": meta, "jsonld": chapter}


def head_metadata(app, pagename, title) -> str:
    md = metadata(app, pagename, title)
    tags = "".join(
        f'\n<meta name="{html.escape(k)}" content="{html.escape(str(v))}" />' for k, v in md["meta"]
    )
    # "</" cannot appear inside a script element; JSON allows escaping "/" as "\/".
    blob = json.dumps(md["jsonld"], ensure_ascii=False, indent=1).replace("</", "<\\/")
    return tags + f'\n<script type="application/ld+json">\n{blob}\n</script>\n'


# --------------------------------------------------------------------------- bibliography labels


def _register_pybtex_style():
    import pybtex.plugin
    from pybtex.style.formatting.plain import Style as PlainStyle
    from pybtex.style.labels import BaseLabelStyle

    last = pybtex.plugin.find_plugin("pybtex.style.names", "last")()

    def who(entry):
        for role in ("author", "editor"):
            persons = entry.persons.get(role)
            if persons:
                names = [last.format(p, True).format().render_as("text") for p in persons]
                if len(names) == 1:
                    return names[0]
                if len(names) == 2:
                    return f"{names[0]} and {names[1]}"
                return f"{names[0]} et al."
        # no author or editor (a documentation page): the title, as the in-text label prints
        # it (without the BibTeX braces that protect its capitals)
        return entry.fields.get("title", entry.key).replace("{", "").replace("}", "")

    class AuthorYearLabels(BaseLabelStyle):
        """'Goodfellow et al., 2016': the label the author_year reference style prints in the text."""

        def format_labels(self, sorted_entries):
            for entry in sorted_entries:
                yield f"{who(entry)}, {entry.fields.get('year', 'n.d.')}"

    from pybtex.style.sorting.author_year_title import SortingStyle as AuthorYearTitle

    class AuthorYearTitleSorting(AuthorYearTitle):
        """Author, year, title; an entry with no author or editor (a web page) files under
        what its label starts with (its title), not before "A", and a
        braced corporate author under its first letter, not after "Z"."""

        def sorting_key(self, entry):
            author_key, year, title = super().sorting_key(entry)
            if not author_key and not entry.persons.get("editor"):
                author_key = entry.fields.get("title", "").lower()  # what who() prints as its label
            # a corporate author is braced ({PyTorch Contributors}): file it under its first letter
            return (author_key.replace("{", "").replace("}", ""), year, title)

    class LossbookStyle(PlainStyle):
        default_label_style = "lossbook-author-year"
        default_sorting_style = "lossbook-author-year-title"

    pybtex.plugin.register_plugin("pybtex.style.labels", "lossbook-author-year", AuthorYearLabels, force=True)
    pybtex.plugin.register_plugin(
        "pybtex.style.sorting", "lossbook-author-year-title", AuthorYearTitleSorting, force=True)
    pybtex.plugin.register_plugin("pybtex.style.formatting", "lossbook", LossbookStyle, force=True)


def setup(app):
    app.add_config_value("lossbook_commit", "", "html")
    app.connect("config-inited", on_config_inited)
    app.add_node(citation_placeholder)
    app.add_directive("lossbook-citation", CitationDirective)
    app.connect("doctree-resolved", resolve_citations)
    app.connect("html-page-context", on_html_page_context, priority=450)
    _register_pybtex_style()
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
