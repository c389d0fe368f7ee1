"""Helpers of the runtime end-to-end tests: a bundle of the demo integration pointed at local servers (or of a help
desk -> tasks integration with params, an incremental read and upserts), one sync in process, and `vitesse runtime
serve` as a real subprocess (stopped and waited for by `stop`)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.processes import stop
from vitesse.ingest import ingest
from vitesse.mapping import map_integration
from vitesse.project import Project
from vitesse.runtime import Syncer, build_bundle, load_bundle, open_state, write_bundle

SECRETS = {"ACME_CRM_TOKEN": "crm-secret-token-123", "MAILWAVE_API_KEY": "mw-secret-key-456"}
NAME = "crm-to-mailwave"
SPECS = Path(__file__).parent / "specs"
UPSERT = "helpdesk-to-tasks"
UPSERT_ENV = {
    "HELPDESK_TOKEN": "hd-secret-token-789",
    "TASKS_KEY": "tasks-secret-key-012",
    "HELPDESK_ACCOUNT": "acme eu",
}


def make_bundle(
    project: Path,
    source_url: str,
    dest_url: str,
    concurrency: int = 16,
    extra: str = "",
    transforms: str = "",
    timeout: float = 0.5,
) -> Path:
    """The demo integration's bundle against local servers; ``extra`` adds runtime keys, ``transforms`` YAML items."""
    manifest = project / "integrations" / f"{NAME}.yaml"
    text = manifest.read_text()
    text = text.replace("  spec: specs/acme-crm.yaml\n", f"  spec: specs/acme-crm.yaml\n  base_url: {source_url}\n")
    text = text.replace("  spec: specs/mailwave.yaml\n", f"  spec: specs/mailwave.yaml\n  base_url: {dest_url}\n")
    if transforms:
        text = text.replace("  min_confidence: 0.6\n", f"  min_confidence: 0.6\n  transforms:\n{transforms}")
    text += (
        f"runtime:\n  concurrency: {concurrency}\n  page_size: 100\n  timeout_seconds: {timeout}\n"
        "  backoff_seconds: 0.02\n  max_backoff_seconds: 0.2\n  max_attempts: 5\n"
    ) + extra
    manifest.write_text(text)
    proj = Project(project)
    mf = proj.load(NAME)
    ingest(mf, proj.store)
    map_integration(mf, proj.store)
    return write_bundle(build_bundle(mf, proj.store), project / "bundle.json")


def make_upsert_bundle(project: Path, source_url: str, dest_url: str, concurrency: int = 8) -> Path:
    """The bundle of a help desk -> tasks integration against local servers (`tests/e2e/specs`): the source with a
    path parameter from an env var, a required query parameter and ``since`` incremental reads; the destination with
    a workspace parameter and upserts (lookup by external_ref, PATCH by the found task's gid)."""
    specs = project / "integrations" / "specs"
    for spec in ("helpdesk.yaml", "tasks.yaml"):
        shutil.copy(SPECS / spec, specs / spec)
    manifest = project / "integrations" / f"{UPSERT}.yaml"
    manifest.write_text(
        f"""version: 1
name: {UPSERT}
description: Help desk tickets as tasks, kept up to date
intent: Sync tickets into the task tracker
source:
  api: Helpdesk
  spec: specs/helpdesk.yaml
  base_url: {source_url}/api
  endpoint: GET /accounts/{{account}}/tickets
  auth: {{type: bearer, token_env: HELPDESK_TOKEN}}
  params: {{account: {{env: HELPDESK_ACCOUNT}}, region: eu}}
  incremental: {{cursor_field: updated_at, param: since}}
destination:
  api: Tasks
  spec: specs/tasks.yaml
  base_url: {dest_url}/v1
  endpoint: POST /workspaces/{{workspace}}/tasks
  auth: {{type: api_key, in: header, name: X-Tasks-Key, key_env: TASKS_KEY}}
  params: {{workspace: ws-1}}
  write:
    mode: upsert
    match_key: external_ref
    lookup: GET /workspaces/{{workspace}}/tasks?external_ref={{external_ref}}
    update: PATCH /workspaces/{{workspace}}/tasks/{{gid}}
mapping:
  hints: {{id: external_ref, title: name, description: notes}}
runtime:
  concurrency: {concurrency}
  page_size: 7
  timeout_seconds: 0.5
  backoff_seconds: 0.02
  max_backoff_seconds: 0.2
  max_attempts: 6
"""
    )
    proj = Project(project)
    mf = proj.load(UPSERT)
    ingest(mf, proj.store)
    map_integration(mf, proj.store)
    return write_bundle(build_bundle(mf, proj.store), project / "upsert-bundle.json")


def sync(bundle_path: Path, state_path: Path | str, name: str = NAME):
    """One sync in this process; (result, the open state store)."""
    state = open_state(state_path, name)
    try:
        return asyncio.run(Syncer(load_bundle(bundle_path), state).run()), state
    except BaseException:
        state.close()
        raise


def serve(
    bundle: Path, state: Path | str | None, port: int, log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """`vitesse runtime serve` in a process group of its own, once /health answers."""
    argv = [sys.executable, "-m", "vitesse", "runtime", "serve", "--bundle", str(bundle), "--port", str(port)]
    if state is not None:
        argv += ["--state", str(state)]
    with log.open("ab") as handle:
        process = subprocess.Popen(
            argv, stdout=handle, stderr=handle, env={**os.environ, **(env or {})}, start_new_session=True
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    stop(process, hard=True)
    raise AssertionError(f"runtime did not become healthy: {log.read_text()[-2000:]}")
