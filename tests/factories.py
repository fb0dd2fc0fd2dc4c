"""Small valid datasets built in a temp folder, for tests to break one rule at a time."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from pathlib import Path
from typing import Any

from incidents import records
from incidents.core.layout import Layout

TEXT = (
    "Clashes in Qamishli\n\n"
    "On Thursday, militia fighters attacked a police patrol in Khaleej Street in Qamishli. "
    "Police shot back and killed two fighters. One officer was injured.\n"
)
ACTOR_A = "act_01KAXQ8N5D4C3R6E0J2VWZ7TAA"
ACTOR_B = "act_01KAXQ8N5D4C3R6E0J2VWZ7TBB"
INCIDENT = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T00"
SOURCE = hashlib.sha256(TEXT.encode()).hexdigest()


def quote(sentence: str, supports: list[str], text: str = TEXT, source: str = SOURCE) -> dict[str, Any]:
    start = text.index(sentence)
    return {
        "source_id": source,
        "quote": sentence,
        "char_start": start,
        "char_end": start + len(sentence),
        "supports": supports,
    }


def record(incident_id: str = INCIDENT, **changes: Any) -> dict[str, Any]:
    """A valid, fully evidenced record; keyword arguments replace fields. Records of other ids are other
    incidents (validate refuses the same incident under two ids): each is placed at its own house number."""
    data: dict[str, Any] = {
        "incident_id": incident_id,
        "status": "active",
        "status_reason": None,
        "merged_into": None,
        "date_start": "2024-03-07",
        "date_end": "2024-03-07",
        "date_precision": "day",
        "event_type": "battles",
        "sub_event_type": "armed_clash",
        "country": "SYR",
        "admin1": "Al-Hasakah",
        "admin2": None,
        "location": "Khaleej Street, Qamishli"
        if incident_id == INCIDENT
        else f"{incident_id[-4:]} Khaleej Street, Qamishli",
        "latitude": 37.05215,
        "longitude": 41.23142,
        "geo_precision": "exact_place",
        "fatalities_best": 2,
        "fatalities_low": 2,
        "fatalities_high": 2,
        "injured": 1,
        "detained": None,
        "released": None,
        "summary": "Militia fighters attacked a police patrol; two attackers were killed.",
        "notes": None,
        "tags": ["patrol"],
        "actors": [{"actor_id": ACTOR_A, "role": "side_a"}, {"actor_id": ACTOR_B, "role": "side_b"}],
        "evidence": [
            quote(
                "On Thursday, militia fighters attacked a police patrol in Khaleej Street in Qamishli.",
                ["date_start", "location", "actors", "event_type"],
            ),
            quote("Police shot back and killed two fighters.", ["fatalities_best", "actors"]),
            quote("One officer was injured.", ["injured"]),
        ],
        "revisions": [
            {
                "revision": 1,
                "changed_at": "2024-03-08T10:00:00Z",
                "changed_by": "Test Coder",
                "method": "manual",
                "tool_version": "0.1.0",
                "reason": "First coding.",
                "fields_changed": ["date_start"],
            }
        ],
    }
    data.update(changes)
    return data


def actor(actor_id: str, name: str, **changes: Any) -> dict[str, Any]:
    return {
        "actor_id": actor_id,
        "name": name,
        "aliases": [],
        "actor_type": "political_militia",
        "country": "SYR",
        "parent_actor_id": None,
        "description": None,
        **changes,
    }


def source_meta(text: str = TEXT) -> dict[str, Any]:
    source_id = hashlib.sha256(text.encode()).hexdigest()
    return {
        "source_id": source_id,
        "url": "https://example.org/report",
        "publisher": "Example News",
        "title": "Clashes in Qamishli",
        "language": "en",
        "published_at": "2024-03-08",
        "published_precision": "day",
        "retrieved_at": "2024-03-08T12:00:00Z",
        "archive_path": f"data/sources/{source_id}.txt",
        "media_type": "text/plain",
        "source_scale": "local",
    }


PACKAGE = {
    "name": "test-incidents",
    "title": "Test incidents",
    "version": "0.1.0",
    "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
}


def write_yaml(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(records.dump(data), encoding="utf-8")
    return path


def write_record(root: Path, data: dict[str, Any]) -> Path:
    return write_yaml(root / "data" / "records" / f"{data['incident_id']}.yaml", data)


def make_dataset(root: Path, *records_: dict[str, Any]) -> Layout:
    """A dataset with one source, two actors and the given records (default: one valid record)."""
    layout = Layout(root)
    layout.sources.mkdir(parents=True, exist_ok=True)
    layout.source_text(SOURCE).write_text(TEXT, encoding="utf-8")
    write_yaml(layout.source_meta(SOURCE), source_meta())
    write_yaml(layout.actors / f"{ACTOR_A}.yaml", actor(ACTOR_A, "Militia"))
    write_yaml(layout.actors / f"{ACTOR_B}.yaml", actor(ACTOR_B, "Police", actor_type="state_forces"))
    write_yaml(layout.package, PACKAGE)
    for data in records_ or (record(),):
        write_record(root, data)
    return layout


TODAY = dt.date(2026, 11, 25)


def git(root: Path, *args: str) -> str:
    """Run git in `root` as a contributor would, with an identity of its own; its output."""
    done = subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


# A built package spread over four partitions (two years, two countries), for the table checks.
PLACES = {
    "SYR": {"country": "SYR", "admin1": "Al-Hasakah", "latitude": 37.05215, "longitude": 41.23142},
    "IRQ": {"country": "IRQ", "admin1": "Erbil", "latitude": 36.19, "longitude": 44.01},
}


def spread_records(per_partition: int = 2) -> list[dict[str, Any]]:
    """Valid records, `per_partition` in each of year 2023/2024 x country SYR/IRQ, ids in a fixed order."""
    out = []
    for n in range(per_partition * 4):
        year = 2023 + n % 2
        place = PLACES["SYR" if n // 2 % 2 == 0 else "IRQ"]
        day = f"{year}-03-07"
        out.append(record(f"inc_01KAXQ8N5D4C3R6E0J2VWZ{n:04d}", date_start=day, date_end=day, **place))
    return out


def built_package(root: Path, records_: list[dict[str, Any]]) -> Layout:
    """The tables and descriptor `incidents build` writes for these records, whatever rules they break
    (build.render does not validate), with the records' files beside them."""
    from incidents import build
    from incidents.core import atomic

    layout = make_dataset(root, *records_)
    data = {
        "record": records_,
        "actor": [actor(ACTOR_A, "Militia"), actor(ACTOR_B, "Police", actor_type="state_forces")],
        "source": [source_meta()],
    }
    atomic.write_all(build.render(layout, data, PACKAGE))
    return layout


def rewrite_table(layout: Layout, name: str, change: Any) -> None:
    """Replace a built table by `change(table)` in both Parquet and CSV, with the descriptor's sizes and
    hashes brought in step, as a broken build (or a hand edit) would leave it. Columns may then hold nulls."""
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    from incidents import build, standard

    table = change(pq.read_table(layout.tables / f"{name}.parquet"))
    relaxed = pa.schema([f.with_nullable(True) for f in table.schema], metadata=table.schema.metadata)
    table = pa.Table.from_arrays(table.columns, schema=relaxed)
    (layout.tables / f"{name}.parquet").write_bytes(build.parquet_bytes(table))
    (layout.tables / f"{name}.csv").write_bytes(build.csv_bytes(table))
    descriptor = json.loads(layout.descriptor.read_text(encoding="utf-8"))
    outputs = {
        t: {f: (layout.tables / f"{t}.{f}").read_bytes() for f in ("csv", "parquet")} for t in standard.PUBLISHED_TABLES
    }
    meta = {k: v for k, v in descriptor.items() if k not in ("$schema", "resources", "sources")}
    fresh = build.descriptor(standard.load(), meta, outputs, descriptor["sources"])
    layout.descriptor.write_text(json.dumps(fresh, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def set_cell(table: Any, column: str, row: int, value: Any) -> Any:
    """`table` with one cell replaced (for injecting an error into a built table)."""
    import pyarrow as pa

    values = table.column(column).to_pylist()
    values[row] = value
    index = table.column_names.index(column)
    return table.set_column(
        index, table.schema.field(index).with_nullable(True), pa.array(values, table.column(column).type)
    )


MISSING_ACTOR_ID = "act_01KAXQ8N5D4C3R6E0J2VWZ7TZZ"
