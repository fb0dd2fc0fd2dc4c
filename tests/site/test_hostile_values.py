"""Values contributed in records, actors and sources reach the site as text, never as Markdown or HTML: a
record quoting `<script>` shows the quote, and no link on the site leads anywhere but the web (issue 19).

The fast tests render each way a value reaches a page with Python-Markdown and the site's own extensions
(read from mkdocs.yml); the browser test builds the site from the seed plus a hostile record, actor and
source, and reads the pages in headless Chromium."""

from __future__ import annotations

import html
import html.parser
import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import markdown
import pyarrow as pa
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from factories import ACTOR_A, INCIDENT, SOURCE, actor, make_dataset, record, rewrite_table, source_meta, write_yaml
from incidents import site as docs
from incidents import standard
from incidents.build import build
from incidents.site import charts
from incidents.site.markdown import Link, cell, code, front_matter, image, raw_table, table, web_link, web_url
from seed import REPO, copy_seed

SUMMARY = "<script>alert(1)</script> [x](javascript:alert(3))"
LOCATION = "Q </title><script>alert(6)</script>"
NOTES = "**b**{: onclick=alert(8)} <javascript:alert(9)> ![i](x){: onerror=alert(10)} `<b>c</b>` &lt;i&gt;"
ACTOR_NAME = "<img src=x onerror=alert(5)> [a](javascript:alert(2))"
ALIAS = '!!! danger "<iframe src=javascript:alert(13)>"'
DESCRIPTION = "# Heading <svg onload=alert(14)> [c]: javascript:alert(15) [c]"
CITATION_TITLE = "<img src=x onerror=alert(7)>"
CITATION_URL = "javascript:alert(4)"
SOURCE_TITLE = "</title><script>alert(11)</script>"
SOURCE_URL = "javascript:alert(12)"


# --- each way a value reaches a page, rendered as mkdocs renders it ------------------------------------------


def _site_markdown() -> markdown.Markdown:
    """Python-Markdown with the extensions and settings mkdocs.yml gives the site."""
    names, configs = [], {}
    for entry in yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["markdown_extensions"]:
        name, config = next(iter(entry.items())) if isinstance(entry, dict) else (entry, {})
        names.append(name)
        configs[name] = config
    return markdown.Markdown(extensions=names, extension_configs=configs)


MD = _site_markdown()


class _Reading(html.parser.HTMLParser):
    """The elements, attributes and text (character references resolved) a browser would read from HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _read(markdown_text: str) -> _Reading:
    MD.reset()
    reading = _Reading()
    reading.feed(MD.convert(markdown_text))
    reading.close()
    return reading


def _words(text: str) -> str:
    return " ".join(text.split())


# Where a value goes on a page: the Markdown around it, the elements that Markdown alone makes, and the text
# it shows besides the value's.
TABLE = {"table", "thead", "tbody", "tr", "th", "td"}
CONTEXTS: dict[str, tuple[Callable[[str], str], set[str], Callable[[str], str]]] = {
    "paragraph": (lambda v: f"{cell(v)}\n", {"p"}, lambda v: v),
    "heading": (lambda v: f"## {cell(v)}\n", {"h2", "a"}, lambda v: f"{_words(v)}¶"),
    "quote": (lambda v: f"> {cell(v)}\n", {"blockquote", "p"}, lambda v: v),
    "table cell": (lambda v: table(["h"], [[v]]), TABLE, lambda v: f"h {v}"),
    "link text": (lambda v: f"{Link(v, 'page.md')}\n", {"p", "a"}, lambda v: v),
    "admonition title": (lambda v: f'!!! note "{cell(v)}"\n    body\n', {"div", "p"}, lambda v: f"{v} body"),
    "admonition body": (lambda v: f'!!! note "t"\n    {cell(v)}\n', {"div", "p"}, lambda v: f"t {v}"),
    "code": (lambda v: f"{code(v)}\n", {"p", "code"}, lambda v: v),
    "code in a table cell": (lambda v: raw_table(["h"], [[code(v)]]), TABLE | {"code"}, lambda v: f"h {v}"),
    "between words": (lambda v: f"a {cell(v)} b\n", {"p"}, lambda v: f"a {v} b"),
}

# Text a record can hold: anything but control characters and lone surrogates, which validation refuses
# (`encoding`) and which no page can show.
VALUES = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1).filter(lambda v: v.strip())
MARKUP = st.lists(
    st.sampled_from(
        [
            "<",
            ">",
            "&",
            "&lt;",
            "&#60;",
            "[",
            "]",
            "(",
            ")",
            "!",
            "*",
            "_",
            "`",
            "{",
            "}",
            "{: ",
            "#",
            "|",
            "\\",
            "-",
            "+",
            "1.",
            "=",
            "~",
            "?",
            ":",
            '"',
            "'",
            "    ",
            "\n",
            "<script>",
            "</title>",
            "javascript:",
            "<b>",
            "!!! note",
            "??? x",
            "=== ",
            "~~~",
            "---",
            "[x]: y",
            "<http://a>",
            "x",
            " ",
        ]  # fmt: skip
    ),
    min_size=1,
).map("".join)


@pytest.mark.parametrize("context", list(CONTEXTS))
@settings(max_examples=150, deadline=None)
@given(value=st.one_of(VALUES, MARKUP).filter(lambda v: v.strip()))
def test_a_value_shows_as_its_text_and_makes_no_element_in_any_context(context, value):
    render, elements, shown = CONTEXTS[context]
    reading = _read(render(value))
    assert {tag for tag, _ in reading.tags} <= elements
    hrefs = [str(attrs["href"]) for _, attrs in reading.tags if "href" in attrs]
    assert all(href == "page.md" or href.startswith("#") for href in hrefs)  # the link made, or a permalink
    assert _words("".join(reading.text)) == _words(shown(value))


@pytest.mark.parametrize("payload", [SUMMARY, LOCATION, NOTES, ACTOR_NAME, ALIAS, DESCRIPTION, CITATION_TITLE])
def test_each_reported_payload_is_text_in_every_context(payload):
    for context, (render, elements, shown) in CONTEXTS.items():
        reading = _read(render(payload))
        assert {tag for tag, _ in reading.tags} <= elements, context
        assert _words("".join(reading.text)) == _words(shown(payload)), context


@settings(max_examples=150, deadline=None)
@given(value=st.one_of(VALUES, MARKUP).filter(lambda v: v.strip()))
def test_an_images_alt_text_is_the_value_as_written(value):
    reading = _read(image(f"Chart of {value}", "chart.png", "caption"))
    assert [tag for tag, _ in reading.tags] == ["p", "img", "p", "em"]
    assert reading.tags[1][1] == {"alt": _words(f"Chart of {value}"), "src": "chart.png"}


@settings(max_examples=150, deadline=None)
@given(value=st.one_of(VALUES, MARKUP).filter(lambda v: v.strip()))
def test_a_page_title_from_the_data_is_quoted_for_yaml_and_escaped_for_html(value):
    matter = front_matter(value)
    assert matter.startswith("---\n") and matter.endswith("\n---\n\n")
    title = yaml.safe_load(matter[4:-5])["title"]
    assert "<" not in title and html.unescape(title) == _words(value)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(4)",
        "JavaScript:alert(4)",
        " javascript:alert(4)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        "www.example.org",
        "../../etc/passwd",
        "https://",
        "https://exa mple.org",
        "",
        None,
    ],
)
def test_only_http_and_https_urls_become_links(url):
    assert web_url(url) is None
    reading = _read(f"{web_link(url)}\n")
    assert all(tag != "a" for tag, _ in reading.tags)
    assert _words("".join(reading.text)) == _words(url or "")


@settings(max_examples=150, deadline=None)
@given(tail=st.one_of(VALUES, MARKUP))
def test_a_web_url_is_one_link_to_where_it_says_whatever_it_holds(tail):
    url = "https://example.org/" + tail
    links = [attrs for tag, attrs in _read(f"{web_link(url)}\n").tags if tag == "a"]
    if re.search(r"\s", url):
        assert links == []  # not a URL, so not a link
    else:
        assert len(links) == 1 and str(links[0]["href"]).startswith("https://example.org/")


def test_a_chart_carries_a_name_as_written_in_its_data_never_in_its_markup():
    """The charts are drawn in the browser from charts.json: a name is data there, never HTML or mathematics."""
    name = r"<b>Brigade</b> $\frac{$ 1"
    entries = [{"actor_id": ACTOR_A, "name": name, "incidents": 1, "best": 2, "low": 1, "high": 3}]
    data = charts.chart_data(standard.load(standard.SCHEMAS_DIR), {}, {}, Counter(), entries)
    assert data["by_actor"]["labels"] == [name]
    assert name not in charts.chart_html("by_actor", "Incidents per actor", "../")


# --- the site built from a hostile dataset, in a browser -----------------------------------------------------


def _with_url(url: str) -> Callable[[pa.Table], pa.Table]:
    """A table whose non-empty `url` values are `url`: what validation refuses, as a hand edit of the built
    tables would leave it, for the site must show it as text all the same."""

    def change(table: pa.Table) -> pa.Table:
        at = table.schema.get_field_index("url")
        urls = [url if value else value for value in table.column("url").to_pylist()]
        return table.set_column(at, table.schema.field(at), pa.array(urls, pa.string()))

    return change


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed with a record, an actor and a source holding the reported payloads, built, and its site."""
    root = copy_seed(tmp_path_factory.mktemp("hostile"))
    package = (root / "data" / "package.yaml").read_bytes()
    citation = {"publisher": "SOHR", "published_at": None, "title": CITATION_TITLE, "url": "https://example.org/c"}
    layout = make_dataset(root, record(summary=SUMMARY, location=LOCATION, notes=NOTES, citations=[citation]))
    (root / "data" / "package.yaml").write_bytes(package)
    write_yaml(layout.actors / f"{ACTOR_A}.yaml", actor(ACTOR_A, ACTOR_NAME, aliases=[ALIAS], description=DESCRIPTION))
    write_yaml(layout.source_meta(SOURCE), {**source_meta(), "title": SOURCE_TITLE})
    assert build(root).problems == []
    rewrite_table(layout, "incident_citations", _with_url(CITATION_URL))
    rewrite_table(layout, "sources", _with_url(SOURCE_URL))
    assert docs.build_site(root, root / "site") == 0, "mkdocs build --strict failed: see the warnings above"
    return root / "site"


# Replaces alert() before any script of the page runs, so a payload that runs is recorded, not missed.
ALERT_HOOK = "window.__alerts = []; window.alert = (m) => window.__alerts.push(String(m));"

# What a page holds that a payload could have made: calls to alert, javascript: links, elements that run
# script, and the text the reader sees.
INSPECT = """
const runs = [...document.querySelectorAll('*')].filter(e =>
    [...e.attributes].some(a => a.name.startsWith('on')) || e.matches('iframe, svg[onload], img[src="x"]')
    || (e.tagName === 'SCRIPT' && e.textContent.includes('alert(')));
return {
    alerts: window.__alerts,
    javascript: [...document.querySelectorAll('a[href]')].filter(a => a.protocol === 'javascript:').map(a => a.href),
    elements: runs.map(e => e.outerHTML.slice(0, 80)),
    title: document.title,
    text: document.body.innerText,
};
"""

PAGES = {
    f"data/incidents/{INCIDENT}/": [SUMMARY, LOCATION, NOTES, ACTOR_NAME, CITATION_TITLE, CITATION_URL, SOURCE_TITLE],
    "data/incidents/": [SUMMARY, LOCATION],
    "data/actors/": [ACTOR_NAME, ALIAS, DESCRIPTION],
    "data/sources/": [SOURCE_TITLE, SOURCE_URL],
    "data/": [ACTOR_NAME],
    "contribute/worked-example/": [SUMMARY, LOCATION, NOTES],
    "data/map/": [],
}


@pytest.mark.parametrize("path", list(PAGES))
def test_no_payload_runs_in_a_browser_and_each_shows_as_text(browser, serve, hostile_site, path):
    from selenium.common.exceptions import NoAlertPresentException

    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": ALERT_HOOK})
    with serve(hostile_site) as base:
        browser.get_log("browser")  # reading the log empties it
        browser.get(f"{base}/{path}")
        found: dict[str, Any] = browser.execute_script(INSPECT)
        errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert  # noqa: B018 - reading it raises when no dialog is open
    assert (found["alerts"], found["javascript"], found["elements"], errors) == ([], [], [], [])
    text = _words(found["text"])
    assert [payload for payload in PAGES[path] if _words(payload) not in text] == []
    if path.startswith("data/incidents/inc_"):
        assert found["title"].startswith(f"Armed clash, {LOCATION} - ")


def test_the_search_index_holds_the_payloads_as_escaped_text_only(hostile_site):
    """The theme's search shows titles and text of the index as HTML: no payload is markup there either."""
    docs_ = json.loads((hostile_site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    for entry in docs_:
        for value in (entry["title"], entry["text"]):
            assert re.search(r"<(script|img|iframe|svg)\b|\bon\w+=\"|href=\"javascript:", value) is None, entry
    assert any(html.escape(LOCATION, quote=False) in entry["title"] for entry in docs_)
