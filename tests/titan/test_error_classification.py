"""How each ServiceTitan answer is classified, from status, headers and error body (plain values, no HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pagetojob.core.queue import PermanentError, TransientError
from pagetojob.titan import errors

ERROR_BODY = {"type": "https://tools.ietf.org/html/rfc7231#section-6.5.1", "title": "Validation failed",
              "status": 400, "traceId": "00-abc-01", "errors": {"summary": ["The summary field is required."]},
              "data": {"field": "summary"}}


@pytest.mark.parametrize("status, method, kind, transient, unknown", [
    (400, "POST", errors.TitanPermanentError, False, False),
    (404, "GET", errors.TitanPermanentError, False, False),
    (409, "POST", errors.TitanPermanentError, False, False),
    (422, "POST", errors.TitanPermanentError, False, False),
    (401, "GET", errors.TitanAuthError, False, False),
    (403, "POST", errors.TitanAuthError, False, False),
    (429, "POST", errors.TitanRateLimited, True, False),
    (500, "GET", errors.TitanServerError, True, False),
    (502, "POST", errors.TitanServerError, True, True),
    (504, "PATCH", errors.TitanServerError, True, True),
])
def test_status_classes(status, method, kind, transient, unknown):
    error = errors.for_status(method, "/crm/v2/tenant/1/leads", status, "Reason", dict(ERROR_BODY, status=status),
                              None)
    assert type(error) is kind
    assert isinstance(error, TransientError) is transient
    assert isinstance(error, PermanentError) is (not transient)
    assert error.outcome_unknown is unknown
    assert error.status == status and error.method == method


def test_the_error_body_becomes_attributes_and_a_plain_message():
    error = errors.for_status("POST", "/crm/v2/tenant/1/leads", 400, "Bad Request", ERROR_BODY, None)
    assert error.title == "Validation failed" and error.trace_id == "00-abc-01"
    assert error.errors == {"summary": ["The summary field is required."]}
    assert error.data == {"field": "summary"} and error.error_type.endswith("6.5.1")
    assert str(error) == ("ServiceTitan answered 400 Bad Request to POST /crm/v2/tenant/1/leads: Validation failed "
                          "(summary: The summary field is required.) [trace 00-abc-01]")


def test_a_body_that_is_not_servicetitans_still_gives_a_message():
    error = errors.for_status("GET", "/x", 404, "Not Found", "<html>gateway</html>", None)
    assert str(error) == "ServiceTitan answered 404 Not Found to GET /x" and error.errors == {}


def test_retry_after_seconds_and_http_date():
    now = datetime(2026, 11, 29, 12, 0, 0, tzinfo=UTC)
    assert errors.parse_retry_after("7") == 7.0
    assert errors.parse_retry_after("Sun, 29 Nov 2026 12:00:30 GMT", now=now) == 30.0
    assert errors.parse_retry_after("Sun, 29 Nov 2026 11:00:00 GMT", now=now) == 0.0  # already past
    assert errors.parse_retry_after("soon") is None
    assert errors.parse_retry_after(None) is None


def test_a_429_without_the_header_reads_the_seconds_from_the_title():
    body = dict(ERROR_BODY, status=429, title="Rate limit is exceeded. Try again in 12 seconds.")
    error = errors.for_status("GET", "/x", 429, "Too Many Requests", body, None)
    assert error.retry_after == 12.0
    with_header = errors.for_status("GET", "/x", 429, "Too Many Requests", body, "3")
    assert with_header.retry_after == 3.0  # the header wins
