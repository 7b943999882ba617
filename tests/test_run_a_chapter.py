"""A downloaded chapter notebook installs lossbook by itself, from the book's site.

The end-to-end test serves the built site on 127.0.0.1 (http.server in a thread), downloads a
chapter's notebook over HTTP as a reader's browser would, and executes it with nbclient in a
FRESH virtual environment that has ipykernel, numpy and matplotlib but not lossbook (made with
``venv`` and pip, from the pip cache or PyPI, pinned as in requirements.txt). The site used by
the tests is built with the repository's configuration, whose ``html.baseurl`` may be empty,
so the kernel gets the local server's address through ``LOSSBOOK_BASEURL`` (the documented
override); that the address from ``html.baseurl`` is written into the cell is tested apart.
The test times itself and prints how long the venv and the run took.
"""

from __future__ import annotations

import http.server
import json
import os
import resource
import subprocess
import sys
import threading
import time
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

from lossbook_notebooks import (  # noqa: E402
    BASEURL_ENV,
    WHEEL_DIR,
    build_wheel,
    install_cell_source,
    package_version,
    wheel_name,
)

CHAPTER = "book/learning-as-optimisation"  # a short chapter: the test is about installing, not the maths
FRESH_PACKAGES = ("ipykernel", "numpy", "matplotlib")


def test_versions_agree():
    """The wheel's version (pyproject.toml), the package's and the book's (CITATION.cff) are one."""
    import lossbook
    from lossbook.book.citation import load_citation

    version = package_version(ROOT)
    assert lossbook.__version__ == version == str(load_citation(ROOT / "CITATION.cff")["version"])


def test_install_cell_uses_html_baseurl():
    src = install_cell_source(version="9.9.9", baseurl="https://example.org/lossbook/")
    assert "LOSSBOOK_BASEURL = 'https://example.org/lossbook/'" in src
    assert "LOSSBOOK_VERSION = '9.9.9'" in src
    assert f"/{WHEEL_DIR}/" in src
    compile(src, "install-cell", "exec")


def _run_cell(src, env, cwd):
    return subprocess.run([sys.executable, "-c", src], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def test_install_cell_without_an_address_says_what_to_do(tmp_path):
    """No html.baseurl and no override: a clear message, not a pip run against nowhere.

    The cell runs in a Python that cannot import lossbook (``-I -S``: no site-packages).
    """
    src = install_cell_source(version="0.1.0", baseurl="")
    env = {k: v for k, v in os.environ.items() if k != BASEURL_ENV}
    r = subprocess.run([sys.executable, "-I", "-S", "-c", src], capture_output=True, text=True, env=env,
                       cwd=tmp_path, timeout=120)
    assert r.returncode != 0
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("ModuleNotFoundError: lossbook is not installed")
    assert "html.baseurl" in last and "pip install lossbook-0.1.0-py3-none-any.whl matplotlib mpmath" in last
    assert BASEURL_ENV in last and "Run a chapter" in last


def test_install_cell_does_nothing_when_lossbook_is_importable(tmp_path):
    src = install_cell_source(version=package_version(ROOT), baseurl="http://127.0.0.1:9/nowhere")
    r = _run_cell(src, dict(os.environ), tmp_path)
    assert r.returncode == 0, r.stderr
    assert "installing" not in r.stdout and f"lossbook {package_version(ROOT)} is ready" in r.stdout


def test_wheel_is_reproducible_and_holds_the_package(tmp_path):
    a = build_wheel(ROOT, tmp_path / "a")
    b = build_wheel(ROOT, tmp_path / "b")
    assert a.name == b.name == wheel_name(package_version(ROOT))
    assert a.read_bytes() == b.read_bytes()
    names = zipfile.ZipFile(a).namelist()
    assert "lossbook/__init__.py" in names and "lossbook/book/citation.py" in names
    assert not [n for n in names if n.startswith(("tests/", "book/", "_ext/"))]
    assert not (ROOT / "build").exists() or not any((ROOT / "build").glob("**/lossbook"))


def test_binder_gets_a_small_runtime_environment():
    req = (ROOT / "binder" / "requirements.txt").read_text().split("\n")
    lines = [ln.split("#")[0].strip() for ln in req if ln.split("#")[0].strip()]
    names = {ln.split("==")[0].lower() for ln in lines}
    assert names == {"numpy", "matplotlib", "mpmath", "scipy", "scikit-learn", "."}
    pins = dict(ln.split("==") for ln in (ROOT / "requirements.txt").read_text().split("\n")
                if "==" in ln and not ln.startswith("#"))
    for ln in lines:
        if "==" in ln:
            name, version = ln.split("==")
            assert pins[name].split()[0] == version, f"binder pins {name} {version}, the book {pins[name]}"


def test_run_a_chapter_page_is_in_the_toc():
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    about = next(p for p in toc["parts"] if p["caption"] == "About this book")
    assert {"file": "book/run-a-chapter"} in about["chapters"]
    text = (ROOT / "book" / "run-a-chapter.md").read_text()
    for heading in ("## On your own computer (download)", "## On Binder", "## On Colab"):
        assert heading in text


# --------------------------------------------------------------------------- end to end


class _Quiet(http.server.SimpleHTTPRequestHandler):
    requests: list = []

    def log_message(self, fmt, *args):
        self.requests.append(self.path)


@pytest.fixture
def served_site(built_site):
    handler = type("Handler", (_Quiet,), {"requests": []})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a, **kw: handler(*a, directory=str(built_site), **kw)
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler.requests
    finally:
        server.shutdown()
        server.server_close()


def _pins():
    pins = {}
    for ln in (ROOT / "requirements.txt").read_text().splitlines():
        ln = ln.split("#")[0].strip()
        if "==" in ln:
            name, version = ln.split("==")
            pins[name.lower()] = version
    return pins


@pytest.mark.build
@pytest.mark.freshvenv
def test_downloaded_notebook_installs_lossbook_from_the_site_in_a_fresh_venv(served_site, tmp_path, monkeypatch):
    import nbclient
    import nbformat

    base, requests = served_site
    timings = {}

    # the page links its notebook; download both over HTTP, as a reader does
    page = urllib.request.urlopen(f"{base}/{CHAPTER}.html", timeout=30).read().decode()
    nb_path = f"_sources/{CHAPTER}.ipynb"
    assert nb_path in page
    nb = nbformat.reads(urllib.request.urlopen(f"{base}/{nb_path}", timeout=30).read().decode(), as_version=4)
    assert nb.cells[0].cell_type == "code" and "LOSSBOOK_BASEURL" in nb.cells[0].source

    # a fresh venv with ipykernel, numpy and matplotlib (pinned as the book's), without lossbook
    start = time.perf_counter()
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    env_dir = tmp_path / "fresh"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    pins = _pins()
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("".join(f"{k}=={v}\n" for k, v in pins.items()))
    r = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-compile", "--disable-pip-version-check", "-c", str(constraints),
         *FRESH_PACKAGES], capture_output=True, text=True, timeout=1200,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    timings["fresh venv (venv + pip install ipykernel numpy matplotlib), wall"] = time.perf_counter() - start
    timings["fresh venv, CPU (user + system)"] = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    probe = subprocess.run([str(py), "-c", "import lossbook"], capture_output=True, text=True, cwd=tmp_path)
    assert probe.returncode != 0 and "No module named 'lossbook'" in probe.stderr

    # a kernel spec for that Python; the kernel learns the site's address from the override
    spec = tmp_path / "jupyter" / "kernels" / "lossbook-fresh"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(py), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "fresh venv", "language": "python",
        "env": {BASEURL_ENV: base + "/", "PYTHONPATH": ""},
    }))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    # a last cell that says where lossbook was imported from
    nb.cells.append(nbformat.v4.new_code_cell("import lossbook; print('LOSSBOOK-FROM', lossbook.__file__)"))
    workdir = tmp_path / "student"
    workdir.mkdir()
    start = time.perf_counter()
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="lossbook-fresh",
                                     resources={"metadata": {"path": str(workdir)}})
    client.execute()
    timings["notebook run (install from the site + the chapter)"] = time.perf_counter() - start

    first_out = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    assert f"installing lossbook {package_version(ROOT)} from {base}/{WHEEL_DIR}/" in first_out
    assert f"/{WHEEL_DIR}/{wheel_name(package_version(ROOT))}" in requests  # pip fetched it from our server
    last_out = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert str(env_dir) in last_out.split("LOSSBOOK-FROM", 1)[1]
    # only cells tagged raises-exception (error demonstrations) may fail
    errors = [o["evalue"] for c in nb.cells if c.cell_type == "code"
              and "raises-exception" not in c.get("metadata", {}).get("tags", [])
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    print("\n" + "\n".join(f"  {k}: {v:.1f} s" for k, v in timings.items()))
