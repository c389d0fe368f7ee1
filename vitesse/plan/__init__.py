"""`vitesse plan`: what the next run would change, before anything changes (Terraform's ``plan`` before ``apply``).

For each integration, from its manifest as it is now, the specs as they are on disk and the artifact store:

1. **steps**: which are stale and why, by `vitesse.artifacts.freshness`'s rule (the one `vitesse status` and the
   gate apply); besides, ingest runs in memory, and specs that changed on disk (which no manifest section shows)
   make ingest stale and, by that rule, what is built on it; with the contract drift from the latest ingest;
2. **mapping**: when map would run, the mapping it would propose now, against the latest map's, field by field;
3. **gate**: when test would run, whether the latest test's health score clears the threshold the manifest sets
   now: a prediction from the last results, not a new test;
4. **deploy**: when deploy would run, the settings it would change (image, replicas, memory, cpu, autoscaling, env
   var names, never values; target) and, for targets that render manifests (kubernetes, ecs, docker), a unified diff
   of what it would render against what the latest deploy rendered.

Nothing is written, locked, started or applied (`vitesse.plan.build`). ``vitesse plan --json`` prints::

    {
      "format": 1,
      "changes": true,                    # any integration would change
      "errors": 0,                        # integrations whose manifest does not load
      "integrations": [{
        "name": "crm-to-mailwave",
        "manifest": "integrations/crm-to-mailwave.yaml",
        "errors": [],                     # "file:line:col: key: message [code]" when it does not load (then the
                                          #   rest is empty/null)
        "changes": true,
        "rerun": ["map", "test", "deploy"],
        "commands": ["vitesse map crm-to-mailwave", "vitesse test crm-to-mailwave", "vitesse deploy ..."],
        "steps": [{"step", "version", "current", "reason", "root"}],     # every step, create to deploy
        "specs": {"ingest_version",       # what ingest would store now (the latest version when unchanged)
                  "sides": [{"side", "location", "before", "after", "changed"}],     # sha256 of each spec
                  "drift": {"baseline", "changes": [{side, endpoint, field, change, before, after, breaking,
                            mapped}], "breaking"},                  # latest ingest -> the specs now
                  "error"},               # why ingest would fail, else null
        "mapping": null | {"compared_with",   # the latest map version
                           "version",         # what map would store
                           "diff": {"endpoints": {side: {"before", "after"}},
                                    "fields": [{"dest_field", "change": "added|removed|changed",
                                                "before", "after",   # {source, transform_type, template?, value?,
                                                                     #  confidence, needs_review}
                                                "aspects": ["source", "transform", "confidence", "needs_review"]}],
                                    "unmapped_required", "unmapped_required_before", "needs_review", "changes"},
                           "error"},
        "gate": null | {"test", "score", "threshold", "threshold_was", "passed", "would_pass", "reruns", "notes"},
        "deploy": null | {"target", "compared_with", "last_dry_run",
                          "service": {"state", "detail"},           # what runs now (`vitesse status`'s column)
                          "settings": {name: {"before", "after"}},   # changed settings only
                          "settings_recorded", "changed_keys",
                          "bundle": {"before", "after"},             # {} when the same bundle ships
                          "manifests": {file: "unified diff"},       # changed files only
                          "refused", "error", "notes"}
      }]
    }

``mapping``, ``gate`` and ``deploy`` are null when that step would not run. Versions nobody can know before a step
runs (the test's, and the bundle's built on it) read ``"(known after test)"``.
"""

from vitesse.plan.build import plan_integration, plan_project
from vitesse.plan.model import UNKNOWN, IntegrationPlan, plan_json
from vitesse.plan.report import text_report

__all__ = ["UNKNOWN", "IntegrationPlan", "plan_integration", "plan_json", "plan_project", "text_report"]
