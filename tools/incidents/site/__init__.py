"""The documentation site's generated pages: schemas, codelists and built tables -> Markdown and charts.

Nothing about a field or a code is written here: the codebook (`codebook`) renders `schemas/`, the data
pages (`data_pages`, `incident_pages`) render the built tables, the release pages (`release_pages`) the
manifests, changelog and citation, the CLI reference (`cli_reference`) the command's own help, passed in by
the caller, and the error codes (`error_help`) come from the validator. `generate(inputs)` is pure (same
inputs, same bytes); `read_inputs(root)` (`inputs`) and `build_site(root, ...)` are the I/O edges. The mkdocs
hook (`incidents.cli.mkdocs_hook`, calling `site/hook.py`) adds the pages at build time, so they live only in
the built site and can never be stale in the repository. Table cells are escaped by `markdown`. The explorer
(`explorer`), the map (`maps`) and the charts (`charts`) are drawn in the browser by the site's scripts
(`assets`) from JSON files written here: every incident is viewable in the explorer, however many there are.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from incidents.site.cli_reference import cli_page
from incidents.site.codebook import (
    codebook_index_page,
    codebook_table_page,
    codelists_page,
    event_types_page,
)
from incidents.site.coverage import COVERAGE_MARKER, coverage_text, incident_page_rows
from incidents.site.data_pages import data_index_page, map_page
from incidents.site.downloads import Download, read_downloads
from incidents.site.error_help import validator_page
from incidents.site.explorer import explorer_files, explorer_page
from incidents.site.incident_pages import (
    actors_page,
    incident_list_page,
    incident_page,
    sources_page,
    worked_example_page,
)
from incidents.site.inputs import Inputs, index, read_inputs, read_package
from incidents.site.markdown import web_url
from incidents.site.release_pages import changes_page, downloads_page, repository_links
from incidents.site.schema_org import dataset as dataset_metadata
from incidents.site.schema_org import script as json_ld
from incidents.site.versions import ReleaseStandard, latest_selector, read_release_standards, version_pages
from incidents.standard import PUBLISHED_TABLES

__all__ = [
    "COVERAGE_MARKER",
    "Download",
    "Inputs",
    "Page",
    "ReleaseStandard",
    "build_site",
    "coverage_text",
    "dataset_metadata",
    "generate",
    "json_ld",
    "read_downloads",
    "read_inputs",
    "read_package",
    "read_release_standards",
    "repository_links",
    "web_url",
]

Page = str | bytes


def generate(
    inputs: Inputs,
    has_versioning: bool = False,
    served: Sequence[Download] = (),
    release_standards: Mapping[str, ReleaseStandard] | None = None,
) -> dict[str, Page]:
    """Every generated page and file of the site, by path under docs/: with the files served for download
    (`read_downloads`) and each release's standard (`read_release_standards`), the edges' reads."""
    std = inputs.standard
    standards = dict(release_standards or {})
    pages: dict[str, Page] = {
        "codebook/index.md": codebook_index_page(std),
        "codebook/codelists.md": codelists_page(std),
        "codebook/event-types.md": event_types_page(std),
        "contribute/validator.md": validator_page(),
        "contribute/worked-example.md": worked_example_page(inputs),
        "downloads.md": downloads_page(inputs, served),
        "changes.md": changes_page(inputs, has_versioning),
        "data/incidents/index.md": incident_list_page(inputs),
        "data/explorer.md": explorer_page(inputs),
        "data/actors.md": actors_page(inputs),
        "data/sources.md": sources_page(inputs),
    }
    pages.update(version_pages(inputs.releases, standards, std))
    for name in PUBLISHED_TABLES:
        pages[f"codebook/{name}.md"] = codebook_table_page(std, name, latest_selector(std, standards, name))
    for make in (data_index_page, map_page):
        page, charts = make(inputs)
        pages["data/index.md" if make is data_index_page else "data/map.md"] = page
        pages.update(charts)
    pages.update(explorer_files(inputs))
    idx = index(inputs)
    for row in incident_page_rows(inputs):
        pages[f"data/incidents/{row['incident_id']}.md"] = incident_page(inputs, row, idx)
    for source_id, text in sorted(inputs.source_texts.items()):
        pages[f"data/sources/{source_id}.txt"] = text
    if inputs.cli is not None:
        pages["cli.md"] = cli_page(inputs.cli)
    pages.update({d.path: d.content for d in served})
    return pages


def build_site(root: Path, site_dir: Path | None = None, serve: bool = False) -> int:
    """Run mkdocs on the repository's mkdocs.yml (strict: any warning fails). Returns mkdocs' exit status."""
    config = root / "mkdocs.yml"
    if serve:
        command = [sys.executable, "-m", "mkdocs", "serve", "--strict", "-f", str(config)]
    else:
        command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config)]
        command += ["-d", str((site_dir or root / "site").resolve())]
    # mkdocs-material prints a banner about its successor on every build; it is not a warning about the site.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(command, check=False, env=env).returncode
