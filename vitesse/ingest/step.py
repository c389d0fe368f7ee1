"""The ingest step over a manifest: both sides' specs -> the ``ingest`` artifact (status ``mapping``)."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from vitesse.artifacts import Artifact, ArtifactStore
from vitesse.artifacts.steps import run_step
from vitesse.create import ensure_created
from vitesse.errors import SpecError
from vitesse.ingest.auth import suggested_auth, yaml_flow
from vitesse.ingest.drift import ingest_drift
from vitesse.ingest.fetch import to_uri, uri_path
from vitesse.ingest.models import ApiSpec
from vitesse.ingest.params import check_sides
from vitesse.ingest.spec import ingest_spec
from vitesse.manifest import ManifestFile
from vitesse.manifest.models import Side


def specs_of(ingested: Artifact) -> tuple[ApiSpec, ApiSpec]:
    """The normalized source and destination specs stored by ingest."""
    data = ingested.data
    return ApiSpec.model_validate(data["source_api_spec"]), ApiSpec.model_validate(data["dest_api_spec"])


SIDES = (("source", "source_api_spec", "source_endpoints"), ("destination", "dest_api_spec", "dest_endpoints"))


def ingest_side(mf: ManifestFile, side_name: str, *, full_validation: bool = False) -> ApiSpec:
    """Ingest one side's spec as its manifest describes it."""
    side: Side = getattr(mf.manifest, side_name)
    if not side.spec:
        raise SpecError(
            f"{mf.path}: {side_name}.spec is not set; name the OpenAPI document to ingest", code="spec.missing"
        )
    check_contained(mf, side_name, side)
    try:
        spec = ingest_spec(
            side.spec,
            base_dir=mf.folder,
            access=side.spec_access,
            api_name=side.api,
            base_url=side.base_url,
            full_validation=full_validation,
        )
    except SpecError as exc:
        raise SpecError(f"Failed to ingest {side_name} API spec: {exc.message}", code=exc.code) from None
    if side.endpoint and spec.endpoint(side.endpoint) is None:
        known = [e.key for e in spec.endpoints]
        close = difflib.get_close_matches(side.endpoint, known, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        spec.warnings.append(f"{side_name}.endpoint {side.endpoint!r} is not in the spec{hint}")
    if side.auth is None and (warning := _missing_auth(side_name, side, spec)):
        spec.warnings.append(warning)
    return spec


def check_contained(mf: ManifestFile, side_name: str, side: Side) -> None:
    """A local spec must resolve (symlinks followed) inside the project folder unless ``spec_access`` allows more."""
    assert side.spec is not None
    uri = to_uri(side.spec, mf.folder)
    if urlparse(uri).scheme != "file" or side.spec_access.outside_project:
        return
    root = mf.project_root.resolve()
    try:
        resolved = uri_path(uri).resolve()
    except (OSError, RuntimeError):  # a symlink loop
        resolved = uri_path(uri)
    if not resolved.is_relative_to(root):
        raise SpecError(
            f"{mf.path}: {side_name}.spec: {side.spec!r} resolves to {resolved}, outside the project folder {root}; "
            f"copy the spec into the project, or set {side_name}.spec_access.outside_project: true",
            code="spec.outside_project",
        )


def _missing_auth(side_name: str, side: Side, spec: ApiSpec) -> str | None:
    """A warning when the side's endpoint (or, before one is chosen, every endpoint) needs auth the manifest lacks."""
    chosen = spec.endpoint(side.endpoint) if side.endpoint else None
    endpoints = [chosen] if chosen is not None else spec.endpoints
    if not endpoints or not all(e.security for e in endpoints):
        return None
    needed = {name for e in endpoints for alternative in e.security for name in alternative}
    schemes = [s.model_dump() for s in spec.auth if s.name in needed]
    example = suggested_auth(side.api, schemes)
    return (
        f"the spec requires auth ({', '.join(sorted(needed))}) and {side_name}.auth is not set: test-step shadow "
        "calls carry a placeholder credential and the deployed service sends none; add "
        + (f"{side_name}.auth: {yaml_flow(example)}" if example else f"{side_name}.auth")
    )


def ingest_data(
    mf: ManifestFile,
    store: ArtifactStore,
    *,
    full_validation: bool = False,
    progress: Callable[[str], None] | None = None,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, ApiSpec]]:
    """What ingest stores, built in memory and written nowhere: (``data``, the extra ``inputs``, the specs by
    side). The step stores it; `vitesse plan` compares it with the latest ingest."""
    data: dict[str, Any] = {}
    digests = {}
    named = []  # the endpoints the manifest names: their params, incremental read and write mode are checked
    specs = {}
    for side_name, spec_key, endpoints_key in SIDES:
        if progress:
            progress(f"{mf.name}: ingesting {side_name} spec {getattr(mf.manifest, side_name).spec}")
        spec = specs[side_name] = ingest_side(mf, side_name, full_validation=full_validation)
        data[spec_key] = spec.model_dump(mode="json")
        data[endpoints_key] = list(dict.fromkeys(e.path for e in spec.endpoints))
        digests[side_name] = spec.source.sha256
        if progress:
            progress(f"{mf.name}: {side_name}: {len(spec.endpoints)} endpoints, {len(spec.warnings)} warnings")
        endpoint = getattr(mf.manifest, side_name).endpoint
        if endpoint and (found := spec.endpoint(endpoint)) is not None:
            named.append((side_name, spec, found))
    check_sides(mf, named)
    data["drift"] = ingest_drift(store, mf, data, specs)
    return data, {"spec_sha256": digests}, specs


def ingest(
    mf: ManifestFile,
    store: ArtifactStore,
    *,
    full_validation: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Artifact:
    """Run ingest for one integration and store the seed's ``source_api_spec`` / ``dest_api_spec``, and ``drift``:
    how the fields the integration uses changed since its baseline ingest (`vitesse.ingest.drift`); the ``create``
    artifact is recorded (when new or changed) once both specs are in; ingest does not build on it (editing the
    description does not make the specs stale)."""

    def produce() -> tuple[dict[str, Any], dict[str, Any]]:
        data, inputs, _ = ingest_data(mf, store, full_validation=full_validation, progress=progress)
        ensure_created(mf, store)  # recorded again when what it reads changed; nothing here depends on it
        return data, inputs

    return run_step(store, mf, "ingest", produce)
