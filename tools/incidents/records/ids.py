"""Minting ids: `inc_` for incidents, `act_` for actors, each followed by a fresh ULID.

An id is opaque: never derived from the values it names, so corrections never change it, and it is never
reused. `incidents new`, the extractor and the importers all mint here.
"""

from __future__ import annotations


def _ulid() -> str:
    from ulid import ULID  # imported on first use: most commands mint nothing

    return str(ULID())


def new_incident_id() -> str:
    return f"inc_{_ulid()}"


def new_actor_id() -> str:
    return f"act_{_ulid()}"
