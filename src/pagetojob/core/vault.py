"""Encryption at rest for credentials: AES-256-GCM under keys from PAGETOJOB_ENCRYPTION_KEYS.

`PAGETOJOB_ENCRYPTION_KEYS` is `id:base64key[,id:base64key...]`, newest first. New secrets are always
encrypted under the first key; older keys stay listed only so existing ciphertexts can be read until
`pagetojob rotate-keys` has re-encrypted them. Every ciphertext names its key id, so a key can be retired
once nothing stored refers to it. Keys are never derived from SECRET_KEY.

Stored form: `p2j1:<key id>:<urlsafe base64 of 12-byte nonce + ciphertext + 16-byte tag>`.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db.models import Model

PREFIX = "p2j1"
NONCE_BYTES = 12
KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
HOW_TO_SET_KEYS = (
    "Set PAGETOJOB_ENCRYPTION_KEYS to `k1:<key>` where <key> is 32 random bytes in base64, for example the output of "
    "`python -c \"import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())\"`, then restart."
)


class VaultError(Exception):
    """Base class: something prevents encrypting or decrypting a stored secret."""


class NoKeysError(VaultError):
    def __init__(self) -> None:
        super().__init__("No encryption key is configured, so credentials cannot be stored or read. " + HOW_TO_SET_KEYS)


class KeyConfigError(VaultError):
    """PAGETOJOB_ENCRYPTION_KEYS is malformed; the message names the entry and what to fix."""


class UnknownKeyError(VaultError):
    def __init__(self, key_id: str) -> None:
        super().__init__(
            f"This secret was encrypted with key {key_id!r}, which is not in PAGETOJOB_ENCRYPTION_KEYS. Add that key "
            "back (after the newest one) to read it, or enter the credentials again."
        )
        self.key_id = key_id


class DecryptionError(VaultError):
    """The ciphertext is damaged or the key under its id is not the one it was encrypted with."""


@dataclass(frozen=True)
class Key:
    key_id: str
    aead: AESGCM


def _decode_key(key_id: str, text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    try:
        raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError) as error:
        raise KeyConfigError(
            f"PAGETOJOB_ENCRYPTION_KEYS: key {key_id!r} is not valid base64. " + HOW_TO_SET_KEYS
        ) from error
    if len(raw) != 32:
        raise KeyConfigError(
            f"PAGETOJOB_ENCRYPTION_KEYS: key {key_id!r} is {len(raw)} bytes; AES-256 needs exactly 32. "
            + HOW_TO_SET_KEYS
        )
    return raw


@lru_cache(maxsize=8)
def parse_keys(configured: str) -> tuple[Key, ...]:
    """Parse the setting into keys, newest first; raises KeyConfigError saying which entry is wrong."""
    keys: list[Key] = []
    for position, entry in enumerate((item.strip() for item in configured.split(",")), start=1):
        if not entry:
            continue
        key_id, separator, material = entry.partition(":")
        key_id = key_id.strip()
        if not separator or not material.strip():
            raise KeyConfigError(
                f"PAGETOJOB_ENCRYPTION_KEYS entry {position} has no key id: write it as `id:base64key` (e.g. `k2:...`)."
            )
        if not KEY_ID.match(key_id):
            raise KeyConfigError(
                f"PAGETOJOB_ENCRYPTION_KEYS entry {position}: key id {key_id!r} may use only letters, digits, '.', '_' "
                "and '-' (at most 32)."
            )
        if any(key.key_id == key_id for key in keys):
            raise KeyConfigError(f"PAGETOJOB_ENCRYPTION_KEYS lists key id {key_id!r} twice; each id must be unique.")
        keys.append(Key(key_id, AESGCM(_decode_key(key_id, material.strip()))))
    return tuple(keys)


def keys() -> tuple[Key, ...]:
    return parse_keys(settings.ENCRYPTION_KEYS or "")


def configured() -> bool:
    """True when at least one well-formed key is configured."""
    return not problem()


def problem() -> str:
    """Why secrets cannot be stored on this server (no or malformed PAGETOJOB_ENCRYPTION_KEYS), or ""."""
    try:
        current_key_id()
    except VaultError as error:
        return str(error)
    return ""


def current_key_id() -> str:
    """The id new secrets are encrypted under (the first key listed)."""
    available = keys()
    if not available:
        raise NoKeysError()
    return available[0].key_id


def encrypt(text: str) -> str:
    available = keys()
    if not available:
        raise NoKeysError()
    newest = available[0]
    nonce = os.urandom(NONCE_BYTES)
    # The key id is authenticated too, so a ciphertext cannot be relabelled to another key.
    sealed = newest.aead.encrypt(nonce, text.encode("utf-8"), newest.key_id.encode())
    return f"{PREFIX}:{newest.key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def key_id_of(stored: str) -> str:
    """The key id a stored secret names, without decrypting it."""
    return _split(stored)[1]


def _split(stored: str) -> tuple[str, str, str]:
    parts = stored.split(":", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        raise DecryptionError("This is not a PageToJob-encrypted secret (expected `p2j1:<key id>:<data>`).")
    return parts[0], parts[1], parts[2]


def decrypt(stored: str) -> str:
    _, key_id, payload = _split(stored)
    available = keys()
    if not available:
        raise NoKeysError()
    key = next((candidate for candidate in available if candidate.key_id == key_id), None)
    if key is None:
        raise UnknownKeyError(key_id)
    try:
        blob = base64.urlsafe_b64decode(payload)
    except (binascii.Error, ValueError) as error:
        raise DecryptionError(f"The secret encrypted with key {key_id!r} is damaged (not base64).") from error
    if len(blob) <= NONCE_BYTES:
        raise DecryptionError(f"The secret encrypted with key {key_id!r} is damaged (too short).")
    try:
        plain = key.aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], key_id.encode())
    except InvalidTag as error:
        raise DecryptionError(
            f"The secret encrypted with key {key_id!r} cannot be read with the key configured under that id: the key "
            "was changed or the stored value is damaged. Restore the original key or enter the credentials again."
        ) from error
    return plain.decode("utf-8")


def needs_rotation(stored: str) -> bool:
    """True when the secret is not encrypted under the newest key."""
    return key_id_of(stored) != current_key_id()


def rotate(stored: str) -> str:
    """Re-encrypt under the newest key; a secret already under it is returned unchanged."""
    if not needs_rotation(stored):
        return stored
    return encrypt(decrypt(stored))


@dataclass
class Rotation:
    """What `rotate_rows` did: stored secrets found per key id, re-encrypted, already current, and rows it could not
    read (each "label: reason"; such a row keeps its old ciphertexts)."""

    found: Counter[str] = field(default_factory=Counter)
    rotated: int = 0
    unchanged: int = 0
    failures: list[str] = field(default_factory=list)


def rotate_rows(model: type[Model], fields: tuple[str, ...], label: Callable[[Any], str]) -> Rotation:
    """Re-encrypt the secrets in `fields` of every row of `model` under the newest key, one locked row at a time."""
    from django.db import transaction

    result = Rotation()
    for pk in model._default_manager.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            row = model._default_manager.select_for_update().get(pk=pk)
            changed: list[str] = []
            try:
                for name in fields:
                    stored = getattr(row, name)
                    if not stored:
                        continue
                    result.found[key_id_of(stored)] += 1
                    fresh = rotate(stored)
                    if fresh == stored:
                        result.unchanged += 1
                    else:
                        setattr(row, name, fresh)
                        changed.append(name)
            except VaultError as error:
                result.failures.append(f"{label(row)}: {error}")
                continue  # this row keeps its old ciphertexts; the transaction writes nothing
            if changed:
                result.rotated += len(changed)
                row.save(update_fields=changed)
    return result
