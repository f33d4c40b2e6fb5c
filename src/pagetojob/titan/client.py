"""The ServiceTitan API client: tokens, headers, rate limit, paging, export feeds and error classification.

One TitanClient speaks for one tenant connection. Every call carries `ST-App-Key` and a Bearer token, waits
for the tenant's token bucket, and either returns the parsed JSON or raises an error from `titan.errors`.
Each exchange (the token fetch included) is summarised with secrets masked, for attempt timelines.
"""

from __future__ import annotations

import json as jsonlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx
from django.conf import settings

from pagetojob.core import clock
from pagetojob.titan import errors, masking, ratelimit, tokens
from pagetojob.titan.errors import TitanAuthError, TitanConnectionError, TitanResponseError, TitanTimeout

log = logging.getLogger("pagetojob.titan")

ENVIRONMENTS: dict[str, tuple[str, str]] = {
    # environment: (API host, auth host) — servicetitan-api.md §1.1
    "integration": ("https://api-integration.servicetitan.io", "https://auth-integration.servicetitan.io"),
    "production": ("https://api.servicetitan.io", "https://auth.servicetitan.io"),
}
SANDBOX = "sandbox"
TOKEN_PATH = "/connect/token"
BODY_LIMIT = 10_000  # characters of a request/response body kept in an exchange summary
MAX_HOLD_OFF_SECONDS = 10.0
USER_AGENT = "PageToJob (ServiceTitan connector)"


@dataclass(frozen=True)
class Credentials:
    """Decrypted tenant credentials; lives only in memory for the length of a call and never prints its secrets."""

    environment: str
    tenant_id: int
    app_key: str = field(repr=False)
    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)
    base_url: str = ""  # the local sandbox only
    connection_key: str = ""  # which stored connection these came from (keys the token cache)

    def __post_init__(self) -> None:
        if self.environment == SANDBOX:
            if not self.base_url.startswith(("http://", "https://")):
                raise ValueError("A sandbox connection needs the sandbox's base URL (http://host:port).")
        elif self.environment not in ENVIRONMENTS:
            raise ValueError(f"Unknown ServiceTitan environment {self.environment!r}: use integration or production.")

    @property
    def api_base(self) -> str:
        return self.base_url.rstrip("/") if self.environment == SANDBOX else ENVIRONMENTS[self.environment][0]

    @property
    def token_url(self) -> str:
        auth = self.base_url.rstrip("/") if self.environment == SANDBOX else ENVIRONMENTS[self.environment][1]
        return auth + TOKEN_PATH

    @property
    def secrets(self) -> list[str]:
        return [self.app_key, self.client_id, self.client_secret]


@dataclass
class Exchange:
    """One HTTP attempt as an operator may see it: secrets masked, bodies truncated."""

    method: str
    url: str
    started_at: datetime
    status: int | None = None
    duration_ms: float = 0.0
    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: str = ""
    response_body: str = ""
    error: str = ""
    outcome_unknown: bool = False

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        return data


@dataclass(frozen=True)
class ListPage:
    page: int
    items: list[dict[str, Any]]
    has_more: bool
    total_count: int | None


@dataclass(frozen=True)
class ExportChunk:
    """One response of an export feed; store `continue_from` once its items are processed to resume there."""

    items: list[dict[str, Any]]
    continue_from: str
    has_more: bool


_pools: dict[tuple[int, str], httpx.Client] = {}
_pools_lock = threading.Lock()


def _pool(base: str) -> httpx.Client:
    """One keep-alive connection pool per host and process (a forked worker opens its own)."""
    key = (os.getpid(), base)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            pool = _pools[key] = httpx.Client(
                follow_redirects=False, headers={"User-Agent": USER_AGENT},
                limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
            )
        return pool


def _text(value: Any, secrets: list[str]) -> str:
    if value is None or value == "":
        return ""
    text = value if isinstance(value, str) else jsonlib.dumps(masking.mask(value), ensure_ascii=False, default=str)
    text = masking.scrub(text, secrets)
    return text if len(text) <= BODY_LIMIT else text[:BODY_LIMIT] + f"… ({len(text) - BODY_LIMIT} more characters)"


def _parse(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


class TitanClient:
    def __init__(self, credentials: Credentials, *, timeout: float | None = None,
                 connect_timeout: float | None = None, rate_limit: float | None = None,
                 on_exchange: Callable[[Exchange], None] | None = None) -> None:
        self.credentials = credentials
        self.timeout = httpx.Timeout(
            float(timeout if timeout is not None else settings.ST_TIMEOUT_SECONDS),
            connect=float(connect_timeout if connect_timeout is not None else settings.ST_CONNECT_TIMEOUT_SECONDS),
        )
        rate = float(rate_limit if rate_limit is not None else settings.ST_RATE_LIMIT)
        self.bucket = ratelimit.bucket_for(f"{credentials.api_base}|{credentials.tenant_id}", rate)
        self.on_exchange = on_exchange
        self.last_exchange: Exchange | None = None
        self.last_token: tokens.Token | None = None

    def __repr__(self) -> str:
        return f"<TitanClient {self.credentials.environment} tenant {self.credentials.tenant_id}>"

    # -- paths ---------------------------------------------------------------------------------------------
    def tenant_path(self, module: str, resource: str) -> str:
        """`/<module>/v2/tenant/<tenant>/<resource>`, e.g. tenant_path("crm", "bookings")."""
        return f"/{module.strip('/')}/v2/tenant/{self.credentials.tenant_id}/{resource.lstrip('/')}"

    def _url(self, path: str) -> str:
        if not path.startswith("/"):
            raise ValueError(f"API paths start with '/': {path!r}")
        return self.credentials.api_base + path.replace("{tenant}", str(self.credentials.tenant_id))

    # -- exchanges -----------------------------------------------------------------------------------------
    def _report(self, exchange: Exchange) -> None:
        self.last_exchange = exchange
        if exchange.error:
            log.warning("ServiceTitan %s %s failed after %.0f ms: %s", exchange.method, exchange.url,
                        exchange.duration_ms, exchange.error)
        else:
            log.debug("ServiceTitan %s %s -> %s in %.0f ms", exchange.method, exchange.url, exchange.status,
                      exchange.duration_ms)
        if self.on_exchange is not None:
            self.on_exchange(exchange)

    def _send(self, method: str, url: str, *, display: str, headers: dict[str, str], request_body: str,
              changes_tenant: bool, **send: Any) -> tuple[httpx.Response, Any]:
        """Send once and parse the answer once; transport failures become classified errors. The exchange is
        reported either way.

        `changes_tenant` says whether an unanswered request may have changed the tenant (never for a token fetch).
        """
        exchange = Exchange(method, display, clock.now(), request_headers=masking.mask_headers(headers),
                            request_body=request_body)
        started = time.monotonic()
        try:
            response = _pool(self.credentials.api_base).request(method, url, headers=headers, timeout=self.timeout,
                                                                 **send)
        except httpx.TimeoutException as error:
            sent = not isinstance(error, httpx.ConnectTimeout | httpx.PoolTimeout)
            failure: Exception = TitanTimeout(
                f"ServiceTitan did not answer {method} {display} within the time limit"
                + (" (the request was sent: it may have been carried out)" if sent and changes_tenant else ""),
                method=method, path=display, outcome_unknown=sent and changes_tenant)
            raise self._failed(exchange, started, failure) from error
        except httpx.ConnectError as error:
            failure = TitanConnectionError(f"Could not connect to ServiceTitan for {method} {display}: {error}",
                                           method=method, path=display)
            raise self._failed(exchange, started, failure) from error
        except httpx.TransportError as error:
            failure = TitanConnectionError(
                f"The connection to ServiceTitan dropped during {method} {display} before an answer"
                + (" (the request may have been carried out)" if changes_tenant else "") + f": {error}",
                method=method, path=display, outcome_unknown=changes_tenant)
            raise self._failed(exchange, started, failure) from error
        exchange.status = response.status_code
        exchange.duration_ms = (time.monotonic() - started) * 1000
        payload = _parse(response)
        exchange.response_body = _text(payload, self.credentials.secrets)
        self._report(exchange)
        return response, payload

    def _failed(self, exchange: Exchange, started: float, failure: Exception) -> Exception:
        exchange.duration_ms = (time.monotonic() - started) * 1000
        exchange.error = str(failure)
        exchange.outcome_unknown = bool(getattr(failure, "outcome_unknown", False))
        self._report(exchange)
        return failure

    # -- tokens --------------------------------------------------------------------------------------------
    def _token_key(self) -> tuple[str, str, str]:
        return (self.credentials.connection_key, self.credentials.client_id, self.credentials.token_url)

    def token(self, *, fresh: bool = False) -> tokens.Token:
        """A valid access token: the cached one unless it is near expiry (or `fresh` is asked for)."""
        key = self._token_key()
        if not fresh and (cached := tokens.cache.get(key)) is not None:
            self.last_token = cached
            return cached
        with tokens.cache.lock_for(key):
            if not fresh and (cached := tokens.cache.get(key)) is not None:
                self.last_token = cached  # another thread fetched it while this one waited
                return cached
            token = self._fetch_token()
            tokens.cache.put(key, token)
            self.last_token = token
            return token

    def _fetch_token(self) -> tokens.Token:
        creds = self.credentials
        form = {"grant_type": "client_credentials", "client_id": creds.client_id, "client_secret": creds.client_secret}
        display = TOKEN_PATH
        response, payload = self._send("POST", creds.token_url, display=display,
                                       headers={"Content-Type": "application/x-www-form-urlencoded"},
                                       request_body=masking.mask_form(str(httpx.QueryParams(form))),
                                       changes_tenant=False, data=form)
        if response.status_code in (400, 401, 403):
            reason = payload.get("error", "") if isinstance(payload, dict) else ""
            raise TitanAuthError(
                f"ServiceTitan refused the client id and secret ({response.status_code}"
                + (f" {reason}" if reason else "") + "): check them, the environment, and that the tenant has "
                "not revoked the app, then connect again.", status=response.status_code, method="POST", path=display)
        if response.status_code >= 300:
            raise errors.for_status("POST", display, response.status_code, response.reason_phrase, payload,
                                    response.headers.get("Retry-After"))
        if not isinstance(payload, dict) or not isinstance(payload.get("access_token"), str):
            raise TitanResponseError("ServiceTitan's token answer has no access_token.", status=response.status_code,
                                     method="POST", path=display)
        try:
            expires_in = float(payload.get("expires_in") or tokens.DEFAULT_LIFETIME_SECONDS)
        except (TypeError, ValueError):
            expires_in = float(tokens.DEFAULT_LIFETIME_SECONDS)
        return tokens.Token(payload["access_token"], expires_in, time.monotonic(),
                            tokens.scopes_from(payload, payload["access_token"]))

    # -- calls ---------------------------------------------------------------------------------------------
    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                json: Any = None) -> Any:
        """One API call; returns the parsed JSON body (None when empty). Raises a TitanError subclass."""
        method = method.upper()
        # A query written into the path (a stored lookup path) joins the params: httpx would otherwise replace it.
        path, _, query = path.partition("?")
        merged = dict(parse_qsl(query, keep_blank_values=True))
        merged.update(params or {})
        url = self._url(path)
        clean_params = {name: value for name, value in merged.items() if value is not None}
        display = str(httpx.URL(path.replace("{tenant}", str(self.credentials.tenant_id)), params=clean_params))
        body_text = _text(json, self.credentials.secrets)
        for attempt in (1, 2):
            token = self.token()
            headers = {"Authorization": f"Bearer {token.value}", "ST-App-Key": self.credentials.app_key,
                       "Accept": "application/json"}
            send: dict[str, Any] = {"params": clean_params}
            if json is not None:
                send["json"] = json
                headers["Content-Type"] = "application/json"
            self.bucket.acquire()
            response, payload = self._send(method, url, display=display, headers=headers, request_body=body_text,
                                           changes_tenant=method in errors.WRITE_METHODS, **send)
            if response.status_code == 401 and attempt == 1:
                # A revoked or early-expired token: fetch a new one once; a 401 means nothing was carried out.
                tokens.cache.drop(self._token_key(), token)
                continue
            break
        if response.status_code >= 300:
            failure = errors.for_status(method, display, response.status_code, response.reason_phrase, payload,
                                        response.headers.get("Retry-After"))
            if isinstance(failure, errors.TitanRateLimited) and failure.retry_after:
                self.bucket.hold_off(min(failure.retry_after, MAX_HOLD_OFF_SECONDS))
            raise failure
        return payload

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any) -> Any:
        return self.request("POST", path, json=body)

    # -- iterators -----------------------------------------------------------------------------------------
    def iter_pages(self, path: str, params: dict[str, Any] | None = None, *, page_size: int = 500,
                   start_page: int = 1) -> Iterator[ListPage]:
        """Every page of a list endpoint (`page`/`pageSize`/`hasMore`), from `start_page` to resume a stopped run."""
        page = start_page
        while True:
            payload = self.request("GET", path, params={**(params or {}), "page": page, "pageSize": page_size})
            if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
                raise TitanResponseError(f"GET {path} page {page} is not a ServiceTitan list (no data array).",
                                         method="GET", path=path)
            has_more = bool(payload.get("hasMore"))
            total = payload.get("totalCount")
            yield ListPage(page, payload["data"], has_more, total if isinstance(total, int) else None)
            if not has_more or not payload["data"]:
                return
            page += 1

    def iter_list(self, path: str, params: dict[str, Any] | None = None, *, page_size: int = 500
                  ) -> Iterator[dict[str, Any]]:
        for listed in self.iter_pages(path, params, page_size=page_size):
            yield from listed.items

    def iter_export(self, path: str, params: dict[str, Any] | None = None, *, continue_from: str | None = None
                    ) -> Iterator[ExportChunk]:
        """An export feed from the start, a date, or a stored continuation token, until it is caught up."""
        token = continue_from
        while True:
            query = dict(params or {})
            if token:
                query["from"] = token
            payload = self.request("GET", path, params=query)
            if (not isinstance(payload, dict) or not isinstance(payload.get("data"), list)
                    or not isinstance(payload.get("continueFrom"), str)):
                raise TitanResponseError(f"GET {path} is not a ServiceTitan export feed (data and continueFrom).",
                                         method="GET", path=path)
            has_more = bool(payload.get("hasMore"))
            yield ExportChunk(payload["data"], payload["continueFrom"], has_more)
            if not has_more or (payload["continueFrom"] == token and not payload["data"]):
                return
            token = payload["continueFrom"]
