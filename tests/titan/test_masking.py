"""Secrets are masked in every summary, whatever their case or depth."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pagetojob.titan import masking


def test_secret_members_are_masked_at_any_depth():
    body = {"Access_Token": "tok", "nested": [{"client_secret": "cs1.x", "keep": "visible"}],
            "client_id": "cid.abcdefgh1234", "ST-App-Key": "ak1.y", "name": "Pat"}
    assert masking.mask(body) == {"Access_Token": "••••", "nested": [{"client_secret": "••••", "keep": "visible"}],
                                  "client_id": "••••1234", "ST-App-Key": "••••", "name": "Pat"}
    assert body["Access_Token"] == "tok"  # a copy, the original is untouched


def test_headers_and_token_forms_are_masked():
    assert masking.mask_headers({"Authorization": "Bearer t", "st-app-key": "ak1.y", "Accept": "application/json"}) \
        == {"Authorization": "••••", "st-app-key": "••••", "Accept": "application/json"}
    form = masking.mask_form("grant_type=client_credentials&client_id=cid.abcdefgh1234&client_secret=cs1.zzz")
    assert form == "grant_type=client_credentials&client_id=••••1234&client_secret=••••"


def test_short_identifiers_show_nothing():
    assert masking.hint("cid.1234") == "••••"


@given(st.text(min_size=4, max_size=40).filter(lambda s: "•" not in s), st.text(max_size=80))
def test_scrub_removes_a_known_secret_from_any_text(secret, text):
    assert secret not in masking.scrub(text + secret + text, [secret])
