"""The data explorer: every incident viewable in the browser, however many there are.

The site cannot afford a static page per incident at 100,000 of them (a page costs mkdocs about a
hundredth of a second and the search index grows with each), so the explorer ships the data instead: one
compact columnar JSON file (`incidents.json`: ids, dates, types, places, coordinates, fatalities, actors and
summaries, repeated strings stored once) that the explorer's list, filters and the map read, and each
incident's whole record (fields, actors, evidence, citations, history) in one of `SHARDS` JSON files, fetched
when a reader opens it (`data/explorer/#inc_…`). The first incidents keep their static pages too
(`coverage.incident_page_rows`): readable without JavaScript and found by search engines.

The browser reads these files with JSON.parse and the site's scripts put every value on the page as text
(textContent), never as HTML: no contributed value can become markup there.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from incidents.site.assets import assets_html
from incidents.site.coverage import incident_page_rows
from incidents.site.inputs import Inputs, index, table_rows
from incidents.site.markdown import generated_note, thousands

# Each incident's record is in one of this many files: at 100,000 incidents about 400 in each (about 300 kB),
# so opening an incident fetches a small file, and the build writes few.
SHARDS = 256

EXPLORER_DIR = "data/explorer"


def shard_of(incident_id: str) -> str:
    """The shard holding an incident's record: FNV-1a (32 bits) of its id modulo SHARDS, in two hex digits.
    explorer.js computes the same (`shardOf`), so the browser knows which file to fetch from the id alone."""
    h = 0x811C9DC5
    for byte in incident_id.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{h % SHARDS:02x}"


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_plain).encode("utf-8")


def _plain(value: Any) -> str:
    """Dates and times as ISO 8601 (UTC times with a Z), the way the tables' CSV files write them."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _dictionary(values: Iterable[str | None]) -> tuple[list[str | None], list[int]]:
    """A column of repeated strings as its distinct values and, per row, an index into them."""
    distinct: dict[str | None, int] = {}
    codes = [distinct.setdefault(v, len(distinct)) for v in values]
    return list(distinct), codes


def explorer_index(inputs: Inputs) -> dict[str, Any]:
    """Every incident, column by column, for the explorer's list and filters and for the map."""
    rows = table_rows(inputs.tables, "incidents")
    std = inputs.standard
    names = {a["actor_id"]: a["name"] for a in table_rows(inputs.tables, "actors")}
    actor_ids: dict[str, list[str]] = {}
    for link in table_rows(inputs.tables, "incident_actors"):
        actor_ids.setdefault(link["incident_id"], []).append(link["actor_id"])
    actor_list = sorted(names, key=lambda a: (names[a].casefold(), a))
    actor_at = {a: i for i, a in enumerate(actor_list)}
    columns: dict[str, Any] = {
        "id": [r["incident_id"] for r in rows],
        "start": [_plain(r["date_start"]) if r["date_start"] else None for r in rows],
        "end": [_plain(r["date_end"] or r["date_start"]) if r["date_start"] else None for r in rows],
        "lat": [r["latitude"] for r in rows],
        "lon": [r["longitude"] for r in rows],
        "best": [r["fatalities_best"] for r in rows],
        "summary": [r["summary"] for r in rows],
        "actors": [[actor_at[a] for a in actor_ids.get(r["incident_id"], []) if a in actor_at] for r in rows],
    }
    for name, key in (("type", "event_type"), ("sub", "sub_event_type"), ("place", "location"), ("status", "status")):
        columns[name] = dict(zip(("values", "index"), _dictionary(r[key] for r in rows), strict=True))
    return {
        "count": len(rows),
        "columns": columns,
        "actors": [names[a] for a in actor_list],
        "labels": {name: {r["code"]: r["label"] for r in codelist.rows} for name, codelist in std.codelists.items()},
        "fields": [{"name": f["name"], "codelist": f.get("codelist")} for f in std.fields("incidents")],
        "pages": sorted(r["incident_id"] for r in incident_page_rows(inputs)),
    }


def explorer_shards(inputs: Inputs) -> dict[str, dict[str, Any]]:
    """Each incident's whole record (its row, actors, evidence, citations, history), by shard."""
    idx = index(inputs)
    fields = [f["name"] for f in inputs.standard.fields("incidents")]  # not the Parquet file's GeoParquet geometry
    shards: dict[str, dict[str, Any]] = {}
    for row in table_rows(inputs.tables, "incidents"):
        iid = row["incident_id"]
        actors = []
        for link in idx.links.get(iid, []):
            actor = idx.actors.get(link["actor_id"], {})
            actors.append(
                {
                    "actor_id": link["actor_id"],
                    "name": actor.get("name", link["actor_id"]),
                    "role": link["role"],
                    "actor_type": actor.get("actor_type"),
                }
            )
        evidence = []
        for ev in idx.evidence.get(iid, []):
            source = idx.sources.get(ev["source_id"], {})
            evidence.append(
                {k: ev[k] for k in ("source_id", "quote", "char_start", "char_end", "supports")}
                | {"publisher": source.get("publisher"), "title": source.get("title")}
            )
        shards.setdefault(shard_of(iid), {})[iid] = {
            "row": {name: row.get(name) for name in fields},
            "actors": actors,
            "evidence": evidence,
            "citations": idx.citations.get(iid, []),
            "revisions": idx.revisions.get(iid, []),
        }
    return shards


def explorer_files(inputs: Inputs) -> dict[str, bytes]:
    """The explorer's data files, by path under docs/."""
    files = {f"{EXPLORER_DIR}/incidents.json": _json(explorer_index(inputs))}
    for shard, records in explorer_shards(inputs).items():
        files[f"{EXPLORER_DIR}/shards/{shard}.json"] = _json(records)
    return files


def explorer_page(inputs: Inputs) -> str:
    """The explorer's page: a form, a list and a record view that explorer.js fills from the data files; with
    no JavaScript, it says where the same data is."""
    count = len(table_rows(inputs.tables, "incidents"))
    return (
        "---\nhide:\n  - toc\n---\n\n# Explore the incidents\n\n"
        + generated_note("the built tables")
        + f"All {thousands(count)} incidents: search, filter by date, event type, actor and place, sort by a "
        "column, and open one to read its evidence and history. Every incident has an address here, "
        "`data/explorer/#<incident_id>`, to link to and cite.\n\n"
        + assets_html("../../", scripts=("incidents/explorer.js",))
        + '<div id="explorer" class="incidents-app" data-index="incidents.json" data-shards="shards/" '
        'data-root="../../">\n<noscript>The explorer needs JavaScript; the same data is in the '
        '<a href="../../downloads/">downloads</a>.</noscript>\n</div>\n'
    )
