"""`incidents extract` on a report already coded: each draft repeating a record is named, not written."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from incidents import records
from incidents.cli import cli
from incidents.extract import repeats
from seed import SEED_RECORDS, copy_seed

REPORT = str(Path(__file__).parents[1] / "fixtures" / "qamishli_report.txt")  # the seed report


def test_a_draft_repeats_an_active_record_of_the_same_source_day_and_place():
    existing = {
        "incident_id": "inc_A", "status": "active", "date_start": "2024-03-07", "location": "Khaleej Street, Qamishli",
        "evidence": [{"source_id": "s1"}],
    }  # fmt: skip
    draft = {**existing, "incident_id": "inc_D", "location": "khaleej street,  Qamishli"}
    assert repeats(draft, [existing]) == ["inc_A"]
    assert repeats({**draft, "date_start": "2024-03-08"}, [existing]) == []
    assert repeats({**draft, "location": "Qamishli"}, [existing]) == []
    assert repeats({**draft, "evidence": [{"source_id": "s2"}]}, [existing]) == []
    assert repeats(draft, [{**existing, "status": "withdrawn"}]) == []


def test_extract_on_the_coded_seed_report_warns_of_its_four_repeats_and_writes_none_without_force(tmp_path):
    root = copy_seed(tmp_path)
    folder = root / "data" / "records"
    args = ["--root", str(root), "extract", REPORT, "--publisher", "Kurdistan24", "--by", "Coder"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    warned = [line for line in result.output.splitlines() if "repeats" in line]
    assert len(warned) == 4 and all("same source, day and place" in line for line in warned)
    named = {incident_id for line in warned for incident_id in SEED_RECORDS if incident_id in line}
    assert named == set(SEED_RECORDS)
    assert sorted(p.stem for p in folder.glob("*.yaml")) == sorted(SEED_RECORDS)
    forced = CliRunner().invoke(cli, [*args, "--force"])
    assert forced.exit_code == 0 and len(list(folder.glob("*.yaml"))) == 8
    assert sum("repeats" in line for line in forced.output.splitlines()) == 4
    assert all(records.read(p, p.name).data["status"] == "active" for p in folder.glob("*.yaml"))
