"""Secrets at rest: AES-GCM with keys from PAGETOJOB_ENCRYPTION_KEYS (`id:base64key,...`, newest first).

Every ciphertext names the key that made it, so old secrets stay readable after a new key is put first.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

PREFIX = "v1"


class VaultError(Exception):
    """The server cannot encrypt or decrypt: no key, an unknown key id, or a damaged ciphertext."""


def _decode_key(key_id: str, text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded) if ("-" in text or "_" in text) else base64.b64decode(padded)
    except (binascii.Error, ValueError) as error:
        raise VaultError(f"Encryption key {key_id!r} is not base64.") from error
    if len(raw) not in (16, 24, 32):
        raise VaultError(f"Encryption key {key_id!r} must be 16, 24 or 32 bytes, not {len(raw)}.")
    return raw


def keys() -> list[tuple[str, bytes]]:
    """The configured keys, newest first."""
    found = []
    for entry in str(settings.ENCRYPTION_KEYS or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        key_id, sep, text = entry.partition(":")
        if not sep or not key_id or not text:
            raise VaultError("PAGETOJOB_ENCRYPTION_KEYS entries look like id:base64key, separated by commas.")
        found.append((key_id, _decode_key(key_id, text)))
    return found


def encrypt(text: str) -> str:
    configured = keys()
    if not configured:
        raise VaultError("The server has no encryption key: set PAGETOJOB_ENCRYPTION_KEYS.")
    key_id, key = configured[0]
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, text.encode(), key_id.encode())
    return f"{PREFIX}:{key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(stored: str) -> str:
    prefix, _, rest = stored.partition(":")
    key_id, _, payload = rest.partition(":")
    if prefix != PREFIX or not key_id or not payload:
        raise VaultError("This value was not written by the vault.")
    key = dict(keys()).get(key_id)
    if key is None:
        raise VaultError(f"Encryption key {key_id!r} is no longer configured: add it back to "
                         "PAGETOJOB_ENCRYPTION_KEYS (after the newest key) to read this secret.")
    try:
        raw = base64.urlsafe_b64decode(payload)
        return AESGCM(key).decrypt(raw[:12], raw[12:], key_id.encode()).decode()
    except (InvalidTag, binascii.Error, ValueError) as error:
        raise VaultError(f"A secret encrypted with key {key_id!r} cannot be decrypted: it is damaged or the "
                         "key changed.") from error
