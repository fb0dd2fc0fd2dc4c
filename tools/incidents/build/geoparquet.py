"""The incidents table's coordinates as a GeoParquet 1.1 point geometry, so that GIS tools (geopandas, QGIS,
GDAL, DuckDB spatial) open incidents.parquet as a layer of points, not as a table with two float columns.

`with_geometry` is pure: it appends a `geometry` column of WKB points made from longitude and latitude (null
where either is empty) and the `geo` file metadata that GeoParquet readers look for: the encoding, the
geometry type and the bounding box of the rows. No `crs` is written: by the specification the coordinates are
then OGC:CRS84 (longitude, latitude on WGS 84), which they are. The CSV keeps the two columns only.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

GEOMETRY = "geometry"
TABLE = "incidents"  # the one table with a place: only its Parquet file carries a geometry
VERSION = "1.1.0"
DESCRIPTION = (
    "The incident's place as a point (longitude, latitude) in OGC:CRS84, encoded as WKB (GeoParquet 1.1); "
    "empty where latitude or longitude is. Derived from those columns; only in the Parquet file."
)
FIELD = pa.field(GEOMETRY, pa.binary(), nullable=True, metadata={"description": DESCRIPTION})
# A little-endian WKB point: byte order (1), geometry type (1 = Point), then x and y as doubles: 21 bytes.
_POINT = np.dtype([("order", "u1"), ("kind", "<u4"), ("x", "<f8"), ("y", "<f8")])


def points(longitude: pa.Array | pa.ChunkedArray, latitude: pa.Array | pa.ChunkedArray) -> pa.Array:
    """WKB points from coordinate columns, packed in one pass (no Python object per row): null where a
    coordinate is null."""
    lon = pc.cast(longitude, pa.float64())
    lat = pc.cast(latitude, pa.float64())
    valid = np.asarray(pc.and_(pc.is_valid(lon), pc.is_valid(lat)), dtype=bool)
    packed = np.zeros(int(valid.sum()), dtype=_POINT)
    packed["order"], packed["kind"] = 1, 1
    packed["x"] = np.asarray(pc.fill_null(lon, 0.0), dtype=np.float64)[valid]
    packed["y"] = np.asarray(pc.fill_null(lat, 0.0), dtype=np.float64)[valid]
    offsets = np.concatenate([[0], np.cumsum(valid * _POINT.itemsize)]).astype(np.int32)
    nulls = len(valid) - len(packed)
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if nulls else None
    return pa.Array.from_buffers(
        pa.binary(), len(valid), [bitmap, pa.py_buffer(offsets), pa.py_buffer(packed.tobytes())], nulls
    )


def metadata(longitude: pa.Array | pa.ChunkedArray, latitude: pa.Array | pa.ChunkedArray) -> dict[str, Any]:
    """The `geo` file metadata of GeoParquet 1.1 for the points of these coordinates; the bbox is left out
    when no row has both (it is optional)."""
    column: dict[str, Any] = {"encoding": "WKB", "geometry_types": ["Point"]}
    both = pc.and_(pc.is_valid(longitude), pc.is_valid(latitude))
    lon, lat = pc.filter(longitude, both), pc.filter(latitude, both)
    if len(lon):
        x, y = pc.min_max(lon), pc.min_max(lat)
        column["bbox"] = [x["min"].as_py(), y["min"].as_py(), x["max"].as_py(), y["max"].as_py()]
    return {"version": VERSION, "primary_column": GEOMETRY, "columns": {GEOMETRY: column}}


def with_geometry(table: pa.Table) -> pa.Table:
    """The incidents table with its geometry column and `geo` metadata, made again from the coordinates
    (a table read back with an older geometry, such as a partition's rows, gets its own bbox)."""
    if GEOMETRY in table.column_names:
        table = table.drop_columns([GEOMETRY])
    lon, lat = table.column("longitude"), table.column("latitude")
    meta = dict(table.schema.metadata or {})
    meta[b"geo"] = json.dumps(metadata(lon, lat), separators=(",", ":")).encode("utf-8")
    return table.append_column(FIELD, points(lon, lat)).replace_schema_metadata(meta)


def as_stored(table: pa.Table) -> pa.Table:
    """A table as its Parquet file holds it: the incidents table (named so in its schema's metadata) with its
    geometry, any other table as it is. Every writer of Parquet (build, partition) goes through here."""
    return with_geometry(table) if (table.schema.metadata or {}).get(b"table") == TABLE.encode() else table
