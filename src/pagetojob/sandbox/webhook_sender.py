"""The sandbox's webhook sender: builds ServiceTitan-style events, signs them and POSTs them to a URL.

Standalone on purpose (it imports nothing else of the product), so the sandbox can exercise any
receiver. Signing follows the configurable scheme a receiver is set up for: HMAC-SHA256 of the raw body
(or of `timestamp.body`), hex or base64, in a named header, with an optional timestamp header.

    python -m pagetojob.sandbox.webhook_sender URL --secret KEY [--scenario single|burst|duplicates|...]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import random
import sys
import threading
import time
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

SCENARIOS = ("single", "burst", "duplicates", "out-of-order", "bad-signature", "stale")


@dataclass(frozen=True)
class Signing:
    secret: str
    header: str = "X-ServiceTitan-Signature"
    encoding: str = "hex"  # or "base64"
    timestamp_header: str = ""
    signed_content: str = "body"  # or "timestamp.body"


@dataclass(frozen=True)
class Event:
    event_id: str
    event_type: str
    body: bytes


@dataclass
class Delivery:
    event: Event
    status: int  # 0 when the request failed before an answer
    answer: dict
    seconds: float
    error: str = ""


@dataclass
class Report:
    deliveries: list[Delivery] = field(default_factory=list)

    def count(self, status: int) -> int:
        return sum(1 for delivery in self.deliveries if delivery.status == status)

    def latencies(self) -> list[float]:
        return [delivery.seconds for delivery in self.deliveries if delivery.status]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def make_event(event_type: str, data: dict, *, event_id: str | None = None, occurred: datetime | None = None) -> Event:
    event_id = event_id or f"evt-{uuid.uuid4().hex}"
    occurred = occurred or datetime.now(UTC)
    payload = {"eventId": event_id, "eventType": event_type, "occurredOn": iso(occurred), "data": data}
    return Event(event_id, event_type, json.dumps(payload, separators=(",", ":")).encode())


def booking_event(action: str, booking_id: int, external_id: str, *, job_id: int | None = None,
                  modified: datetime | None = None, event_id: str | None = None) -> Event:
    """A booking event shaped like Crm.V2.BookingResponse (status New|Accepted|Converted|Dismissed)."""
    modified = modified or datetime.now(UTC)
    status = {"accepted": "Accepted", "converted": "Converted", "dismissed": "Dismissed"}.get(action, "New")
    data = {"id": booking_id, "externalId": external_id, "status": status, "jobId": job_id,
            "modifiedOn": iso(modified), "source": "PageToJob", "name": "Sandbox Customer"}
    return make_event(f"Booking.{action.title()}", data, event_id=event_id, occurred=modified)


def job_event(action: str, job_id: int, *, booking_id: int | None = None, total: float | None = None,
              modified: datetime | None = None, event_id: str | None = None) -> Event:
    """A job event shaped like Jpm.V2.JobResponse (jobStatus Scheduled ... Completed|Canceled)."""
    modified = modified or datetime.now(UTC)
    status = {"booked": "Scheduled", "completed": "Completed", "canceled": "Canceled"}.get(action, "Scheduled")
    data = {"id": job_id, "jobNumber": str(job_id), "bookingId": booking_id, "jobStatus": status,
            "completedOn": iso(modified) if status == "Completed" else None, "total": total,
            "modifiedOn": iso(modified)}
    return make_event(f"Job.{action.title()}", data, event_id=event_id, occurred=modified)


def invoice_event(invoice_id: int, job_id: int, total: str, *, balance: str = "0.00",
                  modified: datetime | None = None, event_id: str | None = None) -> Event:
    """An invoice event shaped like Accounting.V2.InvoiceResponse (amounts are decimal strings)."""
    modified = modified or datetime.now(UTC)
    data = {"id": invoice_id, "referenceNumber": f"INV-{invoice_id}", "total": total, "balance": balance,
            "job": {"id": job_id, "number": str(job_id)}, "modifiedOn": iso(modified)}
    return make_event("Invoice.Created", data, event_id=event_id, occurred=modified)


def booking_lifecycle(booking_id: int, external_id: str, job_id: int, invoice_id: int,
                      start: datetime | None = None) -> list[Event]:
    """One booking's life in delivery order: accepted, converted to a job, job completed, invoiced."""
    start = start or datetime.now(UTC) - timedelta(minutes=1)
    return [
        booking_event("accepted", booking_id, external_id, modified=start),
        booking_event("converted", booking_id, external_id, job_id=job_id, modified=start + timedelta(seconds=10)),
        job_event("completed", job_id, booking_id=booking_id, modified=start + timedelta(seconds=20)),
        invoice_event(invoice_id, job_id, "389.00", modified=start + timedelta(seconds=30)),
    ]


def signature(signing: Signing, body: bytes, timestamp: str = "") -> str:
    message = timestamp.encode() + b"." + body if signing.signed_content == "timestamp.body" else body
    raw = hmac.new(signing.secret.encode(), message, hashlib.sha256).digest()
    return raw.hex() if signing.encoding == "hex" else base64.b64encode(raw).decode()


def signed_headers(signing: Signing, body: bytes, *, at: datetime | None = None, tamper: bool = False) -> dict:
    timestamp = str(int((at or datetime.now(UTC)).timestamp())) if signing.timestamp_header else ""
    value = signature(signing, body, timestamp)
    if tamper:  # flip one digit: the right length and encoding, the wrong MAC
        value = ("1" if value[0] != "1" else "2") + value[1:] if signing.encoding == "hex" else \
            ("A" if value[0] != "A" else "B") + value[1:]
    headers = {"Content-Type": "application/json", signing.header: value}
    if signing.timestamp_header:
        headers[signing.timestamp_header] = timestamp
    return headers


class Sender:
    """Posts events to one receiver URL over one pooled httpx client (timeouts always set)."""

    def __init__(self, url: str, signing: Signing, *, timeout: float = 10.0, max_connections: int = 32) -> None:
        self.url = url
        self.signing = signing
        self.client = httpx.Client(timeout=timeout, limits=httpx.Limits(max_connections=max_connections))
        self.lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def post(self, event: Event, headers: dict) -> Delivery:
        began = time.perf_counter()
        try:
            response = self.client.post(self.url, content=event.body, headers=headers)
        except httpx.HTTPError as error:
            return Delivery(event, 0, {}, time.perf_counter() - began, f"{type(error).__name__}: {error}")
        seconds = time.perf_counter() - began
        try:
            answer = response.json()
        except ValueError:
            answer = {"text": response.text[:300]}
        return Delivery(event, response.status_code, answer if isinstance(answer, dict) else {}, seconds)

    def send(self, event: Event, *, at: datetime | None = None) -> Delivery:
        return self.post(event, signed_headers(self.signing, event.body, at=at))

    def send_bad_signature(self, event: Event) -> Delivery:
        return self.post(event, signed_headers(self.signing, event.body, tamper=True))

    def send_stale(self, event: Event, age_seconds: float = 3600) -> Delivery:
        """Correctly signed, but with a timestamp `age_seconds` old (needs a timestamp header)."""
        if not self.signing.timestamp_header:
            raise ValueError("A stale delivery needs a timestamp header in the signing settings.")
        return self.send(event, at=datetime.now(UTC) - timedelta(seconds=age_seconds))

    def send_many(self, jobs: Iterable[tuple[str, Event]], concurrency: int = 16) -> Report:
        """Send ("good" | "bad") events concurrently; the report keeps every answer."""
        report = Report()

        def one(job: tuple[str, Event]) -> None:
            kind, event = job
            delivery = self.send_bad_signature(event) if kind == "bad" else self.send(event)
            with self.lock:
                report.deliveries.append(delivery)

        with ThreadPoolExecutor(max(1, concurrency)) as pool:
            list(pool.map(one, jobs))
        return report


def burst_plan(count: int, *, duplicate_share: float = 0.10, bad_share: float = 0.05, seed: int = 1,
               prefix: str = "burst") -> tuple[list[tuple[str, Event]], set[str]]:
    """A shuffled burst: distinct signed events, resends of some of them, and some with bad signatures.

    Returns the plan and the ids of the distinct valid events a receiver must end up with.
    """
    rng = random.Random(seed)
    bad_count = round(count * bad_share)
    duplicate_count = round(count * duplicate_share)
    distinct_count = count - bad_count - duplicate_count
    now = datetime.now(UTC)
    valid: list[Event] = []
    for n in range(distinct_count):
        booking_id = 700_000 + n
        kind = n % 3
        if kind == 0:
            event = booking_event("converted", booking_id, f"{prefix}-{n}", job_id=900_000 + n,
                                  modified=now, event_id=f"{prefix}-{n}")
        elif kind == 1:
            event = job_event("completed", 900_000 + n, booking_id=booking_id, modified=now,
                              event_id=f"{prefix}-{n}")
        else:
            event = invoice_event(800_000 + n, 900_000 + n, f"{100 + n % 400}.00", modified=now,
                                  event_id=f"{prefix}-{n}")
        valid.append(event)
    plan: list[tuple[str, Event]] = [("good", event) for event in valid]
    plan += [("good", rng.choice(valid)) for _ in range(duplicate_count)]
    plan += [("bad", booking_event("dismissed", 600_000 + n, f"{prefix}-forged-{n}", event_id=f"{prefix}-forged-{n}"))
             for n in range(bad_count)]
    rng.shuffle(plan)
    return plan, {event.event_id for event in valid}


def run_scenario(sender: Sender, scenario: str, *, count: int = 100) -> Report:
    stamp = uuid.uuid4().hex[:8]
    lifecycle = booking_lifecycle(int(time.time()) % 10_000_000, f"sandbox-{stamp}", 5_000_000 + int(stamp, 16) % 10**6,
                                  6_000_000 + int(stamp, 16) % 10**6)
    if scenario == "single":
        return Report([sender.send(lifecycle[0])])
    if scenario == "burst":
        plan, _ = burst_plan(count, duplicate_share=0, bad_share=0, prefix=f"burst-{stamp}")
        return sender.send_many(plan)
    if scenario == "duplicates":
        return Report([sender.send(lifecycle[0]), sender.send(lifecycle[0])])
    if scenario == "out-of-order":
        return Report([sender.send(event) for event in reversed(lifecycle)])
    if scenario == "bad-signature":
        return Report([sender.send_bad_signature(lifecycle[0])])
    if scenario == "stale":
        return Report([sender.send_stale(lifecycle[0])])
    raise ValueError(f"Unknown scenario {scenario!r}: choose one of {', '.join(SCENARIOS)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="webhook_sender", description="Send signed ServiceTitan-style events.")
    parser.add_argument("url", help="the receiver, e.g. http://127.0.0.1:8000/api/v1/webhooks/servicetitan/KEY")
    parser.add_argument("--secret", required=True, help="the HMAC key the receiver is configured with")
    parser.add_argument("--header", default="X-ServiceTitan-Signature")
    parser.add_argument("--encoding", choices=("hex", "base64"), default="hex")
    parser.add_argument("--timestamp-header", default="")
    parser.add_argument("--signed-content", choices=("body", "timestamp.body"), default="body")
    parser.add_argument("--scenario", choices=SCENARIOS, default="single")
    parser.add_argument("--count", type=int, default=100, help="events in a burst")
    args = parser.parse_args(argv)
    signing = Signing(args.secret, args.header, args.encoding, args.timestamp_header, args.signed_content)
    with Sender(args.url, signing) as sender:
        report = run_scenario(sender, args.scenario, count=args.count)
    for delivery in report.deliveries[:20]:
        print(f"{delivery.status or delivery.error} {delivery.event.event_type} {delivery.event.event_id} "
              f"{json.dumps(delivery.answer)}")
    statuses = sorted({delivery.status for delivery in report.deliveries})
    print(f"{len(report.deliveries)} deliveries; " + ", ".join(f"{s}: {report.count(s)}" for s in statuses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
