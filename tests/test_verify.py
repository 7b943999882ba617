"""lossbook.book.verify / lossbook.book.compare: the numerical half of the verified-equation mechanism."""

import json
import math

import numpy as np
import pytest

import lossbook as lb
from lossbook import book
from lossbook.book.verify import DIRECTIVE


def test_compare_passes_within_rtol_and_fails_beyond():
    assert book.compare(1.0, 1.0 + 1e-13, rtol=1e-12).passed
    assert not book.compare(1.0, 1.0 + 1e-11, rtol=1e-12).passed


def test_compare_uses_atol_for_zero():
    assert not book.compare(0.0, 1e-17, rtol=1e-12).passed
    assert book.compare(0.0, 1e-17, rtol=1e-12, atol=1e-16).passed


def test_compare_reports_largest_difference():
    v = book.compare([1.0, 2.0, 3.0], [1.0, 2.5, 3.0], rtol=0.25)
    assert v.max_abs_diff == pytest.approx(0.5)
    assert v.max_rel_diff == pytest.approx(0.2)
    assert v.passed


def test_nan_never_passes():
    assert not book.compare([1.0, np.nan], [1.0, np.nan], rtol=0.1).passed
    assert not book.compare(np.nan, 1.0, rtol=0.25, atol=10.0).passed


def test_infinities_agree_only_with_same_sign():
    assert book.compare([np.inf, 1.0], [np.inf, 1.0]).passed
    assert not book.compare([np.inf], [-np.inf]).passed
    assert not book.compare([np.inf], [1e308]).passed


def test_no_broadcasting():
    with pytest.raises(ValueError, match=r"same shape.*lhs \(3,\).*rhs \(\)"):
        book.compare(np.ones(3), 1.0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"rtol": -1e-3}, r"rtol must be finite and in \[0, 0.25\]; got -0.001"),
        ({"rtol": 0.5}, r"rtol must be finite and in \[0, 0.25\]; got 0.5"),
        ({"atol": float("inf")}, r"atol must be finite"),
        ({"atol": float("nan")}, r"atol must be finite"),
    ],
)
def test_tolerance_out_of_range(kwargs, match):
    with pytest.raises(ValueError, match=match):
        book.compare(1.0, 1.0, **kwargs)


def test_non_numeric_sides():
    with pytest.raises(TypeError, match="lhs must be numeric"):
        book.compare("1.0", 1.0)
    with pytest.raises(TypeError, match="rtol must be a real number"):
        book.compare(1.0, 1.0, rtol="tight")


def test_empty_sides():
    with pytest.raises(ValueError, match="lhs must not be empty"):
        book.compare([], [])


def test_verify_raises_naming_label_values_and_tolerance():
    with pytest.raises(book.EquationMismatch) as info:
        book.verify("eq-wrong", 2.0, 2.5, rtol=1e-9)
    msg = str(info.value)
    assert "'eq-wrong'" in msg and "lhs = 2" in msg and "rhs = 2.5" in msg
    assert "rtol = 1e-09" in msg and "atol = 0" in msg


def test_verify_mismatch_is_an_assertion_error():
    # so that pytest and plain `assert`-style tooling treat it as a failed check
    assert issubclass(book.EquationMismatch, AssertionError)


def test_verify_rejects_bad_labels():
    with pytest.raises(ValueError, match="label must be an equation label"):
        book.verify("1-bad", 1.0, 1.0)
    with pytest.raises(ValueError, match="label must be an equation label"):
        book.verify("has space", 1.0, 1.0)


def test_verify_does_not_mutate_inputs():
    a = np.array([1.0, 2.0])
    b = np.array([1.0, 2.0])
    v = book.verify("eq-x", a, b)
    v.lhs[0] = 99.0
    assert a[0] == 1.0 and b[0] == 1.0


def test_markdown_output_is_a_directive_with_a_json_record():
    v = book.verify("ce-def", [0.5, 0.25], [0.5, 0.25], how="two routes")
    md = v._repr_markdown_()
    first, body, last = md.strip().split("\n")
    assert first == "```{" + DIRECTIVE + "} ce-def" and last == "```"
    rec = json.loads(body)
    assert rec["label"] == "ce-def" and rec["passed"] is True
    assert rec["shape"] == [2] and rec["n"] == 2 and rec["how"] == "two routes"
    assert rec["rtol"] == 1e-12 and rec["max_abs_diff"] == 0.0


def test_record_survives_json_with_infinite_difference():
    v = book.compare([np.inf], [1.0])
    rec = json.loads(json.dumps(v.record()))
    assert rec["max_abs_diff"] == "inf" and rec["passed"] is False


def test_displayed_once_in_a_notebook(monkeypatch):
    shown = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    v = book.compare(1.0, 1.0, label="eq-once")
    v._ipython_display_()
    v._ipython_display_()
    assert len(shown) == 1
    bundle = shown[0][0][0]
    assert set(bundle) == {"text/plain", "text/html", "text/markdown"}
    assert "verified" in bundle["text/plain"] and "eq-once" in bundle["text/html"]
    assert math.isfinite(v.max_abs_diff)
