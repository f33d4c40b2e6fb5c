from __future__ import annotations

from django import forms
from django.db.models import Q

from pagetojob.sites.models import Binding, BookingPath, CtaMode
from pagetojob.taxonomy.models import (
    BookingProvider,
    BusinessUnit,
    Campaign,
    JobType,
    MembershipType,
    PricebookService,
    Zone,
)


def _choices(model, workspace, current_ids) -> forms.ModelChoiceField:
    """Active objects, plus whatever is bound now (so an inactive binding shows, flagged, until replaced)."""
    return model._default_manager.filter(workspace=workspace).filter(Q(active=True) | Q(pk__in=current_ids))


class BindingForm(forms.Form):
    business_unit = forms.ModelChoiceField(queryset=BusinessUnit.objects.none(), required=False, label="Business unit")
    job_type = forms.ModelChoiceField(queryset=JobType.objects.none(), required=False, label="Job type",
                                      help_text="Only job types allowed in the chosen business unit are offered.")
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.none(), required=False, label="Campaign")
    zones = forms.ModelMultipleChoiceField(queryset=Zone.objects.none(), required=False, label="Zones",
                                           widget=forms.CheckboxSelectMultiple(attrs={"class": "checklist"}))
    pricebook_services = forms.ModelMultipleChoiceField(
        queryset=PricebookService.objects.none(), required=False, label="Pricebook services",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checklist"}))
    membership_type = forms.ModelChoiceField(queryset=MembershipType.objects.none(), required=False,
                                             label="Membership type")
    booking_provider = forms.ModelChoiceField(queryset=BookingProvider.objects.none(), required=False,
                                              label="Booking provider")
    booking_path = forms.ChoiceField(choices=BookingPath.choices, label="Booking path")
    scheduler_id = forms.CharField(required=False, label="Scheduling Pro scheduler id", max_length=80)
    cta_mode = forms.ChoiceField(choices=CtaMode.choices, label="CTA mode",
                                 help_text="“From capacity rules” lets business hours and after-hours rules decide.")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Notes")

    def __init__(self, *args, binding: Binding, **kwargs):
        super().__init__(*args, **kwargs)
        workspace = binding.workspace
        self.binding = binding
        self.fields["business_unit"].queryset = _choices(BusinessUnit, workspace, [binding.business_unit_id])
        chosen_unit = self.data.get("business_unit") if self.is_bound else binding.business_unit_id
        job_types = _choices(JobType, workspace, [binding.job_type_id])
        if chosen_unit and str(chosen_unit).isdigit():
            job_types = job_types.filter(Q(business_units=int(chosen_unit)) | Q(pk=binding.job_type_id)).distinct()
        self.fields["job_type"].queryset = job_types
        self.fields["campaign"].queryset = _choices(Campaign, workspace, [binding.campaign_id])
        self.fields["zones"].queryset = _choices(Zone, workspace, binding.zones.values_list("pk", flat=True))
        self.fields["pricebook_services"].queryset = _choices(
            PricebookService, workspace, binding.pricebook_services.values_list("pk", flat=True))
        self.fields["membership_type"].queryset = _choices(MembershipType, workspace, [binding.membership_type_id])
        self.fields["booking_provider"].queryset = _choices(BookingProvider, workspace, [binding.booking_provider_id])
        for name in ("business_unit", "job_type", "campaign", "membership_type", "booking_provider"):
            self.fields[name].empty_label = "— not bound —"
        self.fields["business_unit"].widget.attrs.update({
            "hx-get": "job-types/", "hx-target": "#id_job_type", "hx-swap": "innerHTML",
            "hx-include": "#id_job_type",
        })
