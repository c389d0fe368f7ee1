"""The deploy diff of `vitesse plan`: changed settings only, unified diffs of changed manifest files, long lines
(the ConfigMap's one-line bundle) shown as their length and hash."""

from __future__ import annotations

from vitesse.plan.deploy_diff import LONG_LINE, manifest_diff, settings_diff

SETTINGS = {
    "target": "kubernetes",
    "image": "vitesse-x:1",
    "replicas": 1,
    "memory_mb": 512,
    "cpu_cores": 0.5,
    "auto_scale": False,
    "env": ["ACME_CRM_TOKEN", "MAILWAVE_API_KEY"],
    "state": "sqlite",
}


def test_only_the_settings_that_change_in_their_order() -> None:
    after = {**SETTINGS, "replicas": 3, "memory_mb": 1024, "env": ["ACME_CRM_TOKEN"], "state": "postgresql"}
    assert settings_diff(SETTINGS, after) == {
        "replicas": {"before": 1, "after": 3},
        "memory_mb": {"before": 512, "after": 1024},
        "env": {"before": ["ACME_CRM_TOKEN", "MAILWAVE_API_KEY"], "after": ["ACME_CRM_TOKEN"]},
        "state": {"before": "sqlite", "after": "postgresql"},
    }
    assert settings_diff(SETTINGS, dict(SETTINGS)) == {}


def test_settings_never_recorded_are_all_new() -> None:
    diff = settings_diff({}, SETTINGS)
    assert list(diff) == list(SETTINGS) and all(change["before"] is None for change in diff.values())


DEPLOYMENT = "kind: Deployment\nspec:\n  replicas: 1\n  template:\n    resources:\n      memory: 512Mi\n"


def test_a_unified_diff_per_changed_file() -> None:
    after = DEPLOYMENT.replace("replicas: 1", "replicas: 3")
    diff = manifest_diff(
        {"deployment.yaml": DEPLOYMENT, "service.yaml": "kind: Service\n"},
        {"deployment.yaml": after, "service.yaml": "kind: Service\n"},
        before_label="deploy abc",
    )
    assert list(diff) == ["deployment.yaml"]
    text = diff["deployment.yaml"]
    assert text.startswith("--- a/deployment.yaml (deploy abc)\n+++ b/deployment.yaml (planned)\n@@ ")
    assert "-  replicas: 1\n+  replicas: 3\n" in text and text.endswith("\n")


def test_files_added_and_removed() -> None:
    diff = manifest_diff({"hpa.yaml": "kind: HorizontalPodAutoscaler\n"}, {"pvc.yaml": "kind: PersistentVolumeClaim\n"})
    assert diff["hpa.yaml"].startswith("--- a/hpa.yaml (deployed)\n+++ /dev/null\n")
    assert diff["pvc.yaml"].startswith("--- /dev/null\n+++ b/pvc.yaml (planned)\n")
    assert "+kind: PersistentVolumeClaim\n" in diff["pvc.yaml"]


def test_a_long_line_is_its_length_and_hash() -> None:
    def configmap(mapping: str) -> str:
        return f'data:\n  bundle.json: "{{\\"mapping\\": \\"{mapping}\\", \\"pad\\": \\"{"x" * LONG_LINE}\\"}}"\n'

    diff = manifest_diff({"configmap.yaml": configmap("a")}, {"configmap.yaml": configmap("b")})
    lines = [line for line in diff["configmap.yaml"].splitlines() if line.startswith(("-  ", "+  "))]
    assert len(lines) == 2 and all(len(line) < 80 for line in lines)
    assert lines[0].startswith("-  bundle.json: <") and "characters, sha256 " in lines[0]
    assert lines[0] != lines[1]
    assert manifest_diff({"configmap.yaml": configmap("a")}, {"configmap.yaml": configmap("a")}) == {}
