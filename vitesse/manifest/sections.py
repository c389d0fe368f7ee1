"""Which parts of a manifest each step depends on, and their hash.

A step's artifact records the hash of exactly these parts, so editing a manifest makes exactly the affected steps
stale (Dagster uses the same hash as the asset's code_version), and the hash of each part by its place in the manifest
(`section_parts`), so `vitesse status` can say which key changed (`vitesse.artifacts.freshness`).
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
        return create_sections(data)
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


def create_sections(data: dict[str, Any]) -> dict[str, Any]:
    """What create records (the seed's Integration record), from a manifest as plain data: the name, description,
    intent, each side's api and discovery, and ``deploy.environment`` (the seed's deployment_target)."""
    return {
        "name": data["name"],
        "description": data["description"],
        "intent": data["intent"],
        **{
            side: {"api": data[side]["api"], "discovery": data[side]["discovery"]} for side in ("source", "destination")
        },
        "deploy": {"environment": data["deploy"]["environment"]},
    }


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


_PLACES = {
    "source_endpoint": "source.endpoint",
    "destination_endpoint": "destination.endpoint",
    "source_params": "source.params",
    "destination_params": "destination.params",
    "incremental": "source.incremental",
    "write": "destination.write",
    "source_sandbox_url": "source.sandbox_url",
    "destination_sandbox_url": "destination.sandbox_url",
}
_NESTED = ("source", "destination", "mapping", "test", "deploy", "runtime")


def parts_of(sections: dict[str, Any]) -> dict[str, str]:
    """The hash of each part of ``sections`` (from `step_sections`) by its place in the manifest: ``mapping.hints``,
    ``source.endpoint``, ``destination.auth``..."""
    places: dict[str, Any] = {}
    for key, value in sections.items():
        if key == "auth":
            places.update({f"{side}.auth": auth for side, auth in value.items()})
        elif key in _NESTED and isinstance(value, dict):
            places.update({f"{key}.{sub}": part for sub, part in value.items()})
        else:
            places[_PLACES.get(key, key)] = value
    return {place: content_hash(value, 12) for place, value in sorted(places.items())}


def section_parts(manifest: Manifest, step: str) -> dict[str, str]:
    """`parts_of` the sections ``step`` reads."""
    return parts_of(step_sections(manifest, step))


def manifest_inputs(manifest: Manifest, step: str) -> dict[str, Any]:
    """What a step's artifact records of the manifest in its ``inputs``: the hash of the sections it read
    (``manifest``) and of each of their parts (``manifest_sections``)."""
    return {"manifest": section_hash(manifest, step), "manifest_sections": section_parts(manifest, step)}
