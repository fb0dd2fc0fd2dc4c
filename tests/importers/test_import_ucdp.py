"""Importing a UCDP GED export: types of violence, precisions and death ranges mapped; bad rows reported."""

from __future__ import annotations

import re

import pyarrow.parquet as pq

from factories import TODAY, make_dataset
from import_factories import ged_file, ged_row, import_ged, record_of
from incidents import build, records, validate
from incidents.importers import acled, ucdp
from incidents.standard import load

STANDARD = load()


def test_a_state_based_event_imports_with_its_death_range(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    report = import_ged(layout, ged_file(tmp_path))
    assert report.created == ["ucdp-ged:900001"] and not report.problems
    record = record_of(layout, "ucdp-ged:900001")
    assert (record["fatalities_low"], record["fatalities_best"], record["fatalities_high"]) == (2, 3, 5)
    assert (record["event_type"], record["country"], record["date_start"]) == ("battles", "SYR", "2021-03-02")
    assert record["geo_precision"] == "exact_place" and record["location"] == "Maarrat al-Numan town"
    assert [link["role"] for link in record["actors"]] == ["side_a", "side_b"]
    assert validate.validate(layout.root, today=TODAY) == []


def test_one_sided_violence_has_a_perpetrator_and_civilians_as_target(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    import_ged(layout, ged_file(tmp_path, ged_row(type_of_violence="3", side_b="Civilians")))
    record = record_of(layout, "ucdp-ged:900001")
    assert (record["event_type"], record["sub_event_type"]) == ("violence_against_civilians", "attack")
    assert [link["role"] for link in record["actors"]] == ["perpetrator", "target"]


def test_former_names_in_brackets_are_dropped_to_find_the_country(tmp_path):
    row = ged_row(country="DR Congo (Zaire)", latitude="-1.6792", longitude="29.2228", where_coordinates="Goma town")
    layout = make_dataset(tmp_path / "repo")
    import_ged(layout, ged_file(tmp_path, row))
    assert record_of(layout, "ucdp-ged:900001")["country"] == "COD"


def test_month_precision_spans_the_month(tmp_path):
    row = ged_row(date_prec="4", date_start="2021-03-01", date_end="2021-03-31", where_prec="4")
    layout = make_dataset(tmp_path / "repo")
    import_ged(layout, ged_file(tmp_path, row))
    record = record_of(layout, "ucdp-ged:900001")
    assert (record["date_precision"], record["geo_precision"]) == ("month", "admin1")


def test_rows_the_standard_cannot_hold_are_reported_with_the_reason(tmp_path):
    rows = [
        ged_row("900001"),
        ged_row("900002", date_start="2021-03-05", date_end="2021-03-01"),  # reversed
        ged_row("900003", date_prec="5", date_start="2019-01-01", date_end="2021-03-01"),  # over a year
        ged_row("900004", country="Atlantis"),
    ]
    report = import_ged(make_dataset(tmp_path / "repo"), ged_file(tmp_path, *rows))
    assert report.created == ["ucdp-ged:900001"]
    found = {(p.line, p.field, p.code) for p in report.problems}
    assert (3, "date_end", "date-order") in found
    assert (4, "date_end", "date-precision") in found
    assert (5, "country", "import-code") in found


def test_ged_spans_import_as_coded_with_the_precision_of_their_length(tmp_path):
    rows = [
        ged_row("900001", date_prec="2", date_start="2021-03-01", date_end="2021-03-04"),  # 2-6 days
        ged_row("900002", date_prec="4", date_start="2021-03-05", date_end="2021-03-20"),  # 8-30 days, no month
        ged_row("900003", date_prec="5", date_start="2021-02-10", date_end="2021-06-30"),  # up to a year
        ged_row("900004", date_prec="2", date_start="2021-03-01", date_end="2021-03-20"),  # coded 2, spans 20 days
    ]
    layout = make_dataset(tmp_path / "repo")
    report = import_ged(layout, ged_file(tmp_path, *rows))
    assert not report.problems and len(report.created) == 4
    spans = [
        (r["date_start"], r["date_end"], r["date_precision"])
        for r in (record_of(layout, f"ucdp-ged:90000{n}") for n in range(1, 5))
    ]
    assert spans == [
        ("2021-03-01", "2021-03-04", "week"),
        ("2021-03-05", "2021-03-20", "month"),
        ("2021-02-10", "2021-06-30", "year"),
        ("2021-03-01", "2021-03-20", "month"),
    ]
    assert "UCDP date_prec 2 is read as month" in record_of(layout, "ucdp-ged:900004")["notes"]
    assert validate.validate(layout.root, today=TODAY) == []


def test_inconsistent_death_counts_import_flagged_with_the_coded_values_kept(tmp_path):
    rows = [ged_row("900001", low="9", best="3", high="5"), ged_row("900002", low="1", best="6", high="4")]
    layout = make_dataset(tmp_path / "repo")
    report = import_ged(layout, ged_file(tmp_path, *rows))
    assert not report.problems and len(report.created) == 2
    first, second = record_of(layout, "ucdp-ged:900001"), record_of(layout, "ucdp-ged:900002")
    assert (first["fatalities_low"], first["fatalities_best"], first["fatalities_high"]) == (3, 3, 9)
    assert (second["fatalities_low"], second["fatalities_best"], second["fatalities_high"]) == (1, 6, 6)
    assert first["flags"] == second["flags"] == ["source_inconsistent"]
    assert "UCDP coded deaths low 9, best 3, high 5" in first["notes"]
    assert ",3,5,9," in first["evidence"][0]["quote"]  # the row (best, high, low), verbatim, is the evidence
    assert validate.validate(layout.root, today=TODAY) == []


def test_a_consistent_row_has_no_flag(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    import_ged(layout, ged_file(tmp_path, ged_row("900001", low="3", best="3", high="3")))
    assert record_of(layout, "ucdp-ged:900001")["flags"] == []


def test_an_event_at_sea_imports_flagged_and_outside_the_country_box(tmp_path):
    row = ged_row(where_prec="7", where_coordinates="Mediterranean Sea", latitude="34.9", longitude="33.9")
    layout = make_dataset(tmp_path / "repo")
    report = import_ged(layout, ged_file(tmp_path, row))
    assert report.created == ["ucdp-ged:900001"] and not report.problems
    record = record_of(layout, "ucdp-ged:900001")
    assert record["flags"] == ["at_sea"] and record["geo_precision"] == "near"
    assert validate.validate(layout.root, today=TODAY) == []


def test_reimporting_a_corrected_ged_file_revises_only_changed_events(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    import_ged(layout, ged_file(tmp_path, ged_row("900001"), ged_row("900002")))
    report = import_ged(layout, ged_file(tmp_path, ged_row("900001", best="4"), ged_row("900002"), name="v2.csv"))
    assert report.revised == ["ucdp-ged:900001"] and report.unchanged == ["ucdp-ged:900002"]
    assert record_of(layout, "ucdp-ged:900001")["revisions"][-1]["fields_changed"] == ["fatalities_best", "evidence"]


def _codes_stated(codelist: str, dataset: str) -> dict[int, str]:
    """Which of `dataset`'s numeric codes each code's description says it matches, e.g. '(ACLED 2, UCDP 2-3)'."""
    stated = {}
    for row in STANDARD.codelists[codelist].rows:
        for low, high in re.findall(rf"{dataset} (?:[a-z_]+ )?(\d)(?:-(\d))?", row["description"]):
            stated.update({n: row["code"] for n in range(int(low), int(high or low) + 1)})
    return stated


def test_the_precision_mappings_agree_with_the_codelists():
    assert acled.TIME_PRECISION == _codes_stated("date_precision", "ACLED")
    assert acled.GEO_PRECISION == _codes_stated("geo_precision", "ACLED")
    assert ucdp.DATE_PRECISION == _codes_stated("date_precision", "UCDP")
    # where_prec 5 (an area larger than admin1) is read as country precision: the codelist names only 6;
    # where_prec 7 (at sea or in the air) keeps the coded point as near it, with the at_sea flag.
    stated = {k: v for k, v in ucdp.WHERE_PRECISION.items() if k not in (5, 7)}
    assert stated == _codes_stated("geo_precision", "UCDP")


def test_each_cited_report_becomes_a_citation_of_the_record(tmp_path):
    article = (
        '"SOHR,2021-03-02,Clashes in Maarrat al-Numan, and shelling";'
        '"Reuters,2021-03-03,Syrian army says it repelled attack";'
        '"SOHR,2021-03-02,Clashes in Maarrat al-Numan, and shelling";"no date here"'
    )
    layout = make_dataset(tmp_path / "repo")
    report = import_ged(layout, ged_file(tmp_path, ged_row(source_article=article)))
    assert report.created == ["ucdp-ged:900001"] and not report.problems
    record = record_of(layout, "ucdp-ged:900001")
    assert record["citations"] == [
        {"publisher": "SOHR", "published_at": "2021-03-02", "title": "Clashes in Maarrat al-Numan, and shelling"},
        {"publisher": "Reuters", "published_at": "2021-03-03", "title": "Syrian army says it repelled attack"},
    ]
    assert (
        "cited once here" in record["notes"]
        and "(not read as publisher,date,headline): no date here" in record["notes"]
    )
    assert validate.validate(layout.root, today=TODAY) == []
    build.build(layout.root)
    cited = pq.read_table(layout.tables / "incident_citations.parquet").to_pylist()
    assert [(c["incident_id"], c["publisher"], str(c["published_at"])) for c in cited] == [
        (record["incident_id"], "SOHR", "2021-03-02"),
        (record["incident_id"], "Reuters", "2021-03-03"),
    ]


def test_an_export_larger_than_a_part_imports_whole_archived_in_parts(tmp_path):
    rows = [ged_row(f"9000{n:02d}") for n in range(12)]
    rows[9] = ged_row("900009", country="Atlantis")
    path = ged_file(tmp_path, *rows)
    layout = make_dataset(tmp_path / "repo")
    before = set(layout.sources.glob("*.txt"))
    report = import_ged(layout, path, part_bytes=1500)
    assert len(report.created) == 11 and report.rows == 12
    ((line, code),) = [(p.line, p.code) for p in report.problems]
    assert (line, code) == (11, "import-code")  # the file's line, not the part's
    parts = sorted(set(layout.sources.glob("*.txt")) - before)
    header = path.read_bytes().split(b"\n", 1)[0]
    assert len(parts) > 2 and all(p.read_bytes().startswith(header + b"\n") and p.stat().st_size <= 1500 for p in parts)
    assert sum(p.read_bytes().count(b"\n") - 1 for p in parts) == 12  # every row archived once
    assert validate.validate(layout.root, today=TODAY) == []
    again = import_ged(layout, path, part_bytes=1500)
    assert len(again.unchanged) == 11 and not again.created and not again.revised


def test_rows_no_longer_in_a_full_export_are_reported_and_withdrawn_on_request(tmp_path):
    layout = make_dataset(tmp_path / "repo")
    import_ged(layout, ged_file(tmp_path, ged_row("900001"), ged_row("900002"), ged_row("900003")))
    later = ged_file(tmp_path, ged_row("900001"), ged_row("900003", country="Atlantis"), name="v2.csv")
    report = import_ged(layout, later)
    assert report.missing == ["ucdp-ged:900002"]  # 900003 is still there, though not importable
    assert "no longer in the export (ucdp-ged:900002)" in report.summary()
    assert record_of(layout, "ucdp-ged:900002")["status"] == "active"
    report = import_ged(layout, later, withdraw_missing=True)
    assert report.withdrawn == ["ucdp-ged:900002"]
    gone = record_of(layout, "ucdp-ged:900002")
    assert gone["status"] == "withdrawn" and gone["status_reason"].startswith("Removed from the source")
    assert gone["revisions"][-1]["fields_changed"] == ["status", "status_reason"]
    assert validate.validate(layout.root, today=TODAY) == []
    assert import_ged(layout, later).missing == []  # a tombstone is not missing


def test_an_unchanged_reimport_parses_no_record_file(tmp_path, monkeypatch):
    layout = make_dataset(tmp_path / "repo")
    path = ged_file(tmp_path, ged_row("900001"), ged_row("900002"))
    import_ged(layout, path)
    parsed = []
    read = records.read
    monkeypatch.setattr(records, "read", lambda p, d: parsed.append(d) or read(p, d))
    report = import_ged(layout, path)
    assert len(report.unchanged) == 2 and not report.created and not report.revised
    assert not [p for p in parsed if p.startswith("data/records/")]  # found by the index of their text
