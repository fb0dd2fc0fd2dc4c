"""The site as a reader uses it (issue 21), in headless Chromium at desktop width and at 390 px: the home
page, the explorer (filtered to a known incident, opened with its evidence and history), the map (markers and
clusters counted, a cluster split, a popup read), a chart (a bar's values read on hover), an incident page
(a field link followed to its codebook anchor) and the downloads (a file fetched and its sha256 checked
against the page), with nothing loaded from another site and no error in the JavaScript console.

One site, built once for the module from the seed plus twelve factory records in four towns, whose
locations hold markup that must show as text."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from factories import make_dataset, record
from incidents import site as docs
from incidents.build import build
from seed import SEED_RECORDS, copy_seed

TOWNS = [("Aleppo", 36.2021, 37.1343), ("Homs", 34.7308, 36.7094), ("Damascus", 33.5102, 36.2913)]
TOWNS.append(("Raqqa", 35.9528, 39.0079))
TYPES = [("battles", "armed_clash"), ("violence_against_civilians", "attack")]


def _records() -> list[dict[str, Any]]:
    """Twelve incidents, three in each town at places a little apart, on days of three months."""
    out = []
    for n in range(12):
        town, lat, lon = TOWNS[n % 4]
        event_type, sub = TYPES[n % 2]
        day = f"2024-0{1 + n % 3}-1{n % 9}"
        out.append(
            record(
                f"inc_01KAXQ8N5D4C3R6E0J2VWZ{n:04d}",
                date_start=day,
                date_end=day,
                location=f"<b>{n}</b> {town}",
                latitude=lat + n * 0.01,
                longitude=lon,
                admin1=None,
                event_type=event_type,
                sub_event_type=sub,
                fatalities_best=n,
                fatalities_low=n,
                fatalities_high=n + 1,
            )
        )
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_seed(tmp_path_factory.mktemp("reader"))
    make_dataset(root, *_records())
    assert build(root).problems == []
    assert docs.build_site(root, root / "site") == 0, "mkdocs build --strict failed: see the warnings above"
    return root / "site"


@pytest.fixture(scope="module")
def base(built: Path, serve: Callable[[Path], Any]) -> Iterator[str]:
    with serve(built) as url:
        yield url


def _wait(driver: Any, script: str, timeout: float = 15) -> Any:
    """The script's value once it is truthy (the page's data loaded, a view drawn)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {script}")


def _visit(driver: Any, url: str) -> None:
    driver.get_log("browser")  # reading the log empties it: each page is judged on its own errors
    driver.get(url)


def _clean(driver: Any, base: str) -> None:
    """No error in the console, nothing loaded from another site, no sideways scrolling of the page."""
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], driver.current_url
    loaded = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert [u for u in loaded if not u.startswith(base)] == [], driver.current_url
    width = driver.execute_script("return window.innerWidth")
    assert driver.execute_script("return document.scrollingElement.scrollWidth") <= width + 2, driver.current_url


def _explorer(driver: Any, base: str) -> None:
    _visit(driver, f"{base}/data/explorer/")
    _wait(driver, "return document.querySelectorAll('.explorer-table tbody tr').length")
    count = driver.find_element("css selector", ".explorer-count").text
    assert count.startswith("16 of 16 incidents"), count
    form = driver.find_element("css selector", ".explorer-filters")
    form.find_element("name", "place").send_keys("Homs")
    driver.execute_script(
        "const f = arguments[0]; f.elements.from.value = '2024-03-01';"
        "f.elements.type.value = 'violence_against_civilians'; f.dispatchEvent(new Event('input'));",
        form,
    )
    rows = driver.find_elements("css selector", ".explorer-table tbody tr")
    assert [r.get_attribute("data-id") for r in rows] == ["inc_01KAXQ8N5D4C3R6E0J2VWZ0005"]
    assert "<b>5</b> Homs" in rows[0].text  # markup in a value shows as text
    assert driver.find_elements("css selector", ".explorer-table tbody b") == []
    rows[0].find_elements("css selector", "td")[2].click()
    title = _wait(driver, "const h = document.querySelector('.explorer-title'); return h && h.textContent")
    assert title == "Attack, <b>5</b> Homs"
    quotes = [q.text for q in driver.find_elements("css selector", ".explorer-detail blockquote")]
    assert "Police shot back and killed two fighters." in quotes
    assert "First coding." in driver.find_element("css selector", ".explorer-detail").text
    assert driver.execute_script("return location.hash") == "#inc_01KAXQ8N5D4C3R6E0J2VWZ0005"
    _clean(driver, base)


def _map(driver: Any, base: str) -> None:
    _visit(driver, f"{base}/data/map/")
    markers = int(_wait(driver, "return document.getElementById('incidents-map').dataset.markers"))
    assert markers == 16

    def shown() -> tuple[int, int]:
        clusters = driver.execute_script(
            "return [...document.querySelectorAll('.marker-cluster')].map(c => +c.textContent)"
        )
        return sum(clusters), len(driver.find_elements("css selector", ".incident-marker"))

    deadline = time.monotonic() + 10
    while sum(shown()) != markers and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sum(shown()) == markers  # every located incident, in a cluster or on its own
    clusters = driver.find_elements("css selector", ".marker-cluster")
    assert clusters, "sixteen incidents in five towns are clustered at the first zoom"
    homs = next(c for c in clusters if c.text == "3" and c.location["y"] > 0 and c.is_displayed())
    driver.execute_script("arguments[0].click()", homs)  # zooms in: the cluster splits
    _wait(driver, "return document.querySelectorAll('.incident-marker').length")
    driver.execute_script("document.querySelector('.incident-marker').click()")
    popup = _wait(driver, "const p = document.querySelector('.incident-popup'); return p && p.innerText")
    assert re.search(r"<b>\d+</b> \w+", popup) and "Open in the explorer" in popup
    assert driver.find_elements("css selector", ".incident-popup b") == []
    _clean(driver, base)


def _chart(driver: Any, base: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    with urllib.request.urlopen(f"{base}/data/charts.json", timeout=10) as response:  # noqa: S310 - localhost
        data = json.load(response)["by_type"]
    _visit(driver, f"{base}/data/")
    figure = driver.find_element("css selector", '.incidents-chart[data-chart="by_type"]')
    _wait(driver, "return document.querySelector('.incidents-chart[data-chart=\"by_type\"]').dataset.ready")
    canvas = figure.find_element("css selector", "canvas")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    x, y, width, height = driver.execute_script(
        "const c = Chart.getChart(arguments[0]); const bar = c.getDatasetMeta(0).data[1];"
        "return [bar.x, (bar.y + bar.base) / 2, arguments[0].clientWidth, arguments[0].clientHeight]",
        canvas,
    )
    ActionChains(driver).move_to_element_with_offset(canvas, int(x - width / 2), int(y - height / 2)).perform()
    expected = f"{data['labels'][1]}: incidents {data['events'][1]:,}; fatalities {data['fatalities'][1]:,}"
    readout = figure.find_element("css selector", ".chart-readout")
    deadline = time.monotonic() + 5
    while readout.text != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert readout.text == expected
    _clean(driver, base)


def _incident_page(driver: Any, base: str) -> None:
    _visit(driver, f"{base}/data/incidents/{SEED_RECORDS[0]}/")
    driver.find_element("link text", "in the explorer").click()  # every incident's address in the explorer
    title = _wait(driver, "const h = document.querySelector('.explorer-title'); return h && h.textContent")
    assert title.startswith("Arrests, ") and driver.current_url.endswith(f"/data/explorer/#{SEED_RECORDS[0]}")
    driver.back()
    driver.find_element("xpath", "//article//a[code='fatalities_best']").click()
    _wait(driver, "return location.pathname.endsWith('/codebook/incidents/')")
    assert driver.current_url.endswith("/codebook/incidents/#fatalities_best")
    assert driver.execute_script("return document.getElementById('fatalities_best') !== null")
    _clean(driver, base)


def _downloads(driver: Any, base: str) -> None:
    _visit(driver, f"{base}/downloads/")
    link = driver.find_element("css selector", 'a[href$="data/tables/incidents.csv"]')
    row = link.find_element("xpath", "./ancestor::tr")
    (listed,) = re.findall(r"\b[0-9a-f]{64}\b", row.text.replace("\n", ""))
    served = driver.execute_async_script(
        "const done = arguments[1]; fetch(arguments[0]).then(r => r.arrayBuffer())"
        ".then(b => crypto.subtle.digest('SHA-256', b)).then(h => done([...new Uint8Array(h)]"
        ".map(x => x.toString(16).padStart(2, '0')).join('')))",
        link.get_attribute("href"),
    )
    assert served == listed
    _clean(driver, base)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_reader_uses_the_explorer_map_charts_incident_pages_and_downloads(browser, base, width):
    browser.set_window_size(width, 900)
    try:
        _visit(browser, f"{base}/")
        assert browser.find_element("css selector", "article h1").text
        _clean(browser, base)
        _explorer(browser, base)
        _map(browser, base)
        _chart(browser, base)
        _incident_page(browser, base)
        _downloads(browser, base)
    finally:
        browser.set_window_size(1280, 900)


def test_no_page_loads_a_script_a_style_or_data_from_another_site(built):
    """Scripts, styles, images and the data the scripts fetch all come with the site: no CDN."""
    remote = re.compile(r"<(?:script|img|iframe)[^>]*\ssrc=\"(?:https?:)?//|<link[^>]*\shref=\"(?:https?:)?//")
    pages = [p for p in built.rglob("*.html") if remote.search(p.read_text(encoding="utf-8"))]
    assert pages == []
    ours = (built / "assets" / "incidents").glob("*.js")
    assert [p.name for p in ours if re.search(r"https?://", p.read_text(encoding="utf-8"))] == []
