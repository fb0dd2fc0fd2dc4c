"""Each release's documentation beside the latest: under `vX.Y.Z/`, the release's page (date, changes,
citation, bundle) and its codebook (tables, fields, types, constraints, codelists) as they were, with a
version selector on every codebook page, so whoever cites v0.1.0 reads v0.1.0's codebook.

A release's standard is read from its commit (its tag, or the commit of its manifest: `git_versions`), so
descriptions and labels are the release's own; when git or the commit is not at hand, from the schema
snapshot its manifest keeps (fields, types, constraints and codes, without descriptions). Building these
pages costs a few git reads per release, not a build of the whole site per release.
`read_release_standards` is the I/O edge; the rest is pure."""

from __future__ import annotations

import csv
import io
import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from incidents.core import git_versions
from incidents.site.codebook import codebook_table_page, codelists_page
from incidents.site.markdown import Link, cell, code, generated_note, table
from incidents.standard import Codelist, Standard

TAG = re.compile(r"v\d+\.\d+\.\d+")
NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class ReleaseStandard:
    """A release's standard, and whether it was read from the release's commit (else from its snapshot)."""

    standard: Standard
    from_commit: bool
    files: dict[str, bytes] = field(default_factory=dict)  # schemas/ of the commit, by path under schemas/


def _names(manifest: dict[str, Any], kind: str) -> list[str]:
    return sorted(n for n in (manifest.get("schema") or {}).get(kind, {}) if NAME.fullmatch(n))


def from_snapshot(manifest: dict[str, Any]) -> Standard:
    """The standard as a manifest's schema snapshot keeps it: shapes and codes, no descriptions or labels."""
    snapshot = manifest.get("schema") or {}
    tables = {}
    for name in _names(manifest, "tables"):
        fields = []
        for field_name, shape in snapshot["tables"][name].get("fields", {}).items():
            spec = {k: shape[k] for k in ("type", "codelist", "itemType") if k in shape}
            constraints = {**shape.get("constraints", {}), **({"required": True} if shape.get("required") else {})}
            fields.append({"name": field_name, **spec, "constraints": constraints, "description": ""})
        tables[name] = {"title": name, "description": "", "primaryKey": [], "fields": fields}
    codelists = {
        name: Codelist(name, tuple({"code": c, "label": "", "description": ""} for c in snapshot["codelists"][name]))
        for name in _names(manifest, "codelists")
    }
    return Standard(tables, codelists)


def _codelist(name: str, content: bytes) -> Codelist:
    return Codelist(name, tuple(csv.DictReader(io.StringIO(content.decode("utf-8")))))


def read_release_standards(root: Path, releases: dict[str, dict[str, Any]]) -> dict[str, ReleaseStandard]:
    """Each release's standard, from the schemas/ files of its commit when git has them all."""
    found = {}
    for tag, manifest in releases.items():
        if not TAG.fullmatch(tag):
            continue
        commit = git_versions.release_commit(root / "releases" / f"{tag}.json", tag)
        files: dict[str, bytes] = {}
        wanted = [f"tables/{n}.json" for n in _names(manifest, "tables")]
        wanted += [f"codelists/{n}.csv" for n in _names(manifest, "codelists")]
        for path in wanted if commit else []:
            content = git_versions.at_commit(root / "schemas" / path, commit) if commit else None
            if content is not None:
                files[path] = content
        if wanted and len(files) == len(wanted):
            tables = {p[7:-5]: json.loads(c) for p, c in files.items() if p.startswith("tables/")}
            codelists = {p[10:-4]: _codelist(p[10:-4], c) for p, c in files.items() if p.startswith("codelists/")}
            found[tag] = ReleaseStandard(Standard(tables, codelists), True, files)
        else:
            found[tag] = ReleaseStandard(from_snapshot(manifest), False)
    return found


def selector(page: str, current: str | None, versions: dict[str | None, set[str]]) -> str:
    """A line of links to the same page in every version (`None` is the latest, at the site's root), or to
    that version's first page when the page did not exist in it; `page` is the path within a version."""
    here = posixpath.dirname(_root(current) + page)
    links = []
    for version, pages in versions.items():
        label = "latest" if version is None else version
        if version == current:
            links.append(f"**{label}**")
            continue
        target = _root(version) + (page if page in pages else ("codebook/index.md" if version is None else "index.md"))
        links.append(str(Link(label, posixpath.relpath(target, here or "."))))
    everything = posixpath.relpath("versions.md", here or ".")
    return "Version: " + " · ".join(links) + f" ([all versions]({everything}))\n\n"


def _root(version: str | None) -> str:
    return "" if version is None else f"{version}/"


def _version_order(tag: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", tag))


def _available(standards: dict[str, ReleaseStandard], latest: Standard) -> dict[str | None, set[str]]:
    """The codebook pages of each version, the latest first, then the releases newest first."""
    versions: dict[str | None, set[str]] = {None: {f"codebook/{n}.md" for n in latest.tables}}
    versions[None].add("codebook/codelists.md")
    for tag in sorted(standards, key=_version_order, reverse=True):
        versions[tag] = {f"codebook/{n}.md" for n in standards[tag].standard.tables} | {"codebook/codelists.md"}
    return versions


def latest_selector(latest: Standard, standards: dict[str, ReleaseStandard], table_name: str) -> str:
    """The version selector of the latest codebook's page of `table_name`; none before the first release."""
    return selector(f"codebook/{table_name}.md", None, _available(standards, latest)) if standards else ""


def version_pages(
    releases: dict[str, dict[str, Any]], standards: dict[str, ReleaseStandard], latest: Standard
) -> dict[str, str | bytes]:
    """Each release's pages and schema files under `vX.Y.Z/`, and the page listing every version."""
    tags = sorted(standards, key=_version_order, reverse=True)
    versions = _available(standards, latest)
    pages: dict[str, str | bytes] = {"versions.md": versions_page(releases, tags)}
    for tag in tags:
        rs, manifest = standards[tag], releases[tag]
        pages[f"{tag}/index.md"] = release_page(tag, manifest, rs, selector("index.md", tag, versions))
        for name in rs.standard.tables:
            page = f"codebook/{name}.md"
            pages[f"{tag}/{page}"] = codebook_table_page(rs.standard, name, selector(page, tag, versions))
        pages[f"{tag}/codebook/codelists.md"] = selector("codebook/codelists.md", tag, versions) + codelists_page(
            rs.standard, csv_links=rs.from_commit
        )
        pages.update({f"{tag}/standard/{path}": content for path, content in rs.files.items()})
    return pages


def release_page(tag: str, manifest: dict[str, Any], rs: ReleaseStandard, versions_line: str) -> str:
    out = [f"# Version {tag[1:]}\n\n", versions_line]
    out.append(
        f"Released {cell(manifest.get('date') or 'on an unrecorded date')}"
        + (f" ({cell(manifest.get('bump'))} bump)" if manifest.get("bump") else "")
        + ". What changed is on the [Changes](../changes.md) page; the bundle and the citation of this version "
        "are on [Downloads](../downloads.md).\n\n"
    )
    if not rs.from_commit:
        out.append(
            "!!! note \"Descriptions are not shown\"\n    The release's commit is not in this repository's "
            "history, so this codebook is made from the schema snapshot in its manifest: fields, types, "
            "constraints and codes, as they were, without their descriptions.\n\n"
        )
    out.append("## Codebook of this version\n\n")
    rows = [[Link(name, f"codebook/{name}.md"), len(spec["fields"])] for name, spec in rs.standard.tables.items()]
    out.append(table(["table", "fields"], rows))
    out.append("\nAnd its [codelists](codebook/codelists.md).\n")
    return "".join(out)


def versions_page(releases: dict[str, dict[str, Any]], tags: list[str]) -> str:
    out = ["# Versions\n\n", generated_note("`releases/*.json` and each release's schemas")]
    if not tags:
        return "".join(out) + "No version has been released yet: the [codebook](codebook/index.md) is the latest.\n"
    out.append(
        "The documentation of each release stays readable beside the latest: cite a version and read the "
        "codebook of that version. Every codebook page has a version selector at its top.\n\n"
    )
    rows = [[Link("latest", "codebook/index.md"), "the main branch", "", "the codebook as it is now"]]
    for tag in tags:
        m = releases[tag]
        rows.append([Link(tag, f"{tag}/index.md"), m.get("date"), m.get("bump"), Link("codebook", f"{tag}/index.md")])
    out.append(table(["version", "released", "bump", "read"], rows))
    out.append(f"\nThe latest release is {code(tags[0])}.\n")
    return "".join(out)
