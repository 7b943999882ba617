"""Sphinx extension: chapter notebooks that install ``lossbook`` themselves.

* **The wheel on the site.** Every HTML build puts the ``lossbook`` wheel at
  ``wheels/lossbook-<version>-py3-none-any.whl`` in the site. It is built from a copy of the
  package source with ``pip wheel --no-deps --no-build-isolation --no-index`` (setuptools from
  the pinned toolchain, nothing fetched from the network), with ``SOURCE_DATE_EPOCH`` fixed so
  that two builds give the same bytes, and cached under ``_build/.lossbook-wheel`` by a hash of
  the package source.
* **The install cell.** :func:`install_cell_source` is the first cell of every chapter notebook
  (the download from each chapter page and the paired ``book/<chapter>.ipynb`` that Binder and
  Colab open; both are written by ``_ext/lossbook_reader.py``). When ``import lossbook`` fails it
  installs the wheel (and matplotlib) from the site's address, ``html.baseurl`` in
  ``_config.yml``; the environment variable ``LOSSBOOK_BASEURL`` overrides that address (a course
  mirror, or the end-to-end test's local server). Without either it stops with a message that
  says what to do instead.
* **The "Run a chapter" page** uses the role ``{lossbook-wheel}`` (a link to the wheel) and the
  directive ``{lossbook-run-facts}`` (the site address, the repository and the wheel, as this
  build has them), filled in at write time so that they follow the configuration.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

WHEEL_DIR = "wheels"  # folder of the site that holds the wheel
BASEURL_ENV = "LOSSBOOK_BASEURL"  # overrides html.baseurl in the install cell
# What goes into the wheel (pyproject.toml names README.md as the long description).
PACKAGE_FILES = ("pyproject.toml", "README.md", "LICENSE.md")
PACKAGE_DIR = "lossbook"


def package_version(root: Path) -> str:
    """The version in pyproject.toml (the wheel's version)."""
    import tomllib

    return str(tomllib.loads((Path(root) / "pyproject.toml").read_text())["project"]["version"])


def wheel_name(version: str) -> str:
    return f"lossbook-{version}-py3-none-any.whl"


def wheel_url(baseurl: str, version: str) -> str:
    """The wheel's address on the site; empty when the site has no public address."""
    base = (baseurl or "").strip().rstrip("/")
    return f"{base}/{WHEEL_DIR}/{wheel_name(version)}" if base else ""


INSTALL_CELL = '''\
# Run this cell first. Outside the book's own build it installs what the chapter needs:
# the lossbook package (from the book's site), matplotlib, mpmath (the chapters' checks use it), SciPy and
# scikit-learn (some chapters compare with them), only when missing.
LOSSBOOK_VERSION = {version!r}
LOSSBOOK_BASEURL = {baseurl!r}  # the book's web address (html.baseurl when it was built)

import importlib, importlib.util, os, subprocess, sys

if any(importlib.util.find_spec(m) is None for m in ("lossbook", "matplotlib", "mpmath", "scipy", "sklearn")):
    _base = os.environ.get({env!r}, LOSSBOOK_BASEURL).strip().rstrip("/")
    _wheel = f"lossbook-{{LOSSBOOK_VERSION}}-py3-none-any.whl"
    if not _base:
        raise ModuleNotFoundError(
            f"lossbook is not installed, and this copy of the notebook does not know the book's web "
            f"address (it was built without html.baseurl). Install it yourself, then run this cell "
            f"again: download {{_wheel}} from the book's 'Run a chapter' page and run "
            f"'pip install {{_wheel}} matplotlib mpmath scipy scikit-learn'; or, in a copy of the book's "
            f"repository, run 'pip install . matplotlib mpmath scipy scikit-learn'; or set the environment variable {env} to the book's address."
        )
    _url = f"{{_base}}/{wheel_dir}/{{_wheel}}"
    print(f"installing lossbook {{LOSSBOOK_VERSION}} from {{_url}} ...")
    _pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", _url,
         "matplotlib", "mpmath", "scipy", "scikit-learn"],
        capture_output=True, text=True,
    )
    if _pip.returncode != 0:
        raise RuntimeError(f"pip could not install {{_url}}: {{_pip.stderr.strip()[-1500:]}}")
    importlib.invalidate_caches()

import lossbook

if lossbook.__version__ != LOSSBOOK_VERSION:
    print(f"note: this notebook was written for lossbook {{LOSSBOOK_VERSION}}; you have {{lossbook.__version__}}")
print(f"lossbook {{lossbook.__version__}} is ready")
'''


def install_cell_source(*, version: str, baseurl: str = "") -> str:
    """The source of the install cell, for one book version and site address."""
    base = (baseurl or "").strip()
    return INSTALL_CELL.format(version=str(version), baseurl=base, env=BASEURL_ENV, wheel_dir=WHEEL_DIR)


# --------------------------------------------------------------------------- the wheel


def _source_digest(root: Path) -> str:
    h = hashlib.sha256()
    files = [root / f for f in PACKAGE_FILES if (root / f).exists()]
    files += sorted(p for p in (root / PACKAGE_DIR).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for p in files:
        h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def build_wheel(root: Path, cache_dir: Path, *, epoch: int = 315532800) -> Path:
    """Build (or reuse) the lossbook wheel; returns its path inside ``cache_dir``.

    The build runs on a copy of the package source, so it leaves no ``build/`` or
    ``*.egg-info`` in the repository, and uses only what is installed (no network).
    """
    root = Path(root)
    version = package_version(root)
    target = Path(cache_dir) / _source_digest(root) / wheel_name(version)
    if target.is_file():
        return target
    with tempfile.TemporaryDirectory(prefix="lossbook-wheel-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for f in PACKAGE_FILES:
            if (root / f).exists():
                shutil.copy2(root / f, src / f)
        shutil.copytree(root / PACKAGE_DIR, src / PACKAGE_DIR, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        out = Path(tmp) / "out"
        env = dict(os.environ, SOURCE_DATE_EPOCH=str(epoch), PIP_DISABLE_PIP_VERSION_CHECK="1")
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
               "--quiet", "-w", str(out), str(src)]
        r = subprocess.run(cmd, capture_output=True, text=True, env=env)
        built = out / wheel_name(version)
        if r.returncode != 0 or not built.is_file():
            found = sorted(p.name for p in out.glob("*")) if out.exists() else []
            raise RuntimeError(
                f"building the lossbook wheel failed (expected {built.name}, got {found}):\n"
                + (r.stdout + r.stderr)[-3000:]
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built, target)
    return target


# --------------------------------------------------------------------------- Sphinx


def _root(app) -> Path:
    return Path(app.confdir)


def _repo_url(app) -> str:
    opts = app.config.html_theme_options or {}
    return (opts.get("repository_url") or "").strip()


def on_config_inited(app, config):
    config.lossbook_wheel_name = wheel_name(package_version(_root(app)))


def on_build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    from sphinx.errors import ExtensionError

    try:
        wheel = build_wheel(_root(app), Path(app.outdir).parent / ".lossbook-wheel")
    except RuntimeError as err:
        raise ExtensionError(str(err)) from None
    dest = Path(app.outdir) / WHEEL_DIR
    dest.mkdir(exist_ok=True)
    for old in dest.glob("lossbook-*.whl"):
        if old.name != wheel.name:
            old.unlink()
    shutil.copy2(wheel, dest / wheel.name)


class run_facts(nodes.General, nodes.Element):
    """Placeholder for ``{lossbook-run-facts}``, replaced at write time by this build's facts."""


class RunFacts(SphinxDirective):
    has_content = False

    def run(self):
        return [run_facts()]


def resolve_run_facts(app, doctree, docname):
    for node in list(doctree.findall(run_facts)):
        node.replace_self(_facts_list(app, docname))


def wheel_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{lossbook-wheel}`wheel```: a link to the wheel on this site (relative, so it works offline)."""
    env = inliner.document.settings.env
    fname = env.config.lossbook_wheel_name
    up = "../" * env.docname.count("/")
    node = nodes.reference(rawtext, fname, refuri=f"{up}{WHEEL_DIR}/{fname}")
    return [nodes.literal("", "", node)], []


def _facts_list(app, docname):
    version = package_version(_root(app))
    base = (app.config.html_baseurl or "").strip()
    repo = _repo_url(app)
    up = "../" * docname.count("/")

    def item(*parts):
        para = nodes.paragraph()
        for p in parts:
            para += p
        return nodes.list_item("", para)

    def link(text, uri):
        return nodes.reference(text, text, refuri=uri)

    lst = nodes.bullet_list()
    lst += item(nodes.Text(f"Book and package version: {version}. The wheel: "),
                nodes.literal("", "", link(wheel_name(version), f"{up}{WHEEL_DIR}/{wheel_name(version)}")),
                nodes.Text("."))
    if base:
        lst += item(nodes.Text("The book's web address (html.baseurl): "), link(base, base),
                    nodes.Text(". A notebook's first cell installs lossbook from "),
                    nodes.literal(text=wheel_url(base, version)), nodes.Text("."))
    else:
        lst += item(nodes.Text(
            "This copy of the book was built without a web address (html.baseurl is empty), so its "
            "notebooks cannot download lossbook by themselves: their first cell stops and says how to "
            "install it (the wheel above, or a copy of the repository)."))
    if repo:
        lst += item(nodes.Text("Repository (Binder and Colab open its notebooks): "), link(repo, repo),
                    nodes.Text("."))
    else:
        lst += item(nodes.Text(
            "This copy of the book has no repository address (repository.url is empty), so its "
            "pages show no Binder or Colab button."))
    return lst


def setup(app):
    app.add_config_value("lossbook_wheel_name", "", "env")
    app.connect("config-inited", on_config_inited)
    app.connect("build-finished", on_build_finished, priority=850)
    app.add_role("lossbook-wheel", wheel_role)
    app.add_node(run_facts)
    app.add_directive("lossbook-run-facts", RunFacts)
    app.connect("doctree-resolved", resolve_run_facts)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
