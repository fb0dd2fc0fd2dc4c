"""benchmarks/duckdb_rules.py: the standard's table rules as DuckDB SQL, derived from schemas/, finding each
planted error at its row in both the CSV and the Parquet file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb_rules
import make_synthetic
import pytest

from incidents import standard

N, SEED = 150, 3


@pytest.fixture(scope="module")
def std() -> standard.Standard:
    return standard.load()


def rules(std: standard.Standard, table: str) -> set[tuple[str, str]]:
    return {(r.field, r.code) for r in duckdb_rules.row_rules(std, table)}


def test_every_constraint_of_the_table_schemas_is_a_rule(std):
    for table in standard.PUBLISHED_TABLES:
        found = rules(std, table)
        for spec in std.fields(table):
            cons = spec.get("constraints", {})
            for key, code in (("required", "required"), ("pattern", "pattern"), ("minimum", "minimum")):
                assert (key in cons) == ((spec["name"], code) in found), (table, spec["name"], key)
            assert ("codelist" in spec) == ((spec["name"], "unknown-code") in found), (table, spec["name"])


def test_a_sub_type_under_its_type_comes_from_the_codelist_column_named_for_the_type(std):
    (pair,) = [r for r in duckdb_rules.row_rules(std, "incidents") if r.code == "not-under-event_type"]
    assert pair.field == "sub_event_type"
    for row in std.codelists["sub_event_type"].rows:
        assert f"'{row['code']}\x1f{row['event_type']}'" in pair.condition


def test_fatality_order_comes_from_the_descriptions_and_date_order_from_the_precision_spans(std):
    found = {r.condition for r in duckdb_rules.row_rules(std, "incidents") if r.code in ("order", "date-span")}
    assert '"fatalities_low" > "fatalities_best"' in found
    assert '"fatalities_best" > "fatalities_high"' in found
    for code, (low, high) in std.span_limits().items():
        assert any(f"= '{code}'" in c and f"BETWEEN {low} AND {high}" in c for c in found)
    assert all(low >= 0 for low, _ in std.span_limits().values())  # so a reversed span breaks every one


def test_tables_are_checked_after_the_tables_they_refer_to(std):
    order = duckdb_rules.tables_in_order(std)
    assert sorted(order) == sorted(standard.PUBLISHED_TABLES)
    for table in order:
        for fk in std.tables[table].get("foreignKeys", []):
            assert order.index(fk["reference"]["resource"]) <= order.index(table)


def test_a_valid_package_has_no_findings(tmp_path: Path):
    make_synthetic.make(tmp_path / "valid", N, SEED, as_records=False)
    assert duckdb_rules.check(tmp_path / "valid") == []


def test_each_planted_error_is_found_at_its_row_in_the_csv_and_the_parquet_file(tmp_path: Path):
    root = tmp_path / "errors"
    make_synthetic.make(root, N, SEED, as_records=False, errors=True)
    planted = json.loads((root / make_synthetic.INJECTED).read_text())
    found = {(Path(f.file).name, f.row, f.field) for f in duckdb_rules.check(root)}
    expected = {(f"{p['table']}.{fmt}", p["row"], p["field"]) for p in planted for fmt in ("csv", "parquet")}
    twin = next(p for p in planted if p["kind"] == "duplicated id")  # the row whose id was copied
    expected |= {(f"actors.{fmt}", twin["row"] - 1, "actor_id") for fmt in ("csv", "parquet")}
    assert found == expected
    assert duckdb_rules.main([str(root)]) == 1


def test_a_value_changed_in_the_csv_alone_is_found_there_only(tmp_path: Path):
    root = tmp_path / "valid"
    make_synthetic.make(root, N, SEED, as_records=False)
    path = root / "data/tables/incidents.csv"
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    row = next(i for i, r in enumerate(rows) if r["sub_event_type"] == "armed_clash")
    text = path.read_text(encoding="utf-8")  # the first such row is the first such text: a protest under battles
    path.write_text(text.replace('"battles","armed_clash"', '"battles","peaceful_protest"', 1), encoding="utf-8")
    found = [(f.file, f.row, f.field, f.code) for f in duckdb_rules.check(root)]
    assert found == [("data/tables/incidents.csv", row, "sub_event_type", "not-under-event_type")]
