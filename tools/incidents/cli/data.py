"""Commands that make and check the dataset: build, validate, partition, export, schemas."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from incidents import standard
from incidents.build import export
from incidents.cli import common
from incidents.core import atomic, problems
from incidents.core.layout import Layout
from incidents.validate import engines


@click.command("build")
@common.problem_format("How to print problems that stop the build.")
@click.option("--wait", type=float, default=0, show_default=True, help="Seconds to wait for another build's lock.")
@click.pass_context
def build_command(ctx: click.Context, output_format: str, wait: float) -> None:
    """Validate the records, then write data/tables/*.csv, *.parquet and datapackage.json."""
    from incidents import build

    result = build.build(common.root(ctx), lock_timeout=wait)
    if result.problems:
        common.report(result.problems, output_format)
        click.echo(f"build stopped: {len(result.problems)} problem(s); nothing was written", err=True)
        sys.exit(common.EXIT_INVALID)
    click.echo(f"built {len(result.written)} files")


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@common.problem_format("human, json, or github (workflow annotations on the diff's lines).")
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
    help="Check the built package instead (datapackage.json, the Parquet tables, single files or "
    "data/tables/partitioned/, and the CSV files it publishes, against their hashes, types and the Parquet), "
    "with every rule, never reading a record file.",
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
@click.option(
    "--workers",
    type=int,
    default=None,
    help="With --engine dask and no --scheduler: the local cluster's worker processes (one thread each).",
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
    workers: int | None,
) -> None:
    """Check records, actors, sources, tables and descriptor. Exit 0 valid, 1 invalid, 2 usage error.

    With PATHS, report the problems of those files and the dataset-wide ones."""
    from incidents import validate
    from incidents.incremental import changed_since as changed

    if from_tables:
        if changed_since:
            raise click.UsageError("--changed-since checks record files; --tables checks the built package")
        found = _validate_tables(common.root(ctx), paths, engine or "local", scheduler, workers)
    elif engine or scheduler or workers is not None:
        raise click.UsageError("--engine, --scheduler and --workers go with --tables")
    else:
        try:
            found = validate.validate(common.root(ctx), list(paths) if paths else None, changed_since=changed_since)
        except changed.ChangedSinceError as exc:
            raise click.UsageError(f"--changed-since {changed_since}: {exc}") from None
    found = problems.sort([*found, *ctx.obj.get("leftovers", [])])  # what a killed build left (core.output_set)
    if output_format == "json" or found:
        common.report(found, output_format)
    if output_format == "human":
        click.echo(f"{len(found)} problem(s)" if found else "valid", err=bool(found))
    sys.exit(common.EXIT_INVALID if found else 0)


def _validate_tables(
    root: Path, paths: tuple[Path, ...], engine: str, scheduler: str | None, workers: int | None
) -> list[problems.Problem]:
    from incidents.validate import package as tablecheck

    if paths:
        raise click.UsageError("--tables checks the whole built package: give no PATHS")
    try:
        report = tablecheck.validate_tables(root, engine=engines.engine(engine, scheduler, workers))
    except engines.EngineError as exc:
        raise click.UsageError(str(exc)) from None
    for note in report.notes:
        click.echo(note, err=True)
    return report.problems


@click.command("partition")
@click.option(
    "--target-mb",
    type=float,
    default=100,
    show_default=True,
    help="The size of a partition's largest file, in MB of Parquet: what one engine task reads.",
)
@click.option(
    "--by",
    "keys",
    default="",
    help="year, country or year,country: also split by these keys, in Hive-style folders "
    "(year=2024/country=SYR/part-00000.parquet). Default: by size alone. Keys make many small files.",
)
@click.pass_context
def partition_command(ctx: click.Context, target_mb: float, keys: str) -> None:
    """Write the built Parquet tables as partitions of about --target-mb under data/tables/partitioned/
    (<table>/part-00000.parquet, ...), each incident with its actors, evidence and revisions. validate --tables
    reads this folder when it exists (delete it to check the single files again)."""
    from incidents.build import partition as partition_

    try:
        folder = partition_.partition(common.root(ctx), partition_.parse_keys(keys), target_mb)
    except partition_.PartitionError as exc:
        raise click.UsageError(str(exc)) from None
    files = sum(1 for _ in folder.rglob("*.parquet"))
    click.echo(f"wrote {Layout(common.root(ctx)).rel(folder)} ({files} files)")


@click.command("export")
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
    """Write the active records in another dataset's column layout (ACLED's 31 columns), or as HXL (the
    standard's columns under a row of HXL hashtags, as HDX publishes conflict events)."""
    content, found = export.export(Layout(common.root(ctx)), output_format)
    if found:
        common.report(found, "human")
        click.echo(f"export stopped: {len(found)} file(s) cannot be read; nothing was written", err=True)
        sys.exit(common.EXIT_INVALID)
    if output is None:
        click.echo(content.decode("utf-8"), nl=False)
    else:
        atomic.write(output, content)
        click.echo(f"wrote {output}", err=True)


@click.command("schemas")
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
        sys.exit(common.EXIT_INVALID)
    click.echo("schemas up to date" if check or not stale else f"wrote {', '.join(stale)}")
