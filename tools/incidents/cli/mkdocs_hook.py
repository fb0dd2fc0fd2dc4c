"""The mkdocs hook named in mkdocs.yml (mkdocs loads it by path): the site's events (`incidents.site.hook`),
given the `incidents` command, whose own help makes the CLI reference page.

It lives with the command, not with the site, so that the site never imports the CLI: the CLI imports the
site (in `incidents docs`), and this hook, which nothing imports, joins the two.
"""

from __future__ import annotations

from typing import Any

from mkdocs.structure.files import Files

from incidents.cli import cli
from incidents.site import hook

on_config = hook.on_config
on_page_markdown = hook.on_page_markdown


def on_files(files: Files, config: Any) -> Files:
    return hook.on_files(files, config, cli)
