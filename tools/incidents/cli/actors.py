"""Commands on actors: `incidents actor new` mints an actor's id and writes its file."""

from __future__ import annotations

import click

from incidents import standard
from incidents.cli import common
from incidents.core.layout import Layout


@click.group("actor")
def actor_group() -> None:
    """Create actors (the parties to incidents) under data/actors/."""


@actor_group.command("new")
@click.argument("name")
@click.option(
    "--type",
    "actor_type",
    required=True,
    type=click.Choice(standard.load().codelists["actor_type"].codes),
    help="Kind of actor (codelist actor_type).",
)
@click.option("--country", default=None, metavar="ISO3", help="ISO 3166-1 alpha-3 code; omit for international actors.")
@click.option("--alias", "aliases", multiple=True, help="Another name the sources use (repeat for several).")
@click.option("--parent", default=None, metavar="ID", help="The actor_id of the larger actor this one is part of.")
@click.option("--description", default=None, help="Who the actor is, in a sentence.")
@click.pass_context
def new_actor_command(
    ctx: click.Context,
    name: str,
    actor_type: str,
    country: str | None,
    aliases: tuple[str, ...],
    parent: str | None,
    description: str | None,
) -> None:
    """Mint an actor id and write data/actors/<id>.yaml; prints the id and the file.

    Refused if an actor already has NAME (or an alias) as its name or alias: reuse it instead."""
    from incidents.records import actors

    layout = Layout(common.root(ctx))
    actor = actors.new_actor(name, actor_type, country, aliases, parent, description)
    try:
        path = actors.create(layout, actor)
    except actors.ActorRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{actor['actor_id']} {layout.rel(path)}")
