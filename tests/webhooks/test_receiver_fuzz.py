"""Whatever arrives at the receiver (any headers, any bytes), the answer is never a server error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pagetojob.sandbox import webhook_sender as sandbox

from .conftest import SECRET, configure, url

pytestmark = pytest.mark.django_db

header_names = st.sampled_from(["X-ServiceTitan-Signature", "X-ServiceTitan-Timestamp", "Content-Type",
                                "X-Other", "Authorization", "Content-Length"])
header_values = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=120)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20)
events = st.fixed_dictionaries({}, optional={
    "eventId": st.one_of(st.text(max_size=40), st.integers(), st.none()),
    "eventType": st.one_of(st.sampled_from(["Booking.Converted", "Job.Completed", "Invoice.Created", "Lead.Dismissed",
                                            "Payment.Created", "Unknown"]), st.text(max_size=20), st.integers()),
    "data": st.one_of(json_values, st.fixed_dictionaries({}, optional={
        "id": st.one_of(st.integers(), st.text(max_size=20), st.none()), "externalId": json_values,
        "status": json_values, "jobId": json_values, "jobStatus": json_values, "job": json_values,
        "total": json_values, "modifiedOn": json_values, "bookingId": json_values, "completedOn": json_values})),
    "occurredOn": json_values,
})


@pytest.fixture
def configured(world):
    configure(world.workspace, timestamp_header="X-ServiceTitan-Timestamp")
    return world


def meta(headers: dict[str, str]) -> dict[str, str]:
    return {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(headers=st.dictionaries(header_names, header_values, max_size=4), body=st.binary(max_size=600))
def test_arbitrary_headers_and_bytes_never_500(configured, client, headers, body):
    response = client.post(url(configured.workspace), body, content_type="application/json", **meta(headers))
    assert response.status_code in (200, 400, 401, 413), response.content


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=events)
def test_validly_signed_arbitrary_events_are_stored_and_processed_without_error(configured, client, payload):
    import json

    from pagetojob.core import worker
    from pagetojob.webhooks.models import WebhookEvent

    body = json.dumps(payload).encode()
    signing = sandbox.Signing(SECRET, timestamp_header="X-ServiceTitan-Timestamp")
    response = client.post(url(configured.workspace), body, content_type="application/json",
                           **meta({k: v for k, v in sandbox.signed_headers(signing, body).items()
                                   if k != "Content-Type"}))
    assert response.status_code == 200, response.content
    while worker.run_once("fuzz-worker"):
        pass
    states = set(WebhookEvent.objects.values_list("outcome", "work_state"))
    assert states <= {("applied", "done"), ("ignored", "done")}, WebhookEvent.objects.values_list("last_error")
