"""The bookkeeping commands on files and in git: what they write, what they refuse, what history shows."""

from __future__ import annotations

import json
import subprocess

import pytest
from click.testing import CliRunner
from filelock import FileLock

from factories import INCIDENT, TODAY, make_dataset, quote, record, source_meta, write_record, write_yaml
from incidents import records, validate
from incidents.cli import cli
from incidents.core.layout import Layout
from incidents.records import lifecycle_files as bookkeeping

OTHER = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T11"
THIRD = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T22"
LATER = "Update: a later report says three officers were injured near the Qamishli market.\n"


def run(root, *args):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def git(root, *args):
    command = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run([*command, *args], cwd=root, check=True, capture_output=True)


def commit(root, message="change"):
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path):
    """Two valid records, committed to a fresh git repository."""
    make_dataset(tmp_path, record(), record(OTHER))
    (tmp_path / ".gitignore").write_text("data/.build.lock\n")  # as in the project's own .gitignore
    git(tmp_path, "init", "-q")
    commit(tmp_path, "first coding")
    return tmp_path


def read(root, incident_id):
    return records.read(root / "data/records" / f"{incident_id}.yaml", incident_id).data


def edit(root, incident_id, *evidence, **changes):
    """Edit a record file by hand, as a contributor would: new values, evidence items added."""
    data = read(root, incident_id)
    data.update(changes)
    data["evidence"] = [*data["evidence"], *evidence]
    write_record(root, data)


def later(sentence, supports):
    """An evidence item quoting the later report, archived (uncommitted) beside the first."""
    return quote(sentence, supports, text=LATER, source=source_meta(LATER)["source_id"])


def archive_later(root):
    layout = Layout(root)
    meta = source_meta(LATER)
    layout.source_text(meta["source_id"]).write_text(LATER, encoding="utf-8")
    write_yaml(layout.source_meta(meta["source_id"]), meta)


def status(root):
    return subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True).stdout


def history(root, incident_id):
    result = run(root, "history", incident_id, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["revisions"]


def test_withdraw_rewrites_only_the_record_and_keeps_it_valid(repo):
    result = run(repo, "withdraw", INCIDENT, "--reason", "A traffic accident, not in scope.", "--by", "Reviewer")
    assert result.exit_code == 0, result.output
    assert f"wrote data/records/{INCIDENT}.yaml" in result.output
    changed = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout
    assert changed.split() == ["M", f"data/records/{INCIDENT}.yaml"]
    withdrawn = read(repo, INCIDENT)
    assert withdrawn["status"] == "withdrawn" and withdrawn["revisions"][-1]["changed_by"] == "Reviewer"
    assert (repo / f"data/records/{INCIDENT}.yaml").read_text() == records.dump(withdrawn), "canonical YAML"
    assert validate.validate(repo, today=TODAY) == []


def test_history_after_correct_withdraw_and_merge(repo):
    archive_later(repo)
    edit(repo, INCIDENT, later("three officers were injured", ["injured"]), injured=3)
    corrected = run(repo, "correct", INCIDENT, "--reason", "A later report gives three injured.", "--by", "Coder")
    assert corrected.exit_code == 0 and "fields changed: injured, evidence" in corrected.output
    commit(repo)
    assert run(repo, "merge", OTHER, "--into", INCIDENT, "--reason", "Same clash.", "--by", "Reviewer").exit_code == 0
    commit(repo)
    mine = history(repo, INCIDENT)
    assert [(r["revision"], r["changed_by"], r["reason"]) for r in mine] == [
        (1, "Test Coder", "First coding."),
        (2, "Coder", "A later report gives three injured."),
    ]
    assert mine[1]["changes"][0] == {"field": "injured", "old": 1, "new": 3}
    assert [c["field"] for c in mine[1]["changes"]] == ["injured", "evidence"]
    theirs = history(repo, OTHER)
    assert theirs[1]["fields_changed"] == ["status", "status_reason", "merged_into"]
    assert {c["field"]: c["new"] for c in theirs[1]["changes"]}["merged_into"] == INCIDENT

    assert run(repo, "withdraw", OTHER, "--reason", "x", "--by", "R").exit_code == 1, "a merged record stays merged"
    human = run(repo, "history", INCIDENT).output
    assert "revision 2" in human and "by Coder" in human and "injured: 1 -> 3" in human

    write_record(repo, record(THIRD))
    commit(repo)
    assert run(repo, "withdraw", THIRD, "--reason", "Not in scope.", "--by", "Reviewer").exit_code == 0
    commit(repo)
    last = history(repo, THIRD)[-1]
    assert (last["revision"], last["changed_by"], last["reason"]) == (2, "Reviewer", "Not in scope.")
    assert last["changes"][0] == {"field": "status", "old": "active", "new": "withdrawn"}


def test_withdrawing_a_merge_target_writes_both_tombstones_and_stays_valid(repo):
    assert run(repo, "merge", OTHER, "--into", INCIDENT, "--reason", "Same clash.", "--by", "R").exit_code == 0
    result = run(repo, "withdraw", INCIDENT, "--reason", "Not in scope.", "--by", "R")
    assert result.exit_code == 0
    assert (
        f"wrote data/records/{INCIDENT}.yaml" in result.output and f"wrote data/records/{OTHER}.yaml" in result.output
    )
    assert [read(repo, i)["status"] for i in (INCIDENT, OTHER)] == ["withdrawn", "withdrawn"]
    assert [r["revision"] for r in read(repo, OTHER)["revisions"]] == [1, 2, 3]
    assert validate.validate(repo, today=TODAY) == []


def test_withdraw_refuses_hand_edits_that_no_revision_records(repo):
    path = repo / "data/records" / f"{INCIDENT}.yaml"
    path.write_text(path.read_text().replace("injured: 1", "injured: 3"))
    result = run(repo, "withdraw", INCIDENT, "--reason", "Not in scope.", "--by", "R")
    assert result.exit_code == 1 and "no revision records (injured)" in result.output
    assert f"incidents correct {INCIDENT}" in result.output and read(repo, INCIDENT)["status"] == "active"


def test_history_of_an_uncommitted_withdrawal_shows_its_values(repo):
    run(repo, "withdraw", INCIDENT, "--reason", "Not in scope.", "--by", "Reviewer")
    changes = history(repo, INCIDENT)[1]["changes"]
    assert changes == [
        {"field": "status", "old": "active", "new": "withdrawn"},
        {"field": "status_reason", "old": None, "new": "Not in scope."},
    ]


def test_history_outside_git_lists_the_fields(tmp_path):
    done = record(revisions=[*record()["revisions"], {**record()["revisions"][0], "revision": 2, "reason": "Fix."}])
    make_dataset(tmp_path, done)
    revisions = history(tmp_path, INCIDENT)
    assert [r["changes"] for r in revisions] == [None, None]
    assert "  fields: date_start" in run(tmp_path, "history", INCIDENT).output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["withdraw", "inc_01KAXQ8N5D4C3R6E0J2VWZ7T99", "--reason", "x"], "no record inc_01KAXQ8N5D4C3R6E0J2VWZ7T99"),
        (["withdraw", "../../etc/passwd", "--reason", "x"], "is not an incident id"),
        (["merge", INCIDENT, "--into", INCIDENT, "--reason", "x"], "cannot be merged into itself"),
        (["merge", INCIDENT, "--into", "inc_01KAXQ8N5D4C3R6E0J2VWZ7T99", "--reason", "x"], "no record"),
        (["history", "inc_01KAXQ8N5D4C3R6E0J2VWZ7T99"], "no record"),
        (["correct", INCIDENT, "--reason", "x"], "nothing changed"),
    ],
    ids=["unknown-id", "a-path", "self-merge", "unknown-target", "history-unknown", "correct-nothing"],
)
def test_refusals_are_clear_errors_and_write_nothing(repo, args, message):
    result = run(repo, *args, "--by", "Reviewer") if args[0] != "history" else run(repo, *args)
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    assert subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout == ""


def test_merge_into_a_withdrawn_record_is_refused(repo):
    assert run(repo, "withdraw", INCIDENT, "--reason", "Not real.", "--by", "R").exit_code == 0
    result = run(repo, "merge", OTHER, "--into", INCIDENT, "--reason", "Duplicate.", "--by", "R")
    assert result.exit_code == 1 and f"{INCIDENT} is withdrawn, not active" in result.output
    assert read(repo, OTHER)["status"] == "active"


def test_a_held_lock_is_a_clear_error_not_a_race(repo, monkeypatch):
    monkeypatch.setattr(bookkeeping, "LOCK_WAIT_SECONDS", 0)
    with FileLock(repo / "data/.build.lock"):
        result = run(repo, "withdraw", INCIDENT, "--reason", "Not real.", "--by", "R")
    assert result.exit_code == 1 and "holds data/.build.lock" in result.output
    assert read(repo, INCIDENT)["status"] == "active"


def test_a_folder_without_records_is_a_clear_error(tmp_path):
    result = run(tmp_path, "withdraw", INCIDENT, "--reason", "x", "--by", "R")
    assert result.exit_code == 1 and "no data/records/ folder" in result.output


def test_correct_outside_git_is_a_clear_error(tmp_path):
    make_dataset(tmp_path)
    result = run(tmp_path, "correct", INCIDENT, "--reason", "Fix.", "--by", "R")
    assert result.exit_code == 1 and "is not in a git repository" in result.output


def test_correct_before_the_first_commit_says_so(tmp_path):
    make_dataset(tmp_path)
    git(tmp_path, "init", "-q")
    result = run(tmp_path, "correct", INCIDENT, "--reason", "Fix.", "--by", "R")
    assert result.exit_code == 1 and "has no HEAD commit yet" in result.output


def test_correct_of_a_never_committed_record_says_so(repo):
    write_record(repo, record("inc_01KAXQ8N5D4C3R6E0J2VWZ7T33"))
    result = run(repo, "correct", "inc_01KAXQ8N5D4C3R6E0J2VWZ7T33", "--reason", "Fix.", "--by", "R")
    assert result.exit_code == 1 and "has no committed version in HEAD" in result.output


def test_an_unreadable_record_is_named_not_a_traceback(repo):
    (repo / "data/records" / f"{INCIDENT}.yaml").write_text("status: [unclosed\n")
    result = run(repo, "withdraw", INCIDENT, "--reason", "x", "--by", "R")
    assert result.exit_code == 1 and f"data/records/{INCIDENT}.yaml" in result.output and "YAML syntax" in result.output


def test_correcting_location_without_a_new_quote_is_refused_and_writes_nothing(repo):
    edit(repo, INCIDENT, location="Qamishli market")
    before = (repo / "data/records" / f"{INCIDENT}.yaml").read_text()
    result = run(repo, "correct", INCIDENT, "--reason", "A later report places it at the market.", "--by", "Coder")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{INCIDENT}: location changed without a quote that gives the new value" in result.output
    assert '"Khaleej Street, Qamishli" -> "Qamishli market"' in result.output
    assert "no evidence item added or changed since the last commit lists location in supports" in result.output
    assert "Add an evidence item quoting the source that gives the new value, with supports: [location]" in " ".join(
        result.output.split()
    )
    assert (repo / "data/records" / f"{INCIDENT}.yaml").read_text() == before
    assert status(repo).split() == ["M", f"data/records/{INCIDENT}.yaml"]


def test_correcting_location_with_a_new_quote_takes_it_off_the_old_one(repo):
    archive_later(repo)
    edit(repo, INCIDENT, later("near the Qamishli market", ["location"]), location="Qamishli market")
    result = run(repo, "correct", INCIDENT, "--reason", "A later report places it at the market.", "--by", "Coder")
    assert result.exit_code == 0, result.output
    assert "fields changed: location, evidence" in result.output
    assert (
        'evidence: took location off the supports of the earlier quote "On Thursday, militia fighters attacked a police'
        in result.output
    )
    after = read(repo, INCIDENT)
    assert after["location"] == "Qamishli market"
    listing = [item["quote"] for item in after["evidence"] if "location" in item["supports"]]
    assert listing == ["near the Qamishli market"]
    assert after["evidence"][0]["supports"] == ["date_start", "actors", "event_type"]
    assert after["revisions"][-1]["fields_changed"] == ["location", "evidence"]
    assert validate.validate(repo, today=TODAY) == []


def test_an_earlier_quote_left_supporting_nothing_is_removed_and_said(repo):
    archive_later(repo)
    edit(repo, INCIDENT, later("three officers were injured", ["injured"]), injured=3)
    result = run(repo, "correct", INCIDENT, "--reason", "A later report gives three injured.", "--by", "Coder")
    assert result.exit_code == 0, result.output
    assert 'evidence: removed the earlier quote "One officer was injured.": it supported only injured' in result.output
    assert "One officer was injured." not in [item["quote"] for item in read(repo, INCIDENT)["evidence"]]
    assert validate.validate(repo, today=TODAY) == []


def test_correcting_notes_and_tags_needs_no_quote(repo):
    edit(repo, INCIDENT, notes="A second report confirms the place.", tags=["patrol", "market"])
    result = run(repo, "correct", INCIDENT, "--reason", "Reviewed against a second report.", "--by", "Coder")
    assert result.exit_code == 0, result.output
    assert "fields changed: notes, tags" in result.output and "evidence:" not in result.output
    assert read(repo, INCIDENT)["evidence"] == record()["evidence"]


def test_history_shows_what_really_changed_and_says_when_fields_changed_disagrees(repo):
    """A forged revision: a count changed, and a revision naming another field. History shows the count."""
    forged = read(repo, INCIDENT)
    stamp = {**forged["revisions"][0], "revision": 2, "reason": "Typo in the notes.", "fields_changed": ["notes"]}
    write_record(repo, {**forged, "injured": 9, "revisions": [*forged["revisions"], stamp]})
    commit(repo, "forged")
    (entry,) = history(repo, INCIDENT)[1:]
    assert entry["changes"] == [{"field": "injured", "old": 1, "new": 9}]
    assert entry["disagreement"] == "fields_changed names notes, but the values that changed are those of injured"
    human = run(repo, "history", INCIDENT).output
    assert "  injured: 1 -> 9" in human and "notes:" not in human
    assert "  (fields_changed names notes, but the values that changed are those of injured)" in human
