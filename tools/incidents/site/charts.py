"""The site's charts, rendered at build time into PNG files served with the site (no CDN, no script)."""

from __future__ import annotations

import functools
import io
import textwrap
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any, ParamSpec

from incidents.standard import Standard

_P = ParamSpec("_P")


def _text_as_written(draw: Callable[_P, bytes]) -> Callable[_P, bytes]:
    """A chart whose labels (actor names, places: values from the data) are drawn as written: matplotlib
    would read text between two `$` as mathematics, and fail the whole site's build on a malformed one."""

    @functools.wraps(draw)
    def drawn(*args: _P.args, **kwargs: _P.kwargs) -> bytes:
        import matplotlib

        with matplotlib.rc_context({"text.parse_math": False}):
            return draw(*args, **kwargs)

    return drawn


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure  # imported here: only the site build needs matplotlib

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


_PALETTE = ["#3f51b5", "#e65100", "#2e7d32", "#c2185b", "#00838f", "#6d4c41"]


# Above this many bars, each bar is too narrow for its total and its label: the axis names years instead.
MAX_LABELLED_BARS = 16


@_text_as_written
def chart_by_month(standard: Standard, buckets: dict[str, Counter[str]]) -> bytes:
    """Stacked bars per month (and 'spans months', 'date unknown' after them). Over a few months each bar
    carries its total and its month; over years the axis marks each January with its year and the bars
    that are not a month keep their names, set apart by a dashed line."""
    labels = {r["code"]: r["label"] for r in standard.codelists["event_type"].rows}
    types = [c for c in standard.codelists["event_type"].codes if any(b[c] for b in buckets.values())]
    keys = list(buckets) or ["no incidents"]
    many = len(keys) > MAX_LABELLED_BARS
    fig = _figure(10 if many else 8, 4.2 if many else 3.6)
    ax = fig.add_subplot()
    positions = list(range(len(keys)))
    bottom = [0] * len(keys)
    for i, code in enumerate(types):
        heights = [buckets.get(k, Counter())[code] for k in keys]
        ax.bar(
            positions,
            heights,
            bottom=bottom,
            label=labels[code],
            color=_PALETTE[i % len(_PALETTE)],
            width=0.8 if many else 0.6,
        )
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    if many:
        months = [i for i, k in enumerate(keys) if k[:4].isdigit()]
        ticks = [i for i in months if keys[i].endswith("-01") or i == months[0]] + [
            i for i, k in enumerate(keys) if not k[:4].isdigit()
        ]
        ax.set_xticks(ticks, [keys[i][:4] if keys[i][:4].isdigit() else keys[i] for i in ticks], fontsize=9)
        ax.set_xticks(months, minor=True)
        for label in ax.get_xticklabels():
            if not label.get_text()[:4].isdigit():
                label.set_rotation(90)
                label.set_fontsize(8)
        if months and len(months) < len(keys):
            ax.axvline(months[-1] + 0.5, color="#9e9e9e", linestyle="--", linewidth=0.8)
        ax.set_xlabel("month of date_start (ticks at each January)")
    else:
        ax.set_xticks(positions, keys)
        for x, total in enumerate(bottom):
            ax.annotate(str(total), (x, total), ha="center", va="bottom", fontsize=9)
    ax.set_xlim(-0.5 - max(0, 4 - len(keys)) / 2, len(keys) - 0.5 + max(0, 4 - len(keys)) / 2)
    ax.set_ylabel("incidents")
    ax.set_title("Incidents by month and event type")
    ax.set_ylim(0, max(bottom + [1]) * (1.1 if many else 1.2))
    ax.yaxis.get_major_locator().set_params(integer=True)
    if types:
        ax.legend(frameon=False, fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1), title="event type")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


@_text_as_written
def chart_fatalities(entries: list[dict[str, Any]]) -> bytes:
    fig = _figure(8, 0.6 + 0.55 * max(len(entries), 1))
    ax = fig.add_subplot()
    # a long name (a coalition of ten groups) would squeeze the bars: at most two lines, shortened; the table
    # under the chart gives every name in full
    names = [textwrap.fill(textwrap.shorten(e["name"], 70, placeholder=" …"), 36) for e in entries][::-1]
    best = [e["best"] for e in entries][::-1]
    err = [
        [b - e["low"] for b, e in zip(best, entries[::-1], strict=True)],
        [e["high"] - b for b, e in zip(best, entries[::-1], strict=True)],
    ]
    ax.barh(names, best, color=_PALETTE[0], height=0.5, xerr=err if entries else None, capsize=4)
    highs = [e["high"] for e in entries][::-1]
    for y, (value, high) in enumerate(zip(best, highs, strict=True)):  # past the error bar, not over it
        ax.annotate(
            f"{value:,}", (max(value, high), y), xytext=(8, 0), textcoords="offset points", va="center", fontsize=9
        )
    ax.set_xlabel("fatalities (best estimate; bars show low-high)")
    ax.set_title("Fatalities in the incidents each actor took part in")
    ax.set_xlim(0, max(e["high"] for e in entries) * 1.25 + 1 if entries else 1)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def map_points(incidents: list[dict[str, Any]]) -> list[tuple[float, float, int, str]]:
    """(longitude, latitude, number of incidents, place) for each distinct located place."""
    places: dict[tuple[float, float], list[str]] = defaultdict(list)
    for row in incidents:
        if row["status"] == "active" and row["latitude"] is not None and row["longitude"] is not None:
            places[(row["longitude"], row["latitude"])].append(row["location"] or "")
    out = []
    for (lon, lat), names in sorted(places.items()):
        town = Counter(n.split(",")[-1].strip() for n in names).most_common(1)[0][0]
        out.append((lon, lat, len(names), town))
    return out


@_text_as_written
def chart_map(
    standard: Standard,
    points: list[tuple[float, float, int, str]],
    towns: list[tuple[float, float, str, int]],
    countries: set[str],
    labels: int = 20,
) -> bytes:
    """Incident places over GeoNames towns (for orientation) and country bounding boxes, the incidents'
    `countries` shaded; no tiles, no network. `towns` is (longitude, latitude, name, population). The
    `labels` places with the most incidents are named; a dot's area grows with its incidents."""
    from matplotlib.patches import Rectangle
    from matplotlib.patheffects import withStroke

    fig = _figure(8, 6)
    ax = fig.add_subplot()
    if points:
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        pad = max(5.0, (max(lons) - min(lons)) * 0.3, (max(lats) - min(lats)) * 0.3)
        view = (min(lons) - pad, max(lons) + pad, min(lats) - pad * 0.75, max(lats) + pad * 0.75)
    else:
        view = (-180.0, 180.0, -60.0, 80.0)
    labelled: list[tuple[float, float]] = []
    for r in standard.codelists["country"].rows:
        if not r.get("min_lon"):
            continue
        x0, y0, x1, y1 = (float(r[k]) for k in ("min_lon", "min_lat", "max_lon", "max_lat"))
        if x1 < view[0] or x0 > view[1] or y1 < view[2] or y0 > view[3] or x1 - x0 > 60:
            continue
        inside = r["code"] in countries
        ax.add_patch(
            Rectangle(
                (x0, y0),
                x1 - x0,
                y1 - y0,
                fill=inside,
                facecolor="#e8eaf6",
                edgecolor="#9fa8da",
                linewidth=0.8,
                linestyle="-" if inside else "--",
                zorder=1,
            )
        )
        cx = min(max((x0 + x1) / 2, view[0] + 1), view[1] - 1)
        cy = min(max((y0 + y1) / 2, view[2] + 0.5), view[3] - 0.5)
        if any(abs(cx - x) < 2.5 and abs(cy - y) < 0.8 for x, y in labelled):
            continue
        labelled.append((cx, cy))
        ax.text(
            cx,
            cy,
            r["label"].upper(),
            fontsize=9,
            color="#7986cb",
            ha="center",
            va="center",
            zorder=2,
            clip_on=True,
            fontweight="bold",
            alpha=0.9,
        )
    near = [t for t in towns if view[0] <= t[0] <= view[1] and view[2] <= t[1] <= view[3]]
    ax.scatter([t[0] for t in near], [t[1] for t in near], s=4, color="#9e9e9e", zorder=2, linewidths=0)
    busiest = sorted(points, key=lambda p: (-p[2], p[1], p[0]))[:labels]
    shown: list[tuple[float, float]] = [(p[0], p[1]) for p in busiest]
    town_labels = 0
    for lon, lat, name, _ in sorted(near, key=lambda t: -t[3]):
        if town_labels >= 10 or any(abs(lon - x) < 1.2 and abs(lat - y) < 0.6 for x, y in shown):
            continue
        shown.append((lon, lat))
        town_labels += 1
        ax.annotate(name, (lon, lat), xytext=(3, -9), textcoords="offset points", fontsize=8, color="#616161", zorder=2)
    most = max((p[2] for p in points), default=1)
    # a few incidents: area 60 + 40 per incident, as before; thousands: area by square root, capped
    sizes = [60 + 40 * p[2] if most <= 10 else 3 + 250 * (p[2] / most) ** 0.5 for p in points]
    if points:
        ax.scatter(
            [p[0] for p in points],
            [p[1] for p in points],
            s=sizes,
            color="#c62828",
            alpha=0.85 if len(points) <= labels else 0.35,
            zorder=3,
            edgecolors="white",
            linewidths=0.5,
        )
    crowded = len(points) > labels
    placed: list[tuple[float, float]] = []
    for lon, lat, count, place in busiest:
        if crowded and any(abs(lon - x) < 4.0 and abs(lat - y) < 0.45 for x, y in placed):
            continue  # a label over another would hide both; the page's table lists every busy place
        placed.append((lon, lat))
        label = f"{place}: {count} incident{'s' if count != 1 else ''}"
        ax.annotate(
            label,
            (lon, lat),
            xytext=(10, 8) if not crowded else (6, 4),
            textcoords="offset points",
            fontsize=10 if not crowded else 8,
            zorder=4,
            fontweight="bold",
            color="#b71c1c",
            path_effects=[withStroke(linewidth=2.5, foreground="white")] if crowded else None,
        )
    ax.set_xlim(view[0], view[1])
    ax.set_ylim(view[2], view[3])
    ax.set_aspect("equal")
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_title("Incident locations, with towns of 15,000+ people and country bounding boxes")
    return _png(fig)
