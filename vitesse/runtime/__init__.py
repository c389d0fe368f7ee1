"""The deployed integration: bundle, durable state, sync (read, transform, write), HTTP service."""

from vitesse.runtime.bundle import Bundle, build_bundle, load_bundle, write_bundle
from vitesse.runtime.state import StateStore, open_state
from vitesse.runtime.sync import Syncer, SyncResult

__all__ = ["Bundle", "StateStore", "SyncResult", "Syncer", "build_bundle", "load_bundle", "open_state", "write_bundle"]
