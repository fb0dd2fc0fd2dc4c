"""The changes table: one row per revision, with what it did and the first release that published it, so a
copy of the dataset is kept in sync by reading that one table."""

from __future__ import annotations

import io
import json

import pyarrow.parquet as pq
import pytest

from incidents.release import bundle
from two_releases import FOURTH, OTHER, THIRD, run, two_releases


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return two_releases(tmp_path_factory.mktemp("repo"))


def bundle_table(repo, tag, name):
    zipped = next((repo.root / "dist").glob(f"*-{tag}.zip"))
    files = bundle.read_zip(zipped)
    return pq.read_table(io.BytesIO(files[f"data/tables/{name}.parquet"])).to_pylist()


def test_a_copy_of_the_first_release_applies_the_second_releases_changes_and_becomes_the_second(repo):
    copy = {row["incident_id"]: row["status"] for row in bundle_table(repo, repo.first, "incidents")}
    changes = bundle_table(repo, repo.second, "changes")
    newer = [row for row in changes if row["release"] != repo.first]
    assert {row["release"] for row in newer} == {repo.second}
    for row in sorted(newer, key=lambda r: (r["changed_at"], r["revision"])):
        if row["change"] != "corrected":  # a correction changes values, not what the record is
            copy[row["incident_id"]] = "active" if row["change"] == "added" else row["change"]
    second = {row["incident_id"]: row["status"] for row in bundle_table(repo, repo.second, "incidents")}
    assert copy == second
    assert copy[FOURTH] == "active" and copy[THIRD] == "withdrawn" and copy[OTHER] == "merged"
    merged = next(row for row in newer if row["incident_id"] == OTHER)
    assert merged["merged_into"] == next(
        r["merged_into"] for r in bundle_table(repo, repo.second, "incidents") if r["incident_id"] == OTHER
    )


def test_the_changes_table_is_described_in_the_package_and_rebuilt_identically_after_the_release(repo):
    descriptor = json.loads((repo.root / "datapackage.json").read_text())
    resource = next(r for r in descriptor["resources"] if r["name"] == "changes")
    names = [f["name"] for f in resource["schema"]["fields"]]
    assert names[:2] == ["incident_id", "revision"] and names[-3:] == ["change", "merged_into", "release"]
    assert "x-extends" not in resource["schema"]  # resolved: the descriptor is a plain Table Schema
    assert "valid" in run(repo.root, "validate")  # the build's changes table is the one the release wrote


def test_a_revision_no_release_holds_yet_has_an_empty_release(dataset):
    from incidents.build import build

    assert build(dataset.root).problems == []
    rows = pq.read_table(dataset.tables / "changes.parquet").to_pylist()
    assert [(r["revision"], r["change"], r["release"]) for r in rows] == [(1, "added", None)]
