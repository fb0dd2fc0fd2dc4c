"""The dataset root is found as git finds its root: from the current folder up to the first folder holding
data/package.yaml, unless --root is given. A folder in no dataset is refused, not taken for an empty one."""

from __future__ import annotations

import json

from click.testing import CliRunner

from factories import INCIDENT, make_dataset, record
from incidents.cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_a_record_is_validated_from_its_own_folder(tmp_path, monkeypatch):
    layout = make_dataset(tmp_path / "repo")
    monkeypatch.chdir(layout.records)
    result = run("validate", f"{INCIDENT}.yaml")
    assert (result.exit_code, result.output) == (0, "valid\n")


def test_problems_found_from_a_subfolder_name_the_file_from_the_dataset_root(tmp_path, monkeypatch):
    layout = make_dataset(tmp_path / "repo", record(event_type="skirmish"))
    monkeypatch.chdir(layout.actors)
    result = run("validate", "--format", "json", f"../records/{INCIDENT}.yaml")
    problems = json.loads(result.output)["problems"]
    assert result.exit_code == 1
    assert [(p["file"], p["field"]) for p in problems] == [(f"data/records/{INCIDENT}.yaml", "event_type")]


def test_a_folder_in_no_dataset_is_refused_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for command in (["validate"], ["build"], ["new", "--by", "Coder"]):
        result = run(*command)
        assert result.exit_code == 2, (command, result.output)
        assert "no dataset here" in result.output and str(tmp_path) in result.output
        assert "data/package.yaml" in result.output and "--root" in result.output
    assert list(tmp_path.iterdir()) == []


def test_root_given_is_used_whatever_the_current_folder(tmp_path, monkeypatch):
    layout = make_dataset(tmp_path / "repo")
    monkeypatch.chdir(tmp_path)
    assert run("--root", str(layout.root), "validate").output == "valid\n"


def test_commands_that_need_no_dataset_run_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("--help").exit_code == 0
    assert run("schemas", "--check").exit_code == 0
