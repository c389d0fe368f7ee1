"""The ingest step over a manifest: both sides' specs -> the ``ingest`` artifact (status ``mapping``)."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from vitesse.artifacts import Artifact, ArtifactStore
from vitesse.artifacts.steps import run_step
from vitesse.create import ensure_created
from vitesse.errors import SpecError
from vitesse.ingest.models import ApiSpec
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
    return spec


def ingest(
    mf: ManifestFile,
    store: ArtifactStore,
    *,
    full_validation: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Artifact:
    """Run ingest for one integration and store the seed's ``source_api_spec`` / ``dest_api_spec``."""
    created = ensure_created(mf, store)

    def produce() -> tuple[dict[str, Any], dict[str, Any]]:
        data: dict[str, Any] = {}
        digests = {}
        for side_name, spec_key, endpoints_key in SIDES:
            if progress:
                progress(f"{mf.name}: ingesting {side_name} spec {getattr(mf.manifest, side_name).spec}")
            spec = ingest_side(mf, side_name, full_validation=full_validation)
            data[spec_key] = spec.model_dump(mode="json")
            data[endpoints_key] = list(dict.fromkeys(e.path for e in spec.endpoints))
            digests[side_name] = spec.source.sha256
            if progress:
                progress(f"{mf.name}: {side_name}: {len(spec.endpoints)} endpoints, {len(spec.warnings)} warnings")
        return data, {"create": created.version, "spec_sha256": digests}

    return run_step(store, mf, "ingest", produce)
