"""The `incidents` command: parses arguments, calls one core function, prints. No logic lives here."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from incidents import __version__, records, standard
from incidents.build import export
from incidents.core import atomic, problems
from incidents.core.layout import Layout
from incidents.release import record_diff as diff_
from incidents.validate import engines

if TYPE_CHECKING:
    from incidents.importers.common import Export
    from incidents.records.lifecycle import Stamp

# Each command imports the core module it calls: `incidents build` need not load the importers, the
# assistant's gazetteer or the release tools (about 0.4 s of every run).

EXIT_INVALID = 1
EXIT_USAGE = 2


def _root(ctx: click.Context) -> Path:
    return Path(ctx.obj["root"])


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="incidents")
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The dataset repository (the folder holding data/ and schemas/).",
)
@click.pass_context
def cli(ctx: click.Context, root: Path) -> None:
    """Build, validate and contribute to the open incident dataset."""
    ctx.obj = {"root": root}


@cli.command("ingest")
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

    when = retrieved.replace(tzinfo=dt.UTC) if retrieved else _utc_now()
    try:
        result = ingest.ingest(
            Layout(_root(ctx)),
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


def _git_user() -> str | None:
    try:
        name = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return None
    return name.strip() or None


@cli.command("new")
@click.option("--by", default=None, help="Who codes the record. Default: git's user.name.")
@click.pass_context
def new_command(ctx: click.Context, by: str | None) -> None:
    """Scaffold a record file with a fresh incident id under data/records/."""
    by = by or _git_user()
    if not by:
        raise click.UsageError("say who codes the record with --by NAME (or set git's user.name)")
    layout = Layout(_root(ctx))
    incident_id = records.new_incident_id()
    fields = [f["name"] for f in standard.load().fields("incidents") if not f.get("x-derived")]
    record = records.scaffold(fields, incident_id, by, _utc_now().strftime("%Y-%m-%dT%H:%M:%SZ"), __version__)
    path = layout.records / f"{incident_id}.yaml"
    atomic.write(path, records.dump(record).encode("utf-8"))
    click.echo(layout.rel(path))


@cli.command("extract")
@click.argument("report", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--published",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Publication day (YYYY-MM-DD): relative dates are resolved against it. Without it they stay unknown.",
)
@click.option("--url", default=None, help="Where the text was found. Omit if unknown; never invent one.")
@click.option("--publisher", default="unknown publisher", show_default=True, help="Who published the text.")
@click.option("--by", default=None, help="Who runs the assistant (the reviewer). Default: git's user.name.")
@click.pass_context
def extract_command(
    ctx: click.Context, report: Path, published: dt.datetime | None, url: str | None, publisher: str, by: str | None
) -> None:
    """Ingest REPORT and write draft records (method: assisted, tagged needs-review) under data/records/."""
    from incidents import extract
    from incidents.records import ingest

    by = by or _git_user() or "incidents extract"
    try:
        result, written = extract.extract_report(
            _root(ctx),
            report.read_bytes(),
            published=published.date() if published else None,
            url=url,
            publisher=publisher,
            by=by,
            now=_utc_now(),
        )
    except ingest.IngestError as exc:
        raise click.ClickException(f"{report}: {exc}") from None
    layout = Layout(_root(ctx))
    click.echo(f"source {result.source_id}: {len(result.records)} draft(s), {len(result.new_actors)} new actor(s)")
    for record in result.records:
        counts = ", ".join(
            f"{k}={record[k]}" for k in ("fatalities_best", "injured", "detained", "released") if record[k] is not None
        )
        click.echo(
            f"  {layout.rel(layout.records / (record['incident_id'] + '.yaml'))}: "
            f"{record['date_start'] or 'date unknown'}"
            f" {record['location']} {record['event_type']}/{record['sub_event_type']}"
            + (f" ({counts})" if counts else "")
        )
    for actor in result.new_actors:
        click.echo(f"  {layout.rel(layout.actors / (actor['actor_id'] + '.yaml'))}: new actor {actor['name']!r}")
    click.echo("review each draft, remove the needs-review tag, then run `incidents validate` and `incidents build`")


def _report(found: list[problems.Problem], output_format: str) -> None:
    text = problems.FORMATS[output_format](found)
    if text:
        click.echo(text)


@cli.command("build")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(problems.FORMATS)),
    default="human",
    show_default=True,
    help="How to print problems that stop the build.",
)
@click.option("--wait", type=float, default=0, show_default=True, help="Seconds to wait for another build's lock.")
@click.pass_context
def build_command(ctx: click.Context, output_format: str, wait: float) -> None:
    """Validate the records, then write data/tables/*.csv, *.parquet and datapackage.json."""
    from incidents import build

    result = build.build(_root(ctx), lock_timeout=wait)
    if result.problems:
        _report(result.problems, output_format)
        click.echo(f"build stopped: {len(result.problems)} problem(s); nothing was written", err=True)
        sys.exit(EXIT_INVALID)
    click.echo(f"built {len(result.written)} files")


@cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(problems.FORMATS)),
    default="human",
    show_default=True,
    help="human, json, or github (workflow annotations on the diff's lines).",
)
@click.option(
    "--changed-since",
    metavar="REF",
    default=None,
    help="Check fully only the files changed since REF (e.g. origin/main), the rest by file names alone.",
)
@click.option(
    "--tables",
    "from_tables",
    is_flag=True,
    help="Check the built package instead (datapackage.json and the Parquet tables, single files or "
    "data/tables/partitioned/), with every rule, never reading a record file.",
)
@click.option(
    "--engine",
    type=click.Choice(engines.NAMES),
    default=None,
    help="With --tables: run the checks in this process (local, the default) or on a Dask cluster (dask).",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="With --engine dask: the scheduler, e.g. tcp://host:8786. Default: a local cluster for the run.",
)
@click.pass_context
def validate_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    output_format: str,
    changed_since: str | None,
    from_tables: bool,
    engine: str | None,
    scheduler: str | None,
) -> None:
    """Check records, actors, sources, tables and descriptor. Exit 0 valid, 1 invalid, 2 usage error.

    With PATHS, report the problems of those files and the dataset-wide ones."""
    from incidents import validate
    from incidents.incremental import changed_since as changed

    if from_tables:
        if changed_since:
            raise click.UsageError("--changed-since checks record files; --tables checks the built package")
        found = _validate_tables(_root(ctx), paths, engine or "local", scheduler)
    elif engine or scheduler:
        raise click.UsageError("--engine and --scheduler go with --tables")
    else:
        try:
            found = validate.validate(_root(ctx), list(paths) if paths else None, changed_since=changed_since)
        except changed.ChangedSinceError as exc:
            raise click.UsageError(f"--changed-since {changed_since}: {exc}") from None
    if output_format == "json" or found:
        _report(found, output_format)
    if output_format == "human":
        click.echo(f"{len(found)} problem(s)" if found else "valid", err=bool(found))
    sys.exit(EXIT_INVALID if found else 0)


def _validate_tables(root: Path, paths: tuple[Path, ...], engine: str, scheduler: str | None) -> list[problems.Problem]:
    from incidents.validate import package as tablecheck

    if paths:
        raise click.UsageError("--tables checks the whole built package: give no PATHS")
    try:
        report = tablecheck.validate_tables(root, engine=engines.engine(engine, scheduler))
    except engines.EngineError as exc:
        raise click.UsageError(str(exc)) from None
    for note in report.notes:
        click.echo(note, err=True)
    return report.problems


@cli.command("partition")
@click.option(
    "--by",
    "keys",
    default="year,country",
    show_default=True,
    help="year, country or year,country: the Hive-style partition keys.",
)
@click.pass_context
def partition_command(ctx: click.Context, keys: str) -> None:
    """Write the built Parquet tables partitioned under data/tables/partitioned/ (for validate --tables)."""
    from incidents.build import partition as partition_

    try:
        folder = partition_.partition(_root(ctx), partition_.parse_keys(keys))
    except partition_.PartitionError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"wrote {Layout(_root(ctx)).rel(folder)}")


@cli.group("import")
def import_group() -> None:
    """Import another dataset's export as records (method: imported), the export archived as their source."""


def _import(
    ctx: click.Context, export: Export, file: Path, by: str | None, output_format: str, withdraw_missing: bool
) -> None:
    from incidents.importers import common as importers

    by = by or _git_user()
    if not by:
        raise click.UsageError("say who runs the import with --by NAME (or set git's user.name)")
    now = _utc_now()
    with (
        file.open("rb") as stream,
        click.progressbar(length=file.stat().st_size, label="importing", file=sys.stderr) as bar,
    ):
        report = importers.run_import(
            Layout(_root(ctx)),
            export,
            str(file),
            stream,
            by=by,
            now=now,
            today=now.date(),
            progress=bar.update,
            withdraw_missing=withdraw_missing,
        )
    _report(report.problems, output_format)
    if report.notices and output_format == "human":
        click.echo("\n".join(importers.repairs(report.notices)), err=True)
    click.echo(report.summary(), err=output_format != "human")
    if report.created or report.revised:
        click.echo("next: `incidents build`, then review and commit data/", err=True)
    sys.exit(EXIT_INVALID if report.problems else 0)


_IMPORT_OPTIONS = [
    click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
    click.option("--by", default=None, help="Who runs the import (changed_by). Default: git's user.name."),
    click.option(
        "--format",
        "output_format",
        type=click.Choice(sorted(problems.FORMATS)),
        default="human",
        show_default=True,
        help="How to print the rows that were not imported.",
    ),
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


@cli.command("export")
@click.option(
    "--format", "output_format", type=click.Choice(sorted(export.FORMATS)), required=True, help="The layout to write."
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The file to write (atomically). Default: standard output.",
)
@click.pass_context
def export_command(ctx: click.Context, output_format: str, output: Path | None) -> None:
    """Write the active records in another dataset's column layout (ACLED's 31 columns)."""
    content, found = export.export(Layout(_root(ctx)), output_format)
    if found:
        _report(found, "human")
        click.echo(f"export stopped: {len(found)} file(s) cannot be read; nothing was written", err=True)
        sys.exit(EXIT_INVALID)
    if output is None:
        click.echo(content.decode("utf-8"), nl=False)
    else:
        atomic.write(output, content)
        click.echo(f"wrote {output}", err=True)


@cli.command("schemas")
@click.option("--check", is_flag=True, help="Only check that the generated files are up to date.")
def schemas_command(check: bool) -> None:
    """Regenerate the JSON Schemas under schemas/ from the Table Schemas and codelists."""
    stale = []
    for name, text in standard.generated_files(standard.load()).items():
        path = standard.SCHEMAS_DIR / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
            if not check:
                atomic.write(path, text.encode("utf-8"))
    if check and stale:
        click.echo(f"out of date: {', '.join(stale)} (run `incidents schemas`)", err=True)
        sys.exit(EXIT_INVALID)
    click.echo("schemas up to date" if check or not stale else f"wrote {', '.join(stale)}")


@cli.command("docs")
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

    status = docs.build_site(_root(ctx), site_dir, serve)
    if status:
        click.echo("the documentation build failed (see the warnings above)", err=True)
        sys.exit(EXIT_INVALID)


@cli.command("release")
@click.option(
    "--bump",
    type=click.Choice(diff_.BUMPS),
    default=None,
    help="Raise the proposed bump (never lower it). Default: the bump the changes call for.",
)
@click.option("--dry-run", is_flag=True, help="Print the proposed version and changelog section; write nothing.")
@click.option(
    "--date",
    "date",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Release date (YYYY-MM-DD) for CHANGELOG.md, CITATION.cff and the manifest. Default: today (UTC).",
)
@click.pass_context
def release_command(ctx: click.Context, bump: str | None, dry_run: bool, date: dt.datetime | None) -> None:
    """Cut a release: version, CHANGELOG.md, CITATION.cff, releases/vX.Y.Z.json and dist/<name>-vX.Y.Z.zip."""
    from incidents import release as release_

    try:
        outcome = release_.release(_root(ctx), bump, dry_run, date.date() if date else None)
    except release_.ReleaseError as exc:
        click.echo(f"release refused: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if outcome.problems:
        _report(outcome.problems, "human")
        click.echo(f"release stopped: {len(outcome.problems)} problem(s); nothing was written", err=True)
        sys.exit(EXIT_INVALID)
    assert outcome.plan is not None
    plan = outcome.plan
    raised = "" if plan.bump == plan.proposed else f" (proposed {plan.proposed or 'none'})"
    why = "; ".join(plan.diff.reasons())
    if dry_run:
        click.echo(f"would release v{plan.version}: {plan.bump}{raised} bump since {plan.previous}: {why}\n")
        click.echo(outcome.section)
        return
    layout = Layout(_root(ctx))
    click.echo(f"released v{plan.version}: {plan.bump}{raised} bump since {plan.previous}: {why}")
    for path in outcome.written:
        click.echo(f"  wrote {layout.rel(path)}")


@cli.command("bundle")
@click.argument("version")
@click.pass_context
def bundle_command(ctx: click.Context, version: str) -> None:
    """Rebuild dist/<name>-vVERSION.zip from the committed files of a release already cut (byte-identical)."""
    from incidents import release as release_

    try:
        path = release_.rebuild_bundle(_root(ctx), version)
    except release_.ReleaseError as exc:
        click.echo(f"bundle refused: {exc}", err=True)
        sys.exit(EXIT_INVALID)
    click.echo(Layout(_root(ctx)).rel(path))


@cli.command("diff")
@click.argument("old")
@click.argument("new", default=".")
@click.option("--format", "output_format", type=click.Choice(sorted(diff_.FORMATS)), default="human", show_default=True)
@click.pass_context
def diff_command(ctx: click.Context, old: str, new: str, output_format: str) -> None:
    """Compare two versions record by record. OLD and NEW: a release (v0.1.0), a bundle (zip or folder), or
    '.' for the working tree (the default NEW)."""
    from incidents.release import diff_targets as refs

    layout = Layout(_root(ctx))
    try:
        found = diff_.diff(refs.resolve(layout, old), refs.resolve(layout, new))
    except refs.RefError as exc:
        click.echo(f"diff: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(diff_.FORMATS[output_format](found))


@cli.command("verify")
@click.argument("bundle_or_dir", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--manifest",
    "manifest_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Check against this manifest (e.g. the committed releases/vX.Y.Z.json) instead of the bundle's own.",
)
@click.option(
    "--format", "output_format", type=click.Choice(sorted(problems.FORMATS)), default="human", show_default=True
)
def verify_command(bundle_or_dir: Path, manifest_path: Path | None, output_format: str) -> None:
    """Check a release bundle: hashes and sizes against the manifest, the descriptor, the tables. Exit 1 if not."""
    from incidents.release import verify as verify_

    found = verify_.verify(bundle_or_dir, manifest_path)
    if output_format == "json" or found:
        _report(found, output_format)
    if output_format == "human":
        click.echo(f"{len(found)} problem(s)" if found else f"{bundle_or_dir}: verified", err=bool(found))
    sys.exit(EXIT_INVALID if found else 0)


def _stamp(by: str | None) -> Stamp:
    from incidents.records import lifecycle

    by = by or _git_user()
    if not by:
        raise click.UsageError("say who makes the change with --by NAME (or set git's user.name)")
    return lifecycle.Stamp(by, _utc_now().strftime("%Y-%m-%dT%H:%M:%SZ"), __version__)


def _written(files: list[str]) -> None:
    for path in files:
        click.echo(f"wrote {path}")
    click.echo("run `incidents build` to update the tables, then commit", err=True)


_REASON = click.option("--reason", required=True, help="Why: kept in the record's revision and the changelog.")
_BY = click.option("--by", default=None, help="Who makes the change. Default: git's user.name.")


@cli.command("withdraw")
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
        _written(bookkeeping.withdraw(_root(ctx), incident_id, reason, _stamp(by)))
    except lifecycle.Refused as exc:
        raise click.ClickException(str(exc)) from None


@cli.command("merge")
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
        _written(bookkeeping.merge(_root(ctx), incident_id, into, reason, _stamp(by)))
    except lifecycle.Refused as exc:
        raise click.ClickException(str(exc)) from None


@cli.command("correct")
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
        written, fields, superseded = bookkeeping.correct(_root(ctx), incident_id, reason, _stamp(by))
    except lifecycle.Refused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"fields changed: {', '.join(fields)}")
    for line in lifecycle.superseded_human(superseded):
        click.echo(line)
    _written(written)


@cli.command("history")
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
        record, entries = bookkeeping.history(_root(ctx), incident_id)
    except lifecycle.Refused as exc:
        raise click.ClickException(str(exc)) from None
    render = lifecycle.history_json if output_format == "json" else lifecycle.history_human
    click.echo(render(incident_id, str(record.get("status")), entries))


def main() -> None:
    """Entry point: no traceback reaches the user unless INCIDENTS_DEBUG is set."""
    try:
        cli.main(standalone_mode=True)
    except SystemExit as done:
        _leave(done.code)
    except Exception as exc:  # noqa: BLE001 - the last line of defence, reported, not hidden
        if os.environ.get("INCIDENTS_DEBUG"):
            raise
        click.echo(
            f"internal error: {type(exc).__name__}: {exc} (set INCIDENTS_DEBUG=1 for details and please report it)",
            err=True,
        )
        sys.exit(70)


def _leave(code: object) -> NoReturn:
    """Exit as `sys.exit(code)` would, without the interpreter's teardown: finalizing pyarrow, numpy and the
    rest takes 0.2-0.3 s after a build, for nothing (files are written and closed, clusters shut down, the
    build lock released when the command returns). Output is flushed first."""
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`incidents export | head`): nothing more to say
            pass
    os._exit(code or 0)
