"""The mutation net (tools/mutate.py, `python3 dev.py mutate`) fails when a mutant survives.

A fixture package and a fixture chapter: `fixlib.double` is pinned by a check, `fixlib.triple`
only feeds a glued number (no check can notice a 1 % change), `fixlib.make_data` is a data
generator and `fixlib.count` returns an integer. The net must find the four by tracing the
chapter, exclude the last two with their reasons, report `double` as caught by the check's
label, `triple` as NOT CAUGHT, and exit 1; restricted to `double`, it exits 0.
"""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.notebooks

FIXLIB = '''
import numpy as np

def double(x):
    return 2.0 * np.asarray(x, dtype=float)

def triple(x):
    return 3.0 * x

def make_data(n):
    return np.linspace(0.0, 1.0, n)

def count(x):
    return int(np.size(x))
'''

CHAPTER = """---
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

# Fixture

```{code-cell} ipython3
import numpy as np, lossbook as lb
from fixlib import triple          # imported by name: the mutant must reach it too
import fixlib as fl
x = fl.make_data(5)
lb.verify("fx-double", fl.double(x), x + x, kind="identity", how="double against x + x")
lb.glue("fx-triple", triple(0.5))
lb.glue("fx-count", fl.count(x))
```
"""


def _run(tmp_path, *extra):
    out = tmp_path / "mutation.json"
    r = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "mutate.py"), "--package", "fixlib", "--pythonpath", str(tmp_path),
         "--chapter", str(tmp_path / "fixture.md"), "--json", str(out), *extra],
        capture_output=True, text=True, timeout=900,
    )
    return r, (json.loads(out.read_text()) if out.exists() else None)


@pytest.fixture
def fixture_book(tmp_path):
    (tmp_path / "fixlib").mkdir()
    (tmp_path / "fixlib" / "__init__.py").write_text(textwrap.dedent(FIXLIB))
    (tmp_path / "fixture.md").write_text(CHAPTER)
    return tmp_path


def test_a_mutant_that_no_check_catches_fails_the_mutation_command(fixture_book):
    r, res = _run(fixture_book)
    assert r.returncode == 1, r.stdout + r.stderr[-3000:]
    rows = {row["function"]: row for row in res["rows"]}
    assert set(rows) == {"fixlib.double", "fixlib.triple", "fixlib.make_data", "fixlib.count"}
    assert rows["fixlib.double"]["status"] == "caught"
    assert rows["fixlib.double"]["labels"] == ["fixture:fx-double"]
    assert rows["fixlib.triple"]["status"] == "NOT CAUGHT"
    assert rows["fixlib.make_data"]["status"] == "excluded" and "data generator" in rows["fixlib.make_data"]["reason"]
    assert rows["fixlib.count"]["status"] == "excluded" and "no floating-point result" in rows["fixlib.count"]["reason"]
    assert res["survivors"] == ["fixlib.triple"]
    assert "fixlib.triple" in r.stdout and "NOT CAUGHT" in r.stdout
    assert "1 mutant(s) survived" in r.stderr


def test_the_mutation_command_passes_when_every_mutant_is_caught(fixture_book):
    r, res = _run(fixture_book, "--function", "fixlib.double", "--workers", "1")
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    assert [row["status"] for row in res["rows"]] == ["caught"] and res["survivors"] == []


def test_scale_reaches_every_floating_point_part():
    sys.path.insert(0, str(ROOT / "tools"))
    from collections import namedtuple

    import numpy as np
    from mutate import scale

    Pair = namedtuple("Pair", "a b")
    out, changed = scale(Pair(np.array([1.0, 2.0]), 3), 1.01)
    assert changed and isinstance(out, Pair) and out.b == 3 and np.allclose(out.a, [1.01, 2.02])
    ints, changed = scale(np.array([1, 2]), 1.01)
    assert not changed and ints.tolist() == [1, 2]
    assert scale(True, 1.01) == (True, False)
    assert scale({"v": 2.0}, 1.01) == ({"v": 2.02}, True)
