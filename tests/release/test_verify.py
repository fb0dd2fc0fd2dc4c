"""Verifying a downloaded release: every changed, missing or extra file is named."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from click.testing import CliRunner

from incidents.cli import cli
from incidents.release.verify import csv_rows, verify


def bundle_of(root):
    return root / "dist/test-incidents-v0.1.0.zip"


def rezip(source, target, change=None, drop=None, add=None):
    """A copy of a bundle with one entry changed by `change(bytes)`, `drop`ped, or `add`ed."""
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            name = info.filename.split("/", 1)[1]
            if name == drop:
                continue
            content = old.read(info)
            new.writestr(info, change(name, content) if change else content)
        if add:
            new.writestr(f"{old.infolist()[0].filename.split('/')[0]}/{add}", b"surprise\n")
    target.write_bytes(out.getvalue())
    return target


def flip_one_byte(name, content, target="data/tables/incidents.csv"):
    if name != target:
        return content
    at = content.index(b"Khaleej")
    return content[:at] + b"k" + content[at + 1 :]


def codes(found):
    return {(p.file, p.code) for p in found}


def test_a_released_bundle_verifies(released):
    assert verify(bundle_of(released)).problems == []


def test_one_changed_byte_in_a_table_is_named(released, tmp_path):
    found = verify(rezip(bundle_of(released), tmp_path / "b.zip", change=flip_one_byte)).problems
    assert ("data/tables/incidents.csv", "verify-changed") in codes(found)
    assert {p.file for p in found if p.code.startswith("verify-") and p.code in ("verify-changed", "verify-size")} == {
        "data/tables/incidents.csv"
    }


def test_a_missing_file_is_named(released, tmp_path):
    found = verify(rezip(bundle_of(released), tmp_path / "b.zip", drop="data/tables/revisions.parquet")).problems
    assert ("data/tables/revisions.parquet", "verify-missing") in codes(found)


def test_an_extra_file_is_named(released, tmp_path):
    found = verify(rezip(bundle_of(released), tmp_path / "b.zip", add="data/tables/extra.csv")).problems
    assert codes(found) == {("data/tables/extra.csv", "verify-extra")}


def test_a_bundle_tampered_together_with_its_manifest_is_caught_by_the_committed_manifest(released, tmp_path):
    def both(name, content):
        if name == "manifest.json":
            return content.replace(b'"version": "0.1.0"', b'"version": "0.1.0" ')
        return content

    found = verify(
        rezip(bundle_of(released), tmp_path / "b.zip", change=both), released / "releases/v0.1.0.json"
    ).problems
    assert ("manifest.json", "verify-changed") in codes(found)


def test_an_unpacked_bundle_verifies_and_a_changed_file_in_it_is_named(released, tmp_path):
    with zipfile.ZipFile(bundle_of(released)) as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / "test-incidents-v0.1.0"
    (folder / "CITATION.cff").write_text("cff-version: 1.2.0\n")
    assert codes(verify(folder).problems) == {("CITATION.cff", "verify-size")}


def test_a_file_that_is_not_a_zip_is_a_clean_problem(tmp_path):
    path = tmp_path / "bundle.zip"
    path.write_bytes(b"not a zip")
    assert [p.code for p in verify(path).problems] == ["verify-unreadable"]


def test_an_entry_escaping_the_folder_is_refused(tmp_path):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../outside.txt", b"x")
    (problem,) = verify(path).problems
    assert problem.code == "verify-unreadable" and "unsafe entry name" in problem.message


def test_verify_command_exit_codes(released, tmp_path):
    committed = str(released / "releases/v0.1.0.json")
    ok = CliRunner().invoke(cli, ["verify", str(bundle_of(released)), "--manifest", committed])
    assert ok.exit_code == 0 and "verified" in ok.output
    bad = CliRunner().invoke(cli, ["verify", str(rezip(bundle_of(released), tmp_path / "b.zip", drop="LICENSE"))])
    assert bad.exit_code == 1 and "LICENSE: the file is missing" in bad.output


def test_csv_rows_are_counted_when_values_hold_line_breaks_across_blocks():
    rows = "".join(f'{n},"line one\nline two of {n}"\n' for n in range(2000))
    assert csv_rows(f"id,notes\n{rows}".encode(), ["id", "notes"], block_size=1024) == 2000


def test_the_readmes_bundle_and_verify_lines_work_as_written_in_a_fresh_clone(tmp_path):
    """The README's release lines, run verbatim by bash in a fresh clone of this repository (its .venv linked
    in): `bundle` rebuilds the release from the release's commit with no checkout, and `verify` passes."""
    repo = Path(__file__).resolve().parents[2]
    readme = (repo / "README.md").read_text(encoding="utf-8")
    lines = [line for line in readme.splitlines() if re.match(r"\.venv/bin/incidents (bundle|verify) ", line)]
    assert [line.split()[1] for line in lines] == ["bundle", "verify"]
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-tags", str(repo), str(clone)], check=True, capture_output=True)
    (clone / ".venv").symlink_to(Path(sys.executable).parents[1])
    for line in lines:
        done = subprocess.run(["bash", "-c", line], cwd=clone, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, line + "\n" + done.stdout + done.stderr
    assert "verified against releases/" in done.stdout
