"""Options and error handling every `vitesse` command shares."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from vitesse.cli.output import emit_json
from vitesse.envelope import failed_envelope
from vitesse.errors import VitesseError

project_option = click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The project folder (holds integrations/ and .vitesse/).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print the seed's JSON response envelope.")


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a `VitesseError` into its message (or JSON envelope) and exit code 1; never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        as_json = kwargs.get("as_json", False)
        try:
            return func(*args, **kwargs)
        except VitesseError as exc:
            if as_json:
                emit_json(failed_envelope(exc))
            click.echo(f"error: {exc.message}" if "\n" not in exc.message else exc.message, err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:  # the reader went away (`vitesse plan | head`): stop quietly, as cat does
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes
            sys.exit(141)
        except click.ClickException:
            raise  # a usage error: click prints it, exit code 2
        except Exception as exc:
            if os.environ.get("VITESSE_DEBUG"):
                raise
            click.echo(
                f"internal error: {type(exc).__name__}: {exc} (set VITESSE_DEBUG=1 for the traceback and "
                "please report it)",
                err=True,
            )
            sys.exit(1)

    return wrapper
