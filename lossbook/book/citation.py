"""How to cite the book: BibTeX and APA entries generated from ``CITATION.cff``.

The How-to-cite page and every chapter's citation box are built from the one
``CITATION.cff`` at the repository root, so they cannot drift apart.

Examples
--------
>>> cff = {"title": "T", "authors": [{"name": "The Devs"}], "version": "1.0",
...        "date-released": "2026-01-02", "license": "MIT"}
>>> print(to_apa(cff))
The Devs. (2026). *T* (Version 1.0).
>>> print(to_bibtex(cff, key="t2026").splitlines()[0])
@book{t2026,
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["load_citation", "to_bibtex", "to_apa", "author_names"]


def load_citation(path) -> dict:
    """Read ``CITATION.cff`` (YAML) into a dict."""
    import yaml

    with open(Path(path), encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    for key in ("title", "authors", "version", "date-released"):
        if key not in data:
            raise ValueError(f"{path}: CITATION.cff must have {key!r}; it has {sorted(data)}")
    return data


def _preferred(cff: dict) -> dict:
    """The fields to cite: ``preferred-citation`` where the file has one, else the file's own."""
    pref = cff.get("preferred-citation") or {}
    merged = dict(cff)
    for key in ("title", "authors"):
        if pref.get(key):
            merged[key] = pref[key]
    return merged


def author_names(cff: dict) -> list[str]:
    """Author names: ``name`` for an entity, ``Family, Given`` for a person."""
    out = []
    for a in cff["authors"]:
        if "name" in a:
            out.append(a["name"])
        else:
            out.append(f"{a['family-names']}, {a.get('given-names', '')}".strip(", "))
    return out


def _year(cff):
    return str(cff["date-released"])[:4]


def to_bibtex(cff: dict, *, key: str = "lossbook", chapter: str | None = None, url: str | None = None) -> str:
    """A BibTeX entry: ``@book`` for the whole book, ``@incollection`` for a chapter."""
    cff = _preferred(cff)
    authors = " and ".join("{" + n + "}" if "," not in n else n for n in author_names(cff))
    fields = []
    if chapter:
        kind = "incollection"
        fields += [("title", chapter), ("booktitle", cff["title"])]
    else:
        kind = "book"
        fields += [("title", cff["title"])]
    fields += [("author", authors), ("year", _year(cff)), ("edition", f"version {cff['version']}")]
    if cff.get("license"):
        fields.append(("note", f"Licensed {cff['license']}"))
    if url:
        fields.append(("url", url))
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
    return f"@{kind}{{{key},\n{body}\n}}"


def to_apa(cff: dict, *, chapter: str | None = None, url: str | None = None) -> str:
    """An APA 7 style reference (Markdown emphasis for the title)."""
    cff = _preferred(cff)
    names = author_names(cff)
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", & " + names[-1]
    if not who.endswith("."):
        who += "."
    if chapter:
        text = f"{who} ({_year(cff)}). {chapter}. In *{cff['title']}* (Version {cff['version']})."
    else:
        text = f"{who} ({_year(cff)}). *{cff['title']}* (Version {cff['version']})."
    if url:
        text += f" {url}"
    return text
