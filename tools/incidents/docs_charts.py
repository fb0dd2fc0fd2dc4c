"""The site's charts, rendered at build time into PNG files served with the site (no CDN, no script)."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from typing import Any

from .standard import Standard


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure  # imported here: only the site build needs matplotlib

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


_PALETTE = ["#3f51b5", "#e65100", "#2e7d32", "#c2185b", "#00838f", "#6d4c41"]


def chart_by_month(standard: Standard, buckets: dict[str, Counter[str]]) -> bytes:
    labels = {r["code"]: r["label"] for r in standard.codelists["event_type"].rows}
    types = [c for c in standard.codelists["event_type"].codes if any(b[c] for b in buckets.values())]
    fig = _figure(8, 3.6)
    ax = fig.add_subplot()
    keys = list(buckets) or ["no incidents"]
    bottom = [0] * len(keys)
    for i, code in enumerate(types):
        heights = [buckets.get(k, Counter())[code] for k in keys]
        ax.bar(keys, heights, bottom=bottom, label=labels[code], color=_PALETTE[i % len(_PALETTE)], width=0.6)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    for x, total in enumerate(bottom):
        ax.annotate(str(total), (x, total), ha="center", va="bottom", fontsize=9)
    ax.set_xlim(-0.5 - max(0, 4 - len(keys)) / 2, len(keys) - 0.5 + max(0, 4 - len(keys)) / 2)
    ax.set_ylabel("incidents")
    ax.set_title("Incidents by month and event type")
    ax.set_ylim(0, max(bottom + [1]) * 1.2)
    ax.yaxis.get_major_locator().set_params(integer=True)
    if types:
        ax.legend(frameon=False, fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1), title="event type")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def chart_fatalities(entries: list[dict[str, Any]]) -> bytes:
    fig = _figure(8, 0.6 + 0.55 * max(len(entries), 1))
    ax = fig.add_subplot()
    names = [e["name"] for e in entries][::-1]
    best = [e["best"] for e in entries][::-1]
    err = [
        [b - e["low"] for b, e in zip(best, entries[::-1], strict=True)],
        [e["high"] - b for b, e in zip(best, entries[::-1], strict=True)],
    ]
    ax.barh(names, best, color=_PALETTE[0], height=0.5, xerr=err if entries else None, capsize=4)
    for y, value in enumerate(best):
        ax.annotate(str(value), (value, y), xytext=(8, 0), textcoords="offset points", va="center", fontsize=9)
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


def chart_map(
    standard: Standard,
    points: list[tuple[float, float, int, str]],
    towns: list[tuple[float, float, str, int]],
    countries: set[str],
) -> bytes:
    """Incident places over GeoNames towns (for orientation) and country bounding boxes, the incidents'
    `countries` shaded; no tiles, no network. `towns` is (longitude, latitude, name, population)."""
    from matplotlib.patches import Rectangle

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
    shown: list[tuple[float, float]] = [(p[0], p[1]) for p in points]
    for lon, lat, name, _ in sorted(near, key=lambda t: -t[3]):
        if len(shown) >= 10 + len(points) or any(abs(lon - x) < 1.2 and abs(lat - y) < 0.6 for x, y in shown):
            continue
        shown.append((lon, lat))
        ax.annotate(name, (lon, lat), xytext=(3, -9), textcoords="offset points", fontsize=8, color="#616161", zorder=2)
    for lon, lat, count, place in points:
        ax.scatter([lon], [lat], s=60 + 40 * count, color="#c62828", alpha=0.85, zorder=3, edgecolors="white")
        label = f"{place}: {count} incident{'s' if count != 1 else ''}"
        ax.annotate(
            label,
            (lon, lat),
            xytext=(10, 8),
            textcoords="offset points",
            fontsize=10,
            zorder=4,
            fontweight="bold",
            color="#b71c1c",
        )
    ax.set_xlim(view[0], view[1])
    ax.set_ylim(view[2], view[3])
    ax.set_aspect("equal")
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_title("Incident locations, with towns of 15,000+ people and country bounding boxes")
    return _png(fig)
