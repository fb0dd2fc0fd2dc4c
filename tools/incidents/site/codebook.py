"""The codebook: `schemas/` (Table Schemas and codelists) -> one page per table, the codelists, the event-type
taxonomy side by side with ACLED's columns, and the schema files served for download."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from incidents.site.markdown import WIDE_PAGE, cell, code, count_noun, generated_note, raw_table, table
from incidents.standard import PUBLISHED_TABLES, TABLES, Standard


def _constraints(spec: dict[str, Any], standard: Standard) -> str:
    cons = spec.get("constraints", {})
    parts = []
    if cons.get("required"):
        parts.append("required")
    if cons.get("unique"):
        parts.append("unique")
    if "pattern" in cons:
        parts.append(f"pattern `{cons['pattern']}`")
    for key, word in (("minimum", "≥"), ("maximum", "≤")):
        if key in cons:
            parts.append(f"{word} {cons[key]}")
    for key, word in (("minLength", "min length"), ("maxLength", "max length")):
        if key in cons:
            parts.append(f"{word} {cons[key]}")
    if "codelist" in spec:
        parts.append(f"code from [{spec['codelist']}](codelists.md#{spec['codelist']})")
    if spec.get("x-derived"):
        parts.append("derived by the build (not written in record files)")
    return "; ".join(parts).replace("|", "\\|")


def field_anchor(name: str) -> str:
    """The anchor of a field's row on its table's codebook page (`incidents.md#fatalities_best`): the field's
    name, which is snake_case, so it is a valid id as it is and stays the same across versions."""
    return name


def codebook_table_page(standard: Standard, name: str, header: str = "") -> str:
    """A table's fields, each row linkable (`incidents.md#fatalities_best`); `header` goes under the title
    (the version selector)."""
    spec = standard.tables[name]
    out = [WIDE_PAGE, f"# {spec.get('title', name)} (`{name}`)\n\n", header]
    out.append(generated_note(f"`schemas/tables/{name}.json`"))
    out.append(spec["description"] + "\n\n")
    out.append(f"Primary key: `{', '.join(spec['primaryKey'])}`.")
    for fk in spec.get("foreignKeys", []):
        ref = fk["reference"]
        out.append(f" `{', '.join(fk['fields'])}` refers to [`{ref['resource']}`]({ref['resource']}.md).")
    out.append(f" Files: `data/tables/{name}.csv` and `data/tables/{name}.parquet`.\n\n## Fields\n\n")
    rows = []
    for f in spec["fields"]:
        example = f.get("example")
        rows.append(
            [
                f"[`{f['name']}`](#{field_anchor(f['name'])}){{ #{field_anchor(f['name'])} }}",
                f["type"],
                _constraints(f, standard),
                f["description"],
                "" if example is None else code(json.dumps(example, ensure_ascii=False)),
            ]
        )
    table_md = raw_table(["field", "type", "constraints", "description", "example"], rows)
    out.append(f'<div class="codebook-fields" markdown>\n\n{table_md}\n</div>\n')
    out.append("\n`list` fields are arrays in Parquet and record files, and joined with `;` in CSV.\n")
    return "".join(out)


def _used_by(standard: Standard) -> dict[str, list[str]]:
    used: dict[str, list[str]] = defaultdict(list)
    for name in standard.tables:
        for f in standard.fields(name):
            if "codelist" in f:
                used[f["codelist"]].append(f"[`{name}.{f['name']}`]({name}.md)")
    return used


def codelists_page(standard: Standard, csv_links: bool = True) -> str:
    """Every codelist with its codes; `csv_links` links each codelist's CSV file, served under standard/."""
    out = ["# Codelists\n\n", generated_note("`schemas/codelists/*.csv`")]
    out.append(
        "Every coded field takes one of these codes. The CSV files are the definitions; download them from "
        "the links below to use them in your own tools.\n\n"
    )
    used = _used_by(standard)
    for name, codelist in sorted(standard.codelists.items()):
        out.append(f"## {name}\n\n")
        out.append(f"Used by {', '.join(used.get(name, [])) or 'no field'}. ")
        if csv_links:
            out.append(f"[Download `{name}.csv`](../standard/codelists/{name}.csv). ")
        out.append(f"{len(codelist.rows)} codes.\n\n")
        if name == "country":
            out.append(
                "Country codes are ISO 3166-1 alpha-3; the CSV also holds each country's bounding box "
                "(`min_lon`, `min_lat`, `max_lon`, `max_lat`), which the validator uses to check coordinates.\n\n"
            )
            out.append(table(["code", "label"], ([r["code"], r["label"]] for r in codelist.rows)))
        else:
            extra = [c for c in codelist.rows[0] if c not in ("code", "label", "description")]
            rows = (
                [f"`{r['code']}`", cell(r["label"]), cell(r["description"])] + [cell(r[c]) for c in extra]
                for r in codelist.rows
            )
            out.append(raw_table(["code", "label", "description", *extra], list(rows)))
        out.append("\n")
    return "".join(out)


def event_types_page(standard: Standard) -> str:
    types = standard.codelists["event_type"].rows
    subs = standard.codelists["sub_event_type"].rows
    out = ["# Event types\n\n", generated_note("`schemas/codelists/event_type.csv` and `sub_event_type.csv`")]
    out.append(
        f"The standard uses ACLED's {len(types)} event types and {len(subs)} sub-event types, by name and by "
        "definition, so that counts can be compared with ACLED's. Our codes are ACLED's labels in "
        "`snake_case`: the label column is ACLED's own spelling. Every `sub_event_type` belongs to exactly one "
        "`event_type`, and the validator checks the pair (error code `sub-event-type`).\n\n"
        "ACLED also groups sub-event types into disorder types; the column *ACLED disorder type* gives "
        "ACLED's (the `acled_disorder_type` column of the codelist), so an export can carry it. UCDP GED's "
        "`type_of_violence` is a coarser split by who fights whom; map it from the actors' `actor_type` and "
        "the incident's roles, not from the event type alone.\n\n"
    )
    for t in types:
        out.append(f"## {t['label']} (`{t['code']}`)\n\n{t['description']}\n\n")
        rows = [
            [f"`{s['code']}`<br>{cell(s['label'])}", cell(s["description"]), cell(s["acled_disorder_type"])]
            for s in subs
            if s["event_type"] == t["code"]
        ]
        out.append(raw_table(["sub-event type<br>(ACLED's label)", "definition", "ACLED disorder type"], rows) + "\n")
    out.append("## Side by side with an ACLED export\n\n")
    out.append(raw_table(["ACLED column", "here", "what to know"], [list(r) for r in ACLED_COLUMNS]))
    out.append(
        "\n`incidents import acled` and `incidents export --format acled` follow this table; every column "
        "they read and write, with its edge cases, is on the [importers page](../importers.md).\n"
    )
    return "".join(out)


# How an ACLED export's columns line up with the standard's fields: where each ACLED value goes.
ACLED_COLUMNS = [
    (
        "`event_id_cnty`",
        "`incident_id`, [`external_ids`](incidents.md)",
        "ours never changes or disappears: corrections add a revision, removals leave a tombstone; an "
        "imported row keeps ACLED's id in `external_ids` (`acled:ETH9766`)",
    ),
    (
        "`event_date`, `time_precision`",
        "`date_start`, `date_end`, [`date_precision`](codelists.md#date_precision)",
        "ACLED puts month-only events on the 15th; here a month is the span of the month, and a date that "
        "cannot be resolved stays empty (`unknown`)",
    ),
    (
        "`disorder_type`, `event_type`, `sub_event_type`",
        "`event_type`, `sub_event_type`",
        "the same taxonomy, codes in `snake_case`; the disorder type is in the tables above",
    ),
    (
        "`actor1`, `actor2`, `assoc_actor_1`, `assoc_actor_2`",
        "[`incident_actors`](incident_actors.md) with a [`role`](codelists.md#role)",
        "any number of actors; one canonical name per actor, its other names as `aliases`",
    ),
    ("`inter1`, `inter2`, `interaction`", "`actors.actor_type`", "derive the interaction from the sides' types"),
    (
        "`country`, `admin1`–`admin3`, `location`",
        "`country` (ISO alpha-3), `admin1`, `admin2`, `location`",
        "streets and neighbourhoods stay in `location`",
    ),
    (
        "`latitude`, `longitude`, `geo_precision`",
        "`latitude`, `longitude`, [`geo_precision`](codelists.md#geo_precision)",
        "ACLED's 1 / 2 / 3 are `exact_place` / `near` / `admin1`",
    ),
    (
        "`fatalities`",
        "`fatalities_best`, `fatalities_low`, `fatalities_high`",
        "ACLED imputes 10 or 3 when deaths are reported without a figure; here no figure stays empty and a "
        "vague figure is a range. An import takes ACLED's figure as `fatalities_best`, imputed or not",
    ),
    (
        "`source`, `source_scale`, `notes`",
        "[`sources`](sources.md), [`incident_sources`](incident_sources.md), `notes`",
        "each value links to its quote in an archived text named by its hash",
    ),
    ("`timestamp`", "`updated_at`, [`revisions`](revisions.md)", "the whole history, not only the last change"),
]


def codebook_index_page(standard: Standard) -> str:
    out = ["# Codebook\n\n", generated_note("`schemas/`, the standard's one source of truth,")]
    out.append(
        f"The dataset is {count_noun(len(PUBLISHED_TABLES), 'table')}, published as CSV and Parquet and described by a "
        "Frictionless Data Package (`datapackage.json`). One incident file under `data/records/` becomes one row of "
        "`incidents` and rows of "
        + ", ".join(f"`{n}`" for n in TABLES if n.startswith("incident_"))
        + " and `revisions`; `changes` is built from `revisions` and the release manifests.\n\n"
    )
    rows = [
        [f"[`{n}`]({n}.md)", cell(standard.tables[n]["description"]), str(len(standard.fields(n)))]
        for n in PUBLISHED_TABLES
    ]
    out.append(raw_table(["table", "what a row is", "fields"], rows))
    out.append(
        "\nAlso: [codelists](codelists.md), the [event-type taxonomy](event-types.md) and how to use "
        "[precision, ranges and evidence](analysis.md) in analysis.\n\n"
        "## Machine-readable\n\n"
        "The same definitions, for tools: the Table Schemas "
        + ", ".join(f"[`{n}.json`](../standard/tables/{n}.json)" for n in PUBLISHED_TABLES)
        + "; the JSON Schemas of the contributed files "
        + ", ".join(f"[`{k}.schema.json`](../standard/{k}.schema.json)" for k in ("record", "actor", "source"))
        + "; and the codelists as CSV.\n"
    )
    return "".join(out)
