"""The sandbox's HTTP server: OAuth tokens, authentication, faults, ServiceTitan's routes and `/_sandbox/`.

`SandboxServer` runs a threaded HTTP/1.1 server with keep-alive in a background thread:

    with SandboxServer(config=SandboxConfig(seed="demo")) as server:
        token = post(server.url + "/connect/token", ...)

Faults (rate limit, 5xx, latency, timeouts, commit-then-drop) apply to ServiceTitan API calls only; the token
endpoint gets them when `token_faults` is on, and `/_sandbox/` never does.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from . import api
from .faults import Faults, FaultSettings
from .schemas import Validators, default_openapi_dir, load_validators
from .seeds import DEMO_CLIENT_ID, DEMO_TENANT_ID, SEED_NAMES
from .store import KINDS, Tenant

MAX_BODY_BYTES = 1_000_000
DEFAULT_EXPORT_PAGE_SIZE = 500


@dataclass(frozen=True)
class ClientCredentials:
    tenant_id: int
    client_id: str
    client_secret: str
    generated: bool = False  # the sandbox made the secret up (and so may print it)


@dataclass
class SandboxConfig:
    """Everything the sandbox starts with; `clients` empty means one client with a fresh secret per tenant."""

    seed: str = "demo"
    tenant_id: int = DEMO_TENANT_ID
    clients: list[ClientCredentials] = field(default_factory=list)
    app_key: str | None = None  # generated when not given
    token_ttl: int = 900
    faults: FaultSettings = field(default_factory=FaultSettings)
    openapi_dir: Path | str | None = None  # default: PAGETOJOB_ST_OPENAPI_DIR or ../shared/servicetitan-openapi
    export_page_size: int = DEFAULT_EXPORT_PAGE_SIZE
    # Added to the ids of records created through the API: a sandbox restarted over the same client database
    # (the demo) hands out ids it never gave before, as ServiceTitan would.
    id_offset: int = 0


@dataclass
class Token:
    tenant_id: int
    client_id: str
    expires_at: float


class Stats:
    """Request counts, overall and per tenant, for `/_sandbox/stats`."""

    NAMES = ("requests", "ok", "clientErrors", "authFailures", "rateLimited", "serverErrors", "timeouts", "drops")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.total: Counter[str] = Counter()
        self.tokens: Counter[str] = Counter()
        self.tenants: dict[int, Counter[str]] = {}

    def count(self, tenant_id: int | None, name: str) -> None:
        with self.lock:
            self.total[name] += 1
            if tenant_id is not None:
                self.tenants.setdefault(tenant_id, Counter())[name] += 1

    def token(self, name: str) -> None:
        with self.lock:
            self.tokens[name] += 1

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            def full(counter: Counter[str]) -> dict[str, int]:
                return {name: counter.get(name, 0) for name in self.NAMES}
            return {"total": full(self.total), "tokenRequests": dict(self.tokens),
                    "tenants": {str(t): full(c) for t, c in sorted(self.tenants.items())}}

    def clear(self) -> None:
        with self.lock:
            self.total.clear()
            self.tokens.clear()
            self.tenants.clear()


class Dropped(Exception):
    """The connection is closed without an answer (a timeout or commit-then-drop)."""


class SandboxState:
    """Tenants, credentials, tokens, faults and statistics shared by every request thread."""

    def __init__(self, config: SandboxConfig):
        self.config = config
        self.lock = threading.Lock()
        self.app_key = config.app_key or f"ak1.sandbox{secrets.token_hex(10)}"
        self.faults = Faults(config.faults)
        self.validators: Validators = load_validators(config.openapi_dir or default_openapi_dir())
        self.tenants: dict[int, Tenant] = {}
        self.clients: dict[str, ClientCredentials] = {}
        self.tokens: dict[str, Token] = {}
        self.stats = Stats()
        self.stopping = threading.Event()
        clients = config.clients or [ClientCredentials(config.tenant_id, DEMO_CLIENT_ID if config.seed == "demo"
                                                       else f"cid.sandbox.{config.tenant_id}",
                                                       secrets.token_urlsafe(24), generated=True)]
        for client in clients:
            if client.tenant_id not in self.tenants:
                self.tenants[client.tenant_id] = Tenant(client.tenant_id, config.seed, id_offset=config.id_offset)
            self.clients[client.client_id] = client

    def add_tenant(self, tenant_id: int | None, seed: str, client_id: str | None,
                   client_secret: str | None) -> ClientCredentials:
        if seed not in SEED_NAMES:
            raise ValueError(f"seed must be one of {', '.join(SEED_NAMES)}; it was {seed!r}.")
        with self.lock:
            if tenant_id is None:
                tenant_id = max(self.tenants, default=DEMO_TENANT_ID) + 1
            if tenant_id in self.tenants:
                raise KeyError(f"tenant {tenant_id} already exists")
            client_id = client_id or f"cid.sandbox.{tenant_id}"
            if client_id in self.clients:
                raise KeyError(f"client id {client_id} is already used by tenant {self.clients[client_id].tenant_id}")
            client = ClientCredentials(tenant_id, client_id, client_secret or secrets.token_urlsafe(24),
                                       generated=client_secret is None)
            self.tenants[tenant_id] = Tenant(tenant_id, seed, id_offset=self.config.id_offset)
            self.clients[client_id] = client
            return client

    def issue_token(self, client: ClientCredentials) -> tuple[str, int]:
        value = secrets.token_urlsafe(32)
        ttl = self.config.token_ttl
        with self.lock:
            now = time.monotonic()
            self.tokens = {k: t for k, t in self.tokens.items() if t.expires_at > now}  # forget expired ones
            self.tokens[value] = Token(client.tenant_id, client.client_id, now + ttl)
        return value, ttl

    def token_for(self, value: str) -> Token | None:
        with self.lock:
            token = self.tokens.get(value)
        return token if token and token.expires_at > time.monotonic() else None


def _json_bytes(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse connections
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart on a kept-alive connection
    server_version = "ServiceTitanSandbox/1"
    state: SandboxState  # set on the subclass the server makes

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # quiet: a client sending thousands of calls would drown the terminal

    # ------------------------------------------------------------------ wire
    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None,
              content_type: str = "application/json; charset=utf-8") -> None:
        payload = b"" if body is None else (body if isinstance(body, bytes) else _json_bytes(body))
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)

    def _drop(self) -> None:
        """Close the connection without a byte of answer."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _read_body(self) -> bytes:
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            return self._read_chunks()
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        size = int(length) if length.isdigit() else -1
        if size < 0 or size > MAX_BODY_BYTES:
            self.close_connection = True  # the unread body would be taken for the next request
            raise api.ApiError(400, f"The request body must be at most {MAX_BODY_BYTES} bytes, with a valid "
                                    "Content-Length.")
        return self.rfile.read(size)

    def _read_chunks(self) -> bytes:
        body = bytearray()
        while True:
            line = self.rfile.readline(100).split(b";")[0].strip()
            try:
                size = int(line, 16)
            except ValueError:
                self.close_connection = True
                raise api.ApiError(400, "The chunked request body is malformed.") from None
            if size == 0:
                while self.rfile.readline(1000).strip():  # trailers
                    pass
                return bytes(body)
            body += self.rfile.read(size)
            self.rfile.readline(10)
            if len(body) > MAX_BODY_BYTES:
                self.close_connection = True
                raise api.ApiError(400, f"The request body must be at most {MAX_BODY_BYTES} bytes.")

    def do_GET(self) -> None:  # noqa: N802 - the base class's naming
        self._dispatch()

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch()

    def do_PATCH(self) -> None:  # noqa: N802
        self._dispatch()

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch()

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch()

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        try:
            raw = self._read_body()
            if parts.path == "/connect/token":
                self._token(raw)
            elif parts.path.startswith("/_sandbox/") or parts.path == "/_sandbox":
                self._admin(parts.path, params, raw)
            else:
                self._api(parts.path, params, raw)
        except Dropped:
            self._drop()
        except api.ApiError as problem:
            self._send(problem.status, problem.body(), problem.headers)
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    # ------------------------------------------------------------------ faults
    def _hold_then_drop(self, tenant_id: int | None) -> None:
        self.state.stats.count(tenant_id, "timeouts")
        self.state.stopping.wait(self.state.faults.settings.timeout_seconds)
        raise Dropped

    def _server_error(self, tenant_id: int | None) -> None:
        self.state.stats.count(tenant_id, "serverErrors")
        raise api.ApiError(500, "An unexpected error occurred. Please try again later.",
                           data={"sandboxFault": "error"})

    # ------------------------------------------------------------------ /connect/token
    def _token(self, raw: bytes) -> None:
        state = self.state
        state.stats.token("requests")
        if self.command != "POST":
            raise api.ApiError(405, "Use POST for /connect/token.")
        fault = state.faults.draw() if state.faults.settings.token_faults else None
        if fault == "timeout":
            self._hold_then_drop(None)
        elif fault == "error":
            self._server_error(None)
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            self._oauth_error(400, "invalid_request", "Send the token request form-encoded "
                                                      "(Content-Type: application/x-www-form-urlencoded).")
            return
        form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        grant = form.get("grant_type", "")
        if grant != "client_credentials":
            self._oauth_error(400, "unsupported_grant_type", f"grant_type must be client_credentials; it was "
                                                             f"{grant!r}." if grant else "grant_type is missing.")
            return
        missing = [name for name in ("client_id", "client_secret") if not form.get(name)]
        if missing:
            self._oauth_error(400, "invalid_request", f"{' and '.join(missing)} missing from the form.")
            return
        client = state.clients.get(form["client_id"])
        if client is None or not secrets.compare_digest(client.client_secret, form["client_secret"]):
            self._oauth_error(401, "invalid_client", "Unknown client_id or wrong client_secret.")
            return
        value, ttl = state.issue_token(client)
        state.stats.token("issued")
        if fault == "drop":
            state.stats.token("dropped")
            raise Dropped
        self._send(200, {"access_token": value, "expires_in": ttl, "token_type": "Bearer", "scope": "api"},
                   {"Cache-Control": "no-store"})

    def _oauth_error(self, status: int, error: str, description: str) -> None:
        self.state.stats.token("rejected" if status == 401 else "invalid")
        self._send(status, {"error": error, "error_description": description})

    # ------------------------------------------------------------------ ServiceTitan API
    def _api(self, path: str, params: dict[str, str], raw: bytes) -> None:
        state = self.state
        segments = path.split("/", 3)  # "", module, "v2", "tenant/..."
        if len(segments) < 4 or segments[2] != "v2" or segments[1] not in api.MODULES:
            raise api.ApiError(404, f"No ServiceTitan endpoint at {path} in the sandbox: paths look like "
                                    "/<module>/v2/tenant/<tenant id>/<resource>.")
        module, rest = segments[1], "/" + segments[3]
        routes = api.find(module, rest)
        if not routes:
            raise api.ApiError(404, f"No {module} endpoint at {path} in the sandbox.")
        route = next((r for r in routes if r.method == self.command), None)
        if route is None:
            raise api.ApiError(405, f"{path} takes {', '.join(sorted({r.method for r in routes}))}, not "
                                    f"{self.command}.")
        path_args = api.path_arguments(route, rest)
        tenant_id = path_args["tenant"]
        try:
            self._authenticate(tenant_id)
        except api.ApiError:
            state.stats.count(tenant_id, "authFailures")
            raise
        tenant = state.tenants[tenant_id]
        stats = state.stats
        stats.count(tenant_id, "requests")
        wait = state.faults.retry_after(tenant_id)
        if wait is not None:
            stats.count(tenant_id, "rateLimited")
            raise api.ApiError(429, f"Rate limit is exceeded. Try again in {wait} seconds.",
                               data={"retryAfter": wait}, headers={"Retry-After": str(wait)})
        settings = state.faults.settings
        if settings.latency_ms:
            time.sleep(settings.latency_ms / 1000)
        fault = state.faults.draw()
        if fault == "timeout":
            self._hold_then_drop(tenant_id)
        if fault == "error":
            self._server_error(tenant_id)
        body: Any = None
        if self.command in ("POST", "PATCH", "PUT"):
            body = self._json_body(raw)
            errors = state.validators.check(module, route.template, self.command, body)
            if errors:
                stats.count(tenant_id, "clientErrors")
                raise api.validation_error(errors)
        call = api.Call(tenant, params, body, path_args, state.config.export_page_size)
        try:
            status, answer = api.run(route, call)
        except api.ApiError:
            stats.count(tenant_id, "clientErrors")
            raise
        if fault == "drop":
            stats.count(tenant_id, "drops")
            raise Dropped
        stats.count(tenant_id, "ok")
        self._send(status, answer)

    def _json_body(self, raw: bytes) -> Any:
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise api.ApiError(415, "Send the body as JSON (Content-Type: application/json).")
        try:
            return json.loads(raw or b"null")
        except ValueError as problem:
            raise api.validation_error({"body": [f"The body is not valid JSON: {problem}."]}) from None

    def _authenticate(self, tenant_id: int) -> None:
        """401 without a valid, unexpired bearer token; 403 for a wrong app key or another tenant's token."""
        header = self.headers.get("Authorization") or ""
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise api.ApiError(401, "Authorization is missing: send 'Authorization: Bearer <access token>' from "
                                    "POST /connect/token.", headers={"WWW-Authenticate": "Bearer"})
        token = self.state.token_for(value.strip())
        if token is None:
            raise api.ApiError(401, "The access token is unknown or has expired: fetch a new one from "
                                    "/connect/token.", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        app_key = self.headers.get("ST-App-Key")
        if not app_key:
            raise api.ApiError(403, "The ST-App-Key header is missing: send your application key with every call.")
        if not secrets.compare_digest(app_key, self.state.app_key):
            raise api.ApiError(403, "The ST-App-Key header does not name this application.")
        if token.tenant_id != tenant_id:
            raise api.ApiError(403, f"The access token was issued for tenant {token.tenant_id}, not tenant "
                                    f"{tenant_id}.")

    # ------------------------------------------------------------------ /_sandbox/
    def _admin(self, path: str, params: dict[str, str], raw: bytes) -> None:
        state = self.state
        body: Any = {}
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                raise api.ApiError(400, "The body must be JSON.") from None
            if not isinstance(body, dict):
                raise api.ApiError(400, "The body must be a JSON object.")
        parts = [p for p in path.split("/") if p][1:]
        route = (self.command, *parts[:1], *(["*"] if len(parts) > 1 else []), *parts[2:])
        if route == ("GET", "health"):
            self._send(200, {"ok": True, "validation": state.validators.enabled})
        elif route == ("GET", "tenants"):
            self._send(200, {"tenants": [self._tenant_summary(t) for t in sorted(state.tenants.values(),
                                                                                   key=lambda t: t.tenant_id)]})
        elif route == ("POST", "tenants"):
            self._create_tenant(body)
        elif route[:3] == ("GET", "tenants", "*") and len(route) == 4 and route[3] in ("records", "counts"):
            tenant = self._admin_tenant(parts[1])
            if route[3] == "counts":
                self._send(200, {"tenant": tenant.tenant_id, "counts": tenant.counts()})
            else:
                self._records(tenant, params)
        elif route == ("GET", "stats"):
            self._send(200, state.stats.snapshot())
        elif route == ("GET", "faults"):
            self._send(200, state.faults.settings.as_dict())
        elif route == ("POST", "faults"):
            try:
                self._send(200, state.faults.configure(body).as_dict())
            except ValueError as problem:
                raise api.ApiError(400, str(problem)) from None
        elif route == ("POST", "reset"):
            self._reset(body)
        else:
            raise api.ApiError(404, f"No sandbox endpoint {self.command} {path}: see /_sandbox/health, tenants, "
                                    "tenants/<id>/records, tenants/<id>/counts, stats, faults, reset.")

    def _admin_tenant(self, text: str) -> Tenant:
        tenant = self.state.tenants.get(int(text)) if text.isdigit() else None
        if tenant is None:
            raise api.ApiError(404, f"No tenant {text} in the sandbox.")
        return tenant

    def _tenant_summary(self, tenant: Tenant) -> dict[str, Any]:
        clients = [c.client_id for c in self.state.clients.values() if c.tenant_id == tenant.tenant_id]
        return {"tenant": tenant.tenant_id, "seed": tenant.seed, "clientIds": clients, "counts": tenant.counts()}

    def _create_tenant(self, body: dict[str, Any]) -> None:
        tenant_id = body.get("tenant")
        if tenant_id is not None and (isinstance(tenant_id, bool) or not isinstance(tenant_id, int) or tenant_id < 1):
            raise api.ApiError(400, "tenant must be a positive whole number (or left out to get the next free one).")
        for name in ("clientId", "clientSecret"):
            if body.get(name) is not None and (not isinstance(body[name], str) or not body[name].strip()):
                raise api.ApiError(400, f"{name} must be a non-empty string when given.")
        try:
            client = self.state.add_tenant(tenant_id, body.get("seed", self.state.config.seed), body.get("clientId"),
                                           body.get("clientSecret"))
        except ValueError as problem:
            raise api.ApiError(400, str(problem)) from None
        except KeyError as problem:
            raise api.ApiError(409, str(problem.args[0])) from None
        self._send(201, {"tenant": client.tenant_id, "clientId": client.client_id,
                         "clientSecret": client.client_secret, "appKey": self.state.app_key,
                         "seed": self.state.tenants[client.tenant_id].seed})

    def _records(self, tenant: Tenant, params: dict[str, str]) -> None:
        kind = params.get("kind")
        if kind is not None and kind not in KINDS:
            raise api.ApiError(400, f"kind must be one of {', '.join(KINDS)}; it was {kind!r}.")
        kinds = [kind] if kind else list(KINDS)
        found = []
        for name in kinds:
            if "externalId" in params:
                found.extend(tenant.by_external_id(name, params["externalId"]))
            else:
                found.extend(tenant.all(name))
        if params.get("id"):
            found = [r for r in found if str(r.id) == params["id"]]
        self._send(200, {"tenant": tenant.tenant_id, "kind": kind, "count": len(found),
                         "records": [r.summary() for r in found]})

    def _reset(self, body: dict[str, Any]) -> None:
        """Every tenant (or the one named) back to its seed; statistics, buckets and the random generator too."""
        state = self.state
        targets = list(state.tenants.values())
        if body.get("tenant") is not None:
            targets = [self._admin_tenant(str(body["tenant"]))]
        seed = body.get("seed")
        if seed is not None and seed not in SEED_NAMES:
            raise api.ApiError(400, f"seed must be one of {', '.join(SEED_NAMES)}; it was {seed!r}.")
        for tenant in targets:
            tenant.load(seed or tenant.seed)
        state.stats.clear()
        state.faults.reset()
        self._send(200, {"reset": [t.tenant_id for t in targets]})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class SandboxServer:
    """A ServiceTitan sandbox on `host:port` (port 0 picks a free one); `start()` runs it in a thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, config: SandboxConfig | None = None):
        self.config = config or SandboxConfig()
        self.state = SandboxState(self.config)
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        self.httpd = _Server((host, port), handler)
        bound_host, bound_port = self.httpd.server_address[:2]
        self.host: str = bound_host.decode() if isinstance(bound_host, bytes) else str(bound_host)
        self.port: int = int(bound_port)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.port}"

    @property
    def app_key(self) -> str:
        return self.state.app_key

    @property
    def clients(self) -> list[ClientCredentials]:
        return list(self.state.clients.values())

    def client_for(self, tenant_id: int) -> ClientCredentials:
        return next(c for c in self.state.clients.values() if c.tenant_id == tenant_id)

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="servicetitan-sandbox", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        self.state.stopping.set()  # held "timeout" requests let go at once
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


__all__ = ["ClientCredentials", "FaultSettings", "HTTPStatus", "SandboxConfig", "SandboxServer"]
