"""Worker schedules: periodic callbacks that create keyed rows, run by every worker at their interval."""

from __future__ import annotations

import pytest

from pagetojob.core import worker


@pytest.fixture
def schedules(monkeypatch):
    monkeypatch.setattr(worker, "_SCHEDULES", {})
    return worker._SCHEDULES


def test_a_schedule_runs_at_its_interval_and_a_failing_one_does_not_stop_the_others(schedules):
    calls = []

    def broken(now):
        raise RuntimeError("bug in a schedule")

    worker.register_schedule("broken", broken, every_seconds=60)
    worker.register_schedule("counting", lambda now: calls.append(now) or 2, every_seconds=60)
    last_runs: dict[str, float] = {}
    assert worker.run_schedules(last_runs) == 2
    assert worker.run_schedules(last_runs) == 0  # not due again within the minute
    assert len(calls) == 1 and set(last_runs) == {"broken", "counting"}
    assert worker.run_schedules() == 2  # without interval bookkeeping every schedule runs (worker --once)
