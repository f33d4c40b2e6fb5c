from __future__ import annotations

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.template import loader

from pagetojob.accounts import mail
from pagetojob.accounts.models import Role


class QueuedPasswordResetForm(PasswordResetForm):
    """Password reset mail goes through the worker's email queue like every other email."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        mail.enqueue("password_reset", to_email, subject, body)


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email", help_text="They get a link to join; it expires in 14 days.")
    role = forms.ChoiceField(label="Role", choices=Role.choices)

    def __init__(self, *args, allowed_roles: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed_roles is not None:
            self.fields["role"].choices = [(r, Role(r).label) for r in allowed_roles]
        self.fields["role"].initial = Role.MARKETER


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, min_length=10,
                                help_text="At least 10 characters.")
    password2 = forms.CharField(label="Repeat the password", widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ; type the same password twice.")
        return data
