"""The file edge of `lifecycle`: find record files by id, read them, write the new versions atomically."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from incidents import records, standard
from incidents.core import atomic, problems
from incidents.core import git_versions as committed
from incidents.core.layout import Layout, stem
from incidents.records import lifecycle, quotes
from incidents.records.lifecycle import Record, Refused, Stamp
from incidents.records.rewrite import rewrite


def _id_pattern() -> re.Pattern[str]:
    return re.compile(standard.load().field("incidents", "incident_id")["constraints"]["pattern"])


def record_path(layout: Layout, incident_id: str) -> Path:
    """The file of a record, refusing anything that is not an incident id (no paths, no typos)."""
    pattern = _id_pattern()
    if not pattern.fullmatch(incident_id):
        raise Refused(f"{incident_id!r} is not an incident id (expected an id matching {pattern.pattern})")
    path = layout.records / f"{incident_id}.yaml"
    if not path.is_file():
        raise Refused(f"no record {incident_id}: {layout.rel(path)} does not exist")
    return path


def _parsed(loaded: records.Loaded) -> Record:
    if loaded.problems:
        raise Refused("fix the file first:\n" + problems.human(loaded.problems))
    return dict(loaded.data)


def read_record(layout: Layout, incident_id: str) -> Record:
    path = record_path(layout, incident_id)
    record = _parsed(records.read(path, layout.rel(path)))
    if record.get("incident_id") != incident_id:
        raise Refused(f"{layout.rel(path)} holds incident_id {record.get('incident_id')!r}, not {incident_id}")
    return record


def _all_records(layout: Layout) -> dict[str, Record]:
    """Every readable record by id; unreadable files are left to `incidents validate` to report."""
    found: dict[str, Record] = {}
    for path in sorted(layout.records.glob("*.yaml")):
        loaded = records.read(path, layout.rel(path))
        if not loaded.problems and isinstance(loaded.data.get("incident_id"), str):
            found[loaded.data["incident_id"]] = dict(loaded.data)
    return found


LOCK_WAIT_SECONDS = 10.0


@contextmanager
def _locked(layout: Layout) -> Iterator[None]:
    """Hold the build lock from reading to writing: a build or another bookkeeping command in between
    would otherwise see half the change or undo it."""
    if not layout.records.is_dir():
        raise Refused(f"no {layout.rel(layout.records)}/ folder: run in the dataset repository or pass --root")
    try:
        with FileLock(layout.lock, timeout=LOCK_WAIT_SECONDS):
            yield
    except Timeout:
        raise Refused(
            f"another build or bookkeeping command holds {layout.rel(layout.lock)}: wait for it and run again"
        ) from None


def _require_recorded(layout: Layout, working: dict[str, Record], ids: list[str]) -> None:
    """Refuse to stamp a revision on a record whose hand edits since the last commit no revision names:
    the new revision would carry them without saying so. Records outside git are not checked."""
    for incident_id in ids:
        path = layout.records / f"{incident_id}.yaml"
        try:
            before = records.parse(committed.show(path, layout.rel(path)), layout.rel(path))
        except committed.GitError:
            continue
        edited = lifecycle.unrecorded(working[incident_id], before.data) if not before.problems else []
        if edited:
            raise Refused(
                f"{incident_id} has edits since the last commit that no revision records ({', '.join(edited)}): "
                f"run `incidents correct {incident_id} --reason ...` and commit first"
            )


def _write(layout: Layout, changed: dict[str, Record]) -> list[str]:
    """Write the changed records back, each as a minimal edit of its file (records.rewrite): the lines of the
    fields that did not change stay as their contributor wrote them."""
    files = {}
    for incident_id, record in changed.items():
        path = layout.records / f"{incident_id}.yaml"
        files[path] = rewrite(path.read_text(encoding="utf-8"), record).encode("utf-8")
    atomic.write_all(files)
    return [layout.rel(path) for path in files]


def withdraw(root: Path, incident_id: str, reason: str, stamp: Stamp) -> list[str]:
    """Withdraw a record (and the records merged into it); returns the files written."""
    layout = Layout(root)
    with _locked(layout):
        everything = _all_records(layout)
        everything[incident_id] = read_record(layout, incident_id)
        changed = lifecycle.withdraw(incident_id, reason, stamp, everything)
        _require_recorded(layout, everything, list(changed))
        return _write(layout, changed)


def merge(root: Path, incident_id: str, into: str, reason: str, stamp: Stamp) -> list[str]:
    """Merge a record into another; returns the files written (re-pointed records included)."""
    layout = Layout(root)
    with _locked(layout):
        everything = _all_records(layout)
        everything[incident_id] = read_record(layout, incident_id)
        if into != incident_id:
            everything[into] = read_record(layout, into)
        changed = lifecycle.merge(incident_id, into, reason, stamp, everything)
        _require_recorded(layout, everything, list(changed))
        return _write(layout, changed)


def correct(
    root: Path, incident_id: str, reason: str, stamp: Stamp
) -> tuple[list[str], list[str], list[lifecycle.Superseded]]:
    """Append a revision for hand edits since the last commit; returns the files written, the fields changed
    and the earlier evidence items the revision took corrected fields off."""
    layout = Layout(root)
    with _locked(layout):
        working = read_record(layout, incident_id)
        path = record_path(layout, incident_id)
        display = layout.rel(path)
        try:
            text = committed.show(path, display)
        except committed.GitError as exc:
            raise Refused(str(exc)) from None
        before = records.parse(text, f"{display} (HEAD)")
        if before.problems:
            raise Refused(f"the committed version cannot be read: {problems.human(before.problems)}")
        new = lifecycle.correct(working, dict(before.data), reason, stamp)
        superseded = lifecycle.superseded(working, dict(before.data))
        return _write(layout, {incident_id: new}), new[lifecycle.HISTORY][-1]["fields_changed"], superseded


def fill_quotes(root: Path, incident_ids: list[str]) -> tuple[list[str], list[problems.Problem]]:
    """Count the offsets of quote-only evidence in the given records (all when none are given); returns the
    files written and the quotes that could not be placed. Nothing is written unless every quote is placed.
    No revision is stamped: the offsets complete an edit the next `incidents correct` (or first commit)
    records."""
    from incidents.validate.archived_texts import source_texts

    layout = Layout(root)
    with _locked(layout):
        if incident_ids:
            paths = [record_path(layout, incident_id) for incident_id in incident_ids]
        else:
            paths = sorted(layout.records.glob("*.yaml"))
        loaded = [records.read(path, layout.rel(path)) for path in paths]
        unreadable = [problem for one in loaded for problem in one.problems]
        if unreadable:
            raise Refused("fix the file first:\n" + problems.human(unreadable))
        wanted = [  # a file not named for its record is left to `incidents validate` to report
            one
            for one in loaded
            if any(map(quotes.unfilled, one.data.get("evidence") or []))
            and stem(one.path) == one.data.get("incident_id")
        ]
        items = [item for one in wanted for item in one.data["evidence"] if quotes.unfilled(item)]
        cited = sorted({item["source_id"] for item in items if isinstance(item.get("source_id"), str)})
        texts = {i: t.decode("utf-8") for i, t in source_texts(layout.sources, cited).items()}
        filled = [quotes.fill(one, texts) for one in wanted]
        found = [problem for _, placed in filled for problem in placed]
        if found:
            return [], found
        return _write(layout, {record["incident_id"]: record for record, _ in filled}), []


def history(root: Path, incident_id: str) -> tuple[Record, list[lifecycle.Entry]]:
    """The record and its revisions, with old -> new values from the committed versions git holds."""
    layout = Layout(root)
    record = read_record(layout, incident_id)
    earlier: list[dict[str, Any]] = []
    for text in committed.versions(record_path(layout, incident_id)):
        loaded = records.parse(text, incident_id)
        if not loaded.problems:
            earlier.append(loaded.data)
    return record, lifecycle.history(record, earlier)
