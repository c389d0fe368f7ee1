"""What ingest checks of a manifest's side before and after reading its spec: containment, missing auth."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from vitesse.errors import SpecError
from vitesse.ingest import ingest
from vitesse.ingest.step import ingest_side
from vitesse.project import Project


def project_with(tmp_path: Path, source_lines: str) -> Project:
    folder = tmp_path / "proj" / "integrations"
    (folder / "specs").mkdir(parents=True)
    for name in ("acme-crm.yaml", "mailwave.yaml"):
        (folder / "specs" / name).write_bytes((EXAMPLES / "specs" / name).read_bytes())
    (folder / "x.yaml").write_text(
        f"version: 1\nname: x\nsource:\n  api: Acme CRM\n{source_lines}"
        "destination:\n  api: Mailwave\n  spec: specs/mailwave.yaml\n"
        "  auth: {type: api_key, in: header, name: X-Mailwave-Key, key_env: MW_KEY}\n"
    )
    return Project(tmp_path / "proj")


@pytest.mark.parametrize("spec", ["/etc/passwd", "../../../../../../etc/passwd", "file:///etc/passwd", "link.yaml"])
def test_a_local_spec_outside_the_project_is_refused(tmp_path: Path, spec: str) -> None:
    (tmp_path / "outside.yaml").write_bytes((EXAMPLES / "specs" / "acme-crm.yaml").read_bytes())
    project = project_with(tmp_path, f"  spec: {spec}\n")
    (project.integrations_dir / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    with pytest.raises(SpecError, match="outside the project folder") as caught:
        ingest(project.load("x"), project.store)
    assert "source.spec_access.outside_project: true" in caught.value.message
    assert caught.value.code == "spec.outside_project"
    assert not (project.root / ".vitesse" / "artifacts" / "x" / "create").exists()  # a failed step writes nothing


def test_outside_project_allows_it(tmp_path: Path) -> None:
    (tmp_path / "outside.yaml").write_bytes((EXAMPLES / "specs" / "acme-crm.yaml").read_bytes())
    project = project_with(tmp_path, f"  spec: {tmp_path / 'outside.yaml'}\n  spec_access: {{outside_project: true}}\n")
    assert ingest_side(project.load("x"), "source").endpoints


def test_specs_beside_integrations_are_inside(tmp_path: Path) -> None:
    project = project_with(tmp_path, "  spec: ../specs/crm.yaml\n")
    (project.root / "specs").mkdir()
    (project.root / "specs" / "crm.yaml").write_bytes((EXAMPLES / "specs" / "acme-crm.yaml").read_bytes())
    assert ingest_side(project.load("x"), "source").endpoints


def test_missing_auth_is_a_warning_with_the_block_to_add(tmp_path: Path) -> None:
    project = project_with(tmp_path, "  spec: specs/acme-crm.yaml\n  endpoint: GET /customers\n")
    warnings = ingest_side(project.load("x"), "source").warnings
    [warning] = [w for w in warnings if "auth" in w]
    assert "source.auth is not set" in warning
    assert "source.auth: {type: bearer, token_env: ACME_CRM_TOKEN}" in warning
    assert not [w for w in ingest_side(project.load("x"), "destination").warnings if "auth is not set" in w]
