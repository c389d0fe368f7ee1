"""The deployed integration: bundle, durable state, sync (read, transform, write), HTTP service.

Names are imported on first use: the bundle and the state store do not need the sync loop's aiohttp and jsonschema,
so `import vitesse.runtime.bundle` (the deploy step's renderer, `vitesse runtime bundle`) stays cheap.
"""

from vitesse.lazy import lazy_names

_LAZY = {
    "Bundle": "vitesse.runtime.bundle",
    "build_bundle": "vitesse.runtime.bundle",
    "load_bundle": "vitesse.runtime.bundle",
    "write_bundle": "vitesse.runtime.bundle",
    "StateStore": "vitesse.runtime.state",
    "open_state": "vitesse.runtime.state",
    "SyncResult": "vitesse.runtime.sync",
    "Syncer": "vitesse.runtime.sync",
}

__all__ = ["Bundle", "StateStore", "SyncResult", "Syncer", "build_bundle", "load_bundle", "open_state", "write_bundle"]


__getattr__, __dir__ = lazy_names("vitesse.runtime", globals(), _LAZY, __all__)
