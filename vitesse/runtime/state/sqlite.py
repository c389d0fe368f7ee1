"""The SQLite state store: one file, one replica (WAL, so readers such as /health never block the sync).

Commits use ``synchronous=NORMAL`` in WAL mode: a committed mark survives the process being killed (``kill -9``),
which is what per-record durability needs; only a power loss can take the last commits with it. WAL needs memory
shared between processes, which network file systems (NFS, so EFS on ECS) do not give: there the store uses a
rollback journal with ``synchronous=FULL`` instead. The sync lease is
an exclusive ``flock`` on ``<file>.<integration>.lease``, so two processes on one file never sync at once either.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vitesse.errors import RuntimeSyncError
from vitesse.runtime.state.base import SqlStateStore
from vitesse.runtime.state.migrations import LEGACY_SQLITE_IMPORT

BUSY_TIMEOUT_SECONDS = 30
NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "fuse.sshfs", "afs", "ceph", "glusterfs"}


def on_network_filesystem(path: Path, mounts: str = "/proc/mounts") -> bool:
    """Whether ``path`` lives on a network file system, by the longest matching mount point in ``/proc/mounts``."""
    try:
        lines = Path(mounts).read_text().splitlines()
    except OSError:
        return False
    target = str(Path(path).resolve().parent)
    best, kind = "", ""
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, kind = point, fields[2]
    return kind in NETWORK_FILESYSTEMS


class SqliteStateStore(SqlStateStore):
    dialect = "sqlite"
    inline_commits = True  # a commit is a write to the WAL (no fsync): cheaper than handing it to a thread

    def __init__(self, path: Path, integration: str) -> None:
        super().__init__(integration, str(path))
        self.path = Path(path)
        self.db: sqlite3.Connection | None = None
        try:
            with self._guard():
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(
                    self.path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS
                )
                if on_network_filesystem(self.path):
                    self.db.execute("PRAGMA journal_mode=DELETE")
                    self.db.execute("PRAGMA synchronous=FULL")
                else:
                    self.db.execute("PRAGMA journal_mode=WAL")
                    self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except BaseException:
            self.close()
            raise

    def _cursor(self) -> Any:
        assert self.db is not None
        return self.db.cursor()

    @contextlib.contextmanager
    def _transaction(self, *, exclusive: bool = False) -> Iterator[Any]:
        assert self.db is not None
        cur = self.db.cursor()
        cur.execute("BEGIN IMMEDIATE" if exclusive else "BEGIN")
        try:
            yield cur
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                cur.execute("ROLLBACK")
            raise
        cur.execute("COMMIT")

    def _legacy_import(self, cur: Any) -> None:
        cur.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = {row[0] for row in cur.fetchall()}
        if not {"checkpoint", "delivered", "dead_letters"} <= tables:
            return
        for statement in LEGACY_SQLITE_IMPORT:
            cur.execute(statement, (self.integration,) * statement.count("?"))

    def _problem(self, exc: Exception) -> RuntimeSyncError | None:
        if isinstance(exc, OSError):
            return RuntimeSyncError(
                f"cannot create the state file {self.path}: {exc.strerror or exc}; pass a writable --state path",
                code="runtime.state_unwritable",
            )
        if not isinstance(exc, sqlite3.Error):
            return None
        text = str(exc)
        lowered = text.lower()
        if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
            return RuntimeSyncError(
                f"state file {self.path} is not a usable vitesse state database ({text}): move it aside to start "
                "afresh (unchanged records are then sent again, with the same Idempotency-Key) or restore a backup",
                code="runtime.state_corrupt",
            )
        if "locked" in lowered or "busy" in lowered:
            return RuntimeSyncError(
                f"state file {self.path} stayed locked by another process for {BUSY_TIMEOUT_SECONDS} s ({text}); "
                "is another vitesse runtime using it?",
                code="runtime.state_locked",
            )
        if any(word in lowered for word in ("readonly", "unable to open", "disk", "full", "i/o", "permission")):
            return RuntimeSyncError(
                f"cannot write the state file {self.path} ({text}): check that its folder exists, is writable and "
                "has free space, or pass another --state",
                code="runtime.state_unwritable",
            )
        return RuntimeSyncError(f"state file {self.path}: {text}", code="runtime.state")

    def lease(self) -> FileLease:
        return FileLease(self.path.with_name(f"{self.path.name}.{self.integration}.lease"))

    def close(self) -> None:
        with self._lock:
            if self.db is not None:
                self.db.close()
                self.db = None


class FileLease:
    """An exclusive, non-blocking ``flock``: released by the kernel when the holder exits, however it exits."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.holder = f"{socket.gethostname()}:{os.getpid()}"
        self._fd: int | None = None

    def acquire(self) -> bool:
        if self._fd is not None:
            return True
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise RuntimeSyncError(
                f"cannot create the lease file {self.path}: {exc.strerror}", code="runtime.state_unwritable"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def check(self) -> None:
        return None  # a flock cannot be lost while the process lives

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
