"""The SVM chapter invites the reader to change its seed and re-run: it must survive that.

book/svm-versus-softmax.md trains its classifiers from ``seed = 0  # change and re-run``; its
claims are meant to hold for any seed (they were checked for seeds 0 to 8 when written). This
test reruns the chapter as a plain notebook with two other seeds, among them the ones on which
the first version of the chapter failed (3: hinge ECE below 0.1; 6: accuracy dipping after
reaching 90 %).
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "book" / "svm-versus-softmax.md"

pytestmark = pytest.mark.notebooks


def test_the_chapter_states_its_seed_where_the_test_expects_it():
    text = CHAPTER.read_text()
    assert text.count("seed = 0                      # change and re-run") == 1


@pytest.mark.parametrize("seed", [3, 6])
def test_chapter_runs_with_another_seed(seed, tmp_path):
    import jupytext
    import nbclient

    nb = jupytext.read(CHAPTER)
    changed = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and "seed = 0 " in cell.source:
            cell.source = cell.source.replace("seed = 0 ", f"seed = {seed} ", 1)
            changed += 1
    assert changed == 1
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # a failed claim raises ClaimFailed in its cell and fails here
