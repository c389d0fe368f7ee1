"""The seed's REST API on port 9001: the five steps over HTTP, over the same functions as the CLI and Dagster."""

from vitesse.api.app import create_app
from vitesse.api.workflow import Workflow

__all__ = ["Workflow", "create_app"]
