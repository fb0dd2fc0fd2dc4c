"""CITATION.cff (Citation File Format 1.2.0), generated from data/package.yaml for each release. Pure."""

from __future__ import annotations

from typing import Any

import yaml

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
