"""The API catalog: the project's specs (header only, cached) and catalog.yaml, searched with rapidfuzz."""

from __future__ import annotations

from pathlib import Path

from vitesse.catalog import load_catalog, search_catalog
from vitesse.catalog.file import parse_catalog
from vitesse.catalog.specs import read_header, spec_entry

CATALOG = """\
# APIs our team integrates
- name: Stripe
  description: Online payments
  base_url: https://api.stripe.com
  documentation_url: https://stripe.com/docs/api
  spec: https://example.com/stripe.yaml
- name: Acme CRM (internal copy)
  spec: specs/acme-crm.yaml
"""


def test_the_project_specs_are_listed_with_their_header(project: Path) -> None:
    found = search_catalog(project)
    by_spec = {e.spec: e for e in found.entries}
    assert sorted(by_spec) == [f"specs/{n}.yaml" for n in ("acme-crm", "issuetrack", "mailwave", "taskboard")]
    crm = by_spec["specs/acme-crm.yaml"]
    assert (crm.api_name, crm.base_url, crm.source) == (
        "Acme CRM API",
        "https://api.acme-crm.example/v1",
        "integrations/specs/acme-crm.yaml",
    )
    assert crm.description.startswith("A small CRM") and found.warnings == []
    assert {e.confidence_score for e in found.entries} == {1.0}


def test_search_ranks_the_best_match_first_and_drops_the_rest(project: Path) -> None:
    (project / "catalog.yaml").write_text(CATALOG)
    assert [e.api_name for e in search_catalog(project, "crm").entries] == ["Acme CRM (internal copy)"]
    mail = search_catalog(project, "MAILWVE").entries  # case and a typo forgiven
    assert mail[0].api_name == "Mailwave Marketing API" and 0.7 <= mail[0].confidence_score < 1
    payments = search_catalog(project, "payments").entries
    assert [e.api_name for e in payments] == ["Stripe"] and payments[0].source == "catalog.yaml"
    assert search_catalog(project, "zzzz").entries == []
    assert len(search_catalog(project, "", limit=2).entries) == 2


def test_catalog_yaml_entries_replace_the_spec_they_name(project: Path) -> None:
    (project / "catalog.yaml").write_text(CATALOG)
    entries = load_catalog(project).entries
    assert [e.api_name for e in entries if e.spec == "specs/acme-crm.yaml"] == ["Acme CRM (internal copy)"]
    assert len(entries) == 5


def test_a_malformed_catalog_is_a_warning_with_its_place_and_the_rest_is_listed(project: Path) -> None:
    text = CATALOG + "- nme: Typo\n- name: Bad\n  spec: ../../etc/passwd\n"
    entries, warnings = parse_catalog(text, "catalog.yaml")
    assert [e.api_name for e in entries] == ["Stripe", "Acme CRM (internal copy)"]
    assert any(w.startswith("catalog.yaml:9:3: [2].nme: unknown key 'nme'; did you mean 'name'?") for w in warnings)
    assert any(w.startswith("catalog.yaml:11:9: [3].spec: a path must be relative") for w in warnings), warnings
    (project / "catalog.yaml").write_text("- name: [unclosed\n")
    found = search_catalog(project)
    assert len(found.entries) == 4
    assert found.warnings[0].startswith("catalog.yaml:") and "whole file is left out" in found.warnings[0]
    (project / "catalog.yaml").write_text("name: not a list\n")
    assert "expected a list of entries" in search_catalog(project).warnings[0]


def test_broken_or_foreign_spec_files_are_warnings_never_errors(project: Path) -> None:
    specs = project / "integrations" / "specs"
    (specs / "broken.yaml").write_text("openapi: 3.0.0\ninfo: {title: [unclosed\n")
    (specs / "shared-components.yaml").write_text("components:\n  schemas: {}\n")
    (specs / "untitled.json").write_text('{"swagger": "2.0", "host": "api.example.com", "basePath": "/v2"}')
    found = search_catalog(project)
    by_spec = {e.spec: e for e in found.entries}
    assert "specs/broken.yaml" not in by_spec and "specs/shared-components.yaml" not in by_spec
    assert (by_spec["specs/untitled.json"].api_name, by_spec["specs/untitled.json"].base_url) == (
        "untitled",
        "https://api.example.com/v2",
    )
    assert [w.split(":")[0] for w in found.warnings] == [
        "integrations/specs/broken.yaml",
        "integrations/specs/shared-components.yaml",
    ]


def test_only_the_header_of_a_yaml_spec_is_parsed_and_it_is_cached(tmp_path: Path) -> None:
    body = "paths:\n  /x:\n    get: {responses: {'200': {description: ok}}}\n  bad: [unclosed\n"
    text = "openapi: 3.1.0\ninfo:\n  title: Big\nservers:\n- url: https://{region}.example.com\n  variables:\n"
    text += "    region: {default: eu}\n" + body + "externalDocs: {url: https://docs.example.com}\n"
    assert read_header(text.encode(), json_file=False)["info"] == {"title": "Big"}  # the broken paths are not read
    path = tmp_path / "big.yaml"
    path.write_text(text)
    entry, warning = spec_entry(path, "big.yaml", "specs/big.yaml")
    assert warning is None and entry is not None
    assert (entry.base_url, entry.documentation_url) == ("https://eu.example.com", "https://docs.example.com")
    assert spec_entry(path, "big.yaml", "specs/big.yaml")[0] is entry  # same mtime and size: the cached entry
