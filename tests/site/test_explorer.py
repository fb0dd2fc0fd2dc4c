"""The data explorer's files: every incident in the columnar index and its whole record in the shard its id
names, so that every incident is viewable however many there are; the charts' data agrees with the data
page's tables; the vendored libraries are the files their README names."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from incidents import site as docs
from incidents.site import data_pages, explorer
from incidents.site.assets import ASSETS, asset_files
from incidents.site.inputs import table_rows


@pytest.fixture(scope="module")
def inputs(seed_root: Path) -> docs.Inputs:
    return docs.read_inputs(seed_root)


@pytest.fixture(scope="module")
def files(inputs: docs.Inputs) -> dict[str, bytes]:
    return explorer.explorer_files(inputs)


def _decoded(index: dict) -> list[dict]:
    """The index's rows, decoded as explorer.js decodes them."""
    c = index["columns"]
    rows = []
    for i in range(index["count"]):
        row = {k: c[k][i] for k in ("id", "start", "end", "lat", "lon", "best", "summary")}
        row.update({k: c[k]["values"][c[k]["index"][i]] for k in ("type", "sub", "place", "status")})
        row["actors"] = [index["actors"][a] for a in c["actors"][i]]
        rows.append(row)
    return rows


def test_the_explorer_index_holds_every_incident_as_the_tables_do(inputs, files):
    index = json.loads(files["data/explorer/incidents.json"])
    names = {a["actor_id"]: a["name"] for a in table_rows(inputs.tables, "actors")}
    actors: dict[str, list[str]] = {}
    for link in table_rows(inputs.tables, "incident_actors"):
        actors.setdefault(link["incident_id"], []).append(names[link["actor_id"]])
    incidents = table_rows(inputs.tables, "incidents")
    assert index["count"] == len(incidents) == 4
    for row, shown in zip(incidents, _decoded(index), strict=True):
        assert shown["id"] == row["incident_id"] and shown["place"] == row["location"]
        assert shown["type"] == row["event_type"] and shown["sub"] == row["sub_event_type"]
        assert shown["best"] == row["fatalities_best"] and shown["summary"] == row["summary"]
        assert shown["start"] == (row["date_start"].isoformat() if row["date_start"] else None)
        assert (shown["lat"], shown["lon"]) == (row["latitude"], row["longitude"])
        assert sorted(shown["actors"]) == sorted(actors.get(row["incident_id"], []))
    assert index["labels"]["event_type"]["battles"] == "Battles"


def test_each_incident_is_in_the_shard_its_id_names_with_its_evidence_and_history(inputs, files):
    for row in table_rows(inputs.tables, "incidents"):
        iid = row["incident_id"]
        record = json.loads(files[f"data/explorer/shards/{explorer.shard_of(iid)}.json"])[iid]
        quotes = [e["quote"] for e in table_rows(inputs.tables, "incident_sources") if e["incident_id"] == iid]
        assert [e["quote"] for e in record["evidence"]] == quotes and quotes
        assert all(e["publisher"] for e in record["evidence"])
        revisions = [r["revision"] for r in table_rows(inputs.tables, "revisions") if r["incident_id"] == iid]
        assert [r["revision"] for r in record["revisions"]] == revisions and revisions
        assert record["row"]["summary"] == row["summary"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["row"]["updated_at"])
    shards = [path for path in files if path.startswith("data/explorer/shards/")]
    held = sum(len(json.loads(files[path])) for path in shards)
    assert held == len(table_rows(inputs.tables, "incidents"))


def test_shards_spread_ids_evenly_and_are_named_as_the_browser_names_them():
    ids = [f"inc_01KAXQ8N5D4C3R6E0J2V{n:06d}" for n in range(25_600)]
    counts = Counter(explorer.shard_of(i) for i in ids)
    assert len(counts) == explorer.SHARDS and max(counts.values()) < 3 * min(counts.values())
    # FNV-1a (32 bits) as published: "foobar" is 0xbf9cf968; explorer.js computes the same (the browser test
    # opens incidents by it)
    assert explorer.shard_of("foobar") == "68" and explorer.shard_of("") == f"{0x811C9DC5 % 256:02x}"


def test_a_hostile_value_is_json_text_in_the_explorer_files_never_markup_in_a_page(inputs, files):
    page = explorer.explorer_page(inputs)
    summary = table_rows(inputs.tables, "incidents")[0]["summary"]
    assert summary not in page and "<script>" not in page.replace('<script src="', "")
    index = json.loads(files["data/explorer/incidents.json"])
    assert index["columns"]["summary"][0] == summary


def test_the_charts_data_agrees_with_the_data_pages_tables(inputs):
    _, charts = data_pages.data_index_page(inputs)
    data = json.loads(charts["data/charts.json"])
    incidents = [r for r in table_rows(inputs.tables, "incidents") if r["status"] == "active"]
    by_type = Counter(r["event_type"] for r in incidents)
    assert dict(zip(data["by_type"]["codes"], data["by_type"]["events"], strict=True)) == by_type
    deaths = Counter()
    for r in incidents:
        deaths[r["event_type"]] += r["fatalities_best"] or 0
    assert dict(zip(data["by_type"]["codes"], data["by_type"]["fatalities"], strict=True)) == {
        code: deaths[code] for code in by_type
    }
    months = data["by_month"]
    assert sum(sum(t["events"]) for t in months["types"]) == len(incidents)
    assert sum(months["fatalities"]) == sum(deaths.values())
    assert data["by_actor"]["labels"] == [e["name"] for e in data_pages.fatalities_by_actor(inputs)]


def test_the_vendored_files_are_the_ones_their_readme_names_by_sha256():
    readme = (ASSETS / "vendor" / "README.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| `([^`]+)` \| `[^`]+` \| `([0-9a-f]{64})` \|$", readme, re.MULTILINE))
    vendored = {
        p.relative_to(ASSETS / "vendor").as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (ASSETS / "vendor").rglob("*")
        if p.is_file() and p.name != "README.md"
    }
    assert vendored == listed
    assert {"leaflet/leaflet.js", "leaflet.markercluster/leaflet.markercluster.js", "chart.js/chart.umd.min.js"} <= set(
        vendored
    )


def test_the_site_serves_every_asset_but_the_vendor_readme():
    served = asset_files()
    assert "assets/vendor/world-atlas/countries-50m.json" in served and "assets/incidents/explorer.js" in served
    assert not any(path.endswith("README.md") for path in served)


def test_static_pages_stop_at_the_cap_even_for_records_coded_by_hand_and_all_open_in_the_explorer(inputs, monkeypatch):
    """At 100,000 hand-coded records a page each would take mkdocs a quarter of an hour: the explorer has them."""
    from incidents.site import coverage

    monkeypatch.setattr(coverage, "MAX_INCIDENT_PAGES", 2)
    ids = [r["incident_id"] for r in table_rows(inputs.tables, "incidents")]
    assert [r["incident_id"] for r in coverage.incident_page_rows(inputs)] == ids[:2]
    pages = docs.generate(inputs)
    assert {p for p in pages if p.startswith("data/incidents/inc_")} == {f"data/incidents/{i}.md" for i in ids[:2]}
    assert "page for 2 of the 4 incidents coded from archived reports" in pages["data/incidents/index.md"]
    index = json.loads(pages["data/explorer/incidents.json"])
    assert index["columns"]["id"] == ids and index["pages"] == sorted(ids[:2])
