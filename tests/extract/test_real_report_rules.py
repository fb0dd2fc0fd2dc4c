"""Rules learnt from the real development reports (issue 23), each shown on the smallest text that needs it."""

from __future__ import annotations

import datetime as dt

import pytest

from incidents.extract import actors, classify, draft_records, numbers, places, roles
from incidents.extract.text import Span, clauses


def _drafted(body: str, published: dt.date | None = dt.date(2025, 3, 5)) -> list[dict]:
    """Records of a short report (a headline, then a body filed from Baghdad), with each actor by name."""
    ids = iter(f"act_{i}" for i in range(99))
    result = draft_records(
        f"Headline\n\nBAGHDAD, Iraq (Wire) – {body}",
        "0" * 64,
        published,
        [],
        {},
        by="t",
        now="2026-01-01T00:00:00Z",
        new_actor_id=lambda: next(ids),
    )
    names = {a["actor_id"]: a["name"] for a in result.new_actors}
    for record in result.records:
        record["actors"] = [{"name": names.get(a["actor_id"]), "role": a["role"]} for a in record["actors"]]
    return result.records


def _first_side(record: dict) -> str | None:
    return next((a["name"] for a in record["actors"] if a["role"] in ("side_a", "perpetrator")), None)


def test_an_unclaimed_suicide_bombing_is_by_an_unidentified_armed_group():
    (record,) = _drafted("On Monday, a suicide bomber blew himself up at a market in Baghdad, killing five people.")
    assert (record["sub_event_type"], _first_side(record)) == ("suicide_bomb", "Unidentified armed group")


def test_a_sentence_that_only_claims_the_attack_names_its_doer():
    (record,) = _drafted(
        "On Monday, a roadside bomb killed two soldiers in Kirkuk.\n\nThe Islamic State claimed responsibility."
    )
    assert _first_side(record) == "Islamic State"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("The ", ", military wing of Islamic Jihad, took responsibility for the attack"),  # an apposition
        ("The banned ", " (TTP) claimed the attack in a statement"),
        ("", " said in a statement that its fighters had shelled the base"),  # its own men did it
        ("Houthi rebels blamed a ", " for conducting the airstrike"),  # the one blamed
        ("Officials blamed the bombing on ", "."),
    ],
)
def test_a_claim_or_a_blame_names_the_doer(before, after):
    assert roles.cue(before, after) == "by"
    assert roles.party(before, after)


def test_blame_for_similar_incidents_names_no_doer():
    assert roles.cue("They have blamed similar incidents on the militant group ", ".") != "by"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('the market," said ', " Ali Hasan."),  # "said policeman Ali Hasan"
        ("Major General Roy Kyanko, the commander of the Philippine ", " in the area, says the men were seen"),
        ("Regional ", " commander Colonel Bartolome Baluyot says the two men were trained"),
        ("The ", ", a volunteer group, said in a statement that eight people had died"),
        ("", " rebels, who took control of the capital three years ago, blamed a coalition"),
        ("", " say they are preparing murder charges"),
    ],
)
def test_tellers_are_no_parties_to_the_event(before, after):
    assert not roles.party(before, after)


def test_a_group_only_suspected_of_the_attack_leaves_its_doer_unidentified():
    (record,) = _drafted("Gunmen suspected to be al-Qaida militants killed five people in Ramadi on Monday.")
    assert _first_side(record) == "Unidentified armed group"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Two French ", " advisers were kidnapped in Somalia earlier this week"),
        ("A ", " car that was dispatched after the explosion was attacked"),
        ('The ministry said it had "neutralised two ', ' terrorists"'),
    ],
)
def test_those_done_to_are_objects(before, after):
    assert roles.cue(before, after) == "object"


def test_the_doer_of_an_attack_by_scores_of_fighters_is_named_after_by():
    assert roles.cue("soldiers repelled a large-scale attack on a base by scores of armed ", ".") == "by"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The militant Islamic separatist group Abu Sayyaf claims responsibility.", "Abu Sayyaf"),
        ("The Al-Quds Brigades took responsibility.", "Al-Quds Brigades"),
    ],
)
def test_a_group_named_after_its_kind_and_a_force_after_a_capital_the_are_found(text, name):
    matcher = actors.ActorMatcher([], "PHL", "the Philippines", places.nationality, text)
    assert name in [f.name for f in matcher.find(text)]


def test_what_follows_background_in_its_paragraph_is_background_and_a_relative_clause_is_the_places_past():
    (record,) = _drafted(
        "Police arrested three men in Baghdad on Tuesday in a neighbourhood where for weeks protesters rallied. "
        "Since the July 3 coup, the toll has topped 1,000. Rights groups say many more people have died."
    )
    assert record["sub_event_type"] == "arrests"


def test_over_the_past_months_is_background():
    assert classify.background("the latest in ongoing clashes over the past 14 months")


@pytest.mark.parametrize(
    ("clause", "field", "value"),
    [
        ("gunmen kidnapped eight people but released two of them", "released", 2),
        ("They later executed at least 17 of them", "fatalities_best", 17),
        ("Another police officer was killed in Silvan", "fatalities_best", 1),
        ("125 people were being treated at various hospitals", "injured", 125),
    ],
)
def test_counts_of_them_another_and_the_treated(clause, field, value):
    assert {c.field: c.value for c in numbers.counts(clause)}.get(field) == value


def test_people_treated_for_shock_are_not_counted_as_injured():
    assert numbers.counts("Several other people were treated for shock.") == []


def test_a_figure_said_without_the_events_word_joins_the_event_told():
    (record,) = _drafted(
        "On Monday, a car bomb killed 34 people in Baghdad. The minister said 125 people were being treated at "
        "hospitals."
    )
    assert (record["fatalities_best"], record["injured"]) == (34, 125)


def test_nearly_gives_a_ceiling_not_a_best_estimate():
    (record,) = _drafted("On Saturday, car bombs killed nearly 60 people in Baghdad.")
    assert (record["fatalities_best"], record["fatalities_low"], record["fatalities_high"]) == (None, None, 60)


def test_a_weekday_of_a_report_without_a_publication_date_dates_the_event_the_lead_told():
    records = _drafted(
        "A recent attack by gunmen on Ramadi has killed at least 100 people. A committee said gunmen used heavy "
        "artillery in Wednesday morning's assault.",
        published=None,
    )
    assert len(records) == 1


def test_a_lead_figure_over_several_attacks_is_not_an_events_own():
    records = _drafted(
        "Officials said Wednesday at least four people were killed in Russian missile attacks.\n\n"
        "In Mosul, a missile killed three people.\n\nIn Kirkuk, a missile attack killed one person."
    )
    assert 4 not in [r["fatalities_best"] for r in records]
    assert {1, 3} <= {r["fatalities_best"] for r in records}


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Thousands filled the streets of the capital to demand the president resign", "protest"),
        ("a bomb planted by Maoist rebels has killed five paramilitary personnel", "remote-explosive"),
    ],
)
def test_streets_filled_are_a_protest_and_a_planted_bomb_a_remote_explosive(text, rule):
    assert classify.classify(text).name == rule


def test_where_the_wounded_were_flown_is_not_where_the_event_was():
    records = _drafted(
        "On Tuesday, a land mine killed five policemen in Ramadi. At least six others were wounded in the blast, "
        "including four who were flown to a hospital in Tikrit."
    )
    assert len(records) == 1


def test_what_the_claimant_said_of_another_event_is_a_clause_of_its_own():
    text = "The Brigades took responsibility for the attack, saying it avenged the shelling earlier this month."
    parts = clauses(text, Span(0, len(text), text))
    assert [p.text for p in parts] == [
        "The Brigades took responsibility for the attack",
        "saying it avenged the shelling earlier this month.",
    ]


def test_authorities_who_arrest_are_the_police():
    text = "Iraqi authorities have arrested the group's chief."
    matcher = actors.ActorMatcher([], "IRQ", "Iraq", places.nationality, text)
    assert [f.name for f in matcher.find(text)][0] == "Police Forces of Iraq"


def test_an_event_told_hours_earlier_is_an_event_of_its_own():
    records = _drafted(
        "Militants ambushed and killed 24 policemen early Monday in Mosul. Hours earlier, police near Ramadi "
        "killed 36 prisoners who tried to escape."
    )
    assert sorted(r["fatalities_best"] for r in records) == [24, 36]


def test_a_bomb_that_opens_a_ground_assault_is_part_of_the_battle():
    rule = classify.classify("militants detonated a suicide car bomb at the base followed by an infantry attack")
    assert (rule.event_type, rule.sub_event_type) == ("battles", "armed_clash")
