"""Field-level precision and recall of drafts against hand-coded gold incidents (tests/golden/).

Drafts are paired with gold incidents greedily by agreement (date, town, event type); a field is
correct when a paired draft gives the gold value. Precision counts every value a draft gives (unpaired
drafts included), recall every value the gold gives. "Fields right" (`Result.share_right`) is the plain
accuracy a reader asks for: of every gold incident's fields, and every spurious draft's, the share that a
draft gives exactly (an empty field right when the text is silent too)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from incidents.extract.places import country_name, fold, region_named

COUNTS = ("fatalities_best", "fatalities_low", "fatalities_high", "injured", "detained", "released")
FIELDS = (
    "incident",
    "date",
    "country",
    "admin1",
    "location",
    "street",
    "actors",
    "roles",
    *COUNTS,
    "event_type",
    "sub_event_type",
)
_STREET_WORDS = re.compile(
    r"\s+(?:neighbourhood|neighborhood|district|area|camp|displacement camp|market|quarter)$", re.I
)


@dataclass
class Score:
    predicted: int = 0
    gold: int = 0
    correct: int = 0

    def add(self, other: Score) -> None:
        self.predicted += other.predicted
        self.gold += other.gold
        self.correct += other.correct

    @property
    def precision(self) -> float | None:
        return self.correct / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.gold if self.gold else None


# The fields of "how many fields are right": an incident's cell is right when the draft paired with it gives
# the gold value, an empty one included (the text is silent and the draft says nothing).
RIGHT_FIELDS = (
    "date",
    "event_type",
    "sub_event_type",
    "country",
    "admin1",
    "location",
    "first_side",
    "fatalities_best",
    "injured",
    "detained",
    "released",
)
_FIRST_ROLES = ("side_a", "perpetrator")


@dataclass
class Result:
    scores: dict[str, Score] = field(default_factory=lambda: {f: Score() for f in FIELDS})
    right: dict[str, Score] = field(default_factory=lambda: {f: Score() for f in RIGHT_FIELDS})
    gold_incidents: int = 0
    count_match: bool = False

    def add(self, other: Result) -> None:
        for name, score in other.scores.items():
            self.scores[name].add(score)
        for name, score in other.right.items():
            self.right[name].add(score)
        self.gold_incidents += other.gold_incidents

    def share_right(self, names: Iterable[str] = RIGHT_FIELDS) -> float | None:
        """Right cells over all cells: each gold incident and each unpaired draft has one cell per field."""
        right, cells = sum(self.right[n].correct for n in names), sum(self.right[n].gold for n in names)
        return right / cells if cells else None

    def share_of_gold(self, names: Iterable[str] = RIGHT_FIELDS) -> float | None:
        """Right cells over the gold incidents' cells only: spurious drafts cost nothing (a reviewer deletes
        them), missed incidents count as wrong. The kinder figure; `share_right` is the one to quote."""
        names = list(names)
        cells = self.gold_incidents * len(names)
        return sum(self.right[n].correct for n in names) / cells if cells else None


def flatten(record: dict[str, Any], actor_names: dict[str, str]) -> dict[str, Any]:
    """A draft record in the gold's shape: town and street apart, actors by name."""
    parts = str(record["location"]).split(", ")
    return {
        "date": (record["date_start"], record["date_end"], record["date_precision"]),
        "country": record["country"],
        "admin1": record["admin1"],
        # a place named without coordinates (a village the gazetteer lacks) is still the place named
        "location": parts[-1] if record["geo_precision"] != "country" or len(parts) > 1 or _named(record) else None,
        "street": parts[0] if len(parts) > 1 else None,
        "actors": [
            {"name": actor_names.get(a["actor_id"], a["actor_id"]), "role": a["role"]} for a in record["actors"]
        ],
        **{k: record[k] for k in COUNTS},
        "event_type": record["event_type"],
        "sub_event_type": record["sub_event_type"],
    }


def _named(record: dict[str, Any]) -> bool:
    """Whether a record's location names a place rather than its country ("Wad al-Noura", not "Sudan")."""
    return bool(record["country"]) and fold(str(record["location"])) != fold(country_name(record["country"]))


def _gold(incident: dict[str, Any]) -> dict[str, Any]:
    return {**incident, "date": (incident["date_start"], incident["date_end"], incident["date_precision"])}


def _same(name: str, a: Any, b: Any, country: str | None = None) -> bool:
    if a is None or b is None:
        return False
    if name == "location":
        return fold(str(a)) == fold(str(b))
    if name == "admin1":  # the same division, whichever of its GeoNames names or aliases each one uses
        ra, rb = region_named(str(a), country), region_named(str(b), country)
        return fold(str(a)) == fold(str(b)) or (ra is not None and ra == rb)
    if name == "street":
        return fold(_STREET_WORDS.sub("", str(a))) == fold(_STREET_WORDS.sub("", str(b)))
    return bool(a == b)


def _affinity(pred: dict[str, Any], gold: dict[str, Any]) -> int:
    return sum(
        weight
        for name, weight in (("date", 3), ("location", 3), ("sub_event_type", 2), ("event_type", 1), ("street", 1))
        if _same(name, pred[name], gold[name])
    )


def _first_side(incident: dict[str, Any]) -> str | None:
    """The side that acted: side A of a two-sided event, the perpetrator of a one-sided one."""
    return next((fold(a["name"]) for a in incident["actors"] if a["role"] in _FIRST_ROLES), None)


def _right(name: str, pred: dict[str, Any], gold: dict[str, Any]) -> bool:
    if name == "first_side":
        return _first_side(pred) == _first_side(gold)
    if pred[name] is None and gold[name] is None:
        return True
    return _same(name, pred[name], gold[name], gold["country"])


def _names(actors: Iterable[dict[str, Any]]) -> set[str]:
    return {fold(a["name"]) for a in actors}


def score(predicted: list[dict[str, Any]], gold_incidents: list[dict[str, Any]]) -> Result:
    """Scores of one report's drafts (flattened) against its gold incidents."""
    gold = [_gold(g) for g in gold_incidents]
    result = Result(count_match=len(predicted) == len(gold))
    pairs = sorted(
        ((_affinity(p, g), i, j) for i, p in enumerate(predicted) for j, g in enumerate(gold)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    paired: dict[int, int] = {}
    used: set[int] = set()
    for affinity, i, j in pairs:
        if affinity >= 3 and i not in paired and j not in used:
            paired[i] = j
            used.add(j)
    s = result.scores
    s["incident"] = Score(len(predicted), len(gold), len(paired))
    for name in FIELDS[2:]:
        if name in ("actors", "roles"):
            continue
        s[name].predicted = sum(1 for p in predicted if p[name] is not None)
        s[name].gold = sum(1 for g in gold if g[name] is not None)
        s[name].correct = sum(
            1 for i, j in paired.items() if _same(name, predicted[i][name], gold[j][name], gold[j]["country"])
        )
    s["date"].predicted, s["date"].gold = len(predicted), len(gold)
    s["date"].correct = sum(1 for i, j in paired.items() if predicted[i]["date"] == gold[j]["date"])
    for p in predicted:
        s["actors"].predicted += len(_names(p["actors"]))
        s["roles"].predicted += len(p["actors"])
    for g in gold:
        s["actors"].gold += len(_names(g["actors"]))
        s["roles"].gold += len(g["actors"])
    cells = len(gold) + len(predicted) - len(paired)
    result.gold_incidents = len(gold)
    for name in RIGHT_FIELDS:
        result.right[name] = Score(
            len(predicted), cells, sum(_right(name, predicted[i], gold[j]) for i, j in paired.items())
        )
    for i, j in paired.items():
        s["actors"].correct += len(_names(predicted[i]["actors"]) & _names(gold[j]["actors"]))
        roles = {(fold(a["name"]), a["role"]) for a in predicted[i]["actors"]}
        s["roles"].correct += len(roles & {(fold(a["name"]), a["role"]) for a in gold[j]["actors"]})
    return result
