"""The actors' parents form a tree (rules.actors): every actor on a cycle is reported, with its cycle."""

from __future__ import annotations

import pyarrow as pa

from incidents.validate.rules.actors import check_actor_cycles


def actors(parents: dict[str, str | None]) -> dict[str, pa.Table]:
    return {
        "actors": pa.table(
            {"actor_id": list(parents), "parent_actor_id": list(parents.values())},
        )
    }


def test_every_actor_on_a_cycle_of_three_is_reported_with_the_cycle_from_itself():
    tables = actors({"A": "B", "B": "C", "C": "A", "D": "A", "E": None})
    found = {(f.row, f.field, f.message, f.code) for f in check_actor_cycles(tables)}
    lead = "the chain of parents comes back to the actor: "
    assert found == {
        (0, "parent_actor_id", lead + "A -> B -> C -> A", "actor-cycle"),
        (1, "parent_actor_id", lead + "B -> C -> A -> B", "actor-cycle"),
        (2, "parent_actor_id", lead + "C -> A -> B -> C", "actor-cycle"),
    }  # D leads into the cycle without being on it


def test_an_actor_that_is_its_own_parent_is_a_cycle_of_one():
    found = list(check_actor_cycles(actors({"A": "A", "B": "A"})))
    assert [(f.row, f.message.split(": ")[1]) for f in found] == [(0, "A -> A")]


def test_chains_that_end_at_a_root_or_at_a_missing_actor_are_no_cycle():
    assert list(check_actor_cycles(actors({"A": "B", "B": "C", "C": None, "D": "Z"}))) == []


def test_a_slice_of_the_actors_is_reported_on_its_own_rows_with_parents_looked_up_in_all():
    whole = actors({"A": "B", "B": "C", "C": "A"})
    part = {"actors": whole["actors"].slice(1, 1)}
    assert [(f.row, f.message.split(": ")[1]) for f in check_actor_cycles(part, whole)] == [(0, "B -> C -> A -> B")]
