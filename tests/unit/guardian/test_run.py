"""The test step on a people -> contacts pair whose digit-string ids are parse_int-ed: it used to crash in hashing.

``id`` is ``pattern: ^[0-9]+$``; rstr made up to 100 digits of it, parse_int turned them into integers beyond 64 bits
and orjson refused to hash the results (``internal error: TypeError: Integer exceeds 64-bit range``).
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from vitesse import jsoncodec
from vitesse.api.app import create_app
from vitesse.api.idempotency import IdempotencyKeys
from vitesse.api.models import TestRequest
from vitesse.artifacts import ArtifactStore
from vitesse.cli import cli
from vitesse.project import Project

PEOPLE = """\
openapi: 3.0.3
info: {title: People API, version: "1"}
servers: [{url: "https://people.example"}]
paths:
  /people:
    get:
      responses:
        "200":
          description: A page of people
          content:
            application/json:
              schema:
                type: object
                properties:
                  data: {type: array, items: {$ref: "#/components/schemas/Person"}}
components:
  schemas:
    Person:
      type: object
      required: [id, email]
      properties:
        id: {type: string, pattern: "ID_PATTERN"}
        email: {type: string, format: email}
        first_name: {type: string}
        last_name: {type: string}
        age: {type: integer}
"""
CONTACTS = """\
openapi: 3.0.3
info: {title: Contacts API, version: "1"}
servers: [{url: "https://contacts.example"}]
paths:
  /contacts:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [email]
              properties:
                external_id: EXTERNAL_ID
                email: {type: string, format: email}
                first_name: {type: string}
                last_name: {type: string}
                age: {type: integer, format: int32, minimum: 18, maximum: 120}
      responses:
        "201": {description: Created}
"""
MANIFEST = """\
version: 1
name: people-to-contacts
description: People into contacts
intent: Sync people into the marketing contacts
source: {api: People, spec: specs/people.yaml, endpoint: GET /people}
destination: {api: Contacts, spec: specs/contacts.yaml, endpoint: POST /contacts}
mapping:
  transforms:
    - {dest_field: external_id, transform_type: parse_int, source_field: id}
test: {sample_size: 40, seed: 0}
"""


def make_project(root: Path, *, id_pattern: str = "^[0-9]+$", external_id: str = "{type: integer}") -> Path:
    specs = root / "integrations" / "specs"
    specs.mkdir(parents=True)
    (specs / "people.yaml").write_text(PEOPLE.replace("ID_PATTERN", id_pattern))
    (specs / "contacts.yaml").write_text(CONTACTS.replace("EXTERNAL_ID", external_id))
    (root / "integrations" / "people-to-contacts.yaml").write_text(MANIFEST)
    return root


def run_steps(project: Path) -> Any:
    """ingest, map, test through the CLI; the test step's result (exit code 0 or 1, never a crash)."""
    runner = CliRunner()
    for step in ("ingest", "map"):
        result = runner.invoke(cli, [step, "people-to-contacts", "--project", str(project)])
        assert result.exit_code == 0, result.output
    return runner.invoke(cli, ["test", "people-to-contacts", "--json", "--project", str(project)])


def samples(project: Path) -> list[dict[str, Any]]:
    artifact = ArtifactStore(project / ".vitesse").latest("people-to-contacts", "test")
    assert artifact is not None
    return artifact.data["samples"]


@pytest.fixture(autouse=True)
def _no_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VITESSE_HOME", raising=False)


@pytest.mark.parametrize("external_id", ["{type: integer}", "{type: integer, format: int64}"])
def test_the_pair_that_crashed_completes_with_ids_the_destination_takes(tmp_path: Path, external_id: str) -> None:
    project = make_project(tmp_path, external_id=external_id)
    result = run_steps(project)
    assert result.exit_code == 0, result.output
    envelope = json.loads(result.stdout)
    assert envelope["status"] == "success" and envelope["data"]["passed_tests"] == 40
    for sample in samples(project):
        assert re.fullmatch("[0-9]+", sample["source"]["id"])
        assert sample["transformed"]["external_id"] == int(sample["source"]["id"])
        assert 0 <= sample["transformed"]["external_id"] <= 1000  # no range declared: the generator's 0..1000
        assert 18 <= sample["transformed"].get("age", 18) <= 120  # the source declares none: the destination's


def test_ids_beyond_64_bits_are_hashed_and_stored_exactly(tmp_path: Path) -> None:
    project = make_project(tmp_path, id_pattern="^[1-9][0-9]{29}$")  # always 30 digits: no destination range fits
    result = run_steps(project)
    assert result.exit_code == 0, result.output
    stored = samples(project)
    assert all(s["transformed"]["external_id"] == int(s["source"]["id"]) > 2**64 for s in stored)
    store = ArtifactStore(project / ".vitesse")
    version = store.latest_version("people-to-contacts", "test")
    assert version is not None
    text = (store.folder("people-to-contacts", "test") / f"{version}.json").read_bytes()
    assert str(stored[0]["transformed"]["external_id"]).encode() in text  # the digits, not a float


def test_a_real_range_mismatch_is_still_reported(tmp_path: Path) -> None:
    project = make_project(tmp_path, id_pattern="^[0-9]{12}$", external_id="{type: integer, maximum: 2147483647}")
    result = run_steps(project)
    assert result.exit_code == 1 and json.loads(result.stdout)["code"] == "gate.below_threshold"
    artifact = ArtifactStore(project / ".vitesse").latest("people-to-contacts", "test")
    assert artifact is not None
    records = [t for t in artifact.data["test_details"] if t["kind"] == "record"]
    assert records and all(
        any(e.startswith("external_id: ") and "is greater than the maximum of 2147483647" in e for e in t["errors"])
        for t in records
    )


async def post(project: Path, paths: list[str], headers: dict[str, str] | None = None) -> list[httpx.Response]:
    """POST an empty JSON body to each path of the REST API over ``project``, in order (no server: ASGI in-process)."""
    transport = httpx.ASGITransport(app=create_app(Project(project)))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        return [await client.post(path, json={}, headers=headers) for path in paths]


def test_the_rest_api_runs_the_pair_and_replays_big_integers_exactly(tmp_path: Path) -> None:
    project = make_project(tmp_path, id_pattern="^[1-9][0-9]{29}$")
    base = "/api/v1/vitesse/integrations/people-to-contacts"
    answers = asyncio.run(post(project, [f"{base}/{step}" for step in ("ingest", "map", "test")]))
    assert [a.status_code for a in answers] == [200, 200, 200], answers[-1].text
    first = answers[-1].json()
    assert first["data"]["passed_tests"] == 40
    # A retry with an Idempotency-Key gets the stored answer: through jsoncodec, the store and the response model.
    big = {**first, "data": {**first["data"], "test_count": 10**30 + 1}}
    keys = IdempotencyKeys(ArtifactStore(project / ".vitesse"))
    keys.remember("people-to-contacts", "test", "k1", TestRequest().model_dump(mode="json"), big, 200)
    (replay,) = asyncio.run(post(project, [f"{base}/test"], {"Idempotency-Key": "k1"}))
    assert replay.status_code == 200, replay.text
    assert b'"test_count":1000000000000000000000000000001' in replay.content.replace(b" ", b"")
    assert jsoncodec.loads(replay.content)["data"]["test_count"] == 10**30 + 1
