"""The seed's REST API (DESIGN.md section 5): routes over `Workflow`, the seed's error envelope, request limits.

Every error is ``{"status": "failed", "error": ..., "http_status": ..., "code": ...}`` with the seed's status codes:
400 bad input or a failed test, 404 unknown integration, 409 a step out of order (or another step of the same
integration still running), 413 a body over the limit, 500 a failed deploy. Never a stack trace.
"""

from __future__ import annotations

import logging
from importlib.metadata import version
from typing import Any

from fastapi import FastAPI, Header, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from vitesse.api.docs import install_docs
from vitesse.api.guard import BodyLimit, HostCheck, RequestAuth, envelope
from vitesse.api.guard import allowed_hosts as guard_hosts
from vitesse.api.models import (
    CreateEnvelope,
    CreateRequest,
    DeployEnvelope,
    DeployRequest,
    ErrorEnvelope,
    IngestEnvelope,
    IngestRequest,
    IntegrationList,
    IntegrationState,
    MapEnvelope,
    MapRequest,
    TestEnvelope,
    TestRequest,
)
from vitesse.api.review import install_review
from vitesse.api.webui import install_web
from vitesse.api.workflow import Workflow
from vitesse.errors import VitesseError
from vitesse.project import Project

PREFIX = "/api/v1/vitesse"
MAX_BODY_BYTES = 1_000_000
logger = logging.getLogger("vitesse.api")

IntegrationId = Path(
    min_length=1, max_length=200, description="The integration's id (a stable UUID) or its manifest name"
)
IdempotencyKey = Header(
    None,
    alias="Idempotency-Key",
    max_length=200,
    description="Retry safely: the same key and body within 24 h return the first answer instead of running again",
)


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    meaning = {
        400: "Bad input (names the field) or a failed step, e.g. the health score below the threshold",
        404: "No integration with this id",
        409: "A step called out of order, an existing integration with other settings, or a step already running",
        413: "The request body is over the size limit",
        500: "The deploy (or the server) failed",
    }
    return {code: {"model": ErrorEnvelope, "description": meaning[code]} for code in codes}


def _validation_message(exc: RequestValidationError) -> str:
    problems = []
    for error in exc.errors()[:5]:
        where = ".".join(str(part) for part in error["loc"] if part != "body") or "body"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "json_invalid":
            where, message = "body", f"invalid JSON ({error.get('ctx', {}).get('error', 'cannot be parsed')})"
        elif error["type"] == "extra_forbidden":
            message = "unknown field"
        problems.append(f"{where}: {message}")
    more = len(exc.errors()) - 5
    return "; ".join(problems) + (f"; ... and {more} more" if more > 0 else "")


STEP_ROUTES = (
    ("ingest", IngestRequest, IngestEnvelope, "Step 2: ingest both OpenAPI specs"),
    ("map", MapRequest, MapEnvelope, "Step 3: propose the field mapping"),
    ("test", TestRequest, TestEnvelope, "Step 4: test on synthetic records; the health score gates deploy"),
    ("deploy", DeployRequest, DeployEnvelope, "Step 5: deploy on the manifest's target"),
)


def _step_endpoint(workflow: Workflow, step: str, request_model: type) -> Any:
    """The route function of one step: an optional JSON body of ``request_model``, the integration id in the path."""

    def endpoint(
        body: Any = None, integration_id: str = IntegrationId, idempotency_key: str | None = IdempotencyKey
    ) -> dict[str, Any]:
        return workflow.run(integration_id, step, body or request_model(), idempotency_key=idempotency_key)

    endpoint.__annotations__ = {
        "body": request_model | None,
        "integration_id": str,
        "idempotency_key": str | None,
        "return": dict[str, Any],
    }
    endpoint.__name__ = f"{step}_step"
    return endpoint


def create_app(
    project: Project,
    *,
    lock_timeout: float = 60.0,
    max_body_bytes: int = MAX_BODY_BYTES,
    cors_origins: list[str] | None = None,
    token: str | None = None,
    bound_host: str = "127.0.0.1",
    allowed_hosts: list[str] | None = None,
) -> FastAPI:
    """The API over ``project`` (its ``integrations/`` and artifact store); ``cors_origins`` lets a browser app on
    those origins (the seed's React flow) call it. ``token``: every request needs it as a bearer token (see
    `vitesse.api.guard`); ``Host`` must be ``bound_host``, a loopback name or one of ``allowed_hosts``."""
    workflow = Workflow(project, lock_timeout=lock_timeout)
    app = FastAPI(
        title="vitesse",
        version=version("vitesse"),
        description="The five-step integration workflow: create, ingest, map, test, deploy.",
        docs_url=None,  # the CDN-free pages of vitesse.api.docs instead
        redoc_url=None,
    )
    install_docs(app)
    install_web(app)  # the web flow at /ui/ (and / redirecting there)
    # the last added runs first: Host check, then CORS (preflights carry no token), then the token and JSON checks
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(RequestAuth, token=token)
    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
        )
    app.add_middleware(HostCheck, hosts=guard_hosts(bound_host, allowed_hosts or []))

    @app.exception_handler(VitesseError)
    async def vitesse_error(request: Request, exc: VitesseError) -> JSONResponse:
        return envelope(exc.message, exc.http_status, exc.code)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return envelope(_validation_message(exc), 400, "request.invalid")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "route.not_found", 405: "route.method_not_allowed", 413: "request.too_large"}
        return envelope(str(exc.detail), exc.status_code, code.get(exc.status_code, "request.invalid"))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("internal error on %s %s", request.method, request.url.path)
        return envelope(f"internal error ({type(exc).__name__}); see the server log", 500, "internal")

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post(
        f"{PREFIX}/integrations",
        status_code=201,
        response_model=CreateEnvelope,
        responses={200: {"model": CreateEnvelope, "description": "Already created by the same request"}}
        | _errors(400, 409, 413, 500),
        summary="Step 1: create the integration (writes integrations/<name>.yaml)",
    )
    def create_integration(body: CreateRequest, response: Response) -> dict[str, Any]:
        result, created = workflow.create(body)
        if not created:
            response.status_code = 200
        return result

    for step, request_model, envelope_model, summary in STEP_ROUTES:
        app.add_api_route(
            f"{PREFIX}/integrations/{{integration_id}}/{step}",
            _step_endpoint(workflow, step, request_model),
            methods=["POST"],
            response_model=envelope_model,
            responses=_errors(400, 404, 409, 413, 500),
            summary=summary,
            name=f"{step}_step",
        )

    @app.get(
        f"{PREFIX}/integrations/{{integration_id}}",
        response_model=IntegrationState,
        responses=_errors(400, 404, 500),
        summary="One integration: status, health score, last update, step artifacts",
    )
    def get_integration(integration_id: str = IntegrationId) -> dict[str, Any]:
        return workflow.get(integration_id)

    @app.get(
        f"{PREFIX}/integrations",
        response_model=IntegrationList,
        responses=_errors(500),
        summary="All integrations",
    )
    def list_integrations() -> dict[str, Any]:
        return workflow.list()

    install_review(app, workflow, PREFIX, _errors, IntegrationId)

    def openapi() -> dict[str, Any]:
        """The generated document without FastAPI's 422 responses: validation errors are the seed's 400."""
        if app.openapi_schema is None:
            doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            guarded = {"421": "The Host header is not an allowed host of this server"}
            if token:
                guarded["401"] = "No Authorization: Bearer <VITESSE_API_TOKEN> header, or a wrong token"
            error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}
            for operations in doc["paths"].values():
                for method, operation in operations.items():
                    responses = operation.setdefault("responses", {})
                    responses.pop("422", None)
                    codes = guarded | ({"415": "The body is not sent as application/json"} if method == "post" else {})
                    for code, meaning in codes.items():
                        responses.setdefault(code, {"description": meaning, "content": error})
            for name in ("HTTPValidationError", "ValidationError"):
                doc.get("components", {}).get("schemas", {}).pop(name, None)
            if token:
                doc.setdefault("components", {})["securitySchemes"] = {
                    "bearer": {"type": "http", "scheme": "bearer", "description": "The server's VITESSE_API_TOKEN"}
                }
                doc["security"] = [{"bearer": []}]
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
