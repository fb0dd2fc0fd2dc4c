"""The dataset described for catalogues, from datapackage.json (and CITATION.cff when there is one):
schema.org `Dataset` (dataset search engines, the site's home page) and DCAT (`dcat:Dataset` with a
`dcat:Distribution` per resource, JSON-LD; what CKAN, HDX and data.europa.eu harvest). Pure: the build,
the release and the site use it, and it imports none of them."""

from __future__ import annotations

from typing import Any

DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def summary(package: dict[str, Any], cff: dict[str, Any] | None = None) -> dict[str, Any]:
    """What both vocabularies say of the dataset, the citation's word first: title, description, version,
    licence URLs, keywords."""
    cff = cff or {}
    return {
        "title": cff.get("title") or package.get("title") or package.get("name"),
        "description": " ".join(str(cff.get("abstract") or package.get("description") or "").split()),
        "version": cff.get("version") or package.get("version"),
        "licenses": [str(lic["path"]) for lic in package.get("licenses", []) if lic.get("path")],
        "keywords": [str(k) for k in cff.get("keywords") or package.get("keywords") or []],
    }


def dcat(package: dict[str, Any], base_url: str, cff: dict[str, Any] | None = None) -> dict[str, Any]:
    """DCAT in JSON-LD: the dataset, and each resource of the descriptor as a distribution downloadable
    from `base_url` + its path, with its media type, size and checksum."""
    about = summary(package, cff)
    base = base_url.rstrip("/") + "/"
    license_ = {"@id": about["licenses"][0]} if about["licenses"] else None
    distributions = []
    for resource in package.get("resources", []):
        distribution: dict[str, Any] = {
            "@type": "dcat:Distribution",
            "dct:title": resource.get("title") or resource.get("name"),
            "dct:description": resource.get("description"),
            "dcat:downloadURL": {"@id": base + str(resource["path"])},
            "dcat:mediaType": {"@id": f"https://www.iana.org/assignments/media-types/{resource['mediatype']}"},
            "dct:format": resource.get("format"),
            "dcat:byteSize": {"@value": str(resource["bytes"]), "@type": "xsd:nonNegativeInteger"}
            if "bytes" in resource
            else None,
            "dct:license": license_,
        }
        distributions.append({k: v for k, v in distribution.items() if v is not None})
    dataset = {
        "@context": DCAT_CONTEXT,
        "@type": "dcat:Dataset",
        "@id": base,
        "dct:identifier": package.get("id") or package.get("name"),
        "dct:title": about["title"],
        "dct:description": about["description"],
        "dcat:version": about["version"],
        "dct:license": license_,
        "dcat:keyword": about["keywords"],
        "dcat:landingPage": {"@id": package["homepage"]} if package.get("homepage") else None,
        "dct:publisher": [
            {"@type": "http://xmlns.com/foaf/0.1/Organization", "http://xmlns.com/foaf/0.1/name": c["title"]}
            for c in package.get("contributors", [])
            if "publisher" in c.get("roles", []) and c.get("title")
        ]
        or None,
        "dct:source": [s["path"] for s in package.get("sources", []) if s.get("path")] or None,
        "dcat:distribution": distributions,
    }
    return {k: v for k, v in dataset.items() if v is not None}
