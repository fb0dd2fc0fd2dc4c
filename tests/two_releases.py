"""A git repository with two releases and a history between them, for the changes table, time travel and
the loader: v0.1.0 of three records, then a correction, a withdrawal, a merge and a new record, released as
the next version; each commit dated, so that a date between the releases has a known state."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from factories import INCIDENT, record, write_record
from incidents import records
from incidents.cli import cli
from releasing import releasable

OTHER = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T11"
THIRD = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T22"
FOURTH = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T33"
FIRST_DAY, BETWEEN, SECOND_DAY = "2026-11-25", "2026-11-26", "2026-11-27"


@dataclass(frozen=True)
class Repo:
    root: Path
    first: str  # the first release's tag
    second: str  # the second's


def run(root: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--root", str(root), *args])
    assert result.exit_code == 0, result.output
    return result.output


def commit(root: Path, message: str, day: str) -> None:
    when = {"GIT_AUTHOR_DATE": f"{day}T12:00:00Z", "GIT_COMMITTER_DATE": f"{day}T12:00:00Z"}
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    for args in (["add", "-A"], ["commit", "-q", "-m", message]):
        subprocess.run([*git, *args], cwd=root, check=True, capture_output=True, env={**os.environ, **when})


def two_releases(root: Path) -> Repo:
    releasable(root, record(), record(OTHER), record(THIRD))
    (root / ".gitignore").write_text("data/.build.lock\ndist/\n.incidents-cache/\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    run(root, "release", "--date", FIRST_DAY)
    commit(root, "v0.1.0", FIRST_DAY)

    path = root / f"data/records/{INCIDENT}.yaml"
    edited = records.read(path, INCIDENT).data
    edited["notes"] = "A second report confirms the place."
    path.write_text(records.dump(edited))
    run(root, "correct", INCIDENT, "--reason", "Second report.", "--by", "Reviewer")
    run(root, "withdraw", THIRD, "--reason", "A traffic accident, not in scope.", "--by", "Reviewer")
    run(root, "merge", OTHER, "--into", INCIDENT, "--reason", "Same attack, reported twice.", "--by", "Reviewer")
    write_record(root, record(FOURTH))
    commit(root, "Corrections and a new record", BETWEEN)
    output = run(root, "release", "--date", SECOND_DAY)
    commit(root, "second release", SECOND_DAY)
    second = output.split()[1].rstrip(":")  # "released v0.2.0: minor bump ..."
    return Repo(root, "v0.1.0", second)
