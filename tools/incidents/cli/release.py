"""Commands for releases: cut one, rebuild its bundle, verify a bundle, compare two versions."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from incidents.cli import common
from incidents.core.layout import Layout
from incidents.release import record_diff as diff_

EXIT_SELF_CONSISTENT_ONLY = 3  # verify without --manifest: the bundle agrees with itself, and no more is known


@click.command("release")
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
        outcome = release_.release(common.root(ctx), bump, dry_run, date.date() if date else None)
    except release_.ReleaseError as exc:
        click.echo(f"release refused: {exc}", err=True)
        sys.exit(common.EXIT_USAGE)
    if outcome.problems:
        common.report(outcome.problems, "human")
        click.echo(f"release stopped: {len(outcome.problems)} problem(s); nothing was written", err=True)
        sys.exit(common.EXIT_INVALID)
    assert outcome.plan is not None
    plan = outcome.plan
    raised = "" if plan.bump == plan.proposed else f" (proposed {plan.proposed or 'none'})"
    why = "; ".join(plan.diff.reasons())
    if dry_run:
        click.echo(f"would release v{plan.version}: {plan.bump}{raised} bump since {plan.previous}: {why}\n")
        click.echo(outcome.section)
        return
    layout = Layout(common.root(ctx))
    click.echo(f"released v{plan.version}: {plan.bump}{raised} bump since {plan.previous}: {why}")
    for path in outcome.written:
        click.echo(f"  wrote {layout.rel(path)}")
    click.echo(
        f'next: git add -A && git commit -m "Release v{plan.version}" && git tag -a v{plan.version} -m v{plan.version}'
        " (the tag publishes it: .github/workflows/release.yml)"
    )


@click.command("bundle")
@click.argument("version")
@click.pass_context
def bundle_command(ctx: click.Context, version: str) -> None:
    """Rebuild dist/<name>-vVERSION.zip from the committed files of a release already cut (byte-identical)."""
    from incidents import release as release_

    try:
        path = release_.rebuild_bundle(common.root(ctx), version)
    except release_.ReleaseError as exc:
        click.echo(f"bundle refused: {exc}", err=True)
        sys.exit(common.EXIT_INVALID)
    click.echo(Layout(common.root(ctx)).rel(path))


@click.command("snapshot")
@click.option(
    "--version", "version", default=None, help="A release (v0.1.0): its tables and datapackage.json as released."
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="A date (YYYY-MM-DD): the tables and datapackage.json of the last commit made by the end of that day (UTC).",
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write into. Default: dist/snapshot-<version or date>/.",
)
@click.pass_context
def snapshot_command(ctx: click.Context, version: str | None, as_of: dt.datetime | None, output: Path | None) -> None:
    """Write the tables and datapackage.json as they stood at a release (byte-identical to it, checked
    against releases/vX.Y.Z.json) or on a date (as committed by then), read from git."""
    from incidents.release import manifest, time_travel

    if (version is None) == (as_of is None):
        raise click.UsageError("give one of --version vX.Y.Z or --as-of YYYY-MM-DD")
    layout = Layout(common.root(ctx))
    try:
        if version is not None:
            label, files = f"v{version.removeprefix('v')}", time_travel.at_version(layout, version)
            said = f"as released in {label} (checked against {layout.rel(manifest.path_of(layout, label))})"
        else:
            assert as_of is not None
            label = as_of.date().isoformat()
            commit, files = time_travel.as_of(layout, as_of.date())
            said = f"as committed in {commit[:12]}, the last commit by the end of {label} (UTC)"
    except time_travel.HistoryError as exc:
        click.echo(f"snapshot refused: {exc}", err=True)
        sys.exit(common.EXIT_INVALID)
    folder = output or layout.dist / f"snapshot-{label}"
    written = time_travel.write(folder, files)
    click.echo(f"wrote {len(written)} files to {folder}, {said}")


@click.command("diff")
@click.argument("old")
@click.argument("new", default=".")
@click.option("--format", "output_format", type=click.Choice(sorted(diff_.FORMATS)), default="human", show_default=True)
@click.pass_context
def diff_command(ctx: click.Context, old: str, new: str, output_format: str) -> None:
    """Compare two versions record by record. OLD and NEW: a release (v0.1.0), a bundle (zip or folder), or
    '.' for the working tree (the default NEW)."""
    from incidents.release import diff_targets as refs

    layout = Layout(common.root(ctx))
    try:
        found = diff_.diff(refs.resolve(layout, old), refs.resolve(layout, new))
    except refs.RefError as exc:
        click.echo(f"diff: {exc}", err=True)
        sys.exit(common.EXIT_USAGE)
    click.echo(diff_.FORMATS[output_format](found))


@click.command("verify")
@click.argument("bundle_or_dir", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--manifest",
    "manifest_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Check against this manifest (the repository's releases/vX.Y.Z.json) instead of the bundle's own.",
)
@click.option(
    "--self-consistency-only",
    is_flag=True,
    help="Without --manifest, exit 0 when the bundle agrees with itself (it could still have been rewritten "
    f"with its hashes). Default: exit {EXIT_SELF_CONSISTENT_ONLY}.",
)
@common.problem_format()
def verify_command(
    bundle_or_dir: Path, manifest_path: Path | None, self_consistency_only: bool, output_format: str
) -> None:
    """Check a release bundle: hashes and sizes against the manifest, the descriptor, the tables; reads only
    the bundle, never the network. Exit 1 on a problem; without --manifest, 3 when the bundle only agrees with
    itself."""
    from incidents.release import verify as verify_

    checked = verify_.verify(bundle_or_dir, manifest_path)
    found = checked.problems
    if output_format == "json" or found:
        common.report(found, output_format)
    if found:
        if output_format == "human":
            click.echo(f"{len(found)} problem(s)", err=True)
        sys.exit(common.EXIT_INVALID)
    if manifest_path:
        if output_format == "human":
            click.echo(f"{bundle_or_dir}: verified against {manifest_path}")
        return
    click.echo(f"{bundle_or_dir}: {verify_.self_consistency_only(checked.version)}", err=not self_consistency_only)
    sys.exit(0 if self_consistency_only else EXIT_SELF_CONSISTENT_ONLY)
