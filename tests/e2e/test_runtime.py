"""The runtime end to end: real local HTTP servers, 1,000+ records, injected faults, a kill mid-sync, a loop."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e import fake_apis
from tests.e2e.conftest import free_port
from tests.e2e.runtime_support import SECRETS, make_bundle, serve, stop, sync
from vitesse.errors import RuntimeSyncError

pytestmark = pytest.mark.network


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


def test_all_records_arrive_transformed(project: Path) -> None:
    records = fake_apis.customers(1050)
    with fake_apis.source(records) as src, fake_apis.destination() as dst:
        result, state = sync(make_bundle(project, src.url, dst.url), project / "state.sqlite")
        assert (result.read, result.written, result.dead_lettered, result.pages) == (1050, 1050, 0, 11)
        assert src.pages == 11
        assert set(dst.applied) == {r["id"] for r in records} and set(dst.applied.values()) == {1}
        sample = next(a for a in dst.answers.values() if a["email_address"] == "user7@example.com")
        assert sample
        # a second sync reads everything again and sends nothing: unchanged records are skipped
        again, _ = sync(project / "bundle.json", project / "state.sqlite")
        assert (again.read, again.written, again.skipped) == (1050, 0, 1050)
        assert sum(dst.requests.values()) == 1050
        state.close()


def test_faults_end_in_exactly_once_or_dead_letters(project: Path) -> None:
    records = fake_apis.customers(1200)
    rejected = {records[5]["id"], records[777]["id"]}
    with fake_apis.source(records) as src, fake_apis.destination(0.3, seed=4, reject=rejected, hang=0.8) as dst:
        result, state = sync(make_bundle(project, src.url, dst.url), project / "state.sqlite")
        letters = state.dead_letters()
        known = state.lookup([r["id"] for r in records])
        delivered = {k for k, s in known.items() if s.delivered}
        dead = {d["key"] for d in letters}
        keys = {r["id"] for r in records}
        assert result.read == 1200 and result.written + result.dead_lettered == 1200
        assert delivered | dead == keys and not delivered & dead  # every record accounted for, once
        assert max(dst.applied.values()) == 1  # never applied twice, though many requests were retried
        assert all(dst.applied[k] == 1 for k in delivered)
        assert sum(dst.requests.values()) > 1200 * 1.2  # faults really happened and were retried
        assert rejected <= dead
        reasons = {d["key"]: d["reason"] for d in letters}
        assert all(reasons[k].startswith("HTTP 422") for k in rejected)
        assert all(d["record"]["id"] == d["key"] and d["attempts"] >= 1 for d in letters)
        state.close()


def test_dead_letters_can_be_replayed(project: Path) -> None:
    records = fake_apis.customers(40)
    with fake_apis.source(records) as src, fake_apis.destination(reject={records[3]["id"]}) as dst:
        bundle = make_bundle(project, src.url, dst.url)
        result, state = sync(bundle, project / "state.sqlite")
        assert result.dead_lettered == 1
        state.close()
        listing = subprocess.run(
            [
                sys.executable,
                "-m",
                "vitesse",
                "runtime",
                "dead-letters",
                "--bundle",
                str(bundle),
                "--state",
                str(project / "state.sqlite"),
                "--json",
            ],
            capture_output=True,
            text=True,
        )
        assert json.loads(listing.stdout)["count"] == 1, listing.stderr
        dst.reject.clear()
        replay = subprocess.run(
            [
                sys.executable,
                "-m",
                "vitesse",
                "runtime",
                "dead-letters",
                "--bundle",
                str(bundle),
                "--state",
                str(project / "state.sqlite"),
                "--replay",
                "--json",
            ],
            capture_output=True,
            text=True,
        )
        assert json.loads(replay.stdout)["count"] == 0, replay.stderr
        assert dst.applied[records[3]["id"]] == 1


def test_killed_mid_sync_resumes_without_duplicates(project: Path) -> None:
    records = fake_apis.customers(1500)
    with fake_apis.source(records) as src, fake_apis.destination(delay=0.01) as dst:
        bundle = make_bundle(project, src.url, dst.url, concurrency=4)
        port, state, log = free_port(), project / "state.sqlite", project / "runtime.log"
        first = serve(bundle, state, port, log)

        def start_sync() -> None:
            with contextlib.suppress(httpx.HTTPError):  # the service is killed under this request
                httpx.post(f"http://127.0.0.1:{port}/sync", timeout=120)

        threading.Thread(target=start_sync, daemon=True).start()
        deadline = time.monotonic() + 60
        while sum(dst.applied.values()) < 400 and time.monotonic() < deadline:
            time.sleep(0.05)
        stop(first, hard=True)
        applied_at_kill = sum(dst.applied.values())
        assert 400 <= applied_at_kill < 1500
        second = serve(bundle, state, port, log)
        try:
            answer = httpx.post(f"http://127.0.0.1:{port}/sync", timeout=120).json()
            assert answer["status"] == "success" and answer["data"]["resumed"] is True
            assert answer["data"]["read"] < 1500  # it started from the checkpoint, not from the first page
            assert set(dst.applied) == {r["id"] for r in records}
            assert set(dst.applied.values()) == {1}  # no duplicates, even for requests in flight at the kill
            metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
            assert 'vitesse_records_total{outcome="written"}' in metrics
            assert "vitesse_http_requests_total" in metrics
            health = httpx.get(f"http://127.0.0.1:{port}/health").json()
            assert health["delivered"] == 1500 and health["dead_letters"] == 0
        finally:
            stop(second)
        logs = log.read_text()
        assert '"event": "sync completed"' in logs
        for secret in SECRETS.values():
            assert secret not in logs


def test_transform_endpoint_reports_per_record_errors(project: Path) -> None:
    with fake_apis.source([]) as src, fake_apis.destination() as dst:
        bundle = make_bundle(project, src.url, dst.url)
        port = free_port()
        process = serve(bundle, project / "state.sqlite", port, project / "runtime.log")
        try:
            answer = httpx.post(
                f"http://127.0.0.1:{port}/transform",
                json={
                    "records": [
                        {"id": "cus_1", "email": "a@b.c", "created": 0},
                        {"id": "cus_2", "created": "not a time"},
                        7,
                    ]
                },
            ).json()
            assert answer["count"] == 3 and answer["failed"] == 2
            first = answer["data"][0]["record"]
            assert first["email_address"] == "a@b.c" and first["signed_up_at"] == "1970-01-01T00:00:00Z"
            assert answer["data"][1]["errors"][0]["field"] == "signed_up_at"
            assert httpx.post(f"http://127.0.0.1:{port}/transform", content=b"{nope").status_code == 400
        finally:
            stop(process)


@pytest.mark.prism
def test_pagination_loop_is_detected(project: Path, prism) -> None:
    url = prism(project / "integrations" / "specs" / "acme-crm.yaml")
    with fake_apis.destination() as dst:
        bundle = make_bundle(project, url, dst.url)
        with pytest.raises(RuntimeSyncError, match="pagination loop") as caught:
            sync(bundle, project / "state.sqlite")
        assert caught.value.code == "runtime.pagination_loop"


def test_periodic_syncs_pick_up_new_records(project: Path) -> None:
    records = fake_apis.customers(30)
    with fake_apis.source(records) as src, fake_apis.destination() as dst:
        bundle = make_bundle(project, src.url, dst.url, extra="  sync_interval_seconds: 0.5\n")
        port = free_port()
        process = serve(bundle, project / "state.sqlite", port, project / "runtime.log")
        try:
            deadline = time.monotonic() + 20
            while len(dst.applied) < 30 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert len(dst.applied) == 30  # no POST /sync: the interval did it
            src.records.extend(fake_apis.customers(45)[30:])
            while len(dst.applied) < 45 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert len(dst.applied) == 45 and set(dst.applied.values()) == {1}
            assert 'vitesse_syncs_total{result="completed"}' in httpx.get(f"http://127.0.0.1:{port}/metrics").text
        finally:
            stop(process)
