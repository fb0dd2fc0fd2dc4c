"""Event type and sub-type from the standard's codelist (ACLED's taxonomy), by documented rules.

The rules are tried in order; the first whose pattern matches the incident's sentences wins, and its
name is kept in the draft's notes so a reviewer sees why. Violence outranks arrests and releases told in
the same incident, explosions outrank a clash, as ACLED codes the most severe act of an event."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    event_type: str
    sub_event_type: str
    why: str


def _rx(text: str) -> re.Pattern[str]:
    return re.compile(text, re.I)


RULES: tuple[Rule, ...] = (
    Rule(
        "suicide-bomb",
        _rx(
            r"\bsuicide (?:\w+ )?(?:bomb|attack|car|blast)|\bblew (?:him|her)self up"
            r"|\bdetonated (?:his|her) (?:\w+ )?(?:vest|explosives?|belt|bomb|car)"
        ),
        "explosions_remote_violence",
        "suicide_bomb",
        "a suicide bombing",
    ),
    Rule(
        "air-drone-strike",
        _rx(
            r"\b(?:air ?strikes?|drone strikes?|drone (?:struck|hit|attack)"
            r"|aircraft bombed|fighter jet|aerial (?:bomb|attack|raid)|warplanes?|bombed|air raids?"
            r"|helicopter (?:gunships? )?(?:strikes?|attacks?|fired|struck))\b"
        ),
        "explosions_remote_violence",
        "air_drone_strike",
        "an air or drone strike",
    ),
    Rule(
        "shelling",
        _rx(r"\b(?:shell(?:s|ed|ing)|mortars?|missiles?|rockets?|artillery|bombard(?:ed|ment|ing)?)\b"),
        "explosions_remote_violence",
        "shelling_artillery_missile_attack",
        "shelling, missiles or rockets",
    ),
    Rule(
        "grenade",
        _rx(r"\bgrenades? (?:at|into|attack)|\bthrew (?:a )?(?:hand )?grenade"),
        "explosions_remote_violence",
        "grenade",
        "a thrown grenade",
    ),
    Rule(
        "remote-explosive",
        _rx(
            r"\b(?:roadside bomb|IED|improvised explosive|landmine|mine"
            r"|magnetic bomb|sticky bomb|car bomb|motorcycle (?:bomb"
            r"|loaded with explosives)|explosive device|bomb (?:exploded|went off|struck|blast|attack)"
            r"|blasts?|explosions?)\b"
            r"|\b(?:a|an|two|three|four|twin|double|several|multiple|\d+)\s+(?:[a-z]+\s+){0,2}bombings?\b"
            r"|\bexploded\b|\bblew up\b"
        ),
        "explosions_remote_violence",
        "remote_explosive_landmine_ied",
        "a planted or remote explosive",
    ),
    Rule(
        "protest",
        _rx(r"\b(?:protest(?:ed|ers|s)?|demonstrat(?:ion|ed|ors)|marched|rall(?:y|ied))\b"),
        "protests",
        "peaceful_protest",
        "a demonstration with no violence reported",
    ),
    Rule(
        "government-regains",
        _rx(r"\b(?:recaptured|retook|regained control|retaken)\b"),
        "battles",
        "government_regains_territory",
        "government forces retake a place",
    ),
    Rule(
        "territory-taken",
        _rx(r"\b(?:seized control|overran|captured the town|took control)\b"),
        "battles",
        "non_state_actor_overtakes_territory",
        "a non-state group takes a place",
    ),
    Rule(
        "armed-clash",
        _rx(
            r"\b(?:clash(?:ed|es)?|exchanged fire|exchange of fire|gun ?battle|gun ?fight|fire ?fight|shoot-?out"
            r"|fighting|fought|ambush(?:ed)?|repelled|shot (?:them )?back"
            r"|returned fire|came under fire|attacked (?:\w+ ){0,3}(?:patrol"
            r"|checkpoint|base|positions?|convoy|troops|soldiers))\b"
        ),
        "battles",
        "armed_clash",
        "two armed, organised sides fought",
    ),
    Rule(
        "abduction",
        _rx(r"\b(?:abduct(?:ed|ion)|kidnapp?(?:ed|ing))\b"),
        "violence_against_civilians",
        "abduction_forced_disappearance",
        "people were abducted",
    ),
    Rule(
        "attack",
        _rx(
            r"\b(?:kill(?:ed|ing|s)|shot|shooting|sniper|opened fire|massacred?|executed|beheaded|hostages?"
            r"|attack(?:ed)?|bodies|wounded|injured|stabbed|beaten|died|dead)\b"
        ),
        "violence_against_civilians",
        "attack",
        "an armed group used violence against people",
    ),
    Rule(
        "release",
        _rx(r"\b(?:releas(?:ed|e)|freed|handed (?:them )?over|prisoner exchange|exchanged \w+ prisoners)\b"),
        "strategic_developments",
        "agreement",
        "a release or exchange of detainees",
    ),
    Rule(
        "arrests",
        _rx(r"\b(?:arrest(?:ed|s)?|detain(?:ed|s)?|detention|custody)\b"),
        "strategic_developments",
        "arrests",
        "people were arrested or detained",
    ),
    Rule(
        "weapons-seized",
        _rx(r"\b(?:seized (?:weapons|arms)|defused|arms cache)\b"),
        "strategic_developments",
        "disrupted_weapons_use",
        "weapons seized or defused",
    ),
)
FALLBACK = Rule("fallback", _rx(r"$^"), "strategic_developments", "other", "no rule matched: a coder must choose")


def classify(text: str) -> Rule:
    """The first rule that matches the incident's trigger text, or the fallback."""
    return next((rule for rule in RULES if rule.pattern.search(text)), FALLBACK)


# A protest the counts say was not peaceful: ACLED codes it by what was done to the protesters.
EXCESSIVE_FORCE = Rule(
    "protest-with-deaths",
    _rx(r"$^"),
    "protests",
    "excessive_force_against_protesters",
    "a protest at which people were killed",
)
INTERVENTION = Rule(
    "protest-with-intervention",
    _rx(r"$^"),
    "protests",
    "protest_with_intervention",
    "a protest broken up with injuries or arrests",
)


def checked(rule: Rule, counts: dict[str, int]) -> tuple[Rule, str | None]:
    """The rule checked against the counts, and why it changed: a peaceful protest has no dead, wounded or
    arrested (a keyword says "protest"; the counts say what happened to it)."""
    if rule.sub_event_type != "peaceful_protest":
        return rule, None
    if counts.get("fatalities_best"):
        found = EXCESSIVE_FORCE
    elif counts.get("injured") or counts.get("detained"):
        found = INTERVENTION
    else:
        return rule, None
    said = ", ".join(f"{k}={v}" for k, v in counts.items() if v and k in ("fatalities_best", "injured", "detained"))
    return found, f"Reclassified from peaceful protest to {found.sub_event_type}: the report counts {said}."
