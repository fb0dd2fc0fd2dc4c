"""Rules of the standard, checked column by column on Arrow tables (pyarrow compute, no row loops).

Each check takes the tables and returns findings: the table, the row, the field, what was found and what
was expected. The same checks run on tables flattened from record files and on built Parquet tables, so
validation scales with the size of the columns, not with Python's speed on rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import partial

import pyarrow as pa

from incidents.standard import EVIDENCED_FIELDS, Standard
from incidents.validate.rules.actors import check_actor_cycles
from incidents.validate.rules.characters import check_characters
from incidents.validate.rules.duplicates import COLUMNS as DUPLICATE_COLUMNS
from incidents.validate.rules.duplicates import check_duplicate_incidents
from incidents.validate.rules.evidence import check_evidence_text, check_offsets_given
from incidents.validate.rules.fields import check_fields
from incidents.validate.rules.findings import Check, Finding, Tables
from incidents.validate.rules.formulas import FORMULA, check_formulas
from incidents.validate.rules.history import check_history, check_support, check_support_filled
from incidents.validate.rules.incidents import check_incidents
from incidents.validate.rules.keys import check_keys, check_merge_targets
from incidents.validate.rules.urls import check_urls

__all__ = [
    "FORMULA",
    "INCIDENT_COLUMNS",
    "Check",
    "Finding",
    "Tables",
    "check_actor_cycles",
    "check_all",
    "check_characters",
    "check_duplicate_incidents",
    "check_evidence_text",
    "check_fields",
    "check_formulas",
    "check_history",
    "check_incidents",
    "check_keys",
    "check_merge_targets",
    "check_offsets_given",
    "check_support",
    "check_support_filled",
    "incident_checks",
    "key_checks",
    "key_columns",
    "row_checks",
    "table_checks",
]


def table_checks(standard: Standard, name: str, table: pa.Table, texts: Mapping[str, str | bytes]) -> list[Check]:
    """The rules on one table's rows, each row alone (fields, formulas, evidence quotes): they can run on
    any slice of the table, so large tables are checked batch by batch."""
    found: list[Check] = [
        partial(check_fields, standard, {name: table}),
        partial(check_formulas, standard, {name: table}),
        partial(check_characters, standard, {name: table}),
        partial(check_urls, standard, {name: table}),
    ]
    if name == "incident_sources":
        found.append(partial(check_offsets_given, {name: table}, texts))
    if texts and name == "incident_sources":
        found.append(partial(check_evidence_text, {name: table}, texts))
    return found


def incident_checks(standard: Standard, tables: Tables, today: dt.date) -> list[Check]:
    """The rules across an incident's tables (dates and ranges, history, support): they need all rows of an
    incident, which a partition holds, and only the columns in INCIDENT_COLUMNS."""
    if "incidents" not in tables:
        return []
    return [
        partial(check_incidents, standard, tables, today),
        partial(check_history, tables),
        partial(check_support, tables),
        partial(check_support_filled, tables),
    ]


# What incident_checks read of each table: a reader of large tables loads only these for them.
INCIDENT_COLUMNS = {
    "incidents": [
        "incident_id", "revision", "status", "status_reason", "merged_into", "date_end", "date_precision",
        "event_type", "sub_event_type", "country", "latitude", "longitude", "fatalities_low", "fatalities_high",
        "flags", *EVIDENCED_FIELDS,
        "admin1", "admin2", "geo_precision", "summary", "notes", "tags", "external_ids",  # check_support_filled
    ],
    "incident_actors": ["incident_id"],
    "incident_sources": ["incident_id", "supports"],
    "revisions": ["incident_id", "revision"],
}  # fmt: skip


def key_checks(standard: Standard, tables: Tables, whole: Tables | None = None) -> list[Check]:
    """The rules across the whole dataset (unique keys, references, merge targets): they read key columns
    only, so they stay cheap when the tables are partitioned. With `whole`, on the rows of `tables` alone,
    what they point at looked up in `whole`: after a clean check, a key rule can break only on rows a change
    touched (touched.scope), which hold every row sharing a key with a changed one."""
    found: list[Check] = [partial(check_keys, standard, tables, [name], whole) for name in tables]
    found += [partial(check_merge_targets, tables, whole)] if "incidents" in tables else []
    found += [partial(check_actor_cycles, tables, whole)] if "actors" in tables else []
    if set(DUPLICATE_COLUMNS) <= set(tables):  # one record per incident: a key of the incident's values
        found.append(partial(check_duplicate_incidents, tables, whole))
    return found


def key_columns(standard: Standard, table: str) -> list[str]:
    """What key_checks reads of a table: its primary and foreign keys (and an incident's status), and what
    check_duplicate_incidents compares."""
    spec = standard.tables[table]
    names = [*spec["primaryKey"], *(f for fk in spec.get("foreignKeys", []) for f in fk["fields"])]
    names += ["status"] if table == "incidents" else []
    names += DUPLICATE_COLUMNS.get(table, [])
    return [f["name"] for f in spec["fields"] if f["name"] in names]


def row_checks(standard: Standard, tables: Tables, texts: Mapping[str, str | bytes], today: dt.date) -> list[Check]:
    """The rules that read a row, its incident's other rows and what it cites: they can run on any set of
    whole incidents (with the actors and sources they cite), unlike the key rules."""
    found = [check for name, table in tables.items() for check in table_checks(standard, name, table, texts)]
    return found + incident_checks(standard, tables, today)


def check_all(standard: Standard, tables: Tables, texts: dict[str, str], today: dt.date) -> list[Finding]:
    checks = [*row_checks(standard, tables, texts, today), *key_checks(standard, tables)]
    return [finding for check in checks for finding in check()]
