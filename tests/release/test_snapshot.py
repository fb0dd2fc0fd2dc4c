"""Time travel: `incidents snapshot` writes the tables as a release published them, or as they stood on a day."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from incidents.records.fingerprints import sha256
from two_releases import BETWEEN, FOURTH, THIRD, run, two_releases


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return two_releases(tmp_path_factory.mktemp("repo"))


def test_a_version_gives_the_bytes_its_manifest_lists(repo, tmp_path):
    output = run(repo.root, "snapshot", "--version", repo.first, "--output", str(tmp_path / "out"))
    assert "as released in v0.1.0" in output
    manifest = json.loads((repo.root / "releases" / f"{repo.first}.json").read_text())
    listed = {e["path"]: e["sha256"] for e in manifest["files"]}
    written = {
        p.relative_to(tmp_path / "out").as_posix(): sha256(p.read_bytes())
        for p in (tmp_path / "out").rglob("*")
        if p.is_file()
    }
    assert "datapackage.json" in written and "data/tables/incidents.parquet" in written
    assert written == {path: listed[path] for path in written}
    assert set(written) == {p for p in listed if p == "datapackage.json" or p.startswith("data/tables/")}


def test_a_date_between_the_releases_gives_the_first_releases_incidents(repo, tmp_path):
    run(repo.root, "snapshot", "--as-of", BETWEEN, "--output", str(tmp_path / "then"))
    run(repo.root, "snapshot", "--version", repo.first, "--output", str(tmp_path / "first"))
    then = pq.read_table(tmp_path / "then/data/tables/incidents.parquet").select(["incident_id", "status"])
    assert then.equals(
        pq.read_table(tmp_path / "first/data/tables/incidents.parquet").select(["incident_id", "status"])
    )
    assert FOURTH not in then.column("incident_id").to_pylist()
    assert set(then.column("status").to_pylist()) == {"active"} and THIRD in then.column("incident_id").to_pylist()


def test_before_the_first_commit_and_an_unknown_version_are_refused(repo, tmp_path):
    from click.testing import CliRunner

    from incidents.cli import cli

    early = CliRunner().invoke(cli, ["--root", str(repo.root), "snapshot", "--as-of", "2020-01-01"])
    assert early.exit_code == 1 and "no commit" in early.output and "2020-01-01" in early.output
    unknown = CliRunner().invoke(cli, ["--root", str(repo.root), "snapshot", "--version", "v9.9.9"])
    assert unknown.exit_code == 1 and "no release v9.9.9" in unknown.output
    assert not (repo.root / "dist" / "snapshot-v9.9.9").exists()


def test_a_manifest_naming_a_file_outside_the_repository_is_never_followed(repo, tmp_path):
    import shutil

    from incidents.release import ReleaseError, rebuild_bundle

    copy = tmp_path / "repo"
    shutil.copytree(repo.root, copy)
    (tmp_path / "outside.txt").write_bytes(b"secret\n")
    path = copy / "releases" / f"{repo.first}.json"
    data = json.loads(path.read_text())
    data["files"].append({"path": "../outside.txt", "bytes": 7, "sha256": sha256(b"secret\n")})
    path.write_text(json.dumps(data))
    with pytest.raises(ReleaseError, match=r"differ from releases/v0\.1\.0\.json.*\.\./outside\.txt"):
        rebuild_bundle(copy, repo.first)
    run(copy, "snapshot", "--version", repo.first, "--output", str(tmp_path / "out"))
    assert not any("outside" in p.name for p in (tmp_path / "out").rglob("*"))
