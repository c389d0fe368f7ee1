"""The `vitesse` command line."""

from vitesse.cli.app import cli, main

__all__ = ["cli", "main"]
