"""The import run: every part of an export file archived as a source, its rows mapped, matched to the
dataset's records and actors, screened, and written as new records or revisions.

The export file is archived unchanged as a source; each record's evidence is its row's text in that file,
with character offsets, so the provenance checks of `incidents validate` hold for imported records too.
Every row ends up in exactly one place of the `ImportReport`: created, revised, unchanged, or problems.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from incidents import __version__, records
from incidents.core import atomic
from incidents.core.layout import Layout
from incidents.core.problems import Problem
from incidents.importers import match
from incidents.importers.known import Existing, read_existing
from incidents.importers.rows import PART_BYTES, ActorRef, Export, Mapped, Part, Row, read_rows, split_export
from incidents.records import ids, ingest, lifecycle, revisions


@dataclass
class ImportReport:
    """What one import did, row by row: each row of the file is in exactly one of created, revised,
    unchanged, or (with its problem) not imported."""

    file: str
    created: list[str] = field(default_factory=list)
    revised: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    actors_created: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)
    rows: int = 0
    source_ids: list[str] = field(default_factory=list)  # the archived parts that records cite
    missing: list[str] = field(default_factory=list)  # ids imported before from this dataset, not in the file
    withdrawn: list[str] = field(default_factory=list)  # of those, the ones withdrawn by this import

    @property
    def source_id(self) -> str | None:
        """The archived export (its first part, when it was archived in parts) that the records cite."""
        return self.source_ids[0] if self.source_ids else None

    @property
    def not_imported(self) -> int:
        """Rows of the file that are in none of created, revised, unchanged: each has a problem reported."""
        return self.rows - len(self.created) - len(self.revised) - len(self.unchanged)

    def summary(self) -> str:
        text = (
            f"{self.file}: {self.rows} row(s): {len(self.created)} created, {len(self.revised)} revised, "
            f"{len(self.unchanged)} unchanged, {self.not_imported} not imported ({len(self.problems)} problem(s)); "
            f"{len(self.actors_created)} actor(s) created; {len(self.notices)} value(s) repaired or left alone"
        )
        if self.withdrawn:
            text += f"; {len(self.withdrawn)} record(s) no longer in the export withdrawn"
        elif self.missing:
            shown = ", ".join(self.missing[:10]) + (", ..." if len(self.missing) > 10 else "")
            text += (
                f"; {len(self.missing)} row(s) imported before are no longer in the export ({shown}): "
                "--withdraw-missing withdraws their records"
            )
        return text


def repairs(notices: list[Problem]) -> list[str]:
    """Notices (repaired values, tombstones left alone), one line per kind, with how many rows and the first."""
    groups: dict[tuple[str | None, str, str], list[Problem]] = {}
    for notice in notices:
        groups.setdefault((notice.field, notice.message, notice.code), []).append(notice)
    return [
        f"{found[0].file}:{found[0].line}: {column}: {message} in {len(found)} row(s) [{code}]"
        for (column, message, code), found in groups.items()
    ]


def _map_rows(export: Export, rows: list[Row], report: ImportReport, seen: dict[str, int]) -> list[Mapped]:
    """Map every row, collecting problems and notices; an id seen before in the file is a problem."""
    mapped: list[Mapped] = []
    for row in rows:
        result, problems, notices = export.map_row(row, report.file)
        report.problems.extend(problems)
        report.notices.extend(notices)
        if result is None:
            continue
        if result.external_id in seen:
            message = f"{result.external_id} repeats the row on line {seen[result.external_id]}"
            report.problems.append(
                Problem(
                    file=report.file,
                    line=row.line,
                    record=result.external_id,
                    message=message,
                    expected="each id once",
                    code="import-duplicate",
                )
            )
            continue
        seen[result.external_id] = row.line
        mapped.append(result)
    return mapped


@dataclass
class _Run:
    """What one import learns as it goes through the parts of a file."""

    layout: Layout
    export: Export
    display: str
    by: str
    now: dt.datetime
    today: dt.date
    existing: Existing
    report: ImportReport
    parts: int = 0
    seen: dict[str, int] = field(default_factory=dict)  # external id -> the file's line of its row
    present: set[str] = field(default_factory=set)  # every id the file holds, rows not imported included
    new_actors: dict[str, dict[str, Any]] = field(default_factory=dict)
    written_actors: set[str] = field(default_factory=set)
    texts: dict[str, str | None] = field(default_factory=dict)


def run_import(
    layout: Layout,
    export: Export,
    display: str,
    stream: BinaryIO,
    *,
    by: str,
    now: dt.datetime,
    today: dt.date,
    progress: Callable[[int], None] | None = None,
    part_bytes: int = PART_BYTES,
    withdraw_missing: bool = False,
) -> ImportReport:
    """Import one export file, read as a stream in parts. Idempotent: the same file again changes nothing; a
    corrected file adds a revision to each record whose values changed. Each part is written at once (its
    archived text, records and actors): an import stopped half-way is completed by running it again.

    Active records imported before from this dataset whose rows the file no longer holds are reported; with
    `withdraw_missing` (for a full export) they are withdrawn as removed from the source."""
    report = ImportReport(display)
    existing = read_existing(layout)
    run = _Run(layout, export, display, by, now, today, existing, report)
    for part in split_export(stream, display, part_bytes):
        _import_part(run, part)
        if progress:
            progress(len(part.content))
    report.missing = sorted(
        external_id
        for external_id, known in existing.records.items()
        if external_id.startswith(f"{export.dataset}:") and external_id not in run.present and known.status == "active"
    )
    if withdraw_missing and report.missing:
        _withdraw(run, report.missing)
    report.problems.extend(existing.problems)
    # In the order of the file's lines (a problem found by the standard's checks comes after reading the
    # file); problems of the dataset's own files last.
    report.problems.sort(key=lambda p: (p.file != display, p.line or 0))
    return report


def _withdraw(run: _Run, missing: list[str]) -> None:
    """Withdraw the records of rows the export no longer holds (and the records merged into them)."""
    stamp = _stamp(run)
    by_id = {known.incident_id: known.data for known in run.existing.records.values()}
    changed: dict[str, dict[str, Any]] = {}
    missing = [
        external_id
        for external_id in missing
        if match.imported_from(run.existing.records[external_id].data, run.export)
    ]
    for external_id in missing:
        incident_id = run.existing.records[external_id].incident_id
        reason = f"Removed from the source: {external_id} is no longer in {run.export.title} {run.display}."
        for changed_id, record in lifecycle.withdraw(incident_id, reason, stamp, {**by_id, **changed}).items():
            changed[changed_id] = record
    atomic.write_all({run.layout.records / f"{i}.yaml": records.dump(r).encode("utf-8") for i, r in changed.items()})
    run.report.withdrawn = missing


def _stamp(run: _Run) -> revisions.Stamp:
    """Who imports, when (UTC, to the second): the stamp of every revision this import adds."""
    return revisions.Stamp(run.by, run.now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), __version__, "imported")


def _shifted(problem: Problem, shift: int) -> Problem:
    """A problem of a part's row at its line in the whole file (the header, line 1, is the same in both)."""
    line = problem.line + shift if problem.line and problem.line > 1 else problem.line
    return problem.with_location(problem.file, line)


def _import_part(run: _Run, part: Part) -> None:
    report, export, layout, display = run.report, run.export, run.layout, run.display
    report.problems.extend(part.skipped)
    report.rows += len(part.skipped)
    name = display.rsplit("/", 1)[-1]
    title = f"{export.title} {name}"
    if not part.whole:
        title += f", part {part.number} (lines {part.first_line}-{part.first_line + part.lines - 1})"
    try:
        source = ingest.source_metadata(
            part.content,
            layout,
            url=None,
            publisher=export.publisher,
            published=None,
            retrieved=run.now,
            title=title,
            media_type="text/csv",
        )
    except ingest.IngestError as exc:
        report.problems.append(
            Problem(
                file=display,
                line=part.first_line,
                message=str(exc),
                code="import-file",
            )
        )
        return
    text = part.content.decode("utf-8")
    shift = part.first_line - 2
    rows, problems, count = read_rows(text, display, export.columns)
    report.rows += count
    rows = [Row(r.line + shift, r.start, r.end, r.cells) for r in rows]
    report.problems.extend(_shifted(p, shift) for p in problems)
    before = len(report.problems)
    mapped = _map_rows(export, rows, report, run.seen)
    run.present.update(run.seen)
    run.present.update(p.record for p in report.problems[before:] if p.record)
    existing = run.existing
    # An actor the export names both as a main actor (with its own type) and as an associated one gets
    # the main actor's type, whichever row comes first.
    typed = {ref.name.casefold(): ref.actor_type for item in mapped for ref in item.actors if ref.primary}

    def actor_id(ref: ActorRef, external_id: str) -> str:
        key = ref.name.casefold()
        if key not in existing.actors:
            run.new_actors[key] = {
                "actor_id": ids.new_actor_id(),
                "name": ref.name,
                "aliases": [],
                "actor_type": typed.get(key, ref.actor_type),
                "country": ref.country,
                "parent_actor_id": None,
                "description": f"Created by the {export.title} importer from {external_id}; review actor_type.",
            }
            existing.actors[key] = run.new_actors[key]["actor_id"]
        return existing.actors[key]

    def links_of(item: Mapped) -> list[dict[str, str]]:
        links: list[dict[str, str]] = []
        for ref in item.actors:
            link = {"actor_id": actor_id(ref, item.external_id), "role": ref.role}
            if link not in links:
                links.append(link)
        return links

    source_id = source["source_id"]
    # A record that quotes exactly this row of this archived text was imported from these very bytes: it
    # is as the export says, with what people corrected since (found without parsing its file).
    quoted = [match.known_to_quote(existing.records.get(item.external_id), source_id, item.row) for item in mapped]
    report.unchanged.extend(item.external_id for item, same in zip(mapped, quoted, strict=True) if same)
    mapped = [item for item, same in zip(mapped, quoted, strict=True) if not same]
    first_read: set[str] = set()  # records linked to a row by hand, that no import of the row has evidenced yet
    candidates: list[dict[str, Any]] = []
    readable = [not (k := existing.records.get(item.external_id)) or bool(k.data) for item in mapped]
    unreadable = [item for item, ok in zip(mapped, readable, strict=True) if not ok]
    for item in unreadable:
        message = (
            f"its record {existing.records[item.external_id].display} cannot be read: "
            "run `incidents validate` and fix it first"
        )
        report.problems.append(
            Problem(
                file=display,
                line=item.row.line,
                record=item.external_id,
                message=message,
                code="import-record",
            )
        )
    mapped = [item for item, ok in zip(mapped, readable, strict=True) if ok]
    for item in mapped:
        links = links_of(item)
        known = existing.records.get(item.external_id)
        if known is None:
            candidates.append(match.record(ids.new_incident_id(), item, links, text, source_id))
            continue
        found = match.previous_import(layout, export, known.data, item.external_id, run.texts)
        if found is None:
            first_read.add(item.external_id)
        previous = (found[0], links_of(found[0]), found[1]) if found else None
        candidates.append(match.reimport(known.data, item, links, previous, text, source_id))

    stamp = _stamp(run)
    for candidate, item in zip(candidates, mapped, strict=True):
        candidate["revisions"] = [
            revisions.entry(1, stamp, f"Imported from {export.title} row {item.external_id}.", [])
        ]
    new_actors = [a for a in run.new_actors.values() if a["actor_id"] not in run.written_actors]
    rejected = match.screen(candidates, new_actors, run.today)
    for index in [i for i, found in rejected.items() if {f.code for f in found} == {"outside-country"}]:
        # The export itself places the event there (Svalbard under Norway): kept as given, flagged, warned.
        del rejected[index]
        candidates[index]["flags"] = [*(candidates[index].get("flags") or []), "outside_country"]
        item = mapped[index]
        message = "the export places the event outside the country's bounding box: imported with the flag"
        report.notices.append(_on_row(display, item, field="latitude", message=message, code="outside-country"))
    writes: dict[Any, bytes] = {}
    used_actors: set[str] = set()
    for index, (candidate, item) in enumerate(zip(candidates, mapped, strict=True)):
        if index in rejected:
            for f in rejected[index]:
                report.problems.append(
                    _on_row(display, item, field=f.field, message=f.message, expected=f.expected, code=f.code)
                )
            continue
        was = existing.records.get(item.external_id)
        old = (was.incident_id, was.data) if was else None
        reason = f"Imported from {export.title} {name}, row {item.external_id}."
        if old is None:
            fields_changed = [k for k in match.COMPARED_FIELDS if candidate.get(k) not in (None, [])]
            fields_changed += ["actors", "evidence"]
            fields_changed += ["citations"] if candidate.get("citations") else []
            candidate["revisions"] = [revisions.entry(1, stamp, reason, fields_changed)]
            report.created.append(item.external_id)
        elif old[1].get("status") != "active":
            message = f"{old[0]} is {old[1].get('status')}: a tombstone is not updated by imports"
            report.notices.append(_on_row(display, item, field="status", message=message, code="tombstone"))
            report.unchanged.append(item.external_id)
            continue
        else:
            changed = match.changed(old[1], candidate)
            if not changed and item.external_id not in first_read:
                report.unchanged.append(item.external_id)
                continue
            history = list(old[1].get(revisions.HISTORY) or [])
            number = revisions.latest(old[1]) + 1
            candidate["revisions"] = [*history, revisions.entry(number, stamp, reason, [*changed, "evidence"])]
            report.revised.append(item.external_id)
        used_actors.update(link["actor_id"] for link in candidate["actors"])
        path = layout.records / f"{candidate['incident_id']}.yaml"
        writes[path] = records.dump(candidate).encode("utf-8")
        existing.remember(item.external_id, path, layout.rel(path), candidate)
    for actor in new_actors:
        if actor["actor_id"] in used_actors:
            writes[layout.actors / f"{actor['actor_id']}.yaml"] = records.dump(actor).encode("utf-8")
            run.written_actors.add(actor["actor_id"])
            report.actors_created.append(actor["name"])
    if writes:
        if not (layout.source_text(source_id).exists() and layout.source_meta(source_id).exists()):
            writes[layout.source_text(source_id)] = part.content
            writes[layout.source_meta(source_id)] = records.dump(source).encode("utf-8")
        report.source_ids.append(source_id)
        atomic.write_all(writes)


def _on_row(display: str, item: Mapped, **what: Any) -> Problem:
    """A problem or notice on the export's row that `item` was read from."""
    return Problem(file=display, line=item.row.line, record=item.external_id, **what)
