"""The seed's response envelopes and what each step puts in them: `vitesse <step> --json` and the REST API answer
with exactly these dicts.

    {"status": "success", "integration_id": ..., "current_step": "MAPPING", "data": {..., "next_step", "next_endpoint"}}
    {"status": "failed", "error": ..., "http_status": 400, "code": "spec.not_found"}
"""

from __future__ import annotations

from typing import Any

from vitesse.artifacts import NEXT_STEP, STATUS_AFTER, Artifact, ArtifactStore, integration_id, read_status
from vitesse.artifacts.freshness import freshness
from vitesse.errors import ManifestError, VitesseError
from vitesse.manifest import STEPS, ManifestFile
from vitesse.project import Project


def success_envelope(integration: str, current_step: str, data: dict[str, Any]) -> dict[str, Any]:
    """``integration`` is the manifest name; the envelope carries its stable id."""
    return {
        "status": "success",
        "integration_id": integration_id(integration),
        "current_step": current_step.upper(),
        "data": data,
    }


def failed_envelope(error: VitesseError) -> dict[str, Any]:
    return {"status": "failed", "error": error.message, "http_status": error.http_status, "code": error.code}


def next_step(step: str, integration: str) -> dict[str, Any]:
    """The seed's ``next_step`` and ``next_endpoint`` after ``step`` (nothing after deploy)."""
    following = NEXT_STEP[step]
    if following is None:
        return {}
    return {"next_step": following, "next_endpoint": f"/integrations/{integration_id(integration)}/{following}"}


def display_name(mf: ManifestFile) -> str:
    return mf.manifest.title or mf.name


def step_envelope(step: str, artifact: Artifact, mf: ManifestFile) -> dict[str, Any]:
    """The success envelope of one step run, as in the seed's examples (plus the artifact version)."""
    data = artifact.data
    status = STATUS_AFTER[step]
    if step == "create":
        body: dict[str, Any] = {"integration": integration_record(mf, data, status)}
    elif step == "ingest":
        body = {
            "source_endpoints": data["source_endpoints"],
            "dest_endpoints": data["dest_endpoints"],
            "warnings": {
                "source": data["source_api_spec"]["warnings"],
                "destination": data["dest_api_spec"]["warnings"],
            },
            "drift": data.get("drift"),  # vitesse.ingest.drift; None in artifacts made before it
        }
    elif step == "map":
        logic = data["mapping_logic"]
        body = {
            "transformation_count": len(logic["transformations"]),
            "complexity_score": logic["complexity_score"],
            "source_endpoint": f"{logic['source_method']} {logic['source_endpoint']}",
            "dest_endpoint": f"{logic['dest_method']} {logic['dest_endpoint']}",
            "unmapped_required": logic["unmapped_required"],
            "transformations": logic["transformations"],
            "needs_review": [t["dest_field"] for t in logic["transformations"] if t.get("needs_review")],
            "near_misses": logic.get("below_threshold", []),
            "proposals": logic.get("proposals", {}),
        }
    elif step == "test":
        body = {
            "health_score": data["health_score"],
            "test_count": data["test_count"],
            "passed_tests": data["passed_tests"],
            "failed_tests": data["failed_tests"],
            "notes": data.get("notes", []),
        }
    else:
        status = "deploying" if data["dry_run"] else status
        body = {
            "container_id": data["container_id"],
            "service_url": data["service_url"],
            "deployment_time_seconds": data["deployment_duration_seconds"],
            "target": data["target"],
            "dry_run": data["dry_run"],
        }
    body["version"] = artifact.version
    return success_envelope(mf.name, status, body | next_step(step, mf.name))


def integration_record(mf: ManifestFile, create_data: dict[str, Any], status: str) -> dict[str, Any]:
    """The seed's Integration record (step 1's ``data.integration``)."""
    found = create_data["integration"]
    return {
        "id": found["id"],
        "name": display_name(mf),
        "manifest_name": mf.name,
        "manifest_path": f"integrations/{mf.path.name}",
        "status": status,
        "description": found["description"],
        "user_intent": found["user_intent"],
        "deployment_target": found["deployment_target"],
        "source_discovery": create_data["source_discovery"],
        "dest_discovery": create_data["dest_discovery"],
    }


def health_score(store: ArtifactStore, integration: str) -> dict[str, float] | None:
    latest = store.latest(integration, "test")
    return dict(latest.data["health_score"]) if latest is not None else None


def integration_state(store: ArtifactStore, mf: ManifestFile) -> dict[str, Any]:
    """``GET /integrations/{id}`` and `vitesse status NAME --json`: status, health score, last update, steps (each
    ``current`` by `vitesse.artifacts.freshness`, the gate's rule, with its ``stale_reason``), the deployed service's
    state (``service``, apart from the pipeline's ``status``) and the contract drift the latest ingest found."""
    from vitesse.deploy.service import service_state

    state = read_status(store, mf.name)
    judged = freshness(store, mf)
    steps = []
    for step in STEPS:
        found = judged[step]
        latest = found.artifact
        steps.append(
            {
                "step": step,
                "version": latest.version if latest else None,
                "created_at": latest.created_at if latest else None,
                "versions": len(store.versions(mf.name, step)),
                "current": found.current,
                "stale_reason": found.reason,
            }
        )
    ingested = judged["ingest"].artifact
    return {
        "integration_id": state.id,
        "name": display_name(mf),
        "manifest_name": mf.name,
        "status": state.status,
        "current_step": state.status.upper(),
        "health_score": health_score(store, mf.name),
        "last_updated": state.updated_at,
        "created_at": state.created_at,
        "error": state.error,
        "http_status": state.http_status,
        "steps": steps,
        **service_state(store, mf.name, docker_host=mf.manifest.deploy.docker.host).as_dict(),
        "drift": ingested.data.get("drift") if ingested is not None else None,
    }


def drift_summary(drift: dict[str, Any] | None) -> dict[str, Any] | None:
    """The counts of an ingest's contract drift (``data.drift``), None when it found no change (or is older)."""
    if not drift or not drift.get("changes"):
        return None
    changes = drift["changes"]
    breaking = drift.get("breaking")
    if not isinstance(breaking, int):
        breaking = sum(bool(c.get("breaking")) for c in changes)
    return {"baseline": drift.get("baseline"), "change_count": len(changes), "breaking": breaking}


def integration_list(project: Project) -> dict[str, Any]:
    """``GET /integrations`` and `vitesse status --json`: the seed's list envelope, every integration whose manifest
    is in the project (a manifest that does not load is listed with its error; the artifacts of a deleted manifest
    stay on disk, unlisted). Each item also says which steps are stale, the service's state and the drift counts."""
    from vitesse.deploy.service import service_state

    store = project.store
    items = []
    for name in sorted(set(project.names())):
        state = read_status(store, name)
        title, error, stale, docker_host = name, state.error, None, None
        try:
            mf = project.load(name)
        except ManifestError as exc:
            error = f"the manifest does not load: {exc.problems[0]}"
            ingested = store.latest(name, "ingest")
        else:
            title, docker_host = display_name(mf), mf.manifest.deploy.docker.host
            judged = freshness(store, mf)
            stale = [step for step, found in judged.items() if found.stale]
            ingested = judged["ingest"].artifact
        items.append(
            {
                "id": state.id,
                "name": title,
                "manifest_name": name,
                "status": state.status,
                "health_score": health_score(store, name),
                "created_at": state.created_at,
                "last_updated": state.updated_at,
                "error": error,
                "stale": stale,
                "service": service_state(store, name, docker_host=docker_host).state,
                "drift": drift_summary(ingested.data.get("drift") if ingested is not None else None),
            }
        )
    return {"status": "success", "data": items, "count": len(items)}


def manifest_data(mf: ManifestFile, *, text: str | None = None) -> dict[str, Any]:
    """The manifest as the review page edits it: its path in the project, its text (comments and all) and the
    parsed manifest (keys as the file spells them: ``in``, not ``in_``)."""
    return {
        "path": f"integrations/{mf.path.name}",
        "yaml": mf.path.read_text() if text is None else text,
        "manifest": mf.manifest.model_dump(mode="json", by_alias=True),
    }


def test_runs(store: ArtifactStore, integration: str, limit: int = 20) -> list[dict[str, Any]]:
    """The integration's test runs, newest first (at most ``limit``): score, threshold, verdict, and the failures
    as the test artifact stores them (most frequent first, each with its suggested fix)."""
    runs = []
    for version in reversed(store.versions(integration, "test")[-limit:] if limit else []):
        artifact = store.get(integration, "test", version)
        data = artifact.data
        runs.append(
            {
                "version": artifact.version,
                "created_at": artifact.created_at,
                "health_score": data["health_score"],
                "threshold": data["threshold"],
                "passed": data["passed"],
                "test_count": data["test_count"],
                "passed_tests": data["passed_tests"],
                "failed_tests": data["failed_tests"],
                "failures": data.get("failures", []),
            }
        )
    return runs


test_runs.__test__ = False  # type: ignore[attr-defined] - not a pytest test
