"""The mkdocs events that add the generated pages (`incidents.site`) to the site at build time.

They exist only in the built site, never in docs/, so they cannot be committed stale. mkdocs.yml names the
hook `tools/incidents/cli/mkdocs_hook.py` (mkdocs loads it by path), which calls these with the `incidents`
command for the CLI reference page: the site never imports the CLI.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
from mkdocs.structure.files import File, Files

from incidents import site as docs
from incidents.site.assets import asset_files

# The inputs read in on_files, by repository root, for the hand-written pages that show what the dataset
# holds: such a page puts `docs.COVERAGE_MARKER` where it goes (the home page does), so no count on it is
# ever written by hand.
_inputs: dict[Path, docs.Inputs] = {}
# The files served for download, read in on_files, for the home page's schema.org metadata.
_served: dict[Path, list[docs.Download]] = {}


def _root(config: Any) -> Path:
    return Path(config.config_file_path).resolve().parent


def site_url(homepage: object) -> str | None:
    """Where the site is published, from the package's homepage (data/package.yaml, the one source): a GitHub
    repository's project site (`https://owner.github.io/name/`), else the homepage itself."""
    url = docs.web_url(homepage)
    if url is None:
        return None
    github = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+?)/?", url)
    return f"https://{github[1].lower()}.github.io/{github[2]}/" if github else url.rstrip("/") + "/"


def on_config(config: Any) -> Any:
    """`site_url` (so the sitemap lists the pages) from the package's homepage, unless mkdocs.yml sets it;
    pages that other work may add (docs/versioning.md) join the nav only when they exist."""
    if not config.site_url:
        config.site_url = site_url(docs.read_package(_root(config)).get("homepage"))
    if (Path(config.docs_dir) / "versioning.md").exists():
        for item in config.nav or []:
            if isinstance(item, dict) and "Changes" in item and isinstance(item["Changes"], list):
                item["Changes"].append({"Versioning policy": "versioning.md"})
    return config


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """A hand-written page's coverage marker becomes what the dataset holds; its links to repository files
    outside docs/ (`../CHANGELOG.md`), which would break, lead to the site's page or the repository."""
    if page.file.generated_by:
        return markdown
    src = page.file.src_uri
    if docs.COVERAGE_MARKER in markdown:
        root = _root(config)
        inputs = _inputs.get(root) or docs.read_inputs(root)
        markdown = markdown.replace(docs.COVERAGE_MARKER, docs.coverage_text(inputs, "../" * src.count("/")))
    homepage = docs.read_package(_root(config)).get("homepage")
    if page.is_homepage:
        root = _root(config)
        inputs = _inputs.get(root) or docs.read_inputs(root)
        metadata = docs.dataset_metadata(inputs, _served.get(root, []), config.site_url)
        markdown += "\n\n" + docs.json_ld(metadata)
    return docs.repository_links(markdown, f"docs/{src}", src, homepage, outside_docs_only=True)


def on_files(files: Files, config: Any, cli: click.Group | None = None) -> Files:
    """Add every generated page; the CLI reference page is made from `cli`'s help when it is given."""
    root = _root(config)
    has_versioning = (Path(config.docs_dir) / "versioning.md").exists()
    inputs = docs.read_inputs(root, cli)
    _inputs[root] = inputs
    served = _served[root] = docs.read_downloads(root, inputs, config.site_url)
    standards = docs.read_release_standards(root, inputs.releases)
    generated = docs.generate(inputs, has_versioning, served, standards)
    generated.update(asset_files())
    for path, content in generated.items():
        files.append(File.generated(config, path, content=content))
    return files
