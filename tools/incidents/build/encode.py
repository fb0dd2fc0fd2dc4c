"""Tables -> CSV and Parquet bytes and the Data Package descriptor: what `incidents build` writes, and what
validation compares the committed files with (so this module never imports validation).

`render` is pure and deterministic: the same records give the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from incidents import standard
from incidents.build import changes, geoparquet, tables
from incidents.core.layout import Layout
from incidents.incremental import kept_outputs as outputs

DATA_PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"


# Text cells a spreadsheet would run as a formula (OWASP, CSV injection): '=', '+', '-', '@', tab, CR.
# Such cells get a leading "'" in the CSV, which spreadsheets show as text. A cell that itself begins with
# "'" gets one too, so that dropping one leading "'" (`csv_cell`) always gives back the exact value.
# Parquet keeps the raw value.
SPREADSHEET_ESCAPE = "'"
RISKY = r"^[=+\-@\t\r']"  # a text whose first character is one of these


def neutralise_formulas(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Prefix text cells that a spreadsheet would read as a formula with a single quote."""
    risky = pc.fill_null(pc.match_substring_regex(column, RISKY), False)
    if not pc.any(risky).as_py():  # the usual case: the prefixed copy of the whole column would cost more
        return column
    return pc.if_else(risky, pc.utf8_replace_slice(column, 0, 0, SPREADSHEET_ESCAPE), column)


def csv_cell(text: str) -> str:
    """The value of a CSV text cell as written by `csv_bytes`: one leading "'" is the escape, not data."""
    return text[1:] if text.startswith(SPREADSHEET_ESCAPE) else text


def escape_cell(text: str) -> str:
    """One text cell as `neutralise_formulas` writes it, for CSV written cell by cell (exports)."""
    return SPREADSHEET_ESCAPE + text if re.match(RISKY, text) else text


def csv_bytes(table: pa.Table) -> bytes:
    """CSV as spreadsheets and R read it: lists joined with ';', datetimes in ISO 8601 with Z, and text
    that looks like a formula escaped with a leading "'". A GeoParquet geometry (of incidents read back from
    Parquet) is left out: the CSV has the coordinates as latitude and longitude."""
    if geoparquet.GEOMETRY in table.column_names:
        table = table.drop_columns([geoparquet.GEOMETRY])
    columns = []
    for column, field_ in zip(table.columns, table.schema, strict=True):
        if pa.types.is_list(field_.type):
            column = neutralise_formulas(pc.binary_join(column, standard.LIST_DELIMITER))
        elif pa.types.is_timestamp(field_.type):
            column = iso_utc(column)
        elif pa.types.is_string(field_.type):
            column = neutralise_formulas(column)
        columns.append(column)
    out = io.BytesIO()
    pacsv.write_csv(pa.table(columns, names=table.column_names), out, pacsv.WriteOptions(quoting_style="needed"))
    return out.getvalue()


def iso_utc(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Timestamps in ISO 8601 with Z, as `pc.strftime(column, "%Y-%m-%dT%H:%M:%SZ")` writes them (seconds
    with the column's fraction: "2024-01-02T03:04:05.000Z" in ms), from Arrow's cast to text: strftime
    formats value by value, fifteen times slower, and was most of the time of writing the incidents CSV."""
    text = pc.cast(column.cast(pa.timestamp(column.type.unit)), pa.string())  # the UTC wall clock
    return pc.binary_join_element_wise(pc.replace_substring(text, " ", "T", max_replacements=1), "Z", "")


def parquet_bytes(table: pa.Table) -> bytes:
    """A table as Parquet (zstd); the incidents table (named so in its schema's metadata) with its GeoParquet
    geometry made from its coordinates, so every writer of it (build, partition) gives GIS tools points."""
    table = geoparquet.as_stored(table)
    out = io.BytesIO()
    pq.write_table(table, out, compression="zstd", write_statistics=True, store_schema=True)
    return out.getvalue()


def file_stats(content: bytes | outputs.Kept) -> dict[str, Any]:
    """A resource's `bytes` and `hash`, as the descriptor records them and the validators compare them (of
    a file kept from an earlier build, as noted then)."""
    if isinstance(content, outputs.Kept):
        return {"bytes": content.size, "hash": "sha256:" + content.sha256}
    return {"bytes": len(content), "hash": "sha256:" + hashlib.sha256(content).hexdigest()}


def parquet_schema(std: standard.Standard, name: str) -> dict[str, Any]:
    """A Parquet resource's Table Schema: its table's, and for incidents the GeoParquet geometry that only the
    Parquet file holds (WKB bytes: Table Schema has no binary type, so `any`)."""
    schema = std.descriptor_schema(name)
    if name == geoparquet.TABLE:
        schema["fields"].append({"name": geoparquet.GEOMETRY, "type": "any", "description": geoparquet.DESCRIPTION})
    return schema


def descriptor(
    std: standard.Standard,
    package: dict[str, Any],
    encoded: Mapping[str, Mapping[str, bytes | outputs.Kept]],
    publishers: list[dict[str, str]],
) -> dict[str, Any]:
    """The Data Package v2 descriptor: each table twice, as CSV and as Parquet, each a table resource with
    the table's Table Schema (Parquet keeps lists and types, so it needs no dialect)."""
    resources = []
    for name in encoded:
        spec = std.tables[name]
        resources.append(
            {
                "name": name,
                "type": "table",
                "title": spec["title"],
                "description": spec["description"],
                "path": f"data/tables/{name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                **file_stats(encoded[name]["csv"]),
                "dialect": {"header": True, "delimiter": ",", "quoteChar": '"'},
                "schema": std.descriptor_schema(name),
            }
        )
    for name in encoded:
        resources.append(
            {
                "name": f"{name}-parquet",
                "type": "table",
                "title": f"{std.tables[name]['title']} (Parquet)",
                "description": f"The {name} table as Apache Parquet (zstd): the same rows and schema as the "
                f"CSV resource '{name}', with list columns as lists and typed dates.",
                "path": f"data/tables/{name}.parquet",
                "format": "parquet",
                "mediatype": PARQUET_MEDIATYPE,
                **file_stats(encoded[name]["parquet"]),
                "schema": parquet_schema(std, name),
            }
        )
    # The datasets the package declares it is made from (with their licence and citation) come first, then
    # the publishers of the archived texts that are not among them.
    declared = list(package.get("sources") or [])
    named = {str(s.get("title")) for s in declared}
    sources = declared + [p for p in publishers if p["title"] not in named]
    meta = {k: v for k, v in package.items() if k not in ("resources", "sources", "references")}
    return {"$schema": DATA_PACKAGE_PROFILE, **meta, "sources": sources, "resources": resources}


def render(
    layout: Layout,
    data: dict[str, list[dict[str, Any]]],
    package: dict[str, Any],
    releases: changes.Releases | None = None,
) -> dict[Path, bytes]:
    """Every output file's bytes, by path, from the record, actor and source files' data (and `releases`,
    by default the release manifests: the changes table's release column).

    Pure: no clock, no randomness, inputs sorted by id."""
    built, _ = tables.from_records(
        standard.load(),
        sorted(data["record"], key=lambda r: r["incident_id"]),
        sorted(data["actor"], key=lambda a: a["actor_id"]),
        sorted(data["source"], key=lambda s: s["source_id"]),
    )
    return render_tables(layout, built, package, releases)


def render_tables(
    layout: Layout, built: dict[str, pa.Table], package: dict[str, Any], releases: changes.Releases | None = None
) -> dict[Path, bytes]:
    """`render` from the tables themselves, rows in build order (by id, child rows in record order).
    Columns that are not the standard's (where a row came from) are left out."""
    return render_outputs(layout, built, package, releases=releases).files


@dataclass
class Rendered:
    files: dict[Path, bytes]  # every output file's bytes, by path, but those kept
    fingerprints: dict[str, str]  # what each table's files were made from (`fingerprint`)
    kept: dict[Path, outputs.Kept] = field(default_factory=dict)  # files an earlier build wrote, left as they are


def fingerprint(table: pa.Table) -> str:
    """The sha256 of a table's Arrow IPC stream: its schema (with the metadata written into the Parquet)
    and its values. Tables with the same fingerprint encode to the same CSV and Parquet bytes."""
    digest = _Hashing()
    with pa.ipc.new_stream(pa.PythonFile(digest, mode="w"), table.schema) as writer:
        writer.write_table(table)
    return digest.sha256.hexdigest()


class _Hashing:
    """A file that hashes what is written to it: the stream is never held in memory (a growing buffer
    would cost three times the hashing)."""

    closed = False

    def __init__(self) -> None:
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        return len(data)

    def flush(self) -> None:
        return None


def _earlier(name: str, table: pa.Table, reuse: outputs.Reuse | None) -> tuple[str, dict[str, outputs.Kept] | None]:
    """The table's fingerprint, and its files as an earlier build wrote them from it, if `reuse` has them."""
    if reuse is None:  # nothing to compare with: no fingerprint either
        return "", None
    made_from = fingerprint(table)
    return made_from, reuse(name, made_from)


def _encode_all(
    tables_: dict[str, pa.Table], reuse: outputs.Reuse | None
) -> dict[str, tuple[str, dict[str, bytes | outputs.Kept]]]:
    """Each table's fingerprint and files, encoded two at a time (Arrow encodes without the GIL), the
    largest first; a table whose files `reuse` has is not encoded."""
    largest_first = sorted(tables_, key=lambda name: -tables_[name].nbytes)
    with ThreadPoolExecutor(2) as pool:
        looked_up = {name: pool.submit(_earlier, name, tables_[name], reuse) for name in largest_first}
        jobs: dict[str, tuple[str, dict[str, bytes | outputs.Kept | Future[bytes]]]] = {}
        for name in largest_first:
            made_from, earlier = looked_up[name].result()
            if earlier is None:
                table = tables_[name]
                jobs[name] = (
                    made_from,
                    {"csv": pool.submit(csv_bytes, table), "parquet": pool.submit(parquet_bytes, table)},
                )
            else:
                jobs[name] = made_from, dict(earlier)
        return {
            name: (made_from, {fmt: job.result() if isinstance(job, Future) else job for fmt, job in by_format.items()})
            for name, (made_from, by_format) in jobs.items()
        }


def render_outputs(
    layout: Layout,
    built: dict[str, pa.Table],
    package: dict[str, Any],
    reuse: outputs.Reuse | None = None,
    releases: changes.Releases | None = None,
) -> Rendered:
    """`render_tables`, with each table's fingerprint; with `reuse`, a table whose files an earlier build
    made from the same fingerprint, and which still hold those bytes (outputs.reuse), is kept as it is. The
    changes table is made from the revisions and incidents tables and `releases` (by default the manifests)."""
    std = standard.load()
    version = str(package.get("version", "0.0.0"))
    tables_ = {}
    for name in standard.TABLES:
        schema = std.arrow_schema(name, version)
        tables_[name] = pa.Table.from_arrays(
            [built[name].column(f.name) for f in schema], schema=schema
        ).combine_chunks()
    releases = changes.released(layout) if releases is None else releases
    tables_["changes"] = changes.table(std, tables_["revisions"], tables_["incidents"], releases, version)
    done = _encode_all(tables_, reuse)
    encoded = {name: done[name][1] for name in standard.PUBLISHED_TABLES}
    publishers = sorted(set(built["sources"].column("publisher").to_pylist()))
    package_sources = [{"title": p} for p in publishers]
    desc = descriptor(std, package, encoded, package_sources)
    made = {layout.tables / f"{name}.{fmt}": out for name, by_fmt in encoded.items() for fmt, out in by_fmt.items()}
    files = {path: out for path, out in made.items() if isinstance(out, bytes)}
    files[layout.descriptor] = (json.dumps(desc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    kept = {path: out for path, out in made.items() if isinstance(out, outputs.Kept)}
    return Rendered(files, {name: done[name][0] for name in standard.PUBLISHED_TABLES}, kept)
