"""`incidents validate --changed-since REF`: the changed files get the problems a full validate finds in
them, a deleted record is reported, and nothing else of the dataset is parsed."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from factories import ACTOR_A, INCIDENT, TODAY, git, make_dataset, quote, record, write_record
from incidents.cli import cli
from incidents.records import dataset
from incidents.release import release
from incidents.validate import files as filecheck
from incidents.validate import validate
from releasing import DAY, releasable, second

IDS = [f"inc_01KAXQ8N5D4C3R6E0J2VWZ{n:04d}" for n in range(200)]
GHOST_ACTOR = "act_01KAXQ8N5D4C3R6E0J2VWZ7TZZ"


def repository(root: Path) -> Path:
    """A dataset of 200 records committed on main, and a branch `pr` with one committed change."""
    make_dataset(root, *(record(i) for i in IDS))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "pr")
    write_record(root, record(IDS[0], fatalities_best="two"))  # committed on the branch: a schema error
    git(root, "commit", "-q", "-am", "change")
    return root


def test_changed_files_get_the_problems_a_full_validate_finds_in_them(tmp_path, monkeypatch):
    root = repository(tmp_path / "repo")
    write_record(root, record(IDS[1], fatalities_low=5))  # staged: low above best and high
    git(root, "add", "-A")
    write_record(root, record(IDS[2], actors=[{"actor_id": GHOST_ACTOR, "role": "side_a"}]))  # unstaged
    write_record(root, record(IDS[3], summary="A quieter day."))  # unstaged, valid
    (root / "data/records" / f"{IDS[4]}.yaml").unlink()  # deleted
    bad = quote("One officer was injured.", ["injured"]) | {"quote": "Two officers were injured."}
    added = record("inc_01KAXQ8N5D4C3R6E0J2VWZ9999", evidence=[*record()["evidence"][:2], bad])
    write_record(root, added)  # untracked
    parsed: list[str] = []
    original = filecheck.check_chunk
    monkeypatch.setattr(
        filecheck, "check_chunk", lambda items, fp=True: parsed.extend(d for *_, d in items) or original(items, fp)
    )
    stat_ed: list[str] = []
    lstat = dataset._lstat
    monkeypatch.setattr(dataset, "_lstat", lambda path: stat_ed.append(Path(path).name) or lstat(path))

    found = validate(root, changed_since="main", today=TODAY)
    read_for_it = set(parsed)
    # git vouches for the tracked files whose bytes are the index's (the staged one too): the rest is stat-ed
    assert sorted(stat_ed) == sorted(f"{i}.yaml" for i in [IDS[2], IDS[3], added["incident_id"]])

    changed = {f"data/records/{i}.yaml" for i in [*IDS[:4], added["incident_id"]]}
    full = validate(root, today=TODAY)
    deleted = f"data/records/{IDS[4]}.yaml"
    history = ("deleted-record", "history-unrevised")  # against main's history here, HEAD's in a full validate
    assert [p for p in found if p.code not in history] == [
        p for p in full if p.file in changed and p.code not in history
    ]
    assert {p.code for p in found} >= {"schema-type", "fatality-range", "dangling-reference", "evidence-quote"}
    assert [(p.file, p.record) for p in found if p.code == "deleted-record"] == [(deleted, IDS[4])]
    assert len(read_for_it) < 10  # the changed files and the few they point at (actors, the source)
    assert f"data/actors/{ACTOR_A}.yaml" in read_for_it


def test_an_unknown_ref_is_a_usage_error(tmp_path):
    root = repository(tmp_path / "repo")
    result = CliRunner().invoke(cli, ["--root", str(root), "validate", "--changed-since", "no-such-ref"])
    assert result.exit_code == 2 and "no-such-ref" in result.output


def test_no_change_is_valid(tmp_path):
    root = repository(tmp_path / "repo")
    write_record(root, record(IDS[0]))
    result = CliRunner().invoke(cli, ["--root", str(root), "validate", "--changed-since", "main"])
    assert result.exit_code == 0, result.output


def test_released_records_keep_their_continuity_checks(tmp_path):
    layout = releasable(tmp_path, record(), second())
    release(tmp_path, date=DAY)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "released")
    (layout.records / f"{INCIDENT}.yaml").unlink()
    write_record(tmp_path, second(injured=4))  # a published value changed without a revision

    found = validate(tmp_path, changed_since="main", today=TODAY)

    codes = {(p.code, p.record) for p in found}
    assert codes == {
        ("continuity-missing", INCIDENT),
        ("deleted-record", INCIDENT),
        ("continuity-unrevised", second()["incident_id"]),
        ("history-unrevised", second()["incident_id"]),  # and against the commit
    }
    full = [p for p in validate(tmp_path, today=TODAY) if p.code.startswith("continuity")]
    assert [p for p in found if p.code.startswith("continuity")] == full
