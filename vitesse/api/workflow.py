"""The seed's five-step workflow over a project: each request is written into the manifest, then the same step
function as the CLI and Dagster runs, under the integration's lock.

A step that fails before storing its result leaves the manifest as it was (a failed test keeps both: its results
are stored and the gate reports them). Step calls are idempotent: the same request on the same state stores the
same artifact version, and a deploy whose bundle is already running healthy is not redone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from vitesse.api.idempotency import IdempotencyKeys
from vitesse.api.models import (
    CreateRequest,
    DeployRequest,
    DiscoveryIn,
    IngestRequest,
    MappingEditRequest,
    MapRequest,
    PreviewRequest,
    TestRequest,
)
from vitesse.artifacts import Artifact, integration_id, read_status, write_atomic
from vitesse.artifacts.steps import upstream
from vitesse.create import create
from vitesse.envelope import (
    integration_list,
    integration_record,
    integration_state,
    manifest_data,
    next_step,
    step_envelope,
    success_envelope,
    test_runs,
)
from vitesse.errors import (
    ConflictError,
    DeployError,
    GateError,
    ManifestError,
    NotFoundError,
    StepOrderError,
    VitesseError,
)
from vitesse.manifest import Manifest, ManifestFile
from vitesse.manifest.edit import edit_manifest, edit_mapping, write_manifest
from vitesse.project import Project

TARGET_FOR_ENVIRONMENT = {"local": "process", "eks": "kubernetes", "ecs": "ecs"}
WRITE_METHODS = ("POST", "PUT", "PATCH")
StepRequest = IngestRequest | MapRequest | TestRequest | DeployRequest


def slug(title: str) -> str:
    """The manifest name for a display name: 'Salesforce to HubSpot Sync' -> 'salesforce-to-hubspot-sync'."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    name = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if name and not name[0].isalpha():
        name = f"integration-{name}"
    name = name[:63].rstrip("-")
    if not name:
        raise ManifestError(["name: needs at least one letter or digit (it becomes the manifest's file name)"])
    return name


def _discovery(found: DiscoveryIn) -> dict[str, Any]:
    return {"api": found.api_name} | (
        {"discovery": details}
        if (details := found.model_dump(exclude={"api_name"}, exclude_none=True, exclude_defaults=True))
        else {}
    )


@dataclass(frozen=True)
class Workflow:
    project: Project
    lock_timeout: float = 60.0

    # -- lookups -------------------------------------------------------------------------------------------------

    def resolve(self, ident: str) -> ManifestFile:
        """The integration with id (or manifest name) ``ident``; 404 when there is none."""
        for name in self.project.names():
            if ident in (name, integration_id(name)):
                return self.project.load(name)
        raise NotFoundError(f"integration {ident!r} not found; GET /api/v1/vitesse/integrations lists them")

    def get(self, ident: str) -> dict[str, Any]:
        return integration_state(self.project.store, self.resolve(ident))

    def list(self) -> dict[str, Any]:
        return integration_list(self.project)

    # -- the review page: reads and edits around the steps ----------------------------------------------------------

    def catalog(self, query: str, limit: int) -> dict[str, Any]:
        from vitesse.catalog import search_catalog

        found = search_catalog(self.project.root, query, limit)
        data = [e.as_dict() for e in found.entries]
        return {"status": "success", "data": data, "count": len(data), "warnings": found.warnings}

    def _answer(self, mf: ManifestFile, data: Any) -> dict[str, Any]:
        return success_envelope(mf.name, read_status(self.project.store, mf.name).status, data)

    def manifest(self, ident: str) -> dict[str, Any]:
        mf = self.resolve(ident)
        return self._answer(mf, manifest_data(mf))

    def endpoints(self, ident: str, side: Literal["source", "destination"], **filters: Any) -> dict[str, Any]:
        """A page of one side's endpoints from the latest ingest (current or not: the page shows what was read)."""
        from vitesse.mapping.listing import endpoint_page

        mf = self.resolve(ident)
        ingested = self.project.store.latest(mf.name, "ingest")
        if ingested is None:
            raise StepOrderError(
                f"{mf.name}: not ingested yet; run the ingest step (POST /api/v1/vitesse/integrations/"
                f"{integration_id(mf.name)}/ingest, or `vitesse ingest {mf.name}`) to read its endpoints"
            )
        return self._answer(mf, endpoint_page(ingested.data, side, **filters))

    def edit_mapping(self, ident: str, request: MappingEditRequest) -> dict[str, Any]:
        """Write the mapping changes into the manifest (validated first; nothing written when invalid)."""
        mf = self.resolve(ident)
        with self.project.store.lock(mf.name, timeout=self.lock_timeout):
            written = edit_mapping(
                self.project.load(mf.name).path,
                hints=request.hints,
                remove_hints=request.remove_hints,
                transforms=None
                if request.transforms is None
                else [t.model_dump(exclude_none=True) for t in request.transforms],
                constants=request.constants,
                ignore=request.ignore,
            )
        return self._answer(written, manifest_data(written))

    def accept(self, ident: str, fields: list[str] | None) -> dict[str, Any]:
        """`vitesse map NAME --accept [FIELD...]`: map, accept into the manifest, map again."""
        from vitesse.mapping.accept import map_accepting

        mf = self.resolve(ident)
        with self.project.store.lock(mf.name, timeout=self.lock_timeout):
            mf = self.project.load(mf.name)
            artifact, written, accepted = map_accepting(
                mf, self.project.store, fields or (), peers=self.project.peers(exclude=mf.name)
            )
        shown = manifest_data(written)
        data = {
            "accepted": accepted.fields,
            "entries": accepted.lines(),
            "map_version": artifact.version,
            "manifest": {"path": shown["path"], "yaml": shown["yaml"]},
        }
        return self._answer(written, data)

    def preview(self, ident: str, request: PreviewRequest) -> dict[str, Any]:
        from vitesse.fixtures.preview import preview

        mf = self.resolve(ident)
        records = [dict(r) for r in request.records] if request.records is not None else None
        found = preview(mf, self.project.store, count=request.count, seed=request.seed, records=records)
        return self._answer(mf, found)

    def test_runs(self, ident: str, limit: int) -> dict[str, Any]:
        mf = self.resolve(ident)
        return self._answer(mf, test_runs(self.project.store, mf.name, limit))

    def stop(self, ident: str) -> dict[str, Any]:
        """Stop the deployed service; the integration's state after it (`get`)."""
        from vitesse.deploy import stop

        mf = self.resolve(ident)
        store = self.project.store
        with store.lock(mf.name, timeout=self.lock_timeout):
            deployed = store.latest(mf.name, "deploy")
            if deployed is None or deployed.data.get("dry_run"):
                raise StepOrderError(f"{mf.name}: nothing is deployed (run the deploy step first); nothing to stop")
            try:
                stop(self.project.load(mf.name), store)
            except DeployError as exc:
                if exc.code != "deploy.not_running":
                    raise
                raise VitesseError(exc.message, code=exc.code, http_status=409) from None
        return self.get(mf.name)

    # -- step 1 --------------------------------------------------------------------------------------------------

    def create(self, request: CreateRequest) -> tuple[dict[str, Any], bool]:
        """Write ``integrations/<slug>.yaml`` and record it; (envelope, created). The same request again returns the
        integration as it is; a different one under the same name is a 409."""
        name = slug(request.name)
        wanted: dict[str, Any] = {
            "version": 1,
            "name": name,
            "title": request.name,
            "description": request.description,
            "intent": request.user_intent,
            "source": _discovery(request.source_discovery),
            "destination": _discovery(request.dest_discovery),
            "deploy": {
                "target": request.target or TARGET_FOR_ENVIRONMENT[request.deployment_target],
                "environment": request.deployment_target,
            },
        }
        store = self.project.store
        with store.lock(name, timeout=self.lock_timeout):
            path = self.project.integrations_dir / f"{name}.yaml"
            existing = self.project.manifest_path(name)
            if existing.exists():
                mf = self.project.load(name)
                if not _same_creation(mf, wanted):
                    raise ConflictError(
                        f"integration {name!r} already exists ({existing.name}) with other settings; pick another "
                        "name, or change it through the step endpoints or in git"
                    )
                artifact = store.latest(name, "create") or create(mf, store)
                status = read_status(store, name).status
                data = {"integration": integration_record(mf, artifact.data, status), "version": artifact.version}
                return success_envelope(name, status, data | next_step("create", name)), False
            mf = write_manifest(path, wanted, header="Created through the vitesse REST API; edit freely, keep in git.")
            try:
                artifact = create(mf, store)
            except VitesseError:
                path.unlink(missing_ok=True)
                raise
            return step_envelope("create", artifact, mf), True

    # -- steps 2-5 -----------------------------------------------------------------------------------------------

    def run(self, ident: str, step: str, request: StepRequest, *, idempotency_key: str | None = None) -> dict[str, Any]:
        """Write the request into the manifest and run the step; with ``idempotency_key``, a retry of the same
        request returns the first answer (see `vitesse.api.idempotency`)."""
        mf = self.resolve(ident)
        store = self.project.store
        keys = IdempotencyKeys(store)
        body = request.model_dump(mode="json")
        with store.lock(mf.name, timeout=self.lock_timeout):
            if idempotency_key and (saved := keys.replay(mf.name, step, idempotency_key, body)) is not None:
                return saved[0]
            answer = self._run_locked(mf.name, step, request)
            if idempotency_key:
                keys.remember(mf.name, step, idempotency_key, body, answer, 200)
        return answer

    def _run_locked(self, name: str, step: str, request: StepRequest) -> dict[str, Any]:
        """The step call proper; the caller holds the integration's lock."""
        mf = self.project.load(name)  # as it is now that we hold the lock
        changes = _changes(self.project, mf, request)
        before = mf.path.read_text()
        if changes:
            mf = edit_manifest(mf.path, changes)
        try:
            artifact = self._run_step(mf, request)
            if isinstance(request, IngestRequest):
                mf = _declare_auth(mf, artifact)
        except GateError:
            raise  # the results are stored and match the manifest as edited
        except VitesseError:
            if changes and mf.path.read_text() != before:
                write_atomic(mf.path, before.encode())
            raise
        return step_envelope(step, artifact, mf)

    def _run_step(self, mf: ManifestFile, request: StepRequest) -> Artifact:
        from vitesse.deploy import deploy
        from vitesse.guardian import test_integration
        from vitesse.ingest import ingest
        from vitesse.mapping import map_integration

        store = self.project.store
        if isinstance(request, IngestRequest):
            return ingest(mf, store, full_validation=request.full_validation)
        if isinstance(request, MapRequest):
            return map_integration(mf, store, peers=self.project.peers(exclude=mf.name))
        if isinstance(request, TestRequest):
            from vitesse.guardian.step import request_sandboxes

            urls = {"source": request.source_sandbox_url, "destination": request.dest_sandbox_url}
            return test_integration(mf, store, sandboxes=request_sandboxes(mf, urls))
        return deploy(mf, store, dry_run=request.dry_run, reuse_running=True)


def _declare_auth(mf: ManifestFile, ingested: Artifact) -> ManifestFile:
    """Give each side without ``auth`` the one its spec declares (secrets by env variable name), so shadow calls and
    the deployed service authenticate; the manifest says which variables to set."""
    from vitesse.ingest.auth import suggested_auth

    changes = {}
    for side, key in (("source", "source_api_spec"), ("destination", "dest_api_spec")):
        if getattr(mf.manifest, side).auth is None:
            spec = ingested.data[key]
            if (auth := suggested_auth(spec["api_name"], spec["auth"])) is not None:
                changes[f"{side}.auth"] = auth
    return edit_manifest(mf.path, changes) if changes else mf


def _same_creation(mf: ManifestFile, wanted: dict[str, Any]) -> bool:
    """Whether a create request describes the integration the existing manifest holds (what create sets)."""

    def identity(m: Manifest) -> tuple[Any, ...]:
        sides = (m.source.api, m.source.discovery, m.destination.api, m.destination.discovery)
        return (m.title, m.description, m.intent, *sides, m.deploy.environment)

    return identity(mf.manifest) == identity(Manifest.model_validate(wanted))


def _changes(project: Project, mf: ManifestFile, request: StepRequest) -> dict[str, Any]:
    """The manifest keys a step request sets (dotted paths), after checking what the request names exists."""
    m = mf.manifest
    if isinstance(request, IngestRequest):
        changes = {}
        for side, field in (("source", "source_spec_url"), ("destination", "dest_spec_url")):
            value = getattr(request, field)
            if value is None and not getattr(m, side).spec:
                raise ManifestError([f"{field}: required: {mf.path.name} does not name a {side}.spec yet"])
            if value is not None and "://" not in value and not _is_file(project.integrations_dir / value):
                raise ManifestError([f"{field}: {value!r} is not a file under integrations/"], code="spec.not_found")
            if value is not None:
                changes[f"{side}.spec"] = value
        return changes
    if isinstance(request, MapRequest):
        changes = {}
        if request.source_endpoint or request.dest_endpoint:
            ingested = upstream(project.store, mf, "ingest", needed_by="map")
            for side, field, key in (
                ("source", "source_endpoint", "source_api_spec"),
                ("destination", "dest_endpoint", "dest_api_spec"),
            ):
                value = getattr(request, field)
                if value is not None:
                    changes[f"{side}.endpoint"] = _endpoint(ingested.data[key], value, field, reading=side == "source")
        if request.mapping_hints is not None:
            changes["mapping.hints"] = dict(request.mapping_hints)
        if request.min_confidence is not None:
            changes["mapping.min_confidence"] = request.min_confidence
        return changes
    if isinstance(request, TestRequest):
        return {
            key: value
            for key, value in (
                ("test.sample_size", request.test_sample_size),
                ("test.skip_destructive", request.skip_destructive),
            )
            if value is not None
        }
    return {
        f"deploy.{key}": value for key, value in request.model_dump(exclude={"dry_run"}).items() if value is not None
    }


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a name too long
        return False


def _endpoint(spec: dict[str, Any], value: str, field: str, *, reading: bool) -> str:
    """'GET /customers' as given, or the method chosen for a bare path: GET to read, POST/PUT/PATCH to write."""
    methods = {e["method"].upper() for e in spec["endpoints"] if e["path"] == value.split(" ")[-1]}
    if " " in value:
        return value
    if not methods:
        import difflib

        paths = sorted({e["path"] for e in spec["endpoints"]})
        close = difflib.get_close_matches(value, paths, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ManifestError([f"{field}: {value!r} is not a path of the {spec['api_name']} spec{hint}"])
    for method in ("GET",) if reading else WRITE_METHODS:
        if method in methods:
            return f"{method} {value}"
    wanted = "GET" if reading else "POST, PUT or PATCH"
    raise ManifestError([f"{field}: {value!r} has no {wanted} operation (it has {', '.join(sorted(methods))})"])
