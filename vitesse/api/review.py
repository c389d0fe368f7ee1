"""The routes the review page (the seed's web flow) needs beyond the five steps, each a call of one `Workflow`
method: the API catalog, the manifest, an ingested spec's endpoints and fields, mapping edits, accepting reviewed
fields, a mapping preview, the test runs, and stopping the deployment.

Errors are the seed's envelope like every other route: 400 bad input (an invalid edit names the manifest line), 404
unknown integration, 409 a step that has not run (or is stale) or another step running.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from fastapi import FastAPI, Query

from vitesse.api.models import (
    AcceptEnvelope,
    AcceptRequest,
    CatalogList,
    EndpointsEnvelope,
    IntegrationState,
    ManifestEnvelope,
    MappingEditRequest,
    PreviewEnvelope,
    PreviewRequest,
    TestRunsEnvelope,
)
from vitesse.api.workflow import Workflow


def install_review(
    app: FastAPI, workflow: Workflow, prefix: str, errors: Callable[..., dict[int | str, dict[str, Any]]], ident: Any
) -> None:
    """Add the routes under ``prefix``; ``errors`` documents error responses, ``ident`` is the id path parameter."""
    base = f"{prefix}/integrations/{{integration_id}}"

    @app.get(
        f"{prefix}/catalog",
        response_model=CatalogList,
        responses=errors(400, 500),
        summary="Discover APIs: the project's specs and catalog.yaml, ranked against q",
    )
    def catalog(
        q: str = Query("", max_length=200, description="Search text (name, description); empty lists all"),
        limit: int = Query(20, ge=1, le=200),
    ) -> dict[str, Any]:
        return workflow.catalog(q, limit)

    @app.get(
        f"{base}/manifest",
        response_model=ManifestEnvelope,
        responses=errors(400, 404, 500),
        summary="The integration's manifest: its text (comments kept) and parsed",
    )
    def get_manifest(integration_id: str = ident) -> dict[str, Any]:
        return workflow.manifest(integration_id)

    @app.get(
        f"{base}/endpoints",
        response_model=EndpointsEnvelope,
        responses=errors(400, 404, 409, 500),
        summary="A page of one side's ingested endpoints with their record fields and parameters",
    )
    def endpoints(
        integration_id: str = ident,
        side: Literal["source", "destination"] = Query("source"),
        q: str = Query("", max_length=200, description="Part of the path or summary (case-insensitive)"),
        method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"] | None = Query(None),
        limit: int = Query(50, ge=1, le=500),
        offset: int = Query(0, ge=0),
    ) -> dict[str, Any]:
        return workflow.endpoints(integration_id, side, query=q, method=method, limit=limit, offset=offset)

    @app.post(
        f"{base}/mapping",
        response_model=ManifestEnvelope,
        responses=errors(400, 404, 409, 413, 500),
        summary="Edit the manifest's mapping (hints, transforms, constants, ignore); re-run map after it",
    )
    def edit_mapping(body: MappingEditRequest, integration_id: str = ident) -> dict[str, Any]:
        return workflow.edit_mapping(integration_id, body)

    @app.post(
        f"{base}/accept",
        response_model=AcceptEnvelope,
        responses=errors(400, 404, 409, 413, 500),
        summary="Accept fields that need review into the manifest, then map again (vitesse map --accept)",
    )
    def accept(body: AcceptRequest | None = None, integration_id: str = ident) -> dict[str, Any]:
        return workflow.accept(integration_id, (body or AcceptRequest()).fields)

    @app.post(
        f"{base}/preview",
        response_model=PreviewEnvelope,
        responses=errors(400, 404, 409, 413, 500),
        summary="Run sample source records through the latest mapping; the body and errors of each",
    )
    def preview(body: PreviewRequest | None = None, integration_id: str = ident) -> dict[str, Any]:
        return workflow.preview(integration_id, body or PreviewRequest())

    @app.get(
        f"{base}/tests",
        response_model=TestRunsEnvelope,
        responses=errors(400, 404, 500),
        summary="The test runs, newest first: health score, verdict, failures with their fixes",
    )
    def test_runs(integration_id: str = ident, limit: int = Query(20, ge=1, le=200)) -> dict[str, Any]:
        return workflow.test_runs(integration_id, limit)

    @app.post(
        f"{base}/stop",
        response_model=IntegrationState,
        responses=errors(400, 404, 409, 500),
        summary="Stop the deployed service; the integration's state after it",
    )
    def stop(integration_id: str = ident) -> dict[str, Any]:
        return workflow.stop(integration_id)
