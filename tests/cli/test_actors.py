"""`incidents actor new`: the id minted, the file written as the standard orders it, clashes refused."""

from __future__ import annotations

import re

from click.testing import CliRunner

from factories import ACTOR_A, make_dataset
from incidents import records
from incidents.cli import cli


def run(root, *args):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def test_actor_new_mints_an_id_writes_a_valid_actor_and_the_dataset_stays_valid(tmp_path):
    root = make_dataset(tmp_path).root
    result = run(
        root, "actor", "new", "Asayish", "--type", "state_forces", "--country", "SYR",
        "--alias", "Kurdish internal security", "--description", "Internal security forces of the AANES.",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    actor_id, shown = result.output.split()
    assert re.fullmatch(r"act_[0-9A-HJKMNP-TV-Z]{26}", actor_id) and shown == f"data/actors/{actor_id}.yaml"
    text = (root / shown).read_text(encoding="utf-8")
    assert [line.split(":")[0] for line in text.splitlines() if not line.startswith(("-", " "))] == [
        "actor_id", "name", "aliases", "actor_type", "country", "parent_actor_id", "description",
    ]  # fmt: skip
    assert records.parse(text.encode(), shown).data["aliases"] == ["Kurdish internal security"]
    assert run(root, "validate").output.strip() == "valid"


def test_actor_new_refuses_a_name_an_actor_has_as_name_or_alias_and_says_which(tmp_path):
    root = make_dataset(tmp_path).root  # ACTOR_A is named "Militia"
    before = sorted((root / "data" / "actors").iterdir())
    for args in (["MILITIA"], ["Asayish", "--alias", "militia"]):
        result = run(root, "actor", "new", *args, "--type", "state_forces")
        assert result.exit_code == 1 and ACTOR_A in result.output and "'Militia'" in result.output, result.output
    assert sorted((root / "data" / "actors").iterdir()) == before


def test_actor_new_refuses_an_unknown_type_a_bad_country_and_a_missing_parent(tmp_path):
    root = make_dataset(tmp_path).root
    unknown = run(root, "actor", "new", "Asayish", "--type", "police")
    assert unknown.exit_code == 2 and "state_forces" in unknown.output
    country = run(root, "actor", "new", "Asayish", "--type", "state_forces", "--country", "Syria")
    assert country.exit_code == 1 and "country" in country.output and "[schema-enum]" in country.output
    parent = run(
        root, "actor", "new", "Asayish", "--type", "state_forces", "--parent", "act_01KAXQ8N5D4C3R6E0J2VWZ7TZZ"
    )
    assert parent.exit_code == 1 and "no actor act_01KAXQ8N5D4C3R6E0J2VWZ7TZZ" in parent.output
    assert len(list((root / "data" / "actors").iterdir())) == 2
