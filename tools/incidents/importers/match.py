"""The dataset side of an import: the record a row becomes, what the last import of that row read (so that
a re-import changes what the export changed, not what people corrected), the fields that changed, and the
screening of candidate records by the standard's own checks before anything is written.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from incidents.build import tables
from incidents.core.layout import Layout
from incidents.importers.known import Known
from incidents.importers.rows import STANDARD, Export, Mapped, Row, read_rows
from incidents.records import revisions
from incidents.validate import files as filecheck
from incidents.validate import rules as checks

RECORD_FIELDS = [f["name"] for f in STANDARD.fields("incidents") if not f.get("x-derived")]
COMPARED_FIELDS = [name for name in RECORD_FIELDS if name != "incident_id"]
# What a re-import compares: the record's own values, then its actors and citations (none is the same as []).
COMPARED = [*COMPARED_FIELDS, "actors", "citations"]


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


def record(incident_id: str, mapped: Mapped, links: list[dict[str, str]], text: str, source_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {name: mapped.fields.get(name) for name in RECORD_FIELDS}
    body.update(incident_id=incident_id, status=mapped.fields.get("status", "active"), actors=links)
    body["evidence"] = [_evidence(mapped, text, source_id, body, links)]
    if mapped.citations:
        body["citations"] = mapped.citations
    return body


def previous_import(
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


def reimport(
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


def changed(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The fields a re-import changes, in the standard's order, then actors and citations."""
    return revisions.changed_fields(old, new, COMPARED, lists=("actors", "citations"))


def screen(
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


def imported_from(record: dict[str, Any], export: Export) -> bool:
    """Whether an import of this export's dataset wrote the record (not a person linking an id by hand)."""
    reason = f"Imported from {export.title} "
    return any(str(r.get("reason", "")).startswith(reason) for r in record.get("revisions") or [])


def known_to_quote(known: Known | None, source_id: str, row: Row) -> bool:
    return known is not None and known.quotes((source_id, row.start, row.end))
