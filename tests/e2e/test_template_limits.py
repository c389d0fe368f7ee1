"""Template bombs in a manifest through the real `vitesse` command: the test step reports each as the record's field
error naming the limit, and the child process stays small (issue 13)."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from tests.conftest import run_cli

NAME = "template-bombs"
MANIFEST = f"""\
version: 1
name: {NAME}
description: Mailwave contacts into Acme CRM, with hostile custom templates
source:
  api: Mailwave
  spec: specs/mailwave.yaml
  endpoint: GET /contacts
destination:
  api: Acme CRM
  spec: specs/acme-crm.yaml
  endpoint: POST /customers
mapping:
  transforms:
    - {{dest_field: status, transform_type: custom, template: "'lead'"}}
    - {{dest_field: company_name, transform_type: custom, template: "(email_address * 100000000) | length"}}
    - dest_field: address.line2
      transform_type: custom
      template: "{{% for a in email_address * 300 %}}{{% for b in email_address * 300 %}}x{{% endfor %}}{{% endfor %}}"
    - dest_field: first_name
      transform_type: custom
      template: "{{% for a in email_address * 300 %}}{{% for b in email_address * 300 %}}{{% endfor %}}{{% endfor %}}"
    - {{dest_field: tags, transform_type: custom, template: "[nosuchvar]"}}
test:
  sample_size: 5
  skip_destructive: true
"""

LIMITS = {
    "company_name": "template repeats a string to",
    "address.line2": "template output exceeds 65536 characters",
    "first_name": "template loops more than 100000 times",
    "tags": "template refers to an undefined name 'nosuchvar'",
}


def children_peak_mib() -> float:
    """The largest resident size of any child this process has waited for (KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def test_template_bombs_are_field_errors_and_take_no_memory(project: Path) -> None:
    (project / "integrations" / f"{NAME}.yaml").write_text(MANIFEST)
    assert run_cli("ingest", NAME, cwd=project).returncode == 0
    mapped = run_cli("map", NAME, cwd=project)  # imports what the test step does: the baseline
    assert mapped.returncode == 0, mapped.stderr
    baseline = children_peak_mib()

    started = time.monotonic()
    tested = run_cli("test", NAME, cwd=project, timeout=300)
    extra = children_peak_mib() - baseline
    print(f"vitesse test with template bombs: {time.monotonic() - started:.1f} s, {extra:.0f} MiB over `vitesse map`")
    assert extra < 300, f"the test step took {extra:.0f} MiB more than `vitesse map`"

    assert tested.returncode == 1, tested.stderr  # the records fail their tests: no internal error
    assert "internal error" not in tested.stderr and "Traceback" not in tested.stderr
    for field, limit in LIMITS.items():
        assert f"{field}: custom: transform for {field}: {limit}" in tested.stdout + tested.stderr

    folder = project / ".vitesse" / "artifacts" / NAME / "test"
    report = json.loads((folder / f"{(folder / 'latest').read_text().strip()}.json").read_text())["data"]
    records = [t for t in report["test_details"] if t["kind"] == "record"]
    assert len(records) == 5
    for test in records:
        assert test["status"] == "failed"
        assert sorted(e.split(":")[0] for e in test["errors"]) == sorted(LIMITS)
        for error in test["errors"]:
            field = error.split(":")[0]
            assert error.startswith(f"{field}: custom: transform for {field}: {LIMITS[field]}")
