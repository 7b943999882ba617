"""The notation page covers the symbols the chapters share, and says what they mean there.

Every symbol (a Latin or Greek letter, or a named operator such as softmax or the indicator)
used in the mathematics of two or more chapters has a row on book/notation.md; the page's
statements about usage (target versus predicted distribution, labels counted from 0, N versus
n) are checked against the chapters. The chapters are whatever MyST notebooks book/ holds.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
NOTATION = (BOOK / "notation.md").read_text()
GREEK = set(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi rho "
    "sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega".split()
)


def chapters() -> list[Path]:
    return sorted(p for p in BOOK.glob("*.md") if p.read_text().startswith("---\njupytext:"))


def maths(text: str) -> list[str]:
    """Display and inline mathematics of a MyST chapter (code cells left out)."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    out = re.findall(r"```\{math\}\n(?::[^\n]*\n)*(.*?)```", text, re.S)
    prose = re.sub(r"```.*?```", " ", text, flags=re.S)
    out += re.findall(r"\$\$(.*?)\$\$", prose, re.S)
    out += re.findall(r"(?<![\\$])\$([^$\n]+?)\$", prose)
    out += re.findall(r"\{math\}`([^`]*)`", prose)
    return out


def symbols(tex: str) -> set[str]:
    """The symbols of a formula: letters, Greek letters, \\operatorname/\\mathbb/\\mathcal names."""
    tex = re.sub(r"\\(begin|end)\{[^}]*\}", " ", tex)
    tex = re.sub(r"\\(text|mathrm|textrm|mbox)\{[^{}]*\}", " ", tex)  # words and subscripts in roman
    found = {f"\\{m[0]}{{{m[1].strip()}}}" for m in re.findall(r"\\(operatorname|mathbb|mathcal)\{([^}]*)\}", tex)}
    found |= {f"\\mathbb{{{m}}}" for m in re.findall(r"\\mathbb\s+([A-Za-z1])", tex)}
    tex = re.sub(r"\\(operatorname|mathbb|mathcal)(\{[^}]*\}|\s+[A-Za-z1])", " ", tex)
    found |= {"\\" + g for g in re.findall(r"\\([A-Za-z]+)", tex) if g in GREEK}
    tex = re.sub(r"\\[A-Za-z]+", " ", tex)
    found |= set(re.findall(r"[A-Za-z]", tex))
    return found


def shared_symbols() -> dict[str, list[str]]:
    where = defaultdict(list)
    for p in chapters():
        syms = set()
        for m in maths(p.read_text()):
            syms |= symbols(m)
        for s in syms:
            where[s].append(p.stem)
    return {s: w for s, w in where.items() if len(w) >= 2}


def notation_symbols() -> set[str]:
    """Symbols named in the first column of the notation table."""
    rows = [l for l in NOTATION.splitlines() if l.startswith("| ") and not l.startswith("| ---")]
    found = set()
    for row in rows[1:]:
        first = row.split(" | ")[0]
        for m in maths(first):
            found |= symbols(m)
    return found


def test_symbol_extraction_sees_what_a_reader_sees():
    assert symbols(r"\operatorname{softmax}(\boldsymbol z)_k = e^{z_k} / \sum_j e^{z_j}") == {
        r"\operatorname{softmax}", "z", "k", "e", "j"}
    assert symbols(r"\begin{aligned} D_{\mathrm{KL}}(p \,\Vert\, q) \end{aligned}") == {"D", "p", "q"}
    assert symbols(r"\mathbb{1}[y = k] + \mathbb E[X] + \sigma") == {r"\mathbb{1}", r"\mathbb{E}", "y", "k", "X", r"\sigma"}


def test_every_symbol_two_chapters_share_is_on_the_notation_page():
    shared = shared_symbols()
    covered = notation_symbols()
    missing = {s: w for s, w in shared.items() if s not in covered}
    assert not missing, "symbols used in two or more chapters but not on book/notation.md: " + "; ".join(
        f"{s} ({', '.join(w)})" for s, w in sorted(missing.items()))


def test_labels_are_counted_from_zero_everywhere():
    assert r"\{0, \dots, C-1\}" in NOTATION
    bad = []
    for p in chapters():
        for m in maths(p.read_text()):
            if re.search(r"\\in\s*\\\{\s*1\s*,\s*\\(l|c)?dots\s*,\s*C\s*\\\}", m):
                bad.append(f"{p.stem}: {m.strip()[:60]}")
    assert not bad, f"labels counted from 1: {bad}"


def test_target_then_prediction_in_cross_entropy_and_divergence():
    """H(p, q) and D_KL(p || q): the target (true) distribution first, the prediction second."""
    assert re.search(r"\$p\$[^|]*target", NOTATION) and re.search(r"\$q\$[^|]*predict", NOTATION)
    swapped = []
    for p in chapters():
        text = p.read_text()
        if re.search(r"reverse|asymmetr", text, re.I):
            continue  # a chapter that shows D(q || p) on purpose says it is the reverse divergence
        for m in maths(text):
            if re.search(r"H\(\s*q\s*,\s*p\s*\)", m) or re.search(r"D_\{\\mathrm\{KL\}\}\(\s*q\s*\\,?\\(Vert|\|)", m):
                swapped.append(f"{p.stem}: {m.strip()[:60]}")
    assert not swapped, f"prediction written first: {swapped}"


def test_n_and_big_n_as_the_page_says():
    """N counts samples; n counts the outcomes of a distribution or the draws of a sample, and
    the page says so if the chapters use it."""
    shared = shared_symbols()
    for sym in ("N", "n", "C", "K"):
        if sym in shared:
            assert re.search(rf"^\| \${sym}\$", NOTATION, re.M), f"${sym}$ is used but has no row of its own"
    assert re.search(r"^\| \$N\$ \|[^|]*sample", NOTATION, re.M)
    assert re.search(r"^\| \$n\$ \|[^|]*outcomes[^|]*sample", NOTATION, re.M)
