"""The deploy diff of `vitesse plan`: the settings a deployment would set and the manifests its target would render,
against what the latest deploy artifact recorded (``settings``, ``manifests``).

Settings are `vitesse.deploy.step.settings_of`'s: target, image, replicas, memory_mb, cpu_cores, auto_scale, env (the
names of the env vars the service gets, never their values) and state. Manifests are compared as text, one unified
diff per file; a line longer than `LONG_LINE` (the ConfigMap's one-line bundle) is shown as its length and hash, so a
change to it is seen without a screen of JSON (the mapping section says what changed in it).
"""

from __future__ import annotations

import difflib
import hashlib
from typing import Any

LONG_LINE = 240
SETTINGS = ("target", "image", "replicas", "memory_mb", "cpu_cores", "auto_scale", "env", "state")


def settings_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Setting -> {before, after}, for the settings that differ, in `SETTINGS` order."""
    keys = [k for k in SETTINGS if k in before or k in after]
    keys += sorted((before.keys() | after.keys()) - set(SETTINGS))
    return {k: {"before": before.get(k), "after": after.get(k)} for k in keys if before.get(k) != after.get(k)}


def _shown(line: str) -> str:
    if len(line) <= LONG_LINE:
        return line
    body = line.rstrip("\n")
    indent = body[: len(body) - len(body.lstrip())]
    key, colon, _ = body.lstrip().partition(": ")
    digest = hashlib.sha256(body.encode()).hexdigest()[:12]
    label = f"{key}{colon}" if colon and len(key) < 80 else ""
    return f"{indent}{label}<{len(body):,} characters, sha256 {digest}>\n"


def manifest_diff(
    before: dict[str, str], after: dict[str, str], *, before_label: str = "deployed", after_label: str = "planned"
) -> dict[str, str]:
    """File name -> unified diff (``a/<file>`` was, ``b/<file>`` would be), for each file that changes, is added or
    goes away."""
    out = {}
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        lines = difflib.unified_diff(
            [_shown(line) for line in (old or "").splitlines(keepends=True)],
            [_shown(line) for line in (new or "").splitlines(keepends=True)],
            fromfile=f"a/{name} ({before_label})" if old is not None else "/dev/null",
            tofile=f"b/{name} ({after_label})" if new is not None else "/dev/null",
        )
        text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
        if text:
            out[name] = text
    return out
