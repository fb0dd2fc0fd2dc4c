"""The fast JSON Schema gate (jsonschema-rs) never lets through a file the detailed validator would fault:
otherwise its problems would go unreported."""

from __future__ import annotations

import pytest

from factories import actor, record, source_meta
from incidents import standard
from incidents.validate import schema_layer as schemacheck

SCHEMAS = schemacheck.Schemas(standard.load())

EDGES = [
    ("record", {}),
    ("record", {"date_start": "2024-02-30"}),
    ("record", {"date_start": "2024-2-01"}),
    ("record", {"date_start": "2024-03-07\n"}),
    ("record", {"date_start": "２０２４-03-07"}),
    ("record", {"summary": "two lines\n"}),
    ("record", {"tags": ["a;b"]}),
    ("record", {"tags": ["patrol", "patrol"]}),
    ("record", {"fatalities_best": 2.0}),
    ("record", {"fatalities_best": 2.5}),
    ("record", {"fatalities_best": True}),
    ("record", {"fatalities_best": -1}),
    ("record", {"latitude": "37.0"}),
    ("record", {"event_type": "Battles"}),
    ("record", {"status": None}),
    ("record", {"extra": 1}),
    ("record", {"incident_id": "inc_01kaxq8n5d4c3r6e0j2vwz7t00"}),
    ("record", {"revisions": [{"revision": 1}]}),
    ("record", {1: "a number as a key"}),
    ("actor", {}),
    ("actor", {"aliases": ["x\n"]}),
    ("source", {}),
    ("source", {"retrieved_at": "2024-03-08T12:00:00+01:00"}),
    ("source", {"retrieved_at": "2024-13-08T12:00:00Z"}),
    ("source", {"published_at": "2024-02-29"}),
    ("source", {"language": "EN"}),
]
BASE = {"record": record, "actor": lambda: actor("act_01KAXQ8N5D4C3R6E0J2VWZ7TAA", "Militia"), "source": source_meta}


@pytest.mark.parametrize(("kind", "change"), EDGES)
def test_the_gate_passes_only_what_the_detailed_validator_passes(kind, change):
    data = {**BASE[kind](), **change}
    detailed = list(SCHEMAS.detailed[kind].iter_errors(data)) if not any(isinstance(k, int) for k in data) else [1]
    if SCHEMAS.passes(kind, data):
        assert detailed == []


def test_the_gate_passes_valid_files_and_stops_invalid_ones():
    assert all(SCHEMAS.passes(kind, make()) for kind, make in BASE.items())
    assert not SCHEMAS.passes("record", {**record(), "fatalities_best": -1})
    assert not SCHEMAS.passes("record", {**record(), 1: "x"})
