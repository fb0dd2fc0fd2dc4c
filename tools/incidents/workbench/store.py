"""The workbench's edge on the dataset: what it reads from data/ and what it writes there.

Every path is made from an id checked against the standard's pattern first, so nothing a request says
reaches the file system otherwise. Writes are the CLI's: `incidents ingest` for a pasted report, the
scaffold of `incidents new` for a new record, `incidents correct` for a committed one, and
`records.actors` for a new actor. A draft is checked by the validator itself, on a copy of the files it
names (the record, its actors, its sources) in a temporary folder.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from incidents import __version__, records, standard, validate
from incidents.core import atomic
from incidents.core import git_versions as committed
from incidents.core.layout import Layout
from incidents.core.problems import Problem
from incidents.records import actors as actor_files
from incidents.records import dataset, ingest, lifecycle, lifecycle_files, revisions
from incidents.workbench import forms

MAX_LISTED = 200  # records shown for one source: an imported export is cited by thousands


class StoreRefused(ValueError):
    """A request the workbench will not carry out; the message says what was wrong and what is expected."""


def checked_id(table: str, field: str, value: object) -> str:
    """`value` if it matches the standard's pattern for `table.field`, the only way an id reaches a path."""
    pattern = standard.load().field(table, field)["constraints"]["pattern"]
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise StoreRefused(f"{field} {value!r} is not an id (expected one matching {pattern})")
    return value


def stamp_now(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _metadata(layout: Layout, source_id: str) -> dict[str, Any]:
    path = layout.source_meta(checked_id("sources", "source_id", source_id))
    if not path.is_file():
        raise StoreRefused(f"no source {source_id}: {layout.rel(path)} does not exist")
    loaded = records.read(path, layout.rel(path))
    if loaded.problems:
        raise StoreRefused(f"{layout.rel(path)} cannot be read: {loaded.problems[0].message}")
    return dict(loaded.data)


def list_sources(layout: Layout) -> list[dict[str, Any]]:
    """The archived sources, newest first, by their metadata."""
    found = []
    for path in sorted(layout.sources.glob("*.yaml")):
        try:
            meta = _metadata(layout, path.stem)
        except StoreRefused:
            continue
        keep = ("source_id", "title", "publisher", "published_at", "retrieved_at", "url")
        found.append({k: meta.get(k) for k in keep})
    return sorted(found, key=lambda m: str(m.get("retrieved_at")), reverse=True)


def open_source(layout: Layout, source_id: str) -> dict[str, Any]:
    """A source's metadata, its text as archived (checked against its hash), and the records citing it."""
    meta = _metadata(layout, source_id)
    texts, problems = dataset.read_source_texts(layout, [meta], [layout.rel(layout.source_meta(source_id))])
    if problems:
        raise StoreRefused(f"{problems[0].file}: {problems[0].message}; expected {problems[0].expected}")
    return {"metadata": meta, "text": texts[source_id], "records": _records_holding(layout, source_id)}


def source_text(layout: Layout, source_id: str) -> str:
    return str(open_source(layout, source_id)["text"])


def _records_holding(layout: Layout, needle: str) -> list[dict[str, Any]]:
    """Record files that mention `needle` (a source id, a tag), read only when they do: a few bytes
    compared per file, not sixteen thousand files parsed."""
    wanted = needle.encode("utf-8")
    found: list[dict[str, Any]] = []
    for path in sorted(layout.records.glob("*.yaml")):
        if len(found) >= MAX_LISTED or not path.is_file() or path.is_symlink():
            continue
        if wanted in path.read_bytes():
            loaded = records.read(path, layout.rel(path))
            if not loaded.problems:
                data = loaded.data
                keep = ("incident_id", "date_start", "location", "event_type", "tags")
                found.append({k: data.get(k) for k in keep} | {"sources": _cited(data)})
    return found


def _cited(record: dict[str, Any]) -> list[str]:
    return sorted({str(e.get("source_id")) for e in record.get("evidence") or [] if isinstance(e, dict)})


def needs_review(layout: Layout) -> list[dict[str, Any]]:
    """Records still tagged as drafts (`incidents extract` tags them): what is left to review."""
    from incidents.extract import NEEDS_REVIEW

    return [r for r in _records_holding(layout, NEEDS_REVIEW) if NEEDS_REVIEW in (r.get("tags") or [])]


def read_record(layout: Layout, incident_id: str) -> dict[str, Any]:
    try:
        return lifecycle_files.read_record(layout, checked_id("incidents", "incident_id", incident_id))
    except lifecycle.Refused as exc:
        raise StoreRefused(str(exc)) from None


def _fields() -> list[str]:
    return [f["name"] for f in standard.load().fields("incidents") if not f.get("x-derived")]


def empty_record(by: str, now: dt.datetime) -> dict[str, Any]:
    """A new record as `incidents new` scaffolds it."""
    return records.scaffold(_fields(), records.new_incident_id(), by, stamp_now(now), __version__)


def drafts(layout: Layout, source_id: str, by: str, now: dt.datetime, admin1: dict[str, str]) -> dict[str, Any]:
    """The assistant's drafts of a source (what `incidents extract` writes), kept in the page until saved."""
    from incidents import extract

    opened = open_source(layout, source_id)
    meta = opened["metadata"]
    published = dt.date.fromisoformat(meta["published_at"]) if meta.get("published_precision") == "day" else None
    result = extract.draft_records(
        opened["text"], source_id, published, _actors(layout), admin1, by=by, now=stamp_now(now)
    )
    return {"records": result.records, "new_actors": result.new_actors}


def known_admin1(layout: Layout) -> dict[str, str]:
    """What the dataset says each town's admin1 is, for the assistant, from the built table (slow from YAML)."""
    import pyarrow.parquet as pq

    from incidents import extract

    table = layout.tables / "incidents.parquet"
    if not table.is_file():
        return {}
    rows = pq.read_table(table, columns=["location", "admin1", "country"]).to_pylist()
    unique = {(r["location"], r["admin1"], r["country"]): r for r in rows}
    return extract.known_admin1(list(unique.values()))


def _actors(layout: Layout) -> list[dict[str, Any]]:
    found = []
    for path in sorted(layout.actors.glob("*.yaml")):
        loaded = records.read(path, layout.rel(path))
        if not loaded.problems and isinstance(loaded.data, dict):
            found.append(loaded.data)
    return found


def find_actors(layout: Layout, query: str) -> list[dict[str, Any]]:
    return forms.find_actors(_actors(layout), query)


def ingest_report(layout: Layout, text: str, now: dt.datetime, **metadata: Any) -> str:
    """A pasted report archived as `incidents ingest` archives a file; returns its source id."""
    try:
        return ingest.ingest(layout, text.encode("utf-8"), retrieved=now, **metadata).source_id
    except ingest.IngestError as exc:
        raise StoreRefused(str(exc)) from None


def _ordered(record: dict[str, Any]) -> dict[str, Any]:
    """The record's keys in the order `incidents new` writes them; unknown keys after, for the validator."""
    order = [*_fields(), "actors", "evidence", "citations", "revisions"]
    return {k: record[k] for k in order if k in record} | {k: v for k, v in record.items() if k not in order}


def _new_actors(new_actors: object) -> list[dict[str, Any]]:
    if not isinstance(new_actors, list) or not all(isinstance(a, dict) for a in new_actors):
        raise StoreRefused("new_actors must be a list of actors")
    for actor in new_actors:
        checked_id("actors", "actor_id", actor.get("actor_id"))
    return new_actors


def _record(record: object) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise StoreRefused("the record must be a mapping of fields")
    checked_id("incidents", "incident_id", record.get("incident_id"))
    return _ordered(record)


def check(layout: Layout, record: object, new_actors: object, today: dt.date) -> list[Problem]:
    """The validator's problems with the draft: `incidents validate` run on the record with the actors and
    sources it names (new actors as they would be written), copied into a temporary dataset. Checks across
    the whole dataset (duplicates of other records) are left to `incidents validate` after saving."""
    data, new = _record(record), _new_actors(new_actors)
    with tempfile.TemporaryDirectory(prefix="incidents-workbench-") as folder:
        overlay = Layout(Path(folder))
        for sub in (overlay.records, overlay.actors, overlay.sources):
            sub.mkdir(parents=True)
        (overlay.records / f"{data['incident_id']}.yaml").write_text(records.dump(data), encoding="utf-8")
        for actor in new:
            (overlay.actors / f"{actor['actor_id']}.yaml").write_text(records.dump(actor), encoding="utf-8")
        named = {a.get("actor_id") for a in data.get("actors") or [] if isinstance(a, dict)}
        for actor_id in named - {a["actor_id"] for a in new}:
            if isinstance(actor_id, str) and re.fullmatch(_pattern("actors", "actor_id"), actor_id):
                _copy(layout.actors / f"{actor_id}.yaml", overlay.actors)
        for source_id in _cited(data):
            if re.fullmatch(_pattern("sources", "source_id"), source_id):
                _copy(layout.source_meta(source_id), overlay.sources)
                _copy(layout.source_text(source_id), overlay.sources)
        return validate.validate(overlay.root, today=today)


def _pattern(table: str, field: str) -> str:
    return str(standard.load().field(table, field)["constraints"]["pattern"])


def _copy(path: Path, folder: Path) -> None:
    if path.is_file() and not path.is_symlink():
        shutil.copyfile(path, folder / path.name)


def save(layout: Layout, record: object, new_actors: object, reason: str, by: str, now: dt.datetime) -> list[str]:
    """Write the record and its new actors as the CLI would; returns the files written.

    A new record gets the first revision `incidents new` gives it, naming the fields filled; a record never
    committed keeps its first revision, renewed the same way; a committed record gets the revision
    `incidents correct` adds for the edit (and is left as it was if `correct` refuses)."""
    data, new = _record(record), _new_actors(new_actors)
    path = layout.records / f"{data['incident_id']}.yaml"
    display = layout.rel(path)
    if not layout.records.is_dir() or not layout.records.resolve().is_relative_to(layout.data.resolve()):
        raise StoreRefused(f"{layout.rel(layout.records)}/ is no folder inside data/: start the workbench in a dataset")
    try:
        before = committed.show(path, display) if path.exists() else None
    except committed.GitError as exc:
        if len(data.get("revisions") or []) > 1:  # history kept elsewhere: only `incidents correct` extends it
            raise StoreRefused(str(exc)) from None
        before = None
    written = []
    for actor in new:
        try:
            written.append(layout.rel(actor_files.write_actor(layout, actor)))
        except actor_files.ActorRefused as exc:
            raise StoreRefused(str(exc)) from None
    if before is None:
        atomic.write(path, records.dump(_first_revision(data, reason, by, now)).encode("utf-8"))
        return [*written, display]
    previous = path.read_bytes()
    atomic.write(path, records.dump(data).encode("utf-8"))
    stamp = revisions.Stamp(by, stamp_now(now), __version__)
    try:
        lifecycle_files.correct(layout.root, data["incident_id"], reason, stamp)
    except lifecycle.Refused as exc:
        atomic.write(path, previous)
        raise StoreRefused(str(exc)) from None
    return [*written, display]


def _first_revision(data: dict[str, Any], reason: str, by: str, now: dt.datetime) -> dict[str, Any]:
    """The record with its first revision naming the fields it fills (as `incidents extract` does), by
    `by`, now; an earlier draft's method (assisted) is kept."""
    empty = records.scaffold(_fields(), data["incident_id"], by, stamp_now(now), __version__)
    first = copy.deepcopy(empty["revisions"][0])
    earlier = data.get("revisions") or []
    if earlier and isinstance(earlier[0], dict) and earlier[0].get("method") == "assisted":
        first["method"] = earlier[0]["method"]
    first["reason"] = reason.strip() or first["reason"]
    filled = revisions.changed_fields({**empty, "revisions": []}, {**data, "revisions": []}, lists=("tags",))
    first["fields_changed"] = [name for name in filled if name not in ("incident_id", "revisions")]
    return {**data, "revisions": [first]}
