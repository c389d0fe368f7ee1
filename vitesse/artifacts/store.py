"""The versioned artifact store under ``.vitesse/`` (or ``$VITESSE_HOME``).

Layout::

    <home>/artifacts/<integration>/<step>/<version>.json   one file per version, never rewritten
    <home>/artifacts/<integration>/<step>/latest           the newest version's name
    <home>/artifacts/<integration>/status.json             the outcome of the last step run

A version is the content hash of what the artifact holds (integration, step, inputs, data), so re-running a step on
the same inputs yields the same version and writes nothing new. Every write goes to a temporary file that is renamed
into place, so a reader never sees half a file and a crash never leaves one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel

from vitesse import jsoncodec
from vitesse.errors import ArtifactError, BusyError
from vitesse.hashing import content_hash

HOME_ENV = "VITESSE_HOME"


class Artifact(BaseModel):
    """One step's output for one integration."""

    integration: str
    step: str
    version: str
    created_at: str
    inputs: dict[str, Any]
    data: dict[str, Any]


def utc_now() -> str:
    """The current UTC time as ISO 8601 with seconds precision."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def write_atomic(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` so that readers see either the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def artifact_version(integration: str, step: str, data: dict[str, Any], inputs: dict[str, Any]) -> str:
    """The version `ArtifactStore.write` gives this content: what a step would store, known without storing it
    (`vitesse plan`)."""
    return content_hash({"integration": integration, "step": step, "inputs": inputs, "data": data})


def _busy(integration: str) -> BusyError:
    return BusyError(f"{integration}: another step of this integration is running; retry when it has finished")


def _flock(handle: IO[bytes], deadline: float | None, integration: str) -> None:
    """Take the cross-process lock, waiting until ``deadline`` (forever when None)."""
    if deadline is None:
        fcntl.flock(handle, fcntl.LOCK_EX)
        return
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise _busy(integration) from None
            time.sleep(0.05)


class ArtifactStore:
    """Read and write versioned step artifacts for the integrations of one project."""

    _thread_locks: dict[str, threading.RLock] = {}  # noqa: RUF012 - shared by every store in the process
    _depth: dict[str, int] = {}  # noqa: RUF012 - per lock key; only the thread holding its RLock touches it
    _guard = threading.Lock()

    def __init__(self, home: Path) -> None:
        self.home = Path(home)

    @classmethod
    def for_project(cls, project: Path) -> ArtifactStore:
        """The store of ``project``: ``$VITESSE_HOME`` if set, else ``<project>/.vitesse``."""
        home = os.environ.get(HOME_ENV)
        return cls(Path(home) if home else Path(project) / ".vitesse")

    def folder(self, integration: str, step: str | None = None) -> Path:
        base = self.home / "artifacts" / integration
        return base / step if step else base

    @contextlib.contextmanager
    def lock(self, integration: str, *, timeout: float | None = None) -> Iterator[None]:
        """Hold an exclusive, re-entrant lock for one integration, across threads and processes.

        With ``timeout`` (seconds), raise `BusyError` if another thread or process holds it longer than that.
        """
        folder = self.folder(integration)
        key = str(folder.resolve()) if folder.exists() else str(folder.absolute())
        with self._guard:
            thread_lock = self._thread_locks.setdefault(key, threading.RLock())
        deadline = None if timeout is None else time.monotonic() + timeout
        if not thread_lock.acquire(timeout=-1 if timeout is None else timeout):
            raise _busy(integration)
        try:
            depth = self._depth.get(key, 0)
            self._depth[key] = depth + 1
            try:
                if depth:
                    yield
                    return
                folder.mkdir(parents=True, exist_ok=True)
                with open(folder / ".lock", "a+b") as handle:
                    _flock(handle, deadline, integration)
                    try:
                        yield
                    finally:
                        fcntl.flock(handle, fcntl.LOCK_UN)
            finally:
                self._depth[key] = depth
        finally:
            thread_lock.release()

    def write(self, integration: str, step: str, data: dict[str, Any], inputs: dict[str, Any]) -> Artifact:
        """Store a new version (or reuse the identical existing one) and make it ``latest``."""
        version = artifact_version(integration, step, data, inputs)
        folder = self.folder(integration, step)
        path = folder / f"{version}.json"
        if path.exists():
            artifact = self.get(integration, step, version)
        else:
            artifact = Artifact(
                integration=integration, step=step, version=version, created_at=utc_now(), inputs=inputs, data=data
            )
            write_atomic(path, jsoncodec.dumps(artifact.model_dump(), indent=True))
        write_atomic(folder / "latest", version.encode())
        return artifact

    def latest_version(self, integration: str, step: str) -> str | None:
        try:
            return (self.folder(integration, step) / "latest").read_text().strip() or None
        except FileNotFoundError:
            return None

    def latest(self, integration: str, step: str) -> Artifact | None:
        """The newest artifact of ``step``, or None if the step never succeeded."""
        version = self.latest_version(integration, step)
        return self.get(integration, step, version) if version else None

    def get(self, integration: str, step: str, version: str) -> Artifact:
        path = self.folder(integration, step) / f"{version}.json"
        try:
            return Artifact.model_validate(jsoncodec.loads(path.read_bytes()))
        except FileNotFoundError:
            raise ArtifactError(f"no {step} artifact {version} for {integration} (looked in {path})") from None
        except ValueError as exc:  # not JSON (jsoncodec) or not an artifact (pydantic)
            raise ArtifactError(f"corrupt artifact {path}: {exc}; delete it and re-run the step") from None

    def versions(self, integration: str, step: str) -> list[str]:
        """All stored versions of ``step``, oldest first."""
        folder = self.folder(integration, step)
        if not folder.is_dir():
            return []
        files = sorted(folder.glob("*.json"), key=lambda p: (p.stat().st_mtime_ns, p.name))
        return [p.stem for p in files]

    def integrations(self) -> list[str]:
        root = self.home / "artifacts"
        return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []

    def read_json(self, integration: str, name: str) -> dict[str, Any] | None:
        try:
            return jsoncodec.loads((self.folder(integration) / name).read_bytes())
        except FileNotFoundError:
            return None
        except ValueError as exc:
            raise ArtifactError(f"corrupt {self.folder(integration) / name}: {exc}") from None

    def write_json(self, integration: str, name: str, value: dict[str, Any]) -> None:
        write_atomic(self.folder(integration) / name, jsoncodec.dumps(value, indent=True))
