"""The REST API's map answer carries the review: each row's needs_review, the list of them, the near misses."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from vitesse.api.app import create_app
from vitesse.project import Project

BASE = "/api/v1/vitesse/integrations"


async def post(project: Path, paths: list[str]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=create_app(Project(project)))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        return [await client.post(path, json={}) for path in paths]


def test_the_map_answer_says_what_needs_review(project: Path) -> None:
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(
        manifest.read_text().replace("  min_confidence: 0.6\n", "  min_confidence: 0.6\n  review_below: 0.95\n")
    )
    ingest, mapped = asyncio.run(post(project, [f"{BASE}/crm-to-mailwave/ingest", f"{BASE}/crm-to-mailwave/map"]))
    assert (ingest.status_code, mapped.status_code) == (200, 200), mapped.text
    data = mapped.json()["data"]
    rows = {row["dest_field"]: row for row in data["transformations"]}
    assert rows["given_name"]["needs_review"] is True and rows["external_id"]["needs_review"] is False
    assert data["needs_review"] == [row["dest_field"] for row in data["transformations"] if row["needs_review"]]
    assert "given_name" in data["needs_review"] and data["near_misses"] == []


def test_the_map_answer_lists_near_misses(project: Path) -> None:
    _, mapped = asyncio.run(post(project, [f"{BASE}/mailwave-to-crm/ingest", f"{BASE}/mailwave-to-crm/map"]))
    assert mapped.status_code == 200, mapped.text
    data = mapped.json()["data"]
    assert data["needs_review"] == []
    assert {"dest_field": "address.line2", "source_field": "address.street"}.items() <= data["near_misses"][0].items()
