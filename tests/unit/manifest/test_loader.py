"""Manifest loading: every invalid case in invalid/ gives its expected messages; the examples load."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from vitesse.errors import ManifestError
from vitesse.manifest import load_manifest, parse_manifest, section_hash
from vitesse.manifest.models import ApiKeyAuth, BearerAuth

CASES = sorted((Path(__file__).parent / "invalid").glob("*.yaml"))


def expectations(path: Path) -> list[str]:
    return [line.split("# expect:", 1)[1].strip() for line in path.read_text().splitlines() if "# expect:" in line]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_invalid_manifest_reports_every_problem_with_its_position(path: Path) -> None:
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    message = str(caught.value)
    for expected in expectations(path):
        assert expected in message, f"{expected!r} not in:\n{message}"
    for line in caught.value.problems:
        assert line.startswith(str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path))
        assert "Traceback" not in line


def test_secret_values_never_appear_in_errors() -> None:
    with pytest.raises(ManifestError) as caught:
        load_manifest(Path(__file__).parent / "invalid" / "inline-secret.yaml")
    assert "sk_live_do_not_commit_me" not in str(caught.value)


@pytest.mark.parametrize("name", ["crm-to-mailwave", "mailwave-to-crm"])
def test_examples_load(name: str) -> None:
    mf = load_manifest(EXAMPLES / f"{name}.yaml")
    assert mf.name == name
    assert mf.manifest.deploy.target == "process"


def test_auth_variants_are_tagged() -> None:
    mf = load_manifest(EXAMPLES / "crm-to-mailwave.yaml")
    assert isinstance(mf.manifest.source.auth, BearerAuth)
    assert isinstance(mf.manifest.destination.auth, ApiKeyAuth)
    assert mf.manifest.destination.auth.in_ == "header"


def test_defaults(tmp_path: Path) -> None:
    mf = parse_manifest("version: 1\nname: x\nsource: {api: A}\ndestination: {api: B}\n", tmp_path / "x.yaml")
    m = mf.manifest
    assert (m.test.sample_size, m.test.threshold, m.test.skip_destructive) == (5, 70, True)
    assert (m.deploy.target, m.deploy.replicas, m.deploy.memory_mb, m.deploy.cpu_cores) == ("process", 1, 512, 0.5)
    assert m.mapping.min_confidence == 0.6
    assert m.source.spec_access.remote_refs is False


def test_yaml_1_1_quirks_do_not_leak_into_manifests(tmp_path: Path) -> None:
    text = "version: 1\nname: x\nsource: {api: A}\ndestination: {api: B}\nmapping:\n  hints: {on: off, no: yes}\n"
    mf = parse_manifest(text, tmp_path / "x.yaml")
    assert mf.manifest.mapping.hints == {"on": "off", "no": "yes"}


def test_section_hash_changes_only_for_the_affected_step(tmp_path: Path) -> None:
    base = "version: 1\nname: x\nsource: {api: A, spec: a.yaml}\ndestination: {api: B}\n"
    before = parse_manifest(base, tmp_path / "x.yaml").manifest
    after = parse_manifest(base + "deploy: {replicas: 3}\n", tmp_path / "x.yaml").manifest
    assert section_hash(before, "ingest") == section_hash(after, "ingest")
    assert section_hash(before, "map") == section_hash(after, "map")
    assert section_hash(before, "deploy") != section_hash(after, "deploy")
    moved = parse_manifest(base.replace("a.yaml", "b.yaml"), tmp_path / "x.yaml").manifest
    assert section_hash(before, "ingest") != section_hash(moved, "ingest")
