"""Prepared single-table statements store and read rows exactly as the ORM does."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction

from pagetojob.accounts.models import OutboundEmail
from pagetojob.core import clock, fastsql, writes
from pagetojob.handoff.models import SyncJob, SyncKind


@pytest.mark.django_db
def test_insert_stores_the_same_row_as_save(world):
    now = clock.now()
    fast = fastsql.insert(OutboundEmail(workspace=world.workspace, kind="lead_notification", to="a@acme.test",
                                        subject="Hi", body="Body", run_after=now))
    slow = OutboundEmail.objects.create(workspace=world.workspace, kind="lead_notification", to="b@acme.test",
                                        subject="Hi", body="Body", run_after=now)
    assert fast.pk and not fast._state.adding
    stored = OutboundEmail.objects.get(pk=fast.pk)
    compare = OutboundEmail.objects.get(pk=slow.pk)
    for field in OutboundEmail._meta.concrete_fields:
        if field.name in ("id", "to", "created_at"):
            continue
        assert getattr(stored, field.attname) == getattr(compare, field.attname), field.name
    assert stored.created_at is not None  # auto_now_add went through the field's own pre_save


@pytest.mark.django_db
def test_json_and_datetimes_round_trip_through_select(world):
    job = fastsql.insert(SyncJob(workspace=world.workspace, kind=SyncKind.BOOKING_HANDOFF,
                                 idempotency_key="p2j-roundtrip", binding_snapshot={"zones": ["Central", "Ünïcode"]},
                                 created_at=clock.now(), run_after=clock.now() + timedelta(minutes=5)))
    [read] = fastsql.select(SyncJob, "id = %s", [job.pk])
    orm = SyncJob.objects.get(pk=job.pk)
    assert read.binding_snapshot == orm.binding_snapshot == {"zones": ["Central", "Ünïcode"]}
    assert read.run_after == orm.run_after and read.run_after.tzinfo is not None
    assert fastsql.select(SyncJob, "id = %s", [-1]) == []


@pytest.mark.django_db
def test_insert_many_gives_each_instance_its_own_id(world):
    emails = fastsql.insert_many([
        OutboundEmail(workspace=world.workspace, kind="k", to=f"{name}@acme.test", subject="s", body="b",
                      run_after=clock.now()) for name in ("c", "a", "b")], match="to")
    for email in emails:
        assert OutboundEmail.objects.get(pk=email.pk).to == email.to
    with pytest.raises(ValueError, match="distinct to"):
        fastsql.insert_many([OutboundEmail(workspace=world.workspace, to="x@acme.test", run_after=clock.now()),
                             OutboundEmail(workspace=world.workspace, to="x@acme.test", run_after=clock.now())],
                            match="to")


@pytest.mark.django_db
def test_a_pending_row_links_a_key_known_only_inside_the_transaction(world):
    email = OutboundEmail(workspace=world.workspace, kind="k", to="z@acme.test", run_after=clock.now())
    job = SyncJob(workspace=world.workspace, kind=SyncKind.BOOKING_HANDOFF, idempotency_key="p2j-linked",
                  created_at=clock.now(), run_after=clock.now())
    staged_email, staged_job = fastsql.Pending([email]), fastsql.Pending([job])
    with transaction.atomic():
        stored = staged_email.run()[0]
        staged_job.link("held_reason", f"waiting on email {stored.pk}")
        staged_job.run()
    assert SyncJob.objects.get(pk=job.pk).held_reason == f"waiting on email {stored.pk}"
    with pytest.raises(ValueError, match="needs `match`"):
        fastsql.Pending([OutboundEmail(workspace=world.workspace, to=f"{n}@acme.test", run_after=clock.now())
                         for n in "xy"])


def test_serialized_writes_take_turns_on_sqlite():
    if connection.vendor != "sqlite":
        with writes.serialized_write():
            pass  # row-level locking: nothing to queue
        return
    inside, overlaps = [], []

    def writer() -> None:
        with writes.serialized_write():
            inside.append(1)
            if len(inside) > 1:
                overlaps.append(len(inside))
            time.sleep(0.01)
            inside.pop()

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not overlaps
