"""Every document of the real corpus in ../shared/specs goes through `ingest_spec` (the function `vitesse ingest`
uses): root documents ingest with exactly the operations the document declares; fragments and non-UTF-8 files fail
with a clear `SpecError`, never another exception."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import shared_specs
from vitesse.errors import SpecError
from vitesse.ingest import ingest_spec
from vitesse.ingest.endpoints import METHODS

pytestmark = pytest.mark.slow

DIGITALOCEAN_ROOT = "digitalocean/specification/DigitalOcean-public.v2.yaml"


def corpus() -> list[tuple[str, str]]:
    """(file, version) rows of SOURCES.jsonl (a placeholder row if the corpus is missing: the fixture then fails)."""
    listing = shared_specs() / "SOURCES.jsonl"
    if not listing.exists():
        return [("SOURCES.jsonl", "missing")]
    rows = [json.loads(line) for line in listing.read_text().splitlines() if line.strip()]
    # The 2,907 DigitalOcean files are listed apart (SOURCES-digitalocean-files.tsv); its root is the one document.
    out = [(row["file"], row["version"]) for row in rows] + [(DIGITALOCEAN_ROOT, "OpenAPI 3.0.0")]
    return sorted(set(out))


CORPUS = corpus()
ROOTS = [f for f, v in CORPUS if not v.startswith("fragment") and v != "missing"]
FRAGMENTS = [f for f, v in CORPUS if v.startswith("fragment")]


def load_plain(path: Path) -> object:
    """An independent reading of a document (stdlib json / PyYAML's own safe loader)."""
    raw = path.read_bytes()
    if raw.lstrip()[:1] == b"{":
        return json.loads(raw)
    return yaml.load(raw, Loader=yaml.CSafeLoader)


def declared_operations(path: Path) -> set[str]:
    doc = load_plain(path)
    operations = set()
    for route, item in (doc.get("paths") or {}).items():
        if isinstance(item, dict) and "$ref" in item:
            ref_file, _, pointer = item["$ref"].partition("#")
            item = load_plain(path.parent / ref_file) if ref_file else doc
            for token in [t for t in pointer.split("/") if t]:
                item = item[token.replace("~1", "/").replace("~0", "~")]
        for method in METHODS:
            if isinstance(item, dict) and method in item:
                operations.add(f"{method.upper()} {route}")
    return operations


def test_corpus_is_present(specs_dir: Path) -> None:
    assert len(ROOTS) > 100, "SOURCES.jsonl lists the corpus; is ../shared/specs complete?"
    assert DIGITALOCEAN_ROOT in ROOTS


@pytest.mark.parametrize("file", ROOTS)
def test_root_document_ingests_with_every_operation(specs_dir: Path, file: str) -> None:
    path = specs_dir / file
    spec = ingest_spec(str(path))
    keys = [e.key for e in spec.endpoints]
    assert len(keys) == len(set(keys))
    assert set(keys) == declared_operations(path)
    assert spec.source.sha256
    spec.model_dump_json()  # the artifact is serializable


@pytest.mark.parametrize("file", FRAGMENTS)
def test_fragment_is_a_clear_error(specs_dir: Path, file: str) -> None:
    with pytest.raises(SpecError) as caught:
        ingest_spec(str(specs_dir / file))
    assert caught.value.code in ("spec.not_openapi", "spec.parse")
    assert "\n" not in caught.value.message
    assert file.rsplit("/", 1)[-1] in caught.value.message


def test_multi_file_digitalocean_spec_resolves_its_files(specs_dir: Path) -> None:
    spec = ingest_spec(str(specs_dir / DIGITALOCEAN_ROOT))
    assert spec.source.documents > 1000
    assert not [w for w in spec.warnings if "missing" in w]
    droplets = spec.endpoint("GET /v2/droplets")
    assert droplets.record_path == "droplets[]"
    assert {"id", "name", "memory"} <= set(droplets.response_schema["properties"])


def test_stripe_customers(specs_dir: Path) -> None:
    for file in ("stripe/spec3-2022-04-12.json", "stripe/spec3-2023-09-12.yaml"):
        spec = ingest_spec(str(specs_dir / file))
        customers = spec.endpoint("GET /v1/customers")
        assert customers.record_path == "data[]"
        assert customers.response_schema["x-schema-name"] == "customer"
        assert customers.pagination.cursor_param == "starting_after"
        assert customers.pagination.cursor_from_record == "id"
        assert {"email", "name", "address", "metadata"} <= set(customers.response_schema["properties"])
        assert [a.type for a in spec.auth] == ["basic", "bearer"]


def test_circular_xero_and_missing_ref_intercom(specs_dir: Path) -> None:
    xero = ingest_spec(str(specs_dir / "xero/xero_accounting.yaml"))
    contacts = xero.endpoint("GET /Contacts")
    assert contacts.record_path == "Contacts[]"
    intercom = ingest_spec(str(specs_dir / "intercom/api.intercom.io-2.11.yaml"))
    assert any("missing $ref target '#/components/schemas/custom_attributes'" in w for w in intercom.warnings)


def test_pagination_styles_of_real_apis(specs_dir: Path) -> None:
    expected = {
        ("github-rest/api.github.com-2020-09.json", "GET /users"): "link_header",
        ("twilio/twilio_api_v2010.json", "GET /2010-04-01/Accounts.json"): "next_url",
        ("klaviyo/stable.json", "GET /api/profiles"): "next_url",
        ("square/api-2025-08-19-oas3.json", "GET /v2/customers"): "cursor",
        ("box/box-openapi.json", "GET /users"): "cursor",
        ("asana/asana_oas.yaml", "GET /users"): "cursor",
        ("intercom/api.intercom.io-2.16.yaml", "GET /contacts"): "cursor",
        ("xero/xero_accounting.yaml", "GET /Contacts"): "page",
        ("okta/management-minimal-2026.06.3.yaml", "GET /api/v1/users"): "link_header",
    }
    specs: dict[str, object] = {}
    for (file, key), style in expected.items():
        spec = specs.setdefault(file, ingest_spec(str(specs_dir / file)))
        endpoint = spec.endpoint(key)
        assert endpoint.pagination is not None and endpoint.pagination.type == style, (file, key)


def test_openapi_31_fail_cases_are_caught_by_full_validation(specs_dir: Path) -> None:
    folder = specs_dir / "oai-examples/v3.1-schema-tests"
    flagged = set()
    for path in sorted((folder / "fail").glob("*.yaml")):
        spec = ingest_spec(str(path), full_validation=True)
        if any(w.startswith("schema: ") for w in spec.warnings):
            flagged.add(path.stem)
    # The official 3.1 schema itself accepts these two; everything else it rejects is reported.
    assert flagged == {p.stem for p in (folder / "fail").glob("*.yaml")} - {"example-examples", "link-object-no-body"}
