"""Which credentials shadow calls carry: the real ones (from the auth env vars) only to a sandbox committed in the
manifest; placeholders to a sandbox named in a request, and refusals by the spec-fetch host policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.fake_apis import recorder
from vitesse.errors import VitesseError
from vitesse.guardian import test_integration
from vitesse.guardian.step import request_sandboxes
from vitesse.httpauth import PLACEHOLDER
from vitesse.ingest import ingest
from vitesse.mapping import map_integration
from vitesse.project import Project

SECRETS = {"ACME_CRM_TOKEN": "crm-real-token-123", "MAILWAVE_API_KEY": "mw-real-key-456"}


def prepared(project: Path, extra: str = "") -> tuple[Project, object]:
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(manifest.read_text().replace("  spec: specs/", f"{extra}  spec: specs/"))
    proj = Project(project)
    mf = proj.load("crm-to-mailwave")
    ingest(mf, proj.store)
    map_integration(mf, proj.store)
    return proj, mf


def credentials(seen: list[dict[str, str]]) -> set[str]:
    return {v for headers in seen for k, v in headers.items() if k.lower() in ("authorization", "x-mailwave-key")}


def test_a_request_sandbox_gets_placeholders_never_the_real_credentials(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    proj, mf = prepared(project, "  spec_access: {private_hosts: true}\n")
    with recorder() as thief:
        url = f"http://127.0.0.1:{thief.server_address[1]}"
        sandboxes = request_sandboxes(mf, {"source": url, "destination": url})
        results = test_integration(mf, proj.store, sample_size=3, sandboxes=sandboxes).data
    sent = credentials(thief.seen)
    assert sent == {f"Bearer {PLACEHOLDER}", PLACEHOLDER}, sent
    assert not any(secret in value for secret in SECRETS.values() for value in sent)
    assert any("got placeholder credentials" in note for note in results["notes"])
    assert proj.store.latest("crm-to-mailwave", "test").inputs["request_sandboxes"] == {
        "destination": url,
        "source": url,
    }
    assert "sandbox_url" not in mf.path.read_text()  # nothing was written into the manifest


def test_a_committed_sandbox_gets_the_real_credentials(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    with recorder() as sandbox:
        url = f"http://127.0.0.1:{sandbox.server_address[1]}"
        proj, mf = prepared(project, f"  sandbox_url: {url}\n")
        test_integration(mf, proj.store, sample_size=2)
    assert credentials(sandbox.seen) == {f"Bearer {SECRETS['ACME_CRM_TOKEN']}", SECRETS["MAILWAVE_API_KEY"]}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://127.0.0.1:9", "private or loopback"),
    ],
)
def test_request_sandboxes_follow_the_spec_fetch_host_policy(project: Path, url: str, message: str) -> None:
    _, mf = prepared(project)
    with pytest.raises(VitesseError, match=message) as caught:
        request_sandboxes(mf, {"source": url})
    assert caught.value.code == "test.sandbox_refused" and caught.value.http_status == 400
