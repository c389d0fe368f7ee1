"""The runtime's durable state, in SQLite (a file, one replica) or PostgreSQL (shared by every replica).

`open_state` picks the store from a location: a path is SQLite, a ``postgresql://`` URL is PostgreSQL; the
registry `STATE_STORES` names the known kinds. `state_location` says where a bundle's state lives when no
``--state`` is given: beside the bundle for SQLite, the URL in ``runtime.state.url_env`` for PostgreSQL.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Any

from vitesse.errors import RuntimeSyncError
from vitesse.runtime.state.base import (
    FAILURE_KINDS,
    Failure,
    Lease,
    OpenLetter,
    RecordState,
    Settled,
    SqlStateStore,
    StateStore,
)

STATE_STORES: dict[str, str] = {
    "sqlite": "vitesse.runtime.state.sqlite:SqliteStateStore",
    "postgresql": "vitesse.runtime.state.postgres:PostgresStateStore",
}
"""Store kind -> its class (imported on first use: SQLite users never load psycopg)."""

_SCHEMES = {"postgresql": "postgresql", "postgres": "postgresql", "sqlite": "sqlite"}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def _store_class(kind: str) -> Any:
    import importlib

    module, _, name = STATE_STORES[kind].partition(":")
    return getattr(importlib.import_module(module), name)


def open_state(location: str | Path, integration: str) -> SqlStateStore:
    """The state store at ``location`` (a SQLite path, ``sqlite:///path`` or a ``postgresql://`` URL), migrated."""
    text = str(location)
    match = _SCHEME.match(text)
    if match is None:
        return _store_class("sqlite")(Path(text), integration)
    scheme = match.group(1).lower()
    kind = _SCHEMES.get(scheme)
    if kind is None:
        close = difflib.get_close_matches(scheme, list(_SCHEMES), n=1)
        hint = f"; did you mean {close[0]}://?" if close else ""
        raise RuntimeSyncError(
            f"state {scheme}://...: unknown kind of state store (known: a SQLite file path or sqlite:///path, "
            f"postgresql://){hint}",
            code="runtime.state_unknown",
        )
    if kind == "sqlite":
        return _store_class("sqlite")(Path(text[len(match.group(0)) :]), integration)
    return _store_class(kind)(text, integration)


def state_location(runtime: Any, bundle_path: Path, integration: str, explicit: str | Path | None = None) -> str:
    """Where an integration's state lives: ``explicit`` (``--state``), else what ``runtime.state`` says."""
    if explicit:
        return str(explicit)
    config = runtime.state
    if config.type == "postgresql":
        url = os.environ.get(config.url_env, "").strip()
        if not url:
            raise RuntimeSyncError(
                f"runtime.state is postgresql but the environment variable {config.url_env} is not set: set it to "
                "the database URL (postgresql://user:password@host:5432/db) or pass --state",
                code="runtime.state_url_missing",
            )
        return url
    return str(Path(bundle_path).parent / f"{integration}.state.sqlite")


__all__ = [
    "FAILURE_KINDS",
    "STATE_STORES",
    "Failure",
    "Lease",
    "OpenLetter",
    "RecordState",
    "Settled",
    "SqlStateStore",
    "StateStore",
    "open_state",
    "state_location",
]
