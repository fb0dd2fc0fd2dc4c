"""Release bundles: `dist/<name>-vX.Y.Z.zip`, byte-identical whenever they are built from the same files.

A bundle holds the data package (descriptor, CSV and Parquet tables), the standard it follows (Table
Schemas and codelists), CHANGELOG.md, CITATION.cff, the licences and `manifest.json` (the release manifest,
the same bytes as `releases/vX.Y.Z.json`). Entries are sorted, dated 1980-01-01, mode 0644, under one
top-level folder. Text is deflated at a fixed level; Parquet, already compressed, is stored.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath

from incidents import standard
from incidents.core.layout import Layout

LICENSE_FILES = ("LICENSE", "LICENSE-DATA")
MANIFEST = "manifest.json"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
MAX_BUNDLE_BYTES = 4 * 1024**3  # a guard against zip bombs when reading


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
    for name in standard.TABLES:
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


def _safe(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and "\\" not in name


def _strip_folder(files: dict[str, bytes]) -> dict[str, bytes]:
    """Drop the single top-level folder a bundle's entries share, if they share one."""
    tops = {name.split("/", 1)[0] for name in files}
    if len(tops) == 1 and all("/" in name for name in files):
        return {name.split("/", 1)[1]: content for name, content in files.items()}
    return files


def read_zip(path: Path, limit: int = MAX_BUNDLE_BYTES) -> dict[str, bytes]:
    """The files of a bundle by path inside it, refusing unsafe names, links and oversized contents."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            if sum(i.file_size for i in infos) > limit:
                raise BundleError(f"{path}: the zip unpacks to more than {limit:,} bytes")
            files = {}
            for info in infos:
                if not _safe(info.filename):
                    raise BundleError(f"{path}: unsafe entry name {info.filename!r} (absolute or with '..')")
                if (info.external_attr >> 16) & 0o170000 == 0o120000:
                    raise BundleError(f"{path}: entry {info.filename!r} is a symbolic link")
                files[info.filename] = archive.read(info)
    except zipfile.BadZipFile as exc:
        raise BundleError(f"{path}: not a zip file ({exc})") from None
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
                raise BundleError(f"{path}: the folder holds more than {limit:,} bytes")
            files[item.relative_to(path).as_posix()] = item.read_bytes()
    return files


def read(path: Path) -> dict[str, bytes]:
    if path.is_dir():
        return read_dir(path)
    if not path.is_file():
        raise BundleError(f"{path}: no such file or folder")
    return read_zip(path)
