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
    Rule(  # "a suicide car bomb followed by an infantry attack": the bomb opens a battle, ACLED codes the battle
        "ground-assault",
        _rx(r"\b(?:infantry|ground) (?:attack|assault|offensive)\b"),
        "battles",
        "armed_clash",
        "a ground assault, with any bomb that opened it",
    ),
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
            r"\b(?:roadside bomb|IED|improvised explosive|landmine|mine|bombs? planted|planted (?:an? )?bombs?"
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
        _rx(
            r"\b(?:protest(?:ed|ers|s)?|demonstrat(?:ion|ed|ors)|marched|rall(?:y|ied)"
            r"|(?:filled|took to) the streets)\b"  # "Thousands filled the streets of the capital to demand ..."
        ),
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


# What is not the news: a war's toll, what happened "since 2014" or "over the past 14 months", what will or
# would happen. A clause that says so tells background, not an event of the report.
_BACKGROUND = re.compile(
    r"\b(?:since (?:19|20)\d\d|since early|since (?:the )?(?:January|February|March|April|May|June|July|August"
    r"|September|October|November|December|last year)|in recent (?:years|months"
    r"|weeks)|ha(?:s|ve) (?:carried out|fought|besieged|risen|stepped up|deteriorated"
    r"|been (?:besieged|fighting|under|the scene|a stronghold))"  # not "have been arrested": the news
    # "has killed tens of thousands": a war's toll; "has killed at least 18 people": the news itself
    r"|ha(?:s|ve) killed (?:an estimated |more than |over |about |nearly )?(?:tens of |hundreds of )?"
    r"(?:thousands|hundreds|millions|\d{1,3},\d{3})"
    r"|(?:in|since|by) (?:early |late |mid-)?(?:19|20)\d\d(?![\d-])"  # dated only to a year: background
    r"|recently (?:began|launched|started|stepped up)|so far this year|(?:monthly|yearly|annual) (?:total|toll)"
    r"|in (?:January|February|March|April|May|June|July"
    r"|August|September|October|November|December|\w+ month) alone"
    r"|almost daily|every few months|was formed|were formed"
    r"|for (?:more than )?(?:\d+|\w+) (?:years|decades)"
    r"|over the (?:past|last) (?:\d+|\w+) (?:weeks|months|years|decades)"
    # what has not happened: "will soon be released", "would negotiate ... a mass prisoner release"
    r"|(?:will|would|could)\s+(?:soon\s+|later\s+|not\s+)?(?:be\s+)?(?:releas|free|negotiat|conduct|hand|exchang)\w*"
    r"|threaten(?:ed|s)? to|(?:were|was|are|is) negotiating|call(?:ed|ing)? for)\b",
    re.I,
)

# What people protest against is not an event of the protest: "marched to protest against drone strikes".
_PROTESTED = re.compile(r"\b((?:protest(?:ed|ing)?|demonstrat(?:e|ed|ing)|rall(?:y|ied)) against)\b.*", re.I)
# What a relative clause says of the place is its past, not this event: "taken into custody in eastern Cairo,
# where for weeks pro-Morsi protesters rallied".
_RELATIVE = re.compile(r",?\s+where (?:for|since|in recent|until|earlier)\b.*", re.I)


def background(text: str) -> bool:
    """Whether a clause tells background (a span of years, a toll, what has not happened), not an event."""
    return bool(_BACKGROUND.search(text))


def told(text: str) -> str:
    """A clause without what it says of other events: what protesters protest against, a place's past."""
    return _RELATIVE.sub("", _PROTESTED.sub(r"\1", text))
