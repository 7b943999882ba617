"""Sphinx extension for Lossbook: verified equations, an honest cache, offline maths.

Loaded by ``_config.yml`` (``sphinx.local_extensions``). It does four things.

1. **Verified equations.** Every displayed equation (``math_block``) in the
   book must carry a label, and some executed cell must have called
   ``lossbook.book.verify(label, lhs, rhs, ...)`` with a passing result. The call's
   output is a ``lossbook-verification`` directive (its ``text/markdown``
   form, parsed as MyST), which this extension registers: it records the check
   and renders a card with the values, anchored at ``#verification-<label>``.
   After reading, each equation without a passing check, each unlabelled
   equation, each failed check and each check of an unknown label is reported
   as a ``lossbook.equation`` warning naming the file and the label (so
   ``-W`` fails the build), and ``build-finished`` raises even without ``-W``.
   Beside each verified equation the reader sees a "verified" mark that opens
   the values and links to the checking cell.

2. **A cache that cannot lie.** myst-nb's jupyter-cache keys a notebook on its
   own code only, so editing ``lossbook/`` would leave stale outputs. The cache
   directory is keyed on a hash of the files under ``lossbook_cache_key_paths``
   (default ``["lossbook"]``), and when that hash changes every document is
   marked outdated, so Sphinx re-reads and myst-nb re-executes it.

3. **Offline maths.** MathJax 3 (SVG output, one file plus its lazily loaded
   extensions) is served from the site's own ``_static`` folder; no request
   leaves the machine.

4. **Numbers of checks** per document are kept in ``env.lossbook_verifications``
   for the build-report page (``{lossbook-verification-table}``).

5. **Kinds and claims** (issue 12). Each check's record carries its kind
   (definition, identity, derivative, inequality, estimate, limit), shown on its
   card and on the badge; a check without a kind is a build problem.
   ``lossbook.book.claim`` writes a ``lossbook-claim`` directive: it renders only a
   hidden anchor and is collected in ``env.lossbook_claims``. The build report's
   ``{lossbook-check-report}`` lists, per chapter in book order, every check
   (label, kind, status, how) and every claim (label, status, text);
   ``{lossbook-mutation-table}`` renders the last ``python3 dev.py mutate``
   result (``book/_mutation.json``). When a chapter's cell raises, one
   ``ERROR: lossbook: <file>: a check failed: ...`` line names it before
   myst-nb's traceback.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

LOG = logging.getLogger(__name__)
WARN_TYPE = "lossbook"
WARN_SUBTYPE = "equation"
DIRECTIVE = "lossbook-verification"
#: The fields of a check's record kept for the badge and the build report.
RECORD_KEYS = (
    "kind", "passed", "lhs", "rhs", "max_abs_diff", "rtol", "atol", "how", "detail",
    "margin", "at", "strict", "se", "n_se", "max_z", "n",
)
_AUTO_LABEL = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


# ---------------------------------------------------------------------------
# nodes
# ---------------------------------------------------------------------------
class verification_card(nodes.General, nodes.Element):
    """The reader-facing record of one executed check."""


class verified_badge(nodes.General, nodes.Element):
    """The mark placed after a verified equation."""


def _visit_card_html(self, node):
    rec = node["record"]
    ok = rec.get("passed")
    status = "&#10003; Verified" if ok else "&#10007; Verification failed"
    kind = rec.get("kind")
    kind_html = f' &middot; <span class="lb-kind">{html.escape(kind)}</span>' if kind else ""
    how = f'<div class="lb-how">{html.escape(rec.get("how") or "")}</div>' if rec.get("how") else ""
    # collapsed by default behind a one-line summary; the verified mark's link opens it
    # (_static/lossbook-site.js), and a failed check is shown open
    # the check's own route ('how') in the summary: several checks of one equation after one
    # cell must not read as identical, duplicated lines (visual audit, issue 16)
    how_text = " ".join((rec.get("how") or "").split())
    if len(how_text) > 90:
        how_text = how_text[:89].rsplit(" ", 1)[0] + "\u2026"
    how_tail = f' <span class="lb-how-short">&middot; {html.escape(how_text)}</span>' if how_text else ""
    summary = f"{status}{kind_html}: equation {html.escape(node['eq_text'])}{how_tail}"
    self.body.append(
        f'<details class="lb-card"{"" if ok else " open"}><summary>{summary}</summary>'
        f'<div class="lb-verification {"lb-pass" if ok else "lb-fail"}" '
        f'id="{html.escape(node["anchor"])}" role="group" tabindex="-1" '
        f'aria-label="{html.escape(card_aria_label(node))}">'
        f'<div class="lb-title"><strong>{status}{kind_html}:</strong> equation '
        f'<a class="reference internal" href="#{html.escape(node["eq_anchor"])}">'
        f"{html.escape(node['eq_text'])}</a></div>{how}"
        f'<table class="lb-values"><caption>Values compared</caption><tbody>'
        + "".join(
            f'<tr><th scope="row">{html.escape(name)}</th><td>{value}</td></tr>' for name, value in _card_rows(rec)
        )
        + "</tbody></table></div></details>"
    )
    raise nodes.SkipNode


def _card_rows(rec):
    """The rows of a check's card, by kind: (row name, HTML value)."""
    code = lambda v: f"<code>{html.escape(str(v))}</code>"  # noqa: E731
    kind = rec.get("kind")
    if kind == "inequality" or (kind == "limit" and "margin" in rec):
        op = "&lt;" if rec.get("strict") else "&le;"
        rows = [
            ("lower side", code(rec.get("lhs"))),
            ("upper side", code(rec.get("rhs"))),
            ("checked", f"lower {op} upper at {rec.get('n')} point(s)"),
            ("tightest margin", f"{_fmt(rec.get('margin'))} at {html.escape(str(rec.get('at')))}"),
        ]
        if rec.get("atol"):
            rows.append(("rounding slack", f"atol = {_fmt(rec.get('atol'))}"))
        return rows
    if kind == "estimate" and "max_z" in rec:
        return [
            ("estimate", code(rec.get("lhs"))),
            ("exact", code(rec.get("rhs"))),
            ("standard error", code(rec.get("se"))),
            ("largest |z|", f"{_fmt(rec.get('max_z'))} (allowed: {_fmt(rec.get('n_se'))} standard errors)"),
        ]
    return [
        ("left side", code(rec.get("lhs"))),
        ("right side", code(rec.get("rhs"))),
        ("max |difference|", _fmt(rec.get("max_abs_diff"))),
        ("tolerance", f"rtol = {_fmt(rec.get('rtol'))}, atol = {_fmt(rec.get('atol'))}"),
    ]


def card_aria_label(node):
    """``"check of equation (3.2) ce-def: verified"``: names the card a badge link leads to.

    The card is a focus target (``tabindex="-1"``), so following a badge's link moves the
    keyboard focus onto it and a screen reader announces what it is.
    """
    rec = node["record"]
    kind = f" ({rec['kind']})" if rec.get("kind") else ""
    return f"check of equation {node['eq_text']}{kind}: {'verified' if rec.get('passed') else 'failed'}"


def _visit_card_text(self, node):
    rec = node["record"]
    self.body.append(f"[verified ({rec.get('kind')}) {rec.get('label')}: {rec.get('detail') or ''}]")
    raise nodes.SkipNode


def _visit_badge_html(self, node):
    items = "".join(
        f'<li><a class="reference internal" href="{html.escape(c["href"])}">check {i + 1}</a>'
        f' ({html.escape(c.get("kind") or "no kind")}): '
        f"{html.escape(_check_line(c))}"
        + (f"<br><em>{html.escape(c['how'])}</em>" if c.get("how") else "")
        + "</li>"
        for i, c in enumerate(node["checks"])
    )
    self.body.append(
        f'<details class="lb-badge" id="verified-{html.escape(node["label"])}">'
        f'<summary title="This equation was checked numerically when the book was built" '
        f'aria-label="{html.escape(badge_aria_label(_equation_number(self.builder.env, node["label"]), node["checks"]))}">'
        f'<span aria-hidden="true">&#10003;</span> {html.escape(badge_words(node["checks"]))}</summary>'
        f"<ul>{items}</ul></details>"
    )
    raise nodes.SkipNode


def badge_words(checks):
    """The badge's words after the tick: 'verified (identity)', or, for several checks,
    'verified (identity, derivative; 2 checks)'. The words are, in order, inside the
    badge's accessible name (``badge_aria_label``), as WCAG 2.5.3 (label in name) asks."""
    # no middle dot here: axe's label-in-name comparison strips ASCII and General Punctuation,
    # not U+00B7, so 'verified · identity' would not be found inside the accessible name
    kinds = list(dict.fromkeys(c.get("kind") or "no kind" for c in checks))
    if len(checks) == 1:
        return f"verified ({kinds[0]})"
    return f"verified ({', '.join(kinds)}; {len(checks)} checks)"


def badge_text(checks):
    """The badge as plain text: '✓ verified (identity)', '✓ verified (identity, derivative; 2 checks)'."""
    return "\u2713 " + badge_words(checks)


def _check_line(c):
    """One line for a check in the badge: values and margin, by kind."""
    if c.get("detail"):
        return f"{c['lhs']} vs {c['rhs']}; {c['detail']}"
    return (
        f"{c['lhs']} vs {c['rhs']}, max |diff| {_fmt(c['max_abs_diff'])} "
        f"(rtol {_fmt(c['rtol'])}, atol {_fmt(c['atol'])})"
    )


# --- accessible names (issue 19): what a screen reader announces for a badge or a card ---
def _equation_number(env, label):
    """The equation's number as the reader sees it ("3.2"), or its label if it has none."""
    try:
        eqdoc, number = env.get_domain("math").equations.get(label, (None, None))
    except Exception:
        eqdoc, number = None, None
    if not number:
        return label
    secnums = env.toc_secnumbers.get(eqdoc, {}).get("") if eqdoc else None
    return f"{'.'.join(map(str, secnums))}.{number}" if secnums else str(number)


def badge_aria_label(number, records):
    """``"equation 3.2, verified, 2 checks"`` for a badge over ``records`` (its checks).

    Records may carry a ``kind`` ("identity", "derivative", ...); the kinds are named right
    after "verified", in order and without repeats, so that a visible text such as
    "verified (identity)" stays inside the accessible name (WCAG 2.5.3, label in name).
    """
    kinds = []
    for r in records:
        k = (r.get("kind") or "").strip()
        if k and k not in kinds:
            kinds.append(k)
    n = len(records)
    parts = [f"equation {number}", "verified", *kinds, f"{n} check{'s' if n != 1 else ''}"]
    return ", ".join(parts)


def _visit_skip(self, node):
    raise nodes.SkipNode


def _fmt(x):
    if isinstance(x, (int, float)):
        return f"{x:.3g}"
    return html.escape(str(x))


# ---------------------------------------------------------------------------
# the directive written by lossbook.book.verify's text/markdown output
# ---------------------------------------------------------------------------
class VerificationDirective(SphinxDirective):
    required_arguments = 1
    has_content = True

    def run(self):
        label = self.arguments[0]
        try:
            rec = json.loads("\n".join(self.content))
        except json.JSONDecodeError as exc:
            raise self.error(f"{DIRECTIVE} {label}: the record is not JSON ({exc})")
        env = self.env
        store = _verifications(env)
        anchor = f"verification-{label}-{sum(1 for r in store if r['label'] == label) + 1}"
        rec = dict(rec, label=label)
        store.append(
            {
                "label": label,
                "docname": env.docname,
                "anchor": anchor,
                "line": self.lineno,
                **{k: rec.get(k) for k in RECORD_KEYS},
            }
        )
        node = verification_card(record=rec, anchor=anchor, label=label, eq_anchor=f"equation-{label}", eq_text=label)
        self.set_source_info(node)
        return [node]


def _verifications(env):
    if not hasattr(env, "lossbook_verifications"):
        env.lossbook_verifications = []
    return env.lossbook_verifications


def _equations(env):
    if not hasattr(env, "lossbook_equations"):
        env.lossbook_equations = {}
    return env.lossbook_equations


# ---------------------------------------------------------------------------
# collecting equations and reporting problems
# ---------------------------------------------------------------------------
def _exempt(app, docname):
    return any(docname == d or docname.startswith(d.rstrip("/") + "/") for d in app.config.lossbook_equation_exempt_docs)


def on_doctree_read(app, doctree):
    env = app.env
    docname = env.docname
    eqs = []
    for node in doctree.findall(nodes.math_block):
        if _exempt(app, docname):
            continue
        label = node.get("label") or ""
        if _AUTO_LABEL.match(label):  # myst's amsmath blocks get a random uuid, not a name
            label = ""
        line = node.line or 0
        eqs.append({"label": label, "line": line, "text": node.astext()[:60]})
    _equations(env)[docname] = eqs


def on_purge_doc(app, env, docname):
    _equations(env).pop(docname, None)
    env.lossbook_verifications = [v for v in _verifications(env) if v["docname"] != docname]


def on_merge_info(app, env, docnames, other):
    _equations(env).update({d: e for d, e in _equations(other).items() if d in docnames})
    _verifications(env).extend(v for v in _verifications(other) if v["docname"] in docnames)


def on_check_consistency(app, env):
    checks_by_label = {}
    for v in _verifications(env):
        checks_by_label.setdefault(v["label"], []).append(v)
    known = {}
    env.lossbook_problem_count = 0
    for docname, eqs in sorted(_equations(env).items()):
        for eq in eqs:
            if not eq["label"]:
                _problem(
                    app,
                    f"displayed equation has no label; give it one (':label: name' or "
                    f"'$$ ... $$ (name)') and check it with lossbook.book.verify('name', lhs, rhs, kind=..., how=...): "
                    f"{eq['text']!r}",
                    (docname, eq["line"]),
                )
                continue
            known[eq["label"]] = docname
            checks = checks_by_label.get(eq["label"], [])
            if not any(c["passed"] for c in checks):
                _problem(
                    app,
                    f"equation '{eq['label']}' has no passing verification in an executed cell; "
                    f"add a cell calling lossbook.book.verify('{eq['label']}', lhs, rhs, kind=..., how=...) "
                    f"(or verify_bound / verify_estimate)",
                    (docname, eq["line"]),
                )
    for v in _verifications(env):
        if not v["passed"]:
            _problem(
                app,
                f"verification of equation '{v['label']}' failed: lhs = {v['lhs']}, rhs = {v['rhs']}, "
                f"max |diff| = {v['max_abs_diff']}, rtol = {v['rtol']}, atol = {v['atol']}",
                (v["docname"], v["line"]),
            )
        if v["label"] not in known:
            _problem(
                app,
                f"lossbook.book.verify names equation '{v['label']}', but no displayed equation has that label",
                (v["docname"], v["line"]),
            )


def _problem(app, message, location):
    app.env.lossbook_problem_count = getattr(app.env, "lossbook_problem_count", 0) + 1
    LOG.warning(message + f" [{WARN_TYPE}.{WARN_SUBTYPE}]", type=WARN_TYPE, subtype=WARN_SUBTYPE, location=location)


def on_doctree_resolved(app, doctree, docname):
    env = app.env
    checks_by_label = {}
    for v in _verifications(env):
        checks_by_label.setdefault(v["label"], []).append(v)
    for node in list(doctree.findall(nodes.math_block)):
        label = node.get("label")
        if not label or label not in checks_by_label:
            continue
        checks = []
        for c in checks_by_label[label]:
            if not c["passed"]:
                continue
            try:
                uri = app.builder.get_relative_uri(docname, c["docname"]) if c["docname"] != docname else ""
            except Exception:
                uri = ""
            checks.append(dict(c, href=f"{uri}#{c['anchor']}"))
        if not checks:
            continue
        badge = verified_badge(label=label, checks=checks)
        node.parent.insert(node.parent.index(node) + 1, badge)
    # the card links back to its equation: fill in the equation's number
    for card in doctree.findall(verification_card):
        label = card["label"]
        eqdoc = None
        for d, eqs in _equations(env).items():
            if any(e["label"] == label for e in eqs):
                eqdoc = d
        number = None
        domain = env.get_domain("math")
        try:
            _, number = domain.equations.get(label, (None, None))
        except Exception:
            number = None
        if eqdoc and eqdoc != docname:
            try:
                card["eq_anchor"] = app.builder.get_relative_uri(docname, eqdoc) + f"#equation-{label}"
            except Exception:
                pass
        if number:
            secnum = None
            if app.config.math_numfig and app.config.numfig and eqdoc:
                secnums = env.toc_secnumbers.get(eqdoc, {}).get("")
                if secnums:
                    secnum = ".".join(map(str, secnums))
            card["eq_text"] = f"({secnum + '.' if secnum else ''}{number}) {label}"


# ---------------------------------------------------------------------------
# checked prose claims: lossbook.book.claim's text/markdown output
# ---------------------------------------------------------------------------
CLAIM_DIRECTIVE = "lossbook-claim"


class claim_marker(nodes.General, nodes.Element):
    """A checked prose claim: nothing on the page but an anchor for the build report."""


def _visit_claim_html(self, node):
    self.body.append(
        f'<span class="lb-claim" id="{html.escape(node["anchor"])}" hidden '
        f'data-claim="{html.escape(node["label"])}"></span>'
    )
    raise nodes.SkipNode


class ClaimDirective(SphinxDirective):
    """``{lossbook-claim} label`` with a JSON record: collect the claim for the build report."""

    required_arguments = 1
    has_content = True

    def run(self):
        label = self.arguments[0]
        try:
            rec = json.loads("\n".join(self.content))
        except json.JSONDecodeError as exc:
            raise self.error(f"{CLAIM_DIRECTIVE} {label}: the record is not JSON ({exc})")
        store = _claims(self.env)
        anchor = f"claim-{label}-{sum(1 for c in store if c['label'] == label) + 1}"
        store.append(
            {
                "label": label,
                "text": str(rec.get("text", "")),
                "passed": bool(rec.get("passed")),
                "docname": self.env.docname,
                "anchor": anchor,
                "line": self.lineno,
            }
        )
        node = claim_marker(label=label, anchor=anchor)
        self.set_source_info(node)
        return [node]


def _claims(env):
    if not hasattr(env, "lossbook_claims"):
        env.lossbook_claims = []
    return env.lossbook_claims


def on_purge_doc_claims(app, env, docname):
    env.lossbook_claims = [c for c in _claims(env) if c["docname"] != docname]


def on_merge_info_claims(app, env, docnames, other):
    _claims(env).extend(c for c in _claims(other) if c["docname"] in docnames)


def on_check_consistency_claims(app, env):
    """A claim recorded as failed (it cannot be, since a false claim raises) is a problem too."""
    for c in _claims(env):
        if not c["passed"]:
            _problem(app, f"prose claim '{c['label']}' is false: {c['text']}", (c["docname"], c["line"]))


# ---------------------------------------------------------------------------
# the honest cache
# ---------------------------------------------------------------------------
def source_hash(root: Path, paths) -> str:
    """sha256 over the relative path and bytes of every ``.py`` file under ``paths``."""
    h = hashlib.sha256()
    for p in paths:
        base = (root / p).resolve()
        files = [base] if base.is_file() else sorted(base.rglob("*.py"))
        for f in files:
            if "__pycache__" in f.parts:
                continue
            h.update(str(f.relative_to(root.resolve())).encode())
            h.update(b"\0")
            h.update(f.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


def on_builder_inited(app):
    root = Path(app.confdir)
    digest = source_hash(root, app.config.lossbook_cache_key_paths)
    app.env.lossbook_new_hash = digest
    cfg = getattr(app.env, "mystnb_config", None)
    if cfg is not None and cfg.execution_cache_path:
        base = Path(cfg.execution_cache_path)
        keyed = base / f"lossbook-{digest[:16]}"
        if base.is_dir():
            for old in base.glob("lossbook-*"):
                if old != keyed:
                    shutil.rmtree(old, ignore_errors=True)
        app.env.mystnb_config = cfg.copy(execution_cache_path=str(keyed))
        LOG.info(f"lossbook: execution cache keyed on {', '.join(app.config.lossbook_cache_key_paths)} -> {keyed}")
    # offline MathJax, served from _static
    if app.builder.format == "html":
        mj = _mathjax_dir()
        if mj is not None:
            staged = _stage_mathjax(mj, Path(app.outdir).parent / "lossbook_static")
            app.config.html_static_path.append(str(staged))
            app.config.mathjax_path = "mathjax/tex-svg.js"
        else:
            raise ExtensionError(
                "lossbook: MathJax is not installed (pip install django-static-mathjax); the book "
                "serves its maths itself and may not load it from a CDN"
            )


def _stage_mathjax(src: Path, dest_root: Path) -> Path:
    """Copy MathJax's SVG build (and the parts it loads lazily) to ``dest_root/mathjax``."""
    dest = dest_root / "mathjax"
    stamp = dest / ".staged"
    if stamp.is_file():
        return dest_root
    shutil.rmtree(dest, ignore_errors=True)
    es5 = src / "es5"
    dest.mkdir(parents=True)
    shutil.copy2(es5 / "tex-svg.js", dest / "tex-svg.js")
    for sub in ("input", "a11y", "sre", "ui", "adaptors"):
        if (es5 / sub).is_dir():
            shutil.copytree(es5 / sub, dest / sub)
    if (es5 / "output" / "svg").is_dir():
        shutil.copytree(es5 / "output" / "svg", dest / "output" / "svg")
        for f in (es5 / "output").glob("svg*.js"):
            shutil.copy2(f, dest / "output" / f.name)
    shutil.copy2(src / "LICENSE", dest / "LICENSE")
    stamp.write_text("MathJax 3 staged by lossbook_sphinx\n")
    return dest_root


def _mathjax_dir():
    try:
        import mathjax  # django-static-mathjax: MathJax 3 as package data

        d = Path(mathjax.__file__).parent / "static" / "mathjax"
    except ImportError:
        return None
    return d if (d / "es5" / "tex-svg.js").is_file() else None


def on_env_get_outdated(app, env, added, changed, removed):
    new = getattr(env, "lossbook_new_hash", None)
    old = getattr(env, "lossbook_source_hash", None)
    env.lossbook_source_hash = new
    if old is not None and new != old:
        LOG.info("lossbook: package source changed; re-reading every document")
        return sorted(env.found_docs - set(removed))
    return []


def on_build_finished(app, exception):
    if exception is None and getattr(app.env, "lossbook_problem_count", 0):
        raise ExtensionError(
            f"lossbook: {app.env.lossbook_problem_count} equation problem(s) (see the "
            f"'{WARN_TYPE}.{WARN_SUBTYPE}' warnings above)"
        )


# ---------------------------------------------------------------------------
# the build report: verified equations per document
# ---------------------------------------------------------------------------
class verification_table(nodes.General, nodes.Element):
    pass


class VerificationTableDirective(Directive):
    has_content = False

    def run(self):
        # the table summarises every document: re-read this page at every build
        self.state.document.settings.env.note_reread()
        return [verification_table()]


def _caption_exec_table(doctree):
    """Give myst-nb's execution-statistics table a caption (every table has one)."""
    for table in doctree.findall(nodes.table):
        if any(isinstance(c, nodes.title) for c in table.children):
            continue
        heads = [e.astext() for e in table.findall(nodes.entry)][:5]
        if heads[:3] == ["Document", "Modified", "Method"]:
            table.insert(0, nodes.title(text="Chapter execution: when, how and how long"))
            if not table["ids"]:
                table["ids"].append("table-execution-statistics")


def on_doctree_resolved_table(app, doctree, docname):
    env = app.env
    _caption_exec_table(doctree)
    for node in list(doctree.findall(verification_table)):
        counts = {}
        for v in _verifications(env):
            d = counts.setdefault(v["docname"], {"checks": 0, "labels": set()})
            d["checks"] += 1
            d["labels"].add(v["label"])
        eq_counts = {d: len(e) for d, e in _equations(env).items()}
        table = nodes.table(classes=["lb-verification-table"], ids=["table-verified-equations"])
        tgroup = nodes.tgroup(cols=5)
        table += tgroup
        for _ in range(5):
            tgroup += nodes.colspec(colwidth=1)
        head = nodes.thead()
        row = nodes.row()
        for h in ("Document", "Displayed equations", "Equations verified", "Checks run", "Status"):
            row += nodes.entry("", nodes.paragraph(text=h))
        head += row
        tgroup += head
        body = nodes.tbody()
        shown = set(counts) | {k for k, v in eq_counts.items() if v}
        for d in [d for d in book_order(env, app.config.root_doc) if d in shown]:  # book order
            r = nodes.row()
            title = env.titles.get(d)
            para = nodes.paragraph()
            ref = nodes.reference("", "", internal=True, refuri=app.builder.get_relative_uri(docname, d))
            ref += nodes.Text(title.astext() if title else d)
            para += ref
            r += nodes.entry("", para)
            labels = {e["label"] for e in _equations(env).get(d, [])}
            verified = sum(
                1 for lab in labels if any(v["label"] == lab and v["passed"] for v in _verifications(env))
            )
            for val in (eq_counts.get(d, 0), verified, counts.get(d, {}).get("checks", 0)):
                r += nodes.entry("", nodes.paragraph(text=str(val)))
            missing = eq_counts.get(d, 0) - verified
            failed = sum(1 for v in _verifications(env) if v["docname"] == d and not v["passed"])
            status = (f"{failed} check(s) FAILED" if failed else
                      f"{missing} equation(s) not verified" if missing > 0 else "all verified")
            r += nodes.entry("", nodes.paragraph(text=status))
            body += r
        tgroup += body
        title = nodes.title(text="Verified equations per document")
        table.insert(0, title)
        node.replace_self(table)


# ---------------------------------------------------------------------------
# the build report: checks by kind, each check's how, the prose claims (issue 12)
# ---------------------------------------------------------------------------
KIND_ORDER = ("definition", "identity", "derivative", "inequality", "estimate", "limit")


class check_report(nodes.General, nodes.Element):
    pass


class CheckReportDirective(Directive):
    """``{lossbook-check-report}``: per chapter in book order, every check and every claim."""

    has_content = False

    def run(self):
        self.state.document.settings.env.note_reread()
        return [check_report()]


def book_order(env, root):
    """Docnames in the order of the table of contents (depth first from ``root``), then the rest."""
    seen, order = set(), []

    def walk(doc):
        if doc in seen:
            return
        seen.add(doc)
        order.append(doc)
        for child in env.toctree_includes.get(doc, []):
            walk(child)

    walk(root)
    return order + sorted(d for d in env.found_docs if d not in seen)


def _report_table(title, ids, header, rows, classes):
    """A docutils table with a caption; each cell is a node or text."""
    table = nodes.table(classes=classes, ids=[ids])
    table += nodes.title(text=title)
    tgroup = nodes.tgroup(cols=len(header))
    table += tgroup
    for _ in header:
        tgroup += nodes.colspec(colwidth=1)
    head = nodes.thead()
    row = nodes.row()
    for h in header:
        row += nodes.entry("", nodes.paragraph(text=h))
    head += row
    tgroup += head
    body = nodes.tbody()
    for cells in rows:
        r = nodes.row()
        for c in cells:
            r += nodes.entry("", c if isinstance(c, nodes.Node) else nodes.paragraph(text=str(c)))
        body += r
    tgroup += body
    return table


def _report_link(app, fromdoc, todoc, anchor, text):
    para = nodes.paragraph()
    uri = app.builder.get_relative_uri(fromdoc, todoc) if todoc != fromdoc else ""
    ref = nodes.reference("", "", internal=True, refuri=f"{uri}#{anchor}" if anchor else uri)
    ref += nodes.literal(text=text) if anchor else nodes.Text(text)
    para += ref
    return para


def kind_counts(checks):
    """'3 definition, 1 derivative' in the fixed order of kinds (then anything unknown)."""
    counts = {}
    for c in checks:
        k = c.get("kind") or "no kind"
        counts[k] = counts.get(k, 0) + 1
    keys = [k for k in KIND_ORDER if k in counts] + sorted(k for k in counts if k not in KIND_ORDER)
    return ", ".join(f"{counts[k]} {k}" for k in keys) or "none"


def on_doctree_resolved_check_report(app, doctree, docname):
    env = app.env
    for node in list(doctree.findall(check_report)):
        out = []
        checks, claims, eqs = _verifications(env), _claims(env), _equations(env)
        docs = [d for d in book_order(env, app.config.root_doc)
                if eqs.get(d) or any(c["docname"] == d for c in checks) or any(c["docname"] == d for c in claims)]
        total = nodes.paragraph(text=(
            f"In all: {sum(len(eqs.get(d, [])) for d in docs)} displayed equations, {len(checks)} checks "
            f"({kind_counts(checks)}) and {len(claims)} checked prose claims."
        ))
        out.append(total)
        for i, d in enumerate(docs, 1):
            title = env.titles.get(d)
            name = title.astext() if title else d
            dchecks = [c for c in checks if c["docname"] == d]
            dclaims = [c for c in claims if c["docname"] == d]
            para = _report_link(app, docname, d, "", name)
            para += nodes.Text(
                f": {len(eqs.get(d, []))} displayed equations; {len(dchecks)} checks "
                f"({kind_counts(dchecks)}); {len(dclaims)} checked prose claims."
            )
            out.append(para)
            if dchecks:
                rows = [
                    (_report_link(app, docname, d, c["anchor"], c["label"]), c.get("kind") or "no kind",
                     "passed" if c.get("passed") else "FAILED", c.get("how") or "")
                    for c in dchecks
                ]
                out.append(_report_table(f"Checks in {name}", f"table-checks-{i}", ("Equation", "Kind", "Status", "How"),
                                  rows, ["lb-check-table"]))
            if dclaims:
                rows = [
                    (_report_link(app, docname, d, c["anchor"], c["label"]), "holds" if c.get("passed") else "FALSE",
                     c.get("text") or "")
                    for c in dclaims
                ]
                out.append(_report_table(f"Prose claims checked in {name}", f"table-claims-{i}",
                                  ("Claim", "Status", "What the text says"), rows, ["lb-claim-table"]))
        node.replace_self(out)


def on_check_consistency_kinds(app, env):
    """A check that states no kind (a record from before kinds, or made by hand) is a problem."""
    for v in _verifications(env):
        if not v.get("kind"):
            _problem(
                app,
                f"the check of equation '{v['label']}' states no kind; call lossbook.book.verify(..., kind=...) "
                f"with one of {', '.join(KIND_ORDER)}",
                (v["docname"], v["line"]),
            )


def strip_claim_only_cells(app, doctree, docname):
    """A cell whose only output is checked claims leaves no empty box on the page, only the anchors."""
    for marker in list(doctree.findall(claim_marker)):
        cell = marker.parent
        while cell is not None and "cell" not in cell.get("classes", []):
            cell = cell.parent
        if cell is None or cell.parent is None:
            continue
        markers = list(cell.findall(claim_marker))
        others = [
            n for n in cell.findall(nodes.Element)
            if n is not cell and not isinstance(n, claim_marker)
            and not (isinstance(n, nodes.container) and "cell_output" in n.get("classes", []))
        ]
        if not others:
            cell.replace_self(markers)


def explain_failed_check(app, exception):
    """When a chapter's cell raised (a failed check or claim among others), say so in one line.

    myst-nb stops the build with a long traceback that ends in "Look above for the cause"; this
    logs, just before it, the file and the error, e.g. "book/x.md: a check failed:
    ClaimFailed: claim 'x-y' is false: <text>".
    """
    if exception is None:
        return
    path, cell_error, seen = None, None, set()
    exc = exception
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if type(exc).__name__ == "ExecutionError" and exc.args and path is None:
            path = str(exc.args[0])
        if hasattr(exc, "ename") and hasattr(exc, "evalue"):
            cell_error = exc
        exc = exc.__cause__ or exc.__context__
    if cell_error is None:
        return
    what = "a check failed" if cell_error.ename in ("EquationMismatch", "ClaimFailed") else "a cell raised"
    first = (str(cell_error.evalue).splitlines() or [""])[0]
    LOG.error(f"lossbook: {path or 'a chapter'}: {what}: {cell_error.ename}: {first}")


# ---------------------------------------------------------------------------
# the build report: the mutation net's last table (tools/mutate.py)
# ---------------------------------------------------------------------------
class MutationTableDirective(SphinxDirective):
    """``{lossbook-mutation-table}``: the table ``python3 dev.py mutate`` wrote last."""

    has_content = False

    def run(self):
        env = self.env
        env.note_reread()
        path = Path(env.app.confdir) / env.config.lossbook_mutation_json
        if not path.is_file():
            return [nodes.paragraph(text="No mutation run recorded yet: run python3 dev.py mutate.")]
        env.note_dependency(str(path))
        res = json.loads(path.read_text())
        rows = res.get("rows", [])
        n = {s: sum(r["status"] == s for r in rows) for s in ("caught", "crash only", "NOT CAUGHT", "excluded")}
        current = res.get("source_hash") and res.get("source_hash") == getattr(env, "lossbook_new_hash", None)
        out = [nodes.paragraph(text=(
            f"Measured on {res.get('date', '?')}: each function's result scaled by {res.get('factor')}; "
            f"{n['caught']} caught by a check or claim, {n['crash only']} caught only by an error that no "
            f"check names, {n['NOT CAUGHT']} not caught, {n['excluded']} excluded; "
            f"{res.get('chapter_runs')} chapter runs in {res.get('seconds')} s with {res.get('workers')} workers. "
            + ("The package source has not changed since." if current else
               "The package source has changed since this run: python3 dev.py mutate refreshes it.")
        ))]
        table_rows = [
            (nodes.paragraph("", "", nodes.literal(text=r["function"])), ", ".join(r["chapters"]), r["status"],
             r["reason"] if r["status"] == "excluded" else (
                 ", ".join(r["labels"]) or "; ".join(r["crashes"]) or "no check or claim failed"))
            for r in rows
        ]
        out.append(_report_table("Mutants: each function a chapter calls, scaled, and the checks that caught it",
                          "table-mutation-net", ("Function", "Chapters", "Status", "Caught by, or why excluded"),
                          table_rows, ["lb-mutation-table"]))
        return out


def setup(app: Sphinx):
    app.add_config_value("lossbook_cache_key_paths", ["lossbook"], "env")
    app.add_config_value("lossbook_equation_exempt_docs", [], "env")
    app.add_node(
        verification_card,
        html=(_visit_card_html, None),
        latex=(_visit_skip, None),
        text=(_visit_card_text, None),
        man=(_visit_skip, None),
        texinfo=(_visit_skip, None),
    )
    app.add_node(
        verified_badge,
        html=(_visit_badge_html, None),
        latex=(_visit_skip, None),
        text=(_visit_skip, None),
        man=(_visit_skip, None),
        texinfo=(_visit_skip, None),
    )
    app.add_node(
        claim_marker,
        html=(_visit_claim_html, None),
        latex=(_visit_skip, None),
        text=(_visit_skip, None),
        man=(_visit_skip, None),
        texinfo=(_visit_skip, None),
    )
    app.add_node(verification_table)
    app.add_directive(DIRECTIVE, VerificationDirective)
    app.add_directive("lossbook-verification-table", VerificationTableDirective)
    app.add_directive(CLAIM_DIRECTIVE, ClaimDirective)
    app.add_config_value("lossbook_mutation_json", "book/_mutation.json", "env")
    app.add_node(check_report)
    app.add_directive("lossbook-check-report", CheckReportDirective)
    app.add_directive("lossbook-mutation-table", MutationTableDirective)
    app.connect("doctree-resolved", on_doctree_resolved_check_report)
    app.connect("doctree-resolved", strip_claim_only_cells)
    app.connect("env-check-consistency", on_check_consistency_kinds)
    app.connect("build-finished", explain_failed_check)
    app.connect("env-purge-doc", on_purge_doc_claims)
    app.connect("env-merge-info", on_merge_info_claims)
    app.connect("env-check-consistency", on_check_consistency_claims)
    app.connect("builder-inited", on_builder_inited, priority=900)
    app.connect("env-get-outdated", on_env_get_outdated)
    app.connect("env-purge-doc", on_purge_doc)
    app.connect("env-merge-info", on_merge_info)
    app.connect("doctree-read", on_doctree_read)
    app.connect("env-check-consistency", on_check_consistency)
    app.connect("doctree-resolved", on_doctree_resolved)
    app.connect("doctree-resolved", on_doctree_resolved_table)
    app.connect("build-finished", on_build_finished)
    app.add_css_file("lossbook.css")
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 2}
