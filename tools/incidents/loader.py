"""`incidents.load()`: the dataset's tables in one call, from a clone, a release bundle or a release's URL,
each file checked against its sha256 before it is read.

A clone's tables are checked against its `datapackage.json` (as of `version=` against the release's manifest,
as of `as_of=` against the descriptor committed with them: release.time_travel); a bundle's against its
`manifest.json` (release.verify.check_files); a URL's bundle is downloaded once into a cache folder, then
read as a bundle. Only the hashes are checked, not the rules of the standard: `incidents verify` does both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from incidents.core import atomic
from incidents.core.layout import Layout, find_root
from incidents.release import bundle, manifest, time_travel, verify

LOOPBACK = ("localhost", "127.0.0.1", "::1")  # a local mirror may be served over plain http
DOWNLOAD_TIMEOUT = 60
TABLE_PATH = re.compile(r"^data/tables/(?P<name>[a-z][a-z0-9_]*)\.parquet$")


class LoadError(Exception):
    """The tables cannot be loaded as asked: the message says which file or option, and what to do."""


def load(
    source: str | Path | None = None,
    *,
    version: str | None = None,
    as_of: str | dt.date | None = None,
    as_pandas: bool = False,
    cache_dir: str | Path | None = None,
) -> dict[str, Any]:
    """The tables by name: pyarrow Tables, or pandas DataFrames (`as_pandas=True`) whose integer counts are
    nullable Int64, so an empty count (the sources are silent) stays apart from 0.

    `source`: a folder of a clone (default: the dataset the current folder lies in), a release bundle
    (`.zip`), or a bundle's https URL (downloaded once into `cache_dir`). `version="v0.2.0"`: that release's
    tables; `as_of="2026-11-26"`: as committed by the end of that day (UTC); both from a clone's git history.
    Raises LoadError when a file does not match its hash, or what is asked for is not there."""
    downloaded = isinstance(source, str) and re.match(r"^[a-z][a-z0-9+.-]*://", source, flags=re.I) is not None
    if downloaded:
        source = download(str(source), Path(cache_dir) if cache_dir else default_cache())
    path = Path(source) if source is not None else Path.cwd()
    if path.is_file():
        if as_of is not None:
            raise LoadError(f"{path}: a bundle holds one release, not a history: as_of needs a clone")
        try:
            files = from_bundle(path, version)
        except LoadError:
            if downloaded:  # not kept: the next call downloads it again
                path.unlink(missing_ok=True)
            raise
    else:
        files = from_clone(path, version, as_of)
    tables = read_tables(files)
    return {name: to_pandas(table) for name, table in tables.items()} if as_pandas else tables


def from_clone(folder: Path, version: str | None, as_of: str | dt.date | None) -> dict[str, bytes]:
    """A clone's descriptor and tables, checked: as they are, as released, or as of a day."""
    root = find_root(folder)
    if root is None:
        raise LoadError(f"{folder} is not in a dataset (no folder up from it holds data/package.yaml), nor a file")
    layout = Layout(root)
    if version is not None and as_of is not None:
        raise LoadError("give version= or as_of=, not both")
    try:
        day = as_of if isinstance(as_of, dt.date) or as_of is None else dt.date.fromisoformat(as_of)
    except ValueError as exc:
        raise LoadError(f"as_of={as_of!r} is not a date (YYYY-MM-DD): {exc}") from None
    try:
        if version is not None:
            return time_travel.at_version(layout, version)
        if day is not None:
            return time_travel.as_of(layout, day)[1]
        if not layout.descriptor.is_file():
            raise LoadError(f"{layout.descriptor} does not exist: run `incidents build` first")
        return time_travel.described(layout.descriptor.read_bytes(), _reader(root))
    except time_travel.HistoryError as exc:
        raise LoadError(f"{root}: {exc}") from None


def _reader(root: Path) -> Callable[[str], bytes | None]:
    def read(path: str) -> bytes | None:
        target = root / path
        return target.read_bytes() if target.is_file() else None

    return read


def from_bundle(path: Path, version: str | None) -> dict[str, bytes]:
    """A bundle's files, every one checked against its manifest's size and sha256."""
    try:
        files = bundle.read(path)
        data = json.loads(files[bundle.MANIFEST])
        problems = verify.check_files(files, data["files"])
        released = str(data["version"])
    except bundle.BundleError as exc:
        raise LoadError(str(exc)) from None
    except (KeyError, ValueError, TypeError) as exc:
        raise LoadError(
            f"{path}: not a release bundle: its {bundle.MANIFEST} is missing or unreadable ({exc})"
        ) from None
    if problems:
        found = "; ".join(f"{p.file}: {p.message}, expected {p.expected}" for p in problems)
        raise LoadError(f"{path} does not match its manifest, refused: {found}")
    if version is not None and manifest.parse_version(version) != manifest.parse_version(released):
        raise LoadError(f"{path} is release v{released}, not {version}")
    return files


def read_tables(files: dict[str, bytes]) -> dict[str, pa.Table]:
    """Every Parquet table among the files, in the descriptor's order when there is one. Read without Arrow's
    thread pool, as verify reads them: with it, a program that loaded the tables aborted at exit in 2 of 6 runs
    on the real data ("terminate called without an active exception", exit 134)."""
    found = {m["name"]: path for path in files if (m := TABLE_PATH.match(path))}
    try:
        order = [str(r["name"]) for r in json.loads(files["datapackage.json"])["resources"]]
    except (KeyError, ValueError, TypeError):
        order = []
    names = [n for n in order if n in found] + sorted(set(found) - set(order))
    return {name: pq.read_table(io.BytesIO(files[found[name]]), use_threads=False) for name in names}


def to_pandas(table: pa.Table) -> Any:
    """A DataFrame whose integer columns are pandas' nullable integers (Int64), not floats with NaN."""
    try:
        import pandas as pd
    except ImportError:
        raise LoadError("as_pandas=True needs pandas: pip install pandas") from None
    integers = {
        pa.int8(): pd.Int8Dtype(),
        pa.int16(): pd.Int16Dtype(),
        pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(),
    }
    return table.to_pandas(types_mapper=integers.get)


def default_cache() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("incidents")) / "bundles"


def download(url: str, cache_dir: Path) -> Path:
    """The bundle at `url`, downloaded once into `cache_dir` (named by the URL's hash and its file name) and
    read back from there after; https only, but for a mirror on this machine. At most a bundle's size."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
        raise LoadError(f"{url}: only https URLs are downloaded (or http on this machine, for a local mirror)")
    name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(parts.path).name)[-100:] or "bundle.zip"
    target = cache_dir / f"{hashlib.sha256(url.encode('utf-8')).hexdigest()[:16]}-{name}"
    if target.is_file():
        return target
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:  # noqa: S310 (scheme checked above)
            content = response.read(bundle.MAX_BUNDLE_BYTES + 1)
    except OSError as exc:
        raise LoadError(f"{url} could not be downloaded: {exc}") from None
    if len(content) > bundle.MAX_BUNDLE_BYTES:
        raise LoadError(f"{url} is larger than a bundle ({bundle.MAX_BUNDLE_BYTES:,} bytes): not downloaded")
    atomic.write(target, content)
    return target
