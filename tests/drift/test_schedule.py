"""Onboarding and monthly reviews: created once per period per workspace, even with several workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction

from pagetojob.accounts.models import Workspace
from pagetojob.core import worker
from pagetojob.core.models import WorkState
from pagetojob.drift import schedule
from pagetojob.drift.models import DriftFinding, DriftReview, Trigger
from pagetojob.sites.models import Binding, Page, Site

NOW = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_onboarding_then_monthly_periods(world):
    created = schedule.enqueue_due(NOW)
    assert created == 2  # acme-air and rival-plumbing both have pages
    assert set(DriftReview.objects.values_list("trigger", "period")) == {(Trigger.ONBOARDING, "onboarding")}
    assert schedule.enqueue_due(NOW) == 0  # same month, already onboarded: nothing more
    next_month = NOW + timedelta(days=5)  # Dec 4
    assert schedule.enqueue_due(next_month) == 2
    assert schedule.enqueue_due(next_month + timedelta(hours=3)) == 0
    monthly = DriftReview.objects.filter(trigger=Trigger.MONTHLY)
    assert set(monthly.values_list("period", flat=True)) == {"2026-12"}


@pytest.mark.django_db
def test_the_period_is_the_workspace_local_month(world):
    world.workspace.time_zone = "America/Phoenix"
    # 2026-12-01 03:00 UTC is still November 30 in Phoenix.
    assert schedule.period_of(world.workspace, datetime(2026, 12, 1, 3, 0, tzinfo=UTC)) == "2026-11"


@pytest.mark.django_db
def test_a_workspace_without_pages_is_not_reviewed():
    Workspace.objects.create(key="empty", name="Empty")
    assert schedule.enqueue_due(NOW) == 0


@pytest.mark.django_db
def test_the_database_refuses_a_second_review_for_a_period(world):
    DriftReview.objects.create(workspace=world.workspace, trigger=Trigger.MONTHLY, period="2026-11", run_after=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        DriftReview.objects.create(workspace=world.workspace, trigger=Trigger.MONTHLY, period="2026-11",
                                   run_after=NOW)
    DriftReview.objects.create(workspace=world.workspace, trigger=Trigger.ON_DEMAND, run_after=NOW)
    DriftReview.objects.create(workspace=world.workspace, trigger=Trigger.ON_DEMAND, run_after=NOW)


WORKSPACES = 12


@pytest.mark.django_db(transaction=True)
def test_two_workers_run_each_monthly_review_exactly_once(world, tmp_path):
    """Twelve workspaces onboarded last month; two worker processes start the month together."""
    earlier = NOW - timedelta(days=45)
    for index in range(WORKSPACES):
        workspace = Workspace.objects.create(key=f"contractor-{index}", name=f"Contractor {index}")
        site = Site.objects.create(workspace=workspace, key=f"site-{index}", name="Site", base_url="https://x.test")
        page = Page.objects.create(workspace=workspace, site=site, path="/", title="Home", kind="home")
        Binding.objects.create(workspace=workspace, page=page)
    for workspace in Workspace.objects.all():
        DriftReview.objects.create(workspace=workspace, trigger=Trigger.ONBOARDING, period="onboarding",
                                   created_at=earlier, run_after=earlier, work_state=WorkState.DONE)
    go = tmp_path / "go"
    script = Path(__file__).with_name("compete.py")
    db_name = str(connection.settings_dict["NAME"])
    names = ("worker-one", "worker-two")
    procs = [subprocess.Popen([sys.executable, str(script), db_name, str(go), name], env=dict(os.environ),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for name in names]
    deadline = time.monotonic() + 60
    while not all(Path(f"{go}.{name}.ready").exists() for name in names):
        assert time.monotonic() < deadline, "worker processes did not start"
        assert all(proc.poll() is None for proc in procs), [proc.communicate() for proc in procs]
        time.sleep(0.05)
    go.touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))

    period = schedule.period_of(world.workspace, datetime.now(UTC))
    monthly = DriftReview.objects.filter(trigger=Trigger.MONTHLY)
    assert monthly.count() == Workspace.objects.count() == WORKSPACES + 2
    assert set(monthly.values_list("period", flat=True)) == {period}
    assert set(monthly.values_list("work_state", "attempts")) == {(WorkState.DONE, 1)}
    assert sum(result["processed"] for result in results) == monthly.count()
    # Each workspace's findings were stored by exactly one review.
    assert DriftFinding.objects.filter(workspace__key="contractor-0").count() == 1


@pytest.mark.django_db
def test_the_worker_schedule_is_registered():
    names = [s.name for s in worker._SCHEDULES.values()]
    assert "drift-reviews" in names
    assert worker.run_schedules({"drift-reviews": time.monotonic()}) == 0  # not due again yet
