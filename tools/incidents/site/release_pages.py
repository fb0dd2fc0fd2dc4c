"""Release pages: downloads (releases, checksums, citation, credit, licence) and changes (the changelog, its
links made to work on the site)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from typing import Any

from incidents.site.coverage import EXTERNAL_DATASETS, incident_page_rows, origins
from incidents.site.downloads import BUNDLES, CITE, FILES, STANDARD, Download, bundle_name, by_path, size_text
from incidents.site.incident_pages import incident_title
from incidents.site.inputs import Inputs, table_rows
from incidents.site.markdown import (
    Checksum,
    Link,
    cell,
    code,
    count_noun,
    generated_note,
    indent,
    raw_table,
    table,
    thousands,
    web_link,
    web_url,
)
from incidents.standard import TOMBSTONES


def downloads_page(inputs: Inputs, served: Sequence[Download] = ()) -> str:
    """The downloads: each release's bundle, the current tables and descriptor, the standard's files, each
    linked to the copy the site serves with its size and SHA-256; then the citation, credit and licence."""
    pkg = inputs.package
    files = by_path(list(served))
    out = ["# Downloads and checksums\n\n", generated_note("`releases/*.json`, `CITATION.cff` and `datapackage.json`")]
    homepage = web_url(pkg.get("homepage"))
    releases = sorted(inputs.releases.items(), key=lambda kv: _version_key(kv[0]), reverse=True)
    if releases:
        out.append("## Releases\n\n")
        out.append(
            "Each release is a zip bundle holding `datapackage.json`, the CSV and Parquet tables, the "
            "changelog, the licences and `CITATION.cff`, with a manifest (`releases/vX.Y.Z.json`) giving the "
            "size and SHA-256 of every file. What changed in each release is on the [Changes](changes.md) "
            "page; each release's codebook is on [Versions](versions.md).\n\n"
        )
        rows = [_release_row(item, inputs, files, homepage) for item in releases]
        out.append(raw_table(["version", "date", "bump", "records", "bundle", "size", "sha256"], rows))
        out.append("\n")
        if any(f"{BUNDLES}/{bundle_name(inputs, name)}" not in files for name, _ in releases):
            out.append(
                "A bundle not built beside this site (in `dist/`, by `incidents bundle vX.Y.Z`) is linked on the "
                "repository's releases, where the release workflow publishes it; its size and SHA-256 are "
                "those of its release asset. "
            )
        out.append(
            "Check a bundle with `incidents verify open-incidents-vX.Y.Z.zip`, which compares every file with the "
            "manifest, or compare `sha256sum` of each file with the lists below.\n\n"
        )
        for name, manifest in releases:
            entries = _manifest_files(manifest)
            out.append(f'??? note "{name}: size and SHA-256 of its {count_noun(len(entries), "file")}"\n\n')
            listed = ([f.get("path") or f.get("name"), f.get("bytes") or f.get("size"), _sha(f)] for f in entries)
            out.append(indent(table(["file", "bytes", "sha256"], listed)) + "\n")
    else:
        out.append(
            "No release has been cut yet (no `releases/*.json` manifest). Until then, use the tables of the "
            "repository's main branch, listed below with their checksums.\n\n"
        )
    current = [d for d in served if d.path.startswith(f"{FILES}/") and not d.path.startswith((CITE, BUNDLES))]
    if current:
        out.append(f"## Current build\n\nVersion {cell(pkg.get('version', 'unreleased'))}. ")
        out.append(
            "The tables as built from the records on the repository's main branch, which may hold changes "
            "not yet released: cite a release, not the current build. `datapackage.json` sits beside the "
            "tables as in the repository, so a Frictionless tool can read the package from its address here.\n\n"
        )
        out.append(_file_table(current, "downloads.md"))
        out.append("\nCheck a file with `sha256sum incidents.csv` (or `Get-FileHash` on Windows).\n\n")
    schemas = [d for d in served if d.path.startswith(f"{STANDARD}/")]
    if schemas:
        out.append("## The standard's files\n\n")
        out.append(
            "The Table Schemas, the JSON Schemas of the contributed files and the codelists (the "
            "[codebook](codebook/index.md) shows them as pages).\n\n"
        )
        out.append(f'??? note "{count_noun(len(schemas), "file")}"\n\n{indent(_file_table(schemas, "downloads.md"))}\n')
    out.append("## Cite\n\n")
    out.append(citation_text(inputs))
    out.append(citation_formats_text(inputs, files))
    out.append(credit_text(inputs, files))
    out.append("\n## Licence\n\n")
    for lic in pkg.get("licenses", []):
        out.append(f"- The data: {web_link(lic.get('path'), lic.get('title') or lic.get('name'))}.")
        if lic.get("name") == "CC-BY-4.0":
            out.append(
                " You may copy, redistribute and adapt it for any purpose, commercial ones included, as long as "
                "you credit it (cite it as above) and say what you changed."
            )
        out.append("\n")
    out.append("- The code and the standard's tools: MIT licence.\n")
    if inputs.licence_files and homepage:
        links = ", ".join(f"[`{name}`]({homepage}/blob/main/{name})" for name in inputs.licence_files)
        out.append(f"\nThe full texts are in the repository ({links}) and in every bundle.\n")
    return "".join(out)


def _file_table(files: list[Download], page: str) -> str:
    """Served files as rows: a link to the file (relative to `page`), its size and its SHA-256."""
    here = posixpath.dirname(page) or "."
    rows = [
        [
            str(Link(d.path.split("/", 1)[1], posixpath.relpath(d.path, here))),
            cell(size_text(d.size)),
            str(Checksum(d.sha256)),
        ]
        for d in files
    ]
    return raw_table(["file", "size", "sha256"], rows)


def citation_formats_text(inputs: Inputs, files: dict[str, Download]) -> str:
    """The citation as BibTeX, RIS and CSL-JSON, shown in tabs and served as files, for the latest version
    and each release."""
    name = str(inputs.package.get("name") or "dataset")
    shown = [(label, files.get(f"{CITE}/{name}.{ext}")) for label, ext in CITATION_FORMATS]
    if not all(d for _, d in shown):
        return ""
    out = ["\nFor a reference manager (latest version):\n\n"]
    for label, d in shown:
        assert d is not None
        fence = "`" * max(3, _longest_backtick_run(d.content.decode("utf-8")) + 1)
        out.append(f'=== "{label}"\n\n')
        out.append(indent(f"{fence}\n{d.content.decode('utf-8').rstrip()}\n{fence}\n") + "\n")
        out.append(f"    [Download `{d.name}`]({d.path})\n\n")
    rows = []
    for tag in sorted(inputs.releases, key=_version_key, reverse=True):
        links = [
            str(Link(label, f"{CITE}/{name}-{tag}.{ext}"))
            for label, ext in CITATION_FORMATS
            if f"{CITE}/{name}-{tag}.{ext}" in files
        ]
        rows.append([cell(tag), ", ".join(links)])
    if rows:
        out.append("Each version's citation:\n\n" + raw_table(["version", "files"], rows) + "\n")
    return "".join(out)


CITATION_FORMATS = (("BibTeX", "bib"), ("RIS", "ris"), ("CSL-JSON", "json"))


def _longest_backtick_run(text: str) -> int:
    return max((len(m) for m in re.findall(r"`+", text)), default=0)


def credit_text(inputs: Inputs, files: dict[str, Download] | None = None) -> str:
    """The credit the licence of each imported dataset asks for, with how many incidents came from it."""
    counts = origins(inputs)
    credited = [(k, EXTERNAL_DATASETS[k]) for k in counts if k in EXTERNAL_DATASETS and EXTERNAL_DATASETS[k]["credit"]]
    if not credited:
        return ""
    out = ["\n## Credit\n\n"]
    for origin, known in credited:
        out.append(
            f"{thousands(counts[origin])} incidents (those whose `external_ids` start with `{origin}:`) are "
            f"imported from the {known['name']}, published under {known['licence']}. Using them, credit "
            f"{known['short']} as its licence requires, by citing:\n\n"
        )
        out.extend(f"- {cell(ref)}\n" for ref in known["credit"])
        out.append(
            "\nWhat the import changed is in each record's `notes` and on the [importers page](importers.md); "
            "each imported record's evidence is its row of the archived export.\n\n"
        )
    references = (files or {}).get(f"{CITE}/references.bib")
    if references:
        text = references.content.decode("utf-8").strip()
        fence = "`" * max(3, _longest_backtick_run(text) + 1)
        out.append(f"As BibTeX ([download `references.bib`]({references.path})):\n\n{fence}bibtex\n{text}\n{fence}\n\n")
    return "".join(out)


def _manifest_files(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """A manifest's files, whether listed (`[{path, bytes, sha256}]`) or keyed by path."""
    files = manifest.get("files", [])
    if isinstance(files, dict):
        return [{"path": p, **(v if isinstance(v, dict) else {"sha256": v})} for p, v in files.items()]
    return [f for f in files if isinstance(f, dict)]


def _sha(entry: dict[str, Any]) -> Checksum:
    return Checksum(str(entry.get("sha256") or ""))


def _release_row(
    item: tuple[str, dict[str, Any]], inputs: Inputs, files: dict[str, Download], homepage: str | None
) -> list[str]:
    name, manifest = item
    counts = manifest.get("counts")
    records = ", ".join(f"{n} {what}" for what, n in counts.items() if n) if isinstance(counts, dict) else ""
    bump = manifest.get("bump") or ""
    if bump and not manifest.get("previous"):
        bump += " (first release)"
    file_name = bundle_name(inputs, name)
    served = files.get(f"{BUNDLES}/{file_name}")
    if served:
        bundle, size, sha = str(Link(file_name, served.path)), size_text(served.size), str(Checksum(served.sha256))
    elif homepage and re.fullmatch(r"v[\w.-]+", name):
        bundle, size, sha = f"{cell(file_name)} ([on GitHub]({homepage}/releases/download/{name}/{file_name}))", "", ""
    else:
        bundle, size, sha = cell(file_name), "", ""
    shown = [name, manifest.get("date"), bump, records or "no record changed"]
    return (
        [str(Link(name, f"{name}/index.md")) if re.fullmatch(r"v\d+\.\d+\.\d+", name) else cell(name)]
        + [cell(v) for v in shown[1:]]
        + [bundle, cell(size), sha]
    )


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", name)) or (0,)


def citation_text(inputs: Inputs) -> str:
    cff = inputs.citation
    pkg = inputs.package
    if cff:
        authors = "; ".join(
            a.get("name") or " ".join(x for x in (a.get("given-names"), a.get("family-names")) if x)
            for a in cff.get("authors", [])
        )
        parts = [
            authors,
            f"({cff.get('date-released', '')})".replace("()", ""),
            cff.get("title", ""),
            f"Version {cff.get('version')}" if cff.get("version") else "",
            cff.get("doi") or cff.get("url") or "",
        ]
        text = ". ".join(str(p).strip() for p in parts if p)
        return f"From `CITATION.cff`:\n\n> {cell(text)}.\n\nCite the version you used: each version's tables differ.\n"
    authors = "; ".join(c.get("title", "") for c in pkg.get("contributors", []))
    return (
        f"> {cell(authors)}. {cell(pkg.get('title', ''))}. Version {cell(pkg.get('version', ''))}. "
        f"{cell(pkg.get('homepage', ''))}\n\n(No `CITATION.cff` yet: this is made from `data/package.yaml`.) "
        "Cite the version you used: each version's tables differ.\n"
    )


_RELATIVE_LINK = re.compile(r"(!?\[[^\]]*\])\((?![a-z][a-z0-9+.-]*:|#|/)([^)\s#]+)(#[^)\s]*)?\)", re.I)


def repository_links(
    markdown: str, source: str, page: str, homepage: str | None, outside_docs_only: bool = False
) -> str:
    """Relative links of a repository file, made to work on the site.

    `source` is the file's path in the repository (`CHANGELOG.md`, `docs/versioning.md`), `page` its path
    on the site (under docs/). A link to a page of the site stays a link to it; the changelog becomes the
    Changes page; any other repository file is linked on the repository's host (or left as plain text when
    the package names no homepage, or one that is not a web address), never left pointing at a file the site
    does not have."""
    homepage = web_url(homepage)

    def fix(m: re.Match[str]) -> str:
        text, target, anchor = m[1], m[2], m[3] or ""
        path = posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
        if outside_docs_only and path.startswith("docs/"):
            return m[0]
        if path == "CHANGELOG.md":
            path = "docs/changes.md"
        if path.startswith("docs/"):
            return f"{text}({posixpath.relpath(path[5:], posixpath.dirname(page) or '.')}{anchor})"
        if homepage:
            return f"{text}({homepage.rstrip('/')}/blob/main/{path}{anchor})"
        return "" if text.startswith("!") else text[1:-1]

    return _RELATIVE_LINK.sub(fix, markdown)


def changes_page(inputs: Inputs, has_versioning: bool) -> str:
    out = ["# Changes\n\n"]
    if has_versioning and "versioning.md" not in (inputs.changelog or ""):
        out.append("Versions follow semantic versioning for data; see the [versioning policy](versioning.md).\n\n")
    rows = {r["incident_id"]: r for r in table_rows(inputs.tables, "incidents")}
    titles = {iid: incident_title(inputs.standard, r) for iid, r in rows.items()}
    pages = set(_incident_page_ids(inputs))
    out.append(status_changes(inputs, rows, titles, pages))
    if inputs.changelog:
        text = repository_links(inputs.changelog, "CHANGELOG.md", "changes.md", inputs.package.get("homepage"))
        text = _link_incidents(text, pages, titles, "data/incidents/")
        text = re.sub(r"^# .*\n", "", text, count=1)  # the page has its own title
        out.append(re.sub(r"^(#+) ", r"#\1 ", text, flags=re.M) if not text.lstrip().startswith("## ") else text)
    else:
        out.append(
            "No `CHANGELOG.md` yet: no version of the dataset has been released. Each release will add a "
            "section here with the incidents added, corrected (and which fields), withdrawn and merged.\n"
        )
    return "".join(out)


def status_changes(inputs: Inputs, rows: dict[str, dict[str, Any]], titles: dict[str, str], pages: set[str]) -> str:
    """Every withdrawn or merged record of the current build, released or not, with when, why and (merged)
    the record that carries it on."""
    tombstones = [r for r in rows.values() if r["status"] in TOMBSTONES]
    if not tombstones:
        return ""
    when = {
        (r["incident_id"], r["revision"]): r["changed_at"]
        for r in table_rows(inputs.tables, "revisions")
        if r["incident_id"] in {t["incident_id"] for t in tombstones}
    }

    def named(iid: str | None) -> str:
        if not iid:
            return "—"
        shown = f"[{code(iid)}](data/incidents/{iid}.md)" if iid in pages else code(iid)
        return f"{shown} ({cell(titles[iid])})" if iid in titles else shown

    table_rows_ = [
        [
            named(r["incident_id"]),
            cell(r["status"]),
            named(r["merged_into"]) if r["status"] == "merged" else "",
            cell(r["status_reason"]),
            cell(when.get((r["incident_id"], r["revision"]))),
        ]
        for r in tombstones
    ]
    return (
        "## Withdrawn and merged records\n\n"
        "Records that are no longer incidents of the dataset stay in the tables as tombstones, with their ids. "
        "As of the current build (released or not):\n\n"
        + raw_table(["record", "status", "merged into", "reason", "changed at"], table_rows_)
        + "\n"
    )


_INCIDENT_ID = re.compile(r"(?<![\w/`\[])inc_[0-9A-HJKMNP-TV-Z]{26}(?![\w`\]])")


def _link_incidents(markdown: str, pages: set[str], titles: dict[str, str], prefix: str) -> str:
    """Incident ids mentioned in plain text become links to their pages (ids without a page stay text), each
    followed by the incident's title (date, place, sub-event type) when the tables hold it."""

    def named(m: re.Match[str]) -> str:
        iid = m[0]
        shown = f"[{iid}]({prefix}{iid}.md)" if iid in pages else iid
        return f"{shown} ({cell(titles[iid])})" if iid in titles else shown

    return _INCIDENT_ID.sub(named, markdown)


def _incident_page_ids(inputs: Inputs) -> list[str]:
    return [row["incident_id"] for row in incident_page_rows(inputs)]
