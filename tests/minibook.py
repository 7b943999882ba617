"""Build a tiny Jupyter Book in a temporary folder, with the project's Sphinx extension.

Used by the build tests: each test writes one chapter that exercises one failure (or
success) mode and runs the real ``jupyter-book build -W -n --keep-going`` on it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""

CONFIG = """
title: minibook
author: tests
only_build_toc_files: true
execute:
  execute_notebooks: cache
  timeout: 60
  raise_on_error: true
parse:
  myst_enable_extensions: [amsmath, colon_fence, dollarmath]
sphinx:
  local_extensions:
    lossbook_sphinx: _ext/
  config:
    nb_render_markdown_format: myst
    nb_mime_priority_overrides:
      - [html, text/markdown, 25]
    numfig: true
    math_numfig: true
    lossbook_cache_key_paths: [minilib]
"""

TOC = """
format: jb-book
root: index
chapters:
  - file: chapter
"""

MINILIB = '''
def double(x):
    return 2 * x
'''


def chapter(body: str) -> str:
    """A MyST notebook: header, a cell that logs each execution, then ``body``."""
    log_cell = textwrap.dedent(
        """
        ```{code-cell} ipython3
        import os
        with open(os.environ["LB_EXEC_LOG"], "a") as fh:
            fh.write("executed\\n")
        ```
        """
    )
    return HEADER + "\n# Chapter\n" + log_cell + textwrap.dedent(body)


def make(tmp: Path, body: str) -> Path:
    book = tmp / "book"
    book.mkdir()
    shutil.copytree(ROOT / "_ext", book / "_ext", ignore=shutil.ignore_patterns("__pycache__"))
    (book / "_static").mkdir()
    shutil.copy(ROOT / "_static" / "lossbook.css", book / "_static" / "lossbook.css")
    (book / "_config.yml").write_text(CONFIG)
    (book / "_toc.yml").write_text(TOC)
    (book / "index.md").write_text("# Mini book\n\nA book for tests.\n")
    (book / "minilib").mkdir()
    (book / "minilib" / "__init__.py").write_text(MINILIB)
    (book / "chapter.md").write_text(chapter(body))
    return book


def build(book: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("jupyter-book")
    env = dict(os.environ, LB_EXEC_LOG=str(book / "exec.log"))
    return subprocess.run(
        [str(exe), "build", str(book), "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def executions(book: Path) -> int:
    log = book / "exec.log"
    return len(log.read_text().splitlines()) if log.exists() else 0
