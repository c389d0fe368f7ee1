"""GitHub issues -> Asana tasks from the real specs, against Prism mocks of both: path and query parameters on the
source, a workspace constant on the destination, through validate, ingest, map, test and the deploy bundle."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import run_cli
from vitesse.runtime.bundle import load_bundle
from vitesse.runtime.urls import endpoint_call, resolved

pytestmark = [pytest.mark.slow, pytest.mark.prism]
WORKSPACE = "1201234567890"


def manifest(github: Path, asana: Path, github_url: str, asana_url: str) -> str:
    return f"""version: 1
name: issues-to-tasks
intent: Create an Asana task for each GitHub issue
source:
  api: GitHub
  spec: {github.as_uri()}
  spec_access: {{outside_project: true, private_hosts: true}}
  endpoint: GET /repos/{{owner}}/{{repo}}/issues
  params: {{owner: octocat, repo: hello-world, state: all}}
  auth: {{type: bearer, token_env: GITHUB_TOKEN}}
  sandbox_url: {github_url}
destination:
  api: Asana
  spec: {asana.as_uri()}
  spec_access: {{outside_project: true, private_hosts: true}}
  endpoint: POST /tasks
  auth: {{type: bearer, token_env: ASANA_TOKEN}}
  sandbox_url: {asana_url}
mapping:
  constants: {{data.workspace: "{WORKSPACE}"}}
  hints: {{title: data.name, body: data.notes, html_url: data.external.data}}
  ignore: [data.due_on]
  min_confidence: 0.9
test: {{sample_size: 6}}
"""


def test_github_issues_to_asana_tasks(tmp_path: Path, specs_dir: Path, prism) -> None:
    github = specs_dir / "github-rest" / "api.github.com-2020-09.json"
    asana = specs_dir / "asana" / "asana_oas.yaml"
    (tmp_path / "integrations").mkdir()
    path = tmp_path / "integrations" / "issues-to-tasks.yaml"
    path.write_text(manifest(github, asana, prism(github), prism(asana)))

    def cli(*args: str):
        result = run_cli(*args, "--project", str(tmp_path), cwd=tmp_path, timeout=300)
        assert result.returncode == 0, result.stderr + result.stdout
        return result

    cli("validate")
    cli("ingest", "issues-to-tasks")
    mapped = cli("map", "issues-to-tasks").stdout
    assert re.search(rf'= "{WORKSPACE}"\s+data\.workspace\s+constant\s+1\.00', mapped), mapped
    tested = json.loads(cli("test", "issues-to-tasks", "--json").stdout)
    assert tested["data"]["health_score"]["overall"] >= 70, tested
    store = tmp_path / ".vitesse" / "artifacts" / "issues-to-tasks" / "test"
    results = json.loads((store / f"{(store / 'latest').read_text().strip()}.json").read_text())["data"]
    read = next(t for t in results["test_details"] if t["kind"] == "read")
    assert read["http_status"] == 200, read  # Prism routed /repos/octocat/hello-world/issues: no braces left
    assert all(s["transformed"]["data"]["workspace"] == WORKSPACE for s in results["samples"])

    bundle_path = tmp_path / "bundle.json"
    cli("runtime", "bundle", "issues-to-tasks", "--out", str(bundle_path))
    bundle = json.loads(bundle_path.read_text())
    assert bundle["source"]["params"] == {"owner": "octocat", "repo": "hello-world", "state": "all"}
    loaded = load_bundle(bundle_path)
    for side in (loaded.source, loaded.destination):  # the runtime's own request building: no braces left
        call = endpoint_call(side.base_url, side.method, side.path, resolved(side.params, "x"), side.parameters, "x")
        assert "{" not in call.url
    source = endpoint_call(
        loaded.source.base_url, "GET", loaded.source.path, resolved(loaded.source.params, "source"),
        loaded.source.parameters, "source",
    )  # fmt: skip
    assert source.url == "https://api.github.com/repos/octocat/hello-world/issues" and source.query == {"state": "all"}
    assert {"dest_field": "data.workspace", "value": WORKSPACE} in [
        {"dest_field": t["dest_field"], "value": t["value"]} for t in bundle["mapping"]["transformations"]
    ]
