"""The interactive map's data: incident places, and towns to find one's way by.

map.js draws the map in the browser with Leaflet and Leaflet.markercluster (vendored under assets/vendor/):
real country borders from Natural Earth (world-atlas's TopoJSON, shipped with the site), a marker per
located incident from the explorer's `incidents.json`, clustered so that tens of thousands stay readable, and
a popup per incident made of text nodes. No tiles are fetched: the map works offline.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

TOWNS_JSON = "data/map/towns.json"

BORDERS = "assets/vendor/world-atlas/countries-50m.json"

# Towns of 15,000 people or more (GeoNames) within this many degrees of the incidents are drawn for
# orientation, at most MAX_TOWNS of them, the largest first.
TOWN_MARGIN = 1.0
MAX_TOWNS = 400


def map_points(incidents: list[dict[str, Any]]) -> list[tuple[float, float, int, str]]:
    """(longitude, latitude, number of incidents, place) for each distinct located place."""
    places: dict[tuple[float, float], list[str]] = defaultdict(list)
    for row in incidents:
        if row["status"] == "active" and row["latitude"] is not None and row["longitude"] is not None:
            places[(row["longitude"], row["latitude"])].append(row["location"] or "")
    out = []
    for (lon, lat), names in sorted(places.items()):
        town = Counter(n.split(",")[-1].strip() for n in names).most_common(1)[0][0]
        out.append((lon, lat, len(names), town))
    return out


def towns_near(
    points: list[tuple[float, float, int, str]], towns: list[tuple[float, float, str, int]]
) -> list[dict[str, Any]]:
    """The towns (longitude, latitude, name, population) near the incidents' places, the largest first."""
    if not points:
        return []
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    west, east = min(lons) - TOWN_MARGIN, max(lons) + TOWN_MARGIN
    south, north = min(lats) - TOWN_MARGIN, max(lats) + TOWN_MARGIN
    near = [t for t in towns if west <= t[0] <= east and south <= t[1] <= north]
    near.sort(key=lambda t: (-t[3], t[2]))
    return [{"name": name, "lat": lat, "lon": lon, "population": pop} for lon, lat, name, pop in near[:MAX_TOWNS]]


def map_html(root: str, incidents_json: str) -> str:
    """Where map.js draws the map; `root` leads from the page to the site's root."""
    return (
        f'<div id="incidents-map" class="incidents-map" data-incidents="{incidents_json}" '
        f'data-borders="{root}{BORDERS}" data-towns="{root}{TOWNS_JSON}" data-explorer="{root}data/explorer/">'
        "<noscript>The map needs JavaScript; the table below lists the places.</noscript></div>\n"
        '<p class="map-readout" aria-live="polite"></p>\n\n'
    )
