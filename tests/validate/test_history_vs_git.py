"""Revisions checked against the record's committed history: `incidents validate` (against HEAD) and
`--changed-since REF` (against REF's merge base) catch a forged history, a deleted record, a deleted id used
again and a tombstone made active; outside git nothing is compared."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from factories import INCIDENT, TODAY, git, make_dataset, record, write_record
from incidents.core.layout import Layout
from incidents.records import revisions
from incidents.validate import history_vs_git, validate

SECOND = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T01"
REPO = Path(__file__).resolve().parents[2]


def committed(root: Path, *records_: dict) -> Path:
    """A dataset committed on main, then a branch `pr` where the contributor works."""
    make_dataset(root, *(records_ or (record(), record(SECOND))))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "pr")
    return root


def revised(data: dict, fields: list[str], at: str = "2024-04-01T10:00:00Z", **changes: object) -> dict:
    """`data` with `changes` and one more revision that names `fields`."""
    stamp = revisions.Stamp("Someone", at, "0.1.0")
    entry = revisions.entry(revisions.latest(data) + 1, stamp, "A change.", fields)
    return {**data, **changes, "revisions": [*data["revisions"], entry]}


def codes(root: Path, **options: object) -> list[tuple[str, str | None, str | None]]:
    return [(p.code, p.record, p.field) for p in validate(root, today=TODAY, **options) if p.code in HISTORY_CODES]


HISTORY_CODES = {
    "deleted-record",
    "id-reused",
    "history-rewritten",
    "history-unrevised",
    "history-fields-changed",
    "history-changed-at",
    "tombstone-reactivated",
}


@pytest.mark.parametrize("options", [{}, {"changed_since": "main"}], ids=["plain", "changed-since"])
def test_a_forged_revision_is_caught_in_both_modes_once_committed(tmp_path, options):
    root = committed(tmp_path)
    forged = revised(record(), ["notes"], at="2099-01-01T00:00:00Z", injured=9)
    write_record(root, forged)
    if options:  # committed on the branch: only --changed-since still sees the change
        git(root, "commit", "-q", "-am", "typo")
    assert codes(root, **options) == [
        ("history-changed-at", INCIDENT, "revisions[1].changed_at"),
        ("history-fields-changed", INCIDENT, "revisions[1].fields_changed"),
    ]


def test_changed_since_compares_with_the_merge_base_not_head(tmp_path):
    root = committed(tmp_path)
    write_record(root, record(injured=9))  # no revision at all
    git(root, "commit", "-q", "-am", "no revision")
    assert codes(root) == []  # HEAD holds the change: nothing differs from it
    assert codes(root, changed_since="main") == [("history-unrevised", INCIDENT, "revisions")]


def test_a_record_deleted_and_committed_is_caught_by_changed_since(tmp_path):
    root = committed(tmp_path)
    git(root, "rm", "-q", f"data/records/{SECOND}.yaml")
    assert codes(root) == [("deleted-record", SECOND, None)]
    git(root, "commit", "-q", "-m", "gone")
    assert codes(root, changed_since="main") == [("deleted-record", SECOND, None)]


def test_an_id_deleted_then_added_again_is_caught_in_both_modes(tmp_path):
    root = committed(tmp_path)
    git(root, "rm", "-q", f"data/records/{SECOND}.yaml")
    git(root, "commit", "-q", "-m", "gone")
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "pr")  # the deletion is on main now
    git(root, "checkout", "-q", "pr")
    write_record(root, record(SECOND, summary="Another incident."))
    assert codes(root) == [("id-reused", SECOND, "incident_id")]
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "back")
    assert codes(root, changed_since="main") == [("id-reused", SECOND, "incident_id")]


def test_a_withdrawn_record_made_active_is_caught_even_with_a_revision(tmp_path):
    gone = revised(record(SECOND), ["status", "status_reason"], status="withdrawn", status_reason="Not real.")
    root = committed(tmp_path, record(), gone)
    write_record(root, revised(gone, ["status", "status_reason"], status="active", status_reason=None))
    assert codes(root) == [("tombstone-reactivated", SECOND, "status")]
    git(root, "commit", "-q", "-am", "back")
    assert codes(root, changed_since="main") == [("tombstone-reactivated", SECOND, "status")]


def test_a_correction_made_by_the_tools_is_valid(tmp_path):
    root = committed(tmp_path)
    write_record(root, revised(record(), ["injured", "notes"], injured=3, notes="A later report."))
    assert codes(root) == [] and codes(root, changed_since="main") == []


def test_rewritten_revisions_are_caught(tmp_path):
    root = committed(tmp_path)
    first = {**record()["revisions"][0], "changed_by": "Someone else"}
    write_record(root, record(revisions=[first]))
    assert codes(root) == [("history-rewritten", INCIDENT, "revisions")]


def test_a_revision_dated_before_the_one_before_it_is_caught(tmp_path):
    root = committed(tmp_path)
    write_record(root, revised(record(), ["injured"], at="2020-01-01T00:00:00Z", injured=3))
    assert codes(root) == [("history-changed-at", INCIDENT, "revisions[1].changed_at")]


def test_two_revisions_added_at_once_name_the_changes_between_them(tmp_path):
    root = committed(tmp_path)
    once = revised(record(), ["injured"], injured=3)
    write_record(root, revised(once, ["notes"], at="2024-04-02T10:00:00Z", notes="A later report."))
    assert codes(root) == []
    write_record(root, revised(once, ["summary"], at="2024-04-02T10:00:00Z", notes="A later report."))
    assert codes(root) == [("history-fields-changed", INCIDENT, "revisions[2].fields_changed")]


def test_outside_git_nothing_is_compared(tmp_path):
    root = committed(tmp_path / "repo")
    write_record(root, revised(record(), ["notes"], injured=9))
    bundle = tmp_path / "bundle"
    shutil.copytree(root, bundle, ignore=shutil.ignore_patterns(".git"))
    assert history_vs_git.check(Layout(bundle), "HEAD", dt.datetime.now(dt.UTC)) == []
    assert codes(bundle) == []


def test_the_offered_pre_commit_hook_stops_a_commit_that_deletes_a_record(tmp_path):
    """The hook of .pre-commit-hooks.yaml, run by pre-commit itself (as a local hook of the project's
    environment) on a commit whose only change is `git rm` of a committed record."""
    root = committed(tmp_path / "repo")
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    local = {"repo": "local", "hooks": [{**hook, "language": "system"}]}
    (root / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [local]}), encoding="utf-8")
    git(root, "add", ".pre-commit-config.yaml")
    git(root, "commit", "-q", "-m", "hooks")
    git(root, "rm", "-q", f"data/records/{SECOND}.yaml")
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ["PATH"], "PRE_COMMIT_HOME": str(tmp_path / "h")}
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run"], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1 and "deleted-record" in done.stdout, done.stdout + done.stderr


def test_one_new_revision_naming_a_field_that_did_not_change_is_caught(tmp_path):
    root = committed(tmp_path)
    write_record(root, revised(record(), ["injured", "notes"], injured=3))
    assert codes(root) == [("history-fields-changed", INCIDENT, "revisions[1].fields_changed")]
