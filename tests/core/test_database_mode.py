from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pagetojob.accounts.models import OutboundEmail
from pagetojob.core import clock, queue


@pytest.mark.django_db
def test_each_database_runs_in_the_mode_the_work_mechanism_relies_on():
    OutboundEmail.objects.create(kind="t", to="a@b.test", subject="s", body="b", run_after=clock.now())
    with CaptureQueriesContext(connection) as queries:
        assert len(queue.claim(OutboundEmail, "worker-a")) == 1
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] >= 20_000
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        assert "FOR UPDATE" not in sql  # a compare-and-set UPDATE instead
    else:
        assert connection.vendor == "postgresql"
        assert "FOR UPDATE SKIP LOCKED" in sql
