"""Cite the dataset (BibTeX, APA or CFF) and list the texts it was coded from.

Everything comes from the release's own datapackage.json and CITATION.cff, so a pinned
release is cited with its own version and date. Imports no YAML parser: the descriptor
carries what CITATION.cff says (title, authors, date released, DOI).

Examples
--------
>>> import caucasus_events as ce
>>> print(ce.citation("apa"))                      # the installed release
>>> events = ce.load("events", version="0.1.0")
>>> print(ce.citation("bibtex", version=events.attrs["version"]))
"""

from __future__ import annotations

import json

import pandas as pd

from caucasus_events.loading import DataError, load, package_dir

STYLES = ("bibtex", "apa", "cff")
_TEX = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _tex(text: str) -> str:
    return "".join(_TEX.get(char, char) for char in text)


def _bibtex_name(person: dict) -> str:
    if "familyName" in person:
        given = person.get("givenName", "")
        return _tex(f"{person['familyName']}, {given}" if given else person["familyName"])
    return "{" + _tex(person["title"]) + "}"  # an organization: keep it one name


def _initials(given: str) -> str:
    # "Jean-Paul Anne" -> "J.-P. A."
    return " ".join("-".join(part[0] + "." for part in word.split("-") if part) for word in given.split())


def _apa_name(person: dict) -> str:
    if "familyName" in person:
        initials = _initials(person.get("givenName", ""))
        return f"{person['familyName']}, {initials}" if initials else person["familyName"]
    return person["title"]


def _apa_authors(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) > 20:  # APA 7: the first 19, an ellipsis, the last
        return ", ".join(names[:19]) + ", . . . " + names[-1]
    return ", ".join(names[:-1]) + ", & " + names[-1]


def bibtex(package: dict) -> str:
    """A BibTeX ``@misc`` entry of the release."""
    version = package["version"]
    authors = [c for c in package.get("contributors", []) if c.get("role", "author") == "author"]
    fields = [
        ("author", " and ".join(_bibtex_name(a) for a in authors)),
        ("title", "{" + _tex(package["title"]) + "}"),  # double braces keep the capitals
        ("year", package["created"][:4] if package.get("created") else None),
        ("version", version),
        ("doi", package["id"].removeprefix("https://doi.org/") if package.get("id") else None),
        ("url", package.get("homepage")),
        ("note", f"Dataset, version {version}"),
    ]
    key = f"{package['name'].replace('-', '_')}_{version.replace('.', '_')}"
    body = ",\n".join(f"  {name:<9} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{key},\n{body}\n}}\n"


def apa(package: dict) -> str:
    """An APA 7 reference of the release (a data set)."""
    authors = [c for c in package.get("contributors", []) if c.get("role", "author") == "author"]
    who = _apa_authors([_apa_name(a) for a in authors]) if authors else package["title"]
    year = package["created"][:4] if package.get("created") else "n.d."
    where = package.get("id") or package.get("homepage", "")
    who = who if who.endswith(".") else who + "."
    return (
        f"{who} ({year}). {package['title']} (Version {package['version']}) [Data set]. {where}".rstrip()
        + "\n"
    )


def citation(style: str = "bibtex", version: str | None = None) -> str:
    """How to cite the dataset.

    Parameters
    ----------
    style : {"bibtex", "apa", "cff"}
        BibTeX entry, APA 7 reference, or the release's CITATION.cff as published.
    version : str, optional
        A published release (as given to :func:`caucasus_events.load`); the installed one
        by default. ``df.attrs["version"]`` of a loaded table names the release it came from.

    Returns
    -------
    str
        The citation, ending with a newline.
    """
    if style not in STYLES:
        raise DataError(f"unknown citation style {style!r} (expected one of: {', '.join(STYLES)})")
    folder = package_dir(version)
    if style == "cff":
        path = folder / "CITATION.cff"
        if not path.is_file():
            raise DataError(f"{path}: missing (the release carries no CITATION.cff)")
        return path.read_text(encoding="utf-8")
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    return bibtex(package) if style == "bibtex" else apa(package)


def sources(version: str | None = None) -> pd.DataFrame:
    """The source texts to credit: publisher, title, date, URL and license of each.

    Cite these when you quote or build on a text itself; the dataset's own citation
    (:func:`citation`) covers the annotations and tables.
    """
    articles = load("articles", version=version)
    columns = ["publisher", "title", "published", "url", "license", "article_id"]
    frame = articles[columns].sort_values(["publisher", "published", "article_id"], na_position="last")
    frame = frame.reset_index(drop=True)
    frame.attrs = {**articles.attrs, "table": "sources"}
    return frame
