from __future__ import annotations

from django import forms


class AcknowledgeForm(forms.Form):
    note = forms.CharField(label="Note", max_length=500, required=False,
                           help_text="What is being done about it, or why it is fine for now.")


class SuppressForm(forms.Form):
    until = forms.DateField(label="Suppress until", required=False, input_formats=["%Y-%m-%d"],
                            widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="Reason", max_length=500, required=False)
