"""Terminal output helpers for the CLI: JSON, tables, progress on stderr."""

from __future__ import annotations

import sys
from typing import Any

import click

from vitesse import jsoncodec


def emit_json(value: Any) -> None:
    click.echo(jsoncodec.dumps(value, indent=True).decode())


def progress(message: str) -> None:
    """Progress for long work goes to stderr, so stdout stays parseable."""
    click.echo(message, err=True)


def table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=False)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


def is_tty() -> bool:
    return sys.stdout.isatty()
