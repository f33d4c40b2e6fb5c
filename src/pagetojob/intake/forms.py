"""The website form settings an admin edits: who is notified, which origins may embed, the consent wording."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from pagetojob.intake.form_views import origin_of
from pagetojob.intake.models import IntakeSettings


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]


class IntakeSettingsForm(forms.ModelForm):
    notification_emails = forms.CharField(
        label="Notification emails", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One address per line. Empty: the workspace's owners, admins and operators are emailed.")
    allowed_origins = forms.CharField(
        label="Allowed origins", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sites that may embed the form, one per line, like https://www.example.com. "
                  "The site's own address is always allowed.")

    class Meta:
        model = IntakeSettings
        fields = ["notification_emails", "allowed_origins", "consent_sms_text", "consent_email_text"]
        labels = {"consent_sms_text": "SMS consent text", "consent_email_text": "Email consent text"}
        widgets = {"consent_sms_text": forms.Textarea(attrs={"rows": 2}),
                   "consent_email_text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["notification_emails"] = "\n".join(self.instance.notification_emails)
            self.initial["allowed_origins"] = "\n".join(self.instance.allowed_origins)

    def clean_notification_emails(self) -> list[str]:
        emails = []
        for line in _lines(self.cleaned_data["notification_emails"]):
            try:
                validate_email(line)
            except ValidationError as error:
                raise ValidationError(f"“{line}” is not an email address; enter one address per line.") from error
            emails.append(line.lower())
        return list(dict.fromkeys(emails))

    def clean_allowed_origins(self) -> list[str]:
        origins = []
        for line in _lines(self.cleaned_data["allowed_origins"]):
            origin = origin_of(line)
            if not origin or line.rstrip("/").lower() != origin:
                raise ValidationError(f"“{line}” is not an origin; write scheme and host only, like "
                                      "https://www.example.com (no path).")
            origins.append(origin)
        return list(dict.fromkeys(origins))
