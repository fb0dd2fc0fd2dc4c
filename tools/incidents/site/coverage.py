"""What the dataset holds, from the built tables: where its incidents came from (coded by hand, with the
assistant, or imported from another dataset), the coverage paragraph the home and data pages show, and which
incidents get a page of their own."""

from __future__ import annotations

from collections import Counter
from typing import Any

from incidents.site.inputs import Inputs, table_rows
from incidents.site.markdown import cell, thousands

# The site has a static page for this many incidents at most (records coded from reports first, then imported
# ones): beyond that, the site takes longer to build than its pages are worth (mkdocs renders about a hundred
# pages a second, so 100,000 would take a quarter of an hour). Every incident, with or without a page, opens
# in the data explorer (`explorer`), from the data the site ships.
MAX_INCIDENT_PAGES = 1000


# Where a hand-written page shows what the dataset holds (`coverage_text`, filled in by the mkdocs hook).
COVERAGE_MARKER = "<!-- incidents: coverage -->"


def imported_ids(inputs: Inputs) -> set[str]:
    """Incidents whose first revision is an import from another dataset."""
    return {
        r["incident_id"]
        for r in table_rows(inputs.tables, "revisions")
        if r["revision"] == 1 and r["method"] == "imported"
    }


def incident_page_rows(inputs: Inputs) -> list[dict[str, Any]]:
    """The incidents that get a static page, MAX_INCIDENT_PAGES at most: those not imported, then imported
    ones, each in the table's order (by id); returned in the table's order."""
    incidents = table_rows(inputs.tables, "incidents")
    imported = imported_ids(inputs)
    by_hand = [r["incident_id"] for r in incidents if r["incident_id"] not in imported]
    others = [r["incident_id"] for r in incidents if r["incident_id"] in imported]
    chosen = set((by_hand + others)[:MAX_INCIDENT_PAGES])
    return [row for row in incidents if row["incident_id"] in chosen]


# Datasets an import takes records from, by the prefix of their `external_ids`: the name a reader knows, and
# the credit their licence asks for (UCDP GED is CC BY 4.0: cite the dataset and its codebook).
EXTERNAL_DATASETS: dict[str, dict[str, Any]] = {
    "ucdp-ged": {
        "name": "UCDP Georeferenced Event Dataset (GED) version 19.1",
        "short": "UCDP GED 19.1",
        "licence": "CC BY 4.0",
        "credit": [
            'Sundberg, Ralph and Erik Melander (2013), "Introducing the UCDP Georeferenced Event Dataset", '
            "Journal of Peace Research 50(4): 523-532.",
            'Högbladh, Stina (2019), "UCDP GED Codebook version 19.1", Department of Peace and Conflict '
            "Research, Uppsala University.",
        ],
    },
    "acled": {"name": "ACLED (Armed Conflict Location & Event Data)", "short": "ACLED", "credit": []},
}


def _first_methods(inputs: Inputs) -> dict[str, str]:
    return {r["incident_id"]: r["method"] for r in table_rows(inputs.tables, "revisions") if r["revision"] == 1}


def origins(inputs: Inputs) -> dict[str, int]:
    """How many incidents came from where: coded from archived reports ('manual' or 'assisted', the method of
    their first revision), or imported from the dataset their `external_ids` name (`ucdp-ged`, `acled`)."""
    methods = _first_methods(inputs)
    counts: Counter[str] = Counter()
    for row in table_rows(inputs.tables, "incidents"):
        method = methods.get(row["incident_id"], "manual")
        if method != "imported":
            counts[method] += 1
            continue
        prefixes = sorted({x.split(":", 1)[0] for x in row.get("external_ids") or []})
        counts[prefixes[0] if prefixes else "another dataset"] += 1
    first = ("manual", "assisted")
    return {
        k: counts[k] for k in sorted(counts, key=lambda k: (k not in first, first.index(k) if k in first else 0, k))
    }


_CODED = {"manual": "coded by hand", "assisted": "coded with the extraction assistant and checked by hand"}


def coverage_text(inputs: Inputs, prefix: str = "") -> str:
    """What the dataset holds, from the tables: how many incidents, when, where and from which sources.
    `prefix` leads from the page it is on to the site's root (`../` from data/index.md)."""
    incidents = table_rows(inputs.tables, "incidents")
    if not incidents:
        return "No built tables were found: run `incidents build`.\n"
    dated = [r for r in incidents if r["date_start"] is not None]
    countries = Counter(r["country"] for r in incidents)
    names = {r["code"]: r["label"] for r in inputs.standard.codelists["country"].rows}
    where = ", ".join(f"{cell(names.get(c, c))} ({thousands(n)})" for c, n in countries.most_common())
    when = "with no known date"
    if dated:
        first = min(r["date_start"] for r in dated)
        last = max(r["date_end"] or r["date_start"] for r in dated)
        when = f"dated {first.isoformat()} to {last.isoformat()}"
        if len(dated) < len(incidents):
            when += f" ({thousands(len(incidents) - len(dated))} with no known date)"
    out = [f"The dataset holds **{thousands(len(incidents))} incidents** {when}, in {where}:\n\n"]
    methods = _first_methods(inputs)
    sources = {s["source_id"]: s["publisher"] for s in table_rows(inputs.tables, "sources")}
    parts = []
    for origin, n in origins(inputs).items():
        if origin in _CODED:
            publishers = sorted(
                {
                    sources.get(e["source_id"], "")
                    for e in table_rows(inputs.tables, "incident_sources")
                    if methods.get(e["incident_id"], "manual") == origin
                }
                - {""}
            )
            by = f" from reports by {', '.join(cell(p) for p in publishers)}" if publishers else ""
            parts.append(
                f"- {thousands(n)} {_CODED[origin]}{by}, each value backed by a quote of the archived report "
                f"([records as coded]({prefix}contribute/worked-example.md))"
            )
        else:
            known = EXTERNAL_DATASETS.get(origin, {"name": cell(origin), "credit": []})
            credit = f" ([credit]({prefix}downloads.md#credit))" if known["credit"] else ""
            parts.append(
                f"- {thousands(n)} imported from the {known['name']}{credit}, each with its row of the archived "
                "export as evidence and the reports that dataset cites"
            )
    return "".join(out) + ";\n".join(parts) + ".\n"
