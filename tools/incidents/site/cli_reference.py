"""The CLI reference page, from the `incidents` command's own help. The command group is passed in by the
caller (the mkdocs hook, `incidents.cli.mkdocs_hook`), so the site never imports the CLI."""

from __future__ import annotations

from collections.abc import Iterator

import click

from incidents.site.markdown import generated_note


def cli_page(group: click.Group) -> str:
    out = ["# Command-line reference\n\n", generated_note("the `incidents` command's own `--help`")]
    # a fixed width, so the page does not depend on the terminal that builds the site
    settings = {**group.context_settings, "terminal_width": 80, "max_content_width": 80}
    root = click.Context(group, info_name="incidents", **settings)
    out.append("```\n" + group.get_help(root) + "\n```\n\n")
    out.extend(_command_help(group, root, level=2))
    return "".join(out)


def _command_help(group: click.Group, parent: click.Context, level: int) -> Iterator[str]:
    """Each command's help under its own heading; a command group's commands follow it, one level down."""
    for name in group.list_commands(parent):
        command = group.get_command(parent, name)
        if command is None:
            continue
        ctx = click.Context(command, info_name=name, parent=parent)
        yield f"{'#' * level} `{ctx.command_path}`\n\n```\n{command.get_help(ctx)}\n```\n\n"
        if isinstance(command, click.Group):
            yield from _command_help(command, ctx, min(level + 1, 6))
