"""The deployed service's state, apart from the pipeline's status (the seed's ``active``, ``testing``...).

=========== ===========================================================================================================
running     the process (or container) the target recorded is alive and its ``GET /health`` answers 200
unhealthy   deployed and not stopped, but the recorded process or container is gone, or ``/health`` does not answer
stopped     `vitesse deploy NAME --stop` ran after the last deploy (or the target's record of what runs is gone)
deployed    applied on kubernetes or ecs: `vitesse status` calls no remote API, so that is all it knows
``-``       never deployed (a dry run deploys nothing)
=========== ===========================================================================================================

Deploy and stop write ``<home>/artifacts/<name>/service.json`` (what was deployed where, or that it was stopped): the
pipeline's status moves on with every step run, the service does not. The checks are cheap and local: a pid in
``/proc``, a ``/health`` request to a loopback address with a 0.5 s timeout, and for docker the container's state
from the daemon (the docker SDK is imported only for an integration deployed on docker).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from vitesse import jsoncodec
from vitesse.artifacts import Artifact, ArtifactStore, read_status, utc_now

SERVICE_FILE = "service.json"
HEALTH_TIMEOUT = 0.5
LOOPBACK = ("127.0.0.1", "localhost", "::1")
DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock"


@dataclass(frozen=True)
class ServiceState:
    state: str
    """running, unhealthy, stopped, deployed or ``-``."""
    detail: str
    url: str | None = None
    target: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"service": self.state, "service_detail": self.detail, "service_url": self.url}


def record_service(
    store: ArtifactStore, name: str, state: str, deployed: Artifact | None, *, target: str | None = None
) -> None:
    """Record that the integration's service was ``deployed`` (by the artifact ``deployed``) or ``stopped``."""
    data = deployed.data if deployed is not None else {}
    store.write_json(
        name,
        SERVICE_FILE,
        {
            "state": state,
            "target": target or data.get("target"),
            "deploy_version": deployed.version if deployed is not None else None,
            "service_url": data.get("service_url") or None,
            "container_id": data.get("container_id"),
            "at": utc_now(),
        },
    )


def service_state(store: ArtifactStore, name: str, *, docker_host: str | None = None) -> ServiceState:
    """What the integration's service is doing now (see the module's table); ``docker_host`` is the manifest's
    ``deploy.docker.host``."""
    record = store.read_json(name, SERVICE_FILE) or _from_artifacts(store, name)
    if record is None:
        return ServiceState("-", "never deployed")
    target = record.get("target") or "?"
    if record.get("state") == "stopped":
        return ServiceState("stopped", f"stopped ({target}) at {record.get('at') or 'an unknown time'}", None, target)
    workdir = store.home / "deploy" / name
    if target == "process":
        return _process(workdir)
    if target == "docker":
        return _docker(workdir, docker_host)
    at = record.get("at") or "an unknown time"
    return ServiceState(
        "deployed",
        f"applied on {target} at {at}; not checked (status calls no remote API)",
        record.get("service_url"),
        target,
    )


def answers_health(url: str, timeout: float = HEALTH_TIMEOUT) -> bool | None:
    """Whether ``GET <url>/health`` answers 200; None for a URL that is not http on a loopback address (not asked)."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK:
        return None
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    try:
        connection.request("GET", parts.path.rstrip("/") + "/health")
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def _from_artifacts(store: ArtifactStore, name: str) -> dict[str, Any] | None:
    """The record of a deployment made before deploy wrote ``service.json``: its latest real deploy artifact."""
    latest = store.latest(name, "deploy")
    if latest is None or latest.data.get("dry_run"):
        return None
    stopped = read_status(store, name).status == "stopped"
    return {"state": "stopped" if stopped else "deployed", "target": latest.data.get("target"), "at": None}


def _read(path: Path) -> dict[str, Any] | None:
    try:
        found = jsoncodec.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def _process(workdir: Path) -> ServiceState:
    from vitesse.deploy.process import _alive

    record = _read(workdir / "process.json")
    if record is None:
        return ServiceState("stopped", "no process recorded (stopped)", None, "process")
    pid, url = int(record.get("pid", 0)), str(record.get("service_url", ""))
    if not _alive(pid):
        return ServiceState("unhealthy", f"pid {pid} is not running; redeploy to start it again", url, "process")
    if answers_health(url) is False:
        return ServiceState("unhealthy", f"pid {pid} is running but {url}/health does not answer", url, "process")
    return ServiceState("running", f"pid {pid}, {url}/health answers", url, "process")


def _docker(workdir: Path, host: str | None) -> ServiceState:
    record = _read(workdir / "docker.json")
    if record is None:
        return ServiceState("stopped", "no container recorded (stopped)", None, "docker")
    container_id, url = str(record.get("container_id", "")), str(record.get("service_url", ""))
    status = _container_status(container_id, host)
    if status is not None and status != "running":
        return ServiceState("unhealthy", f"container {container_id[:12]} is {status}", url, "docker")
    health = answers_health(url)
    if health is False:
        return ServiceState("unhealthy", f"container {container_id[:12]}: {url}/health does not answer", url, "docker")
    daemon = "" if status is not None else " (the docker daemon did not answer)"
    return ServiceState("running", f"container {container_id[:12]}, {url}/health answers{daemon}", url, "docker")


def _container_status(container_id: str, host: str | None) -> str | None:
    """The container's state (running, exited, ``gone``...) from the docker daemon; None if it cannot be asked."""
    if not _daemon_listens(host or os.environ.get("DOCKER_HOST") or DEFAULT_DOCKER_HOST):
        return None
    try:
        import docker
        from docker.errors import NotFound
    except ImportError:
        return None
    client = None
    try:
        client = docker.DockerClient(base_url=host, timeout=2) if host else docker.from_env(timeout=2)
        return str(client.containers.get(container_id).status)
    except NotFound:
        return "gone"
    except Exception:  # DockerException, and requests' connection errors that the SDK lets through
        return None
    finally:
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()


def _daemon_listens(host: str) -> bool:
    """Whether a unix-socket daemon address accepts a connection (checked here: the docker SDK leaks the socket of a
    failed connect); other addresses are left to the SDK."""
    if not host.startswith("unix://"):
        return True
    with socket.socket(socket.AF_UNIX) as probe:
        probe.settimeout(HEALTH_TIMEOUT)
        try:
            probe.connect(host.removeprefix("unix://"))
        except OSError:
            return False
    return True
