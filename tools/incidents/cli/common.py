"""What every command shares: exit codes, the repository root from the context, the time, the user, and
how problems are printed."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from incidents.core import problems
from incidents.core.layout import DATASET_MARK

EXIT_INVALID = 1
EXIT_USAGE = 2


def root(ctx: click.Context) -> Path:
    """The dataset the command works on; a usage error where there is none (the group found no dataset)."""
    found = ctx.obj["root"]
    if found is None:
        raise click.UsageError(
            f"no dataset here: neither {Path.cwd()} nor a folder above it holds {DATASET_MARK} (expected a "
            f"folder with {DATASET_MARK}, or --root)"
        )
    return Path(found)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def git_user() -> str | None:
    try:
        name = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return None
    return name.strip() or None


def problem_format(help_text: str | None = None) -> Callable[[Any], Any]:
    """The `--format` option of every command that prints problems (human, json, github)."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(sorted(problems.FORMATS)),
        default="human",
        show_default=True,
        help=help_text,
    )


def report(found: list[problems.Problem], output_format: str) -> None:
    text = problems.FORMATS[output_format](found)
    if text:
        click.echo(text)
