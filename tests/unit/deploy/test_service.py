"""The deployed service's state from the records deploy and stop leave, without starting anything (a real process
deployment: tests/e2e/test_status_service.py)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import orjson

from vitesse.artifacts import ArtifactStore, record_success
from vitesse.deploy.process import free_port
from vitesse.deploy.service import answers_health, record_service, service_state

NAME = "demo"


def deployed(store: ArtifactStore, target: str, *, dry_run: bool = False, url: str = "") -> None:
    data = {"target": target, "dry_run": dry_run, "service_url": url, "container_id": f"vitesse-{NAME}"}
    artifact = store.write(NAME, "deploy", data, {"manifest": "m", "test": "t"})
    if not dry_run:
        record_service(store, NAME, "deployed", artifact)


def workdir(store: ArtifactStore) -> Path:
    folder = store.home / "deploy" / NAME
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_never_deployed_and_dry_runs_are_not_a_service(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    assert service_state(store, NAME).state == "-"
    deployed(store, "process", dry_run=True)
    assert (service_state(store, NAME).state, service_state(store, NAME).detail) == ("-", "never deployed")


def test_a_process_that_is_gone_is_unhealthy_and_a_stop_is_stopped(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    url = f"http://127.0.0.1:{free_port()}"
    deployed(store, "process", url=url)
    # our own pid is alive but not a runtime: what a reused pid looks like
    (workdir(store) / "process.json").write_bytes(orjson.dumps({"pid": os.getpid(), "service_url": url}))
    state = service_state(store, NAME)
    assert state.state == "unhealthy" and f"pid {os.getpid()} is not running" in state.detail
    (workdir(store) / "process.json").unlink()
    assert service_state(store, NAME).state == "stopped"  # the target's record is gone: nothing runs

    record_service(store, NAME, "stopped", store.latest(NAME, "deploy"))
    record_success(store, NAME, "map")  # the pipeline moves on; the service does not
    assert service_state(store, NAME).state == "stopped"


def test_kubernetes_and_ecs_are_deployed_not_checked(tmp_path: Path) -> None:
    for target in ("kubernetes", "ecs"):
        store = ArtifactStore(tmp_path / target)
        deployed(store, target, url="http://lb.example/vitesse-1234")
        state = service_state(store, NAME)
        assert (state.state, state.url) == ("deployed", "http://lb.example/vitesse-1234")
        assert f"applied on {target}" in state.detail and "not checked" in state.detail


def test_docker_without_a_daemon_judges_by_health(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    url = f"http://127.0.0.1:{free_port()}"
    deployed(store, "docker", url=url)
    record = {"container_id": "0123456789abcdef", "service_url": url}
    (workdir(store) / "docker.json").write_bytes(orjson.dumps(record))
    state = service_state(store, NAME, docker_host=f"unix://{tmp_path}/no-docker.sock")
    assert state.state == "unhealthy" and "does not answer" in state.detail


def test_a_record_from_before_service_json_is_read_from_the_artifacts(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    store.write(NAME, "deploy", {"target": "kubernetes", "dry_run": False, "service_url": "http://x/y"}, {})
    record_success(store, NAME, "deploy")
    assert service_state(store, NAME).state == "deployed"
    record_success(store, NAME, "deploy", status="stopped")
    assert service_state(store, NAME).state == "stopped"


def test_health_is_asked_on_loopback_only_with_a_short_timeout(tmp_path: Path) -> None:
    assert answers_health("http://10.0.0.1:8080") is None
    assert answers_health("https://127.0.0.1:8080") is None
    assert answers_health(f"http://127.0.0.1:{free_port()}") is False  # nothing listens
    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        assert answers_health(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.2) is False


def test_a_starting_runtime_counts_as_running_while_its_command_line_changes(tmp_path) -> None:
    """The health wait after a spawn asks whether the process exists, not what its command line says: mid-exec it
    may be empty or still the shell's, which made a loaded machine report an unhealthy deploy within a second."""
    import subprocess

    from vitesse.deploy.process import _alive, _running

    child = subprocess.Popen(["sleep", "5"])
    try:
        assert _running(child.pid) and not _alive(child.pid)  # running, though not a "runtime serve"
    finally:
        child.kill()
        child.wait()
    assert not _running(child.pid)
