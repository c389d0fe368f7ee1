"""The map step over a manifest: ingest artifact -> ``mapping_logic`` artifact (status ``testing``)."""

from __future__ import annotations

from typing import Any

from vitesse.artifacts import Artifact, ArtifactStore
from vitesse.artifacts.steps import run_step, upstream
from vitesse.errors import MappingError
from vitesse.ingest.drift import explain_mapping_error
from vitesse.ingest.models import ApiSpec
from vitesse.ingest.params import check_sides
from vitesse.ingest.step import specs_of
from vitesse.manifest import ManifestFile
from vitesse.mapping.compile import compile_mapping
from vitesse.mapping.endpoints import choose_destination, choose_source, named_endpoint
from vitesse.mapping.learning import evidence_from
from vitesse.mapping.models import EndpointChoice, MappingLogic
from vitesse.mapping.proposals import propose_keys
from vitesse.mapping.propose import propose_mapping, record_fields


def build_mapping(mf: ManifestFile, source: ApiSpec, dest: ApiSpec, peers: list[ManifestFile]) -> MappingLogic:
    """Choose (or look up) both endpoints and propose the mapping between them."""
    m = mf.manifest
    choices: dict[str, EndpointChoice] = {}
    if m.source.endpoint:
        source_endpoint = named_endpoint(source, m.source.endpoint, "source")
        choices["source"] = EndpointChoice(chosen=source_endpoint.key, from_manifest=True)
    else:
        choices["source"] = choose_source(source, m.intent or m.description)
        source_endpoint = source.endpoint(choices["source"].chosen)
    if m.destination.endpoint:
        dest_endpoint = named_endpoint(dest, m.destination.endpoint, "destination")
        choices["destination"] = EndpointChoice(chosen=dest_endpoint.key, from_manifest=True)
    else:
        fields = record_fields(source, source_endpoint)
        choices["destination"] = choose_destination(dest, m.intent or m.description, fields)
        dest_endpoint = dest.endpoint(choices["destination"].chosen)
    # the params, incremental read and write mode fit both endpoints, also those the mapper chose
    check_sides(mf, [("source", source, source_endpoint), ("destination", dest, dest_endpoint)])
    logic = propose_mapping(
        source,
        source_endpoint,
        dest,
        dest_endpoint,
        m.mapping,
        intent=m.intent,
        evidence=evidence_from(peers, exclude=mf.name),
        endpoint_choice=choices,
    )
    compile_mapping(logic)  # refuse now what could not run later
    logic.proposals = propose_keys(m, source, source_endpoint, dest, dest_endpoint)
    return logic


def map_integration(mf: ManifestFile, store: ArtifactStore, *, peers: list[ManifestFile] | None = None) -> Artifact:
    """Run the map step: needs a current ingest; stores the seed's ``mapping_logic``."""
    ingested = upstream(store, mf, "ingest", needed_by="map")

    def produce() -> tuple[dict[str, Any], dict[str, Any]]:
        source, dest = specs_of(ingested)
        try:
            logic = build_mapping(mf, source, dest, peers or [])
        except MappingError as exc:  # a field or endpoint the manifest names that the spec dropped: say so
            message = explain_mapping_error(exc.message, ingested.data.get("drift"))
            raise MappingError(message, code=exc.code, http_status=exc.http_status) from None
        return {"mapping_logic": logic.model_dump(mode="json")}, {"ingest": ingested.version}

    return run_step(store, mf, "map", produce)
