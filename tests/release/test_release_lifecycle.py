"""Bookkeeping and releases together: what correct, withdraw and merge do shows in the next release."""

from __future__ import annotations

import json
import subprocess

from click.testing import CliRunner

from factories import INCIDENT, record
from incidents import records
from incidents.cli import cli
from releasing import releasable

OTHER = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T11"
THIRD = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T22"


def run(root, *args):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def commit(root, message):
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    for args in (["add", "-A"], ["commit", "-q", "-m", message]):
        subprocess.run([*git, *args], cwd=root, check=True, capture_output=True)


def test_correct_withdraw_and_merge_then_release_a_patch_that_names_them(tmp_path):
    releasable(tmp_path, record(), record(OTHER), record(THIRD))
    (tmp_path / ".gitignore").write_text("data/.build.lock\ndist/\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    assert run(tmp_path, "release", "--date", "2026-11-25").exit_code == 0
    commit(tmp_path, "v0.1.0")

    path = tmp_path / f"data/records/{INCIDENT}.yaml"
    edited = records.read(path, INCIDENT).data
    edited["notes"] = "A second report confirms the place."
    path.write_text(records.dump(edited))
    for args in (
        ["correct", INCIDENT, "--reason", "Second report."],
        ["withdraw", THIRD, "--reason", "A traffic accident, not in scope."],
        ["merge", OTHER, "--into", INCIDENT, "--reason", "Same attack, reported twice."],
    ):
        result = run(tmp_path, *args, "--by", "Reviewer")
        assert result.exit_code == 0, result.output
        commit(tmp_path, args[0])

    result = run(tmp_path, "release", "--bump", "patch", "--date", "2026-11-26")
    assert result.exit_code == 0, result.output
    assert "released v0.1.1: patch bump since v0.1.0" in result.output
    log = (tmp_path / "CHANGELOG.md").read_text()
    assert f"  - {INCIDENT} (revision 1 -> 2): notes" in log
    assert f"  - {THIRD}: A traffic accident, not in scope." in log
    assert f"  - {OTHER} into {INCIDENT}: Same attack, reported twice." in log
    commit(tmp_path, "v0.1.1")

    for bundle in (tmp_path / "dist").iterdir():  # the manifests alone still say what changed and why
        bundle.unlink()
    report = json.loads(run(tmp_path, "diff", "v0.1.0", "v0.1.1", "--format", "json").output)
    changes = {r["incident_id"]: (r["change"], r["fields"], r["reason"]) for r in report["records"]}
    assert changes == {
        INCIDENT: ("corrected", ["notes"], None),
        OTHER: ("merged", ["merged_into", "status", "status_reason"], "Same attack, reported twice."),
        THIRD: ("withdrawn", ["status", "status_reason"], "A traffic accident, not in scope."),
    }

    (tmp_path / f"data/records/{THIRD}.yaml").unlink()
    result = run(tmp_path, "validate")
    assert result.exit_code == 1 and "published in v0.1.1" in result.output and "continuity-missing" in result.output
