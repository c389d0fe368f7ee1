"""Params, incremental reads and upserts end to end: a help desk source with a path parameter (from an env var), a
required query parameter and a since filter, and a task tracker that ignores Idempotency-Key and loses a third of
its write answers after applying them. Every ticket arrives exactly once; a second sync reads only what changed,
updates in place and creates only the new."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.e2e import fake_apis
from tests.e2e.runtime_support import UPSERT, UPSERT_ENV, make_upsert_bundle, sync
from vitesse.runtime import load_bundle

pytestmark = pytest.mark.network


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in UPSERT_ENV.items():
        monkeypatch.setenv(name, value)


def test_upserts_survive_lost_answers_and_incremental_syncs_read_only_changes(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = fake_apis.tickets(30)
    account = UPSERT_ENV["HELPDESK_ACCOUNT"]
    with fake_apis.helpdesk(records, account) as src, fake_apis.tasks() as dst:
        bundle = make_upsert_bundle(project, src.url, dst.url)
        built = load_bundle(bundle)
        assert built.source.params["account"].env == "HELPDESK_ACCOUNT"  # a reference in the bundle, not the value
        assert account not in bundle.read_text()
        assert built.destination.write is not None and built.destination.write.update.path.endswith("/{gid}")

        first, state = sync(bundle, project / "state.sqlite", UPSERT)
        state.close()
        lost_first = set(dst.lost_creates)
        dropped_first = sum(dst.dropped.values())
        refs = Counter(t["external_ref"] for t in dst.tasks.values())
        duplicates_first = sum(n - 1 for n in refs.values())
        assert duplicates_first == 0 and set(refs) == {r["id"] for r in records}
        assert (first.read, first.written, first.dead_lettered, first.pages) == (30, 30, 0, 5)
        assert (first.created, first.updated) == (30 - len(lost_first), len(lost_first))  # a lost create: updated
        assert dropped_first >= 5 and lost_first  # faults really happened
        assert sum(dst.creates.values()) == 30  # each ticket created once; the retries found it and patched it
        paths = {path for path, _, _ in src.requests}
        assert paths == {"/api/accounts/acme%20eu/tickets"}
        assert all(q["region"] == "eu" for _, q, _ in src.requests)
        assert "since" not in src.requests[0][1]  # no mark yet: read everything
        assert all(auth == f"Bearer {UPSERT_ENV['HELPDESK_TOKEN']}" for _, _, auth in src.requests)
        gids = {t["external_ref"]: gid for gid, t in dst.tasks.items()}

        # five tickets change (new content, newer updated_at), three are new
        for i, record in enumerate(records[3:28:5]):
            record.update(title=f"Edited {i}", updated_at=f"2026-02-01T00:00:0{i}Z")
        records.extend(
            {**t, "updated_at": f"2026-02-01T00:01:0{i}Z"} for i, t in enumerate(fake_apis.tickets(3, start=100))
        )
        src.requests.clear()
        dropped_before, lost_before = sum(dst.dropped.values()), set(dst.lost_creates)
        second, state = sync(bundle, project / "state.sqlite", UPSERT)
        state.close()
        lost_second = dst.lost_creates - lost_before
        refs = Counter(t["external_ref"] for t in dst.tasks.values())
        duplicates_second = sum(n - 1 for n in refs.values())

    assert all(q["since"] == "2026-01-01T00:29:00Z" for _, q, _ in src.requests)  # the first sync's mark
    assert (second.read, second.written, second.dead_lettered, second.skipped) == (8, 8, 0, 0)
    assert (second.created, second.updated) == (3 - len(lost_second), 5 + len(lost_second))
    assert duplicates_second == 0 and len(dst.tasks) == 33
    for i, record in enumerate(records[3:28:5]):  # updated in place: same task, new content
        task = dst.tasks[gids[record["id"]]]
        assert task["name"] == f"Edited {i}" and task["external_ref"] == record["id"]
    assert {f"tk_{i:04d}" for i in (100, 101, 102)} <= set(refs)
    with capsys.disabled():
        print(
            f"\n  upsert at a destination without Idempotency-Key, a third of write answers lost: sync 1 read 30, "
            f"{first.created} created + {first.updated} updated after a lost create answer ({dropped_first} "
            f"answers dropped), {duplicates_first} duplicates; sync 2 (since the mark) read {second.read}, "
            f"{second.updated} updated + {second.created} created ({sum(dst.dropped.values()) - dropped_before} "
            f"dropped), {duplicates_second} duplicates"
        )
