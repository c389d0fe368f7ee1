"""$ref resolution and its security policy, on small spec trees written by the tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vitesse.errors import SpecError
from vitesse.ingest import ingest_spec
from vitesse.manifest.models import SpecAccess


def write_spec(folder: Path, record: dict, name: str = "openapi.yaml", extra: dict | None = None) -> Path:
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": {
            "/things": {
                "get": {
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": record}}}}
                }
            }
        },
        **(extra or {}),
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(doc))
    return path


def test_refs_across_files_in_the_spec_folder(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "thing.yaml").write_text(
        "type: object\nproperties:\n  id: {type: string}\n  owner: {$ref: 'owner.yaml'}\n"
    )
    (tmp_path / "models" / "owner.yaml").write_text("type: object\nproperties:\n  email: {type: string}\n")
    spec = ingest_spec(str(write_spec(tmp_path, {"$ref": "models/thing.yaml"})))
    record = spec.endpoints[0].response_schema
    assert record["properties"]["id"] == {"type": "string"}
    owner_key = record["properties"]["owner"]["$ref"].removeprefix("#/schemas/")
    assert spec.schemas[owner_key]["properties"]["email"] == {"type": "string"}
    assert spec.source.documents == 3
    assert spec.warnings == []


def test_circular_refs_are_kept_as_refs(tmp_path: Path) -> None:
    extra = {
        "components": {
            "schemas": {
                "Node": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                    },
                }
            }
        }
    }
    spec = ingest_spec(str(write_spec(tmp_path, {"$ref": "#/components/schemas/Node"}, extra=extra)))
    assert spec.schemas["Node"]["properties"]["children"]["items"] == {"$ref": "#/schemas/Node"}
    assert spec.endpoints[0].response_schema["x-schema-name"] == "Node"


def test_missing_ref_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    record = {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/Gone"}}}
    spec = ingest_spec(str(write_spec(tmp_path, record)))
    assert spec.endpoints[0].response_schema["properties"]["a"] == {"x-vitesse-unresolved": "#/components/schemas/Gone"}
    assert any("missing $ref target '#/components/schemas/Gone'" in w for w in spec.warnings)


def test_missing_file_ref_is_a_warning(tmp_path: Path) -> None:
    spec = ingest_spec(str(write_spec(tmp_path, {"$ref": "nowhere.yaml"})))
    assert any("nowhere.yaml: no such file" in w for w in spec.warnings)


@pytest.mark.parametrize("ref", ["/etc/passwd", "file:///etc/passwd", "../../../../../../etc/passwd"])
def test_refs_leaving_the_spec_folder_are_refused(tmp_path: Path, ref: str) -> None:
    path = write_spec(tmp_path / "spec", {"$ref": ref})
    with pytest.raises(SpecError, match="leaves the spec's folder") as caught:
        ingest_spec(str(path))
    assert caught.value.code == "spec.ref_outside_root"


def test_ref_root_can_open_the_parent_folder(tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "thing.yaml").write_text("type: object\nproperties: {id: {type: integer}}\n")
    path = write_spec(tmp_path / "spec", {"$ref": "../common/thing.yaml"})
    with pytest.raises(SpecError, match="leaves the spec's folder"):
        ingest_spec(str(path))
    spec = ingest_spec(str(path), access=SpecAccess(ref_root=".."))
    assert spec.endpoints[0].response_schema["properties"]["id"] == {"type": "integer"}


def test_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text("type: object\n")
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "link.yaml").symlink_to(tmp_path / "secret.yaml")
    with pytest.raises(SpecError, match="leaves the spec's folder"):
        ingest_spec(str(write_spec(tmp_path / "spec", {"$ref": "link.yaml"})))


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:8080/x.yaml",
        "http://localhost/x.yaml",
        "http://[::1]/x.yaml",
        "http://10.0.0.8/x.yaml",
    ],
)
def test_refs_to_private_addresses_are_refused_even_with_remote_refs(tmp_path: Path, url: str) -> None:
    path = write_spec(tmp_path, {"$ref": url})
    for access in (SpecAccess(), SpecAccess(remote_refs=True)):
        with pytest.raises(SpecError, match=r"private or loopback address|link-local address") as caught:
            ingest_spec(str(path), access=access)
        assert caught.value.code == "spec.private_address"


def test_metadata_address_is_refused_even_when_private_hosts_are_trusted(tmp_path: Path) -> None:
    path = write_spec(tmp_path, {"$ref": "http://169.254.169.254/latest/meta-data/iam"})
    with pytest.raises(SpecError, match="link-local address"):
        ingest_spec(str(path), access=SpecAccess(remote_refs=True, private_hosts=True))


def test_public_remote_refs_are_not_followed_by_default(tmp_path: Path) -> None:
    spec = ingest_spec(str(write_spec(tmp_path, {"$ref": "https://schemas.example.com/common.json#/Thing"})))
    assert spec.endpoints[0].response_schema is not None
    assert any("remote $ref" in w and "spec_access.remote_refs" in w for w in spec.warnings)


def test_ref_chain_cycle_is_a_warning(tmp_path: Path) -> None:
    extra = {
        "components": {
            "responses": {"A": {"$ref": "#/components/responses/B"}, "B": {"$ref": "#/components/responses/A"}}
        }
    }
    path = write_spec(tmp_path, {"type": "object"}, extra=extra)
    doc = yaml.safe_load(path.read_text())
    doc["paths"]["/things"]["get"]["responses"]["200"] = {"$ref": "#/components/responses/A"}
    path.write_text(yaml.safe_dump(doc))
    spec = ingest_spec(str(path))
    assert spec.endpoints[0].response_schema is None
    assert any("chain longer than" in w for w in spec.warnings)


def test_fragment_without_slash_is_read_leniently(tmp_path: Path) -> None:
    extra = {"components": {"schemas": {"T": {"type": "object", "properties": {"x": {"type": "string"}}}}}}
    spec = ingest_spec(str(write_spec(tmp_path, {"$ref": "#components/schemas/T"}, extra=extra)))
    assert spec.endpoints[0].response_schema["properties"] == {"x": {"type": "string"}}
    assert any("lacks the '/'" in w for w in spec.warnings)
