#!/usr/bin/env python3
"""Lossbook's two set-up commands, for a fresh machine with Python 3.11 and pip.

    python3 dev.py build    # make .venv if needed, install the pinned toolchain, build _build/html
    python3 dev.py test     # the same environment, then every test (including the strict build)
    python3 dev.py serve    # preview the built site at http://127.0.0.1:8000
    python3 dev.py mutate   # the mutation net: every function a chapter calls, scaled by 1.01,
                            # must make a check fail (tools/mutate.py; --help for options)
    python3 dev.py pdf      # the PDF edition: _build/latex/lossbook.pdf and one PDF per chapter
                            # (needs TeX Live from apt; then refreshes the site's PDF links)

The environment lives in ``.venv`` and is reinstalled whenever requirements.txt,
requirements-oracles.txt (test-only PyTorch) or pyproject.toml changes. Set LOSSBOOK_VENV
to use another folder.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("LOSSBOOK_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
BUILD = ["build", ".", "-W", "-n", "--keep-going"]


# One BLAS thread for builds, tests and their kernels (a reader's setting wins): the chapters'
# matrices are small, so threads only cost time (10-30x on a loaded machine), and a fixed thread
# count keeps the order of BLAS sums, hence the last bits of the numbers, the same on any machine.
SINGLE_THREAD = {v: "1" for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


def _run(cmd, env=None, **kw):
    print("+", " ".join(str(c) for c in cmd), flush=True)
    env = {**SINGLE_THREAD, **(os.environ if env is None else env)}
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env, **kw).returncode


def ensure_env() -> None:
    """Create .venv and install requirements.txt and lossbook (editable) when they change."""
    digest = hashlib.sha256(
        (ROOT / "requirements.txt").read_bytes()
        + (ROOT / "requirements-oracles.txt").read_bytes()
        + (ROOT / "pyproject.toml").read_bytes()
    ).hexdigest()
    stamp = VENV / ".lossbook-requirements"
    if stamp.exists() and stamp.read_text() == digest and PY.exists():
        return
    if not PY.exists():
        print(f"creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    pip = [PY, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    # the test-only oracles (PyTorch) without the resolver: see requirements-oracles.txt
    if (
        _run(pip + ["-r", "requirements.txt"])
        or _run(pip + ["--no-deps", "-r", "requirements-oracles.txt"])
        or _run(pip + ["--no-deps", "-e", "."])
    ):
        sys.exit("installing the toolchain failed (see above)")
    stamp.write_text(digest)


def build() -> int:
    ensure_env()
    # the paired notebooks book/<chapter>.ipynb (for Binder and Colab) follow the MyST sources
    if _run([PY, ROOT / "_ext" / "lossbook_reader.py"]):
        return 1
    return _run([BIN / "jupyter-book"] + BUILD)


def test(extra) -> int:
    ensure_env()
    env = dict(os.environ, PYTHONHASHSEED="0")
    return _run([PY, "-m", "pytest"] + list(extra), env=env)


def serve() -> int:
    site = ROOT / "_build" / "html"
    if not (site / "index.html").exists():
        sys.exit("no site yet: run `python3 dev.py build` first")
    print("serving http://127.0.0.1:8000 (Ctrl-C to stop)")
    return _run([sys.executable, "-m", "http.server", "8000", "--bind", "127.0.0.1", "--directory", site])


def mutate(extra) -> int:
    ensure_env()
    return _run([PY, ROOT / "tools" / "mutate.py"] + list(extra))


def pdf() -> int:
    """The PDF edition (logic in _ext/lossbook_pdfbuild.py), then the site that links it."""
    sys.path.insert(0, str(ROOT / "_ext"))
    import lossbook_pdfbuild

    missing = lossbook_pdfbuild.missing_tools()
    if missing:  # before creating .venv: say at once what to install
        print(lossbook_pdfbuild.missing_message(missing), file=sys.stderr)
        return 3
    ensure_env()
    rc = lossbook_pdfbuild.build(ROOT, BIN / "jupyter-book", _run, python=PY)
    if rc:
        return rc
    # the HTML build links the PDFs from its download menus and copies them into _build/html/_pdf
    return build()


def main(argv) -> int:
    if not argv or argv[0] not in {"build", "test", "serve", "mutate", "pdf"}:
        print(__doc__)
        return 2
    cmd, rest = argv[0], argv[1:]
    if cmd == "build":
        return build()
    if cmd == "test":
        return test(rest)
    if cmd == "mutate":
        return mutate(rest)
    if cmd == "pdf":
        return pdf()
    return serve()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
