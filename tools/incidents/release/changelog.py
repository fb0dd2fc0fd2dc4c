"""CHANGELOG.md: one section per release, written from the record-level diff, newest first. Pure."""

from __future__ import annotations

import re

from incidents.core.inert_markdown import cell
from incidents.release.record_diff import Diff

HEADER = """# Changelog

Every release of the Open Incidents dataset, newest first. Each section is written by `incidents release`
from the record-level diff with the previous release (do not edit it by hand); the versioning policy is in
[docs/versioning.md](docs/versioning.md). Compare any two releases with `incidents diff vA.B.C vX.Y.Z`.
"""

# A changelog is read by people: an import of thousands of records lists the first ids and where the rest are.
MAX_LISTED = 50

TITLES = {
    "added": "Added",
    "corrected": "Corrected",
    "withdrawn": "Withdrawn",
    "merged": "Merged",
    "reinstated": "Tombstones made active again, which the standard forbids",  # validate refuses them
    "removed": "Removed",
}


def section(version: str, date: str, d: Diff, bump: str, proposed: str | None) -> str:
    """The section of one release: the bump and why, then records by kind of change, then the standard."""
    why = "; ".join(d.reasons()) or "no change to the data or the standard"
    chosen = bump if bump == proposed else f"{bump} (proposed: {proposed or 'none'}, raised by the maintainer)"
    lines = [f"## v{version} ({date})", "", f"Bump: {chosen}. Compared with {d.old}: {why}.", "", "### Records", ""]
    counts = d.counts()
    if not any(counts.values()):
        lines.append("No record changed.")
    for change, title in TITLES.items():
        changes = d.of(change)
        if not changes:
            continue
        if change in ("added", "removed"):
            ids = [c.incident_id for c in changes]
            shown = (
                ", ".join(ids)
                if len(ids) <= MAX_LISTED
                else ", ".join(ids[:MAX_LISTED])
                + (
                    f", and {len(ids) - MAX_LISTED} more (every id is in releases/v{version}.json; "
                    f"`incidents diff {d.old} v{version}` lists them)"
                )
            )
            lines.append(f"- {title} ({len(changes)}): {shown}")
            continue
        lines.append(f"- {title} ({len(changes)}):")
        for c in changes:
            if change == "withdrawn":
                lines.append(f"  - {c.incident_id}: {cell(c.reason)}")
            elif change == "merged":
                lines.append(f"  - {c.incident_id} into {c.merged_into}: {cell(c.reason)}")
            else:
                fields = ", ".join(map(_field, c.fields)) or "no field named"
                lines.append(f"  - {c.incident_id} (revision {c.old_revision} -> {c.new_revision}): {fields}")
    lines += ["", "### Standard (schemas and codelists)", ""]
    if d.schema:
        lines += [f"- {s.where}: {s.detail} ({s.bump})" for s in d.schema]
    else:
        lines.append("No change to the schemas or codelists." if d.old != "nothing" else "First release.")
    return "\n".join(lines) + "\n"


def _field(name: str) -> str:
    """A field named in a revision, as written when it is a field's name (letters, digits and underscores,
    which Markdown leaves alone inside a word), else as inert text: fields_changed is contributed."""
    return name if re.fullmatch(r"[a-z][a-z0-9_]*", name) else cell(name)


def insert(existing: str, new_section: str) -> str:
    """The changelog with `new_section` above the previous releases."""
    if not existing.strip():
        return f"{HEADER}\n{new_section}"
    at = existing.find("\n## ")
    if at < 0:
        return f"{existing.rstrip()}\n\n{new_section}"
    return f"{existing[: at + 1]}{new_section}\n{existing[at + 1 :]}"
