"""What the workbench's form shows, derived from the standard: nothing about a field is written here.

Each field of a record comes with its type and description from `schemas/tables/incidents.json`; a coded field
with its codelist's codes, labels and descriptions (`schemas/codelists/*.csv`), and a sub-event type with
the event type it belongs to, so that the page offers only the sub-types of the chosen type.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from incidents.standard import Standard

# Set by bookkeeping (ids, status, tombstones) or by importers, never typed in the workbench.
BOOKKEPT = ("incident_id", "status", "status_reason", "merged_into", "flags", "external_ids")
# The values a quote can support: the standard's incident fields, and the actors with their roles.
NOT_SUPPORTED = ("summary", "notes", "tags")


def _options(std: Standard, codelist: str) -> list[dict[str, str]]:
    keep = ("code", "label", "description", "event_type")
    return [{k: row[k] for k in keep if k in row} for row in std.codelists[codelist].rows]


def form(std: Standard) -> dict[str, Any]:
    """The record form: its fields in the standard's order, the codelists of actors and roles, and the
    names a quote can support."""
    fields = [
        {
            "name": f["name"],
            "type": f["type"],
            "description": f.get("description", ""),
            "required": bool(f.get("constraints", {}).get("required")),
            "options": _options(std, f["codelist"]) if "codelist" in f else None,
        }
        for f in std.fields("incidents")
        if not f.get("x-derived") and f["name"] not in BOOKKEPT
    ]
    supports = [f["name"] for f in fields if f["name"] not in NOT_SUPPORTED] + ["actors"]
    return {
        "fields": fields,
        "roles": _options(std, "role"),
        "actor_types": _options(std, "actor_type"),
        "countries": _options(std, "country"),
        "supports": supports,
    }


def find_actors(actors: Iterable[dict[str, Any]], query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Actors whose name or an alias holds `query` (case ignored), names matching first; or the actor whose
    id it is."""
    wanted = query.casefold().strip()
    if not wanted:
        return []
    by_name, by_alias = [], []
    for actor in actors:
        if wanted in str(actor.get("name", "")).casefold() or wanted == str(actor.get("actor_id")).casefold():
            by_name.append(actor)
        elif any(wanted in str(alias).casefold() for alias in actor.get("aliases") or []):
            by_alias.append(actor)
    found = sorted(by_name, key=lambda a: str(a.get("name"))) + sorted(by_alias, key=lambda a: str(a.get("name")))
    keep = ("actor_id", "name", "aliases", "actor_type", "country")
    return [{k: actor.get(k) for k in keep} for actor in found[:limit]]
