"""Release pages: downloads (releases, checksums, citation, credit, licence) and changes (the changelog, its
links made to work on the site)."""

from __future__ import annotations

import posixpath
import re
from typing import Any

from incidents.site.coverage import EXTERNAL_DATASETS, incident_page_rows, origins
from incidents.site.inputs import Inputs
from incidents.site.markdown import (
    Checksum,
    cell,
    count_noun,
    generated_note,
    indent,
    table,
    thousands,
    web_link,
    web_url,
)


def downloads_page(inputs: Inputs) -> str:
    pkg = inputs.package
    out = ["# Downloads and checksums\n\n", generated_note("`releases/*.json`, `CITATION.cff` and `datapackage.json`")]
    homepage = web_url(pkg.get("homepage"))
    releases = sorted(inputs.releases.items(), key=lambda kv: _version_key(kv[0]), reverse=True)
    if releases:
        out.append("## Releases\n\n")
        out.append(
            "Each release is a zip bundle holding `datapackage.json`, the CSV and Parquet tables, the "
            "changelog, the licences and `CITATION.cff`, with a manifest (`releases/vX.Y.Z.json`) giving the "
            "size and SHA-256 of every file. What changed in each release is on the [Changes](changes.md) "
            "page.\n\n"
        )
        out.append(table(["version", "date", "bump", "records", "bundle"], map(_release_row, releases)))
        out.append("\n")
        if homepage:
            out.append(f"Download a bundle from the repository's [releases]({homepage}/releases). ")
        out.append(
            "Check it with `incidents verify open-incidents-vX.Y.Z.zip`, which compares every file with the "
            "manifest, or compare `sha256sum` of each file with the lists below.\n\n"
        )
        for name, manifest in releases:
            files = _manifest_files(manifest)
            out.append(f'??? note "{name}: size and SHA-256 of its {count_noun(len(files), "file")}"\n\n')
            rows = ([f.get("path") or f.get("name"), f.get("bytes") or f.get("size"), _sha(f)] for f in files)
            out.append(indent(table(["file", "bytes", "sha256"], rows)) + "\n")
    else:
        out.append(
            "No release has been cut yet (no `releases/*.json` manifest). Until then, use the tables of the "
            "repository's main branch, listed below with their checksums.\n\n"
        )
    resources = (inputs.descriptor or {}).get("resources", [])
    if resources:
        out.append(f"## Current build (version {cell(pkg.get('version', 'unreleased'))})\n\n")
        out.append(
            "The tables as built from the records on the repository's main branch, which may hold changes "
            "not yet released. Cite a release, not the current build.\n\n"
            if releases
            else "The tables as built from the records on the repository's main branch.\n\n"
        )
        rows = (
            [r.get("path"), r.get("format"), r.get("bytes"), Checksum(str(r.get("hash", "")).removeprefix("sha256:"))]
            for r in resources
        )
        listing = table(["file", "format", "bytes", "sha256"], rows)
        out.append(
            f'??? note "Size and SHA-256 of the current {count_noun(len(resources), "file")}"\n\n{indent(listing)}\n'
            if releases
            else listing
        )
        out.append("\nCheck a file with `sha256sum data/tables/incidents.csv` (or `Get-FileHash` on Windows).\n\n")
    out.append("## Cite\n\n")
    out.append(citation_text(inputs))
    out.append(credit_text(inputs))
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


def credit_text(inputs: Inputs) -> str:
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
    return "".join(out)


def _manifest_files(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """A manifest's files, whether listed (`[{path, bytes, sha256}]`) or keyed by path."""
    files = manifest.get("files", [])
    if isinstance(files, dict):
        return [{"path": p, **(v if isinstance(v, dict) else {"sha256": v})} for p, v in files.items()]
    return [f for f in files if isinstance(f, dict)]


def _sha(entry: dict[str, Any]) -> Checksum:
    return Checksum(str(entry.get("sha256") or ""))


def _release_row(item: tuple[str, dict[str, Any]]) -> list[object]:
    name, manifest = item
    counts = manifest.get("counts")
    records = ", ".join(f"{n} {what}" for what, n in counts.items() if n) if isinstance(counts, dict) else ""
    bump = manifest.get("bump") or ""
    if bump and not manifest.get("previous"):
        bump += " (first release)"
    bundle = f"{manifest['name']}-{name}.zip" if manifest.get("name") else ""
    return [name, manifest.get("date"), bump, records or "no record changed", bundle]


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
    if inputs.changelog:
        text = repository_links(inputs.changelog, "CHANGELOG.md", "changes.md", inputs.package.get("homepage"))
        text = _link_incidents(text, set(_incident_page_ids(inputs)), "data/incidents/")
        text = re.sub(r"^# .*\n", "", text, count=1)  # the page has its own title
        out.append(re.sub(r"^(#+) ", r"#\1 ", text, flags=re.M) if not text.lstrip().startswith("## ") else text)
    else:
        out.append(
            "No `CHANGELOG.md` yet: no version of the dataset has been released. Each release will add a "
            "section here with the incidents added, corrected (and which fields), withdrawn and merged.\n"
        )
    return "".join(out)


_INCIDENT_ID = re.compile(r"(?<![\w/`\[])inc_[0-9A-HJKMNP-TV-Z]{26}(?![\w`\]])")


def _link_incidents(markdown: str, ids: set[str], prefix: str) -> str:
    """Incident ids mentioned in plain text become links to their pages (ids without a page stay text)."""
    return _INCIDENT_ID.sub(lambda m: f"[{m[0]}]({prefix}{m[0]}.md)" if m[0] in ids else m[0], markdown)


def _incident_page_ids(inputs: Inputs) -> list[str]:
    return [row["incident_id"] for row in incident_page_rows(inputs)]
