"""Pages of single records, from the built tables: the incident list, one page per incident (fields, actors,
evidence, citations, history), the actors, the sources, and the hand-coded records as a reviewer reads them."""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from typing import Any

from incidents.site.codebook import field_anchor
from incidents.site.coverage import EXTERNAL_DATASETS, imported_ids, incident_page_rows
from incidents.site.inputs import Index, Inputs, index, table_rows
from incidents.site.markdown import (
    WIDE_PAGE,
    Checksum,
    Link,
    WebLink,
    cell,
    code,
    count_noun,
    front_matter,
    generated_note,
    raw_table,
    table,
    thousands,
)
from incidents.standard import Standard

# An actor's entry links to this many of its incidents' pages; it counts all of them by role.
MAX_ACTOR_LINKS = 10


# The worked example shows at most this many hand-coded records: enough to learn from, short enough to read.
MAX_WORKED_EXAMPLES = 20


def event_label(standard: Standard, code: str, codelist: str = "event_type") -> str:
    return next((r["label"] for r in standard.codelists[codelist].rows if r["code"] == code), code)


def coded(standard: Standard, codelist: str, value: object) -> str:
    """A code as readers see it, Markdown: its label with the code beside it (`Strategic developments
    (strategic_developments)`), or the code alone when the codelist has no label for it."""
    if value is None or value == "":
        return "—"
    label = event_label(standard, str(value), codelist) if codelist in standard.codelists else str(value)
    return f"{cell(label)} ({code(value)})" if label and label != value else code(value)


def incident_title(standard: Standard, row: dict[str, Any]) -> str:
    """An incident as a reader names it, plain text: date, place, sub-event type (`2016-01-03, Aleppo,
    Armed clash`)."""
    when = date_text(row)
    what = event_label(standard, row["sub_event_type"], "sub_event_type")
    return ", ".join([when if when != "unknown" else "date unknown", row["location"] or row["country"] or "", what])


def date_text(row: dict[str, Any]) -> str:
    start, end = row.get("date_start"), row.get("date_end")
    if start is None:
        return f"unknown ({row['date_precision']})" if row["date_precision"] != "unknown" else "unknown"
    if end is None or end == start:
        return start.isoformat()
    return f"{start.isoformat()} to {end.isoformat()} ({row['date_precision']})"


def count_text(row: dict[str, Any]) -> str:
    best, low, high = row["fatalities_best"], row["fatalities_low"], row["fatalities_high"]
    if best is None:
        return "not reported"
    if low is not None and high is not None and (low, high) != (best, best):
        return f"{best} ({low}-{high})"
    return str(best)


def incident_list_page(inputs: Inputs) -> str:
    incidents = table_rows(inputs.tables, "incidents")
    shown = incident_page_rows(inputs)
    out = [WIDE_PAGE, "# Incidents\n\n", generated_note("the built tables")]
    if len(incidents) > len(shown):
        imported = imported_ids(inputs)
        by_hand = sum(1 for r in incidents if r["incident_id"] not in imported)
        pages_imported = sum(1 for r in shown if r["incident_id"] in imported)
        out.append(
            f'!!! info "This list shows {thousands(len(shown))} of the {thousands(len(incidents))} incidents"\n'
            f"    The site has a page for {thousands(len(shown) - pages_imported)} of the "
            f"{count_noun(by_hand, 'incident')} coded from archived reports and for the first "
            f"{thousands(pages_imported)} of the {thousands(len(imported))} imported from other "
            "datasets (in the order of `incident_id`); a page for each would make the site slow to build and "
            "add nothing the tables lack. **Every incident can be searched and opened, with its evidence and "
            "history, in the [explorer](../explorer.md)**, and every field is in the tables: download "
            "them from [Downloads](../../downloads.md) or load `data/tables/incidents.parquet` as on "
            "[Load and use](../../get-the-data.md); for one incident, filter on its id, e.g. "
            '`pd.read_parquet("data/tables/incidents.parquet").query("incident_id == \'inc_…\'")`, and '
            "join `incident_sources`, `incident_citations` and `revisions` on `incident_id`.\n\n"
        )
    out.append("Each incident listed has its own page with its evidence quotes, citations, sources and history.\n\n")
    rows = [
        [
            Link(r["summary"], f"{r['incident_id']}.md"),
            date_text(r),
            r["location"],
            event_label(inputs.standard, r["event_type"])
            + ": "
            + event_label(inputs.standard, r["sub_event_type"], "sub_event_type"),
            count_text(r),
            r["status"],
            Checksum(r["incident_id"]),  # an id, like a checksum, may wrap anywhere
        ]
        for r in shown
    ]
    header = ["what happened", "date", "location", "event type: sub-event type", "fatalities", "status", "id"]
    out.append(table(header, rows))
    return "".join(out)


def incident_page(inputs: Inputs, row: dict[str, Any], idx: Index | None = None) -> str:
    """One incident's page. `idx` (from `index(inputs)`) is read once for all pages; without it, it is built."""
    std = inputs.standard
    iid = row["incident_id"]
    idx = idx or index(inputs)
    actors, sources = idx.actors, idx.sources
    title = f"{event_label(std, row['sub_event_type'], 'sub_event_type')}, {row['location'] or row['country']}"
    out = [
        front_matter(title),
        f"# {cell(title)}\n\n{code(iid)} · revision {row['revision']} · {cell(row['status'])} · "
        f'[all incidents](index.md) · [map](../map.md) · <a href="../../explorer/#{html.escape(iid)}">in the '
        "explorer</a>\n\n",
    ]
    if row["status"] != "active":
        out.append(f'!!! warning "This record is {row["status"]}"\n    {cell(row["status_reason"])}\n\n')
    out.append(f"{cell(row['summary'])}\n\n")
    if row.get("notes"):
        out.append(f'!!! note "Coder\'s notes"\n    {cell(row["notes"])}\n\n')
    flags = {r["code"]: r for r in std.codelists["flag"].rows} if "flag" in std.codelists else {}
    for flag_code in row.get("flags") or []:
        flag = flags.get(flag_code, {"label": flag_code, "description": ""})
        out.append(
            f'!!! warning "Flagged: {cell(flag["label"])} ({code(flag_code)})"\n    {cell(flag["description"])}\n\n'
        )
    out.append("## Fields\n\n")
    skip = {"incident_id", "summary", "notes"}
    rows = []
    for f in std.fields("incidents"):
        if f["name"] in skip:
            continue
        value = row.get(f["name"])
        shown = "—" if value in (None, []) else cell(value)
        if "codelist" in f and value not in (None, []):
            values = value if isinstance(value, list) else [value]
            shown = ", ".join(coded(std, f["codelist"], v) for v in values)
        rows.append([f"[`{f['name']}`](../../codebook/incidents.md#{field_anchor(f['name'])})", shown])
    out.append(raw_table(["field", "value"], rows))
    out.append("\n— : no value; the sources are silent (a count of none reported is `0`).\n\n")
    out.append("## Actors\n\n")
    links = idx.links.get(iid, [])
    out.append(
        raw_table(
            ["actor", "role", "type"],
            [
                [
                    str(
                        Link(
                            actors.get(a["actor_id"], {}).get("name", a["actor_id"]),
                            f"../actors.md#{a['actor_id'].lower()}",
                        )
                    ),
                    coded(std, "role", a["role"]),
                    coded(std, "actor_type", actors.get(a["actor_id"], {}).get("actor_type")),
                ]
                for a in links
            ],
        )
    )
    out.append("\n## Evidence\n\n")
    for ev in idx.evidence.get(iid, []):
        src = sources.get(ev["source_id"], {})
        out.append(f"> {cell(ev['quote'])}\n\n")
        out.append(
            f"Supports: {', '.join(code(s) for s in ev['supports'])}. Source: "
            f"[{cell(src.get('publisher', ''))}: {cell(src.get('title') or 'untitled')}](../sources.md#"
            f"{ev['source_id'][:12]}), characters {ev['char_start']}-{ev['char_end']} of the "
            f"[archived text](../sources/{ev['source_id']}.txt).\n\n"
        )
    origins = {x.split(":")[0] for x in row.get("external_ids") or []}
    credited = [EXTERNAL_DATASETS[o] for o in sorted(origins) if o in EXTERNAL_DATASETS]
    for known in {k["short"]: k for k in credited if k.get("credit")}.values():
        out.append(
            f'!!! quote "Imported from the {known["name"]} ({known["licence"]})"\n    Using it, cite '
            + " and ".join(cell(ref) for ref in known["credit"])
            + " ([BibTeX](../../downloads.md#credit)).\n\n"
        )
    citations = idx.citations.get(iid, [])
    if citations:
        out.append("## Citations\n\n")
        out.append(
            "The reports this incident was coded from, as the dataset it was imported from cites them. They are "
            "not archived here, so no quote can be checked against them; the evidence above is what backs the "
            "values.\n\n"
        )
        out.append(
            table(
                ["publisher", "published", "title", "url"],
                ([c["publisher"], c["published_at"], c["title"], WebLink(c["url"])] for c in citations),
            )
        )
        out.append("\n")
    out.append("## History\n\n")
    revs = idx.revisions.get(iid, [])
    out.append(
        table(
            ["revision", "changed at", "by", "method", "reason", "fields changed"],
            (
                [r["revision"], r["changed_at"], r["changed_by"], r["method"], r["reason"], r["fields_changed"]]
                for r in revs
            ),
        )
    )
    return "".join(out)


def actors_page(inputs: Inputs) -> str:
    out = ["# Actors\n\n", generated_note("the built `actors` table")]
    pages = {r["incident_id"] for r in incident_page_rows(inputs)}
    roles: dict[str, Counter[str]] = defaultdict(Counter)
    linked: dict[str, list[str]] = defaultdict(list)
    for link in table_rows(inputs.tables, "incident_actors"):
        roles[link["actor_id"]][link["role"]] += 1
        if link["incident_id"] in pages and len(linked[link["actor_id"]]) < MAX_ACTOR_LINKS:
            iid = link["incident_id"]
            linked[link["actor_id"]].append(f"[{code(iid)}](incidents/{iid}.md) as {cell(link['role'])}")
    for a in table_rows(inputs.tables, "actors"):
        out.append(f"## {cell(a['name'])} {{ #{a['actor_id'].lower()} }}\n\n")
        country = coded(inputs.standard, "country", a["country"]) if a["country"] else "no country"
        out.append(f"{code(a['actor_id'])} · {coded(inputs.standard, 'actor_type', a['actor_type'])} · {country}\n\n")
        if a.get("description"):
            out.append(f"{cell(a['description'])}\n\n")
        if a.get("aliases"):
            out.append(f"Also called: {', '.join(cell(x) for x in a['aliases'])}.\n\n")
        counted = roles[a["actor_id"]]
        how = ", ".join(f"{thousands(n)} as {role}" for role, n in sorted(counted.items(), key=lambda kv: -kv[1]))
        out.append(f"In {count_noun(sum(counted.values()), 'incident')}{': ' + how if how else ''}.")
        shown = linked[a["actor_id"]]
        if shown:
            more = " (the first with a page)" if len(shown) < sum(counted.values()) else ""
            out.append(f" Pages{more}: {', '.join(shown)}.")
        out.append("\n\n")
    return "".join(out)


def sources_page(inputs: Inputs) -> str:
    out = ["# Sources\n\n", generated_note("the built `sources` table")]
    out.append(
        "Each source is an archived text named by its SHA-256; the hash proves the text quoted by the evidence "
        "is the text that was archived. Download it and check with `sha256sum`.\n\n"
    )
    for s in table_rows(inputs.tables, "sources"):
        precision = event_label(inputs.standard, s["published_precision"], "published_precision")
        published = (
            f"{cell(s['published_at'])} ({cell(precision)})"
            if s["published_at"]
            else "publication date not given by the source"
        )
        out.append(f"## {cell(s['publisher'])}: {cell(s['title'] or 'untitled')} {{ #{s['source_id'][:12]} }}\n\n")
        out.append(
            raw_table(
                ["field", "value"],
                [
                    ["source_id (sha256)", str(Checksum(s["source_id"]))],
                    ["url", str(WebLink(s["url"])) if s["url"] else "not recorded"],
                    ["published", published],
                    ["retrieved", cell(s["retrieved_at"])],
                    ["language", cell(s["language"])],
                    ["scale", coded(inputs.standard, "source_scale", s["source_scale"])],
                ],
            )
        )
        out.append(f"\n[Archived text](sources/{s['source_id']}.txt) ({code(s['archive_path'])})\n\n")
    return "".join(out)


def worked_example_page(inputs: Inputs) -> str:
    """The hand-coded records shown the way a reviewer reads them: each quote and the fields it supports."""
    out = ["# Records as coded\n\n", generated_note("the records in `data/records/`")]
    out.append(
        "The dataset's records coded by hand (first revision `manual`), shown the way a reviewer reads them: "
        "the summary in the coder's words, the notes that say where the report is vague, and each quote with "
        "the fields it supports. See the [rules](../contribute.md#coding-rules) and how they apply to the "
        "[seed report](seed-report.md).\n\n"
    )
    evidence = defaultdict(list)
    for ev in table_rows(inputs.tables, "incident_sources"):
        evidence[ev["incident_id"]].append(ev)
    by_hand = {
        r["incident_id"]
        for r in table_rows(inputs.tables, "revisions")
        if r["revision"] == 1 and r["method"] == "manual"
    }
    shown = [row for row in table_rows(inputs.tables, "incidents") if row["incident_id"] in by_hand][
        :MAX_WORKED_EXAMPLES
    ]
    if not shown:
        out.append("No record has been coded by hand yet.\n")
    for row in shown:
        iid = row["incident_id"]
        what = event_label(inputs.standard, row["sub_event_type"], "sub_event_type")
        out.append(f"## [{cell(row['location'])}: {cell(what)}](../data/incidents/{iid}.md)\n\n")
        out.append(f"**Summary.** {cell(row['summary'])}\n\n")
        out.append(
            f"**Coded as** {coded(inputs.standard, 'event_type', row['event_type'])} / "
            f"{coded(inputs.standard, 'sub_event_type', row['sub_event_type'])}, date {cell(date_text(row))}, "
            f"geo precision {coded(inputs.standard, 'geo_precision', row['geo_precision'])}, "
            f"fatalities {count_text(row)}"
            + (f", detained {row['detained']}" if row.get("detained") is not None else "")
            + (f", released {row['released']}" if row.get("released") is not None else "")
            + ".\n\n"
        )
        if row.get("notes"):
            out.append(f"**Notes (what is vague or conflicting).** {cell(row['notes'])}\n\n")
        out.append(table(["quote", "supports"], ([e["quote"], ", ".join(e["supports"])] for e in evidence[iid])))
        out.append("\n")
    return "".join(out)
