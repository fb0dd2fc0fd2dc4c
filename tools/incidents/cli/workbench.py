"""`incidents workbench`: the coder's workbench, a local web app, served until Ctrl-C."""

from __future__ import annotations

import webbrowser

import click

from incidents.cli import common


@click.command("workbench")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="A loopback address to listen on (127.0.0.1, localhost or ::1); any other is refused.",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="0: any free port.")
@click.option("--by", default=None, help="Who codes (changed_by of the revisions). Default: git's user.name.")
@click.option("--open/--no-open", "open_browser", default=True, show_default=True, help="Open the page in a browser.")
@click.pass_context
def workbench_command(ctx: click.Context, host: str, port: int, by: str | None, open_browser: bool) -> None:
    """Code records from archived reports in the browser: select a passage to attach it as evidence, pick
    actors and codes, see the validator's problems as you edit, save with a revision."""
    from incidents.workbench import app

    by = by or common.git_user()
    if not by:
        raise click.UsageError("say who codes the records with --by NAME (or set git's user.name)")
    try:
        server, address = app.server(common.root(ctx).resolve(), by, host, port)
    except app.HostRefused as exc:
        raise click.UsageError(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port} ({exc.strerror}): try another --port") from None
    click.echo(f"the workbench is at {address} (Ctrl-C to stop)")
    if open_browser:
        webbrowser.open(address)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.server_close()
