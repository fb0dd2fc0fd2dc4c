"""The actors' parents form a tree: no actor is its own parent, or its own ancestor."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from incidents.validate.rules.findings import Finding, Tables, _filled, _row_in


def parent_cycles(parents: np.ndarray) -> dict[int, list[int]]:
    """Each row on a cycle of `parents` (each row's parent row, negative for none), with its cycle from itself
    back to itself. A plain walk: each row is visited once, so the cost is linear in the rows."""
    state = np.zeros(len(parents), dtype=np.int8)  # 0 unseen, 1 on the walk now, 2 done
    cycles: dict[int, list[int]] = {}
    for start in range(len(parents)):
        path: list[int] = []
        row = start
        while row >= 0 and state[row] == 0:
            state[row] = 1
            path.append(row)
            row = int(parents[row])
        if row >= 0 and state[row] == 1:  # the walk came back to a row of its own: a cycle
            ring = path[path.index(row) :]
            for k, member in enumerate(ring):
                cycles[member] = [*ring[k:], *ring[:k], member]
        state[path] = 2
    return cycles


def check_actor_cycles(tables: Tables, whole: Tables | None = None) -> Iterator[Finding]:
    """No chain of parent_actor_id comes back to the actor it started from (the actor itself included).

    Every actor on a cycle is reported, each with the cycle spelled out from itself: none of them is more at
    fault than another (which edit closed the cycle is history, not data), and any of their files is where it
    may be broken. The parents are looked up in `whole` (default `tables`), the rows reported are those of
    `tables`; an id held twice is looked up at its first row, as the key rules do."""
    actors, everywhere = tables["actors"], (whole or tables)["actors"]
    cycles = parent_cycles(_filled(_row_in(everywhere, "parent_actor_id", everywhere, "actor_id")))
    if not cycles:
        return
    ids = everywhere.column("actor_id").to_pylist()
    at = _filled(_row_in(actors, "actor_id", everywhere, "actor_id"))
    for row, found in enumerate(at.tolist()):
        if found in cycles:
            yield Finding(
                "actors",
                row,
                "parent_actor_id",
                "the chain of parents comes back to the actor: " + " -> ".join(ids[r] for r in cycles[found]),
                "parents that end at an actor without a parent (parent_actor_id: null)",
                "actor-cycle",
            )
