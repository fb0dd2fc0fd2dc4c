"""New actors: the record of one party to incidents, minted with an id and written as `data/actors/<id>.yaml`.

`incidents actor new` and the workbench both create actors here, so that an actor file is always written the
same way: every field of the standard, in its order, and never over an existing file.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from incidents import records, standard
from incidents.core import atomic, problems
from incidents.core.layout import Layout
from incidents.records.ids import new_actor_id


class ActorRefused(ValueError):
    """An actor that cannot be written as asked; the message says why and what would do."""


def new_actor(
    name: str,
    actor_type: str,
    country: str | None,
    aliases: Sequence[str] = (),
    parent_actor_id: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """A new actor with a fresh id, its fields in the standard's order (what `incidents actor new` writes)."""
    values = {
        "actor_id": new_actor_id(),
        "name": name,
        "aliases": list(aliases),
        "actor_type": actor_type,
        "country": country,
        "parent_actor_id": parent_actor_id,
        "description": description,
    }
    return {f["name"]: values.get(f["name"]) for f in standard.load().fields("actors")}


def _id_pattern() -> re.Pattern[str]:
    return re.compile(standard.load().field("actors", "actor_id")["constraints"]["pattern"])


def actor_path(layout: Layout, actor_id: object) -> Path:
    """The file of an actor, refusing anything that is not an actor id (no paths, no typos)."""
    pattern = _id_pattern()
    if not isinstance(actor_id, str) or not pattern.fullmatch(actor_id):
        raise ActorRefused(f"{actor_id!r} is not an actor id (expected an id matching {pattern.pattern})")
    return layout.actors / f"{actor_id}.yaml"


def name_taken(name: str, existing: Sequence[dict[str, Any]]) -> str | None:
    """Why `name` cannot name a new actor: an existing actor already goes by it (case-insensitive), as its
    name or an alias; None when it is free. Two actors under one name would split one party's incidents."""
    wanted = name.strip().casefold()
    for actor in existing:
        for index, known in enumerate([actor.get("name"), *(actor.get("aliases") or [])]):
            if isinstance(known, str) and known.strip().casefold() == wanted:
                how = "alias" if index else "name"
                return (
                    f"{actor.get('actor_id')} ({actor.get('name')!r}) already has {known!r} as its {how}: "
                    "expected a name no actor has (reuse that actor, or add the name to its aliases)"
                )
    return None


def create(layout: Layout, actor: dict[str, Any]) -> Path:
    """Write a new actor after checking it as `incidents validate` would (its JSON Schema), against the
    actors already in `data/actors/`: its name and aliases free, its parent existing."""
    from incidents.validate.schema_layer import Schemas

    existing = _existing(layout)
    for name in [actor.get("name"), *(actor.get("aliases") or [])]:
        taken = name_taken(name, existing) if isinstance(name, str) else None
        if taken:
            raise ActorRefused(taken)
    parent = actor.get("parent_actor_id")
    if parent is not None and not any(a.get("actor_id") == parent for a in existing):
        raise ActorRefused(f"no actor {parent}: expected the parent_actor_id of an actor in data/actors/")
    path = actor_path(layout, actor.get("actor_id"))
    loaded = records.parse(records.dump(actor).encode("utf-8"), layout.rel(path))
    found = loaded.problems or Schemas(standard.load()).check("actor", loaded)
    if found:
        raise ActorRefused("the actor is not valid:\n" + problems.human(found))
    return write_actor(layout, actor)


def _existing(layout: Layout) -> list[dict[str, Any]]:
    """The actors readable in data/actors/ (an unreadable file is for `incidents validate` to report)."""
    found = []
    for path in sorted(layout.actors.glob("*.yaml")) if layout.actors.is_dir() else []:
        loaded = records.read(path, layout.rel(path))
        if not loaded.problems:
            found.append(loaded.data)
    return found


def write_actor(layout: Layout, actor: dict[str, Any]) -> Path:
    """Write a new actor file atomically; an existing file is never overwritten (ids are never reused)."""
    path = actor_path(layout, actor.get("actor_id"))
    if layout.actors.resolve() != layout.root.resolve() / layout.actors.relative_to(layout.root):
        raise ActorRefused(f"{layout.rel(layout.actors)}/ is, or lies in, a symbolic link: expected a regular folder")
    layout.actors.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=layout.actors, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    os.close(fd)
    try:
        atomic.write_new({Path(name): records.dump(actor).encode("utf-8")}, exist_ok=True)
        os.link(name, path)  # whole or not at all, and never over a file that appeared meanwhile
    except FileExistsError:
        raise ActorRefused(f"{layout.rel(path)} already exists: an actor id is never reused") from None
    finally:
        os.unlink(name)
    return path
