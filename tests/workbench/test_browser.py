"""End to end in headless Chromium: the shelling report coded in the workbench, from pasting the report to a
saved record that `incidents validate` passes, every value's evidence attached by selecting its passage.

Screenshots go to test-output/workbench/, or, with INCIDENTS_SCREENSHOTS=docs, to docs/contribute/images/
(for the contributor guide, docs/contribute/workbench.md: run it so once, by hand, and commit them)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from workbench_report import REPORT

from incidents import records, validate
from incidents.workbench import app

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / (
    "docs/contribute/images" if os.environ.get("INCIDENTS_SCREENSHOTS") == "docs" else "test-output/workbench"
)
QUOTES = [  # each passage, and the fields it supports
    (
        "Shells struck the vegetable market in the Kurdish-run city of Qamishli on Saturday morning, killing at "
        "least three civilians, residents said.",
        ["date_start", "date_end", "date_precision", "location", "event_type", "sub_event_type", "fatalities_low"],
    ),
    (
        "The shells were fired from positions held by the National Defense Forces, a pro-government militia, near "
        "the city's airport, according to the Asayish, the Kurdish internal security forces.",
        ["actors"],
    ),
    (
        "A doctor at the city's national hospital said five people had died and 11 were being treated for wounds.",
        ["fatalities_best", "fatalities_high", "injured"],
    ),
]
VALUES = {
    "date_start": "2024-03-09",
    "date_end": "2024-03-09",
    "country": "SYR",
    "admin1": "Al-Hasakah",
    "location": "Vegetable market, Qamishli",
    "latitude": "37.05215",
    "longitude": "41.23142",
    "fatalities_low": "3",
    "fatalities_best": "5",
    "fatalities_high": "5",
    "injured": "11",
    "summary": "Shells fired from National Defense Forces positions hit the vegetable market in Qamishli.",
    "notes": "Killed: at least three per residents, five per a doctor at the national hospital: coded 3 to 5, best "
    "5 (the hospital's count). That the NDF fired is the Asayish's statement.",
    "tags": "shelling",
}


def _wait(driver: Any, script: str, timeout: float = 15) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(lambda d: d.execute_script(script))


def _shot(driver: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"workbench-{name}.png"))


def _select_passage(driver: Any, passage: str) -> None:
    """Select the passage in the report, as a drag of the mouse would (the browser's own Range)."""
    driver.execute_script(
        """const node = document.getElementById('report').firstChild;
        const at = node.data.indexOf(arguments[0]);
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + arguments[0].length);
        const selection = document.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);""",
        passage,
    )
    _wait(driver, "return !document.getElementById('selection').hidden")


def test_a_newcomer_codes_the_shelling_report_in_the_workbench(browser: Any, seed: Path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    server, address = app.server(seed, "A Newcomer")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        browser.set_window_size(1400, 1000)
        browser.get(address)
        _wait(browser, "return document.body.dataset.ready === 'true'")
        find = browser.find_element

        find(By.CSS_SELECTOR, "#paste summary").click()
        find(By.ID, "paste-text").send_keys(REPORT)
        find(By.ID, "paste-publisher").send_keys("Invented example (no such report was published)")
        find(By.ID, "paste-published").send_keys("2024-03-09")
        find(By.ID, "paste-title").send_keys("Shelling hits Qamishli market, killing at least three")
        find(By.ID, "paste-language").send_keys("en")
        _shot(browser, "1-paste")
        find(By.ID, "paste-submit").click()
        _wait(browser, "return document.getElementById('report').textContent.length > 0")
        assert find(By.ID, "report").get_attribute("textContent") == REPORT

        find(By.ID, "new-record").click()
        _wait(browser, "return !document.getElementById('editor').hidden")
        Select(find(By.ID, "field-event_type")).select_by_value("explosions_remote_violence")
        Select(find(By.ID, "field-sub_event_type")).select_by_value("shelling_artillery_missile_attack")
        Select(find(By.ID, "field-country")).select_by_value(VALUES["country"])
        for name, value in VALUES.items():
            if name != "country":
                find(By.ID, f"field-{name}").send_keys(value)

        find(By.ID, "actor-query").send_keys("National Defense")
        _wait(browser, "return document.querySelectorAll('#actor-results li').length > 0")
        first = find(By.CSS_SELECTOR, "#actor-results li")
        Select(first.find_element(By.TAG_NAME, "select")).select_by_value("perpetrator")
        first.find_element(By.TAG_NAME, "button").click()
        find(By.CSS_SELECTOR, "#actor-new summary").click()
        find(By.ID, "actor-name").send_keys("Civilians (Syria)")
        Select(find(By.ID, "actor-type")).select_by_value("civilians")
        Select(find(By.ID, "actor-country")).select_by_value("SYR")
        Select(find(By.ID, "actor-new-role")).select_by_value("target")
        find(By.ID, "actor-create").click()
        _wait(browser, "return document.querySelectorAll('#actor-list li').length === 2")

        for count, (passage, supports) in enumerate(QUOTES, start=1):
            _select_passage(browser, passage)
            for name in supports:
                find(By.CSS_SELECTOR, f"#selection-fields input[value='{name}']").click()
            if count == 1:
                _shot(browser, "2-select")
            find(By.ID, "attach").click()
            _wait(browser, f"return document.querySelectorAll('#evidence-list li').length === {count}")

        _wait(browser, "return document.getElementById('status').textContent === 'The validator finds no problem.'")
        _shot(browser, "3-valid")
        find(By.ID, "reason").send_keys("Coded from the report, by hand in the workbench.")
        find(By.ID, "save").click()
        _wait(browser, "return document.getElementById('status').textContent.startsWith('Saved')")
        browser.execute_script("window.scrollTo(0, document.body.scrollHeight)")
        _shot(browser, "4-saved")
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
    finally:
        server.shutdown()
        server.server_close()

    saved = [records.read(p, p.name).data for p in (seed / "data" / "records").glob("*.yaml")]
    coded = next(r for r in saved if r.get("location") == VALUES["location"])
    assert (coded["fatalities_low"], coded["fatalities_best"], coded["fatalities_high"], coded["injured"]) == (
        3,
        5,
        5,
        11,
    )
    assert [a["role"] for a in coded["actors"]] == ["perpetrator", "target"]
    assert [e["quote"] for e in coded["evidence"]] == [q for q, _ in QUOTES]
    assert coded["revisions"][0]["changed_by"] == "A Newcomer"
    assert validate.validate(seed) == []
