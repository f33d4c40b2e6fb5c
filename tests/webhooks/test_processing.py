"""Processing stored events into what the product shows about the records we sent."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from pagetojob.core import worker
from pagetojob.sandbox import webhook_sender as sandbox
from pagetojob.webhooks import records
from pagetojob.webhooks.models import EventOutcome, TitanRecord, WebhookEvent

from .conftest import deliver

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def drain() -> None:
    while worker.run_once("test-worker"):
        pass


def state(workspace) -> list[tuple]:
    fields = ("external_id", "kind", "booking_id", "lead_id", "job_id", "booking_status", "lead_status", "job_status",
              "job_completed_at", "invoices", "invoice_total", "events_applied")
    return sorted(tuple(json.dumps(v, sort_keys=True) if isinstance(v, dict) else v for v in row)
                  for row in TitanRecord.objects.filter(workspace=workspace).values_list(*fields))


def lifecycle(n: int = 0) -> list[sandbox.Event]:
    return sandbox.booking_lifecycle(5000 + n, f"p2j-life-{n}", 9000 + n, 7000 + n, start=T0)


def test_a_booking_converted_then_completed_then_invoiced(world, client, endpoint):
    records.record_sent(world.workspace, "p2j-life-0", "booking", 5000, at=T0 - timedelta(minutes=5))
    for event in lifecycle():
        assert deliver(client, world.workspace, event).status_code == 200
    drain()
    record = TitanRecord.objects.get(workspace=world.workspace)
    assert (record.external_id, record.booking_id, record.job_id) == ("p2j-life-0", 5000, 9000)
    assert record.booking_status == "Converted" and record.job_status == "Completed"
    assert record.invoice_total == Decimal("389.00") and list(record.invoices) == ["7000"]
    assert record.events_applied == 4
    status = records.status_for(world.workspace, "p2j-life-0")
    assert status is not None and status.label == "Job completed" and status.job_id == 9000
    assert status.invoice_count == 1
    assert set(WebhookEvent.objects.values_list("outcome", flat=True)) == {EventOutcome.APPLIED}
    assert set(WebhookEvent.objects.values_list("external_id", flat=True)) == {"p2j-life-0"}


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))), ids=lambda o: "".join(map(str, o)))
def test_any_delivery_order_ends_in_the_in_order_state(world, client, endpoint, order):
    """The same four events, in order to one workspace and in every other order to another."""
    from .conftest import configure

    configure(world.other)
    events = lifecycle(1)
    for event in events:
        deliver(client, world.workspace, event)
        drain()
    for index in order:
        deliver(client, world.other, events[index])
        drain()
    in_order = state(world.workspace)
    assert len(in_order) == 1 and in_order[0][5:8] == ("Converted", "", "Completed")
    assert state(world.other) == in_order, "events that arrived before their link were folded into one record"


def test_job_completed_before_the_booking_was_even_recorded_as_sent(world, client, endpoint):
    deliver(client, world.workspace, sandbox.job_event("completed", 9100, booking_id=5100, modified=T0))
    drain()
    orphan = TitanRecord.objects.get(workspace=world.workspace)
    assert orphan.external_id == "" and orphan.booking_id == 5100
    assert records.status_for(world.workspace, "p2j-late") is None
    records.record_sent(world.workspace, "p2j-late", "booking", 5100)
    record = TitanRecord.objects.get(workspace=world.workspace)
    assert record.external_id == "p2j-late" and record.job_status == "Completed"
    assert records.status_for(world.workspace, "p2j-late").label == "Job completed"


def test_a_later_report_wins_and_at_the_same_time_the_further_one(world, client, endpoint):
    deliver(client, world.workspace, sandbox.job_event("canceled", 9200, modified=T0 + timedelta(minutes=5)))
    deliver(client, world.workspace, sandbox.job_event("booked", 9200, modified=T0))
    drain()
    assert TitanRecord.objects.get().job_status == "Canceled"
    deliver(client, world.workspace, sandbox.job_event("completed", 9200, modified=T0 + timedelta(minutes=5)))
    drain()
    assert TitanRecord.objects.get().job_status in ("Canceled", "Completed")  # a tie between two final states ...
    first = TitanRecord.objects.get().job_status
    deliver(client, world.workspace, sandbox.job_event("booked", 9200, modified=T0 + timedelta(minutes=5)))
    drain()
    assert TitanRecord.objects.get().job_status == first  # ... is settled the same way whatever comes next


def test_booking_dismissed(world, client, endpoint):
    records.record_sent(world.workspace, "p2j-dis", "booking", 5300)
    deliver(client, world.workspace, sandbox.booking_event("dismissed", 5300, "p2j-dis", modified=T0))
    drain()
    assert records.status_for(world.workspace, "p2j-dis").label == "Dismissed by the office"


def test_booking_updated_reads_the_status_from_the_payload(world, client, endpoint):
    event = sandbox.make_event("Booking.Updated", {"id": 5400, "externalId": "p2j-up", "status": "Accepted",
                                                   "modifiedOn": "2026-11-02T15:00:00Z"})
    deliver(client, world.workspace, event)
    drain()
    assert records.status_for(world.workspace, "p2j-up").booking_status == "Accepted"


def test_lead_events_update_a_sent_lead(world, client, endpoint):
    records.record_sent(world.workspace, "p2j-lead", "lead", 6100)
    event = sandbox.make_event("Lead.Converted", {"id": 6100, "status": "Converted", "bookingId": 5500,
                                                  "modifiedOn": "2026-11-02T15:00:00Z"})
    deliver(client, world.workspace, event)
    drain()
    record = TitanRecord.objects.get()
    assert (record.kind, record.lead_status, record.booking_id) == ("booking", "Converted", 5500)
    assert records.status_for(world.workspace, "p2j-lead").lead_id == 6100


def test_invoice_updates_replace_the_older_figures_per_invoice(world, client, endpoint):
    deliver(client, world.workspace, sandbox.invoice_event(7100, 9300, "250.00", modified=T0 + timedelta(hours=1)))
    deliver(client, world.workspace, sandbox.invoice_event(7100, 9300, "100.00", modified=T0))
    deliver(client, world.workspace, sandbox.invoice_event(7101, 9300, "40.5", modified=T0))
    drain()
    record = TitanRecord.objects.get()
    assert record.invoice_total == Decimal("290.50")
    assert record.invoices["7100"]["total"] == "250.00"


@pytest.mark.parametrize("event_type,data,reason", [
    ("Technician.ShiftStarted", {"id": 1}, "is not one PageToJob uses"),
    ("", {"id": 1}, "'(none)' is not one PageToJob uses"),
    ("Payment.Created", {"id": 1, "appliedTo": [{"appliedTo": 7100, "appliedAmount": "10.00"}]}, "Payment events"),
    ("Job.Completed", {"jobStatus": "Completed"}, "names no job id"),
    ("Booking.Updated", {"id": 3, "status": "Weird"}, "no status PageToJob knows"),
    ("Invoice.Created", {"id": 3, "total": "1.00"}, "names no job"),
])
def test_unusable_events_are_stored_and_shown_as_ignored_not_errors(world, client, endpoint, event_type, data, reason):
    deliver(client, world.workspace, sandbox.make_event(event_type, data))
    drain()
    event = WebhookEvent.objects.get()
    assert event.outcome == EventOutcome.IGNORED and event.work_state == "done"
    assert reason in event.outcome_detail
    assert not TitanRecord.objects.exists()


def test_event_type_spellings(world, client, endpoint):
    for n, name in enumerate(["job.completed", "JobCompleted", "job_completed", "JOB.COMPLETED"]):
        deliver(client, world.workspace, sandbox.make_event(name, {"id": 9400 + n}))
    drain()
    assert list(TitanRecord.objects.values_list("job_status", flat=True)) == ["Completed"] * 4


def test_validation_events_change_no_record(world, client, endpoint):
    deliver(client, world.workspace, sandbox.make_event("PageToJob.Validation", {"run": "x"}))
    drain()
    event = WebhookEvent.objects.get()
    assert event.is_validation and event.outcome == EventOutcome.APPLIED
    assert not TitanRecord.objects.exists()


def test_processing_twice_applies_once(world, client, endpoint):
    """A worker that crashed after applying but before reporting back: the next claim changes nothing."""
    from pagetojob.webhooks import processing

    deliver(client, world.workspace, sandbox.job_event("completed", 9500))
    event = WebhookEvent.objects.get()
    processing.process(event)
    processing.process(event)
    assert TitanRecord.objects.get().events_applied == 1


def test_record_sent_refuses_bad_input(world):
    with pytest.raises(ValueError, match="booking' or 'lead"):
        records.record_sent(world.workspace, "p2j-x", "job", 1)
    with pytest.raises(ValueError, match="externalId"):
        records.record_sent(world.workspace, "", "booking", 1)


def test_records_stay_in_their_workspace(world, client, endpoint):
    from .conftest import configure

    configure(world.other)
    records.record_sent(world.other, "p2j-rival", "booking", 5600)
    deliver(client, world.workspace, sandbox.booking_event("converted", 5600, "", job_id=9600))
    drain()
    assert TitanRecord.objects.filter(workspace=world.other).get().job_id is None
    assert records.status_for(world.workspace, "p2j-rival") is None


def test_record_sent_joins_the_callers_transaction(world):
    from django.db import transaction

    from pagetojob.core import writes

    with pytest.raises(RuntimeError), writes.serialized_write(), transaction.atomic():
        records.record_sent(world.workspace, "p2j-rolled-back", "booking", 5700)
        raise RuntimeError("the sync job's own write failed")
    assert records.status_for(world.workspace, "p2j-rolled-back") is None
    with writes.serialized_write(), transaction.atomic():
        records.record_sent(world.workspace, "p2j-kept", "booking", 5701)
    assert records.status_for(world.workspace, "p2j-kept").booking_id == 5701
