"""Manifest edits keep comments and layout, and never write something invalid."""

from pathlib import Path

import pytest

from vitesse.errors import ManifestError
from vitesse.manifest import Manifest
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


LONG_LINE = (  # past the width a new file wraps at
    "source: {api: People, spec: specs/people.yaml, endpoint: GET /people, "
    "params: {owner: octocat, repo: hello-world, state: all}}"
)
REVIEWED = """\
version: 1
name: demo
LONG_LINE
destination: {api: Contacts}
mapping:
  hints:
    id: external_id   # the person's id
    # reviewed by the data team
  # weaker pairs stay unmapped
  min_confidence: 0.6
  transforms:
    - {dest_field: status, transform_type: custom, template: "'lead'"}  # always a lead
# five records
test: {sample_size: 5}
""".replace("LONG_LINE", LONG_LINE)


def test_entries_are_added_to_nested_mappings_and_lists_with_their_comments_in_place(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(REVIEWED)
    long_template = "((full_name or '').split(' ', 1) + [''])[1] if full_name is string else 'nobody at all, really'"
    loaded = edit_manifest(
        path,
        {("mapping", "hints", "address.city"): "city"},  # a key holding a dot
        append={
            "mapping.transforms": [
                {"dest_field": "name", "transform_type": "custom", "source_fields": ["a", "b"], "template": "a ~ b"},
                {"dest_field": "last", "transform_type": "custom", "source_fields": ["n"], "template": long_template},
            ]
        },
    )
    assert loaded.manifest.mapping.hints == {"id": "external_id", "address.city": "city"}
    assert [t.dest_field for t in loaded.manifest.mapping.transforms] == ["status", "name", "last"]
    assert path.read_text() == REVIEWED.replace(
        "    id: external_id   # the person's id\n",
        "    id: external_id   # the person's id\n    address.city: city\n",
    ).replace(
        """always a lead\n""",
        "always a lead\n"
        "    - {dest_field: name, transform_type: custom, source_fields: [a, b], template: a ~ b}\n"
        "    - dest_field: last\n"
        "      transform_type: custom\n"
        "      source_fields: [n]\n"
        f"      template: {long_template}\n",
    )  # the long line of source stays as it was: an edit never re-wraps


def test_a_new_block_goes_above_the_comments_that_followed_the_last_key(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(TEXT + "# end of the manifest\n")
    edit_manifest(path, {("mapping", "hints", "id"): "external_id"})
    assert path.read_text().endswith(
        "  sample_size: 5\nmapping:\n  hints:\n    id: external_id\n# end of the manifest\n"
    )


MAPPING_TEXT = """\
version: 1
name: demo
source: {api: Stripe, spec: specs/stripe.json}
destination: {api: Intercom}
mapping:
  hints:
    id: external_id   # the CRM's id, for upserts
    name: full_name
  constants: {plan: pro, tier: gold}
  # reviewed by the data team
  min_confidence: 0.6
"""


def test_edit_mapping_merges_replaces_and_keeps_comments(tmp_path: Path) -> None:
    from vitesse.manifest.edit import edit_mapping

    path = tmp_path / "demo.yaml"
    path.write_text(MAPPING_TEXT)
    loaded = edit_mapping(
        path,
        hints={"address.city": "city"},
        remove_hints=["name"],
        transforms=[{"dest_field": "label", "transform_type": "custom", "template": "{{ name }}"}],
        constants={"tier": None, "region": "eu"},
        ignore=["notes"],
    )
    text = path.read_text()
    mapping = loaded.manifest.mapping
    assert mapping.hints == {"id": "external_id", "address.city": "city"}
    assert mapping.constants == {"plan": "pro", "region": "eu"} and mapping.ignore == ["notes"]
    assert [t.dest_field for t in mapping.transforms] == ["label"]
    assert "id: external_id   # the CRM's id, for upserts" in text and "# reviewed by the data team" in text
    assert "- {dest_field: label, transform_type: custom, template: '{{ name }}'}" in text
    edit_mapping(path, transforms=[])
    assert load_text_manifest(path).mapping.transforms == []


def test_an_invalid_mapping_edit_writes_nothing(tmp_path: Path) -> None:
    from vitesse.manifest.edit import edit_mapping

    path = tmp_path / "demo.yaml"
    path.write_text(MAPPING_TEXT)
    with pytest.raises(ManifestError, match=r"demo.yaml:\d+:\d+: mapping.transforms\[0\].*custom needs a template"):
        edit_mapping(path, hints={"x": "y"}, transforms=[{"dest_field": "label", "transform_type": "custom"}])
    assert path.read_text() == MAPPING_TEXT


def load_text_manifest(path: Path) -> Manifest:
    from vitesse.manifest import load_manifest

    return load_manifest(path).manifest
