"""The `coinlake` command: global options, sub-commands, errors as exit codes."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from coinlake import __version__
from coinlake.cli import analytics as analytics_cli
from coinlake.cli import aws as aws_cli
from coinlake.cli import catalog as catalog_cli
from coinlake.cli import demo as demo_cli
from coinlake.cli import ingest as ingest_cli
from coinlake.cli import lakeadmin as lakeadmin_cli
from coinlake.cli import quality as quality_cli
from coinlake.cli import query as query_cli
from coinlake.cli import run as run_cli
from coinlake.cli import schedule as schedule_cli
from coinlake.cli import transform as transform_cli
from coinlake.cli import verify as verify_cli
from coinlake.cli.common import CliState, err_console
from coinlake.errors import CoinlakeError, ConfigError
from coinlake.log import configure_logging
from coinlake.sandbox import cli as sandbox_cli

app = typer.Typer(
    name="coinlake",
    help="Crypto market data into a queryable lake: prices, trades and candles from public APIs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(sandbox_cli.app, name="sandbox")
app.command("query")(query_cli.query)
analytics_cli.register(app)
transform_cli.register(app)
verify_cli.register(app)
ingest_cli.register(app)
demo_cli.register(app)
schedule_cli.register(app)
catalog_cli.register(app)
lakeadmin_cli.register(app)
quality_cli.register(app)
run_cli.register(app)
aws_cli.register(app)

EXIT_USER_ERROR = 2
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
GLOBAL_OPTIONS = ("--lake", "--config", "--log-level", "--debug")
EXIT_INTERRUPTED = 130
EXIT_FAILURE = 1


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"coinlake {__version__}")
        raise typer.Exit


@app.callback()
def main(
    ctx: typer.Context,
    lake: Annotated[
        str | None,
        typer.Option(help="Lake location: a folder or s3://bucket/prefix [env COINLAKE_LAKE]."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Settings file (default ./coinlake.toml if present)."),
    ] = None,
    log_level: Annotated[
        str | None, typer.Option(help="DEBUG, INFO, WARNING or ERROR [env COINLAKE_LOG_LEVEL].")
    ] = None,
    debug: Annotated[bool, typer.Option(help="Show tracebacks for errors.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """coinlake: Bronze JSON -> Silver and Gold Parquet -> SQL, on a laptop or on AWS."""
    if log_level is not None and log_level.upper() not in LOG_LEVELS:
        raise ConfigError(f"--log-level {log_level!r}: choose one of {', '.join(LOG_LEVELS)}")
    overrides: dict[str, object] = {"lake": lake, "log_level": log_level}
    ctx.obj = CliState(
        config_file=config,
        overrides={k: v for k, v in overrides.items() if v is not None},
        debug=debug,
    )
    configure_logging(log_level.upper() if log_level else ("DEBUG" if debug else "WARNING"))


def _usage_error_line(exc: Exception) -> tuple[str, int] | None:
    """The one line and exit code for a command-line usage error, or None for other errors.

    Typer raises Click's exceptions (its vendored copy in recent releases, click itself in older
    ones), so they are recognised by shape: `format_message()` and `exit_code`.
    """
    if not (hasattr(exc, "format_message") and hasattr(exc, "exit_code")):
        return None
    ctx = getattr(exc, "ctx", None)
    command = getattr(ctx, "command_path", None) or "coinlake"
    message = str(exc.format_message())
    if type(exc).__name__ == "NoArgsIsHelpError":
        return message, EXIT_USER_ERROR
    option = getattr(exc, "option_name", None)
    if type(exc).__name__ == "NoSuchOption" and option in GLOBAL_OPTIONS and command != "coinlake":
        sub = command.removeprefix("coinlake ")
        return (
            f"error: {option} is a global option: put it before the command "
            f"(coinlake {option} ... {sub})",
            EXIT_USER_ERROR,
        )
    # Click's own layout is a boxed, multi-line panel; one line and where to look is enough.
    return f"error: {message} (see {command} --help)", int(exc.exit_code)


def run() -> None:
    """Console-script entry point: one clear line and a non-zero exit for every failure."""
    debug = "--debug" in sys.argv
    try:
        code = app(prog_name="coinlake", standalone_mode=False)
    except CoinlakeError as exc:
        if debug:
            raise
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(EXIT_USER_ERROR if isinstance(exc, ValueError) else EXIT_FAILURE)
    except (KeyboardInterrupt, typer.Abort):
        err_console.print("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        sys.exit(EXIT_FAILURE)
    except Exception as exc:
        usage = _usage_error_line(exc)
        if usage is not None:
            line, usage_code = usage
            typer.echo(line, err=usage_code != 0 and line.startswith("error:"))
            sys.exit(usage_code)
        if debug:
            raise
        logging.getLogger(__name__).debug("unexpected error", exc_info=True)
        err_console.print(
            f"[bold red]error:[/] unexpected {type(exc).__name__}: {exc} (re-run with --debug)",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(EXIT_FAILURE)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    run()
