"""Cutting releases: the version from the diff, what each release writes, and byte-identical bundles."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from click.testing import CliRunner

from factories import INCIDENT
from incidents.cli import cli
from incidents.core.layout import Layout
from incidents.records.fingerprints import history_sha256, sha256
from incidents.release import ReleaseError, bundle, manifest, rebuild_bundle, release
from incidents.validate import validate
from releasing import DAY, read_record, releasable, revise, second, write_record

REPO = Path(__file__).resolve().parents[2]
ZIP = "dist/test-incidents-v{}.zip"


def test_the_first_release_is_0_1_0_and_writes_everything(tmp_path):
    layout = releasable(tmp_path)
    outcome = release(tmp_path, date=DAY)
    assert outcome.plan and (outcome.plan.version, outcome.plan.bump) == ("0.1.0", "minor")
    for path in ("releases/v0.1.0.json", ZIP.format("0.1.0"), "CHANGELOG.md", "CITATION.cff"):
        assert (tmp_path / path).is_file(), path
    assert "version: 0.1.0" in layout.package.read_text()
    assert f"- Added (1): {INCIDENT}" in layout.changelog.read_text()
    assert validate(tmp_path) == []  # the rebuilt tables are in step, nothing of the release is lost


def test_the_manifest_lists_every_bundle_file_and_every_record(tmp_path):
    releasable(tmp_path)
    release(tmp_path, date=DAY)
    data = json.loads((tmp_path / "releases/v0.1.0.json").read_bytes())
    with zipfile.ZipFile(tmp_path / ZIP.format("0.1.0")) as archive:
        inside = {i.filename.split("/", 1)[1]: archive.read(i) for i in archive.infolist()}
    assert {f["path"] for f in data["files"]} == set(inside) - {"manifest.json"}
    for entry in data["files"]:
        assert (entry["bytes"], entry["sha256"]) == (len(inside[entry["path"]]), sha256(inside[entry["path"]]))
    assert inside["manifest.json"] == (tmp_path / "releases/v0.1.0.json").read_bytes()
    (entry,) = data["records"]
    revisions = read_record(Layout(tmp_path), INCIDENT)["revisions"]
    assert entry == {
        "incident_id": INCIDENT,
        "status": "active",
        "merged_into": None,
        "revision": 1,
        "history_sha256": history_sha256(revisions),
        "content_sha256": entry["content_sha256"],
    }
    assert set(data["schema"]) == {"tables", "codelists"} and "riots" in data["schema"]["codelists"]["event_type"]
    for required in ("datapackage.json", "data/tables/incidents.parquet", "CHANGELOG.md", "LICENSE", "CITATION.cff"):
        assert required in inside


def test_parquet_carries_the_released_version_and_descriptions(tmp_path):
    layout = releasable(tmp_path)
    release(tmp_path, date=DAY)
    revise(layout, INCIDENT, injured=2)
    release(tmp_path, date=DAY)
    parquet = pq.ParquetFile(layout.tables / "incidents.parquet")
    assert parquet.schema_arrow.metadata[b"package_version"] == b"0.1.1"
    assert parquet.schema_arrow.field("injured").metadata[b"description"]
    assert parquet.metadata.row_group(0).column(0).compression == "ZSTD"
    assert json.loads(layout.descriptor.read_text())["version"] == "0.1.1"


def test_building_the_bundle_twice_gives_the_same_bytes(tmp_path):
    releasable(tmp_path)
    release(tmp_path, date=DAY)
    path = tmp_path / ZIP.format("0.1.0")
    first = path.read_bytes()
    path.unlink()
    assert rebuild_bundle(tmp_path, "v0.1.0") == path
    assert path.read_bytes() == first
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {(i.date_time, i.external_attr >> 16) for i in infos} == {((1980, 1, 1, 0, 0, 0), 0o100644)}


def test_the_same_data_released_in_two_folders_gives_the_same_zip(tmp_path):
    for name in ("a", "b"):
        releasable(tmp_path / name)
        release(tmp_path / name, date=DAY)
    a, b = ((tmp_path / name / ZIP.format("0.1.0")).read_bytes() for name in ("a", "b"))
    assert a == b


def test_a_bundle_is_not_rebuilt_from_files_that_changed_since_the_release(tmp_path):
    layout = releasable(tmp_path)
    release(tmp_path, date=DAY)
    revise(layout, INCIDENT, injured=2)
    CliRunner().invoke(cli, ["--root", str(tmp_path), "build"])
    with pytest.raises(ReleaseError, match="data/tables/incidents.csv"):
        rebuild_bundle(tmp_path, "0.1.0")


def test_an_added_record_proposes_a_minor_release(tmp_path):
    releasable(tmp_path)
    release(tmp_path, date=DAY)
    write_record(tmp_path, second())
    outcome = release(tmp_path, date=DAY)
    assert outcome.plan and (outcome.plan.proposed, outcome.plan.version) == ("minor", "0.2.0")


def test_a_correction_proposes_a_patch_release_and_the_changelog_names_the_fields(tmp_path):
    layout = releasable(tmp_path)
    release(tmp_path, date=DAY)
    revise(layout, INCIDENT, fatalities_best=3, fatalities_high=3)
    outcome = release(tmp_path, date=DAY)
    assert outcome.plan and (outcome.plan.proposed, outcome.plan.version) == ("patch", "0.1.1")
    log = layout.changelog.read_text()
    assert f"  - {INCIDENT} (revision 1 -> 2): fatalities_best, fatalities_high" in log
    assert log.index("## v0.1.1") < log.index("## v0.1.0")


def test_a_withdrawal_is_in_the_changelog_with_its_reason(tmp_path):
    layout = releasable(tmp_path)
    release(tmp_path, date=DAY)
    revise(layout, INCIDENT, status="withdrawn", status_reason="The report described an exercise.")
    outcome = release(tmp_path, date=DAY)
    assert outcome.plan and outcome.plan.bump == "patch"
    assert f"- Withdrawn (1):\n  - {INCIDENT}: The report described an exercise." in layout.changelog.read_text()


def test_a_bump_may_be_raised(tmp_path):
    layout = releasable(tmp_path)
    release(tmp_path, date=DAY)
    revise(layout, INCIDENT, injured=2)
    outcome = release(tmp_path, requested="major", date=DAY)
    assert outcome.plan and outcome.plan.version == "1.0.0"
    assert "Bump: major (proposed: patch, raised by the maintainer)" in layout.changelog.read_text()


def test_a_bump_may_never_be_lowered(tmp_path):
    releasable(tmp_path)
    release(tmp_path, date=DAY)
    write_record(tmp_path, second())
    with pytest.raises(ReleaseError, match="--bump patch is lower than the changes allow: they call for a minor"):
        release(tmp_path, requested="patch", date=DAY)
    assert manifest.versions(Layout(tmp_path)) == [(0, 1, 0)]


def test_nothing_changed_means_nothing_to_release(tmp_path):
    releasable(tmp_path)
    release(tmp_path, date=DAY)
    with pytest.raises(ReleaseError, match="nothing changed since v0.1.0"):
        release(tmp_path, date=DAY)


def test_an_invalid_dataset_is_not_released(tmp_path):
    layout = releasable(tmp_path)
    data = read_record(layout, INCIDENT)
    data["fatalities_low"] = 9
    write_record(tmp_path, data)
    outcome = release(tmp_path, date=DAY)
    assert outcome.problems and not (tmp_path / "releases").exists()


def test_dry_run_writes_nothing(tmp_path):
    releasable(tmp_path)
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "release", "--dry-run", "--date", "2026-11-25"])
    assert result.exit_code == 0 and "would release v0.1.0" in result.output
    assert "## v0.1.0 (2026-11-25)" in result.output
    assert not (tmp_path / "releases").exists() and not (tmp_path / "CHANGELOG.md").exists()


def test_release_command_refuses_a_lower_bump_with_exit_2(tmp_path):
    releasable(tmp_path)
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "release", "--bump", "patch"])
    assert result.exit_code == 2 and "never lowered" in result.output


def check_cff(text):
    """The rules of CFF 1.2.0 a citation must meet (required keys, types, formats)."""
    data = yaml.safe_load(text)
    assert data["cff-version"] == "1.2.0"
    assert isinstance(data["message"], str) and isinstance(data["title"], str)
    assert data["authors"] and all(isinstance(a.get("name"), str) for a in data["authors"])
    assert data["type"] in ("dataset", "software")
    assert isinstance(data["date-released"], str) and manifest.VERSION.match(data["version"])
    assert len(data["date-released"]) == 10 and data["date-released"][4] == "-"
    return data


def test_the_citation_carries_the_version_and_date(tmp_path):
    layout = releasable(tmp_path)
    release(tmp_path, date=DAY)
    data = check_cff(layout.citation.read_text())
    assert (data["version"], data["date-released"], data["license"]) == ("0.1.0", "2026-11-25", "CC-BY-4.0")
    # Zenodo reads .zenodo.json, not CITATION.cff, when it archives a release: both are written together.
    zenodo = json.loads(layout.zenodo.read_text())
    assert (zenodo["version"], zenodo["publication_date"], zenodo["upload_type"]) == ("0.1.0", "2026-11-25", "dataset")


def test_the_repository_has_cut_v0_1_0_of_the_seed_records():
    data = json.loads((REPO / "releases/v0.1.0.json").read_text())
    assert data["version"] == "0.1.0" and len(data["records"]) == 4
    assert check_cff((REPO / "CITATION.cff").read_text())["version"]
    assert (REPO / "LICENSE").read_text().startswith("MIT License")
    assert "Attribution 4.0 International" in (REPO / "LICENSE-DATA").read_text()
    assert set(bundle.LICENSE_FILES) <= {p.name for p in REPO.iterdir()}
