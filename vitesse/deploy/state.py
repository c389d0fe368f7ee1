"""Where a deployment keeps the runtime's state (``runtime.state``), and the replica rule that follows from it.

SQLite is one file that one process writes: one replica, on storage that outlives the process (the process and
docker targets' folder under ``.vitesse/deploy/<name>/``, a PersistentVolumeClaim on Kubernetes, EFS on ECS), passed
as ``--state PATH``. PostgreSQL is shared by every replica (one of them holds the sync lease): no ``--state``, and the
env var ``url_env`` reaches the runtime exactly like an auth secret (a Secret reference, an ECS secret ARN, the
deploying shell's environment), never inline.
"""

from __future__ import annotations

import os

from vitesse.errors import DeployError
from vitesse.manifest import ManifestFile, display_path
from vitesse.manifest.models import Manifest, PostgresState

STATE_DIR = "/var/lib/vitesse"
"""Where the containerised targets (Kubernetes, ECS) mount the state volume."""
STATE_FILE = f"{STATE_DIR}/state.sqlite"


def state_url_env(manifest: Manifest) -> str | None:
    """The env var holding the PostgreSQL URL, or None for SQLite state."""
    state = manifest.runtime.state
    return state.url_env if isinstance(state, PostgresState) else None


def state_args(manifest: Manifest, sqlite_path: str) -> list[str]:
    """The runtime's ``--state`` arguments: the SQLite path on the target's durable storage; none for PostgreSQL
    (the runtime takes the URL from the env var the bundle names)."""
    return [] if state_url_env(manifest) else ["--state", sqlite_path]


def check_replicas(mf: ManifestFile) -> None:
    """Refuse several replicas or autoscaling on SQLite state, before anything is built, rendered or applied.

    Each replica would run the periodic sync against a file of its own: every record written once per replica.
    """
    deploy = mf.manifest.deploy
    if state_url_env(mf.manifest) is not None or (deploy.replicas == 1 and not deploy.auto_scale):
        return
    asked, fix = [], []
    if deploy.replicas > 1:
        asked.append(f"deploy.replicas: {deploy.replicas}")
        fix.append("deploy.replicas: 1")
    if deploy.auto_scale:
        asked.append("deploy.auto_scale: true")
        fix.append("deploy.auto_scale: false")
    raise DeployError(
        f"{display_path(mf.path)}: {' and '.join(asked)} needs a state all replicas share, but runtime.state is "
        "sqlite (each replica would sync on its own file and write every record once per replica); set "
        "runtime.state: {type: postgresql, url_env: VITESSE_STATE_URL} with the postgresql:// URL in that env var, "
        f"or {' and '.join(fix)}",
        code="deploy.sqlite_replicas",
        http_status=400,
    )


def require_state_url(manifest: Manifest) -> None:
    """For targets that hand the deploying shell's environment to the runtime (process, docker): the PostgreSQL URL
    must be there, or the runtime cannot start."""
    name = state_url_env(manifest)
    if name is not None and not os.environ.get(name):
        raise DeployError(
            f"runtime.state is postgresql but {name} is not set: export {name}=postgresql://user:password@host/db "
            "in the environment of `vitesse deploy` (the runtime reads the URL from it)",
            code="deploy.state_url_missing",
        )
