"""The runtime under production conditions, end to end with real processes, a real PostgreSQL and local APIs:
broken records among good ones, a destination that ignores Idempotency-Key, two replicas on one state, kill -9."""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.conftest import run_cli
from tests.e2e import fake_apis
from tests.e2e.conftest import free_port
from tests.e2e.runtime_support import NAME, SECRETS, make_bundle, serve, stop, sync
from vitesse.runtime import open_state

pytestmark = pytest.mark.network

PARSE_LTV = "    - {dest_field: lifetime_value, transform_type: parse_float, source_field: lifetime_value}\n"


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


def broken_customers(count: int) -> tuple[list[dict], dict[str, str]]:
    """Customers with a lifetime value as text; every 50th of three kinds broken: key -> expected letter kind."""
    records = fake_apis.customers(count)
    broken = {}
    for i, record in enumerate(records):
        record["lifetime_value"] = f"{i}.5"
        if i % 50 == 3:
            del record["email"]  # the destination requires email_address
            broken[record["id"]] = "invalid"
        elif i % 50 == 7:
            record["created"] = "not-a-date"  # unix_to_iso cannot convert it
            broken[record["id"]] = "transform"
        elif i % 50 == 11:
            record["lifetime_value"] = "forty-two"  # parse_float cannot parse it
            broken[record["id"]] = "transform"
    return records, broken


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.05)
    return time.monotonic() - started


def test_broken_records_are_dead_letters_and_the_sync_goes_on(project: Path) -> None:
    records, broken = broken_customers(1000)
    rejected = {records[20]["id"], records[520]["id"]}  # the destination answers 422 for these
    good = {r["id"] for r in records} - set(broken) - rejected
    state_path = project / "state.sqlite"
    with fake_apis.source(records) as src, fake_apis.destination(reject=rejected) as dst:
        bundle = make_bundle(project, src.url, dst.url, transforms=PARSE_LTV)
        port = free_port()
        process = serve(bundle, state_path, port, project / "runtime.log")
        try:
            first = httpx.post(f"http://127.0.0.1:{port}/sync", timeout=120)
            assert first.status_code == 200, first.text
            data = first.json()["data"]
            failed = len(broken) + len(rejected)
            assert (data["read"], data["written"], data["failed"], data["dead_lettered"]) == (
                1000,
                len(good),
                failed,
                failed,
            )
            assert data["failures"] == {"invalid": 20, "transform": 40, "rejected": 2}
            assert set(dst.applied) == good and set(dst.applied.values()) == {1}  # every good record, once

            store = open_state(state_path, NAME)
            letters = {d["key"]: d for d in store.dead_letters()}
            assert {k: d["kind"] for k, d in letters.items()} == {**broken, **dict.fromkeys(rejected, "rejected")}
            assert "email_address" in letters[records[3]["id"]]["reason"]
            assert "signed_up_at" in letters[records[7]["id"]]["reason"]
            assert "lifetime_value" in letters[records[11]["id"]]["reason"]
            assert letters[records[20]["id"]]["status"] == 422 and letters[records[20]["id"]]["response"]["title"]

            health = httpx.get(f"http://127.0.0.1:{port}/health").json()
            assert health["status"] == "ok" and health["dead_letters"] == failed
            assert health["last_sync"]["outcome"] == "completed" and health["last_sync"]["result"]["written"] == len(
                good
            )

            requests_before = sum(dst.requests.values())
            second = httpx.post(f"http://127.0.0.1:{port}/sync", timeout=120).json()["data"]
            assert (second["read"], second["written"], second["skipped"]) == (1000, 0, len(good))
            assert (second["held"], second["failed"], second["dead_lettered"]) == (2, len(broken), 0)
            assert sum(dst.requests.values()) == requests_before  # nothing new was sent
            again = {d["key"]: d for d in store.dead_letters()}
            assert set(again) == set(letters)  # no new letters: the same ones, with their attempts counted
            assert {again[k]["attempts"] for k in broken} == {2} and {again[k]["attempts"] for k in rejected} == {1}
            store.close()
        finally:
            stop(process)


def test_kill_minus_9_resends_at_most_the_requests_in_flight(project: Path, capsys: pytest.CaptureFixture) -> None:
    records = fake_apis.customers(1500)
    concurrency = 8
    with fake_apis.source(records) as src, fake_apis.destination(delay=0.01, idempotent=False) as dst:
        bundle = make_bundle(project, src.url, dst.url, concurrency=concurrency)
        port, state, log = free_port(), project / "state.sqlite", project / "runtime.log"
        first = serve(bundle, state, port, log)

        def start_sync() -> None:
            with contextlib.suppress(httpx.HTTPError):  # the service is killed under this request
                httpx.post(f"http://127.0.0.1:{port}/sync", timeout=120)

        sender = threading.Thread(target=start_sync, daemon=True)
        sender.start()
        try:
            wait_until(lambda: sum(dst.applied.values()) >= 500, 60, "500 records applied")
        finally:
            stop(first, hard=True)
        sender.join(30)
        applied_at_kill = sum(dst.applied.values())
        assert 500 <= applied_at_kill < 1500
        second = serve(bundle, state, port, log)
        try:
            answer = httpx.post(f"http://127.0.0.1:{port}/sync", timeout=120).json()
            assert answer["status"] == "success" and answer["data"]["resumed"] is True
        finally:
            stop(second)
    assert set(dst.applied) == {r["id"] for r in records}  # nothing lost
    duplicates = sum(count - 1 for count in dst.applied.values())
    with capsys.disabled():
        print(f"\n  kill -9 mid-sync: {duplicates} duplicate writes at a destination without Idempotency-Key "
              f"(concurrency {concurrency}, {applied_at_kill} of 1,500 applied at the kill)")  # fmt: skip
    assert duplicates <= concurrency


def _holders(url: str) -> list[tuple[str, str, str | None, str]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT holder, started_at, finished_at, outcome FROM vitesse_syncs WHERE integration = %s ORDER BY id",
            (NAME,),
        ).fetchall()


@pytest.mark.postgres
def test_two_replicas_on_one_postgresql_state_write_each_record_once(project: Path, postgres) -> None:
    url = postgres.create_database("two_replicas")
    records = fake_apis.customers(1200)
    extra = "  sync_interval_seconds: 0.3\n  state: {type: postgresql, url_env: TEST_STATE_URL}\n"
    with fake_apis.source([]) as src, fake_apis.destination(delay=0.002, idempotent=False) as dst:
        bundle = make_bundle(project, src.url, dst.url, concurrency=8, extra=extra)
        env = {"TEST_STATE_URL": url}
        ports = free_port(), free_port()
        replicas = [serve(bundle, None, port, project / f"runtime-{port}.log", env) for port in ports]
        try:
            src.records.extend(records)  # both replicas are up and ticking before there is anything to sync
            wait_until(lambda: len(dst.applied) == 1200, 90, "every record delivered")
            src.records.extend(fake_apis.customers(1300)[1200:])
            wait_until(lambda: len(dst.applied) == 1300, 60, "the new records delivered")
            time.sleep(1.5)  # several more ticks of both replicas
            for port in ports:  # both serve /health and /transform
                assert httpx.get(f"http://127.0.0.1:{port}/health").json()["delivered"] == 1300
                transformed = httpx.post(f"http://127.0.0.1:{port}/transform", json=[records[0]]).json()
                assert transformed["data"][0]["record"]["external_id"] == records[0]["id"]
        finally:
            for process in replicas:
                stop(process)
    assert set(dst.applied.values()) == {1}  # 0 duplicates
    syncs = _holders(url)
    finished = [s for s in syncs if s[2] is not None]
    for before, after in itertools.pairwise(finished):
        assert before[2] <= after[1], f"two syncs overlapped: {before} and {after}"
    assert all(s[3] in ("completed", "running", "failed") for s in syncs)


@pytest.mark.postgres
def test_the_other_replica_takes_over_when_the_lease_holder_is_killed(
    project: Path, postgres, capsys: pytest.CaptureFixture
) -> None:
    url = postgres.create_database("takeover")
    records = fake_apis.customers(2000)
    concurrency, interval = 4, 0.5
    extra = f"  sync_interval_seconds: {interval}\n  state: {{type: postgresql, url_env: TEST_STATE_URL}}\n"
    with fake_apis.source([]) as src, fake_apis.destination(delay=0.01, idempotent=False) as dst:
        bundle = make_bundle(project, src.url, dst.url, concurrency=concurrency, extra=extra)
        env = {"TEST_STATE_URL": url}
        replicas = {}
        for port in (free_port(), free_port()):
            process = serve(bundle, None, port, project / f"runtime-{port}.log", env)
            replicas[process.pid] = (process, port)
        try:
            src.records.extend(records)  # both replicas are up before the sync that gets killed starts
            wait_until(lambda: sum(dst.applied.values()) >= 400, 60, "400 records applied")
            running = [s for s in _holders(url) if s[3] == "running"]
            assert len(running) == 1, running
            holder_pid = int(running[0][0].rsplit(":", 1)[1])
            victim, _ = replicas.pop(holder_pid)
            stop(victim, hard=True)
            killed_at = time.monotonic()
            applied_at_kill = sum(dst.applied.values())
            progress = wait_until(lambda: sum(dst.applied.values()) > applied_at_kill + 20, 30, "the survivor syncing")
            wait_until(lambda: len(dst.applied) == 2000, 90, "every record delivered")
            took = time.monotonic() - killed_at
            [(_, port)] = replicas.values()
            health = httpx.get(f"http://127.0.0.1:{port}/health").json()
            assert health["delivered"] == 2000
            assert health["last_sync"]["outcome"] in ("completed", "running")
        finally:
            for process, _ in replicas.values():
                stop(process)
    assert set(dst.applied) == {r["id"] for r in records}  # nothing lost
    duplicates = sum(count - 1 for count in dst.applied.values())
    outcomes = [s[3] for s in _holders(url)]
    assert "interrupted" in outcomes  # the survivor closed the killed holder's sync
    with capsys.disabled():
        print(f"\n  lease holder killed at {applied_at_kill} of 2,000: the other replica resumed in {progress:.2f} s "
              f"(interval {interval} s), finished {took:.1f} s after the kill; {duplicates} duplicate writes "
              f"(concurrency {concurrency})")  # fmt: skip
    assert progress <= 2 * interval + 2  # within two sync intervals (plus process scheduling on a loaded machine)
    assert duplicates <= concurrency


def test_lost_answers_are_ambiguous_and_never_written_blind(project: Path) -> None:
    records = fake_apis.customers(60)
    lost, down = records[4]["id"], records[9]["id"]  # applied but answered too late / always 500
    state_path = project / "state.sqlite"
    with (
        fake_apis.source(records) as src,
        fake_apis.destination(idempotent=False, hang_on={lost}, fail_on={down}, hang=3.5) as dst,
    ):
        # a 3 s client timeout: a 500 answered slowly on a loaded machine must not look like a lost answer
        bundle = make_bundle(project, src.url, dst.url, timeout=3)
        first, state = sync(bundle, state_path)
        assert (first.written, first.failures) == (58, {"ambiguous": 1, "failed": 1})
        letters = {d["key"]: d for d in state.dead_letters()}
        assert letters[lost]["kind"] == "ambiguous" and "sent, no answer" in letters[lost]["reason"]
        assert letters[down]["kind"] == "failed" and letters[down]["status"] == 500
        assert dst.applied[lost] == 5  # each timed-out attempt was applied: why it is never resent blind
        state.close()

        second, state = sync(bundle, state_path)  # the failed one is retried, the ambiguous one held
        assert (second.held, second.failed, second.dead_lettered, second.skipped) == (1, 1, 0, 58)
        assert dst.requests[lost] == 5 and dst.requests[down] == 10
        assert {d["key"]: d["attempts"] for d in state.dead_letters()} == {lost: 5, down: 10}
        state.close()

        dst.hang_on.clear()
        dst.fail_on.clear()
        replay = run_cli("runtime", "dead-letters", "--bundle", str(bundle), "--state", str(state_path), "--replay",
                         cwd=project)  # fmt: skip
        assert replay.returncode == 0 and "replayed 1; still failing 0; held 1 ambiguous" in replay.stdout, replay
        assert dst.requests[lost] == 5  # not without --ambiguous
        replay = run_cli("runtime", "dead-letters", "--bundle", str(bundle), "--state", str(state_path), "--replay",
                         "--ambiguous", cwd=project)  # fmt: skip
        assert replay.returncode == 0 and "replayed 1; still failing 0" in replay.stdout, replay
        assert "no dead letters" in replay.stdout
