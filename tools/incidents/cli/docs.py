"""The `docs` command: build or serve the documentation site."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from incidents.cli import common


@click.command("docs")
@click.option("--serve", is_flag=True, help="Serve the site on localhost and rebuild on changes, instead of building.")
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the built site. Default: site/ in the repository.",
)
@click.pass_context
def docs_command(ctx: click.Context, serve: bool, site_dir: Path | None) -> None:
    """Build the documentation site with mkdocs (strict: any warning fails), generating the codebook, data
    pages, error codes and this CLI reference from schemas/, data/tables/ and the code."""
    from incidents import site as docs  # the site's libraries are needed only here

    status = docs.build_site(common.root(ctx), site_dir, serve)
    if status:
        click.echo("the documentation build failed (see the warnings above)", err=True)
        sys.exit(common.EXIT_INVALID)
