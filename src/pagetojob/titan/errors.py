"""What went wrong talking to ServiceTitan, classified for the work queue.

Transient errors (429, 5xx, timeouts, connection errors) subclass the queue's TransientError so a sync job
retries with backoff; permanent ones (400/404/409/422...) subclass PermanentError and carry ServiceTitan's
parsed error body; 401/403 are TitanAuthError (also permanent: a person must fix credentials or scopes).
`outcome_unknown` marks failures after which a write may or may not have happened, so the sender looks its
externalId up before trying again.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from pagetojob.core.queue import PermanentError, TransientError

# Methods that change the tenant: only for these can an unanswered request have had an effect.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# ServiceTitan's 429 title reads like "... try again in 12 seconds".
TITLE_SECONDS = re.compile(r"(\d+(?:\.\d+)?)\s*seconds?\b", re.IGNORECASE)


class TitanError(Exception):
    """Common attributes of every ServiceTitan failure (mixed into the queue's error classes)."""

    status: int | None = None
    title: str = ""
    errors: dict[str, list[str]]
    trace_id: str = ""
    error_type: str = ""
    data: dict[str, Any]
    method: str = ""
    path: str = ""
    outcome_unknown: bool = False

    def _fill(self, *, status: int | None, title: str, errors: dict[str, list[str]] | None, trace_id: str,
              error_type: str, data: dict[str, Any] | None, method: str, path: str, outcome_unknown: bool) -> None:
        self.status = status
        self.title = title
        self.errors = errors or {}
        self.trace_id = trace_id
        self.error_type = error_type
        self.data = data or {}
        self.method = method
        self.path = path
        self.outcome_unknown = outcome_unknown


class TitanTransientError(TransientError, TitanError):
    """Worth retrying later: ServiceTitan was busy, failing or unreachable."""

    def __init__(self, message: str, *, retry_after: float | None = None, status: int | None = None,
                 title: str = "", errors: dict[str, list[str]] | None = None, trace_id: str = "",
                 error_type: str = "", data: dict[str, Any] | None = None, method: str = "", path: str = "",
                 outcome_unknown: bool = False) -> None:
        super().__init__(message, retry_after=retry_after)
        self._fill(status=status, title=title, errors=errors, trace_id=trace_id, error_type=error_type, data=data,
                   method=method, path=path, outcome_unknown=outcome_unknown)


class TitanRateLimited(TitanTransientError):
    """429: the tenant's request budget is spent; `retry_after` says for how long when ServiceTitan said so."""


class TitanServerError(TitanTransientError):
    """5xx from ServiceTitan."""


class TitanTimeout(TitanTransientError):
    """No answer in time. If the request had been sent, `outcome_unknown` is set for writes."""


class TitanConnectionError(TitanTransientError):
    """The connection failed or dropped. Set `outcome_unknown` when it dropped after the request was sent."""


class TitanPermanentError(PermanentError, TitanError):
    """ServiceTitan refused the request as it stands (validation, not found, conflict); retrying cannot help."""

    def __init__(self, message: str, *, status: int | None = None, title: str = "",
                 errors: dict[str, list[str]] | None = None, trace_id: str = "", error_type: str = "",
                 data: dict[str, Any] | None = None, method: str = "", path: str = "",
                 outcome_unknown: bool = False) -> None:
        super().__init__(message)
        self._fill(status=status, title=title, errors=errors, trace_id=trace_id, error_type=error_type, data=data,
                   method=method, path=path, outcome_unknown=outcome_unknown)


class TitanAuthError(TitanPermanentError):
    """401/403, or the token endpoint refused the client credentials: fix the connection or the app's scopes."""


class TitanResponseError(TitanPermanentError):
    """ServiceTitan answered 2xx with a body this client cannot read (not JSON, or not the documented shape)."""


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def retry_after_from_title(title: str) -> float | None:
    match = TITLE_SECONDS.search(title or "")
    return float(match.group(1)) if match else None


def error_body(payload: Any) -> dict[str, Any]:
    """The fields of ServiceTitan's ApiErrorResponse that are present and well-typed."""
    if not isinstance(payload, dict):
        return {}
    errors = payload.get("errors")
    clean_errors: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for field, messages in errors.items():
            if isinstance(messages, list):
                clean_errors[str(field)] = [str(message) for message in messages]
            elif messages is not None:
                clean_errors[str(field)] = [str(messages)]
    data = payload.get("data")
    status = payload.get("status")
    return {
        "title": str(payload.get("title") or ""),
        "error_type": str(payload.get("type") or ""),
        "trace_id": str(payload.get("traceId") or payload.get("traceid") or ""),
        "errors": clean_errors,
        "data": data if isinstance(data, dict) else {},
        "body_status": status if isinstance(status, int) else None,
    }


def describe(method: str, path: str, status: int, reason: str, body: dict[str, Any]) -> str:
    """One plain sentence for the operator: what was refused, why, and the trace id to quote to support."""
    text = f"ServiceTitan answered {status} {reason} to {method} {path}".rstrip()
    if body.get("title"):
        text += f": {body['title']}"
    field_errors = "; ".join(f"{field}: {' '.join(messages)}" if field else " ".join(messages)
                             for field, messages in body.get("errors", {}).items())
    if field_errors:
        text += f" ({field_errors})"
    if body.get("trace_id"):
        text += f" [trace {body['trace_id']}]"
    return text[:1000]


def for_status(method: str, path: str, status: int, reason: str, payload: Any,
               retry_after_header: str | None) -> TitanTransientError | TitanPermanentError:
    """The exception an HTTP error status becomes."""
    body = error_body(payload)
    message = describe(method, path, status, reason, body)
    common: dict[str, Any] = {
        "status": status, "title": body.get("title", ""), "errors": body.get("errors"),
        "trace_id": body.get("trace_id", ""), "error_type": body.get("error_type", ""), "data": body.get("data"),
        "method": method, "path": path,
    }
    if status == 429:
        retry_after = parse_retry_after(retry_after_header)
        if retry_after is None:
            retry_after = retry_after_from_title(body.get("title", ""))
        return TitanRateLimited(message, retry_after=retry_after, **common)
    if status >= 500:
        # A 5xx to a write may come after the write was committed (a gateway timing out behind it).
        return TitanServerError(message, retry_after=parse_retry_after(retry_after_header),
                                outcome_unknown=method in WRITE_METHODS, **common)
    if status in (408,):
        return TitanTimeout(message, outcome_unknown=method in WRITE_METHODS, **common)
    if status in (401, 403):
        hint = (" — the client id or secret is wrong or was revoked: reconnect ServiceTitan" if status == 401 else
                " — the app lacks a scope for this call or the tenant has not granted it")
        return TitanAuthError(message + hint, **common)
    return TitanPermanentError(message, **common)
