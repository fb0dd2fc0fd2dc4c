"""Commands that add to the dataset: ingest a report, scaffold a record, extract drafts, import another
dataset's export."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from incidents import __version__, records, standard
from incidents.cli import common
from incidents.core import atomic
from incidents.core.layout import Layout

if TYPE_CHECKING:
    from incidents.importers.rows import Export


@click.command("ingest")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", default=None, help="Where the text was found. Omit if unknown; never invent one.")
@click.option("--publisher", required=True, help="Who published the text, e.g. 'Kurdistan24'.")
@click.option(
    "--published",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Publication day (YYYY-MM-DD). Omit if the source gives none: it is recorded as unknown.",
)
@click.option(
    "--retrieved",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    default=None,
    help="When the text was captured (UTC). Default: now.",
)
@click.option("--title", default=None, help="The headline or title.")
@click.option("--language", default=None, help="ISO 639-1 code of the text's language, e.g. 'en'.")
@click.option(
    "--source-scale",
    type=click.Choice(standard.load().codelists["source_scale"].codes),
    default=None,
    help="Reach of the source.",
)
@click.pass_context
def ingest_command(
    ctx: click.Context,
    file: Path,
    url: str | None,
    publisher: str,
    published: dt.datetime | None,
    retrieved: dt.datetime | None,
    title: str | None,
    language: str | None,
    source_scale: str | None,
) -> None:
    """Archive a report's text under data/sources/, content-addressed by sha256."""
    from incidents.records import ingest

    when = retrieved.replace(tzinfo=dt.UTC) if retrieved else common.utc_now()
    try:
        result = ingest.ingest(
            Layout(common.root(ctx)),
            file.read_bytes(),
            url=url,
            publisher=publisher,
            published=published.date() if published else None,
            retrieved=when,
            title=title,
            language=language,
            source_scale=source_scale,
        )
    except ingest.IngestError as exc:
        raise click.ClickException(f"{file}: {exc}") from None
    state = "archived" if result.created else "already archived (no change)"
    click.echo(f"{result.source_id} {state}: {result.metadata['archive_path']}")


@click.command("new")
@click.option("--by", default=None, help="Who codes the record. Default: git's user.name.")
@click.pass_context
def new_command(ctx: click.Context, by: str | None) -> None:
    """Scaffold a record file with a fresh incident id under data/records/."""
    by = by or common.git_user()
    if not by:
        raise click.UsageError("say who codes the record with --by NAME (or set git's user.name)")
    layout = Layout(common.root(ctx))
    incident_id = records.new_incident_id()
    fields = [f["name"] for f in standard.load().fields("incidents") if not f.get("x-derived")]
    record = records.scaffold(fields, incident_id, by, common.utc_now().strftime("%Y-%m-%dT%H:%M:%SZ"), __version__)
    path = layout.records / f"{incident_id}.yaml"
    atomic.write(path, records.dump(record).encode("utf-8"))
    click.echo(layout.rel(path))


@click.command("extract")
@click.argument("reports", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--published",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Publication day (YYYY-MM-DD): relative dates are resolved against it. Without it they stay unknown.",
)
@click.option("--url", default=None, help="Where the text was found. Omit if unknown; never invent one.")
@click.option("--publisher", default="unknown publisher", show_default=True, help="Who published the text.")
@click.option("--by", default=None, help="Who runs the assistant (the reviewer). Default: git's user.name.")
@click.option("--force", is_flag=True, help="Write drafts that repeat an existing record too (they are named).")
@click.pass_context
def extract_command(
    ctx: click.Context,
    reports: tuple[Path, ...],
    published: dt.datetime | None,
    url: str | None,
    publisher: str,
    by: str | None,
    force: bool,
) -> None:
    """Ingest each REPORT (a text file, or a folder of *.txt files) and write draft records (method:
    assisted, tagged needs-review) under data/records/, in one process: the dataset is read once.
    --published, --url and --publisher apply to every report given.

    A draft that repeats an existing active record (same source, same day, same place) is named and not
    written, unless --force. Exit 1 if a report could not be ingested."""
    from incidents import extract

    files = [f for p in reports for f in (sorted(p.glob("*.txt")) if p.is_dir() else [p])]
    if not files:
        raise click.UsageError(f"no *.txt reports in {', '.join(map(str, reports))}")
    when = published.date() if published else None
    outcomes = extract.extract_reports(
        common.root(ctx),
        [extract.Report(f.read_bytes(), when, url, publisher) for f in files],
        by=by or common.git_user() or "incidents extract",
        now=common.utc_now(),
        force=force,
    )
    layout = Layout(common.root(ctx))
    for file, outcome in zip(files, outcomes, strict=True):
        result = outcome.extracted
        if result is None:
            click.echo(f"{file}: not extracted: {outcome.error}", err=True)
            continue
        click.echo(
            f"{file}: source {result.source_id}: {len(result.records)} draft(s), {len(result.new_actors)} new actor(s)"
        )
        for record in result.records:
            click.echo(f"  {layout.rel(layout.records / (record['incident_id'] + '.yaml'))}: {_described(record)}")
        for draft, existing in result.repeated:
            state = "written anyway (--force)" if force else "not written (--force writes it)"
            click.echo(
                f"  warning: the draft {_described(draft)} repeats {', '.join(existing)} (same source, day and "
                f"place): {state}",
                err=True,
            )
        for actor in result.new_actors:
            click.echo(f"  {layout.rel(layout.actors / (actor['actor_id'] + '.yaml'))}: new actor {actor['name']!r}")
    if any(o.extracted and o.extracted.records for o in outcomes):
        click.echo(
            "review each draft, remove the needs-review tag, then run `incidents validate` and `incidents build`"
        )
    if any(o.error for o in outcomes):
        sys.exit(common.EXIT_INVALID)


def _described(record: dict[str, Any]) -> str:
    """A draft in a line: its day, place, event and counts."""
    counts = ", ".join(
        f"{k}={record[k]}" for k in ("fatalities_best", "injured", "detained", "released") if record[k] is not None
    )
    return (
        f"{record['date_start'] or 'date unknown'} {record['location']} {record['event_type']}/"
        f"{record['sub_event_type']}" + (f" ({counts})" if counts else "")
    )


@click.group("import")
def import_group() -> None:
    """Import another dataset's export as records (method: imported), the export archived as their source."""


def _import(
    ctx: click.Context, export: Export, file: Path, by: str | None, output_format: str, withdraw_missing: bool
) -> None:
    from incidents.importers import run as importers

    by = by or common.git_user()
    if not by:
        raise click.UsageError("say who runs the import with --by NAME (or set git's user.name)")
    now = common.utc_now()
    with (
        file.open("rb") as stream,
        click.progressbar(length=file.stat().st_size, label="importing", file=sys.stderr) as bar,
    ):
        report = importers.run_import(
            Layout(common.root(ctx)),
            export,
            str(file),
            stream,
            by=by,
            now=now,
            today=now.date(),
            progress=bar.update,
            withdraw_missing=withdraw_missing,
        )
    common.report(report.problems, output_format)
    if report.notices and output_format == "human":
        click.echo("\n".join(importers.repairs(report.notices)), err=True)
    click.echo(report.summary(), err=output_format != "human")
    if report.created or report.revised:
        click.echo("next: `incidents build`, then review and commit data/", err=True)
    sys.exit(common.EXIT_INVALID if report.problems else 0)


_IMPORT_OPTIONS = [
    click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
    click.option("--by", default=None, help="Who runs the import (changed_by). Default: git's user.name."),
    common.problem_format("How to print the rows that were not imported."),
    click.option(
        "--withdraw-missing",
        is_flag=True,
        help="The file is a full export: withdraw the records of rows imported before that it no longer holds "
        "(reason: removed from the source). Without it they are only reported.",
    ),
]


def _with_import_options(command: Any) -> Any:
    for option in reversed(_IMPORT_OPTIONS):
        command = option(command)
    return command


@import_group.command("acled")
@_with_import_options
@click.pass_context
def import_acled(ctx: click.Context, file: Path, by: str | None, output_format: str, withdraw_missing: bool) -> None:
    """Import an ACLED export (CSV). Rows not imported are reported; exit 1 if there are any."""
    from incidents.importers import acled

    _import(ctx, acled.EXPORT, file, by, output_format, withdraw_missing)


@import_group.command("ucdp-ged")
@_with_import_options
@click.pass_context
def import_ucdp(ctx: click.Context, file: Path, by: str | None, output_format: str, withdraw_missing: bool) -> None:
    """Import a UCDP GED export (CSV). Rows not imported are reported; exit 1 if there are any."""
    from incidents.importers import ucdp

    _import(ctx, ucdp.EXPORT, file, by, output_format, withdraw_missing)
