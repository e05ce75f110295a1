from __future__ import annotations

import threading

import pytest
from django.db import connection

from provisioning import locks

pytestmark = pytest.mark.django_db


def test_a_thread_reuses_its_lock_connection_but_locks_still_exclude_each_other() -> None:
    with locks.advisory_lock("essai") as acquired:
        assert acquired
        first = locks._idle.conn
        assert first is None  # in use, not idle
    idle = locks._idle.conn
    assert idle is not None
    with locks.advisory_lock("essai") as acquired:
        assert acquired
    assert locks._idle.conn is idle  # the same session, opened once

    # Nested in one thread: a second session, so the same lock is not re-entered.
    with locks.advisory_lock("essai") as outer, locks.advisory_lock("essai") as inner:
        assert outer and not inner

    # Another thread cannot take it while this one holds it.
    seen: list[bool] = []
    with locks.advisory_lock("essai") as held:
        assert held
        thread = threading.Thread(target=lambda: seen.append(_try("essai")))
        thread.start()
        thread.join()
    assert seen == [False]
    assert _try("essai")


def _try(name: str) -> bool:
    with locks.advisory_lock(name) as acquired:
        return acquired


def test_an_idle_connection_the_server_ended_is_replaced() -> None:
    _try("essai")
    idle = locks._idle.conn
    assert idle is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [idle.info.backend_pid])
    assert _try("essai")
    assert locks._idle.conn is not None and locks._idle.conn is not idle
