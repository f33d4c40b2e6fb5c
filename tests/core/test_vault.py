"""Credentials at rest: AES-GCM under the newest configured key, readable under any listed key, rotatable."""

from __future__ import annotations

import base64
import os

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from pagetojob.core import vault


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


K1 = new_key()
K2 = new_key()


@pytest.fixture
def one_key(settings):
    settings.ENCRYPTION_KEYS = f"k1:{K1}"


def test_round_trip_and_key_id_recorded(one_key):
    stored = vault.encrypt("cs1.very-secret-value")
    assert stored.startswith("p2j1:k1:")
    assert "very-secret" not in stored
    assert vault.key_id_of(stored) == "k1"
    assert vault.decrypt(stored) == "cs1.very-secret-value"


def test_each_encryption_uses_a_fresh_nonce(one_key):
    assert vault.encrypt("same") != vault.encrypt("same")


@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # the key stays the same
@given(text=st.text(max_size=300))
def test_any_text_survives_a_round_trip(one_key, text):
    assert vault.decrypt(vault.encrypt(text)) == text


def test_standard_base64_keys_are_accepted_too(settings):
    settings.ENCRYPTION_KEYS = "k1:" + base64.b64encode(b"\xfb" * 32).decode()  # contains '+' and '/'
    assert vault.decrypt(vault.encrypt("x")) == "x"


def test_no_keys_says_how_to_set_them(settings):
    settings.ENCRYPTION_KEYS = ""
    assert not vault.configured()
    with pytest.raises(vault.NoKeysError, match="PAGETOJOB_ENCRYPTION_KEYS"):
        vault.encrypt("secret")


def test_decrypting_without_keys_is_refused(settings):
    settings.ENCRYPTION_KEYS = f"k1:{K1}"
    stored = vault.encrypt("secret")
    settings.ENCRYPTION_KEYS = ""
    with pytest.raises(vault.NoKeysError):
        vault.decrypt(stored)


def test_unknown_key_id_names_the_missing_key(settings):
    settings.ENCRYPTION_KEYS = f"old:{K1}"
    stored = vault.encrypt("secret")
    settings.ENCRYPTION_KEYS = f"k2:{K2}"
    with pytest.raises(vault.UnknownKeyError, match="'old'") as caught:
        vault.decrypt(stored)
    assert caught.value.key_id == "old"


def test_wrong_key_under_the_same_id_is_detected(settings):
    settings.ENCRYPTION_KEYS = f"k1:{K1}"
    stored = vault.encrypt("secret")
    settings.ENCRYPTION_KEYS = f"k1:{K2}"
    with pytest.raises(vault.DecryptionError, match="cannot be read"):
        vault.decrypt(stored)


def test_tampered_ciphertext_and_relabelled_key_id_are_rejected(settings):
    settings.ENCRYPTION_KEYS = f"k2:{K2},k1:{K1}"
    stored = vault.encrypt("secret")
    prefix, key_id, payload = stored.split(":")
    flipped = payload[:-4] + ("A" if payload[-4] != "A" else "B") + payload[-3:]
    with pytest.raises(vault.DecryptionError):
        vault.decrypt(f"{prefix}:{key_id}:{flipped}")
    settings.ENCRYPTION_KEYS = f"k2:{K1},k1:{K1}"
    with pytest.raises(vault.DecryptionError):
        vault.decrypt(f"{prefix}:k1:{payload}")  # same bytes, other label: the id is authenticated
    with pytest.raises(vault.DecryptionError, match="not a PageToJob-encrypted"):
        vault.decrypt("plain text")


@pytest.mark.parametrize("configured, message", [
    ("k1", "has no key id"),
    ("k1:", "has no key id"),
    ("bad id:" + K1, "may use only"),
    ("k1:not*base64", "not valid base64"),
    ("k1:" + base64.b64encode(b"short").decode(), "exactly 32"),
    (f"k1:{K1},k1:{K2}", "twice"),
])
def test_malformed_key_settings_say_what_to_fix(settings, configured, message):
    settings.ENCRYPTION_KEYS = configured
    with pytest.raises(vault.KeyConfigError, match=message):
        vault.encrypt("secret")
    assert not vault.configured()


def test_rotation_re_encrypts_under_the_newest_key(settings):
    settings.ENCRYPTION_KEYS = f"k1:{K1}"
    old = vault.encrypt("cs1.secret")
    assert not vault.needs_rotation(old)
    assert vault.rotate(old) == old

    settings.ENCRYPTION_KEYS = f"k2:{K2},k1:{K1}"  # newest first
    assert vault.current_key_id() == "k2"
    assert vault.needs_rotation(old)
    assert vault.decrypt(old) == "cs1.secret"  # still readable before rotation
    rotated = vault.rotate(old)
    assert vault.key_id_of(rotated) == "k2"
    assert not vault.needs_rotation(rotated)

    settings.ENCRYPTION_KEYS = f"k2:{K2}"  # the old key retired
    assert vault.decrypt(rotated) == "cs1.secret"
    with pytest.raises(vault.UnknownKeyError):
        vault.decrypt(old)
