"""How to cite the book: BibTeX and APA entries generated from ``CITATION.cff``.

The How-to-cite page and every chapter's citation box are built from the one
``CITATION.cff`` at the repository root, so they cannot drift apart.

The APA entry is composed here rather than by a pybtex style: the APA styles for pybtex on
PyPI are ``pybtex-apa-style`` (APA 6, last released 2018) and ``pybtex-apa7-style`` 0.1.5,
which installs top-level packages named ``formatting``, ``labels`` and ``names`` into
site-packages (clashing with any other distribution of those names, such as PyPI's ``names``)
and has no notion of a version or a commit. The book's bibliography is formatted by pybtex
(see ``_ext/lossbook_cite.py``).

Examples
--------
>>> cff = {"title": "T", "authors": [{"name": "The Devs"}],
...        "version": "1.0",
...        "date-released": "2026-01-02", "license": "MIT"}
>>> print(to_apa(cff))
The Devs. (2026). *T* (Version 1.0).
>>> print(to_bibtex(cff, key="t2026").splitlines()[0])
@book{t2026,
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["load_citation", "to_bibtex", "to_apa", "author_names", "publisher_name", "book_url"]


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


def publisher_name(cff: dict) -> str:
    """The publisher: ``preferred-citation.publisher.name`` (or the top-level one), else ''."""
    for src in (cff.get("preferred-citation") or {}, cff):
        pub = src.get("publisher")
        if isinstance(pub, dict) and pub.get("name"):
            return str(pub["name"])
    return ""


def book_url(cff: dict) -> str:
    """The book's web address: ``url`` in ``CITATION.cff`` (or its preferred citation), else ''."""
    return str(cff.get("url") or (cff.get("preferred-citation") or {}).get("url") or "")


def _commit_note(commit):
    return f"commit {commit[:12]}{commit[40:]}" if commit else ""


def _year(cff):
    return str(cff["date-released"])[:4]


def to_bibtex(
    cff: dict, *, key: str = "lossbook", chapter: str | None = None, url: str | None = None,
    commit: str | None = None,
) -> str:
    """A BibTeX entry: ``@book`` for the whole book, ``@incollection`` for a chapter.

    A chapter is named by its title (never its number, which changes when chapters are
    added) and ``url`` is then the chapter's page. Without ``url`` the book's own ``url``
    from ``CITATION.cff`` is used, if it has one. ``commit`` (the git commit the book was
    built from) goes into the note, with the licence.
    """
    pub = publisher_name(cff)
    cff = _preferred(cff)
    url = url or book_url(cff) or None
    authors = " and ".join("{" + n + "}" if "," not in n else n for n in author_names(cff))
    fields = []
    if chapter:
        kind = "incollection"
        fields += [("title", chapter), ("booktitle", cff["title"])]
    else:
        kind = "book"
        fields += [("title", cff["title"])]
    fields += [("author", authors), ("year", _year(cff)), ("edition", f"version {cff['version']}")]
    if pub:
        fields.append(("publisher", pub))
    note = "; ".join(x for x in (("Git " + _commit_note(commit)) if commit else "", f"Licensed {cff['license']}" if cff.get("license") else "") if x)
    if note:
        fields.append(("note", note))
    if url:
        fields.append(("url", url))
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
    return f"@{kind}{{{key},\n{body}\n}}"


def to_apa(cff: dict, *, chapter: str | None = None, url: str | None = None, commit: str | None = None) -> str:
    """An APA 7 style reference (Markdown emphasis for the title).

    A chapter is cited by its title and its page address (``url``). The version and, when
    given, the commit go in the parenthesis after the title; the publisher follows, except
    when it is the author (APA 7 then omits it); then the address.
    """
    pub = publisher_name(cff)
    cff = _preferred(cff)
    url = url or book_url(cff) or None
    names = author_names(cff)
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", & " + names[-1]
    if not who.endswith("."):
        who += "."
    edition = f"Version {cff['version']}" + (f", {_commit_note(commit)}" if commit else "")
    if chapter:
        text = f"{who} ({_year(cff)}). {chapter}. In *{cff['title']}* ({edition})."
    else:
        text = f"{who} ({_year(cff)}). *{cff['title']}* ({edition})."
    if pub and pub not in names:
        text += f" {pub}."
    if url:
        text += f" {url}"
    return text
