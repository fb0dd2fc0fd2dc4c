"""`incidents.load()`: the tables from a clone, a bundle or a URL, checked against their hashes first."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import incidents
from incidents.loader import LoadError
from incidents.release import bundle
from two_releases import BETWEEN, FOURTH, two_releases


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return two_releases(tmp_path_factory.mktemp("repo"))


def zipped(repo, tag):
    return next((repo.root / "dist").glob(f"*-{tag}.zip"))


def ids(tables):
    return sorted(tables["incidents"].column("incident_id").to_pylist())


def test_a_clone_gives_typed_tables_and_pandas_keeps_empty_counts_apart_from_numbers(repo):
    tables = incidents.load(repo.root)
    assert {"incidents", "revisions", "changes"} <= set(tables) and FOURTH in ids(tables)
    assert tables["incidents"].schema.field("detained").type == pa.int64()
    assert tables["incidents"].column("detained").null_count == tables["incidents"].num_rows
    frames = incidents.load(repo.root, as_pandas=True)
    counts = frames["incidents"][["fatalities_best", "detained"]]
    assert list(counts.dtypes) == [pd.Int64Dtype(), pd.Int64Dtype()]
    assert counts["fatalities_best"].tolist() == [2] * len(counts) and counts["detained"].isna().all()


def test_a_version_or_a_date_from_a_clone_gives_the_releases_rows(repo):
    released = incidents.load(zipped(repo, repo.first))
    for tables in (incidents.load(repo.root, version=repo.first), incidents.load(repo.root, as_of=BETWEEN)):
        assert tables["incidents"].equals(released["incidents"])
        assert FOURTH not in ids(tables)
    with pytest.raises(LoadError, match="not v0.1.0"):
        incidents.load(zipped(repo, repo.second), version=repo.first)


def test_a_tampered_bundle_is_refused(repo, tmp_path):
    files = bundle.read(zipped(repo, repo.second))
    files["data/tables/incidents.csv"] += b"inc_01KAXQ8N5D4C3R6E0J2VWZ7T99,active\n"
    tampered = tmp_path / "tampered.zip"
    tampered.write_bytes(bundle.zip_bytes("open-incidents", files))
    with pytest.raises(LoadError, match=r"does not match its manifest.*data/tables/incidents\.csv"):
        incidents.load(tampered)


def test_a_release_url_is_downloaded_once_then_read_from_the_cache(repo, tmp_path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(repo.root / "dist"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{zipped(repo, repo.second).name}"
    try:
        tables = incidents.load(url, cache_dir=tmp_path / "cache")
    finally:
        server.shutdown()
        server.server_close()
    assert ids(tables) == ids(incidents.load(zipped(repo, repo.second)))
    assert ids(incidents.load(url, cache_dir=tmp_path / "cache")) == ids(tables)  # the server is gone
    with pytest.raises(LoadError, match="only https"):
        incidents.load("http://example.org/bundle.zip", cache_dir=tmp_path / "cache")


def test_the_duckdb_recipe_beside_the_loader_runs_on_the_built_tables(seed_root, monkeypatch):
    duckdb = pytest.importorskip("duckdb")
    page = (Path(__file__).parents[1] / "docs" / "get-the-data.md").read_text(encoding="utf-8")
    sql = page.split('=== "DuckDB (SQL)"')[1].split("```sql\n")[1].split("```")[0]
    monkeypatch.chdir(seed_root)
    rows = duckdb.sql(sql).fetchall()
    assert len(rows) == incidents.load(seed_root)["incidents"].num_rows  # the seed's incidents are all active
