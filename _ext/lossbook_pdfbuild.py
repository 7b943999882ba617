"""Build Lossbook's PDF edition: the whole book and one PDF per chapter (``python3 dev.py pdf``).

1. ``jupyter-book build . --builder pdflatex -W -n --keep-going`` writes ``_build/latex/``
   and runs XeLaTeX (latexmk) on it: ``_build/latex/lossbook.pdf``. The chapters are
   executed through the same cache as the HTML build, so nothing is re-executed.
2. Each chapter's PDF is cut from the book (with pypdf), at
   the pages where LaTeX put the chapter (read from ``lossbook.aux`` and the PDF's named
   destinations). A chapter's PDF therefore has exactly the book's pages, headings and
   equation numbers, as on the site: ``_build/latex/chapters/<chapter>.pdf``.
3. The site: ``dev.py pdf`` then runs the HTML build, whose ``lossbook_latex`` extension
   copies the PDFs into ``_build/html/_pdf/`` and links them from the download menus (a
   chapter's PDF on its page, the whole book on the front page). Any later HTML build does
   the same as long as ``_build/latex`` holds the PDFs; without them the site has no PDF
   entries (and no broken links).

TeX Live comes from Debian; when it is missing, the command says what to install.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

APT_PACKAGES = (
    "texlive-xetex texlive-latex-extra texlive-fonts-recommended latexmk fonts-freefont-otf poppler-utils"
)
TOOLS = ("xelatex", "latexmk", "pdfinfo", "pdftotext", "pdffonts")
#: an overfull box wider than this (in points) is a defect (tests/test_pdf.py)
OVERFULL_LIMIT_PT = 5.0


def missing_tools() -> list[str]:
    return [t for t in TOOLS if shutil.which(t) is None]


def missing_message(missing) -> str:
    return (
        f"the PDF edition needs TeX Live and poppler, missing here: {', '.join(missing)}.\n"
        f"On Debian or Ubuntu install them (about 200 MB) with\n"
        f"    sudo apt-get install {APT_PACKAGES}\n"
        f"then run `python3 dev.py pdf` again."
    )


def chapter_pages(latex_dir: Path) -> dict[str, tuple[int, int]]:
    """{docname: (first, last) physical page} for every document that opens a chapter."""
    aux = (latex_dir / "lossbook.aux").read_text(encoding="utf-8", errors="replace")
    pdf = latex_dir / "lossbook.pdf"
    dests = {}
    out = subprocess.run(["pdfinfo", "-dests", str(pdf)], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        m = re.match(r"\s*(\d+)\s+\[.*?\]\s+\"(.+)\"\s*$", line)
        if m:
            dests[m.group(2)] = int(m.group(1))
    npages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout).group(1))
    # where each document starts: \newlabel{<doc>::doc}{{num}{page}{title}{anchor}{}}
    starts = {}
    for m in re.finditer(r"\\newlabel\{([^{}]+)::doc\}\{\{[^{}]*\}\{[^{}]*\}\{.*?\}\{([^{}]+)\}", aux):
        doc, anchor = m.group(1), m.group(2)
        if anchor in dests:
            starts[doc] = dests[anchor]
    # every chapter or part opening ends the chapter before it
    breaks = sorted({p for name, p in dests.items() if re.match(r"(chapter|part)\*?\.\d+$", name)} | {npages + 1})
    ranges = {}
    for doc, first in starts.items():
        last = min(b for b in breaks if b > first) - 1
        ranges[doc] = (first, last)
    return ranges


def split_chapters(latex_dir: Path, root_doc: str = "book/index") -> list[Path]:
    """Cut one PDF per chapter out of lossbook.pdf into latex_dir/chapters/ (with pypdf)."""
    from pypdf import PdfReader, PdfWriter

    outdir = latex_dir / "chapters"
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir()
    reader = PdfReader(latex_dir / "lossbook.pdf")
    aux = (latex_dir / "lossbook.aux").read_text(encoding="utf-8", errors="replace")
    titles = {
        m.group(1): re.sub(r"\\[a-zA-Z@]+\s*(\{\})?", "", re.sub(r"\\sphinxhyphen\s*\{\}", "-", m.group(2))).strip()
        for m in re.finditer(r"\\newlabel\{([^{}]+)::doc\}\{\{[^{}]*\}\{[^{}]*\}\{((?:[^{}]|\{[^{}]*\})*)\}", aux)
    }
    book = "Lossbook: the loss functions of machine learning"
    written = []
    for doc, (first, last) in sorted(chapter_pages(latex_dir).items()):
        if doc == root_doc or last < first:
            continue
        writer = PdfWriter()
        writer.append(reader, pages=(first - 1, last))  # keeps the chapter's outline entries
        name = titles.get(doc) or doc.rsplit("/", 1)[-1]
        writer.add_metadata({"/Title": f"{name} ({(reader.metadata and reader.metadata.title) or book})"})
        target = outdir / (doc.rsplit("/", 1)[-1] + ".pdf")
        with open(target, "wb") as fh:
            writer.write(fh)
        written.append(target)
    return written


def copy_into_site(latex_dir: Path, site: Path) -> list[Path]:
    """Copy lossbook.pdf and chapters/*.pdf into site/_pdf/ (when the site exists)."""
    if not site.is_dir():
        return []
    dest = site / "_pdf"
    dest.mkdir(exist_ok=True)
    copied = []
    for src in [latex_dir / "lossbook.pdf", *sorted((latex_dir / "chapters").glob("*.pdf"))]:
        if src.is_file():
            shutil.copy2(src, dest / src.name)
            copied.append(dest / src.name)
    return copied


def overfull_boxes(log_text: str) -> list[tuple[float, str]]:
    """(width in pt, the log's line) for every overfull box in a LaTeX log."""
    return [(float(m.group(1)), m.group(0)) for m in re.finditer(r"Overfull \\[hv]box \(([\d.]+)pt too \w+\)[^\n]*", log_text)]


def build(root: Path, jupyter_book: Path, run, python=None) -> int:
    """The whole PDF edition; ``run`` runs a command from ``root`` and returns its exit code.

    ``python`` is the interpreter of the book's environment (it has pypdf); by default this one.
    """
    missing = missing_tools()
    if missing:
        print(missing_message(missing))
        return 3
    latex_dir = root / "_build" / "latex"
    # a clean LaTeX directory: latexmk must not trust a stale .aux/.idx from another build
    shutil.rmtree(latex_dir, ignore_errors=True)
    rc = run([jupyter_book, "build", ".", "--builder", "pdflatex", "-W", "-n", "--keep-going"])
    pdf = latex_dir / "lossbook.pdf"
    if rc or not pdf.is_file():
        print(f"the PDF build failed (see above, and {latex_dir / 'lossbook.log'})")
        return rc or 1
    if python is None:
        chapters = split_chapters(latex_dir)
    else:  # dev.py runs under the system Python: split in the book's environment
        if run([python, Path(__file__).resolve(), "split", latex_dir]):
            return 1
        chapters = sorted((latex_dir / "chapters").glob("*.pdf"))
    big = [b for b in overfull_boxes((latex_dir / "lossbook.log").read_text(errors="replace")) if b[0] > OVERFULL_LIMIT_PT]
    print(f"wrote {pdf.relative_to(root)} and {len(chapters)} chapter PDFs in {(latex_dir / 'chapters').relative_to(root)}/")
    if big:
        print(f"warning: {len(big)} overfull box(es) wider than {OVERFULL_LIMIT_PT} pt:")
        for _, line in big[:20]:
            print("   ", line)
    return 0


if __name__ == "__main__":  # python _ext/lossbook_pdfbuild.py split _build/latex
    import sys

    if len(sys.argv) == 3 and sys.argv[1] == "split":
        for p in split_chapters(Path(sys.argv[2])):
            print(f"wrote {p}")
    else:
        sys.exit("usage: lossbook_pdfbuild.py split LATEX_DIR")
