"""`dagster.yaml.example` is a valid Dagster instance configuration (the scale-out path the README documents)."""

import shutil
from pathlib import Path

from dagster._core.instance.config import dagster_instance_config

from tests.conftest import ROOT


def test_example_instance_config_validates(tmp_path: Path) -> None:
    shutil.copy(ROOT / "dagster.yaml.example", tmp_path / "dagster.yaml")
    config, _ = dagster_instance_config(str(tmp_path))
    assert config["concurrency"]["pools"]["default_limit"] == 1
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert "postgres" in config["storage"]


def test_every_integration_op_has_its_own_pool() -> None:
    from pipelines.definitions import defs

    pools = {a.node_def.name: a.node_def.pool for a in defs.assets if len(a.keys) == 4}
    assert pools, "no integration multi-assets"
    assert all(pool == name for name, pool in pools.items())
