"""The Scheduling Pro screen: the schedulers the site uses, how to install them, and whether they line up."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from pagetojob.accounts import audit
from pagetojob.accounts.access import Can, can, workspace_view
from pagetojob.readiness.evaluate import flag_enabled, module_owned
from pagetojob.sites import scheduling
from pagetojob.sites.models import Scheduler
from pagetojob.taxonomy.models import JobType, Zone


class SchedulerForm(forms.ModelForm):
    class Meta:
        model = Scheduler
        fields = ["scheduler_id", "name", "job_types", "zones", "notes"]
        labels = {"job_types": "Job types it books", "zones": "Zones it books"}
        help_texts = {
            "scheduler_id": "As in Scheduling Pro and in the pages' bindings, e.g. dp-sched-ac-7f3k2.",
            "job_types": "Tick what the scheduler offers in Scheduling Pro.",
        }
        widgets = {"job_types": forms.CheckboxSelectMultiple(attrs={"class": "checklist"}),
                   "zones": forms.CheckboxSelectMultiple(attrs={"class": "checklist"}),
                   "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["job_types"].queryset = JobType.objects.filter(workspace=workspace).order_by("-active", "name")
        self.fields["zones"].queryset = Zone.objects.filter(workspace=workspace).order_by("name")
        self.fields["job_types"].label_from_instance = lambda o: o.name + ("" if o.active else " (inactive)")
        self.fields["zones"].label_from_instance = lambda o: f"{o.name} ({o.get_state_display()})"

    def clean_scheduler_id(self) -> str:
        value = self.cleaned_data["scheduler_id"].strip()
        taken = Scheduler.objects.filter(workspace=self.workspace, scheduler_id=value).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(f"Scheduler “{value}” is already recorded; edit it instead.")
        return value


@workspace_view(Can.VIEW)
def scheduling_pro(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    can_edit = can(request.membership, Can.EDIT_MAP)
    editing = None
    if request.GET.get("edit"):
        editing = get_object_or_404(Scheduler, workspace=workspace, pk=request.GET["edit"])
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(f"Your role ({request.membership.get_role_display()}) cannot change schedulers.")
        if request.POST.get("delete"):
            scheduler = get_object_or_404(Scheduler, workspace=workspace, pk=request.POST["delete"])
            audit.record(workspace, request.user, "scheduler.delete", f"Removed scheduler {scheduler}",
                         target=scheduler)
            scheduler.delete()
            messages.success(request, f"Removed {scheduler.name}.")
            return redirect("scheduling-pro", workspace.key)
        if request.POST.get("scheduler"):
            editing = get_object_or_404(Scheduler, workspace=workspace, pk=request.POST["scheduler"])
    form = SchedulerForm(request.POST or None, instance=editing or Scheduler(workspace=workspace),
                         workspace=workspace)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        verb = "Changed" if editing else "Recorded"
        audit.record(workspace, request.user, "scheduler.save", f"{verb} scheduler {saved}", target=saved,
                     details={"job_types": sorted(j.name for j in saved.job_types.all()),
                              "zones": sorted(z.name for z in saved.zones.all())})
        messages.success(request, f"{verb} {saved.name}.")
        return redirect("scheduling-pro", workspace.key)
    owned = module_owned(workspace, "scheduling_pro")
    alignment = scheduling.check(workspace, owned)
    site = workspace.sites.order_by("pk").first()
    return render(request, "intake/scheduling_pro.html", {
        "nav_section": "scheduling-pro", "alignment": alignment, "owned": owned, "form": form,
        "editing": editing, "can_edit": can_edit, "site": site,
        "embed_disabled": flag_enabled(workspace, "disable_scheduler_embed"),
        "schedulers": [(scheduler, alignment.pages_by_scheduler.get(scheduler.scheduler_id, []))
                       for scheduler in alignment.schedulers],
    })
