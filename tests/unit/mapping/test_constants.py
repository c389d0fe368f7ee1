"""mapping.constants: checked against the destination schema, written as given by the compiled mapping."""

from __future__ import annotations

import pytest

from vitesse.errors import MappingError
from vitesse.mapping.compile import compile_mapping
from vitesse.mapping.constants import constant_transformations
from vitesse.mapping.fields import Field
from vitesse.mapping.models import MappingLogic

DESTS = [
    Field("workspace", type="string", required=True, pattern=r"^[0-9]+$"),
    Field("priority", type="integer", minimum=1, maximum=5),
    Field("kind", type="string", enum=("task", "milestone")),
    Field("done", type="boolean"),
    Field("memberships[].project", type="string"),
    Field("notes", type="string", nullable=True),
]


def logic(constants: dict) -> MappingLogic:
    return MappingLogic(
        source_endpoint="/a",
        source_method="GET",
        dest_endpoint="/b",
        dest_method="POST",
        transformations=constant_transformations(constants, DESTS),
        complexity_score=1,
    )


def test_constants_are_written_into_every_record_as_given() -> None:
    constants = {"workspace": "1201", "priority": 3, "kind": "task", "done": False, "notes": None}
    constants["memberships"] = [{"project": "77"}]
    mapping = compile_mapping(logic(constants))
    first, second = mapping({"id": 1}), mapping({"id": 2})
    assert first.errors == [] and first.record == constants
    first.record["memberships"][0]["project"] = "changed"  # each record gets its own copy
    assert second.record["memberships"] == [{"project": "77"}]
    assert {t.transform_type for t in logic(constants).transformations} == {"constant"}


@pytest.mark.parametrize(
    ("constants", "message"),
    [
        ({"workspace": 1201}, "mapping.constants.workspace: 1201 does not fit: expected string, got integer"),
        ({"workspace": "ws-1"}, "does not match the pattern"),
        ({"priority": 9}, "above the maximum 5"),
        ({"priority": True}, "true does not fit: expected integer, got boolean"),
        ({"kind": "epic"}, "expected one of 'task', 'milestone'"),
        ({"done": None}, "not nullable"),
        ({"memberships": "77"}, "memberships is a list"),
        ({"workspce": "1"}, "destination field 'workspce' does not exist; did you mean 'workspace'?"),
    ],
)
def test_a_constant_the_schema_refuses_names_the_field(constants: dict, message: str) -> None:
    with pytest.raises(MappingError, match=r"mapping\.constants") as caught:
        constant_transformations(constants, DESTS)
    assert message in caught.value.message


def test_every_wrong_constant_is_named_at_once() -> None:
    with pytest.raises(MappingError) as caught:
        constant_transformations({"workspace": 1, "kind": "epic", "done": True}, DESTS)
    assert caught.value.message.count("mapping.constants.") == 2
