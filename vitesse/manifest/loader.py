"""Read `integrations/<name>.yaml` into a `Manifest`, reporting every problem as ``file:line:col: path: message``."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from vitesse.errors import ManifestError
from vitesse.manifest.models import Manifest, Side
from vitesse.manifest.positions import Positioned, build_positioned
from vitesse.yaml_loader import compose_yaml, yaml_error_message, yaml_error_position

MAX_MANIFEST_BYTES = 1_000_000
SECRET_KEYS = {"token", "password", "secret", "client_secret", "api_key", "key", "access_token", "username"}


@dataclass(frozen=True)
class ManifestFile:
    """A loaded manifest and where it came from (spec paths are relative to its folder)."""

    path: Path
    manifest: Manifest
    positions: Positioned | None = field(default=None, compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def project_root(self) -> Path:
        """The project folder: the parent of ``integrations/`` when the manifest lives there, else its folder."""
        return self.folder.parent if self.folder.name == "integrations" else self.folder

    def problem(
        self,
        path: tuple[str | int, ...],
        message: str,
        code: str,
        *,
        at: tuple[str | int, ...] | None = None,
        key: bool = False,
    ) -> str:
        """One problem line, ``file:line:col: path: message [code]``, placed at ``at`` (default ``path``; its key
        rather than its value with ``key``) or its nearest ancestor in the file: the form of every manifest problem,
        also those found later against a spec."""
        line, col = self.positions.position(at or path, key=key) if self.positions is not None else (1, 1)
        return f"{display_path(self.path)}:{line}:{col}: {_dotted(path)}: {message} [{code}]"


def display_path(path: Path) -> str:
    """``path`` relative to the current folder when it is below it, else absolute."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_manifest(path: str | os.PathLike[str]) -> ManifestFile:
    """Load and validate one manifest; raise `ManifestError` listing all problems found."""
    path = Path(path)
    return parse_manifest(read_yaml_file(path, MAX_MANIFEST_BYTES), path)


def read_yaml_file(
    path: Path, limit: int, *, kind: str = "manifests", expected: str = ".yaml", prefix: str = "manifest"
) -> bytes:
    """The bytes of a manifest (or fixture file: ``kind``, ``expected`` suffix and code ``prefix``); `ManifestError`
    naming the file when it is missing, a folder, unreadable or larger than ``limit`` bytes."""
    shown = display_path(path)
    try:
        size = path.stat().st_size
        if size > limit:
            too_large = f"{prefix}.too_large" if prefix != "manifest" else None
            raise ManifestError([f"{shown}: file is {size} bytes; {kind} are limited to {limit}"], code=too_large)
        return path.read_bytes()
    except FileNotFoundError:
        raise ManifestError([f"{shown}: no such file"], code=f"{prefix}.not_found") from None
    except IsADirectoryError:
        raise ManifestError([f"{shown}: is a folder, expected a {expected} file"], code=f"{prefix}.not_found") from None
    except PermissionError:
        raise ManifestError([f"{shown}: permission denied"], code=f"{prefix}.not_found") from None


def positioned_document(raw: bytes | str, shown: str, prefix: str = "manifest") -> Positioned:
    """YAML text -> `Positioned` data; `ManifestError` with ``shown:line:col`` lines (codes ``<prefix>.*``) for text
    that is not UTF-8, not YAML, or has duplicate keys. Manifests and fixture files (`vitesse.fixtures`) alike."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ManifestError([f"{shown}: not UTF-8 text (byte {exc.start})"]) from None
    try:
        node = compose_yaml(raw)
    except yaml.YAMLError as exc:
        line, col = yaml_error_position(exc) or (1, 1)
        raise ManifestError([f"{shown}:{line}:{col}: {yaml_error_message(exc)} [{prefix}.yaml_syntax]"]) from None
    doc = build_positioned(node)
    problems = [
        f"{shown}:{line}:{col}: {_dotted(p) or '(document)'}: {msg} [{prefix}.yaml_syntax]"
        for p, (line, col), msg in doc.problems
    ]
    if problems:
        raise ManifestError(problems)
    return doc


def parse_manifest(raw: bytes | str, path: Path) -> ManifestFile:
    """Validate manifest text that claims to live at ``path`` (its stem must equal the name)."""
    shown = display_path(path)
    doc = positioned_document(raw, shown)
    if not isinstance(doc.data, dict):
        got = "an empty document" if doc.data is None else type(doc.data).__name__
        raise ManifestError(
            [
                f"{shown}:1:1: (document): expected a mapping with version, name, source, destination "
                f"(got {got}) [manifest.wrong_type]"
            ]
        )
    try:
        manifest = Manifest.model_validate(doc.data)
    except ValidationError as exc:
        raise ManifestError(format_errors(exc, doc, shown)) from None
    if manifest.name != path.stem:
        line, col = doc.position(("name",))
        raise ManifestError(
            [
                f"{shown}:{line}:{col}: name: must equal the file name {path.stem!r} "
                f"(got {manifest.name!r}); rename the file or the integration [manifest.name_mismatch]"
            ]
        )
    loaded = ManifestFile(path=path, manifest=manifest, positions=doc)
    problems = [
        loaded.problem(where, message, code, at=at, key=key)
        for side_name in ("source", "destination")
        for where, at, key, message, code in _side_problems(side_name, getattr(manifest, side_name))
    ]
    if problems:
        raise ManifestError(problems)
    return loaded


Problem = tuple[tuple[str, ...], tuple[str, ...], bool, str, str]
"""(manifest key, where in the file, at its key rather than its value, message, code)."""


def _side_problems(side_name: str, side: Side) -> list[Problem]:
    """What can be checked of a side's ``params`` without its spec: every ``{name}`` in the endpoint's path has a
    value; the incremental read's parameter is not also a fixed one. (Against the spec: `vitesse.ingest.params`.)"""
    problems: list[Problem] = []
    if side.endpoint:
        from vitesse.params import placeholders  # vitesse.params imports the manifest models

        missing = [n for n in dict.fromkeys(placeholders(side.endpoint.split("?", 1)[0])) if n not in side.params]
        if missing:
            example = "{" + ", ".join(f"{n}: ..." for n in missing) + "}"
            fix = f"add to {side_name}.params: {example}" if side.params else f"add {side_name}.params: {example}"
            at = (side_name, "params") if side.params else (side_name, "endpoint")
            message = f"{side.endpoint} needs {', '.join(missing)}; {fix}"
            problems.append(((side_name, "params"), at, False, message, "manifest.missing_param"))
    incremental = getattr(side, "incremental", None)
    if incremental is not None and incremental.param in side.params:
        message = (
            f"{incremental.param} is also {side_name}.incremental.param, which each sync sets to the high-water "
            f"mark; remove it here (a first value goes in {side_name}.incremental.initial)"
        )
        where = (side_name, "params", incremental.param)
        problems.append((where, where, True, message, "manifest.param_conflict"))
    return problems


def format_errors(
    exc: ValidationError, doc: Positioned, shown: str, root: type[BaseModel] = Manifest, prefix: str = "manifest"
) -> list[str]:
    """Each pydantic error as ``shown:line:col: path: message [code]``, for a document validated by ``root`` (codes
    ``<prefix>.*``: the manifest's, or a fixture file's)."""
    problems = []
    for error in exc.errors(include_url=False):
        path = _data_path(doc.data, error["loc"])
        kind = error["type"]
        if kind == "union_tag_invalid":
            path = (*path, str(error.get("ctx", {}).get("discriminator", "type")).strip("'"))
        if kind == "extra_forbidden":
            line, col = doc.position(path, key=True)
        else:
            line, col = doc.position(path)
        message, code = _describe(error, path, doc.data, root)
        code = f"{prefix}.{code.partition('.')[2]}" if prefix != "manifest" else code
        problems.append(f"{shown}:{line}:{col}: {_dotted(path) or '(document)'}: {message} [{code}]")
    # Keep document order so the file reads top to bottom.
    return sorted(set(problems), key=lambda p: (line_col(p), p))


def line_col(problem: str) -> tuple[int, int]:
    parts = problem.split(":")
    for i in range(len(parts) - 2):
        if parts[i + 1].isdigit() and parts[i + 2].isdigit():
            return int(parts[i + 1]), int(parts[i + 2])
    return (0, 0)


def _data_path(data: Any, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Drop pydantic's union-branch segments (``bearer``, ``function-after[...]``) that are not in the data."""
    path: list[str | int] = []
    node = data
    for segment in loc:
        if (isinstance(node, dict) and segment in node) or (
            isinstance(node, list) and isinstance(segment, int) and segment < len(node)
        ):
            node = node[segment]
            path.append(segment)
        elif isinstance(node, dict) and segment == "in_" and "in" in node:
            node = node["in"]
            path.append("in")
        elif isinstance(node, dict) and isinstance(segment, str) and _is_branch_name(segment):
            continue
        else:
            path.append(segment)
            node = None
    return tuple(path)


def _is_branch_name(segment: str) -> bool:
    return "[" in segment or segment in {"bearer", "api_key", "basic", "oauth2_client_credentials"}


def _dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for segment in path:
        out += f"[{segment}]" if isinstance(segment, int) else (f".{segment}" if out else str(segment))
    return out


def _model_at(path: tuple[str | int, ...], data: Any, root: type[BaseModel] = Manifest) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping at ``path`` (for key suggestions)."""
    from vitesse.manifest import models

    model: Any = root
    node = data
    for segment in path:
        node = node.get(segment) if isinstance(node, dict) else None
        if model is None:
            return None
        if isinstance(segment, int):  # an item of a list of models (a fixture file's cases)
            continue
        field = model.model_fields.get(segment)
        if field is None:
            return None
        annotation = field.annotation
        candidates = [a for a in getattr(annotation, "__args__", (annotation,)) if isinstance(a, type)]
        if segment == "auth" and isinstance(node, dict):
            by_type = {
                m.model_fields["type"].annotation.__args__[0]: m
                for m in (models.BearerAuth, models.ApiKeyAuth, models.BasicAuth, models.OAuth2ClientCredentials)
            }
            model = by_type.get(node.get("type"))
            continue
        model = next((c for c in candidates if issubclass(c, BaseModel)), None)
    return model


def _describe(
    error: dict[str, Any], path: tuple[str | int, ...], data: Any, root: type[BaseModel] = Manifest
) -> tuple[str, str]:
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    if kind == "extra_forbidden":
        key = path[-1]
        parent = _model_at(path[:-1], data, root)
        if (path[-2:-1] == ("auth",) or (len(path) >= 2 and path[-2] == "auth")) and str(key) in SECRET_KEYS:
            return (
                f"secrets are never written in a manifest: name an environment variable instead, "
                f"e.g. {key}_env: MY_{str(key).upper()}",
                "manifest.inline_secret",
            )
        known = sorted(n if n != "in_" else "in" for n in parent.model_fields) if parent else []
        close = difflib.get_close_matches(str(key), known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else (f"; expected one of {', '.join(known)}" if known else "")
        return f"unknown key {key!r}{hint}", "manifest.unknown_key"
    if kind == "missing":
        return "required key is missing", "manifest.missing"
    if kind == "literal_error":
        return (
            f"expected one of {ctx.get('expected', '').replace(chr(39), '')} (got {value!r})",
            "manifest.invalid_value",
        )
    if kind == "union_tag_invalid":
        return (
            f"expected one of {ctx.get('expected_tags', '').replace(chr(39), '')} (got {ctx.get('tag')!r})",
            "manifest.invalid_value",
        )
    if kind == "union_tag_not_found":
        return f"missing key {ctx.get('discriminator', 'type').strip(chr(39))!r}", "manifest.missing"
    bounds = {"less_than_equal": "<=", "less_than": "<", "greater_than_equal": ">=", "greater_than": ">"}
    if kind in bounds:
        limit = next(iter(ctx.values()))
        limit = int(limit) if isinstance(limit, float) and limit.is_integer() else limit
        return f"must be {bounds[kind]} {limit} (got {value!r})", "manifest.out_of_range"
    if kind == "string_pattern_mismatch":
        return _pattern_message(path, value, ctx.get("pattern", "")), "manifest.invalid_value"
    if kind in ("string_too_short", "too_short"):
        return "must not be empty", "manifest.invalid_value"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])), "manifest.invalid_value"
    expected = {
        "int_type": "an integer",
        "int_parsing": "an integer",
        "float_type": "a number",
        "float_parsing": "a number",
        "bool_type": "true or false",
        "bool_parsing": "true or false",
        "string_type": "a string",
        "dict_type": "a mapping",
        "model_type": "a mapping",
        "model_attributes_type": "a mapping",
        "list_type": "a list",
        "int_from_float": "an integer",
    }.get(kind)
    if expected:
        return f"expected {expected} (got {_type_name(value)} {value!r})", "manifest.wrong_type"
    return error["msg"], "manifest.invalid_value"


def _type_name(value: Any) -> str:
    return {dict: "mapping", list: "list", str: "string", bool: "boolean", int: "integer", float: "number"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


def _pattern_message(path: tuple[str | int, ...], value: Any, pattern: str) -> str:
    last = path[-1] if path else ""
    if last == "name":
        return (
            f"must be lowercase letters, digits and '-', starting with a letter, at most 63 characters (got {value!r})"
        )
    if str(last).endswith("_env"):
        return (
            "must be the NAME of an environment variable, e.g. STRIPE_API_KEY (got a value that is not one); "
            "never put the secret itself here"
        )
    if last == "endpoint":
        return f"expected 'METHOD /path', e.g. 'GET /v1/customers' (got {value!r})"
    if last == "retest":
        return f"expected a 5-field cron expression, e.g. '0 */6 * * *' (got {value!r})"
    if str(last).endswith("url"):
        return f"expected an http:// or https:// URL (got {value!r})"
    return f"must match {pattern} (got {value!r})"


def find_manifests(paths: list[Path]) -> list[Path]:
    """Expand files and folders into the sorted list of `*.yaml`/`*.yml` manifest files they name; in a folder the
    fixture files (``*.tests.yaml``, `vitesse.fixtures`) are not manifests and are left out."""
    from vitesse.fixtures.paths import is_fixture_file

    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if p.suffix in (".yaml", ".yml") and not is_fixture_file(p) and p.is_file()
                )
            )
        else:
            found.append(path)
    return found
