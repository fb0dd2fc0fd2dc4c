"""What `incidents diff OLD NEW` compares: a release version, a bundle (zip or folder), or the working tree.

A version reads its bundle from dist/ when it is there and matches the committed manifest (values known,
changed fields compared value by value), otherwise the manifest alone (changed fields as the new
revisions name them).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow.parquet as pq

from incidents import standard
from incidents.core.layout import Layout
from incidents.records import dataset
from incidents.release import bundle, manifest
from incidents.release.snapshot import Snapshot, from_manifest, from_records, records_from_tables, schema_snapshot

WORKING_TREE = (".", "working", "worktree")


class RefError(Exception):
    """OLD or NEW names nothing that can be compared."""


def working_tree(layout: Layout) -> Snapshot:
    """Every record file of the working tree that parses, valid or not: a record that fails its schema is
    still there (`incidents validate` says what is wrong), not removed. Unparsable files are left out."""
    found = [
        loaded.data
        for loaded in dataset.read(layout).records
        if not loaded.problems and isinstance(loaded.data, dict) and isinstance(loaded.data.get("incident_id"), str)
    ]
    return from_records("working tree", found, schema_snapshot(standard.load()))


def from_bundle(files: dict[str, bytes], label: str) -> Snapshot:
    std = standard.load()
    try:
        release = json.loads(files[bundle.MANIFEST])
        tables = {
            name: pq.read_table(io.BytesIO(files[f"data/tables/{name}.parquet"]))
            for name in standard.TABLES
            if f"data/tables/{name}.parquet" in files
        }
    except (KeyError, ValueError, OSError) as exc:
        raise RefError(f"{label}: not a release bundle ({exc})") from None
    return from_records(f"v{release['version']}", records_from_tables(std, tables), release.get("schema", {}))


def resolve(layout: Layout, ref: str) -> Snapshot:
    if ref in WORKING_TREE:
        return working_tree(layout)
    version = manifest.parse_version(ref)
    if version is not None:
        text = manifest.format_version(version)
        path = manifest.path_of(layout, text)
        if not path.exists():
            released = ", ".join(f"v{manifest.format_version(v)}" for v in manifest.versions(layout)) or "none yet"
            raise RefError(f"no release {ref}: {layout.rel(path)} does not exist (releases: {released})")
        try:
            content = path.read_bytes()
            data = json.loads(content)
            zipped = layout.dist / f"{bundle.name_of(data['name'], text)}.zip"
            if zipped.exists():
                files = bundle.read(zipped)
                if files.get(bundle.MANIFEST) == content:
                    return from_bundle(files, str(zipped))
            return from_manifest(f"v{text}", data)
        except (OSError, ValueError, KeyError, TypeError, bundle.BundleError) as exc:
            raise RefError(f"{layout.rel(path)} cannot be read: {type(exc).__name__}: {exc}") from None
    path = Path(ref)
    if path.exists():
        try:
            return from_bundle(bundle.read(path), ref)
        except bundle.BundleError as exc:
            raise RefError(str(exc)) from None
    raise RefError(f"{ref!r} is neither a release version (v0.1.0), a bundle (zip or folder) nor '.' (working tree)")
