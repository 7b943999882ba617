"""Sphinx extension for Lossbook: verified equations, an honest cache, offline maths.

Loaded by ``_config.yml`` (``sphinx.local_extensions``). It does four things.

1. **Verified equations.** Every displayed equation (``math_block``) in the
   book must carry a label, and some executed cell must have called
   ``lossbook.verify(label, lhs, rhs, ...)`` with a passing result. The call's
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
    how = f'<div class="lb-how">{html.escape(rec.get("how") or "")}</div>' if rec.get("how") else ""
    self.body.append(
        f'<div class="lb-verification {"lb-pass" if ok else "lb-fail"}" '
        f'id="{html.escape(node["anchor"])}" role="group" tabindex="-1" '
        f'aria-label="{html.escape(card_aria_label(node))}">'
        f'<div class="lb-title"><strong>{status}:</strong> equation '
        f'<a class="reference internal" href="#{html.escape(node["eq_anchor"])}">'
        f"{html.escape(node['eq_text'])}</a></div>{how}"
        f'<table class="lb-values"><caption>Values compared</caption><tbody>'
        f'<tr><th scope="row">left side</th><td><code>{html.escape(str(rec.get("lhs")))}</code></td></tr>'
        f'<tr><th scope="row">right side</th><td><code>{html.escape(str(rec.get("rhs")))}</code></td></tr>'
        f'<tr><th scope="row">max |difference|</th><td>{_fmt(rec.get("max_abs_diff"))}</td></tr>'
        f'<tr><th scope="row">tolerance</th><td>rtol = {_fmt(rec.get("rtol"))}, '
        f'atol = {_fmt(rec.get("atol"))}</td></tr>'
        f"</tbody></table></div>"
    )
    raise nodes.SkipNode


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
    self.body.append(f"[verified {rec.get('label')}: {rec.get('lhs')} = {rec.get('rhs')}]")
    raise nodes.SkipNode


def _visit_badge_html(self, node):
    items = "".join(
        f'<li><a class="reference internal" href="{html.escape(c["href"])}">check {i + 1}</a>: '
        f"{html.escape(c['lhs'])} vs {html.escape(c['rhs'])}, "
        f"max |diff| {_fmt(c['max_abs_diff'])} (rtol {_fmt(c['rtol'])}, atol {_fmt(c['atol'])})"
        + (f"<br><em>{html.escape(c['how'])}</em>" if c.get("how") else "")
        + "</li>"
        for i, c in enumerate(node["checks"])
    )
    n = len(node["checks"])
    self.body.append(
        f'<details class="lb-badge" id="verified-{html.escape(node["label"])}">'
        f'<summary title="This equation was checked numerically when the book was built" '
        f'aria-label="{html.escape(badge_aria_label(_equation_number(self.builder.env, node["label"]), node["checks"]))}">'
        f'<span aria-hidden="true">&#10003;</span> verified{" (" + str(n) + " checks)" if n > 1 else ""}</summary>'
        f"<ul>{items}</ul></details>"
    )
    raise nodes.SkipNode


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
    "verified · identity" stays inside the accessible name (WCAG 2.5.3, label in name).
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
# the directive written by lossbook.verify's text/markdown output
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
                **{k: rec.get(k) for k in ("passed", "lhs", "rhs", "max_abs_diff", "rtol", "atol", "how")},
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
                    f"'$$ ... $$ (name)') and verify it with lossbook.verify('name', lhs, rhs): "
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
                    f"add a cell calling lossbook.verify('{eq['label']}', lhs, rhs, rtol=...)",
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
                f"lossbook.verify names equation '{v['label']}', but no displayed equation has that label",
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
        tgroup = nodes.tgroup(cols=4)
        table += tgroup
        for _ in range(4):
            tgroup += nodes.colspec(colwidth=1)
        head = nodes.thead()
        row = nodes.row()
        for h in ("Document", "Displayed equations", "Equations verified", "Checks run"):
            row += nodes.entry("", nodes.paragraph(text=h))
        head += row
        tgroup += head
        body = nodes.tbody()
        for d in sorted(set(counts) | {k for k, v in eq_counts.items() if v}):
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
            body += r
        tgroup += body
        title = nodes.title(text="Verified equations per document")
        table.insert(0, title)
        node.replace_self(table)


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
    app.add_node(verification_table)
    app.add_directive(DIRECTIVE, VerificationDirective)
    app.add_directive("lossbook-verification-table", VerificationTableDirective)
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
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
