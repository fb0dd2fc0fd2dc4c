"""The data the site's interactive charts draw (`data/charts.json`), from the aggregates the data page's
tables show, so a chart and its table never disagree.

The charts are drawn in the browser by Chart.js (vendored under assets/vendor/, no CDN) from this file:
events and fatalities by month, by event type and by actor, each value shown on hover. Chart.js, because it
draws stacked, grouped and horizontal bars with tooltips, resizes to a phone's width and is small and widely
kept; the data page's tables under each chart give every value without JavaScript.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from incidents.standard import Standard

CHARTS_JSON = "data/charts.json"


def chart_data(
    standard: Standard,
    buckets: dict[str, Counter[str]],
    deaths_by_month: dict[str, int],
    deaths_by_type: Counter[str],
    actors: list[dict[str, Any]],
) -> dict[str, Any]:
    """What each chart draws. `buckets` is {month: Counter(event_type)} (data_pages.counts_by_month),
    `deaths_by_month` and `deaths_by_type` the best estimates summed, `actors` the charted actors with their
    incidents and fatalities (data_pages.fatalities_by_actor)."""
    labels = {r["code"]: r["label"] for r in standard.codelists["event_type"].rows}
    types = [c for c in standard.codelists["event_type"].codes if any(b[c] for b in buckets.values())]
    months = list(buckets)
    return {
        "by_month": {
            "labels": months,
            "types": [{"code": c, "label": labels[c], "events": [buckets[m][c] for m in months]} for c in types],
            "fatalities": [deaths_by_month.get(m, 0) for m in months],
        },
        "by_type": {
            "labels": [labels[c] for c in types],
            "codes": types,
            "events": [sum(b[c] for b in buckets.values()) for c in types],
            "fatalities": [deaths_by_type[c] for c in types],
        },
        "by_actor": {
            "labels": [e["name"] for e in actors],
            "ids": [e["actor_id"] for e in actors],
            "events": [e["incidents"] for e in actors],
            "fatalities": [e["best"] for e in actors],
            "low": [e["low"] for e in actors],
            "high": [e["high"] for e in actors],
        },
    }


def chart_html(chart: str, title: str, root: str) -> str:
    """Where charts.js draws one chart: a canvas, and a line that says the value under the pointer (read
    aloud by screen readers, as a canvas is not). `root` leads from the page to the site's root."""
    return (
        f'<figure class="incidents-chart" data-chart="{chart}" data-src="{root}{CHARTS_JSON}">\n'
        f'<canvas role="img" aria-label="{title}"></canvas>\n'
        '<figcaption class="chart-readout" aria-live="polite">Point at a bar to read its values.</figcaption>\n'
        "</figure>\n\n"
    )
