"""The command line: exit codes, output formats, and no traceback for the user."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from factories import INCIDENT, make_dataset, record
from incidents.cli import cli


def run(root, *args):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def installed(root, *args: str) -> subprocess.CompletedProcess[str]:
    """The `incidents` program itself, which leaves through cli._leave rather than click's exit."""
    program = Path(sys.executable).with_name("incidents")
    return subprocess.run([str(program), "--root", str(root), *args], capture_output=True, text=True, timeout=120)


def test_the_installed_program_exits_with_each_outcomes_code_and_prints_all_it_has_to_say(tmp_path):
    valid = installed(make_dataset(tmp_path / "valid").root, "validate")
    assert (valid.returncode, valid.stdout, valid.stderr) == (0, "valid\n", "")
    invalid = installed(
        make_dataset(tmp_path / "invalid", record(event_type="skirmish")).root, "validate", "--format", "json"
    )
    assert invalid.returncode == 1 and json.loads(invalid.stdout)["problems"][0]["field"] == "event_type"
    usage = installed(tmp_path, "no-such-command")
    assert usage.returncode == 2 and "No such command 'no-such-command'" in usage.stderr


def test_leaving_without_teardown_gives_what_clicks_own_exit_gives(tmp_path):
    """cli._leave skips the interpreter's teardown; exit codes and output must be click's (CliRunner's)."""
    valid = make_dataset(tmp_path / "valid").root
    invalid = make_dataset(tmp_path / "invalid", record(event_type="skirmish")).root
    for root, args in ((valid, ["validate"]), (invalid, ["validate", "--format", "json"]), (invalid, ["build"])):
        program, plain = installed(root, *args), CliRunner().invoke(cli, ["--root", str(root), *args])
        assert (program.returncode, program.stdout) == (plain.exit_code, plain.stdout), args


def test_validate_exits_0_when_valid(dataset):
    result = run(dataset.root, "validate")
    assert result.exit_code == 0 and "valid" in result.output


def test_validate_exits_1_and_names_the_problem(tmp_path):
    root = make_dataset(tmp_path, record(fatalities_low=5)).root
    result = run(root, "validate")
    assert result.exit_code == 1
    assert f"data/records/{INCIDENT}.yaml:18: {INCIDENT}: fatalities_low:" in result.output


def test_validate_json_format(tmp_path):
    root = make_dataset(tmp_path, record(event_type="skirmish")).root
    result = run(root, "validate", "--format", "json")
    report = json.loads(result.output)
    assert result.exit_code == 1 and report["valid"] is False and report["problems"][0]["field"] == "event_type"


def test_validate_github_format(tmp_path):
    result = run(make_dataset(tmp_path, record(event_type="skirmish")).root, "validate", "--format", "github")
    assert result.output.startswith("::error file=data/records/")


def test_usage_error_exits_2(dataset):
    assert run(dataset.root, "validate", "--format", "xml").exit_code == 2


def test_a_root_that_does_not_exist_is_a_usage_error_and_nothing_is_created(tmp_path):
    typo = tmp_path / "datset"
    result = run(typo, "build")
    assert result.exit_code == 2 and "datset" in result.output and "does not exist" in result.output
    assert not typo.exists()


def test_new_then_ingest_then_build(dataset, tmp_path):
    created = run(dataset.root, "new", "--by", "Coder")
    assert created.exit_code == 0
    path = dataset.root / created.output.strip()
    assert path.name.startswith("inc_") and path.exists()
    report = tmp_path / "report.txt"
    report.write_text("A report.\n")
    ingested = run(dataset.root, "ingest", str(report), "--publisher", "Example")
    assert ingested.exit_code == 0 and "archived" in ingested.output
    assert "already archived" in run(dataset.root, "ingest", str(report), "--publisher", "Example").output
    path.unlink()  # the scaffold is empty until a coder fills it in: building it would fail
    assert run(dataset.root, "build").exit_code == 0


def test_a_scaffolded_record_fails_with_clear_problems_not_a_traceback(dataset):
    run(dataset.root, "new", "--by", "Coder")
    result = run(dataset.root, "build")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "summary" in result.output and "nothing was written" in result.output


def test_validate_tables_checks_the_built_package_and_partition_writes_the_layout(tmp_path):
    from factories import built_package, spread_records

    records = spread_records(1)
    records[2]["fatalities_low"] = 5
    built_package(tmp_path, records)
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "validate", "--tables", "--format", "json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 1 and [p["code"] for p in report["problems"]] == ["fatality-range"]
    assert "read the Parquet tables: single files" in result.stderr
    assert run(tmp_path, "partition", "--by", "year").output == "wrote data/tables/partitioned (12 files)\n"
    result = run(tmp_path, "validate", "--tables")
    assert result.exit_code == 1 and "partitioned/incidents/year=2023/part-00000.parquet:3:" in result.output
    assert run(tmp_path, "partition").output == "wrote data/tables/partitioned (7 files)\n"  # by size alone
    for misplaced in (["partition", "--target-mb", "0"], ["validate", "--tables", "--workers", "2"]):
        result = run(tmp_path, *misplaced)
        assert result.exit_code == 2 and ("--target-mb 0" in result.output or "--engine dask" in result.output)


def test_table_options_are_usage_errors_when_misplaced(tmp_path):
    assert run(tmp_path, "validate", "--engine", "dask").exit_code == 2  # without --tables
    assert run(tmp_path, "validate", "--tables", "--scheduler", "tcp://localhost:8786").exit_code == 2
    assert run(tmp_path, "validate", "--tables", "data/records").exit_code == 2
    assert run(tmp_path, "partition", "--by", "month").exit_code == 2
