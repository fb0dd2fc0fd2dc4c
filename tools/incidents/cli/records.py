"""Commands that change a record's life after it is coded: correct, withdraw, merge, and read its history;
and `quotes fill`, which counts the offsets of evidence given as a quote alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from incidents import __version__
from incidents.cli import common

if TYPE_CHECKING:
    from incidents.records.revisions import Stamp


def _stamp(by: str | None) -> Stamp:
    from incidents.records import revisions

    by = by or common.git_user()
    if not by:
        raise click.UsageError("say who makes the change with --by NAME (or set git's user.name)")
    return revisions.Stamp(by, common.utc_now().strftime("%Y-%m-%dT%H:%M:%SZ"), __version__)


def _written(files: list[str]) -> None:
    for path in files:
        click.echo(f"wrote {path}")
    click.echo("run `incidents build` to update the tables, then commit", err=True)


_REASON = click.option("--reason", required=True, help="Why: kept in the record's revision and the changelog.")
_BY = click.option("--by", default=None, help="Who makes the change. Default: git's user.name.")


@click.command("withdraw")
@click.argument("incident_id", metavar="ID")
@_REASON
@_BY
@click.pass_context
def withdraw_command(ctx: click.Context, incident_id: str, reason: str, by: str | None) -> None:
    """Withdraw a record that is not a real, in-scope incident: it stays as a tombstone, its id never reused.

    Records merged into ID are withdrawn with it."""
    from incidents.records import lifecycle
    from incidents.records import lifecycle_files as bookkeeping

    try:
        _written(bookkeeping.withdraw(common.root(ctx), incident_id, reason, _stamp(by)))
    except lifecycle.Refused as exc:
        raise click.ClickException(str(exc)) from None


@click.command("merge")
@click.argument("incident_id", metavar="ID")
@click.option("--into", "into", required=True, metavar="ID", help="The surviving incident (must be active).")
@_REASON
@_BY
@click.pass_context
def merge_command(ctx: click.Context, incident_id: str, into: str, reason: str, by: str | None) -> None:
    """Mark a record as a duplicate of another. Records merged into ID are re-pointed to the survivor."""
    from incidents.records import lifecycle
    from incidents.records import lifecycle_files as bookkeeping

    try:
        _written(bookkeeping.merge(common.root(ctx), incident_id, into, reason, _stamp(by)))
    except lifecycle.Refused as exc:
        raise click.ClickException(str(exc)) from None


@click.command("correct")
@click.argument("incident_id", metavar="ID")
@_REASON
@_BY
@click.pass_context
def correct_command(ctx: click.Context, incident_id: str, reason: str, by: str | None) -> None:
    """After editing a record by hand: add the revision, with the fields changed since the last commit (git HEAD).

    A changed date_start, location, count or actors needs an evidence item added or changed in the same edit
    that lists the field in supports; earlier quotes that listed a corrected value no longer do."""
    from incidents.records import lifecycle
    from incidents.records import lifecycle_files as bookkeeping

    try:
        written, fields, superseded = bookkeeping.correct(common.root(ctx), incident_id, reason, _stamp(by))
    except lifecycle.Refused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"fields changed: {', '.join(fields)}")
    for line in lifecycle.superseded_human(superseded):
        click.echo(line)
    _written(written)


@click.command("history")
@click.argument("incident_id", metavar="ID")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["human", "json"]),
    default="human",
    show_default=True,
    help="human, or json for tools.",
)
@click.pass_context
def history_command(ctx: click.Context, incident_id: str, output_format: str) -> None:
    """Print a record's revisions: who, when, how, why, and what changed (old -> new, from git history)."""
    from incidents.records import lifecycle
    from incidents.records import lifecycle_files as bookkeeping

    try:
        record, entries = bookkeeping.history(common.root(ctx), incident_id)
    except lifecycle.Refused as exc:
        raise click.ClickException(str(exc)) from None
    render = lifecycle.history_json if output_format == "json" else lifecycle.history_human
    click.echo(render(incident_id, str(record.get("status")), entries))


@click.group("quotes")
def quotes_group() -> None:
    """Evidence quotes: count their offsets in the archived sources."""


@quotes_group.command("fill")
@click.argument("incident_ids", nargs=-1, metavar="[ID]...")
@common.problem_format("How to print the quotes that could not be placed.")
@click.pass_context
def fill_command(ctx: click.Context, incident_ids: tuple[str, ...], output_format: str) -> None:
    """Write char_start and char_end for evidence given as a quote alone, in records ID (default: all).

    A quote must be copied exactly from its archived source. One found more than once needs a hint: give the
    item a char_start near the one meant, and its exact offsets are written. Nothing is written while any
    quote cannot be placed (exit 1)."""
    import sys

    from incidents.records import lifecycle
    from incidents.records import lifecycle_files as bookkeeping

    try:
        written, unplaced = bookkeeping.fill_quotes(common.root(ctx), list(incident_ids))
    except lifecycle.Refused as exc:
        raise click.ClickException(str(exc)) from None
    if unplaced:
        common.report(unplaced, output_format)
        click.echo("nothing written: fix these quotes and run again", err=True)
        sys.exit(common.EXIT_INVALID)
    if written:
        _written(written)
    else:
        click.echo("no quote without offsets", err=True)
