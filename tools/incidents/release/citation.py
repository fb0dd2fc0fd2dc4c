"""CITATION.cff (Citation File Format 1.2.0), generated from data/package.yaml for each release, and what is
derived from it: `.zenodo.json`, and the fields every citation format (site/citation_formats) says. Pure."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

Cff = dict[str, Any]
MESSAGE = "If you use this dataset, please cite it as below, with the version you used."


def cff(package: dict[str, Any], version: str, date: str) -> str:
    """The citation of one release: title, authors, licence and keywords come from the package metadata."""
    people = package.get("contributors") or []
    authors = [{"name": c["title"]} for c in people if "creator" in (c.get("roles") or [])] or [
        {"name": c["title"]} for c in people
    ]
    data: dict[str, Any] = {
        "cff-version": "1.2.0",
        "message": MESSAGE,
        "type": "dataset",
        "title": package["title"],
        "version": version,
        "date-released": date,
        "authors": authors or [{"name": "Open Incidents maintainers"}],
    }
    if package.get("description"):
        data["abstract"] = " ".join(str(package["description"]).split())
    licenses = [lic["name"] for lic in package.get("licenses") or [] if lic.get("name")]
    if licenses:
        data["license"] = licenses[0] if len(licenses) == 1 else licenses
    if package.get("homepage"):
        data["url"] = package["homepage"]
        if "github.com/" in package["homepage"]:
            data["repository-code"] = package["homepage"]
    if package.get("keywords"):
        data["keywords"] = list(package["keywords"])
    if package.get("references"):  # the works the data is drawn from, which their licences ask us to credit
        data["references"] = list(package["references"])
    header = "# Written by `incidents release` from data/package.yaml: edit that file, not this one.\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def people(entries: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    """A CFF `authors` list as {name} (an organisation) or {family, given} (a person)."""
    people = []
    for a in entries or []:
        if a.get("family-names"):
            people.append({"family": str(a["family-names"]), "given": str(a.get("given-names") or "")})
        elif a.get("name"):
            people.append({"name": str(a["name"])})
    return people


def release_date(cff: Cff, date: str | None) -> list[int]:
    text = str(date or cff.get("date-released") or "")
    return [int(n) for n in re.findall(r"\d+", text)[:3]]


def dataset_fields(cff: Cff, version: str | None, date: str | None) -> dict[str, Any]:
    """What every format says about the dataset (one version, or the latest when `version` is None)."""
    version = version or (str(cff["version"]) if cff.get("version") else None)
    return {
        "title": str(cff.get("title") or ""),
        "people": people(cff.get("authors")),
        "version": version,
        "date": release_date(cff, date),
        "url": cff.get("url") or cff.get("repository-code"),
        "doi": cff.get("doi"),
        "abstract": " ".join(str(cff.get("abstract") or "").split()),
        "keywords": [str(k) for k in cff.get("keywords") or []],
        "license": cff.get("license"),
    }


def reference_text(ref: dict[str, Any]) -> str:
    """A CFF reference as one line of text: authors (year), "title", where."""
    names = [p.get("name") or f"{p['family']}, {p['given']}" for p in people(ref.get("authors"))]
    where = ref.get("journal") or ((ref.get("institution") or {}).get("name") if ref.get("institution") else "")
    if ref.get("volume"):
        where = f"{where} {ref['volume']}" + (f"({ref['issue']})" if ref.get("issue") else "")
    if ref.get("start"):
        where = f"{where}: {ref['start']}-{ref.get('end') or ref['start']}"
    parts = [f"{' and '.join(names)} ({ref.get('year')})", f'"{ref.get("title")}"', where]
    text = ", ".join(p for p in parts if p) + "."
    return text + (f" https://doi.org/{ref['doi']}" if ref.get("doi") else "")


def zenodo_json(cff: Cff) -> str:
    """`.zenodo.json`: the deposit's metadata Zenodo reads when it archives a GitHub release (it then ignores
    CITATION.cff, so this file is made from it and a test keeps the two in step)."""
    d = dataset_fields(cff, None, None)
    meta: dict[str, Any] = {
        "upload_type": "dataset",
        "title": d["title"],
        "version": d["version"],
        "publication_date": "-".join(f"{n:02d}" for n in d["date"]) or None,
        "description": d["abstract"],
        "creators": [{"name": p.get("name") or f"{p['family']}, {p['given']}"} for p in d["people"]],
        "license": str(d["license"]).lower() if isinstance(d["license"], str) else None,
        "keywords": d["keywords"],
        "related_identifiers": [
            {"identifier": cff["repository-code"], "relation": "isSupplementTo", "resource_type": "software"}
        ]
        if cff.get("repository-code")
        else None,
        "references": [reference_text(ref) for ref in cff.get("references") or []] or None,
    }
    return json.dumps({k: v for k, v in meta.items() if v}, indent=2, ensure_ascii=False) + "\n"
