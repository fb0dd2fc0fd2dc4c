"""schema.org `Dataset` metadata (JSON-LD) for the home page, which dataset search engines (Google Dataset
Search) read: made from CITATION.cff, the package metadata, the built tables and the files the site serves.
Pure."""

from __future__ import annotations

import json
from typing import Any

from incidents.release import metadata
from incidents.release.citation import reference_text
from incidents.site.downloads import CITE, FILES, Download
from incidents.site.inputs import Inputs, table_rows

FORMATS = {
    ".csv": "text/csv",
    ".parquet": "application/vnd.apache.parquet",
    ".json": "application/json",
    ".zip": "application/zip",
}


def _coverage(inputs: Inputs) -> tuple[list[str], str | None]:
    """The active incidents' countries (their labels) and the span of their dates (ISO 8601 interval)."""
    active = [r for r in table_rows(inputs.tables, "incidents") if r["status"] == "active"]
    codelist = inputs.standard.codelists.get("country")
    labels = {r["code"]: r["label"] for r in codelist.rows} if codelist else {}
    countries = sorted({labels.get(r["country"], r["country"]) for r in active if r.get("country")})
    starts = [r["date_start"] for r in active if r.get("date_start")]
    ends = [r.get("date_end") or r["date_start"] for r in active if r.get("date_start")]
    span = f"{min(starts).isoformat()}/{max(ends).isoformat()}" if starts else None
    return countries, span


def _is_data(d: Download) -> bool:
    """A file of the data package (tables, descriptor, bundles), not a citation or a schema."""
    suffix = "." + d.name.rsplit(".", 1)[-1]
    return d.path.startswith(f"{FILES}/") and not d.path.startswith(f"{CITE}/") and suffix in FORMATS


def dataset(inputs: Inputs, served: list[Download], site_url: str | None) -> dict[str, Any]:
    """The `Dataset`: name, description, licence, creator, version, dates, coverage, each download, citation."""
    cff = inputs.citation or {}
    pkg = inputs.package
    about = metadata.summary(pkg, cff)
    base = (site_url or "").rstrip("/") + "/"
    countries, span = _coverage(inputs)
    licences = about["licenses"]
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": about["title"],
        "description": about["description"],
        "url": site_url or pkg.get("homepage"),
        "sameAs": pkg.get("homepage"),
        "version": about["version"],
        "datePublished": str(cff["date-released"]) if cff.get("date-released") else None,
        "license": licences[0] if len(licences) == 1 else licences or None,
        "isAccessibleForFree": True,
        "keywords": about["keywords"],
        "creator": [
            {"@type": "Organization", "name": a["name"]}
            if a.get("name")
            else {"@type": "Person", "givenName": a.get("given-names"), "familyName": a.get("family-names")}
            for a in cff.get("authors", [])
        ]
        or [{"@type": "Organization", "name": c.get("title")} for c in pkg.get("contributors", [])],
        "spatialCoverage": [{"@type": "Place", "name": name} for name in countries] or None,
        "temporalCoverage": span,
        "distribution": [
            {
                "@type": "DataDownload",
                "name": d.name,
                "contentUrl": base + d.path,
                "encodingFormat": FORMATS["." + d.name.rsplit(".", 1)[-1]],
                "contentSize": f"{d.size} B",
            }
            for d in served
            if _is_data(d)
        ],
        "citation": [reference_text(ref) for ref in cff.get("references") or []] or None,
    }
    if cff.get("doi"):
        data["identifier"] = f"https://doi.org/{cff['doi']}"
    return {k: v for k, v in data.items() if v is not None}


def script(data: dict[str, Any]) -> str:
    """The JSON-LD in a <script> element. `<`, `>` and `&` are written as JSON escapes, so no value can end
    the element (`</script>`) or open a comment; a JSON parser reads them back as the characters."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">\n{text}\n</script>\n'
