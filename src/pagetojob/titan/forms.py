"""The connection form. Secret fields never render a value back into the page, even after an error."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from pagetojob.titan.connection import validate
from pagetojob.titan.models import Environment


class UnechoedTextInput(forms.TextInput):
    """A visible text box whose value is never written back into the HTML."""

    def format_value(self, value: Any) -> None:
        return None


def environment_choices() -> list[tuple[str, str]]:
    choices = [(Environment.INTEGRATION.value, "Integration (ServiceTitan's test environment)"),
               (Environment.PRODUCTION.value, "Production (the contractor's live tenant)")]
    if settings.SANDBOX_URL:
        choices.append((Environment.SANDBOX.value, f"Local sandbox at {settings.SANDBOX_URL}"))
    return choices


class ConnectionForm(forms.Form):
    """Field checks live in `connection.validate` (shared with programmatic connects), so every message says what
    to do; the fields themselves only carry labels, help and widgets."""

    environment = forms.ChoiceField(widget=forms.RadioSelect, choices=environment_choices)
    tenant_id = forms.CharField(
        label="Tenant id", max_length=40, required=False,
        help_text="The tenant's number, shown with the client id and secret in ServiceTitan (Settings › "
                  "Integrations › API Application Access).",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false",
                                      "required": True}))
    app_key = forms.CharField(
        label="App key", max_length=600, strip=False, required=False,
        help_text="The application key (ak1.…) from the ServiceTitan developer portal.",
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false", "required": True}))
    client_id = forms.CharField(
        label="Client id", max_length=600, strip=False, required=False,
        help_text="cid.… — stored encrypted like the secret.",
        widget=UnechoedTextInput(attrs={"autocomplete": "off", "spellcheck": "false", "required": True}))
    client_secret = forms.CharField(
        label="Client secret", max_length=600, strip=False, required=False,
        help_text="cs1.… — generated in ServiceTitan for this tenant; paste it exactly.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "spellcheck": "false", "required": True}))
    test_now = forms.BooleanField(
        label="Test now", required=False, initial=True,
        help_text="Fetch a token and read one business unit right after saving. Leave it off to store credentials "
                  "before the tenant has authorized the app.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        environment = data.get("environment", "")
        base_url = settings.SANDBOX_URL if environment == Environment.SANDBOX else ""
        cleaned, errors = validate(environment, data.get("tenant_id", ""), data.get("app_key", ""),
                                   data.get("client_id", ""), data.get("client_secret", ""), base_url)
        for name, message in errors.items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
            elif name not in self.fields:
                self.add_error(None, message)
        return {**data, **cleaned}
