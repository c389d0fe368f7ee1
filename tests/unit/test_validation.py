"""The runtime's fast validation path agrees with jsonschema: on request schemas of real vendor specs, fastjsonschema
never passes a record that jsonschema rejects (jsonschema decides every rejection), for generated records and for
records broken on purpose."""

from __future__ import annotations

import copy
import random

import pytest

from tests.conftest import shared_specs
from vitesse.guardian.synthetic import RecordGenerator
from vitesse.ingest import ingest_spec
from vitesse.validation import RecordValidator

pytestmark = pytest.mark.slow

WRITE_ENDPOINTS = [
    ("intercom/api.intercom.io-2.16.yaml", "POST /contacts"),
    ("box/box-openapi.json", "POST /users"),
    ("sendgrid/tsg_mc_contacts_v3.yaml", "PUT /v3/marketing/contacts"),
    ("asana/asana_oas.yaml", "POST /tasks"),
    ("xero/xero_accounting.yaml", "PUT /Contacts"),
    ("klaviyo/stable.json", "POST /api/profiles"),
    ("stripe/spec3-2023-09-12.yaml", "POST /v1/customers"),
]

BREAKS = (
    lambda v: None,
    lambda v: 12345,
    lambda v: "not-a-valid-value-@@",
    lambda v: [v],
    lambda v: {"nested": v},
    lambda v: "",
    lambda v: -1,
    lambda v: True,
)


def _broken(record: dict, rng: random.Random) -> dict:
    """The record with one field (possibly nested) replaced by a value of another shape."""
    out = copy.deepcopy(record)
    node = out
    while isinstance(node, dict) and node:
        key = rng.choice(sorted(node))
        if isinstance(node[key], dict) and node[key] and rng.random() < 0.5:
            node = node[key]
            continue
        node[key] = rng.choice(BREAKS)(node[key])
        break
    if rng.random() < 0.2:
        out[f"unexpected_{rng.randint(0, 9)}"] = "x"
    return out


@pytest.mark.parametrize(("spec", "endpoint"), WRITE_ENDPOINTS, ids=[e[0].split("/")[0] for e in WRITE_ENDPOINTS])
def test_the_fast_path_never_passes_what_jsonschema_rejects(spec: str, endpoint: str) -> None:
    api = ingest_spec(str(shared_specs() / spec))
    found = next(e for e in api.endpoints if e.key == endpoint)
    schema = found.request_schema or {}
    fast = RecordValidator(schema, api.schemas, api.schema_dialect, fast=True)
    slow = RecordValidator(schema, api.schemas, api.schema_dialect)
    records = RecordGenerator(api.schemas, seed=7).records(schema, 60)
    rng = random.Random(11)
    candidates = records + [_broken(r, rng) for r in records for _ in range(3)]
    disagreements = []
    fast_checked = 0
    for record in candidates:
        before = copy.deepcopy(record)
        fast_says = fast.fast(record) if fast.fast is not None else None
        assert record == before  # checking never changes the record (no defaults filled in)
        slow_says = slow.validator.is_valid(record)
        fast_checked += fast_says is not None
        if fast_says and not slow_says:
            disagreements.append(record)
        assert bool(fast.violations(record)) == (not slow_says)  # the verdict is always jsonschema's
    assert fast.fast is not None and fast_checked == len(candidates)  # the fast path really ran (draft 4 or 7)
    assert not disagreements, f"fastjsonschema passed {len(disagreements)} records jsonschema rejects"
    assert any(slow.validator.is_valid(r) for r in candidates) and not all(
        slow.validator.is_valid(r) for r in candidates
    )


def test_openapi_31_schemas_get_the_fast_path_only_when_draft_7_means_the_same() -> None:
    plain = {"type": "object", "properties": {"a": {"type": ["string", "null"]}, "n": {"exclusiveMinimum": 0}}}
    assert RecordValidator(plain, {}, "openapi-3.1", fast=True).fast is not None
    tuple_ = {"type": "object", "properties": {"p": {"type": "array", "prefixItems": [{"type": "integer"}]}}}
    newer = RecordValidator(tuple_, {}, "openapi-3.1", fast=True)
    assert newer.fast is None and not newer.is_valid({"p": ["x"]}) and newer.is_valid({"p": [1, "x"]})
    assert RecordValidator(plain, {}, "openapi-3.0").fast is None  # the test step: jsonschema alone
