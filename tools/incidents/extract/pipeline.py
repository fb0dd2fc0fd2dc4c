"""The rule-based extractor: a report's text -> draft incidents, each value tied to the span that says it.

One draft per distinct event (day and place). A clause that names a date opens or joins an event on that
date and place; a clause without a date adds to the event told just before it. Releases and protests
never merge into violence told on the same day: they are events of their own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from incidents.extract import actors, classify, dates, numbers, places, roles
from incidents.extract.drafts import Draft, drop_totals
from incidents.extract.text import Span, clauses, sentences

_UPPER = "A-ZÀ-ÖØ-Þ"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}"
# Where a report (or a paragraph) was filed, at its start: "ASADABAD, Afghanistan (Reuters) -", "BAGHDAD —",
# "Kherson, March 3 (AP) —", "WASHINGTON / PORT-AU-PRINCE -". A town in capitals needs a dash after it; a
# town in any case needs the agency or the day, so a sentence that opens with a place and a comma is not taken
# for a dateline.
_COUNTRY = r"(?:,\s+(?!" + _MONTH + r")([A-Z][\w'’-]*(?:\s[A-Z][\w'’-]*){0,2}))?"
_DATELINE = re.compile(
    rf"^(?:([{_UPPER}][{_UPPER} .'’/-]+?){_COUNTRY}(?:,?\s+{_MONTH})?(?:\s+\([^)]*\))?\s*[–—-]+\s+"
    rf"|([A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+)?){_COUNTRY}"
    rf"(?:,\s+{_MONTH}(?:\s+\([^)]*\))?|\s+\([A-Z][^)]{{0,40}}\))\s*[–—-]*\s*)",
    re.M,
)


def datelines(source: str) -> list[tuple[re.Match[str], str, str | None]]:
    """Each dateline: the match, the town as written and the country it names (or None)."""
    out = []
    for match in _DATELINE.finditer(source):
        town, country = match.group(1) or match.group(3), match.group(2) or match.group(4)
        out.append((match, town.split("/")[-1].strip(), country))  # "WASHINGTON / PORT-AU-PRINCE -": the last
    return out


# A clause that opens with its distance in time from the event before tells another event: "Hours earlier, ...".
_APART = re.compile(r"^(?:hours|minutes|days|shortly|a day|a week) (?:earlier|later)\b", re.I)
_ASIDE = re.compile(r"(?:hours|minutes|days|shortly) (?:before|after)\b", re.I)
# Where the wounded were taken is not where the event was: "flown to a hospital in Bihar's capital, Patna".
_TAKEN_TO = re.compile(
    r"\b(?:flown|taken|rushed|evacuated|airlifted)\s+to\b[^.;]{0,40}$|\bhospitals?\s+in\s+[^.;]{0,25}$", re.I
)
_KIND = re.compile(r"\s+(?:district|area|region)$", re.I)
_RELEASE_OR_PROTEST = {"release": "release", "protest": "protest"}


def _group(rule: classify.Rule) -> str:
    return _RELEASE_OR_PROTEST.get(rule.name, "violence")


def _cue(text: str) -> classify.Rule | None:
    rule = classify.classify(text)
    if rule is classify.FALLBACK:
        return None
    return rule


@dataclass
class _Context:
    date: dates.DateValue = dates.UNKNOWN
    date_key: str = ""
    date_span: Span | None = None
    town: places.Town | None = None
    town_span: Span | None = None
    regions: tuple[str, ...] = ()  # GeoNames codes of the provinces the report names, to tell same-name towns apart
    countries: tuple[str, ...] = ()  # where its towns are looked up: the report's country first, then the others named
    background: int = -1  # the paragraph whose background the clauses are telling, until a date opens an event


def report_country(source: str) -> str | None:
    """The country of the dateline ("GAO, Mali (Agency) –"), else the named country whose places the text
    names most (the dateline's town, provinces and towns of some size; the most named country of those that
    tie): not "Russian" warplanes over Aleppo, nor "U.S. Defense Secretary Lloyd Austin" in a report on
    Kharkiv. Else the one whose big towns it names ("BAGHDAD —": a report need not name its country), else
    the one whose provinces it names ("Bihar"), else the most named."""
    lines = datelines(source)
    for _match, _town, country in lines[:1]:
        named = places.countries_named(country) if country else []
        if named:
            return named[0]
    named = places.countries_named(source)
    filed = lines[0][1].title() if lines else ""
    placed = {
        code: 3 * len(places.towns(filed, [code]))
        + len(places.regions_in(source, code))
        + len({t.geonameid for t in places.towns(source, [code]) if t.population >= places.SIZEABLE})
        for code in named
    }
    if any(placed.values()):
        return max(named, key=lambda code: placed[code])
    found = places.countries_of_towns(source) or places.countries_of_regions(source) or named
    return found[0] if found else None


def _absolute(span: Span, start: int, end: int) -> Span:
    return Span(span.start + start, span.start + end, span.text[start:end], span.paragraph)


def extract(
    source: str, published: dt.date | None, known_actors: list[dict[str, Any]], known_admin1: dict[str, str]
) -> list[Draft]:
    """Draft incidents of one report. `known_admin1` maps gazetteer town names to the admin1 the
    dataset's records give them."""
    country = report_country(source)
    country_name = places.state_name(country) if country else None
    matcher = actors.ActorMatcher(known_actors, country, country_name, places.nationality, source)
    lines = datelines(source)
    all_sentences = sentences(source)
    body = all_sentences[1:] if len(all_sentences) > 1 and all_sentences[1].paragraph > 0 else all_sentences
    regions = places.admin1(source)
    countries = tuple(dict.fromkeys([country, *places.countries_named(source)])) if country else ()
    context = _Context(
        regions=tuple(r.code for c in countries for r in places.regions_in(source, c)), countries=countries
    )
    drafts: list[Draft] = []
    current: Draft | None = None
    named_place = False
    for sentence in body:
        for match, _town, _country in lines:
            if sentence.start <= match.start() < sentence.end:  # the dateline is not the event's place
                sentence = _absolute(sentence, match.end() - sentence.start, len(sentence.text))
        for clause in clauses(source, sentence):
            current = _clause(clause, published, country, matcher, context, drafts, current)
        named_place = named_place or context.town is not None or bool(places.admin1(sentence.text))
    if lines and not named_place:
        _filed_at(drafts, source, lines[0], country)
    for draft in drafts:
        if draft.town is None:
            _region_or_country(draft, lines, all_sentences)
    drop_totals(drafts)
    for draft in drafts:
        _finish(draft, regions, known_admin1, country, countries)
    return drafts


def _region_or_country(draft: Draft, lines: list[tuple[re.Match[str], str, str | None]], report: list[Span]) -> None:
    """A draft placed at no town is placed at its region or country (`location` names it): the quote is its
    first clause that names a region or country, else the dateline that names the country, else the report's
    first sentence that names the draft's country ("Hundreds of monks arrested in Myanmar")."""
    said = next((t for t in draft.triggers if places.admin1(t.text) or places.countries_named(t.text)), None)
    if said is None and lines and lines[0][2]:
        match = lines[0][0]
        said = Span(match.start(), match.start() + len(match.group().rstrip(" –—-")), match.group().rstrip(" –—-"))
    if said is None:
        said = next((s for s in report if draft.country in places.countries_named(s.text)), None)
    if said is not None:
        draft.supports(said, "location", "country", "geo_precision")


def _filed_at(
    drafts: list[Draft], source: str, line: tuple[re.Match[str], str, str | None], country: str | None
) -> None:
    """The town a report was filed from, for drafts of a report whose body names no place (else it is where
    the reporter was, not where the event was: "ASADABAD, Afghanistan" over an air strike in Nuristan)."""
    match, town, _ = line
    found = places.towns(town.title() if town.isupper() else town, [country] if country else [])
    if not found:
        return
    span = Span(match.start(), match.start() + len(town), town)
    for draft in drafts:
        if draft.town is None:
            draft.town = found[0]
            draft.supports(span, "location", "country", "latitude", "longitude", "geo_precision")
            draft.notes.append(f"The body names no place: the place is the dateline's, {town}, where it was filed.")


def _clause(
    clause: Span,
    published: dt.date | None,
    country: str | None,
    matcher: actors.ActorMatcher,
    context: _Context,
    drafts: list[Draft],
    current: Draft | None,
) -> Draft | None:
    text = clause.text
    found_dates = dates.mentions(text)
    told = False
    if not found_dates and not context.date_key:  # no event dated yet: "Officials said Wednesday four were killed"
        found_dates, told = dates.tellings(text)[:1], True
    if _ASIDE.match(text) and not found_dates:
        return current  # "..., hours before a bomb killed two": a glimpse of an event the report tells apart
    # "Since the July 3 move, the toll has topped 1,000. The Brotherhood says many more have died.": what follows
    # background in its paragraph is background too, until a date opens an event
    if classify.background(text):
        context.background = clause.paragraph
    elif found_dates or clause.paragraph != context.background:
        context.background = -1
    background = context.background == clause.paragraph
    rule = _cue(classify.told(text)) if not background else None
    counts = numbers.counts(text) if rule else []
    if not rule and current is not None and not found_dates and not background:
        # "No deaths were reported.", "125 people were being treated at hospitals": a count said without an
        # event's word belongs to the event just told
        counts = numbers.counts(text)
    towns = [  # a village of a country named in passing ("Lime", United States) is no place of the report
        t
        for t in places.towns(text, context.countries, context.regions)
        if (t.country == country or t.population >= places.SIZEABLE) and not _TAKEN_TO.search(text, 0, t.start)
    ]
    details = places.details(text)
    dated = False
    if found_dates and (rule or counts):
        mention = found_dates[0]
        value = dates.resolve(mention, published, context.date)
        key = value.start.isoformat() if value.start else mention.text.lower().split()[-1]
        if mention.kind == "same-day":
            key = context.date_key or key
        if told and value.start:
            value = dataclasses.replace(
                value, note=f"the report dates only its telling, '{mention.text}': the event is dated to that day"
            )
        context.date, context.date_key = value, key
        context.date_span = clause
        dated = True
    if towns:
        context.town, context.town_span = towns[0], clause
    if not rule and not counts:
        if current is not None and roles.CLAIM.search(text):
            roles.claimed(text, matcher, clause, [d for d in drafts if d.date_key == current.date_key], current)
        return current
    rule = rule or classify.FALLBACK
    group = _group(rule)
    town = towns[0] if towns else None
    # A district named after the town is its admin2, not a place within it ("Bannu district").
    where = towns[0] if towns else context.town
    named = {places.fold(where.name)} if where else set()
    detail = next((d[2] for d in details if places.fold(_KIND.sub("", d[2])) not in named), None)
    target = None
    if dated:
        target = next(
            (d for d in drafts if d.date_key == context.date_key and d.group == group and _compatible(d, town, detail)),
            None,
        )
    elif _APART.match(text):
        pass  # "Hours earlier, police near Cairo killed 36 prisoners": another event, told apart from the one before
    elif current is not None and rule.name == "release" and _HELD.search(" ".join(t.text for t in current.triggers)):
        target = current  # "They later released some of those passengers": the release ends the abduction told
    elif (
        current is not None
        and (current.group == group or group == "violence" and not rule.name.startswith("rel"))
        and not (
            rule is not classify.FALLBACK
            and (counts or (town is not None and _placed_there(town, text)))
            and _elsewhere(current, town, context.countries, text)
        )
    ):
        target = current
    elif current is not None and target is None and context.date_key:
        # an event of its own, told without a date, at another place: "In Kharkiv, a Russian attack killed one"
        target = next(
            (
                d
                for d in drafts
                if d.date_key == context.date_key
                and d.group == group
                and _compatible(d, town, detail)
                and not _elsewhere(d, town, context.countries, text)
            ),
            None,
        )
    recent = context.date.start is not None and (published is None or (published - context.date.start).days <= 3)
    # a weekday of a report without a publication date is a day of the news too, only not resolvable
    unresolved = published is None and dated and found_dates[0].kind in _NEWS_DAYS
    if target is None and dated and (context.date.precision == "day" and recent or unresolved) and current is not None:
        # The lead tells the event, the next paragraph its day: "at least 26 died in an airstrike" ... "The
        # airstrike Wednesday hit a hotel". The undated draft just told, of the same kind and place, takes the
        # date, if it is a day of the news (not "Five other people were killed on August 11").
        target = (
            current if not current.date_key and current.group == group and _compatible(current, town, detail) else None
        )
        if target is not None:
            target.date, target.date_key = context.date, context.date_key
            target.notes = [n for n in target.notes if n != _NO_DATE]
            _date_notes(target, context)
    if target is None:
        target = Draft(context.date, context.date_key, group=group, country=country)
        _date_notes(target, context)
        drafts.append(target)
    target.triggers.append(clause)
    if target.town is None and (town or context.town):
        target.town = town or context.town
        span = clause if town else context.town_span
        if span:
            target.supports(span, "location", "country", "latitude", "longitude", "geo_precision")
    if town is None and target.town is None and target.unlisted is None:
        for _start, _end, name in places.unlisted(text):
            if not places.towns(name, context.countries):
                target.unlisted = name
                target.supports(clause, "location")
                target.notes.append(
                    f"{name} is not in the gazetteer: it is kept by name, placed at its province, without "
                    "coordinates. Add them if the place can be found."
                )
                break
    if (
        detail
        and target.detail is None
        and (town is None or target.town is None or town.geonameid == target.town.geonameid)
    ):
        target.detail = detail
        target.supports(clause, "location")
    for count in counts:
        if count.ceiling:  # "nearly 60 people": the dead are below 60, how many is not said
            target.ceilings.setdefault(count.field, count.high)
            target.supports(clause, "fatalities_high" if count.field == "fatalities_best" else count.field)
            continue
        target.counts.setdefault(count.field, []).append(count.value)
        target.told.append((clause, count.field, count.value))
        if count.high > count.value:
            target.ranges.setdefault(count.field, (count.value, count.high))
        target.supports(clause, count.field)
    # A count said without the event's word ("The ministry said it had neutralised two PKK terrorists") adds its
    # figure; who it names is not told as a party to the event.
    for actor in matcher.find(text) if rule is not classify.FALLBACK else []:
        before, after = text[: actor.start], text[actor.end :]
        if not roles.party(before, after):
            continue  # the teller of the event, or a group only suspected of it
        if rule.sub_event_type == "arrests" and _HELPED.search(before):
            continue  # "arrested two men suspected of supplying fuel to JAS fighters": not JAS's own members
        if all(a.name != actor.name for a, _ in target.actors):
            target.actors.append((actor, roles.cue(before, after)))
            target.supports(clause, "actors")
    if rule is not classify.FALLBACK:
        target.supports(clause, "event_type", "sub_event_type")
    return target


_HELPED = re.compile(
    r"\b(?:suppl(?:y|ying|ied|iers?)|contact with|help(?:ing|ed)|aid(?:ing|ed)|financing)\b[^.;]*$", re.I
)
# An abduction or arrest just told: the people released next are its own, counted in its `released`, not an
# agreement of their own (an exchange or a handover to a third party is one).
_HELD = re.compile(r"\b(?:abduct|kidnap|hostage|seized|arrest|detain)", re.I)

_NO_DATE = "The report gives no date for this event; the date is left unknown."
_NEWS_DAYS = ("weekday", "yesterday", "today", "last-night")


def _date_notes(draft: Draft, context: _Context) -> None:
    if context.date_span:
        draft.supports(context.date_span, "date_start", "date_end", "date_precision")
    if context.date.note:
        draft.notes.append(context.date.note[0].upper() + context.date.note[1:] + ".")
    elif not context.date_span:
        draft.notes.append(_NO_DATE)


# A town named as a landmark or a name for another event is not where this clause happens: "35 kilometres
# south-east of Maiduguri", "linked to the Hawija bombing".
_NAMES_AN_EVENT = re.compile(r"^['’]?s?\s+(?:bombing|attack|blast|massacre|shooting|siege|offensive)\b", re.I)


# A name that goes on with another capitalised word is a person's as often as a place's: "Joaquín "El Chapo"
# Guzmán", "Kharkiv Governor Oleh Syniehubov".
_NAME_GOES_ON = re.compile(r"^\s+[\"“'‘]?[A-Z]")


def _placed_there(town: places.Town, text: str) -> bool:
    """Whether a clause says its event happened at the town (not near it, nor as the name of another event)."""
    after = text[town.end :]
    return not town.near and not _NAMES_AN_EVENT.match(after) and not _NAME_GOES_ON.match(after)


def _elsewhere(draft: Draft, town: places.Town | None, countries: tuple[str, ...], text: str) -> bool:
    """Whether a clause tells of another place than the draft's: another town, or another province."""
    if town is not None and draft.town is not None:
        return town.geonameid != draft.town.geonameid
    said = {r.code for c in countries for r in places.regions_in(text, c)}
    if not said:
        return False
    mine = places.region_of(draft.town) if draft.town else None
    told = {r.code for t in draft.triggers for c in countries for r in places.regions_in(t.text, c)}
    return not (said & (told | ({mine.code} if mine else set())))


def _compatible(draft: Draft, town: places.Town | None, detail: str | None) -> bool:
    if town and draft.town and town.geonameid != draft.town.geonameid:
        return False
    return not (detail and draft.detail and detail != draft.detail)


def _admin1(
    town: places.Town | None,
    regions: list[tuple[int, int, str]],
    known_admin1: dict[str, str],
    country: str | None,
    said: str = "",
) -> str | None:
    """The dataset's own coding of the town first, then the gazetteer, then the one region the event's own
    sentences name ("an air strike in Nuristan"), then the one the whole text names with its kind
    ("Nuristan province")."""
    if town:
        region = places.region_of(town)
        found = known_admin1.get(town.gazetteer_name) or (region.name if region else None)
        if found:
            return found
    named = set(places.regions_in(said, country)) if said else set()
    if not named and country:
        named = {hit for r in regions if (hit := places.region_named(r[2], country))}
    return next(iter(named)).name if len(named) == 1 else None


@dataclass(frozen=True)
class Place:
    """Where a short text (a headline) places its event, as the extractor resolves places."""

    country: str | None
    admin1: str | None
    town: places.Town | None


def place(text: str) -> Place:
    """The place a text names, by the rules drafts use: its country, its first town (not a dateline's
    when the body names one) and that town's admin1, else the one region it names."""
    country = report_country(text)
    lines = datelines(text)
    body = text[lines[0][0].end() :] if lines else text
    preferred = [r.code for r in places.regions_in(text, country)]
    found = places.towns(body, [country] if country else [], preferred)
    if not found and lines:
        found = places.towns(lines[0][1].title(), [country] if country else [])
    town = found[0] if found else None
    return Place(town.country if town else country, _admin1(town, places.admin1(body), {}, country, body), town)


def _finish(
    draft: Draft,
    regions: list[tuple[int, int, str]],
    known_admin1: dict[str, str],
    country: str | None,
    countries: tuple[str, ...] = (),
) -> None:
    """Classify, assign roles, settle counts and place details once all clauses are in."""
    draft.rule = classify.classify(" ".join(classify.told(t.text) for t in draft.triggers))
    opening = classify.classify(draft.triggers[0].text) if draft.triggers else draft.rule
    if draft.rule.name == "release" and opening.name in ("arrests", "abduction"):
        draft.rule = opening  # an arrest and the release of some of those held: an arrest
    said = " ".join(t.text for t in draft.triggers)
    if draft.town is not None:
        draft.country = country = draft.town.country  # a report on Kharkiv may tell of Belgorod too
    else:
        told = {  # provinces named with their kind ("the Belgorod region"), not a bare "Washington"
            places.region_country(hit)
            for _start, _end, name in places.admin1(said)
            for c in countries
            if (hit := places.region_named(name, c))
        } - {""}
        if len(told) == 1:
            draft.country = country = told.pop()  # the one country whose province its sentences name
    draft.notes.append(f"Event type by rule '{draft.rule.name}': {draft.rule.why}.")
    draft.admin1 = _admin1(draft.town, regions, known_admin1, country, said)
    for name, values in list(draft.counts.items()):
        spread = draft.ranges.get(name)
        first, highest = values[0], max([*values, spread[1] if spread else 0])
        if name == "fatalities_best":
            if spread:
                draft.notes.append(
                    f"The report gives the dead as a range, {spread[0]}-{spread[1]}: kept as the range "
                    f"{first}-{highest}, its low end as the best estimate."
                )
            elif highest > first:
                draft.notes.append(
                    f"Sources disagree on the dead: {', '.join(map(str, values))}; kept as a range {first}-{highest}."
                )
            draft.counts["fatalities_low"], draft.counts["fatalities_high"] = [first], [highest]
        elif spread:
            draft.notes.append(f"{name} is reported as a range, {spread[0]}-{spread[1]}; the low end is kept.")
        elif len(set(values)) > 1:
            draft.notes.append(
                f"{name} is also reported as {', '.join(map(str, values[1:]))}; the first figure is kept."
            )
    for name, ceiling in draft.ceilings.items():
        if name not in draft.counts:
            draft.notes.append(f"The report gives {name} only as a ceiling, below {ceiling}: no best estimate.")
            if name == "fatalities_best":
                draft.counts["fatalities_high"] = [ceiling]
    checked, why = classify.checked(draft.rule, {k: v[0] for k, v in draft.counts.items()})
    if why:
        draft.rule = checked
        draft.notes.append(why)
    roles.assign(draft)
