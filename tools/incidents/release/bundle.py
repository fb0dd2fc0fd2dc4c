"""Release bundles: `dist/<name>-vX.Y.Z.zip`, byte-identical whenever they are built from the same files.

A bundle holds the data package (descriptor, CSV and Parquet tables), the standard it follows (Table
Schemas and codelists), CHANGELOG.md, CITATION.cff, the licences and `manifest.json` (the release manifest,
the same bytes as `releases/vX.Y.Z.json`). Entries are sorted, dated 1980-01-01, mode 0644, under one
top-level folder. Text is deflated at a fixed level; Parquet, already compressed, is stored.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import IO, Protocol

from incidents import standard
from incidents.core.layout import Layout

LICENSE_FILES = ("LICENSE", "LICENSE-DATA")
MANIFEST = "manifest.json"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
# Bounds on reading a bundle (zip bombs): v0.2.0, 16,570 records, unpacks to 44.7 MB and its most
# compressible entry (revisions.csv) is 54 to 1; deflate reaches about 1,000 to 1 on repeated bytes.
MAX_BUNDLE_BYTES = 1024**3
MAX_RATIO = 200
CHUNK = 1 << 20


def name_of(package_name: str, version: str) -> str:
    return f"{package_name}-v{version.removeprefix('v')}"


def zip_bytes(folder: str, files: dict[str, bytes]) -> bytes:
    """A zip of `files` under `folder/`: the same files always give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{path}", date_time=FIXED_TIME)
            info.create_system = 3  # unix, so that the mode below is read
            info.external_attr = (0o100644 & 0xFFFF) << 16
            stored = path.endswith(".parquet")
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, files[path], compresslevel=None if stored else 9)
    return out.getvalue()


def release_files(layout: Layout) -> dict[str, Path]:
    """Every file a bundle holds (but the manifest), by its path in the bundle, from the working tree."""
    files = {"datapackage.json": layout.descriptor}
    for name in standard.PUBLISHED_TABLES:
        for fmt in ("csv", "parquet"):
            files[f"data/tables/{name}.{fmt}"] = layout.tables / f"{name}.{fmt}"
    for folder, pattern in (("tables", "*.json"), ("codelists", "*.csv")):
        for path in sorted((standard.SCHEMAS_DIR / folder).glob(pattern)):
            files[f"schemas/{folder}/{path.name}"] = path
    files["CHANGELOG.md"] = layout.changelog
    files["CITATION.cff"] = layout.citation
    for name in LICENSE_FILES:
        files[name] = layout.root / name
    return files


class BundleError(Exception):
    """A bundle that cannot be read at all (not a zip, unsafe entry names, too large)."""


class BundleTooLarge(BundleError):
    """A bundle that unpacks past the bounds: refused before (or while) it is unpacked."""


class _Archive(Protocol):
    def open(self, info: zipfile.ZipInfo) -> IO[bytes]: ...


def _safe(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and "\\" not in name


def _strip_folder(files: dict[str, bytes]) -> dict[str, bytes]:
    """Drop the single top-level folder a bundle's entries share, if they share one."""
    tops = {name.split("/", 1)[0] for name in files}
    if len(tops) == 1 and all("/" in name for name in files):
        return {name.split("/", 1)[1]: content for name, content in files.items()}
    return files


def _check_entries(infos: list[zipfile.ZipInfo], limit: int) -> None:
    """Names, links and declared sizes, all checked before any entry is unpacked."""
    names = Counter(info.filename for info in infos)
    folders = {str(parent) for name in names for parent in PurePosixPath(name).parents}
    for name, count in sorted(names.items()):
        if count > 1:
            raise BundleError(f"entry {name!r} appears twice (which one is the bundle's?)")
        if name in folders:
            raise BundleError(f"entry {name!r} is also a folder")
    for info in infos:
        if not _safe(info.filename):
            raise BundleError(f"unsafe entry name {info.filename!r} (absolute or with '..')")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise BundleError(f"entry {info.filename!r} is a symbolic link")
        if info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise BundleTooLarge(
                f"entry {info.filename!r} unpacks to {info.file_size:,} bytes from {info.compress_size:,}"
                f" ({ratio:,} to 1): more than {MAX_RATIO} to 1"
            )
    declared = sum(i.file_size for i in infos)
    if declared > limit:
        raise BundleTooLarge(f"the zip unpacks to {declared:,} bytes: more than the {limit:,} bytes of a bundle")


def read_entry(archive: _Archive, info: zipfile.ZipInfo) -> bytes:
    """An entry unpacked in chunks, never past the size its header declares: `ZipFile.read` would unpack a
    whole entry in memory before cutting it to that size, however much a lying header hides."""
    content = bytearray()
    with archive.open(info) as entry:
        while chunk := entry.read(CHUNK):
            content += chunk
            if len(content) > info.file_size:
                raise BundleTooLarge(
                    f"entry {info.filename!r} gives more than the {info.file_size:,} bytes its header declares"
                )
    return bytes(content)


def read_zip(path: Path, limit: int = MAX_BUNDLE_BYTES) -> dict[str, bytes]:
    """The files of a bundle by path inside it, refusing unsafe names, links and oversized contents."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            _check_entries(infos, limit)
            files = {info.filename: read_entry(archive, info) for info in infos}
    except BundleError as exc:
        raise type(exc)(f"{path}: {exc}") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise BundleError(f"{path}: not a readable zip file ({exc})") from None
    return _strip_folder(files)


def read_dir(path: Path, limit: int = MAX_BUNDLE_BYTES) -> dict[str, bytes]:
    """The files of an unpacked bundle, by path relative to the folder holding manifest.json."""
    if not (path / MANIFEST).exists():
        inner = [p for p in path.iterdir() if p.is_dir() and (p / MANIFEST).exists()]
        if len(inner) == 1:
            path = inner[0]
    files, total = {}, 0
    for item in sorted(path.rglob("*")):
        if item.is_symlink():
            raise BundleError(f"{item}: is a symbolic link; a bundle holds regular files only")
        if item.is_file():
            total += item.stat().st_size
            if total > limit:
                raise BundleTooLarge(f"{path}: the folder holds more than the {limit:,} bytes of a bundle")
            files[item.relative_to(path).as_posix()] = item.read_bytes()
    return files


def read(path: Path) -> dict[str, bytes]:
    if path.is_dir():
        return read_dir(path)
    if not path.is_file():
        raise BundleError(f"{path}: no such file or folder")
    return read_zip(path)
