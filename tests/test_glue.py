"""lossbook.book.glue: numbers into prose, compatible with myst-nb's glue protocol."""

import ast

import nbformat
import numpy as np
import pytest

import lossbook as lb
from lossbook import book
from lossbook.book import to_plain


def test_numpy_scalars_become_python_numbers():
    assert type(to_plain("x", np.float64(0.25))) is float
    assert type(to_plain("x", np.float32(0.5))) is float
    assert type(to_plain("x", np.int64(3))) is int
    assert type(to_plain("x", np.array(1.5))) is float
    assert type(to_plain("x", np.array([2.5]))) is float
    assert to_plain("x", np.bool_(True)) is True


def test_the_pitfall_it_prevents():
    # numpy 2 reprs do not survive myst-nb's literal_eval + format spec
    with pytest.raises(ValueError):
        ast.literal_eval(repr(np.float64(0.25)))
    assert ast.literal_eval(repr(to_plain("x", np.float64(0.25)))) == 0.25


def test_refuses_nan_arrays_and_objects():
    with pytest.raises(ValueError, match="glue 'x' got NaN"):
        to_plain("x", float("nan"))
    with pytest.raises(ValueError, match=r"single number; got an array of shape \(2,\)"):
        to_plain("x", np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="expects a number or a string; got dict"):
        to_plain("x", {})
    with pytest.raises(ValueError, match="name must be a non-empty string"):
        book.glue("", 1.0)
    with pytest.raises(TypeError, match="fmt applies to numbers"):
        book.glue("x", "text", fmt=".2f")


def test_outputs_match_myst_nb_glue_protocol(monkeypatch):
    """What lossbook.book.glue displays is what myst-nb's own glue would, so the roles find it."""
    from IPython.core.interactiveshell import InteractiveShell
    import IPython.display
    from myst_nb.ext.glue import extract_glue_data

    shown = []
    monkeypatch.setattr(
        IPython.display, "display", lambda data, raw, metadata: shown.append((data, metadata))
    )
    InteractiveShell.instance()
    try:
        book.glue("ratio", np.float64(0.125))
        book.glue("pct", 0.5, fmt=".1%")
    finally:
        InteractiveShell.clear_instance()
    outputs = [
        nbformat.v4.new_output("display_data", data=d, metadata=m) for d, m in shown
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("", outputs=outputs)])
    data = extract_glue_data(nb, [0], logger=None)
    assert data["ratio"]["data"]["text/plain"] == "0.125"
    assert data["pct"]["data"]["text/plain"] == "'50.0%'"
    assert nb.cells[0].outputs == []  # hidden from the page: display=False


def test_numbers_are_typeset_with_a_true_minus_and_powers_of_ten():
    assert book.format_number(1.234e-5, ".2e") == "1.23 \u00d7 10\u207b\u2075"
    assert book.format_number(-0.25, ".2f") == "\u22120.25"
    assert book.format_number(3.0e20, ".3g") == "3 \u00d7 10\u00b2\u2070"
    assert book.format_number(1.0, ".0e") == "1"  # 10 to the power 0 is not written
    assert book.format_number(0.5, ".1%") == "50.0%"
    assert book.typeset_number("-1.5e-07") == "\u22121.5 \u00d7 10\u207b\u2077"
    assert book.typeset_number("nan") == "nan" and book.typeset_number("3 of 5") == "3 of 5"
    with pytest.raises(ValueError, match="NaN"):
        book.format_number(float("nan"))
    with pytest.raises(TypeError, match="real number"):
        book.format_number("1.0")


def test_glue_with_a_format_typesets_the_number(monkeypatch):
    sent = []
    import sys

    glue_module = sys.modules["lossbook.book.glue"]  # (lossbook.book.glue is the function)
    monkeypatch.setattr(glue_module, "_send", lambda name, value, display: sent.append(value))
    book.glue("tiny", 1.5e-7, fmt=".1e")
    book.glue("neg", -0.125, fmt=".3f")
    assert sent == ["1.5 \u00d7 10\u207b\u2077", "\u22120.125"]


def test_expect_error_prints_one_line_and_fails_without_the_error(capsys):
    with book.expect_error(ValueError):
        raise ValueError("first line\n  second line")
    assert capsys.readouterr().out == "ValueError: first line second line\n"
    with pytest.raises(book.ErrorNotRaised, match="expected to raise ValueError"):
        with book.expect_error(ValueError):
            pass
    with pytest.raises(KeyError):  # another error is not swallowed
        with book.expect_error(ValueError):
            raise KeyError("k")


def test_show_warnings_prints_each_warning_once_without_a_path(capsys):
    import warnings

    with book.show_warnings():
        for _ in range(3):
            warnings.warn("overflow encountered in exp", RuntimeWarning)
    assert capsys.readouterr().out == "RuntimeWarning: overflow encountered in exp\n"
