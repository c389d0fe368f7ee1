"""A small spec with parameters, an incremental read and an upsertable collection, for the params/write tests."""

from __future__ import annotations

from pathlib import Path

from vitesse.ingest import ApiSpec, ingest_spec
from vitesse.manifest import ManifestFile, parse_manifest

SPEC = """\
openapi: 3.0.3
info: {title: Tracker, version: '1'}
servers: [{url: 'https://api.tracker.example'}]
paths:
  /projects/{project}/issues:
    get:
      parameters:
        - {name: project, in: path, required: true, schema: {type: string}}
        - {name: state, in: query, schema: {type: string, enum: [open, closed, all], default: open}}
        - {name: per_page, in: query, schema: {type: integer}}
        - {name: page, in: query, schema: {type: integer}}
        - {name: archived, in: query, schema: {type: boolean}}
        - {name: ratio, in: query, schema: {type: number}}
        - {name: since, in: query, schema: {type: string, format: date-time}}
        - {name: created, in: query, schema: {type: object, properties: {gte: {type: integer}}}}
        - {name: X-Tenant, in: header, schema: {type: string}}
        - {name: session, in: cookie, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: array
                items:
                  type: object
                  properties:
                    id: {type: string}
                    title: {type: string}
                    email: {type: string}
                    created: {type: integer}
                    updated_at: {type: string, format: date-time}
  /reports:
    get:
      parameters:
        - {name: account, in: query, required: true, schema: {type: string}}
        - {name: cursor, in: query, required: true, schema: {type: string}}
        - {name: api_key, in: query, required: true, schema: {type: string}}
        - {name: Authorization, in: header, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: {type: array, items: {type: object, properties: {id: {type: string}}}}
                  next_cursor: {type: string}
  /contacts:
    get:
      parameters:
        - {name: email, in: query, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Contact'}}
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Contact'}
      responses:
        '201': {description: created}
  /contacts/{contact_id}:
    patch:
      parameters:
        - {name: contact_id, in: path, required: true, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Contact'}
      responses:
        '200': {description: ok}
components:
  schemas:
    Contact:
      type: object
      properties:
        id: {type: string, readOnly: true}
        email: {type: string}
        name: {type: string}
        external_id: {type: string}
"""


def tracker_spec(tmp_path: Path) -> ApiSpec:
    path = tmp_path / "tracker.yaml"
    path.write_text(SPEC)
    return ingest_spec(str(path))


def manifest_file(tmp_path: Path, source: str = "", destination: str = "", rest: str = "") -> ManifestFile:
    """A manifest whose sides both use the tracker spec; ``source``/``destination`` are extra lines of each side."""
    text = (
        "version: 1\nname: x\nsource:\n  api: Tracker\n  spec: tracker.yaml\n"
        f"{source}destination:\n  api: Tracker\n  spec: tracker.yaml\n{destination}{rest}"
    )
    (tmp_path / "x.yaml").write_text(text)
    return parse_manifest(text, tmp_path / "x.yaml")
