"""Contract drift (vitesse/ingest/drift.py): what changed in the fields an integration uses, and what breaks it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vitesse.artifacts import ArtifactStore
from vitesse.guardian import test_integration
from vitesse.ingest import ingest
from vitesse.ingest.drift import (
    compare,
    describe,
    explain_mapping_error,
    judge,
    relevant_drift,
    summary_lines,
)
from vitesse.ingest.models import ApiSpec, Endpoint, SourceInfo
from vitesse.ingest.step import specs_of
from vitesse.mapping import map_integration
from vitesse.mapping.fields import request_fields
from vitesse.mapping.models import MappingLogic, Transformation
from vitesse.mapping.usage import usage_of
from vitesse.project import Project

SOURCE = "GET /people"
DEST = "POST /contacts"


def api(record: dict[str, Any] | None = None, request: dict[str, Any] | None = None) -> ApiSpec:
    """A one-endpoint spec: a list of people records, or a contact create request."""
    endpoints = []
    if record is not None:
        endpoints.append(Endpoint(path="/people", method="GET", response_schema=record, record_path="[]"))
    if request is not None:
        endpoints.append(Endpoint(path="/contacts", method="POST", request_schema=request))
    return ApiSpec(
        api_name="t",
        openapi_version="3.1.0",
        schema_dialect="openapi-3.1",
        endpoints=endpoints,
        source=SourceInfo(location="t.yaml", sha256="0" * 64, documents=1, bytes=1),
    )


def obj(required: list[str] | None = None, **props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required or []}


def logic(*transformations: Transformation) -> MappingLogic:
    return MappingLogic(
        source_endpoint="/people",
        source_method="GET",
        dest_endpoint="/contacts",
        dest_method="POST",
        transformations=list(transformations),
        complexity_score=1,
    )


def pair(source: str, dest: str, kind: str = "mapping") -> Transformation:
    return Transformation(dest_field=dest, source_field=source, transform_type=kind, confidence=1.0, reason="t")


def drift_of(
    before: tuple[dict, dict], after: tuple[dict, dict], mapping: MappingLogic | None = None
) -> list[dict[str, Any]]:
    """The judged changes from (record, request) ``before`` to ``after`` under ``mapping``."""
    old = {"source": api(record=before[0]), "destination": api(request=before[1])}
    new = {"source": api(record=after[0]), "destination": api(request=after[1])}
    changes = compare(old, new, {"source": SOURCE, "destination": DEST})
    dest = new["destination"]
    endpoint = dest.endpoint(DEST)
    fields = request_fields(dest, endpoint) if endpoint is not None else []
    return judge(changes, [usage_of(mapping, fields)])


STRING = {"type": "string"}
PEOPLE = obj(["email"], email=STRING, name=STRING, status={"type": "string", "enum": ["a", "b"]})  # GET /people
CONTACTS = obj(["email_address"], email_address=STRING, full_name=STRING)
MAPPED = logic(pair("email", "email_address"), pair("name", "full_name"))


def only(changes: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(changes) == 1, changes
    return changes[0]


def test_the_stored_shape_of_a_change() -> None:
    after = obj(["email_address"], full_name=STRING)
    change = only(drift_of((PEOPLE, CONTACTS), (PEOPLE, after), MAPPED))
    assert change == {
        "side": "destination",
        "endpoint": DEST,
        "field": "email_address",
        "change": "removed",
        "before": {"type": "string", "required": True},
        "after": None,
        "breaking": True,
        "mapped": True,
    }
    assert describe(change) == "contract drift: destination POST /contacts field `email_address` was removed"


def test_unchanged_specs_have_no_drift() -> None:
    assert drift_of((PEOPLE, CONTACTS), (PEOPLE, CONTACTS), MAPPED) == []


DEST_RULES = [
    # (what the request becomes, the mapping, change, breaking, mapped)
    (obj(["email_address"], email_address=STRING), MAPPED, "removed", True, True),
    (obj(["email_address"], email_address=STRING), logic(pair("email", "email_address")), "removed", False, False),
    (
        obj(["email_address", "phone"], email_address=STRING, full_name=STRING, phone=STRING),
        MAPPED,
        "added",
        True,
        False,
    ),
    (obj(["email_address"], email_address=STRING, full_name=STRING, phone=STRING), MAPPED, "added", False, False),
    (obj(["email_address"], email_address=STRING, full_name={"type": "integer"}), MAPPED, "type", True, True),
    (obj(["email_address", "full_name"], email_address=STRING, full_name=STRING), MAPPED, "required", False, True),
    (
        obj(["email_address", "full_name"], email_address=STRING, full_name=STRING),
        logic(pair("email", "email_address")),
        "required",
        True,
        False,
    ),
    (obj([], email_address=STRING, full_name=STRING), MAPPED, "required", False, True),
    (
        obj(["email_address"], email_address={"type": "string", "format": "email"}, full_name=STRING),
        MAPPED,
        "format",
        True,
        True,
    ),
    (
        obj(["email_address"], email_address=STRING, full_name={"type": "string", "enum": ["x"]}),
        MAPPED,
        "enum",
        True,
        True,
    ),
]


@pytest.mark.parametrize(("request_after", "mapping", "kind", "breaking", "mapped"), DEST_RULES)
def test_destination_rules(request_after: dict, mapping: MappingLogic, kind: str, breaking: bool, mapped: bool) -> None:
    change = only(drift_of((PEOPLE, CONTACTS), (PEOPLE, request_after), mapping))
    assert (change["change"], change["breaking"], change["mapped"]) == (kind, breaking, mapped)


def test_destination_type_widening_and_relaxed_constraints_do_not_break() -> None:
    before = obj(
        [],
        count={"type": "integer"},
        kind={"type": "string", "enum": ["a", "b"]},
        at={"type": "string", "format": "date-time"},
    )
    after = obj([], count={"type": "number"}, kind={"type": "string", "enum": ["a", "b", "c"]}, at=STRING)
    mapping = logic(pair("n", "count"), pair("k", "kind"), pair("t", "at"))
    changes = drift_of((PEOPLE, before), (PEOPLE, after), mapping)
    assert [(c["field"], c["change"], c["breaking"], c["mapped"]) for c in changes] == [
        ("at", "format", False, True),
        ("count", "type", False, True),
        ("kind", "enum", False, True),
    ]
    lost = obj([], count={"type": "number"}, kind={"type": "string", "enum": ["b"]}, at=STRING)
    enum = next(c for c in drift_of((PEOPLE, before), (PEOPLE, lost), mapping) if c["change"] == "enum")
    assert enum["breaking"] and enum["before"] == ["a", "b"] and enum["after"] == ["b"]
    assert describe(enum) == "contract drift: destination POST /contacts field `kind` enum lost 'a'"


STATUS = {"type": "string", "enum": ["a", "b"]}
TO_STATE = obj([], email_address=STRING, state=STATUS)  # a destination enum
TO_ENUM = logic(pair("email", "email_address"), pair("status", "state"))
TO_TEXT = logic(pair("email", "email_address"), pair("status", "email_address"))
EMAIL_ONLY = logic(pair("email", "email_address"))


def person(required: tuple[str, ...] = ("email",), **changed: dict[str, Any]) -> dict[str, Any]:
    """PEOPLE with some properties changed (``{}`` removes one)."""
    props = {"email": STRING, "name": STRING, "status": STATUS} | changed
    return obj(list(required), **{k: v for k, v in props.items() if v})


SOURCE_RULES = [
    # (what the record becomes, the request, the mapping, change, breaking)
    (person(status={"type": "string", "enum": ["a", "b", "c"]}), TO_STATE, TO_ENUM, "enum", True),  # translation gaps
    (person(status={"type": "string", "enum": ["a", "b", "c"]}), TO_STATE, TO_TEXT, "enum", False),  # into a string
    (person(status={"type": "string", "enum": ["a"]}), TO_STATE, TO_ENUM, "enum", False),
    (person(status=STRING), TO_STATE, TO_ENUM, "enum", True),  # any value now
    (person(name={}), CONTACTS, MAPPED, "removed", True),
    (person(name={}), CONTACTS, EMAIL_ONLY, "removed", False),
    (person(name={"type": "integer"}), CONTACTS, MAPPED, "type", True),
    (person(name={"type": "string", "format": "email"}), CONTACTS, MAPPED, "format", False),  # a format added
    (person(required=()), CONTACTS, MAPPED, "required", True),  # email feeds the required email_address
    (person(required=()), CONTACTS, logic(pair("email", "full_name")), "required", False),
    (person(age={"type": "integer"}, required=("email", "age")), CONTACTS, MAPPED, "added", False),
]


@pytest.mark.parametrize(("record_after", "request_schema", "mapping", "kind", "breaking"), SOURCE_RULES)
def test_source_rules(
    record_after: dict, request_schema: dict, mapping: MappingLogic, kind: str, breaking: bool
) -> None:
    change = only(drift_of((person(), request_schema), (record_after, request_schema), mapping))
    assert (change["side"], change["change"], change["breaking"]) == ("source", kind, breaking)


def test_source_types_that_narrow_and_formats_that_change() -> None:
    number, text = obj([], n={"type": "number"}), obj([], m=STRING)
    narrowed = only(drift_of((number, text), (obj([], n={"type": "integer"}), text), logic(pair("n", "m"))))
    assert (narrowed["change"], narrowed["breaking"]) == ("type", False)
    dated = obj([], at={"type": "string", "format": "date-time"})
    changed = only(
        drift_of((dated, text), (obj([], at={"type": "string", "format": "date"}), text), logic(pair("at", "m")))
    )
    assert (changed["change"], changed["breaking"]) == ("format", True)
    assert describe(changed) == "contract drift: source GET /people field `at` changed format from date-time to date"
    gains = only(
        drift_of((person(), TO_STATE), (person(status={"type": "string", "enum": ["a", "b", "c"]}), TO_STATE), TO_ENUM)
    )
    assert describe(gains) == "contract drift: source GET /people field `status` enum gained 'c'"


def test_a_template_reads_the_fields_it_names() -> None:
    template = Transformation(
        dest_field="full_name", transform_type="custom", template="{{ name }} <{{ email }}>", confidence=1, reason="t"
    )
    no_name = obj(["email"], email=STRING, status=PEOPLE["properties"]["status"])
    change = only(drift_of((PEOPLE, CONTACTS), (no_name, CONTACTS), logic(template)))
    assert change["mapped"] and change["breaking"]


def test_a_removed_endpoint() -> None:
    old = {"source": api(record=PEOPLE), "destination": api(request=CONTACTS)}
    new = {"source": api(record=PEOPLE), "destination": api()}
    [change] = judge(compare(old, new, {"source": SOURCE, "destination": DEST}), [usage_of(MAPPED)])
    assert change == {
        "side": "destination",
        "endpoint": DEST,
        "field": "",
        "change": "endpoint_removed",
        "before": DEST,
        "after": None,
        "breaking": True,
        "mapped": True,
    }
    assert describe(change) == "contract drift: destination endpoint POST /contacts was removed"


def test_summary_lines_mark_breaking_changes() -> None:
    changes = drift_of((PEOPLE, CONTACTS), (PEOPLE, obj(["email_address"], email_address=STRING, nick=STRING)), MAPPED)
    drift = {"baseline": "abc", "changes": changes, "breaking": sum(c["breaking"] for c in changes)}
    assert summary_lines(drift) == [
        "contract drift since ingest abc: 2 change(s), 1 breaking",
        "  BREAKING destination POST /contacts field `full_name` was removed (the mapping uses it)",
        "           destination POST /contacts field `nick` was added",
    ]
    assert summary_lines({"baseline": None, "changes": [], "breaking": 0}) == []
    assert summary_lines({"baseline": "abc", "changes": [], "breaking": 0})[0].startswith("contract: no drift since")


def test_a_map_error_names_the_drift() -> None:
    drift = {
        "baseline": "abc",
        "changes": [
            {
                "side": "destination",
                "endpoint": DEST,
                "field": "organization",
                "change": "removed",
                "before": {"type": "string", "required": False},
                "after": None,
                "breaking": True,
                "mapped": True,
            }
        ],
        "breaking": 1,
    }
    message = "mapping.hints.company: destination field 'organization' does not exist"
    assert explain_mapping_error(message, drift) == (
        f"{message} (contract drift: destination POST /contacts field `organization` was removed since ingest abc: "
        "update the manifest to the spec as it is now)"
    )
    assert explain_mapping_error("mapping.hints.x: source field 'x' does not exist", drift).endswith("exist")


# ---- through the steps, on the demo project -------------------------------------------------------------------------


NAME = "crm-to-mailwave"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def versions(store: ArtifactStore) -> list[str]:
    return sorted(p.stem for p in store.folder(NAME, "ingest").glob("*.json"))


def test_the_baseline_and_stable_versions(project: Path) -> None:
    proj = Project(project)
    store = proj.store
    first = ingest(proj.load(NAME), store)
    assert first.data["drift"] == {"baseline": None, "changes": [], "breaking": 0}
    again = ingest(proj.load(NAME), store)
    assert again.version == first.version and versions(store) == [first.version]  # nothing new written
    map_integration(proj.load(NAME), store)
    test_integration(proj.load(NAME), store)  # passes: first is the baseline from now on

    spec = project / "integrations" / "specs" / "mailwave.yaml"
    original = spec.read_text()
    edit(spec, '        organization: {type: [string, "null"]}\n', "")
    second = ingest(proj.load(NAME), store)
    assert second.data["drift"]["baseline"] == first.version
    assert [(c["field"], c["change"], c["breaking"], c["mapped"]) for c in second.data["drift"]["changes"]] == [
        ("organization", "removed", True, True)
    ]
    assert second.data["drift"]["breaking"] == 1
    assert ingest(proj.load(NAME), store).version == second.version  # the same drift, the same version
    edit(spec, "        given_name:", "        nickname: {type: string}\n        given_name:")
    third = ingest(proj.load(NAME), store)
    assert third.data["drift"]["baseline"] == first.version  # the passed test's ingest, not the previous one
    assert {c["field"] for c in third.data["drift"]["changes"]} == {"organization", "nickname"}
    spec.write_text(original)
    assert ingest(proj.load(NAME), store).version == first.version  # back to the tested contract


def test_the_test_fails_on_drift_under_an_unchanged_mapping(project: Path) -> None:
    """A manifest transform whose template reads a source field the source then drops: map still succeeds (the
    template's names are not checked), and the test fails naming the field whatever the score."""
    from vitesse.errors import GateError

    proj = Project(project)
    store = proj.store
    manifest = project / "integrations" / f"{NAME}.yaml"
    edit(
        manifest,
        "  min_confidence: 0.6\n",
        "  min_confidence: 0.6\n  transforms:\n"
        "    - {dest_field: organization, transform_type: custom, template: '{{ company_name }}'}\n",
    )
    for step in (ingest, map_integration, test_integration):
        step(proj.load(NAME), store)
    edit(project / "integrations" / "specs" / "acme-crm.yaml", "company_name", "company_title")
    ingest(proj.load(NAME), store)
    map_integration(proj.load(NAME), store)
    with pytest.raises(GateError) as caught:
        test_integration(proj.load(NAME), store)
    assert caught.value.code == "gate.contract_drift"
    assert "contract drift: source GET /customers field `company_name` was removed" in caught.value.message
    results = store.latest(NAME, "test").data
    assert results["passed"] is False and results["health_score"]["overall"] >= results["threshold"]
    [failed] = [t for t in results["test_details"] if t["kind"] == "drift"]
    assert failed["status"] == "failed" and failed["errors"] == [
        "contract drift: source GET /customers field `company_name` was removed"
    ]
    assert [f["field"] for f in results["failures"]] == ["company_name"]
    # the transform fixed to read the renamed field: re-decided, judged by the record tests alone
    edit(manifest, "'{{ company_name }}'", "'{{ company_title }}'")
    map_integration(proj.load(NAME), store)
    assert test_integration(proj.load(NAME), store).data["passed"]


def test_a_reproposed_mapping_is_judged_on_its_own_and_a_retest_on_the_deployed_one(project: Path) -> None:
    proj = Project(project)
    store = proj.store
    for step in (ingest, map_integration, test_integration):
        step(proj.load(NAME), store)
    deployed = store.latest_version(NAME, "map")
    edit(project / "integrations" / "specs" / "mailwave.yaml", '        organization: {type: [string, "null"]}\n', "")
    ingested = ingest(proj.load(NAME), store)
    logic = MappingLogic.model_validate(map_integration(proj.load(NAME), store).data["mapping_logic"])
    assert "organization" not in {t.dest_field for t in logic.transformations}  # re-proposed without it
    _, dest = specs_of(ingested)
    found, notes, held = relevant_drift(store, proj.load(NAME), logic, ingested, dest)
    assert (found, notes, held) == ([], [], None)
    found, notes, held = relevant_drift(store, proj.load(NAME), logic, ingested, dest, retest=True)
    assert [(c["field"], c["change"]) for c in found] == [("organization", "removed")]
    assert held == deployed and "the deployed mapping" in notes[0] and "`organization`" in notes[0]
