"""The ServiceTitan client against the real sandbox over HTTP: tokens, headers, errors, paging, export feeds."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from pagetojob.titan import errors
from pagetojob.titan.client import Exchange
from tests.titan.conftest import APP_KEY, CLIENT_ID, CLIENT_SECRET, PROVIDER, SECRETS, TENANT

BUSINESS_UNITS = "/settings/v2/tenant/{tenant}/business-units"
BOOKINGS = f"/crm/v2/tenant/{{tenant}}/booking-provider/{PROVIDER}/bookings"


def booking(external_id: str, **changes) -> dict:
    body = {"source": "Website", "name": "Pat Example", "summary": "AC not cooling", "isFirstTimeClient": True,
            "externalId": external_id}
    body.update(changes)
    return body


def test_a_token_is_fetched_once_and_reused(sandbox):
    client = sandbox.client()
    for _ in range(3):
        assert client.get(BUSINESS_UNITS, pageSize=1)["data"]
    assert sandbox.token_requests().get("issued") == 1
    second = sandbox.client()  # another client of the same connection shares the process-wide cache
    second.get(BUSINESS_UNITS, pageSize=1)
    assert sandbox.token_requests().get("issued") == 1


def test_a_short_lived_token_is_renewed_before_it_expires(sandbox, sandbox_server):
    sandbox_server.state.config.token_ttl = 2  # renewed after three quarters of its life: 1.5 s
    client = sandbox.client()
    client.get(BUSINESS_UNITS, pageSize=1)
    first = client.last_token
    assert first is not None and first.expires_in == 2
    client.get(BUSINESS_UNITS, pageSize=1)
    assert sandbox.token_requests().get("issued") == 1
    time.sleep(1.6)
    client.get(BUSINESS_UNITS, pageSize=1)
    assert sandbox.token_requests().get("issued") == 2
    assert client.last_token is not first
    assert sandbox.stats().get("clientErrors", 0) == 0  # never sent an expired token


def test_a_token_the_server_forgot_is_replaced_once_and_the_call_succeeds(sandbox, sandbox_server):
    client = sandbox.client()
    client.get(BUSINESS_UNITS, pageSize=1)
    with sandbox_server.state.lock:
        sandbox_server.state.tokens.clear()  # as if ServiceTitan revoked it early
    assert client.get(BUSINESS_UNITS, pageSize=1)["data"]
    assert sandbox.token_requests().get("issued") == 2


def test_every_call_carries_the_app_key_and_the_bearer_token(sandbox):
    seen: list[Exchange] = []
    client = sandbox.client(on_exchange=seen.append)
    client.get(BUSINESS_UNITS, pageSize=1)
    token_call, api_call = seen
    assert token_call.method == "POST" and token_call.url == "/connect/token" and token_call.status == 200
    assert api_call.request_headers["ST-App-Key"] == "••••"
    assert api_call.request_headers["Authorization"] == "••••"
    assert api_call.status == 200 and api_call.url.endswith(f"/tenant/{TENANT}/business-units?pageSize=1")
    # The sandbox answers 403 without the right app key, so the 200 proves the header went out.
    wrong_key = sandbox.client(credentials=sandbox.credentials(app_key="ak1.someone-elses-key"))
    with pytest.raises(errors.TitanAuthError) as refused:
        wrong_key.get(BUSINESS_UNITS, pageSize=1)
    assert refused.value.status == 403 and "ST-App-Key" in refused.value.title


def test_summaries_mask_every_secret(sandbox):
    seen: list[Exchange] = []
    client = sandbox.client(on_exchange=seen.append)
    client.get(BUSINESS_UNITS, pageSize=1)
    client.post(BOOKINGS, booking(f"mask-{uuid.uuid4().hex[:8]}"))
    text = json.dumps([exchange.as_dict() for exchange in seen])
    for secret in SECRETS:
        assert secret not in text
    token_value = client.last_token.value
    assert token_value not in text
    assert "client_secret=••••" in seen[0].request_body and "client_id=••••7f3a" in seen[0].request_body
    assert '"access_token": "••••"' in seen[0].response_body
    assert '"externalId": "mask-' in seen[-1].request_body and '"id":' in seen[-1].response_body
    assert client.last_exchange is seen[-1]


def test_wrong_client_secret_is_an_auth_error_that_says_what_to_do(sandbox):
    client = sandbox.client(credentials=sandbox.credentials(client_secret="cs1.wrong", connection_key="wrong"))
    with pytest.raises(errors.TitanAuthError, match="refused the client id and secret") as refused:
        client.get(BUSINESS_UNITS)
    assert refused.value.status == 401
    assert isinstance(refused.value, errors.PermanentError)
    assert "cs1.wrong" not in str(refused.value)


def test_a_token_for_another_tenant_is_refused_with_403(sandbox):
    client = sandbox.client()
    with pytest.raises(errors.TitanAuthError) as refused:
        client.get("/settings/v2/tenant/999/business-units")
    assert refused.value.status == 403 and refused.value.trace_id


def test_validation_errors_are_permanent_and_carry_the_parsed_body(sandbox):
    client = sandbox.client()
    with pytest.raises(errors.TitanPermanentError) as refused:
        client.post(BOOKINGS, booking("bad-campaign", campaignId=1))
    error = refused.value
    assert error.status == 400 and not error.outcome_unknown
    assert "campaignId" in error.errors and "Campaign 1 does not exist" in error.errors["campaignId"][0]
    assert error.trace_id.startswith("00-") and error.title
    assert "campaignId" in str(error) and error.trace_id in str(error)
    assert not isinstance(error, errors.TransientError)


def test_not_found_is_permanent(sandbox):
    with pytest.raises(errors.TitanPermanentError) as refused:
        sandbox.client().get(BUSINESS_UNITS.replace("business-units", "business-units/123"))
    assert refused.value.status == 404 and refused.value.data == {"id": 123}


def test_server_errors_are_transient_and_writes_may_have_happened(sandbox):
    sandbox.faults(error_rate=1.0)
    client = sandbox.client()
    with pytest.raises(errors.TitanServerError) as read:
        client.get(BUSINESS_UNITS)
    assert read.value.status == 500 and isinstance(read.value, errors.TransientError)
    assert not read.value.outcome_unknown  # a read changes nothing
    with pytest.raises(errors.TitanServerError) as write:
        client.post(BOOKINGS, booking("five-hundred"))
    assert write.value.outcome_unknown


def test_rate_limit_answers_are_transient_with_retry_after(sandbox):
    sandbox.faults(rate_limit=1, burst=1)
    client = sandbox.client(rate_limit=1000)
    client.get(BUSINESS_UNITS, pageSize=1)
    with pytest.raises(errors.TitanRateLimited) as limited:
        client.get(BUSINESS_UNITS, pageSize=1)
    assert limited.value.status == 429
    assert limited.value.retry_after == 1.0  # from the Retry-After header
    assert isinstance(limited.value, errors.TransientError)


def test_a_timeout_after_sending_a_write_is_outcome_unknown(sandbox):
    sandbox.faults(timeout_rate=1.0, timeout_seconds=3)
    client = sandbox.client(timeout=0.5)
    with pytest.raises(errors.TitanTimeout) as read:
        client.get(BUSINESS_UNITS)
    assert not read.value.outcome_unknown
    with pytest.raises(errors.TitanTimeout) as write:
        client.post(BOOKINGS, booking("slow-write"))
    assert write.value.outcome_unknown and isinstance(write.value, errors.TransientError)
    assert client.last_exchange.outcome_unknown and client.last_exchange.status is None


def test_a_dropped_connection_after_the_write_is_outcome_unknown_and_the_record_exists(sandbox):
    sandbox.faults(drop_rate=1.0)
    client = sandbox.client()
    external_id = f"dropped-{uuid.uuid4().hex[:8]}"
    with pytest.raises(errors.TitanConnectionError) as dropped:
        client.post(BOOKINGS, booking(external_id))
    assert dropped.value.outcome_unknown
    sandbox.faults(drop_rate=0)
    # What a sender does next: look the externalId up instead of creating a second booking.
    found = client.get(BOOKINGS, externalId=external_id)["data"]
    assert [item["externalId"] for item in found] == [external_id]
    assert len(sandbox.records(kind="booking", externalId=external_id)) == 1


def test_a_refused_connection_is_transient_and_nothing_was_sent(sandbox):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    client = sandbox.client(credentials=sandbox.credentials(base_url=f"http://127.0.0.1:{closed_port}",
                                                            connection_key="closed"))
    with pytest.raises(errors.TitanConnectionError) as refused:
        client.post(BOOKINGS, booking("never-sent"))
    assert not refused.value.outcome_unknown and isinstance(refused.value, errors.TransientError)


def test_list_pages_follow_has_more_and_resume_from_a_page(sandbox):
    client = sandbox.client()
    pages = list(client.iter_pages(BUSINESS_UNITS, {"active": "Any"}, page_size=2))
    assert [page.page for page in pages] == [1, 2, 3]
    assert [page.has_more for page in pages] == [True, True, False]
    ids = [item["id"] for page in pages for item in page.items]
    assert len(ids) == len(set(ids)) == 5
    assert [item["id"] for item in client.iter_list(BUSINESS_UNITS, {"active": "Any"}, page_size=2)] == ids
    resumed = list(client.iter_pages(BUSINESS_UNITS, {"active": "Any"}, page_size=2, start_page=2))
    assert [item["id"] for page in resumed for item in page.items] == ids[2:]


def test_export_feed_resumes_from_a_stored_continuation_token(sandbox):
    client = sandbox.client()
    feed = "/settings/v2/tenant/{tenant}/export/business-units"
    everything = list(client.iter_export(feed))
    assert [chunk.has_more for chunk in everything] == [True, True, False]  # the sandbox serves 2 per response
    all_ids = [item["id"] for chunk in everything for item in chunk.items]
    assert len(all_ids) == 5

    first = next(iter(client.iter_export(feed)))  # a run that stopped after one response
    stored = first.continue_from
    rest = list(client.iter_export(feed, continue_from=stored))
    resumed_ids = [item["id"] for item in first.items] + [item["id"] for chunk in rest for item in chunk.items]
    assert resumed_ids == all_ids
    caught_up = list(client.iter_export(feed, continue_from=rest[-1].continue_from))
    assert [chunk.items for chunk in caught_up] == [[]] and not caught_up[0].has_more


def test_a_date_starts_an_export_feed_from_that_point(sandbox):
    feed = "/jpm/v2/tenant/{tenant}/export/jobs"
    client = sandbox.client()
    all_jobs = [job for chunk in client.iter_export(feed) for job in chunk.items]
    assert all_jobs
    later = sorted(job["modifiedOn"] for job in all_jobs)[len(all_jobs) // 2]
    since = [job for chunk in client.iter_export(feed, continue_from=later) for job in chunk.items]
    assert since and all(job["modifiedOn"] >= later for job in since) and len(since) < len(all_jobs)


def test_tenant_paths_and_secrets_stay_out_of_repr(sandbox):
    client = sandbox.client()
    assert client.tenant_path("crm", "bookings") == f"/crm/v2/tenant/{TENANT}/bookings"
    for text in (repr(client), repr(client.credentials), str(client.credentials)):
        assert not any(secret in text for secret in (APP_KEY, CLIENT_ID, CLIENT_SECRET))


def test_a_write_that_failed_while_fetching_its_token_is_not_outcome_unknown(sandbox):
    sandbox.faults(timeout_rate=1.0, timeout_seconds=3, token_faults=True)
    client = sandbox.client(timeout=0.5)
    with pytest.raises(errors.TitanTimeout) as timed_out:
        client.post(BOOKINGS, booking("token-never-came"))
    assert not timed_out.value.outcome_unknown  # the booking itself was never sent
    assert client.last_exchange.url == "/connect/token"
    sandbox.faults(timeout_rate=0)
    assert sandbox.records(kind="booking", externalId="token-never-came") == []


def test_a_query_written_into_the_path_is_kept(sandbox):
    """Stored lookup paths carry their query (`...bookings?externalId=...`): it must reach ServiceTitan."""
    client = sandbox.client()
    path = f"/crm/v2/tenant/{TENANT}/booking-provider/{PROVIDER}/bookings"
    for index in range(55):  # more than one default page of 50
        client.post(path, {"source": "Website", "name": f"Visitor {index}", "summary": "Query test",
                           "isFirstTimeClient": True, "externalId": f"query-test-{index:02d}"})
    found = client.request("GET", f"/crm/v2/tenant/{TENANT}/bookings?externalId=query-test-54")
    assert [row["externalId"] for row in found["data"]] == ["query-test-54"]
    both = client.request("GET", f"/crm/v2/tenant/{TENANT}/bookings?externalId=query-test-54", params={"pageSize": 1})
    assert len(both["data"]) == 1 and both["pageSize"] == 1
