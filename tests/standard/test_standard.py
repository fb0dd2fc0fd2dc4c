"""The standard is written once: derived schemas agree with the Table Schemas field by field."""

from __future__ import annotations

import json

from incidents import standard
from incidents.standard import SCHEMAS_DIR, load


def test_generated_json_schemas_are_up_to_date():
    for name, text in standard.generated_files(load()).items():
        assert (SCHEMAS_DIR / name).read_text(encoding="utf-8") == text, f"run `incidents schemas` ({name})"


def test_record_json_schema_has_every_incident_field_and_nothing_else():
    std = load()
    schema = std.json_schema("record")
    table_fields = {f["name"] for f in std.fields("incidents") if not f.get("x-derived")}
    assert set(schema["properties"]) == table_fields | {"actors", "evidence", "citations", "revisions"}
    assert schema["additionalProperties"] is False
    for name in table_fields:
        spec = std.field("incidents", name)
        required = spec.get("constraints", {}).get("required", False)
        assert (name in schema["required"]) == required, name
        assert schema["properties"][name]["description"] == spec["description"]


def test_arrow_schema_follows_table_schema():
    std = load()
    for table in standard.TABLES:
        arrow = std.arrow_schema(table)
        assert arrow.names == [f["name"] for f in std.fields(table)]


def test_every_codelist_has_code_label_description_and_unique_codes():
    for codelist in load().codelists.values():
        assert {"code", "label", "description"} <= set(codelist.rows[0]), codelist.name
        assert len(set(codelist.codes)) == len(codelist.codes), codelist.name


def test_acled_taxonomy_six_types_and_twenty_five_sub_types():
    std = load()
    assert len(std.codelists["event_type"].codes) == 6
    subs = std.codelists["sub_event_type"].rows
    assert len(subs) == 25 and {row["event_type"] for row in subs} == set(std.codelists["event_type"].codes)


def test_every_field_names_a_known_codelist_and_has_an_example():
    std = load()
    for table in standard.TABLES:
        for spec in std.fields(table):
            assert spec.get("codelist", "country") in std.codelists, (table, spec["name"])
            assert spec["description"], (table, spec["name"])


def test_country_codelist_is_the_gazetteer_output():
    from incidents.standard.gazetteer import country_codelist_text

    assert (SCHEMAS_DIR / "codelists" / "country.csv").read_text(encoding="utf-8") == country_codelist_text()


def test_descriptor_schema_inlines_codelists_as_enums():
    schema = load().descriptor_schema("incidents")
    status = next(f for f in schema["fields"] if f["name"] == "status")
    assert status["constraints"]["enum"] == ["active", "withdrawn", "merged"]
    assert "x-derived" not in json.dumps(schema)
