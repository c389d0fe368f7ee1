"""Which parts of a manifest each step depends on, and their hash.

A step's artifact records the hash of exactly these parts, so editing a manifest makes exactly the affected steps
stale (Dagster uses the same hash as the asset's code_version).
"""

from __future__ import annotations

from typing import Any

from vitesse.hashing import content_hash
from vitesse.manifest.models import Manifest

STEPS = ("create", "ingest", "map", "test", "deploy")

_SIDE_FOR_INGEST = ("api", "spec", "base_url", "spec_access")  # auth is read by test and deploy only


def step_sections(manifest: Manifest, step: str) -> dict[str, Any]:
    """The manifest data ``step`` reads, as plain JSON-able data."""
    data = manifest.model_dump(mode="json", by_alias=True)
    if step == "create":
        return data
    if step == "ingest":
        return {side: {k: data[side][k] for k in _SIDE_FOR_INGEST} for side in ("source", "destination")}
    if step == "map":  # map checks the parameters and write mode against the chosen endpoints
        return {
            "intent": data["intent"],
            "source_endpoint": data["source"]["endpoint"],
            "destination_endpoint": data["destination"]["endpoint"],
            "mapping": {k: v for k, v in data["mapping"].items() if k != "constants" or v},
            **_map_extras(data),
        }
    if step == "test":
        return {
            "test": {k: v for k, v in data["test"].items() if k != "retest"},
            "source_sandbox_url": data["source"]["sandbox_url"],
            "destination_sandbox_url": data["destination"]["sandbox_url"],
            "auth": {side: data[side]["auth"] for side in ("source", "destination")},
        }
    if step == "deploy":
        return {
            "deploy": data["deploy"],
            "runtime": data["runtime"],
            "auth": {side: data[side]["auth"] for side in ("source", "destination")},
        }
    raise ValueError(f"unknown step {step!r}; expected one of {', '.join(STEPS)}")


def _map_extras(data: dict[str, Any]) -> dict[str, Any]:
    """Parameters, incremental reads and the write mode, only when set (manifests without them keep their hash)."""
    extras: dict[str, Any] = {}
    for side in ("source", "destination"):
        if data[side]["params"]:
            extras[f"{side}_params"] = data[side]["params"]
    if data["source"]["incremental"] is not None:
        extras["incremental"] = data["source"]["incremental"]
    if data["destination"]["write"]["mode"] != "insert":
        extras["write"] = data["destination"]["write"]
    return extras


def section_hash(manifest: Manifest, step: str) -> str:
    """The content hash of the manifest sections ``step`` depends on."""
    return content_hash(step_sections(manifest, step))
