"""The docker target (the seed's LOCAL): build an image with the docker SDK, run it with an init process, a restart
policy and Traefik labels, wait for health; a failed build or an unhealthy container leaves the previous one serving.

The image is the configured base (python3 + CA certificates), the project's locked dependencies installed for it
(``uv pip install --target``, from uv's cache), the vitesse package and the bundle. Secrets are passed as environment
variables when the container starts (from the deploying shell's environment), never baked into the image.

State: SQLite lives in ``<home>/deploy/<name>/state/`` on the host, bind-mounted at /data, so it outlives every
container (redeploys and ``--stop`` keep it). With PostgreSQL there is no mount and the URL's env var is passed at run
time like the auth secrets (the deploy is refused if the deploying shell does not have it).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

from vitesse.artifacts import write_atomic
from vitesse.deploy.process import free_port
from vitesse.deploy.render import DeployContext, render
from vitesse.deploy.result import DeployResult
from vitesse.deploy.state import require_state_url, state_args, state_url_env
from vitesse.errors import DeployError

PROJECT = Path(__file__).resolve().parents[2]
PACKAGE = Path(__file__).resolve().parents[1]


def _uv() -> list[str]:
    found = shutil.which("uv")
    return [found] if found else ["python3", "-m", "uv"]


def runtime_site(cache: Path) -> Path:
    """The locked dependencies installed for the image's Python, cached by the lock file's hash."""
    lock = (PROJECT / "uv.lock").read_bytes()
    folder = cache / hashlib.sha256(lock).hexdigest()[:16]
    if folder.is_dir():
        return folder
    requirements = cache / "requirements.txt"
    cache.mkdir(parents=True, exist_ok=True)
    exported = subprocess.run(
        [
            *_uv(),
            "export",
            "--no-dev",
            "--no-hashes",
            "--no-emit-project",
            "-q",
            "--project",
            str(PROJECT),
            "-o",
            str(requirements),
        ],
        capture_output=True,
        text=True,
    )
    if exported.returncode != 0:
        raise DeployError(f"cannot export the locked requirements: {exported.stderr.strip()}", code="deploy.build")
    partial = folder.with_suffix(".partial")
    shutil.rmtree(partial, ignore_errors=True)
    installed = subprocess.run(
        [
            *_uv(),
            "pip",
            "install",
            "-q",
            "--target",
            str(partial),
            "--python-version",
            "3.11",
            "--python-platform",
            "x86_64-manylinux_2_36",
            "-r",
            str(requirements),
        ],
        capture_output=True,
        text=True,
    )
    if installed.returncode != 0:
        raise DeployError(
            f"cannot install the runtime dependencies: {installed.stderr.strip()[-500:]}", code="deploy.build"
        )
    partial.rename(folder)
    return folder


def run_options(ctx: DeployContext, port: int) -> dict[str, Any]:
    """The container's run options (the docker SDK's ``containers.run`` keywords) for serving on ``port``.

    Secret values (auth and the PostgreSQL state URL) come from the deploying shell's environment into the
    container's, never into the image; the SQLite state folder is bind-mounted (created if needed).
    """
    variables = ctx.variables()
    deploy = ctx.mf.manifest.deploy
    router = f"vitesse-{ctx.short_id}"
    labels = {
        **variables["labels"],
        "traefik.enable": "true",
        f"traefik.http.routers.{router}.rule": f"PathPrefix(`/vitesse-{ctx.short_id}`)",
        f"traefik.http.routers.{router}.middlewares": f"{router}-strip",
        f"traefik.http.middlewares.{router}-strip.stripprefix.prefixes": f"/vitesse-{ctx.short_id}",
        f"traefik.http.services.{router}.loadbalancer.server.port": str(port),
    }
    volumes = {}
    if state_url_env(ctx.mf.manifest) is None:
        folder = ctx.workdir / "state"
        folder.mkdir(exist_ok=True)
        volumes[str(folder)] = {"bind": "/data", "mode": "rw"}
    serve = ["runtime", "serve", "--bundle", "/app/bundle.json", "--host", "127.0.0.1", "--port", str(port)]
    secrets = {name: os.environ[name] for name in variables["secrets"] if name in os.environ}
    return {
        "command": [*serve, *state_args(ctx.mf.manifest, "/data/state.sqlite")],
        "name": f"{ctx.resource}-{ctx.bundle.version[:8]}-{port}",
        "detach": True,
        "init": True,
        "network_mode": "host",
        "labels": labels,
        "environment": {**secrets, "VITESSE_PORT": str(port)},
        "restart_policy": {"Name": "unless-stopped"},
        "volumes": volumes,
        "mem_limit": f"{deploy.memory_mb}m",
        "nano_cpus": int(deploy.cpu_cores * 1e9),
    }


class DockerTarget:
    name = "docker"

    def image(self, ctx: DeployContext) -> str:
        return f"vitesse-{ctx.mf.name}:{ctx.bundle.version}"

    def render(self, ctx: DeployContext) -> dict[str, str]:
        docker = ctx.mf.manifest.deploy.docker
        variables = ctx.variables()
        variables.update(base_image=docker.base_image, ca_bundle=bool(docker.ca_bundle))
        return {"Dockerfile": render("Dockerfile.j2", variables)}

    def record(self, ctx: DeployContext) -> dict[str, Any] | None:
        try:
            return orjson.loads((ctx.workdir / "docker.json").read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None

    def _client(self, ctx: DeployContext) -> Any:
        import docker

        host = ctx.mf.manifest.deploy.docker.host
        try:
            client = docker.DockerClient(base_url=host) if host else docker.from_env()
            client.ping()
        except Exception as exc:  # docker raises DockerException and requests' errors
            raise DeployError(
                f"no Docker daemon reachable ({type(exc).__name__}); start dockerd or set "
                "deploy.docker.host / DOCKER_HOST",
                code="deploy.no_docker",
            ) from None
        return client

    def build(self, ctx: DeployContext, dockerfile: str, client: Any) -> str:
        docker_cfg = ctx.mf.manifest.deploy.docker
        context = ctx.workdir / "build"
        shutil.rmtree(context, ignore_errors=True)
        context.mkdir(parents=True)
        site = runtime_site(ctx.workdir.parent / "_site")
        shutil.copytree(site, context / "site", copy_function=os.link)
        shutil.copytree(PACKAGE, context / "site" / "vitesse", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copyfile(ctx.bundle_path, context / "bundle.json")
        if docker_cfg.ca_bundle:
            ca = Path(docker_cfg.ca_bundle)
            if not ca.is_absolute():
                ca = ctx.mf.folder / ca
            shutil.copyfile(ca, context / "extra-ca.crt")
        (context / "Dockerfile").write_text(dockerfile)
        tag = self.image(ctx)
        from docker.errors import APIError, BuildError

        try:
            client.images.build(path=str(context), tag=tag, rm=True, network_mode="host", forcerm=True)
        except BuildError as exc:
            tail = "\n".join(
                str(line.get("stream", line.get("error", ""))).rstrip()
                for line in list(exc.build_log)[-12:]
                if isinstance(line, dict)
            )
            raise DeployError(
                f"Docker image build failed: {exc.msg}; the previous deployment keeps running. Build log tail:\n{tail}",
                code="deploy.build",
            ) from None
        except APIError as exc:
            raise DeployError(
                f"Docker image build failed: {exc.explanation}; the previous deployment keeps running",
                code="deploy.build",
            ) from None
        finally:
            shutil.rmtree(context, ignore_errors=True)
        return tag

    def apply(self, ctx: DeployContext, manifests: dict[str, str], *, dry_run: bool) -> DeployResult:
        if dry_run:
            return DeployResult(container_id=ctx.resource, service_url="", details={"dry_run": True})
        require_state_url(ctx.mf.manifest)
        client = self._client(ctx)
        image = self.build(ctx, manifests["Dockerfile"], client)
        port = free_port()
        options = run_options(ctx, port)
        name = options["name"]
        container = client.containers.run(image, **options)
        url = f"http://127.0.0.1:{port}"
        if not self._healthy(container, url, ctx.mf.manifest.deploy.health_timeout_seconds):
            logs = container.logs(tail=15).decode(errors="replace")
            with contextlib.suppress(Exception):
                container.remove(force=True)
            raise DeployError(
                f"the new container never became healthy at {url}/health; the previous deployment "
                f"keeps running. Log tail:\n{logs}",
                code="deploy.unhealthy",
            )
        previous = self.record(ctx)
        write_atomic(
            ctx.workdir / "docker.json",
            orjson.dumps(
                {"container_id": container.id, "name": name, "image": image, "port": port, "service_url": url}
            ),
        )
        if previous and previous.get("container_id") != container.id:
            self._remove(client, previous["container_id"])
        return DeployResult(
            container_id=container.id[:12],
            service_url=url,
            details={
                "container_name": name,
                "image": image,
                "port": port,
                "route": f"/vitesse-{ctx.short_id}",
                "replaced": previous.get("container_id", "")[:12] if previous else None,
            },
        )

    @staticmethod
    def _healthy(container: Any, url: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            container.reload()
            if container.status in ("exited", "dead"):
                return False
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        return False

    @staticmethod
    def _remove(client: Any, container_id: str) -> None:
        with contextlib.suppress(Exception):
            client.containers.get(container_id).remove(force=True)

    def stop(self, ctx: DeployContext) -> None:
        previous = self.record(ctx)
        if previous is None:
            raise DeployError(f"{ctx.mf.name} has no running docker deployment", code="deploy.not_running")
        self._remove(self._client(ctx), previous["container_id"])
        (ctx.workdir / "docker.json").unlink(missing_ok=True)
