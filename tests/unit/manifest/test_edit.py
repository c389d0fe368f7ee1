"""Manifest edits keep comments and layout, and never write something invalid."""

from pathlib import Path

import pytest

from vitesse.errors import ManifestError
from vitesse.manifest.edit import edit_manifest, write_manifest

TEXT = """\
# Stripe customers into Intercom (owned by the data team)
version: 1
name: demo
source:
  api: Stripe   # the billing account
  spec: specs/stripe.json
destination:
  api: Intercom
  auth: {type: bearer, token_env: INTERCOM_TOKEN}
test:
  sample_size: 5
"""


def test_edit_keeps_comments_and_flow_style(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(TEXT)
    loaded = edit_manifest(
        path, {"test.sample_size": 12, "destination.endpoint": "POST /contacts", "mapping.hints": {"id": "external_id"}}
    )
    text = path.read_text()
    assert loaded.manifest.test.sample_size == 12
    assert "# Stripe customers into Intercom (owned by the data team)" in text
    assert "api: Stripe   # the billing account" in text
    assert "auth: {type: bearer, token_env: INTERCOM_TOKEN}" in text
    assert "  endpoint: POST /contacts" in text and "    id: external_id" in text


def test_an_invalid_edit_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(TEXT)
    with pytest.raises(ManifestError, match=r"test\.sample_size"):
        edit_manifest(path, {"test.sample_size": 500})
    assert path.read_text() == TEXT


def test_none_removes_a_key(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(TEXT)
    assert edit_manifest(path, {"destination.auth": None}).manifest.destination.auth is None


def test_write_refuses_to_overwrite(tmp_path: Path) -> None:
    data = {"version": 1, "name": "demo", "source": {"api": "A"}, "destination": {"api": "B"}}
    written = write_manifest(tmp_path / "demo.yaml", data, header="made by a test")
    assert written.name == "demo" and (tmp_path / "demo.yaml").read_text().startswith("# made by a test\n")
    with pytest.raises(ManifestError, match="already exists"):
        write_manifest(tmp_path / "demo.yaml", data)
