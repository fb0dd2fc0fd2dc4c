"""Who did what to whom in a draft: the part each actor plays (side A or B, perpetrator, target), read from the
words around it ("by X", "X attacked", "struck X", "Russian missile attacks") and from the kind of event."""

from __future__ import annotations

import re

from incidents.extract import actors, classify
from incidents.extract.drafts import Draft

_BY = re.compile(r"\bby\s+(?:(?:a|an|the)\s+)?(?:[a-z-]+\s+){0,2}$")
_VICTIM_AFTER = re.compile(
    r"^\W*(?:\w+\s+){0,3}?(?:(?:was|were|had been|have been)\s+)(?:killed|wounded|injured|hit|targeted|attacked)\b"
    r"|^\W*(?:patrols?|convoy|vehicles?|positions?|posts?|checkpoints?|base)\b"
)
_VICTIM_BEFORE = re.compile(
    r"\b(?:struck|hit|targeted|targeting|attacked|attacking|ambushed|killed|killing|wounded|wounding|shot at"
    r"|shooting at|fired at|fired on|bombed|shelled|including|among them|near|outside|at|into|against|on"
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


def cue(before: str, after: str) -> str:
    """What the words around an actor say of its part: "by" the doer (passive voice), "agent" the subject
    of a violent verb, "object" the one it was done to, "" when the words do not say."""
    if _BY.search(before) or _WEAPON_AFTER.match(after):
        return "by"
    if _DOES_NEXT.match(after):
        return "agent"  # "... were wounded when al-Shabab raided a base": the subject of the next verb
    if _VICTIM_BEFORE.search(before) or _VICTIM_AFTER.search(after):
        return "object"
    if _AGENT_AFTER.search(after):
        return "agent"
    return ""


# One-sided acts whose doer, when the report names none, is coded as an unidentified armed group.
_UNNAMED_DOER = {"remote_explosive_landmine_ied", "grenade", "attack", "abduction_forced_disappearance"}
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
