"""The normalisation assistant: a raw report -> draft incident records for a coder to review.

`draft_records` is the pure core (text in, record and actor dicts out); `extract_reports` is the I/O edge
(ingest each text, read the dataset's actors and records once, write the drafts). The rule-based extractor sits
behind the `Extractor` protocol, so a statistical model can take its place later without changing the
records it must produce. Offline and deterministic: the same text and dates give the same values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from incidents import __version__, records, standard
from incidents.core import atomic
from incidents.core.layout import Layout
from incidents.extract import pipeline
from incidents.extract.pipeline import Draft
from incidents.records import dataset, ids, ingest

NEEDS_REVIEW = "needs-review"


class Extractor(Protocol):
    """Anything that turns a report's text into drafts with supporting spans."""

    def __call__(
        self, source: str, published: dt.date | None, known_actors: list[dict[str, Any]], known_admin1: dict[str, str]
    ) -> list[Draft]: ...


@dataclass(frozen=True)
class Extracted:
    source_id: str
    records: list[dict[str, Any]]
    new_actors: list[dict[str, Any]]
    repeated: list[tuple[dict[str, Any], list[str]]] = field(default_factory=list)  # a draft, the records it repeats


def repeats(draft: dict[str, Any], existing: list[dict[str, Any]]) -> list[str]:
    """The active records a draft repeats: they cite its source and give its day and its place (the same
    location, ignoring case and spacing). An unknown day repeats an unknown day: the same words of the same
    report give the same date."""

    def place(record: dict[str, Any]) -> str:
        return " ".join(str(record.get("location") or "").casefold().split())

    sources = _cited(draft)
    return [
        record["incident_id"]
        for record in existing
        if record.get("status") == "active"
        and record.get("date_start") == draft.get("date_start")
        and place(record) == place(draft)
        and sources & _cited(record)
    ]


def _cited(record: dict[str, Any]) -> set[Any]:
    return {item.get("source_id") for item in record.get("evidence") or [] if isinstance(item, dict)}


def draft_records(
    source: str,
    source_id: str,
    published: dt.date | None,
    known_actors: list[dict[str, Any]],
    known_admin1: dict[str, str],
    *,
    by: str,
    now: str,
    extractor: Extractor = pipeline.extract,
    new_incident_id: Callable[[], str] = ids.new_incident_id,
    new_actor_id: Callable[[], str] = ids.new_actor_id,
) -> Extracted:
    """Record dicts (in the standard's field order) and proposed new actors for one archived text."""
    fields = [f["name"] for f in standard.load().fields("incidents") if not f.get("x-derived")]
    proposed: dict[str, dict[str, Any]] = {}
    out = []
    for draft in extractor(source, published, known_actors, known_admin1):
        record = records.scaffold(fields, new_incident_id(), by, now, __version__)
        _fill(record, draft, source, source_id, proposed, new_actor_id)
        out.append(record)
    return Extracted(source_id, out, list(proposed.values()))


def _fill(
    record: dict[str, Any],
    draft: Draft,
    source: str,
    source_id: str,
    proposed: dict[str, dict[str, Any]],
    new_actor_id: Callable[[], str],
) -> None:
    date, town = draft.date, draft.town
    record.update(
        date_start=date.start.isoformat() if date.start else None,
        date_end=date.end.isoformat() if date.end else None,
        date_precision=date.precision,
        event_type=draft.rule.event_type,
        sub_event_type=draft.rule.sub_event_type,
        country=draft.country,
        admin1=draft.admin1,
        location=", ".join(p for p in (draft.detail, town.name if town else draft.unlisted) if p)
        or (pipeline.places.country_name(draft.country) if draft.country else "unknown"),
        latitude=town.latitude if town else None,
        longitude=town.longitude if town else None,
        geo_precision=("near" if town.near else "exact_place")
        if town
        else ("admin1" if draft.unlisted and draft.admin1 else "country"),
        tags=[NEEDS_REVIEW],
    )
    for name, values in draft.counts.items():
        record[name] = values[0]
    actors: list[dict[str, Any]] = []
    for found, role in draft.actors:
        actor_id = found.actor_id
        if actor_id is None:
            if found.name not in proposed:
                proposed[found.name] = {
                    "actor_id": new_actor_id(),
                    "name": found.name,
                    "aliases": [found.alias] if found.alias else [],
                    "actor_type": found.actor_type,
                    "country": draft.country,
                    "parent_actor_id": None,
                    "description": f"Proposed by `incidents extract` from source {source_id[:12]}; "
                    "check the name, type and aliases, or replace it with an existing actor.",
                }
            actor_id = proposed[found.name]["actor_id"]
        if all(a["actor_id"] != actor_id for a in actors):
            actors.append({"actor_id": actor_id, "role": role})
    names = [found.name for found, _ in draft.actors]
    record["summary"] = (
        f"Draft: {draft.rule.why} in {record['location']}"
        + (f" ({'; '.join(names)})" if names else "")
        + ". To be rewritten by the reviewing coder."
    )
    record["notes"] = " ".join(
        ["Drafted by `incidents extract`: every value needs review before the record is committed.", *draft.notes]
    )
    record["actors"] = actors
    evidence = []
    for (start, end), supports in sorted(draft.support.items()):
        kept = sorted(s for s in supports if s == "actors" or record.get(s) is not None)
        if not actors:
            kept = [s for s in kept if s != "actors"]
        if kept:
            evidence.append(
                {
                    "source_id": source_id,
                    "quote": source[start:end],
                    "char_start": start,
                    "char_end": end,
                    "supports": kept,
                }
            )
    record["evidence"] = evidence
    revision = record["revisions"][0]
    revision.update(
        method="assisted",
        reason="Drafted by `incidents extract` from the archived source; needs review by a coder.",
        fields_changed=[
            k for k, v in record.items() if v not in (None, [], "") and k not in ("incident_id", "revisions")
        ],
    )


def known_admin1(data_records: list[dict[str, Any]]) -> dict[str, str]:
    """What the dataset's records say a town's admin1 is, by the town name in their location."""
    out: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()  # a town is looked up once, however many records name it
    for record in data_records:
        if record.get("admin1") and record.get("location") and record.get("country"):
            town = str(record["location"]).split(", ")[-1]
            if (town, record["country"]) in seen:
                continue
            seen.add((town, record["country"]))
            for found in pipeline.places.towns(town, [record["country"]]):
                out.setdefault(found.gazetteer_name, record["admin1"])
    return out


@dataclass(frozen=True)
class Report:
    """One report to extract: its bytes and what is known of where it came from."""

    content: bytes
    published: dt.date | None = None
    url: str | None = None
    publisher: str = "unknown publisher"


@dataclass(frozen=True)
class Outcome:
    """What became of one report of a batch: its drafts and the files written, or why it was not ingested."""

    extracted: Extracted | None
    written: list[Path]
    error: str | None = None


def extract_reports(
    root: Path, reports: list[Report], *, by: str, now: dt.datetime, force: bool = False
) -> list[Outcome]:
    """Ingest each report, draft its incidents, write the drafts and proposed actors; what was written, per
    report. The dataset is read (and its towns' admin1 learnt) once for the whole batch: re-reading 16k
    records for each report made a batch of 100 reports take minutes instead of seconds.

    A draft that repeats an existing record (`repeats`), or a draft of an earlier report of the batch, is
    not written unless `force`: a report coded once would otherwise come back as duplicates for a reviewer
    to spot and delete. Each report's files are written at once; a report that cannot be ingested (not
    UTF-8 text, say) is named in its outcome and the others are still extracted."""
    layout = Layout(root)
    current = dataset.read(layout)
    actors = [a.data for a in current.actors if a.data and not a.problems]
    data_records = [r.data for r in current.records if r.data and not r.problems]
    admin1 = known_admin1(data_records)
    citing: dict[Any, list[dict[str, Any]]] = {}  # source id -> the records citing it: a draft repeats only those
    for record in data_records:
        for source_id in _cited(record):
            citing.setdefault(source_id, []).append(record)
    stamp = now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    out = []
    for report in reports:
        try:
            ingested = ingest.ingest(
                layout,
                report.content,
                url=report.url,
                publisher=report.publisher,
                published=report.published,
                retrieved=now,
            )
        except ingest.IngestError as exc:
            out.append(Outcome(None, [], str(exc)))
            continue
        text = report.content.decode("utf-8")
        drafted = draft_records(text, ingested.source_id, report.published, actors, admin1, by=by, now=stamp)
        repeated = [(r, found) for r in drafted.records if (found := repeats(r, citing.get(drafted.source_id, [])))]
        kept = [r for r in drafted.records if force or not any(r is draft for draft, _ in repeated)]
        named = {actor["actor_id"] for r in kept for actor in r["actors"]}
        result = Extracted(drafted.source_id, kept, [a for a in drafted.new_actors if a["actor_id"] in named], repeated)
        files = {layout.records / f"{r['incident_id']}.yaml": records.dump(r).encode("utf-8") for r in kept}
        files.update(
            {layout.actors / f"{a['actor_id']}.yaml": records.dump(a).encode("utf-8") for a in result.new_actors}
        )
        atomic.write_all(files)
        citing.setdefault(drafted.source_id, []).extend(kept)
        out.append(Outcome(result, list(files)))
    return out
