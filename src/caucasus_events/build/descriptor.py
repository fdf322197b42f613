"""The Frictionless Data Package descriptor, generated from the models, CITATION.cff and files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml

from caucasus_events import __version__
from caucasus_events.build.models import MODELS
from caucasus_events.build.safefile import FileFault, read_regular
from caucasus_events.build.spool import file_sha256, file_size
from caucasus_events.problems import Problem

DATA_LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}
PLOVER_LICENSE = {
    "name": "CC-BY-SA-4.0",
    "path": "https://creativecommons.org/licenses/by-sa/4.0/",
    "title": "Creative Commons Attribution-ShareAlike 4.0 (adapted from the PLOVER manual and mapping, Open Event Data Alliance)",
}
CAMEO_LICENSE = {
    "name": "CAMEO-codebook",
    "path": "https://github.com/andybega/icews",
    "title": "CAMEO 1.1b3 codes and Goldstein values (Gerner, Schrodt, Yilmaz et al.), as tabulated in andybega/icews (MIT)",
}
RESOURCE_LICENSES = {
    "plover_types": [PLOVER_LICENSE],
    "plover_modes": [PLOVER_LICENSE],
    "plover_contexts": [PLOVER_LICENSE],
    "cameo_plover": [PLOVER_LICENSE],
    "cameo_codes": [CAMEO_LICENSE],
}
FORMATS = {
    "csv": {"format": "csv", "mediatype": "text/csv", "encoding": "utf-8"},
    "parquet": {"format": "parquet", "mediatype": "application/vnd.apache.parquet"},
}


def read_citation(root: Path) -> tuple[dict, list[Problem]]:
    """CITATION.cff as a dict, and a problem when its version is not the package's."""
    path = root / "CITATION.cff"
    if not path.exists():
        return {}, [Problem("CITATION.cff", None, "-", "missing (expected the dataset's citation file)")]
    try:
        cff = yaml.safe_load(read_regular(path).decode("utf-8"))
    except (FileFault, UnicodeDecodeError, yaml.YAMLError) as exc:
        message = exc.message if isinstance(exc, FileFault) else f"unreadable: {exc}"
        return {}, [Problem("CITATION.cff", None, "-", f"{message} (expected the dataset's citation file)")]
    if not isinstance(cff, dict):
        return {}, [
            Problem("CITATION.cff", None, "-", "not a mapping (expected the dataset's citation file)")
        ]
    problems = [
        Problem("CITATION.cff", None, key, "missing (expected it: the descriptor is made from it)")
        for key in ("title", "abstract", "repository-code", "keywords", "authors")
        if key not in cff
    ]
    if not isinstance(cff.get("preferred-citation", {}), dict):
        problems.append(Problem("CITATION.cff", None, "preferred-citation", "expected a mapping"))
        return cff, problems
    for where, value in (
        ("version", cff.get("version")),
        ("preferred-citation.version", cff.get("preferred-citation", {}).get("version")),
    ):
        if value != __version__:
            problems.append(
                Problem(
                    "CITATION.cff",
                    None,
                    where,
                    f"{value!r} (expected {__version__!r}, the package version)",
                )
            )
    return cff, problems


def descriptor(cff: dict, files: Mapping[str, bytes], sources: list[dict]) -> dict:
    """The datapackage.json document.

    Parameters
    ----------
    cff : dict
        CITATION.cff, for title, description, contributors and keywords.
    files : Mapping
        Published files by path relative to the package root (``processed/...``): a
        :class:`~caucasus_events.build.spool.Spool` or a dictionary of bytes.
    sources : list of dict
        The publishers of the source texts (``title``, ``path``).
    """
    resources = []
    for table, model in MODELS.items():
        meta = model.Config.metadata
        for suffix, fmt in FORMATS.items():
            path = f"processed/{table}.{suffix}"
            resource = {
                "name": table if suffix == "csv" else f"{table}-{suffix}",
                "title": meta["title"] + ("" if suffix == "csv" else " (Parquet)"),
                "description": meta["description"],
                "path": path,
                "profile": "tabular-data-resource",
                **fmt,
                "schema": f"schemas/{table}.json",
                # Frictionless misreads a Parquet file's size as None and reports a correct
                # "bytes" as wrong, so Parquet resources carry it as "x-bytes" (checked by
                # caucasus-events validate, with the hash, which Frictionless ignores for them).
                "bytes" if suffix == "csv" else "x-bytes": file_size(files, path),
                "hash": "sha256:" + file_sha256(files, path),
            }
            if table in RESOURCE_LICENSES:
                resource["licenses"] = RESOURCE_LICENSES[table]
            resources.append(resource)
    package = {
        "profile": "tabular-data-package",
        "name": "caucasus-events",
        "title": cff["title"],
        "version": __version__,
        "description": cff["abstract"],
        "homepage": cff["repository-code"],
        "licenses": [DATA_LICENSE],
        "keywords": cff["keywords"],
        "contributors": [contributor(a) for a in cff["authors"]],
        "sources": sources,
        "resources": resources,
    }
    # What citing needs beyond the above, so that citation() never has to parse YAML.
    if cff.get("date-released"):
        package["created"] = f"{cff['date-released']}T00:00:00Z"
    if cff.get("doi"):
        package["id"] = f"https://doi.org/{cff['doi']}"
    return package


def contributor(author: dict) -> dict:
    """A CITATION.cff author as a Data Package contributor (an entity, or a person's names)."""
    if "name" in author:
        person = {"title": author["name"]}
    else:
        given, family = author.get("given-names", ""), author["family-names"]
        person = {"title": f"{given} {family}".strip(), "givenName": given, "familyName": family}
        if not given:
            del person["givenName"]
    if "orcid" in author:
        person["path"] = author["orcid"]
    if "affiliation" in author:
        person["organization"] = author["affiliation"]
    return {**person, "role": "author"}
