"""The files the site serves for download: the tables (CSV and Parquet) beside `datapackage.json`, so the
descriptor's relative paths resolve on the site too; the standard's schemas and codelists; each release's
bundle when `dist/` holds it; and the citation files. Each with its size and SHA-256, computed from the very
bytes the site serves, so the downloads page cannot disagree with the files.

`read_downloads(root, inputs)` is the I/O edge: it reads fixed paths of the repository (no path comes from
the data, and symlinks are skipped, so nothing outside the repository is served)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from incidents.core.layout import Layout
from incidents.release import metadata
from incidents.site.citation_formats import citation_files
from incidents.site.inputs import Inputs
from incidents.standard import PUBLISHED_TABLES

# Where the site serves the files, under its root. The tables keep their paths relative to datapackage.json.
FILES = "files"
CITE = f"{FILES}/cite"
BUNDLES = f"{FILES}/releases"
STANDARD = "standard"


@dataclass(frozen=True)
class Download:
    """A file the site serves: its path on the site, its size and SHA-256 (of `content`, the served bytes)."""

    path: str
    size: int
    sha256: str
    content: bytes = field(repr=False, compare=False)

    @classmethod
    def of(cls, path: str, content: bytes) -> Download:
        return cls(path, len(content), hashlib.sha256(content).hexdigest(), content)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


def bundle_name(inputs: Inputs, tag: str) -> str:
    return f"{inputs.package.get('name') or 'dataset'}-{tag}.zip"


def _file(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() and not path.is_symlink() else None


def _is_release_bundle(content: bytes, manifest: bytes | None) -> bool:
    """A bundle in dist/ is that release's only if the manifest it holds is the release's manifest."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            inner = [n for n in archive.namelist() if n.count("/") == 1 and n.endswith("/manifest.json")]
            return manifest is not None and len(inner) == 1 and archive.read(inner[0]) == manifest
    except (zipfile.BadZipFile, OSError):
        return False


def read_downloads(root: Path, inputs: Inputs, site_url: str | None = None) -> list[Download]:
    """Every file the site serves for download, read from the repository at `root`; with the site's address,
    the DCAT description of the dataset made from `datapackage.json` (`dcat.jsonld`, for catalogue harvesters:
    its download URLs are absolute, so only a site that knows where it lives can give one)."""
    layout = Layout(root)
    found: list[Download] = []
    descriptor = _file(layout.descriptor)
    if descriptor is not None:
        found.append(Download.of(f"{FILES}/datapackage.json", descriptor))
    if inputs.descriptor is not None and site_url:
        catalogue = metadata.dcat(inputs.descriptor, site_url.rstrip("/") + f"/{FILES}/", inputs.citation)
        found.append(Download.of(f"{FILES}/dcat.jsonld", (json.dumps(catalogue, indent=2) + "\n").encode("utf-8")))
    for name in PUBLISHED_TABLES:
        for fmt in ("csv", "parquet"):
            content = _file(layout.tables / f"{name}.{fmt}")
            if content is not None:
                found.append(Download.of(f"{FILES}/data/tables/{name}.{fmt}", content))
    schemas = root / "schemas"
    for path in sorted(schemas.rglob("*")) if schemas.is_dir() else []:
        content = _file(path)
        if content is not None:  # rglob does not descend into a symlinked folder, and _file skips symlinks
            found.append(Download.of(f"{STANDARD}/{path.relative_to(schemas).as_posix()}", content))
    for tag in sorted(inputs.releases):
        bundle = _file(layout.dist / bundle_name(inputs, tag))
        if bundle is not None and _is_release_bundle(bundle, _file(root / "releases" / f"{tag}.json")):
            found.append(Download.of(f"{BUNDLES}/{bundle_name(inputs, tag)}", bundle))
    if inputs.citation:
        name = str(inputs.package.get("name") or "dataset")
        for file_name, text in citation_files(inputs.citation, name, inputs.releases).items():
            found.append(Download.of(f"{CITE}/{file_name}", text.encode("utf-8")))
    return found


def by_path(served: list[Download]) -> dict[str, Download]:
    return {d.path: d for d in served}


def size_text(size: int) -> str:
    """A size as people read it (`6.6 MB`), with the exact bytes for checking."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit} ({size:,} bytes)"
    return f"{size:,} bytes"
