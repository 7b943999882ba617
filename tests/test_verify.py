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
        book.verify("eq-wrong", 2.0, 2.5, kind="identity", rtol=1e-9, how="t")
    msg = str(info.value)
    assert "(identity)" in msg
    assert "'eq-wrong'" in msg and "lhs = 2" in msg and "rhs = 2.5" in msg
    assert "rtol = 1e-09" in msg and "atol = 0" in msg


def test_verify_mismatch_is_an_assertion_error():
    # so that pytest and plain `assert`-style tooling treat it as a failed check
    assert issubclass(book.EquationMismatch, AssertionError)


def test_verify_rejects_bad_labels():
    with pytest.raises(ValueError, match="label must be an equation label"):
        book.verify("1-bad", 1.0, 1.0, kind="identity", how="t")
    with pytest.raises(ValueError, match="label must be an equation label"):
        book.verify("has space", 1.0, 1.0, kind="identity", how="t")


def test_verify_does_not_mutate_inputs():
    a = np.array([1.0, 2.0])
    b = np.array([1.0, 2.0])
    v = book.verify("eq-x", a, b, kind="identity", how="t")
    v.lhs[0] = 99.0
    assert a[0] == 1.0 and b[0] == 1.0


def test_markdown_output_is_a_directive_with_a_json_record():
    v = book.verify("ce-def", [0.5, 0.25], [0.5, 0.25], kind="definition", how="two routes")
    md = v._repr_markdown_()
    first, body, last = md.strip().split("\n")
    assert first == "```{" + DIRECTIVE + "} ce-def" and last == "```"
    rec = json.loads(body)
    assert rec["label"] == "ce-def" and rec["passed"] is True and rec["kind"] == "definition"
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


# -- kinds ------------------------------------------------------------------------
def test_a_check_without_a_kind_is_refused_naming_the_kinds():
    with pytest.raises(TypeError, match="kind is required") as info:
        book.verify("eq-k", 1.0, 1.0, how="t")
    for k in book.KINDS:
        assert repr(k) in str(info.value)


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match=r"kind must be one of 'definition'.*got 'same'"):
        book.verify("eq-k", 1.0, 1.0, kind="same", how="t")


def test_how_is_required_and_non_empty():
    with pytest.raises(TypeError, match="how is required"):
        book.verify("eq-k", 1.0, 1.0, kind="identity")
    with pytest.raises(ValueError, match="how must be a non-empty string"):
        book.verify("eq-k", 1.0, 1.0, kind="identity", how="  ")


def test_aliases_and_the_kind_in_the_record():
    v = book.verify("eq-k", 1.0, 1.0, kind="regime", how="t")
    assert v.kind == "limit" and v.record()["kind"] == "limit"
    assert "(limit)" in v.summary()


def test_verify_sends_inequalities_to_verify_bound():
    with pytest.raises(ValueError, match="verify_bound"):
        book.verify("eq-k", 1.0, 2.0, kind="bound", how="t")


# -- inequalities -----------------------------------------------------------------
def test_bound_passes_and_reports_the_tightest_margin_and_where():
    x = np.array([0.0, 0.5, 1.0, 1.5])
    v = book.verify_bound("eq-b", x**2 - 1.0, x, at=x, how="x^2 - 1 <= x on a grid")
    assert v.passed and v.kind == "inequality" and v.extra["strict"] is False
    assert v.extra["margin"] == pytest.approx(0.25) and v.extra["at"] == "x = 1.5"
    assert "tightest margin upper - lower = 0.25 at x = 1.5" in v.summary()


def test_a_violated_inequality_fails_naming_the_worst_point():
    x = np.linspace(0.0, 3.0, 7)
    with pytest.raises(book.EquationMismatch) as info:
        book.verify_bound("eq-viol", x**2, 2 * x, at=x, how="x^2 <= 2x, false beyond x = 2")
    msg = str(info.value)
    assert "'eq-viol'" in msg and "violated at 2 of 7 point(s)" in msg
    assert "worst at x = 3" in msg and "margin upper - lower = -3" in msg


def test_strict_inequality_fails_on_a_tie_and_slack_absorbs_rounding():
    assert book.verify_bound("eq-tie", [0.0, 1.0], [0.0, 2.0], how="t").extra["margin"] == 0.0
    with pytest.raises(book.EquationMismatch, match="lower < upper is violated at 1 of 2"):
        book.verify_bound("eq-tie", [0.0, 1.0], [0.0, 2.0], strict=True, how="t")
    with pytest.raises(book.EquationMismatch):
        book.verify_bound("eq-round", 1e-17, 0.0, how="t")
    assert book.verify_bound("eq-round", 1e-17, 0.0, atol=1e-16, how="t").passed


def test_bound_nan_fails_and_scalar_side_broadcasts():
    with pytest.raises(book.EquationMismatch):
        book.verify_bound("eq-nan", 0.0, [1.0, np.nan], how="t")
    v = book.verify_bound("eq-zero", 0.0, [3.0, 1.0, 2.0], how="t")
    assert v.extra["margin"] == 1.0 and v.extra["at"] == "index (1,)"


# -- estimates --------------------------------------------------------------------
def test_estimate_within_n_se_passes_and_records_z():
    v = book.verify_estimate("eq-mc", 1.02, 1.0, se=0.01, n_se=3, how="t")
    assert v.passed and v.kind == "estimate"
    assert v.extra["max_z"] == pytest.approx(2.0) and v.extra["n_se"] == 3.0
    rec = v.record()
    assert rec["max_z"] == pytest.approx(2.0) and rec["lhs"] == "1.02" and rec["rhs"] == "1"


def test_an_estimate_outside_n_se_fails():
    with pytest.raises(book.EquationMismatch, match=r"'eq-mc'.*max \|estimate - exact\| / se = 5 exceeds n_se = 4"):
        book.verify_estimate("eq-mc", 1.05, 1.0, se=0.01, how="t")


def test_estimate_from_samples_uses_the_standard_error_of_the_mean():
    rng = np.random.default_rng(1)
    samples = rng.normal(0.3, 2.0, size=40_000)
    v = book.verify_estimate("eq-mc", samples, 0.3, how="t")
    assert v.lhs == pytest.approx(samples.mean())
    assert float(v.extra["se"]) == pytest.approx(samples.std(ddof=1) / 200, rel=1e-6)
    with pytest.raises(book.EquationMismatch):  # a 1 % bias is 15 standard errors here
        book.verify_estimate("eq-mc", samples * 1.01 + 0.1, 0.3, how="t")


def test_estimate_refuses_a_zero_or_missing_standard_error():
    with pytest.raises(ValueError, match="se must be positive and finite"):
        book.verify_estimate("eq-mc", 1.0, 1.0, se=0.0, how="t")
    with pytest.raises(ValueError, match="estimate must be the samples"):
        book.verify_estimate("eq-mc", 1.0, 1.0, how="t")
    with pytest.raises(ValueError, match=r"n_se must be a number in \(0, 10\]"):
        book.verify_estimate("eq-mc", 1.0, 1.0, se=1.0, n_se=50, how="t")


# -- claims -----------------------------------------------------------------------
def test_a_false_claim_fails_naming_label_and_text():
    with pytest.raises(book.ClaimFailed, match=r"claim 'cep-rounding-hurts' is false: rounding only hurts"):
        book.claim("cep-rounding-hurts", np.float64(0.9) > 1.0, "rounding only hurts")
    assert issubclass(book.ClaimFailed, AssertionError)


def test_a_true_claim_records_label_and_text_as_a_directive():
    c = book.claim("ok-claim", np.bool_(True), "it holds")
    assert (c.label, c.text) == ("ok-claim", "it holds")
    first, body, last = c._repr_markdown_().strip().split("\n")
    assert first == "```{lossbook-claim} ok-claim" and json.loads(body)["text"] == "it holds"


@pytest.mark.parametrize("cond", [1, 0.0, None, np.array([True, True]), "yes"])
def test_a_claim_condition_must_be_a_bool(cond):
    with pytest.raises(TypeError, match="condition must be a bool"):
        book.claim("c-type", cond, "text")


def test_a_claim_needs_text():
    with pytest.raises(TypeError, match="text must be a non-empty string"):
        book.claim("c-text", True, " ")
