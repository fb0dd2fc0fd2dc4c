"""Importing a UCDP GED export: types of violence, precisions and death ranges mapped; bad rows reported."""

from __future__ import annotations

import re

from factories import TODAY, make_dataset
from import_factories import ged_file, ged_row, import_ged, record_of
from incidents import validate
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
        ged_row("900002", where_prec="7"),
        ged_row("900003", low="9"),  # low above best
        ged_row("900004", date_prec="2", date_start="2021-03-01", date_end="2021-03-20"),  # 19 days is no week
        ged_row("900005", country="Atlantis"),
    ]
    report = import_ged(make_dataset(tmp_path / "repo"), ged_file(tmp_path, *rows))
    assert report.created == ["ucdp-ged:900001"]
    found = {(p.line, p.field, p.code) for p in report.problems}
    assert (3, "where_prec", "import-value") in found
    assert (4, "fatalities_low", "fatality-range") in found
    assert (5, "date_end", "date-precision") in found
    assert (6, "country", "import-code") in found


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
    # where_prec 5 (an area larger than admin1) is read as country precision: the codelist names only 6.
    assert {k: v for k, v in ucdp.WHERE_PRECISION.items() if k != 5} == _codes_stated("geo_precision", "UCDP")
