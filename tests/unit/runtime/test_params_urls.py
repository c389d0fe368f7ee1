"""Parameters in the runtime's requests (env values read once, before any request; path, query and header params
where the endpoint declares them; no placeholder left in a URL) and the bundle's new keys (left out when unset,
the write endpoints resolved against the destination spec)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.unit.runtime.fakes import FakeApis, Source, Tasks, bundle
from vitesse import jsoncodec
from vitesse.errors import ArtifactError, RuntimeSyncError
from vitesse.ingest.models import Parameter
from vitesse.ingest.step import ingest_side
from vitesse.manifest.models import EnvValue, WriteConfig
from vitesse.project import Project
from vitesse.runtime import http
from vitesse.runtime.bundle import Bundle, SideBundle, _write, load_bundle, write_bundle
from vitesse.runtime.read import Reader
from vitesse.runtime.state import open_state
from vitesse.runtime.sync import Syncer
from vitesse.runtime.urls import checked, endpoint_call, resolved

DECLARED = [
    Parameter(name="owner", location="path"),
    Parameter(name="state", location="query"),
    Parameter(name="X-Version", location="header"),
]


@pytest.fixture
def apis(monkeypatch: pytest.MonkeyPatch) -> FakeApis:
    fake = FakeApis()
    monkeypatch.setattr(http, "exchange", fake)
    return fake


def test_params_go_where_the_endpoint_declares_them() -> None:
    values = {"owner": "a/b c", "state": "all", "X-Version": "3", "extra": "1"}
    call = endpoint_call("https://api.example/v1/", "GET", "/repos/{owner}/issues", values, DECLARED, "source")
    assert call.url == "https://api.example/v1/repos/a%2Fb%20c/issues"  # a '/' in a value adds no segment
    assert call.query == {"state": "all", "extra": "1"} and call.headers == {"X-Version": "3"}
    only = endpoint_call("https://x", "GET", "/repos/{owner}", values, DECLARED, "d", declared_only=True)
    assert only.query == {"state": "all"}  # not declared by this endpoint: left out


def test_a_missing_placeholder_or_env_var_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(RuntimeSyncError, match=r"needs owner; set source.params") as caught:
        endpoint_call("https://x", "GET", "/repos/{owner}", {}, DECLARED, "source")
    assert caught.value.code == "runtime.missing_param"
    monkeypatch.delenv("GH_OWNER", raising=False)
    with pytest.raises(RuntimeSyncError, match=r"source\.params\.owner: environment variable GH_OWNER is not set"):
        resolved({"owner": EnvValue(env="GH_OWNER")}, "source")
    monkeypatch.setenv("GH_OWNER", "octocat")
    assert resolved({"owner": EnvValue(env="GH_OWNER"), "n": 2, "on": True}, "source") == {
        "owner": "octocat",
        "n": "2",
        "on": "true",
    }
    with pytest.raises(RuntimeSyncError, match="still has a placeholder") as caught:
        checked("https://{region}.api.example/v1", "source")
    assert caught.value.code == "runtime.unfilled_url"


def test_the_source_reader_keeps_params_on_every_page_style() -> None:
    side = bundle("r").source
    reader = Reader(side, resolved(side.params, "source"), {"api_key": "k"}, bundle("r").runtime, lambda c, s: None)
    url, query = reader.target({"url": None, "params": {"limit": 3, "since": "2024"}})
    assert url == "https://source.example/v1/accounts/acme%20corp/things"
    assert query == {"api_key": "k", "region": "eu", "limit": "3", "since": "2024"}
    url, query = reader.target({"url": "https://source.example/v1/next?region=eu&page=2", "params": {}})
    assert url.endswith("?region=eu&page=2") and query == {"api_key": "k"}  # the API's URL as given
    assert reader.call.headers == {"X-Api-Version": "2"}
    with pytest.raises(RuntimeSyncError, match="still has a placeholder"):
        reader.target({"url": "https://source.example/v1/{page}", "params": {}})


def test_env_params_are_read_at_sync_start_and_a_missing_one_sends_nothing(
    apis: FakeApis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source([{"id": "a", "name": "x"}], "cursor"))
    tasks = Tasks()
    tasks.mount(apis)
    b = bundle("env-params", destination={"params": {"ws": EnvValue(env="TASKS_WORKSPACE")}})
    monkeypatch.delenv("TASKS_WORKSPACE", raising=False)
    state = open_state(tmp_path / "s.sqlite", b.integration)
    try:
        with pytest.raises(RuntimeSyncError, match=r"destination\.params\.ws: environment variable TASKS_WORKSPACE"):
            asyncio.run(Syncer(b, state).run())
        assert apis.seen == []  # not even the source was read
        assert state.last_sync()["outcome"] == "failed"
        monkeypatch.setenv("TASKS_WORKSPACE", "ws 7")
        result = asyncio.run(Syncer(b, state).run())
    finally:
        state.close()
    assert result.written == 1 and apis.calls("POST")[0].path == "/api/workspaces/ws%207/tasks"


def test_a_source_path_without_its_param_fails_before_any_request(apis: FakeApis, tmp_path: Path) -> None:
    b = bundle("no-account", source={"params": {"region": "eu"}})
    state = open_state(tmp_path / "s.sqlite", b.integration)
    try:
        with pytest.raises(RuntimeSyncError, match=r"/accounts/\{account\}/things needs account"):
            asyncio.run(Syncer(b, state).run())
    finally:
        state.close()
    assert apis.seen == []


def test_bundles_without_the_new_keys_are_unchanged(tmp_path: Path) -> None:
    side = SideBundle(api="A", base_url="https://a", method="GET", path="/x")
    assert list(side.model_dump(mode="json")) == [
        "api", "base_url", "method", "path", "parameters", "record_path", "pagination", "content_type", "auth",
        "rate_limit", "request_schema", "schemas", "schema_dialect",
    ]  # fmt: skip
    b = bundle("keys")  # params set: kept, env references as references
    b = b.model_copy(update={"source": b.source.model_copy(update={"params": {"owner": EnvValue(env="OWNER")}})})
    path = write_bundle(b, tmp_path / "b.json")
    data = jsoncodec.loads(path.read_bytes())
    assert data["source"]["params"] == {"owner": {"env": "OWNER"}} and "write" not in data["destination"]
    assert "incremental" not in data["source"]
    assert load_bundle(path).source.params == {"owner": EnvValue(env="OWNER")}
    assert isinstance(load_bundle(path), Bundle)


def test_the_write_endpoints_are_resolved_against_the_destination_spec(project: Path) -> None:
    mf = Project(project).load("mailwave-to-crm")
    spec = ingest_side(mf, "destination")
    write = WriteConfig(
        mode="upsert", match_key="email", lookup="GET /customers?email={email}", update="PATCH /customers/{id}"
    )
    resolved_write = _write("mailwave-to-crm", spec, write)
    assert resolved_write is not None and resolved_write.lookup is not None and resolved_write.update is not None
    lookup, update = resolved_write.lookup, resolved_write.update
    assert (lookup.path, lookup.query, lookup.record_path) == ("/customers", {"email": "{email}"}, "data[]")
    assert lookup.pagination is not None and lookup.pagination.type == "cursor"
    assert (update.method, update.path, update.content_type) == ("PATCH", "/customers/{id}", "application/json")
    assert [p.name for p in update.parameters] == ["customer_id"]  # {id} names the found record's field
    assert _write("mailwave-to-crm", spec, WriteConfig()) is None
    wrong: dict[str, Any] = {**write.model_dump(), "update": "PATCH /clients/{id}"}
    with pytest.raises(ArtifactError, match=r"destination.write.update: PATCH /clients/\{id\} is not in the Acme"):
        _write("mailwave-to-crm", spec, WriteConfig(**wrong))
