"""The runtime's POST /transform answers a template bomb with that record's field error, and serves on."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from vitesse.artifacts import integration_id
from vitesse.manifest.models import RuntimeConfig
from vitesse.mapping.models import MappingLogic
from vitesse.runtime.bundle import Bundle, SideBundle
from vitesse.runtime.service import create_app
from vitesse.runtime.state import open_state

NAME = "template-limits"


def bundle() -> Bundle:
    def custom(dest: str, template: str) -> dict:
        return {"dest_field": dest, "transform_type": "custom", "template": template, "confidence": 1, "reason": "t"}

    logic = MappingLogic.model_validate(
        {
            "source_endpoint": "/contacts",
            "source_method": "GET",
            "dest_endpoint": "/customers",
            "dest_method": "POST",
            "complexity_score": 2,
            "transformations": [
                {
                    "dest_field": "email",
                    "source_field": "email",
                    "transform_type": "direct",
                    "confidence": 1,
                    "reason": "t",
                },
                custom("size", "(email * 100000000) | length"),
                custom("loops", "{% for a in email * 300 %}{% for b in email * 300 %}x{% endfor %}{% endfor %}"),
                custom("tags", "[nosuchvar]"),
            ],
        }
    )
    return Bundle(
        integration=NAME,
        integration_id=integration_id(NAME),
        source=SideBundle(api="Source", base_url="http://127.0.0.1:9", method="GET", path="/contacts"),
        destination=SideBundle(api="Destination", base_url="http://127.0.0.1:9", method="POST", path="/customers"),
        mapping=logic,
        runtime=RuntimeConfig(),
    )


async def transform_then_health(app: FastAPI, records: list[Any]) -> tuple[httpx.Response, httpx.Response]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://runtime") as client:
            return await client.post("/transform", json=records), await client.get("/health")


def test_transform_reports_the_limit_per_record_and_field(tmp_path: Path) -> None:
    app = create_app(bundle(), open_state(tmp_path / "state.db", NAME))
    records = [{"email": "someone@example.com"}, {"email": "x@y.z"}]
    answer, health = asyncio.run(transform_then_health(app, records))
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 2 and body["failed"] == 2
    first = body["data"][0]
    assert first["record"] == {"email": "someone@example.com"}
    assert first["errors"] == [
        {
            "field": "size",
            "source": "template",
            "error": "custom: transform for size: template repeats a string to 1900000000 characters "
            "(the limit is 65536)",
        },
        {
            "field": "loops",
            "source": "template",
            "error": "custom: transform for loops: template output exceeds 65536 characters",
        },
        {
            "field": "tags",
            "source": "template",
            "error": "custom: transform for tags: template refers to an undefined name 'nosuchvar'",
        },
    ]
    assert body["data"][1]["record"] == {"email": "x@y.z"}
    assert health.json()["status"] == "ok"  # and it serves on
