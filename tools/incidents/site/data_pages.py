"""The data's overview pages, from the built tables: the data index (counts by month and event type,
fatalities by actor, with their charts) and the map."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from incidents.site.charts import chart_by_month, chart_fatalities, chart_map, map_points
from incidents.site.coverage import coverage_text, incident_page_rows
from incidents.site.incident_pages import date_text, event_label
from incidents.site.inputs import Inputs, table_rows
from incidents.site.markdown import Link, cell, count_noun, generated_note, image, indent, raw_table, table, thousands

# The fatalities chart draws this many actors (the most fatalities first); the table under it lists all.
MAX_CHART_ACTORS = 15


# The map page's table lists this many places (the most incidents first); the tables hold every coordinate.
MAX_MAP_PLACES = 100


# The map labels this many places (the most incidents first); a label on each of thousands would be unreadable.
MAX_MAP_LABELS = 20


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
    charts = {
        "data/charts/incidents-by-month.png": chart_by_month(std, buckets),
        "data/charts/fatalities-by-actor.png": chart_fatalities(actors[:MAX_CHART_ACTORS]),
    }
    out = ["# The data\n\n", generated_note("the built tables in `data/tables/`")]
    out.append(coverage_text(inputs, "../") + "\n")
    out.append(
        f"{thousands(len(active))} active incidents ({len(incidents) - len(active):,} withdrawn or merged), "
        f"{count_noun(len(table_rows(inputs.tables, 'actors')), 'actor')}, "
        f"{count_noun(len(table_rows(inputs.tables, 'sources')), 'source')}, "
        f"{count_noun(len(table_rows(inputs.tables, 'incident_sources')), 'evidence quote')}, "
        f"{count_noun(len(table_rows(inputs.tables, 'incident_citations')), 'citation')}. Version "
        f"{inputs.package.get('version', 'unreleased')}.\n\n"
        "Browse the [incidents](incidents/index.md), the [actors](actors.md), the [sources](sources.md), or see "
        "them on the [map](map.md).\n\n## Incidents by month and event type\n\n"
    )
    month_alt = "Bar chart of incidents per month, stacked by event type: " + "; ".join(
        f"{k}: {sum(v.values())}" for k, v in buckets.items()
    )
    out.append(
        image(
            month_alt,
            "charts/incidents-by-month.png",
            "Active incidents per month of `date_start`; the table below gives each bar's counts.",
        )
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
    out.append("\n## Fatalities by actor\n\n")
    charted = actors[:MAX_CHART_ACTORS]
    alt = "Horizontal bar chart of fatalities per actor: " + "; ".join(
        f"{e['name']}: {e['best']} ({e['low']}-{e['high']})" for e in charted
    )
    caption = "Sum of fatalities in the incidents each actor took part in, on any side"
    if len(charted) < len(actors):
        caption += f": the {len(charted)} actors with the most, of {len(actors)} (the table lists all)"
    out.append(image(alt, "charts/fatalities-by-actor.png", caption + "."))
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
    alt = f"Map of {located:,} incidents at {count_noun(len(points), 'place')}" + (
        f"; the {MAX_MAP_LABELS} with the most incidents: " if len(points) > MAX_MAP_LABELS else ": "
    )
    alt += "; ".join(
        f"{p[3]} ({p[1]:.2f}N, {p[0]:.2f}E): {count_noun(p[2], 'incident')}" for p in busiest[:MAX_MAP_LABELS]
    )
    out.append(
        image(
            alt,
            "charts/map.png",
            "Each red dot is a place where incidents happened, larger where more did; "
            + ("its label gives how many" if len(points) <= MAX_MAP_LABELS else "the busiest places are labelled")
            + ". Shaded: the incidents' countries (bounding boxes, not borders).",
        )
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
    countries = {r["country"] for r in incidents if r["status"] == "active" and r["latitude"] is not None}
    return "".join(out), {
        "data/charts/map.png": chart_map(inputs.standard, points, inputs.towns, countries, MAX_MAP_LABELS)
    }


def _place_table(rows: list[list[Any]]) -> str:
    """The map page's places: values escaped, the last column already Markdown links."""
    header = ["latitude, longitude", "location", "geo precision", "incidents", "incident pages"]
    return raw_table(header, [[cell(v) for v in row[:-1]] + [row[-1]] for row in rows])
