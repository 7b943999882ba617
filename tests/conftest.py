"""Shared fixtures: the whole book, built once per test session with the README's command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"


def build_problems(log: str) -> str:
    """The warning and error lines of a build log (then its tail), for a readable failure."""
    lines = [
        ln for ln in log.splitlines()
        if re.search(r"WARNING|ERROR|Error|Exception", ln) and "IPKernelApp" not in ln
    ]
    return "\n".join(lines[:60]) + "\n--- end of the log ---\n" + log[-3000:]


@pytest.fixture(scope="session")
def built_site() -> Path:
    """Build the book strictly (as `python3 dev.py build` does) and return _build/html.

    The build is cached (execution cache keyed on the lossbook source), so this is quick
    when nothing changed. For development: LOSSBOOK_SKIP_BUILD=1 tests an existing site,
    LOSSBOOK_SITE points at another built site, LOSSBOOK_TOC at another table of contents.
    """
    site = Path(os.environ.get("LOSSBOOK_SITE", SITE))
    if os.environ.get("LOSSBOOK_SKIP_BUILD") != "1":
        exe = Path(sys.executable).with_name("jupyter-book")
        r = subprocess.run(
            [str(exe), "build", str(ROOT), "-W", "-n", "--keep-going"],
            capture_output=True,
            text=True,
            timeout=3600,
        )
        if r.returncode != 0:
            pytest.fail("the strict book build failed:\n" + build_problems(r.stdout + r.stderr))
    assert (site / "index.html").is_file()
    return site


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Print the chapters' plain-notebook execution times, when that test ran."""
    try:
        import test_notebooks
    except ImportError:
        return
    if test_notebooks.TIMES:
        terminalreporter.write_line("")
        terminalreporter.write_line(test_notebooks.pytest_terminal_summary_table())
