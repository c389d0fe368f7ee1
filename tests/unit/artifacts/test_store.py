"""The artifact store: content-hash versions, latest, history, atomic writes, status."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import orjson
import pytest

from vitesse.artifacts import (
    ArtifactStore,
    integration_id,
    read_status,
    record_failure,
    record_success,
    write_atomic,
)
from vitesse.errors import ArtifactError


def test_same_content_same_version_and_no_rewrite(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    first = store.write("a", "ingest", {"x": 1}, {"manifest": "m1"})
    path = store.folder("a", "ingest") / f"{first.version}.json"
    mtime = path.stat().st_mtime_ns
    again = store.write("a", "ingest", {"x": 1}, {"manifest": "m1"})
    assert again == first
    assert path.stat().st_mtime_ns == mtime


def test_new_content_new_version_history_kept(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    v1 = store.write("a", "ingest", {"x": 1}, {"manifest": "m1"}).version
    v2 = store.write("a", "ingest", {"x": 2}, {"manifest": "m1"}).version
    v3 = store.write("a", "ingest", {"x": 2}, {"manifest": "m2"}).version
    assert len({v1, v2, v3}) == 3
    assert store.latest_version("a", "ingest") == v3
    assert store.versions("a", "ingest") == [v1, v2, v3]
    assert store.get("a", "ingest", v1).data == {"x": 1}
    stored = orjson.loads((store.folder("a", "ingest") / f"{v3}.json").read_bytes())
    assert set(stored) == {"integration", "step", "version", "created_at", "inputs", "data"}
    assert stored["inputs"] == {"manifest": "m2"}


def test_any_json_value_survives_the_store(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    deep: list = [2**70]
    for _ in range(300):  # beyond orjson's 254 levels
        deep = [deep]
    data = {"samples": [{"id": "99999999999999999999", "n": 99999999999999999999, "low": -(2**63) - 1}], "deep": deep}
    artifact = store.write("a", "test", data, {"manifest": "m"})
    assert store.get("a", "test", artifact.version).data == data
    assert store.latest("a", "test") == artifact
    assert store.write("a", "test", data, {"manifest": "m"}).version == artifact.version
    text = (store.folder("a", "test") / f"{artifact.version}.json").read_text()
    assert '"n": 99999999999999999999' in text  # indented like every artifact, the digits exact
    store.write_json("a", "extra.json", {"n": 2**64})
    assert store.read_json("a", "extra.json") == {"n": 2**64}


def test_going_back_to_an_old_version_makes_it_latest(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    v1 = store.write("a", "map", {"x": 1}, {}).version
    store.write("a", "map", {"x": 2}, {})
    assert store.write("a", "map", {"x": 1}, {}).version == v1
    assert store.latest_version("a", "map") == v1


def test_missing_and_corrupt_artifacts_are_clear_errors(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    assert store.latest("a", "ingest") is None
    with pytest.raises(ArtifactError, match="no ingest artifact"):
        store.get("a", "ingest", "deadbeef")
    version = store.write("a", "ingest", {"x": 1}, {}).version
    (store.folder("a", "ingest") / f"{version}.json").write_text("{not json")
    with pytest.raises(ArtifactError, match="corrupt artifact"):
        store.get("a", "ingest", version)


def test_atomic_write_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert os.listdir(tmp_path) == ["f.json"]


def test_atomic_write_failure_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    write_atomic(target, b"old")

    with pytest.raises(TypeError):
        write_atomic(target, object())  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f.json"]


def test_vitesse_home_overrides_the_project_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VITESSE_HOME", str(tmp_path / "elsewhere"))
    assert ArtifactStore.for_project(tmp_path).home == tmp_path / "elsewhere"
    monkeypatch.delenv("VITESSE_HOME")
    assert ArtifactStore.for_project(tmp_path).home == tmp_path / ".vitesse"


def test_status_follows_the_seed(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    assert read_status(store, "a").status == "new"
    for step, expected in (
        ("create", "discovering"),
        ("ingest", "mapping"),
        ("map", "testing"),
        ("test", "deploying"),
        ("deploy", "active"),
    ):
        record_success(store, "a", step)
        assert read_status(store, "a").status == expected
    created = read_status(store, "a").created_at
    record_failure(store, "a", "test", "Integration tests failed: health_score = 45 (threshold: 70)")
    state = read_status(store, "a")
    assert (state.status, state.step, state.http_status) == ("failed", "test", 400)
    assert state.error == "Integration tests failed: health_score = 45 (threshold: 70)"
    assert state.created_at == created
    assert state.id == integration_id("a")


def test_integration_ids_are_stable_uuids() -> None:
    assert integration_id("crm-to-mailwave") == integration_id("crm-to-mailwave")
    assert integration_id("crm-to-mailwave") != integration_id("mailwave-to-crm")
    assert len(integration_id("x")) == 36


def test_lock_serializes_writers_across_threads(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    inside: list[int] = []
    overlaps: list[bool] = []

    def work(i: int) -> None:
        with store.lock("a"), store.lock("a"):  # re-entrant
            inside.append(i)
            overlaps.append(len(inside) > 1)
            store.write("a", "ingest", {"i": i}, {})
            inside.remove(i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not any(overlaps)
    assert len(store.versions("a", "ingest")) == 8


def test_lock_is_reentrant_across_store_instances(tmp_path: Path) -> None:
    first, second = ArtifactStore(tmp_path), ArtifactStore(tmp_path)
    with first.lock("demo"), second.lock("demo", timeout=1):  # the same thread: no self-deadlock
        pass


def test_lock_timeout_raises_busy(tmp_path: Path) -> None:
    import threading

    from vitesse.errors import BusyError

    store = ArtifactStore(tmp_path)
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with store.lock("demo"):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    try:
        with (
            pytest.raises(BusyError, match="another step of this integration is running"),
            store.lock("demo", timeout=0.2),
        ):
            pass
    finally:
        release.set()
        thread.join()
    with store.lock("demo", timeout=1):  # free again
        pass
