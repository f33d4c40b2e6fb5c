from __future__ import annotations

from django import forms

from pagetojob.webhooks.models import SignatureEncoding, SignedContent


class WebhookSettingsForm(forms.Form):
    signature_header = forms.CharField(
        label="Signature header", max_length=80,
        help_text="The request header carrying the HMAC-SHA256 signature. Community integrations see "
                  "X-ServiceTitan-Signature; ServiceTitan does not publish the name.")
    encoding = forms.ChoiceField(label="Signature encoding", choices=SignatureEncoding.choices,
                                 help_text="How the signature is written: hex digits or base64.")
    timestamp_header = forms.CharField(
        label="Timestamp header", max_length=80, required=False,
        help_text="Optional. When set, deliveries without it, or signed outside the window below, are refused.")
    signed_content = forms.ChoiceField(label="Signature covers", choices=SignedContent.choices)
    tolerance_seconds = forms.CharField(label="Replay window (seconds)", max_length=6,
                                        help_text="How old a signed timestamp may be; 300 (5 minutes) by default.")
    new_key = forms.CharField(
        label="New HMAC key", required=False, max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="32-64 characters, generated or entered in ServiceTitan's developer portal. Stored encrypted; "
                  "never shown again. Leave empty to keep the current key.")
    keep_previous = forms.BooleanField(
        label="Keep accepting the old key (rotation)", required=False, initial=True,
        help_text="During a rotation ServiceTitan may still sign with the old key; both are accepted until you "
                  "remove the old one.")
    drop_previous = forms.BooleanField(label="Stop accepting the previous key", required=False)
