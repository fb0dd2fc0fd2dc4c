"""The normalisation assistant on the seed report, and its parts: dates, numbers, places, actors, rules."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from factories import TODAY, make_dataset
from incidents import validate
from incidents.cli import cli
from incidents.extract import actors, classify, dates, draft_records, numbers, places

SEED = Path(__file__).parents[1] / "fixtures" / "qamishli_report.txt"
KNOWN = [
    {
        "actor_id": "act_01KAXQ8N5D4C3R6E0J2VWZ7T1M",
        "name": "National Defense Forces",
        "actor_type": "political_militia",
        "aliases": ["National Defense", "Syrian regime militias", "Syrian Regime fighters", "regime fighter"],
    },
    {
        "actor_id": "act_01KAXQ8N5D4C3R6E0J2VWZ7T1N",
        "name": "Asayish",
        "actor_type": "rebel_group",
        "aliases": ["Alasayish", "Kurdish traffic police", "Kurdish forces", "Kurdish internal security forces"],
    },
]


def drafts(published: dt.date | None) -> list[dict]:
    text = SEED.read_text(encoding="utf-8")
    return draft_records(
        text, "0" * 64, published, KNOWN, {"Al Qāmishlī": "Al-Hasakah"}, by="t", now="2026-01-01T00:00:00Z"
    ).records


def test_the_seed_report_gives_its_four_incidents():
    found = {(r["date_start"], r["location"], r["sub_event_type"]): r for r in drafts(dt.date(2024, 3, 8))}
    assert set(found) == {
        ("2024-03-05", "Qamishli", "attack"),  # late Tuesday: the shooting and the arrests that followed
        ("2024-03-06", "Alwahda Street, Qamishli", "armed_clash"),
        ("2024-03-06", "Qamishli", "agreement"),  # the release that evening
        ("2024-03-07", "Khaleej Street, Qamishli", "armed_clash"),
    }
    thursday = found[("2024-03-07", "Khaleej Street, Qamishli", "armed_clash")]
    assert (thursday["fatalities_best"], thursday["injured"]) == (2, 1)
    assert found[("2024-03-06", "Alwahda Street, Qamishli", "armed_clash")]["detained"] == 11
    assert found[("2024-03-06", "Qamishli", "agreement")]["released"] == 20
    assert found[("2024-03-05", "Qamishli", "attack")]["detained"] == 12
    assert "'Thursday' was resolved against the publication date 2024-03-08" in thursday["notes"]
    roles = {a["actor_id"]: a["role"] for a in thursday["actors"]}
    assert roles == {KNOWN[0]["actor_id"]: "side_a", KNOWN[1]["actor_id"]: "side_b"}  # both known, none new


def test_every_value_is_tied_to_a_quote_at_its_offsets():
    text = SEED.read_text(encoding="utf-8")
    for record in drafts(dt.date(2024, 3, 8)):
        assert record["revisions"][0]["method"] == "assisted" and "needs-review" in record["tags"]
        supported = {name for e in record["evidence"] for name in e["supports"]}
        assert {"date_start", "location", "actors", "event_type"} <= supported
        for evidence in record["evidence"]:
            assert text[evidence["char_start"] : evidence["char_end"]] == evidence["quote"]


def test_without_a_publication_date_dates_stay_unknown_and_the_notes_say_why():
    for record in drafts(None):
        assert record["date_start"] is None and record["date_precision"] == "unknown"
        assert "no publication date" in record["notes"]


def test_extract_command_writes_drafts_that_validate(tmp_path):
    layout = make_dataset(tmp_path)
    report = tmp_path / "report.txt"
    shutil.copy(SEED, report)
    args = ["--root", str(tmp_path), "extract", str(report), "--published", "2024-03-08", "--publisher", "K24"]
    result = CliRunner().invoke(cli, [*args, "--by", "Coder"])
    assert result.exit_code == 0, result.output
    assert "4 draft(s)" in result.output
    written = [p for p in layout.records.glob("*.yaml") if p.read_text().count("method: assisted")]
    assert len(written) == 4
    assert validate.validate(tmp_path, today=TODAY) == []


@pytest.mark.parametrize(
    ("phrase", "published", "expected"),
    [
        ("on Wednesday", dt.date(2024, 3, 8), ("2024-03-06", "2024-03-06", "day")),
        ("late Tuesday", dt.date(2024, 3, 5), ("2024-03-05", "2024-03-05", "day")),  # published that day
        ("yesterday", dt.date(2024, 3, 1), ("2024-02-29", "2024-02-29", "day")),
        ("Last week", dt.date(2024, 10, 9), ("2024-09-30", "2024-10-06", "week")),
        ("In January", dt.date(2025, 3, 6), ("2025-01-01", "2025-01-31", "month")),
        ("on 3 March", dt.date(2025, 3, 6), ("2025-03-03", "2025-03-03", "day")),
        ("on 12 March 2023", None, ("2023-03-12", "2023-03-12", "day")),
    ],
)
def test_dates_resolve_against_the_publication_date(phrase, published, expected):
    (mention,) = dates.mentions(phrase)
    value = dates.resolve(mention, published)
    assert (value.start.isoformat(), value.end.isoformat(), value.precision) == expected


def test_a_weekday_without_publication_date_is_unknown_and_a_reporting_date_is_no_event_date():
    (mention,) = dates.mentions("on Thursday")
    assert dates.resolve(mention, None).precision == "unknown"
    assert dates.mentions("a leader told reporters on Monday") == []


def test_in_the_evening_takes_the_day_of_the_event_before():
    (mention,) = dates.mentions("released in the evening")
    wednesday = dates.DateValue(dt.date(2024, 3, 6), dt.date(2024, 3, 6), "day")
    assert dates.resolve(mention, dt.date(2024, 3, 8), wednesday) == wednesday


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("Asayish arrested that drunk fighter with eleven fighters", {"detained": 12}),
        ("Two policemen and one attacker were killed when militants attacked", {"fatalities_best": 3}),
        ("killed four civilians, including two children, and wounded seven", {"fatalities_best": 4, "injured": 7}),
        ("the arrested 20 members had been released in the evening", {"released": 20}),
        ("injured an Alasayish member", {"injured": 1}),
        ("A ten-year-old boy was killed by a sniper", {"fatalities_best": 1}),
        ("wounding four people. No deaths were reported.", {"injured": 4, "fatalities_best": 0}),
        ('killed "dozens" of fighters', {}),
        ("the two sides exchanged 21 prisoners", {"released": 21}),
        ("fighters exchanged fire with the army", {}),
    ],
)
def test_counts_in_words_and_digits(clause, expected):
    assert {c.field: c.value for c in numbers.counts(clause)} == expected


def test_towns_are_found_under_their_alternate_spellings():
    found = places.towns("fighting in Qamishli, Al-Qamishli, Al Qamishli, Qamishlo and Qamislo", ["SYR"])
    assert {t.gazetteer_name for t in found} == {"Al Qāmishlī"} and len(found) == 5
    assert places.towns("in Shan", ["MMR"]) == []  # an initial "Sh" is kept: Shan is not the town San
    assert places.region_named("Hasakeh province", "SYR") == places.region_named("Al-Hasakah", "SYR") is not None
    assert places.towns("near Sake, west of Goma", ["COD"])[0].near


def test_known_actors_are_matched_by_alias_and_new_names_proposed():
    matcher = actors.ActorMatcher(KNOWN, "SYR", "Syria")
    found = matcher.find("Rojava Asayish forces and Alasayish fought the Rapid Support Forces (RSF) and soldiers")
    by_name = {f.name: f for f in found}
    assert by_name["Asayish"].actor_id == KNOWN[1]["actor_id"]
    assert by_name["Rapid Support Forces"].actor_id is None and by_name["Rapid Support Forces"].alias == "RSF"
    assert "Military Forces of Syria" in by_name


def test_a_states_forces_are_named_by_its_nationality_and_named_forces_stay_new():
    matcher = actors.ActorMatcher([], "SYR", "Syria", places.nationality)
    names = [f.name for f in matcher.find("Pakistani troops, the Iraqi Army and the Rapid Support Forces")]
    assert names == ["Military Forces of Pakistan", "Military Forces of Iraq", "Rapid Support Forces"]
    named = matcher.find("Syrian fighters of the National Defense Forces attacked")  # a militia, not the army
    assert [f.name for f in named] == ["National Defense Forces"] and named[0].actor_type != "state_forces"


def test_generic_words_for_an_actors_own_members_name_no_other_actor():
    matcher = actors.ActorMatcher(KNOWN, "SYR", "Syria")
    found = matcher.find("fighters arrested two traffic police members of the Kurdish forces")
    assert [f.name for f in found] == ["Asayish"]


def test_a_states_weapons_name_its_forces_and_an_acronym_names_its_group_report_wide():
    report = "A Russian guided aerial bomb struck Kupiansk. The Rapid Support Forces (RSF) shelled a camp."
    matcher = actors.ActorMatcher([], "UKR", "Ukraine", places.nationality, report)
    assert [f.name for f in matcher.find("Russian forces hit it")] == ["Military Forces of Russia"]
    assert [f.name for f in matcher.find("RSF fighters attacked")] == ["Rapid Support Forces"]
    assert [f.name for f in matcher.find("the Syrian Democratic Forces (SDF)")] == ["Syrian Democratic Forces"]


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        ("a roadside bomb struck an army patrol, killing two soldiers", {"Unidentified armed group": "perpetrator"}),
        (
            "shells fired by the paramilitary Rapid Support Forces hit civilians",
            {"Rapid Support Forces": "perpetrator"},
        ),
        ("police arrested three men in the market", {"Police Forces of Iraq": "perpetrator"}),
        (
            "the army clashed with militants who attacked an army post",
            {"Unidentified armed group": "side_a", "Military Forces of Iraq": "side_b"},
        ),
    ],
)
def test_roles_follow_who_did_what_to_whom(text, roles):
    report = f"BAGHDAD, Iraq (Wire) – On Monday, {text}, officials said."
    ids = iter(f"act_{i}" for i in range(99))
    result = draft_records(
        report,
        "0" * 64,
        dt.date(2025, 3, 5),
        [],
        {},
        by="t",
        now="2026-01-01T00:00:00Z",
        new_actor_id=lambda: next(ids),
    )
    names = {a["actor_id"]: a["name"] for a in result.new_actors}
    (record,) = result.records
    assert {names[a["actor_id"]]: a["role"] for a in record["actors"]}.items() >= roles.items()


def test_one_group_keeps_one_name_within_a_report():
    report = "Houthi fighters attacked; al-Shabaab denied it. The Houthis said so."
    matcher = actors.ActorMatcher([], "YEM", "Yemen", report=report)
    assert [f.name for f in matcher.find(report)][:2] == ["Houthis", "Al-Shabaab"]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("a suicide bomber blew himself up", "suicide-bomb"),
        ("a roadside bomb struck their patrol", "remote-explosive"),
        ("the two sides exchanged fire", "armed-clash"),
        ("hundreds protested peacefully", "protest"),
        ("soldiers arrested three men", "arrests"),
        ("the rebels released 34 soldiers", "release"),
        ("the statement concluded", "fallback"),
    ],
)
def test_event_rules_say_which_rule_fired(text, rule):
    assert classify.classify(text).name == rule


def _drafted(body: str) -> list[dict]:
    report = f"QAMISHLI, Syria (Wire) – {body}"
    return draft_records(report, "0" * 64, dt.date(2024, 10, 10), [], {}, by="t", now="2026-01-01T00:00:00Z").records


def test_what_people_protest_against_is_not_an_event_of_its_own():
    (record,) = _drafted("On Monday, hundreds marched in Qamishli to protest against Turkish drone strikes.")
    assert record["sub_event_type"] == "peaceful_protest"


def test_an_event_glimpsed_hours_before_another_does_not_join_it():
    (record,) = _drafted(
        "Police detained four men in Qamishli on Tuesday, hours before a roadside bomb killed two fighters."
    )
    assert (record["sub_event_type"], record["detained"], record["fatalities_best"]) == ("arrests", 4, None)


def test_a_zero_said_in_a_sentence_of_its_own_belongs_to_the_event_before():
    (record,) = _drafted("On Monday, a roadside bomb wounded four people in Qamishli. No deaths were reported.")
    assert (record["injured"], record["fatalities_best"], record["fatalities_high"]) == (4, 0, 0)
