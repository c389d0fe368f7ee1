"""The process target (default): the runtime as a local background process on a free port.

A redeploy starts the new process first and stops the old one only once the new one answers /health, so a broken
bundle never takes down what is running. The pid, port and URL live in ``<home>/deploy/<name>/process.json``; the
SQLite state in ``<home>/deploy/<name>/state.sqlite`` (kept by redeploys and ``--stop``). With PostgreSQL state the
process inherits the deploying shell's environment, URL env var included (the deploy is refused without it).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from vitesse.artifacts import write_atomic
from vitesse.deploy.result import DeployResult
from vitesse.deploy.state import require_state_url, state_args
from vitesse.errors import DeployError

if TYPE_CHECKING:  # `vitesse status` imports this module for `_alive`; the renderer (jinja2) is the deploy's
    from vitesse.deploy.render import DeployContext


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"runtime" in cmdline and b"serve" in cmdline


def _running(pid: int) -> bool:
    """The process exists and has not exited. While it starts, its command line may still be the shell's or empty
    (mid-exec), which `_alive` would take for gone: the health wait right after the spawn asks this instead."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    fields = stat.rpartition(")")[2].split()
    return bool(fields) and fields[0] not in ("Z", "X")


def stop_pid(pid: int, timeout: float = 10) -> None:
    if not _alive(pid):
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)


def spawn_detached(argv: list[str], log: Path) -> int:
    """Start ``argv`` in a session of its own (it outlives the CLI), output appended to ``log``; its pid."""
    command = f"setsid {shlex.join(argv)} >>{shlex.quote(str(log))} 2>&1 </dev/null & echo $!"
    launched = subprocess.run(["sh", "-c", command], capture_output=True, text=True, check=False)
    if launched.returncode != 0 or not launched.stdout.strip().isdigit():
        raise DeployError(
            f"could not start the runtime: {launched.stderr.strip() or launched.stdout.strip()}", code="deploy.spawn"
        )
    return int(launched.stdout.strip())


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class ProcessTarget:
    name = "process"

    def image(self, ctx: DeployContext) -> str | None:
        return None  # the runtime runs from this checkout's Python

    def render(self, ctx: DeployContext) -> dict[str, str]:
        return {}

    def record(self, ctx: DeployContext) -> dict[str, Any] | None:
        try:
            return orjson.loads((ctx.workdir / "process.json").read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None

    def apply(self, ctx: DeployContext, manifests: dict[str, str], *, dry_run: bool) -> DeployResult:
        if dry_run:
            return DeployResult(container_id=f"vitesse-{ctx.short_id}", service_url="", details={"dry_run": True})
        import httpx  # here, not at the top: `vitesse status` imports this module and never calls /health with it

        require_state_url(ctx.mf.manifest)
        port = free_port()
        log = ctx.workdir / "runtime.log"
        serve = [sys.executable, "-m", "vitesse", "runtime", "serve", "--bundle", str(ctx.bundle_path)]
        serve += ["--port", str(port), *state_args(ctx.mf.manifest, str(ctx.workdir / "state.sqlite"))]
        pid = spawn_detached(serve, log)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + ctx.mf.manifest.deploy.health_timeout_seconds
        healthy = False
        while time.monotonic() < deadline and _running(pid):
            try:
                healthy = httpx.get(url + "/health", timeout=1).status_code == 200
            except httpx.HTTPError:
                healthy = False
            if healthy:
                break
            time.sleep(0.2)
        if not healthy:
            limit = ctx.mf.manifest.deploy.health_timeout_seconds
            why = "it exited before answering" if not _running(pid) else f"no answer within {limit:g} s"
            stop_pid(pid, timeout=5)
            raise DeployError(
                f"the new runtime did not become healthy at {url}/health ({why}); the previous deployment "
                f"keeps running. Log tail:\n{_tail(log) or '(empty)'}",
                code="deploy.unhealthy",
            )
        previous = self.record(ctx)
        write_atomic(
            ctx.workdir / "process.json",
            orjson.dumps({"pid": pid, "port": port, "service_url": url, "bundle_version": ctx.bundle.version}),
        )
        if previous and previous.get("pid") != pid:
            stop_pid(int(previous["pid"]))
        return DeployResult(
            container_id=f"vitesse-{ctx.short_id}",
            service_url=url,
            details={
                "pid": pid,
                "port": port,
                "log": str(log),
                "replaced_pid": previous.get("pid") if previous else None,
            },
        )

    def stop(self, ctx: DeployContext) -> None:
        previous = self.record(ctx)
        if previous is None:
            raise DeployError(f"{ctx.mf.name} has no running process deployment", code="deploy.not_running")
        stop_pid(int(previous["pid"]))
        (ctx.workdir / "process.json").unlink(missing_ok=True)
