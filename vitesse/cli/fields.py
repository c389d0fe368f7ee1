"""`vitesse fields SPEC [ENDPOINT]`: a spec's endpoints, an endpoint's field paths and parameters."""

from __future__ import annotations

from typing import Any

import click

from vitesse.cli.options import handle_errors
from vitesse.cli.output import emit_json, table


@click.command()
@click.argument("spec")
@click.argument("endpoint", required=False)
@click.option("--request", "request_body", is_flag=True, help="The request body's fields instead of the record's.")
@click.option(
    "--parameters", "only_parameters", is_flag=True, help="Only the endpoint's parameters (what params names)."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@handle_errors
def fields(spec: str, endpoint: str | None, request_body: bool, only_parameters: bool, as_json: bool) -> None:
    """List a spec's endpoints, or the field paths of one ENDPOINT ('GET /customers'): what hints and transforms name.

    SPEC is a path, file:// or https:// URL. The fields of a GET are those of its record (the list item); of a write,
    use --request for what it accepts (read-only fields left out, as the mapper does). The endpoint's parameters
    (what the manifest's params set) follow the fields; --parameters lists only them (with --json: as JSON).
    """
    from vitesse.ingest import ingest_spec
    from vitesse.mapping.endpoints import named_endpoint
    from vitesse.mapping.fields import record_fields, request_fields

    api = ingest_spec(spec)
    if endpoint is None:
        rows = [[e.key, e.record_path or "-", (e.summary or "")[:60]] for e in api.endpoints]
        if as_json:
            emit_json([{"endpoint": e.key, "record_path": e.record_path, "summary": e.summary} for e in api.endpoints])
            return
        click.echo(table(rows, ["endpoint", "records at", "summary"]))
        return
    found = named_endpoint(api, endpoint, "", label="endpoint")
    if only_parameters:
        if as_json:
            emit_json([p.model_dump(mode="json") for p in found.parameters])
        else:
            click.echo(_parameter_table(found.parameters))
        return
    leaves = request_fields(api, found) if request_body else record_fields(api, found)  # what a mapping can use
    if as_json:
        emit_json(
            [
                {
                    "path": f.path,
                    "type": f.type,
                    "format": f.format,
                    "item_type": f.item_type,
                    "required": f.required,
                    "nullable": f.nullable,
                    "read_only": f.read_only,
                    "description": f.description,
                }
                for f in leaves
            ]
        )
        return
    rows = [
        [
            f.path,
            f"{f.type or '?'}{f'<{f.item_type}>' if f.item_type else ''}{'/' + f.format if f.format else ''}",
            ", ".join(
                flag
                for flag, on in (("required", f.required), ("nullable", f.nullable), ("read-only", f.read_only))
                if on
            ),
            f.description.replace("\n", " ")[:60],
        ]
        for f in leaves
    ]
    click.echo(table(rows, ["field", "type", "flags", "description"]) if rows else "no fields (no schema)")
    click.echo("")
    click.echo(_parameter_table(found.parameters))


def _parameter_table(parameters: list[Any]) -> str:
    """An endpoint's parameters as `vitesse fields` shows them: name, in, required, type (/format), enum."""
    if not parameters:
        return "no parameters"
    rows = [
        [
            p.name,
            p.location,
            "required" if p.required or p.location == "path" else "",
            f"{p.type or '?'}{'/' + p.format if p.format else ''}",
            ", ".join(str(v) for v in p.enum[:8]) + (f" (+{len(p.enum) - 8})" if len(p.enum) > 8 else "")
            if p.enum
            else "",
        ]
        for p in parameters
    ]
    return table(rows, ["parameter", "in", "required", "type", "enum"])
