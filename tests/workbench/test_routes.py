"""The workbench's routes, through Flask's test client on a copy of the seed dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from workbench_report import PORT, REPORT

from factories import git
from incidents import records, validate
from incidents.workbench import app, offsets
from seed import SEED_ACTORS, SEED_RECORDS

STATIC = Path(app.__file__).parent / "static"


def _ingest(client: FlaskClient, text: str = REPORT, **metadata: Any) -> str:
    payload = {"text": text, "publisher": "Invented example", "published": "2024-03-09", **metadata}
    answer = client.post("/api/sources", json=payload)
    assert answer.status_code == 200, answer.json
    return str(answer.json["source_id"])


def _quote(client: FlaskClient, source_id: str, passage: str, supports: list[str], text: str = REPORT) -> dict:
    start = len(text[: text.index(passage)].encode("utf-16-le")) // 2  # as the browser counts
    end = start + len(passage.encode("utf-16-le")) // 2
    answer = client.post(
        "/api/evidence", json={"source_id": source_id, "start": start, "end": end, "supports": supports}
    )
    assert answer.status_code == 200, answer.json
    return dict(answer.json["evidence"])


def _coded(client: FlaskClient) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The shelling report coded through the API: values, a picked and a created actor, a quote for each."""
    source_id = _ingest(client)
    record = client.post("/api/records/new", json={}).json["record"]
    record.update(
        date_start="2024-03-09",
        date_end="2024-03-09",
        event_type="explosions_remote_violence",
        sub_event_type="shelling_artillery_missile_attack",
        country="SYR",
        admin1="Al-Hasakah",
        location="Vegetable market, Qamishli",
        latitude=37.05215,
        longitude=41.23142,
        fatalities_low=3,
        fatalities_best=5,
        fatalities_high=5,
        injured=11,
        summary="Shells hit the vegetable market in Qamishli.",
    )
    picked = client.get("/api/actors?q=national defense").json[0]
    created = client.post("/api/actors/new", json={"name": "Civilians (Syria)", "actor_type": "civilians"}).json
    record["actors"] = [
        {"actor_id": picked["actor_id"], "role": "perpetrator"},
        {"actor_id": created["actor"]["actor_id"], "role": "target"},
    ]
    record["evidence"] = [
        _quote(client, source_id, "Shells struck the vegetable market", ["event_type", "sub_event_type", "location"]),
        _quote(client, source_id, "on Saturday morning, killing at least three civilians", ["date_start", "actors"]),
        _quote(client, source_id, "fired from positions held by the National Defense Forces", ["actors"]),
        _quote(client, source_id, "five people had died and 11 were being treated", ["fatalities_best", "injured"]),
    ]
    return record, [created["actor"]]


def test_a_request_to_another_host_name_is_refused(client: FlaskClient):
    """DNS rebinding: a page of evil.example whose name now points at 127.0.0.1 reaches the port, but not
    with the workbench's own Host."""
    assert client.get("/").status_code == 200
    assert client.get("/", headers={"Host": f"localhost:{PORT}"}).status_code == 200
    refused = client.get("/api/sources", headers={"Host": f"evil.example:{PORT}"})
    assert refused.status_code == 403 and "evil.example" in refused.json["error"]
    assert client.get("/", headers={"Host": "127.0.0.1:9999"}).status_code == 403


def test_a_request_from_another_origin_or_as_a_form_is_refused(client: FlaskClient, seed: Path):
    """Cross-site request forgery: another page's fetch carries its Origin; a plain HTML form cannot send JSON."""
    payload = {"text": "A report.", "publisher": "X"}
    assert client.post("/api/sources", json=payload, headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.post("/api/sources", data=payload).status_code == 415
    before = sorted(p.name for p in (seed / "data" / "sources").iterdir())
    assert client.post("/api/sources", json=payload, headers={"Origin": f"http://127.0.0.1:{PORT}"}).status_code == 200
    assert len(sorted(p.name for p in (seed / "data" / "sources").iterdir())) == len(before) + 2


def test_every_response_forbids_anything_but_the_workbench_own_files(client: FlaskClient):
    for url in ("/", "/api/form", "/static/workbench.js", "/api/sources/nothing"):
        policy = client.get(url).headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    page = client.get("/").get_data(as_text=True)
    assert "http" not in page.replace(f"127.0.0.1:{PORT}", "")  # no CDN, no external font


def test_only_a_loopback_address_is_listened_on(seed: Path):
    with pytest.raises(app.HostRefused):
        app.server(seed, "Test Coder", "0.0.0.0")
    with pytest.raises(app.HostRefused):
        app.server(seed, "Test Coder", "192.168.1.10")


def test_a_hostile_title_and_actor_name_stay_text(client: FlaskClient, seed: Path):
    hostile = '<img src=x onerror="alert(1)">'
    _ingest(client, text="<script>alert(1)</script> shells hit the market", title=hostile)
    page = client.get("/").get_data(as_text=True)
    assert hostile not in page and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page
    actor = client.post("/api/actors/new", json={"name": hostile, "actor_type": "civilians"}).json["actor"]
    found = client.post("/api/save", json={"record": _coded(client)[0], "new_actors": [actor], "reason": "x"})
    assert found.status_code == 200
    listed = client.get("/api/actors?q=onerror")
    assert listed.mimetype == "application/json" and listed.json[0]["name"] == hostile
    script = (STATIC / "workbench.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script  # the page builds its DOM with textContent and properties only


def test_offsets_count_code_points_after_an_astral_character():
    text = "Qamishli 🙂 market: Shells struck the market."  # the emoji is 2 UTF-16 units, 1 code point
    units = len(text[: text.index("Shells")].encode("utf-16-le")) // 2
    item = offsets.evidence(text, "a" * 64, units, units + len("Shells struck"), ["location"])
    assert item["quote"] == "Shells struck" and text[item["char_start"] : item["char_end"]] == "Shells struck"
    assert item["char_start"] == text.index("Shells") == units - 1
    with pytest.raises(offsets.SelectionRefused):
        offsets.code_point(text, text.index("🙂") + 1)  # between the halves of the emoji


def test_the_evidence_route_converts_the_browser_offsets(client: FlaskClient, seed: Path):
    text = "🙂🙂 Shells struck the vegetable market in Qamishli.\n"
    source_id = _ingest(client, text=text)
    item = _quote(client, source_id, " Shells struck the vegetable market ", ["location"], text=text)
    assert (item["char_start"], item["char_end"]) == (3, 3 + len("Shells struck the vegetable market"))
    archived = (seed / "data" / "sources" / f"{source_id}.txt").read_text(encoding="utf-8")
    assert archived[item["char_start"] : item["char_end"]] == item["quote"]


def test_checking_a_draft_returns_the_validator_problems_by_field(client: FlaskClient):
    record, actors = _coded(client)
    assert client.post("/api/check", json={"record": record, "new_actors": actors}).json["problems"] == []
    record["fatalities_low"] = 7
    problems = client.post("/api/check", json={"record": record, "new_actors": actors}).json["problems"]
    assert [(p["field"], p["code"]) for p in problems] == [("fatalities_low", "fatality-range")]
    assert problems[0]["expected"]


def test_saving_a_new_record_writes_a_valid_record_and_actor(client: FlaskClient, seed: Path):
    record, actors = _coded(client)
    answer = client.post("/api/save", json={"record": record, "new_actors": actors, "reason": "Coded from the report."})
    assert answer.status_code == 200 and answer.json["problems"] == []
    incident_id, actor_id = record["incident_id"], actors[0]["actor_id"]
    assert answer.json["written"] == [f"data/actors/{actor_id}.yaml", f"data/records/{incident_id}.yaml"]
    saved = records.read(seed / "data" / "records" / f"{incident_id}.yaml", "x").data
    assert [r["revision"] for r in saved["revisions"]] == [1]
    assert (
        saved["revisions"][0]["reason"] == "Coded from the report."
        and "injured" in saved["revisions"][0]["fields_changed"]
    )
    assert validate.validate(seed) == []


def test_saving_refuses_an_id_that_is_no_id(client: FlaskClient, seed: Path):
    record, actors = _coded(client)
    before = sorted(p.relative_to(seed) for p in seed.rglob("*"))
    for bad in ("../../outside", "inc_../x", None):
        answer = client.post("/api/save", json={"record": {**record, "incident_id": bad}, "reason": "x"})
        assert answer.status_code == 400 and "is not an id" in answer.json["error"]
    evil = {**actors[0], "actor_id": "../../records/x"}
    assert client.post("/api/save", json={"record": record, "new_actors": [evil]}).status_code == 400
    assert client.get("/api/sources/..%2f..%2fetc").status_code in (400, 404)
    assert sorted(p.relative_to(seed) for p in seed.rglob("*")) == before


def test_saving_an_edited_committed_record_adds_a_revision_as_correct_does(client: FlaskClient, seed: Path):
    git(seed, "init", "-q")
    git(seed, "add", "-A")
    git(seed, "commit", "-qm", "seed")
    record = client.get(f"/api/records/{SEED_RECORDS[0]}").json["record"]
    assert client.post("/api/save", json={"record": record, "reason": "no change"}).status_code == 400
    record["tags"] = [*record["tags"], "checked"]
    answer = client.post("/api/save", json={"record": record, "reason": "Tagged after review."})
    assert answer.status_code == 200, answer.json
    last = answer.json["record"]["revisions"][-1]
    assert (last["reason"], last["fields_changed"], last["changed_by"]) == (
        "Tagged after review.",
        ["tags"],
        "Test Coder",
    )
    assert len(answer.json["record"]["revisions"]) == len(record["revisions"]) + 1
    assert SEED_ACTORS[0] in {a["actor_id"] for a in client.get("/api/actors?q=NDF").json}
