"""The floor of a rebuild: what writing the tables a change altered costs by itself, with nothing listed,
asked of git or checked.

    .venv/bin/python benchmarks/rebuild_floor.py ROOT STAGED TABLE...

A fresh process imports the toolkit's encoder, maps the tables (staged by `stage` as uncompressed Arrow IPC,
as the build maps its cache), encodes each to CSV and Parquet with the build's own function (two at a time)
and replaces those files and the descriptor as one set (core.output_set, as the build does). A rebuild that
writes whole table files cannot be faster than this. run.py times it beside the rebuild and checks that it
wrote the very bytes the build wrote (`digests` before and after), so both did the same encoding.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from incidents import standard
from incidents.build import encode
from incidents.core import output_set
from incidents.core.layout import Layout

FORMATS = ("csv", "parquet")


def written_by(root: Path) -> dict[str, tuple[int, int]]:
    """Each table's Parquet file's inode and mtime: a build that rewrites a table replaces its files."""
    stats = {path.stem: path.stat() for path in Layout(root).tables.glob("*.parquet")}
    return {name: (info.st_ino, info.st_mtime_ns) for name, info in stats.items()}


def rewritten(before: dict[str, tuple[int, int]], root: Path) -> list[str]:
    """The tables a build wrote since `written_by` gave `before`."""
    return sorted(name for name, stat in written_by(root).items() if before.get(name) != stat)


def digests(root: Path, names: list[str]) -> dict[str, str]:
    layout = Layout(root)
    paths = [layout.tables / f"{name}.{fmt}" for name in names for fmt in FORMATS] + [layout.descriptor]
    return {str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}


def stage(root: Path, staged: Path, names: list[str]) -> None:
    """The tables as the build holds them (its Arrow schema, read back from the Parquet it wrote), each an
    uncompressed Arrow IPC file in `staged`, with the descriptor."""
    layout = Layout(root)
    version = str(json.loads(layout.descriptor.read_text(encoding="utf-8")).get("version", "0.0.0"))
    std = standard.load()
    staged.mkdir(parents=True, exist_ok=True)
    for name in names:
        schema = std.arrow_schema(name, version)
        read = pq.read_table(layout.tables / f"{name}.parquet")
        table = pa.Table.from_arrays([read.column(f.name).cast(f.type) for f in schema], schema=schema)
        with pa.OSFile(str(staged / f"{name}.arrow"), "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
            writer.write_table(table.combine_chunks())
    (staged / "datapackage.json").write_bytes(layout.descriptor.read_bytes())


def main(argv: list[str]) -> None:
    root, staged, names = Path(argv[0]), Path(argv[1]), argv[2:]
    layout = Layout(root)
    tables = {name: pa.ipc.open_file(pa.memory_map(str(staged / f"{name}.arrow"))).read_all() for name in names}
    encoded = encode._encode_all(tables, None)  # the build's encoding, without looking for files to keep
    files: dict[Path, bytes] = {}
    for name, (_, by_format) in encoded.items():
        for fmt, content in by_format.items():
            assert isinstance(content, bytes)  # nothing is kept without a `reuse`
            files[layout.tables / f"{name}.{fmt}"] = content
    files[layout.descriptor] = (staged / "datapackage.json").read_bytes()
    output_set.replace(layout, files)


if __name__ == "__main__":
    main(sys.argv[1:])
