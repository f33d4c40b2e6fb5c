"""One settings module, driven by environment variables only (see the README table)."""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DATA_DIR = Path(env("PAGETOJOB_DATA_DIR", "./.pagetojob")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("PAGETOJOB_DEBUG", False)
# Embedded mode: SQLite in the data directory, nothing to configure. Production mode sets DATABASE_URL.
EMBEDDED = not env("DATABASE_URL")


def _secret_key() -> str:
    configured = env("PAGETOJOB_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()


def _encryption_keys() -> str:
    """Keys for credentials at rest; in embedded mode a random key is kept in the data directory.

    Never derived from SECRET_KEY. Production (DATABASE_URL set) must configure its own keys.
    """
    configured = env("PAGETOJOB_ENCRYPTION_KEYS")
    if configured or not EMBEDDED:
        return configured
    key_file = DATA_DIR / "encryption_keys"
    if not key_file.exists():
        import base64

        key_file.write_text("k1:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


ENCRYPTION_KEYS = _encryption_keys()

ALLOWED_HOSTS = env_list("PAGETOJOB_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("PAGETOJOB_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "pagetojob.core",
    "pagetojob.accounts",
    "pagetojob.taxonomy",
    "pagetojob.titan",
    "pagetojob.sites",
    "pagetojob.webhooks",
    "pagetojob.readiness",
    "pagetojob.intake",
    "pagetojob.handoff",
    "pagetojob.drift",
    "pagetojob.dashboard",
    "pagetojob.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "pagetojob.urls"
WSGI_APPLICATION = "pagetojob.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pagetojob.accounts.context.workspace_nav",
            ],
        },
    },
]


def _database_from_url(url: str) -> dict:
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql", "postgresql+psycopg"}:
        raise RuntimeError(
            f"DATABASE_URL must be a PostgreSQL URL (postgresql://user@host:port/name), got scheme "
            f"{parsed.scheme!r}. Leave it unset to use SQLite in PAGETOJOB_DATA_DIR."
        )
    options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    # The coverage aggregates are cheap but look costly to the planner; JIT compiling them costs more than it saves.
    options.setdefault("options", "-c jit=off")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")) or "postgres",
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": int(env("PAGETOJOB_DB_CONN_MAX_AGE", "60")),
        "OPTIONS": options,
        "TEST": {"NAME": env("PAGETOJOB_TEST_DB_NAME") or None},
    }


if EMBEDDED:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "pagetojob.sqlite3",
            # Each web thread keeps its connection instead of opening one (and re-running the pragmas) per request.
            "CONN_MAX_AGE": int(env("PAGETOJOB_DB_CONN_MAX_AGE", "60")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 25,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
            # A file, not memory, so that worker processes started by tests share the test database.
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
        }
    }
else:
    DATABASES = {"default": _database_from_url(env("DATABASE_URL"))}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["pagetojob.accounts.backends.EmailBackend"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("PAGETOJOB_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not EMBEDDED and not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("PAGETOJOB_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("PAGETOJOB_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

EMAIL_HOST = env("PAGETOJOB_EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(env("PAGETOJOB_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("PAGETOJOB_EMAIL_USER")
    EMAIL_HOST_PASSWORD = env("PAGETOJOB_EMAIL_PASSWORD")
    EMAIL_USE_TLS = env_bool("PAGETOJOB_EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = env("PAGETOJOB_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env("PAGETOJOB_EMAIL_FILE_PATH", str(DATA_DIR / "outbox"))
DEFAULT_FROM_EMAIL = env("PAGETOJOB_EMAIL_FROM", "PageToJob <no-reply@pagetojob.local>")

PAGETOJOB_BASE_URL = env("PAGETOJOB_BASE_URL", "http://127.0.0.1:8000")
PAGETOJOB_MAX_UPLOAD_MB = int(env("PAGETOJOB_MAX_UPLOAD_MB", "50"))
# Sitemap fetching never reaches the server's own network unless this is set (local testing only).
PAGETOJOB_FETCH_PRIVATE_ADDRESSES = env_bool("PAGETOJOB_FETCH_PRIVATE_ADDRESSES", False)
# Public booking requests: new submissions per client address and per site in a fixed window (0 = no limit).
PAGETOJOB_INTAKE_IP_LIMIT = int(env("PAGETOJOB_INTAKE_IP_LIMIT", "20"))
PAGETOJOB_INTAKE_IP_WINDOW_SECONDS = int(env("PAGETOJOB_INTAKE_IP_WINDOW_SECONDS", "600"))
PAGETOJOB_INTAKE_SITE_LIMIT = int(env("PAGETOJOB_INTAKE_SITE_LIMIT", "600"))
PAGETOJOB_INTAKE_SITE_WINDOW_SECONDS = int(env("PAGETOJOB_INTAKE_SITE_WINDOW_SECONDS", "60"))
# Reverse proxies in front of the web server (addresses or networks): only from these is X-Forwarded-For
# believed when telling visitors apart for rate limits. Empty: the connecting address is the visitor's.
PAGETOJOB_TRUSTED_PROXIES = env_list("PAGETOJOB_TRUSTED_PROXIES")
for _proxy in PAGETOJOB_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise RuntimeError(f"PAGETOJOB_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network "
                           "(write them like 10.0.0.5 or 10.0.0.0/8, separated by commas).") from _error
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A worker heartbeat older than this means no worker is running.
WORKER_HEARTBEAT_STALE_SECONDS = int(env("PAGETOJOB_WORKER_STALE_SECONDS", "90"))
# ServiceTitan webhooks: the largest body accepted, and how long a worker may hold an event before another
# takes it over (processing one takes milliseconds, so a crashed worker's events wait only this long).
PAGETOJOB_WEBHOOK_MAX_BYTES = int(env("PAGETOJOB_WEBHOOK_MAX_BYTES", str(256 * 1024)))
PAGETOJOB_WEBHOOK_LEASE_SECONDS = int(env("PAGETOJOB_WEBHOOK_LEASE_SECONDS", "30"))


def _positive(name: str, default: str) -> float:
    raw = env(name, default)
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if value <= 0:
        raise RuntimeError(f"{name} must be a positive number, got {raw!r}.")
    return value


# ServiceTitan API: requests per second per tenant from this process (ServiceTitan allows about 60), and timeouts.
ST_RATE_LIMIT = _positive("PAGETOJOB_ST_RATE_LIMIT", "60")
ST_TIMEOUT_SECONDS = _positive("PAGETOJOB_ST_TIMEOUT", "100")
ST_CONNECT_TIMEOUT_SECONDS = _positive("PAGETOJOB_ST_CONNECT_TIMEOUT", "10")
# A local ServiceTitan sandbox (`pagetojob sandbox`); when set, the connection screen offers to connect to it.
SANDBOX_URL = env("PAGETOJOB_SANDBOX_URL").rstrip("/")
# First retry delay of a sync job after a temporary ServiceTitan failure; each later retry doubles it.
SYNC_RETRY_BASE_SECONDS = float(env("PAGETOJOB_SYNC_RETRY_BASE_SECONDS", "10"))
# How many temporary failures a sync job survives before it is marked failed for an operator.
SYNC_MAX_ATTEMPTS = int(env("PAGETOJOB_SYNC_MAX_ATTEMPTS", "8"))
# How long a worker owns a sync job it claimed; a crashed worker's jobs are claimable again after this.
SYNC_LEASE_SECONDS = int(env("PAGETOJOB_SYNC_LEASE_SECONDS", "120"))
ST_OPENAPI_DIR = env("PAGETOJOB_ST_OPENAPI_DIR", str(Path.cwd() / ".." / "shared" / "servicetitan-openapi"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("PAGETOJOB_LOG_LEVEL", "INFO")},
    # httpx would log every ServiceTitan call at INFO; the titan client logs its own summaries (secrets masked).
    "loggers": {"django.db.backends": {"level": "WARNING"}, "httpx": {"level": "WARNING"},
                "httpcore": {"level": "WARNING"}},
}
