"""A URL the data holds is a web address: the site links it, and a reader follows it."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow.compute as pc

from incidents.standard import Standard
from incidents.validate.rules.findings import Finding, Tables, _rows

# An http or https URL with a host and no whitespace: what a URL field holds (the scheme in any case). Both
# Python's `re` and RE2 (pyarrow) read it; the site links a URL only when it matches (site.markdown.web_url).
WEB_URL = r"(?i:https?)://[^\s/?#]+\S*"


def check_urls(standard: Standard, tables: Tables) -> Iterator[Finding]:
    """Every field the Table Schemas give `format: uri` holds an http or https URL, or nothing: a
    `javascript:` or `data:` URL would run or show something else when a reader follows the link."""
    for name, table in tables.items():
        for spec in standard.fields(name):
            if spec.get("format") != "uri" or spec["name"] not in table.column_names:
                continue
            column = table.column(spec["name"])
            for row in _rows(pc.invert(pc.match_substring_regex(column, f"^{WEB_URL}$"))):
                value = str(column[row].as_py())
                shown = value if len(value) <= 80 else value[:80] + "…"
                yield Finding(
                    name, row, spec["name"], f"found {shown!r}", "an http or https URL, or no value", "url-scheme"
                )
