"""The API reference documents every public name, room by room."""

import re
from pathlib import Path

import pytest

import lossbook as lb
from lossbook import book, demos

BOOK = Path(__file__).resolve().parents[1] / "book"
ROOT = BOOK.parent
API = "\n".join((BOOK / f).read_text() for f in ("api.md", "api-book.md", "api-demos.md"))


def _section(title_start: str) -> str:
    """Text of the API page from the '## <title_start>' heading to the next '## ' heading."""
    m = re.search(rf"^##? (?:API: )?{re.escape(title_start)}.*?(?=^##? |\Z)", API, re.M | re.S)
    assert m, f"the API pages have no section starting '{title_start}'"
    return m.group(0)


def test_every_library_name_is_on_the_api_page():
    lib = _section("The library")
    direct = set(re.findall(r"\.\. auto(?:function|class|data):: (\w+)", lib))
    summary = set(re.findall(r"^\* - \{py:obj\}`lb\.(\w+) <lossbook\.\1>`", _section("Summary"), re.M))
    missing = [n for n in lb.__all__ if n not in direct]
    assert not missing, f"library names missing from book/api.md: {missing}"
    assert not [n for n in lb.__all__ if n not in summary], "every library name belongs in a summary table"
    stray = sorted(direct - set(lb.__all__))
    assert not stray, f"book/api.md documents names that are not in lossbook.__all__: {stray}"


def test_book_and_demos_are_documented_through_their_all():
    for title, room in (("the book's machinery", "lossbook.book"), ("chapter demos", "lossbook.demos")):
        sec = _section(title)
        assert re.search(rf"\.\. automodule:: {re.escape(room)}\n   :members:\n   :imported-members:", sec), room


def test_the_rooms_do_not_overlap():
    top, b, d = set(lb.__all__), set(book.__all__), set(demos.__all__)
    assert not (top & b) and not (top & d) and not (b & d), (top & b, top & d, b & d)
    for name in b | d:
        assert not hasattr(lb, name) or name in ("book", "demos"), f"lossbook.{name} is still at the top level"


def test_every_public_callable_has_a_docstring():
    for room in (lb, book, demos):
        no_doc = [n for n in room.__all__ if callable(getattr(room, n)) and not (getattr(room, n).__doc__ or "").strip()]
        assert not no_doc, (room.__name__, no_doc)


def test_summary_tables_are_current_and_cover_every_room():
    """The tables that open the API page are what tools/api_tables.py writes from the docstrings."""
    import subprocess
    import sys

    tool = BOOK.parent / "tools" / "api_tables.py"
    r = subprocess.run([sys.executable, str(tool), "--check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    table = _section("Summary")
    for room, prefix, target in ((lb, "lb", "lossbook"), (book, "book", "lossbook.book"), (demos, "demos", "lossbook.demos")):
        # constants link to the module that defines them (lossbook.book.plotting.OKABE_ITO)
        listed = set(re.findall(rf"^\* - \{{py:obj\}}`{prefix}\.(\w+) <{re.escape(target)}\.(?:\w+\.)?\1>`", table, re.M))
        assert listed == set(room.__all__), (prefix, set(room.__all__) ^ listed)
    titles = re.findall(r"^```\{list-table\} (.+)$", table, re.M)
    assert titles == ["Losses", "Gradients", "Activations", "Information measures", "Likelihood",
                      "Priors and regularisation", "Margins",
                      "Metrics and calibration", "Book machinery", "Chapter demos"], titles
    assert "\\" not in re.sub(r"\{math\}`[^`]*`", "", table), "TeX outside a {math} role in the summary tables"


def test_tables_tool_catches_a_name_no_section_documents(monkeypatch):
    """A function added to lossbook.__all__ without an entry on the API page stops the tool."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("api_tables", BOOK.parent / "tools" / "api_tables.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    monkeypatch.setattr(lb, "__all__", list(lb.__all__) + ["softmax_cross_entropy_v2"])
    import pytest

    with pytest.raises(SystemExit, match="softmax_cross_entropy_v2"):
        tool.tables()


@pytest.mark.build
def test_docstring_sections_render_as_sections(built_site):
    """Every docstring section is one Sphinx knows (numpydoc's, and the custom "Shape"):
    an unknown heading is folded into the section before it, its underline a stray bullet
    (the visual audit found "Shape / -----" rendered inside "Returns")."""
    from bs4 import BeautifulSoup

    heads = set()
    for mod in ("_losses", "_measures", "_calibration", "_classification", "_regression"):
        src = (ROOT / "lossbook" / f"{mod}.py").read_text()
        heads |= set(re.findall(r"\n    ([A-Z][A-Za-z ]+)\n    -{3,}\n", src))
    assert "Shape" in heads
    soup = BeautifulSoup((built_site / "book" / "api.html").read_text(), "html.parser")
    text = soup.get_text(" ")
    assert not re.search(r"\u2014\u2013|-{3,}", " ".join(li.get_text() for li in soup.select("dd li"))), \
        "a docstring underline rendered as list text"
    rubrics = {" ".join(p.get_text().split()).rstrip(":") for p in soup.select("p.rubric, dt.field-odd, dt.field-even")}
    assert "Shape" in rubrics, sorted(rubrics)[:20]
    assert "Shape" in text
