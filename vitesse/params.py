"""Endpoint parameters from a manifest's ``params``: values (``{env: NAME}`` read when used), path and query.

One way for the test step, the bundle and the runtime to turn ``GET /repos/{owner}/{repo}/issues`` plus
``params: {owner: octocat, repo: hello-world, state: all}`` into ``/repos/octocat/hello-world/issues?state=all``.
Path values are percent-encoded (a ``/`` in a value never adds a path segment); no ``{`` is left in a URL.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from vitesse.errors import VitesseError
from vitesse.manifest.models import PLACEHOLDER, EnvValue


def placeholders(template: str) -> list[str]:
    """The ``{name}`` placeholders of a path or template, in order: ``/repos/{owner}/{repo}`` -> [owner, repo]."""
    return PLACEHOLDER.findall(template)


def text(value: Any) -> str:
    """A parameter value as it travels in a URL: booleans as ``true``/``false``, numbers as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def resolve(params: Mapping[str, Any], where: str, *, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every value as URL text, ``{env: NAME}`` read from the environment; a missing variable is an error naming it."""
    env = os.environ if environ is None else environ
    out = {}
    for name, value in params.items():
        if isinstance(value, EnvValue) or (isinstance(value, dict) and set(value) == {"env"}):
            var = value.env if isinstance(value, EnvValue) else value["env"]
            if not env.get(var):
                raise VitesseError(
                    f"{where}.params.{name}: environment variable {var} is not set", code="params.missing_env"
                )
            out[name] = env[var]
        else:
            out[name] = text(value)
    return out


def fill(path: str, values: Mapping[str, str], where: str) -> str:
    """``path`` with each ``{name}`` replaced by its percent-encoded value; an error names any left unfilled."""
    missing = [name for name in placeholders(path) if name not in values]
    if missing:
        names = ", ".join(missing)
        raise VitesseError(
            f"{where}: {path} needs {names}; set {where}.params: {{{', '.join(f'{n}: ...' for n in missing)}}}",
            code="params.missing",
        )
    return PLACEHOLDER.sub(lambda m: quote(values[m.group(1)], safe=""), path)


def request_parts(
    path: str, values: Mapping[str, str], locations: Mapping[str, str], where: str
) -> tuple[str, dict[str, str], dict[str, str]]:
    """(filled path, query parameters, headers): a value that is not a path placeholder goes where the endpoint
    declares it (``locations``: name -> ``query``/``header``), else in the query."""
    used = set(placeholders(path))
    query, headers = {}, {}
    for name, value in values.items():
        if name in used:
            continue
        (headers if locations.get(name) == "header" else query)[name] = value
    return fill(path, values, where), query, headers
