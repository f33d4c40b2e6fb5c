"""Signature and timestamp checks on the raw body, before anything is parsed.

HMAC-SHA256 with a constant-time comparison. The header, the encoding (hex or base64) and an optional
timestamp header are per-workspace settings; during a key rotation both the current and the previous
key are tried.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from pagetojob.webhooks.models import RejectReason, SignatureEncoding, SignedContent


@dataclass(frozen=True)
class SigningRules:
    signature_header: str
    encoding: str
    timestamp_header: str
    signed_content: str
    tolerance_seconds: int
    secrets: tuple[tuple[str, str], ...]  # (label, secret), current key first
    problem: str = ""  # why a stored key could not be used, if one could not


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""  # a RejectReason when not ok
    message: str = ""
    key_label: str = ""
    signed_at: datetime | None = None


def signed_bytes(body: bytes, timestamp: str, signed_content: str) -> bytes:
    if signed_content == SignedContent.TIMESTAMP_DOT_BODY:
        return timestamp.encode() + b"." + body
    return body


def digest(secret: str, body: bytes, timestamp: str = "", signed_content: str = SignedContent.BODY) -> bytes:
    return hmac.new(secret.encode(), signed_bytes(body, timestamp, signed_content), hashlib.sha256).digest()


def encode(raw: bytes, encoding: str) -> str:
    return raw.hex() if encoding == SignatureEncoding.HEX else base64.b64encode(raw).decode()


def decode_signature(value: str, encoding: str) -> bytes | None:
    """The signature bytes a header carries, or None when it is not in the configured encoding.

    A `sha256=` prefix is tolerated; base64 may be standard or URL-safe, with or without padding.
    """
    text = value.strip()
    if text.lower().startswith("sha256="):
        text = text[7:]
    try:
        if encoding == SignatureEncoding.HEX:
            return bytes.fromhex(text)
        padded = text + "=" * (-len(text) % 4)
        alphabet = b"-_" if ("-" in text or "_" in text) else None
        return base64.b64decode(padded, altchars=alphabet, validate=True)
    except (ValueError, binascii.Error):
        return None


def parse_timestamp(value: str) -> datetime | None:
    """Unix seconds, unix milliseconds or ISO-8601; None when it is none of these."""
    text = value.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if number != number or abs(number) > 1e14:  # NaN or beyond any sensible date
        return None
    if number > 1e11:
        number /= 1000.0
    try:
        return datetime.fromtimestamp(number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), "")


def verify(rules: SigningRules, headers: Mapping[str, str], body: bytes, now: datetime) -> Verdict:
    if not rules.secrets:
        return Verdict(False, RejectReason.NOT_CONFIGURED,
                       rules.problem or "No webhook key is configured for this workspace.")
    timestamp = ""
    signed_at = None
    if rules.timestamp_header:
        timestamp = header(headers, rules.timestamp_header)
        signed_at = parse_timestamp(timestamp)
        if signed_at is None:
            return Verdict(False, RejectReason.STALE, f"The {rules.timestamp_header} header is missing or not a time.")
    presented = header(headers, rules.signature_header)
    if not presented:
        return Verdict(False, RejectReason.MISSING_SIGNATURE, f"The {rules.signature_header} header is missing.")
    decoded = [decode_signature(part, rules.encoding) for part in presented.split(",")[:4]]
    candidates = [candidate for candidate in decoded if candidate is not None]
    matched = ""
    for label, secret in rules.secrets:
        expected = digest(secret, body, timestamp, rules.signed_content)
        # Every candidate is compared in constant time; no early exit reveals which part matched.
        if any(hmac.compare_digest(expected, candidate) for candidate in candidates) and not matched:
            matched = label
    if not matched:
        return Verdict(False, RejectReason.INVALID_SIGNATURE,
                       f"The {rules.signature_header} signature does not match the body.")
    if signed_at is not None and abs((now - signed_at).total_seconds()) > rules.tolerance_seconds:
        return Verdict(False, RejectReason.STALE,
                       f"Signed at {signed_at:%Y-%m-%d %H:%M:%S} UTC, outside the {rules.tolerance_seconds} s window.")
    return Verdict(True, key_label=matched, signed_at=signed_at)
