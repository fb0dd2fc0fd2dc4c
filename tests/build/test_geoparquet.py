"""incidents.parquet is GeoParquet 1.1: geopandas reads its points, CRS and bbox; so do the partitions."""

from __future__ import annotations

import json

import geopandas
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from hypothesis import given
from hypothesis import strategies as st

from factories import TODAY, built_package, spread_records
from incidents.build import geoparquet, partition
from incidents.validate import package as tablecheck


def _records_one_without_coordinates():
    records = spread_records()
    records[1]["latitude"] = records[1]["longitude"] = None
    return records


def _assert_points_are_the_coordinates(path):
    frame = geopandas.read_parquet(path)  # refuses a file without valid `geo` metadata
    assert frame.crs == "OGC:CRS84"
    assert frame.geometry.name == "geometry"
    table = pq.read_table(path)
    meta = json.loads(table.schema.metadata[b"geo"])
    assert meta["version"] == "1.1.0" and meta["primary_column"] == "geometry"
    column = meta["columns"]["geometry"]
    assert column["encoding"] == "WKB" and column["geometry_types"] == ["Point"]
    lon, lat = table.column("longitude").to_pylist(), table.column("latitude").to_pylist()
    placed = [(x, y) for x, y in zip(lon, lat, strict=True) if x is not None and y is not None]
    if placed:
        xs, ys = [x for x, _ in placed], [y for _, y in placed]
        assert column["bbox"] == [min(xs), min(ys), max(xs), max(ys)]
    else:
        assert "bbox" not in column
    for point, x, y in zip(frame.geometry, lon, lat, strict=True):
        if x is None:
            assert point is None
        else:
            assert (point.geom_type, point.x, point.y) == ("Point", x, y)
    return frame


def test_incidents_parquet_is_geoparquet_with_points_crs_and_bbox_of_the_data(tmp_path):
    layout = built_package(tmp_path, _records_one_without_coordinates())
    frame = _assert_points_are_the_coordinates(layout.tables / "incidents.parquet")
    assert frame.geometry.isna().tolist() == [False, True] + [False] * 6
    assert frame.total_bounds.tolist() == [41.23142, 36.19, 44.01, 37.05215]
    assert "geometry" not in (layout.tables / "incidents.csv").read_text(encoding="utf-8").splitlines()[0]
    assert tablecheck.validate_tables(tmp_path, today=TODAY).problems == []


def test_the_build_writes_the_same_geoparquet_bytes_twice(tmp_path):
    records = _records_one_without_coordinates()
    once = built_package(tmp_path / "a", records).tables / "incidents.parquet"
    twice = built_package(tmp_path / "b", records).tables / "incidents.parquet"
    assert once.read_bytes() == twice.read_bytes()


def test_each_partition_is_geoparquet_with_its_own_bbox_and_validates(tmp_path):
    built_package(tmp_path, _records_one_without_coordinates())
    folder = partition.partition(tmp_path, ("country",))
    bounds = {}
    for part in ("country=IRQ", "country=SYR"):
        frame = _assert_points_are_the_coordinates(folder / "incidents" / part / "part-00000.parquet")
        bounds[part] = frame.total_bounds.tolist()
    assert bounds == {"country=IRQ": [44.01, 36.19, 44.01, 36.19], "country=SYR": [41.23142, 37.05215] * 2}
    assert tablecheck.validate_tables(tmp_path, today=TODAY).problems == []


coordinate = st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False))


@given(st.lists(st.tuples(coordinate, coordinate), max_size=20))
def test_points_are_the_wkb_shapely_writes(pairs):
    lon = pa.array([x for x, _ in pairs], pa.float64())
    lat = pa.array([y for _, y in pairs], pa.float64())
    expected = [None if x is None or y is None else shapely.to_wkb(shapely.Point(x, y), byte_order=1) for x, y in pairs]
    assert geoparquet.points(lon, lat).to_pylist() == expected
    placed = [(x, y) for x, y in pairs if x is not None and y is not None]
    box = geoparquet.metadata(lon, lat)["columns"]["geometry"].get("bbox")
    xs, ys = [x for x, _ in placed], [y for _, y in placed]
    assert box == ([min(xs), min(ys), max(xs), max(ys)] if placed else None)
