"""The data's overview pages, from the built tables: the data index (counts and fatalities by month, event type
and actor, with their interactive charts) and the interactive map."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from incidents.site.assets import assets_html
from incidents.site.charts import CHARTS_JSON, chart_data, chart_html
from incidents.site.coverage import coverage_text, incident_page_rows
from incidents.site.incident_pages import date_text, event_label
from incidents.site.inputs import Inputs, table_rows
from incidents.site.maps import TOWNS_JSON, map_html, map_points, towns_near
from incidents.site.markdown import Link, cell, count_noun, generated_note, indent, raw_table, table, thousands

# The fatalities chart draws this many actors (the most fatalities first); the table under it lists all.
MAX_CHART_ACTORS = 15


# The map page's table lists this many places (the most incidents first); the tables hold every coordinate.
MAX_MAP_PLACES = 100


DATE_UNKNOWN = "date unknown"


DATE_SPANS = "spans months"


def month_bucket(row: dict[str, Any]) -> str:
    """The month an incident counts in: `YYYY-MM`, or 'date unknown', or 'spans months' when its date range
    covers more than one month (a year-precision date, say), so no incident is placed in a month it may
    not belong to."""
    start, end = row.get("date_start"), row.get("date_end")
    if start is None or row.get("date_precision") == "unknown":
        return DATE_UNKNOWN
    end = end or start
    if (start.year, start.month) != (end.year, end.month):
        return DATE_SPANS
    return f"{start.year:04d}-{start.month:02d}"


def counts_by_month(incidents: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    """{bucket: Counter(event_type)} with months in order, then 'spans months', then 'date unknown'."""
    buckets: dict[str, Counter[str]] = defaultdict(Counter)
    for row in incidents:
        if row["status"] == "active":
            buckets[month_bucket(row)][row["event_type"]] += 1
    order = sorted(k for k in buckets if k not in (DATE_UNKNOWN, DATE_SPANS))
    order += [k for k in (DATE_SPANS, DATE_UNKNOWN) if k in buckets]
    return {k: buckets[k] for k in order}


def fatalities_by(incidents: list[dict[str, Any]], key: Callable[[dict[str, Any]], str]) -> Counter[str]:
    """The best estimates of the active incidents summed by `key` (a month bucket, an event type); incidents
    whose sources give no figure add nothing."""
    sums: Counter[str] = Counter()
    for row in incidents:
        if row["status"] == "active" and row["fatalities_best"] is not None:
            sums[key(row)] += row["fatalities_best"]
    return sums


def fatalities_by_actor(inputs: Inputs) -> list[dict[str, Any]]:
    """Per actor: incidents it took part in, and the sum of best/low/high fatalities in those incidents
    where a figure is reported (fatalities are the incident's, not attributed to the actor)."""
    incidents = {r["incident_id"]: r for r in table_rows(inputs.tables, "incidents") if r["status"] == "active"}
    names = {r["actor_id"]: r["name"] for r in table_rows(inputs.tables, "actors")}
    out: dict[str, dict[str, Any]] = {}
    for link in table_rows(inputs.tables, "incident_actors"):
        inc = incidents.get(link["incident_id"])
        if inc is None:
            continue
        entry = out.setdefault(
            link["actor_id"],
            {
                "actor_id": link["actor_id"],
                "name": names.get(link["actor_id"], link["actor_id"]),
                "incidents": set(),
                "reported": set(),
                "best": 0,
                "low": 0,
                "high": 0,
            },
        )
        entry["incidents"].add(inc["incident_id"])
        if inc["fatalities_best"] is not None and inc["incident_id"] not in entry["reported"]:
            entry["reported"].add(inc["incident_id"])
            entry["best"] += inc["fatalities_best"]
            entry["low"] += inc["fatalities_low"] if inc["fatalities_low"] is not None else inc["fatalities_best"]
            entry["high"] += inc["fatalities_high"] if inc["fatalities_high"] is not None else inc["fatalities_best"]
    result = [{**e, "incidents": len(e["incidents"]), "reported": len(e["reported"])} for e in out.values()]
    return sorted(result, key=lambda e: (-e["best"], e["name"]))


def data_index_page(inputs: Inputs) -> tuple[str, dict[str, bytes]]:
    incidents = table_rows(inputs.tables, "incidents")
    if not incidents:
        return ("# The data\n\nNo built tables were found. Run `incidents build` and build the site again.\n", {})
    std = inputs.standard
    active = [r for r in incidents if r["status"] == "active"]
    buckets = counts_by_month(incidents)
    actors = fatalities_by_actor(inputs)
    unknown = sum(buckets.get(DATE_UNKNOWN, Counter()).values())
    by_type = Counter(r["event_type"] for r in active)
    by_type_deaths = fatalities_by(incidents, lambda r: r["event_type"])
    data = chart_data(std, buckets, fatalities_by(incidents, month_bucket), by_type_deaths, actors[:MAX_CHART_ACTORS])
    charts = {CHARTS_JSON: json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")}
    out = ["# The data\n\n", generated_note("the built tables in `data/tables/`")]
    out.append(coverage_text(inputs, "../") + "\n")
    out.append(
        f"{thousands(len(active))} active incidents ({len(incidents) - len(active):,} withdrawn or merged), "
        f"{count_noun(len(table_rows(inputs.tables, 'actors')), 'actor')}, "
        f"{count_noun(len(table_rows(inputs.tables, 'sources')), 'source')}, "
        f"{count_noun(len(table_rows(inputs.tables, 'incident_sources')), 'evidence quote')}, "
        f"{count_noun(len(table_rows(inputs.tables, 'incident_citations')), 'citation')}. Version "
        f"{inputs.package.get('version', 'unreleased')}.\n\n"
        "Search, filter and open every incident in the [explorer](explorer.md), browse the "
        "[incidents with a page](incidents/index.md), the [actors](actors.md), the [sources](sources.md), or see "
        "them on the [map](map.md). Point at a bar of a chart to read its values; the tables under the charts "
        "give them all.\n\n"
        + assets_html("../", scripts=("vendor/chart.js/chart.umd.min.js", "incidents/charts.js"))
        + "## Incidents and fatalities by month\n\n"
    )
    out.append(chart_html("by_month", "Incidents per month, stacked by event type, and fatalities per month", "../"))
    out.append(
        "*Active incidents per month of `date_start`, stacked by event type, and their fatalities (best "
        "estimate; the line, right axis); the table below gives each bar's counts.*\n"
    )
    spans = sum(buckets.get(DATE_SPANS, Counter()).values())
    if unknown:
        out.append(
            f'\n!!! note "{unknown:,} of {len(active):,} incidents have no known date"\n'
            "    Their source gives no date that can be resolved (`date_precision` is `unknown`), so they are "
            "shown in their own bar, *date unknown*, never placed in a month.\n"
        )
    if spans:
        out.append(
            f'\n!!! note "{spans:,} of {len(active):,} incidents may have happened in either of two months or more"\n'
            "    Their dates are a range that crosses the end of a month (a week, a month or a year as the source "
            "gives it: `date_precision`), so they are counted in their own bar, *spans months*, never placed in "
            "a month they may not belong to.\n"
        )
    out.append("\n")
    types = [code for code in std.codelists["event_type"].codes if by_type[code]]
    rows = [[k] + [buckets[k][code] for code in types] + [sum(buckets[k].values())] for k in buckets]
    rows.append(["total"] + [by_type[code] for code in types] + [len(active)])
    out.append(
        '??? note "Incidents by month and event type, as a table"\n\n'
        + indent(table(["month", *(event_label(std, code) for code in types), "total"], rows))
        + "\n"
    )
    out.append("\n## Incidents and fatalities by event type\n\n")
    out.append(chart_html("by_type", "Incidents and fatalities per event type", "../"))
    out.append(
        table(
            ["event type", "incidents", "fatalities (best estimate)"],
            ([event_label(std, c), by_type[c], by_type_deaths[c]] for c in types),
        )
    )
    out.append("\n## Fatalities by actor\n\n")
    charted = actors[:MAX_CHART_ACTORS]
    caption = "Incidents each actor took part in, on any side, and the sum of their fatalities (the pointer "
    caption += "gives the low-high range)"
    if len(charted) < len(actors):
        caption += f": the {len(charted)} actors with the most fatalities, of {len(actors)} (the table lists all)"
    out.append(chart_html("by_actor", "Incidents and fatalities per actor", "../") + f"*{caption}.*\n")
    out.append(
        "\nAn incident's fatalities count for every actor in it, whatever its role, so the rows do not add up to "
        "the total. Incidents where the sources give no figure are not counted as zero.\n\n"
    )
    out.append(
        table(
            ["actor", "incidents", "incidents with a reported figure", "fatalities best", "low", "high"],
            (
                [
                    Link(e["name"], f"actors.md#{e['actor_id'].lower()}"),
                    e["incidents"],
                    e["reported"],
                    e["best"],
                    e["low"],
                    e["high"],
                ]
                for e in actors
            ),
        )
    )
    return "".join(out), charts


def map_page(inputs: Inputs) -> tuple[str, dict[str, bytes]]:
    incidents = table_rows(inputs.tables, "incidents")
    points = map_points(incidents)
    located = sum(p[2] for p in points)
    active = sum(1 for r in incidents if r["status"] == "active")
    busiest = sorted(points, key=lambda p: (-p[2], p[1], p[0]))
    out = ["# Map of incidents\n\n", generated_note("the built `incidents` table")]
    out.append(
        assets_html(
            "../../",
            scripts=(
                "vendor/leaflet/leaflet.js",
                "vendor/leaflet.markercluster/leaflet.markercluster.js",
                "vendor/topojson-client/topojson-client.min.js",
                "incidents/map.js",
            ),
            styles=(
                "vendor/leaflet/leaflet.css",
                "vendor/leaflet.markercluster/MarkerCluster.css",
                "vendor/leaflet.markercluster/MarkerCluster.Default.css",
            ),
        )
    )
    out.append(map_html("../../", "../explorer/incidents.json"))
    out.append(
        "*Each marker is an incident; a numbered circle is a cluster of them (click or zoom in to split it). "
        "Click a marker for the incident, and open it in the [explorer](explorer.md). Grey dots: towns of "
        "15,000 people or more. Borders: Natural Earth (public domain), shipped with the site; no map tiles are "
        "fetched.*\n"
    )
    out.append(
        f"\n{located:,} of {active:,} active incidents have coordinates, at {count_noun(len(points), 'place')}. "
        "Coordinates are those of the place named in `location` at the precision given by `geo_precision`: several "
        "incidents in different streets of one town share the town's coordinates.\n\n"
    )
    by_place: dict[tuple[float, float], list[dict[str, Any]]] = defaultdict(list)
    for r in incidents:
        if r["status"] == "active" and r["latitude"] is not None and r["longitude"] is not None:
            by_place[(r["longitude"], r["latitude"])].append(r)
    pages = {r["incident_id"] for r in incident_page_rows(inputs)}
    if len(points) > MAX_MAP_PLACES:
        out.append(
            f"The table lists the {MAX_MAP_PLACES} places with the most incidents, of {len(points)}; the "
            "`latitude` and `longitude` of every incident are in the [tables](../get-the-data.md).\n\n"
        )
    rows = []
    for lon, lat, count, _ in busiest[:MAX_MAP_PLACES]:
        group = by_place[(lon, lat)]
        locations = Counter(r["location"] or "" for r in group).most_common()
        precisions = sorted({r["geo_precision"] for r in group})
        linked = [r for r in group if r["incident_id"] in pages][:3]
        links = [
            Link(date_text(r) if r["date_start"] else r["incident_id"], f"incidents/{r['incident_id']}.md")
            for r in linked
        ]
        rows.append(
            [
                f"{lat:.5f}, {lon:.5f}",
                locations[0][0] + (f" (and {len(locations) - 1} more names)" if len(locations) > 1 else ""),
                ", ".join(precisions),
                count,
            ]
            + [", ".join(str(link) for link in links) + (", …" if len(group) > len(linked) and links else "")]
        )
    out.append(_place_table(rows))
    towns = json.dumps(towns_near(points, inputs.towns), ensure_ascii=False, separators=(",", ":"))
    return "".join(out), {TOWNS_JSON: towns.encode("utf-8")}


def _place_table(rows: list[list[Any]]) -> str:
    """The map page's places: values escaped, the last column already Markdown links."""
    header = ["latitude, longitude", "location", "geo precision", "incidents", "incident pages"]
    return raw_table(header, [[cell(v) for v in row[:-1]] + [row[-1]] for row in rows])
