"""Who did what to whom in a draft: the part each actor plays (side A or B, perpetrator, target), read from the
words around it ("by X", "X attacked", "struck X", "Russian missile attacks") and from the kind of event."""

from __future__ import annotations

import re

from incidents.extract import actors, classify
from incidents.extract.drafts import SEVERAL, Draft
from incidents.extract.text import Span

_BY = re.compile(
    r"\bby\s+(?:(?:a|an|the)\s+)?(?:(?:scores|dozens|hundreds|thousands|groups?|bands?|members|fighters)\s+of\s+)?"
    r"(?:[a-z-]+\s+){0,2}$"
)
_VICTIM_AFTER = re.compile(
    r"^\W*(?:\w+\s+){0,3}?(?:(?:was|were|had been|have been|has been)\s+)(?:killed|wounded|injured|hit|targeted"
    r"|attacked|kidnapped|abducted|seized|captured|shot|arrested|detained|taken hostage)\b"
    r"|^\W*(?:patrols?|convoy|vehicles?|cars?|trucks?|positions?|posts?|checkpoints?|base|stations?|academy)\b"
)
_VICTIM_BEFORE = re.compile(
    r"\b(?:struck|hit|targeted|targeting|attacked|attacking|ambushed|killed|killing|wounded|wounding|shot at"
    r"|neutrali[sz]ed|shooting at|fired at|fired on|bombed|shelled|including|among them|near|outside|at|into|against|on"
    r"|(?:house|home|car|vehicle|office|station|convoy|patrol) of)"
    r"\s+(?:(?:a|an|the|two|three|several)\s+)?(?:[a-z-]+\s+){0,2}$",
    re.I,
)
_DOES_NEXT = re.compile(
    r"^\s+(?:[a-z]+\s+)?(?:attacked|struck|fired|shelled|bombed|ambushed|stormed|detonated|opened fire|abducted"
    r"|kidnapped|raided|launched|seized|captured|threw|overran)\b"
)
_AGENT_AFTER = re.compile(
    r"^\W*(?:\w+\s+){0,3}?(?:attacked|struck|fired|shelled|bombed|killed|ambushed|stormed|detonated|opened fire"
    r"|shot|abducted|arrested|detained|raided|launched|claimed|seized|captured|threw)\b"
)


# The owner of the weapon or the attack is its doer: "killed in Russian missile attacks", "a Taliban attack".
_WEAPON_AFTER = re.compile(
    r"^['’]?s?\s+(?:[a-z-]+\s+){0,2}?(?:missiles?|drones?|air ?strikes?|airstrikes?|shelling|artillery|rockets?"
    r"|attacks?|bombardment|warplanes?|jets?|aircraft|helicopters?|raids?|assaults?|offensive|gunfire)\b"
)


# A claim or a blame names the doer (README: a claim in a side's statement counts as attribution): "the
# TTP claimed the attack", "the Al-Quds Brigades, military wing of Islamic Jihad, took responsibility",
# "blamed a Saudi-led coalition for the airstrike", "blamed the attack on X" (not "similar incidents").
_CLAIM_VERB = (
    r"(?:claim(?:ed|s)?|t(?:ook|akes?|aken)|accept(?:ed|s)?|admit(?:ted|s)?)\s+(?:full\s+)?(?:responsibility|credit)"
    r"|claim(?:ed|s)\s+(?:the|this|that|both|these|those)\s+(?:[\w-]+\s+)?(?:attacks?|bombings?|blasts?|kidnappings?"
    r"|killings?|strikes?|assaults?|raids?|ambush)"
)
CLAIM = re.compile(rf"\b(?:{_CLAIM_VERB})\b", re.I)
_CLAIMS_AFTER = re.compile(
    rf"^\)?(?:\s*\([^)]*\))?(?:\s+(?:group|movement|militants|fighters|rebels))?(?:,[^,;]{{1,60}},)?\s+(?:also\s+)?"
    rf"(?:(?:has|have|had)\s+)?(?:{_CLAIM_VERB})\b",
    re.I,
)
_BLAMED = re.compile(
    r"\bblam(?:ed|es|ing)\s+(?:(?:a|an|the)\s+)?(?:[\w-]+\s+)?$"
    r"|\bblam(?:ed|es|ing)\s+(?:the|this|that|these|those|both|\w+['’]s)\s+(?:[\w-]+\s+){0,2}?on\s+(?:(?:a|an|the)\s+)?"
    r"(?:[\w-]+\s+){0,2}$",
    re.I,
)
_FOR_IT = re.compile(r"^[^.;]{0,40}?\bfor\b")
# A side that says its own men did it claims it: "Al-Shabaab said in a statement that its fighters had shelled".
_OWN_MEN = re.compile(
    r"^[^.;]{0,60}?\b(?:its|their)\s+(?:own\s+)?(?:fighters|forces|troops|men|militants|members|soldiers|units)\s+"
    r"(?:had\s+|have\s+|has\s+)?(?:attacked|struck|fired|shelled|bombed|killed|ambushed|stormed|detonated|targeted"
    r"|destroyed|carried out|launched|shot|seized|captured)\b",
    re.I,
)


def claims(after: str) -> bool:
    """Whether the words after an actor say it claimed the act: a teller who is also its doer."""
    return bool(_CLAIMS_AFTER.match(after) or _OWN_MEN.match(after))


# The teller of an event, not a party to it: "X said", "X, a volunteer group, said", "X, who took the capital in
# 2014, blamed ...", "police commander Colonel Baluyot says", "said policeman Ali Hasan", "the commander of the
# Philippine military in the area says", "officials with X told".
_SAYS = r"(?:said|says|say|told|stated|claimed|denied|denies|accused|blamed|blames|added)"
_SPEECH = re.compile(
    rf"^(?:\s*\([^)]*\))?(?:,[^,;]{{1,80}},)?\W*(?:\w+\W+){{0,2}}?{_SAYS}\b|^\s*,?\s*which said\b"
    rf"|^\W*(?:\w+\s+){{0,2}}?\w*,\s+who\b[^,;]*,\s+{_SAYS}\b"
    rf"|^\s+(?:commander|spokes(?:man|woman|person)|chief|officials?|officer|leader|head)\b[^.;]{{0,40}}?\b{_SAYS}\b",
    re.I,
)
_ACCORDING = re.compile(
    r"\baccording to\s+(?:\w+\s+){0,3}$|\b(?:by|from)\s+(?:a|the)\s+$|[,\"”]\s*(?:said|says|told)\s+(?:an?\s+|the\s+)?$"
    r"|\b(?:commander|spokes(?:man|woman|person)|head|chief|officials?|director|governor|minister|leader)\s+"
    r"(?:of|for|with)\s+(?:the\s+)?(?:[A-Z][\w'’-]*\s+){0,2}$",
    re.I,
)
# A group named only as a suspicion about the doers: they stay unidentified (README: a claim or a side's blame
# attributes an act; a guess does not).
_HEDGED = re.compile(
    r"\b(?:suspected|believed|thought|presumed)\s+to\s+(?:be|have been)\s+(?:an?\s+|the\s+)?$"
    r"|\bsuspicion\s+(?:fell|falls|has fallen)\s+on\s+(?:the\s+)?$",
    re.I,
)


def party(before: str, after: str) -> bool:
    """Whether an actor named in a clause is a party to its event: not its teller (unless the teller claims
    it), not a group only suspected of it."""
    if _ACCORDING.search(before) or _HEDGED.search(before):
        return False
    return not _SPEECH.search(after) or claims(after)


def claimed(text: str, matcher: actors.ActorMatcher, clause: Span, same_day: list[Draft], current: Draft) -> None:
    """A sentence that tells only who claimed the events just told ("Al-Shabaab claimed responsibility"):
    the claimant is the doer of the event just told, or of all that day's when it claims them all."""
    for actor in matcher.find(text):
        if cue(text[: actor.start], text[actor.end :]) != "by":
            continue
        # a claim of "the attacks" or "both bombings" is a claim of every event of that day
        several = SEVERAL.search(text) or re.search(r"\bboth\b", text, re.I)
        for draft in same_day if several and current.date_key else [current]:
            if all(a.name != actor.name for a, _ in draft.actors):
                draft.actors.append((actor, "by"))
                draft.supports(clause, "actors")


def cue(before: str, after: str) -> str:
    """What the words around an actor say of its part: "by" the doer (passive voice, a claim or the one
    blamed), "agent" the subject of a violent verb, "object" the one it was done to, "" when the words do
    not say."""
    if _BY.search(before) or _WEAPON_AFTER.match(after) or claims(after):
        return "by"
    blamed = _BLAMED.search(before)
    if blamed and (" on " in blamed.group() or _FOR_IT.match(after)):
        return "by"
    if _DOES_NEXT.match(after):
        return "agent"  # "... were wounded when al-Shabab raided a base": the subject of the next verb
    if _VICTIM_BEFORE.search(before) or _VICTIM_AFTER.search(after):
        return "object"
    if _AGENT_AFTER.search(after):
        return "agent"
    return ""


# One-sided acts whose doer, when the report names none, is coded as an unidentified armed group.
_UNNAMED_DOER = {"remote_explosive_landmine_ied", "suicide_bomb", "grenade", "attack", "abduction_forced_disappearance"}
_GROUPS = ("rebel_group", "political_militia", "identity_militia")
_UNIDENTIFIED = actors.Found("Unidentified armed group", None, "political_militia", 0, 0)
_PROTESTERS = actors.Found("Protesters", None, "protesters", 0, 0)


def assign(draft: Draft) -> None:
    """Battles and agreements (a release or exchange) have two sides: side A the one the words say began it
    ("X attacked", "by X"), else the first named. One-sided acts
    have a perpetrator (the doer the words name: "by X", "X attacked"; else the first actor not done to)
    and targets; an unnamed doer of a bombing or attack is an unidentified armed group. Arrests code the
    arresting force, not the people held (they are counted in `detained`)."""
    two_sided = draft.rule.event_type in ("battles", "protests", "riots") or draft.rule.sub_event_type == "agreement"
    found = draft.actors
    if any(a.actor_type in _GROUPS and a.name != _UNIDENTIFIED.name for a, _ in found):
        # "al-Shabab raided a base ... the militants detonated a car bomb": the militants are that group
        found = [(a, how) for a, how in found if a.name != _UNIDENTIFIED.name]
    if draft.rule.sub_event_type == "arrests":
        found = [(a, how) for a, how in found if a.actor_type != "civilians"]
    assigned: list[tuple[actors.Found, str]] = []
    if draft.rule.event_type == "protests" and not any(a.actor_type == "protesters" for a, _ in found):
        found = [(_PROTESTERS, "agent"), *found]  # "Thousands of Somalis rallied": the protesters are side A
        said = (t for t in draft.triggers if classify.classify(t.text).event_type == "protests")
        draft.supports(next(said, draft.triggers[0]), "actors")
    if two_sided:
        rank = {"by": 0, "agent": 0, "": 1, "object": 2}  # side A: who began it, when the words say
        if draft.rule.event_type in ("battles", "protests"):  # civilians caught in them are no side of them
            found = [(a, how) for a, how in found if a.actor_type != "civilians"]
        ordered = [a for a, how in sorted(found, key=lambda f: rank[f[1]])]
        draft.actors = [(a, ("side_a", "side_b")[i] if i < 2 else "associated") for i, a in enumerate(ordered)]
        return
    doers = [a for a, how in found if how in ("by", "agent") and a.actor_type != "civilians"]
    if not doers:
        doers = [a for a, how in found if how == "" and a.actor_type != "civilians"][:1]
    if not doers and draft.rule.sub_event_type in _UNNAMED_DOER:
        doers = [_UNIDENTIFIED]  # "No group has claimed responsibility": the quote of the act says it
        draft.supports(draft.triggers[0], "actors")
    perpetrator = doers[0] if doers else None
    for actor, _how in found:
        if actor is perpetrator:
            continue
        assigned.append((actor, "target" if len(assigned) < 2 or actor.actor_type == "civilians" else "associated"))
    draft.actors = ([(perpetrator, "perpetrator")] if perpetrator else []) + assigned
