"""Scheduling Pro alignment: do the schedulers the pages send visitors to book what those pages sell, where?

Read-only and computed on demand from the recorded schedulers, the bindings and the taxonomy. Each
finding says what is wrong and what to change; none of them stops a visitor from booking, because a page
whose scheduler is off or unknown keeps the request form.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pagetojob.accounts.models import Workspace
from pagetojob.sites.models import Binding, BookingPath, Scheduler
from pagetojob.taxonomy.models import ZoneState

ERROR, WARNING, INFO = "error", "warning", "info"


@dataclass(frozen=True)
class Finding:
    severity: str
    message: str
    fix: str
    scheduler: Scheduler | None = None
    binding: Binding | None = None


@dataclass
class Alignment:
    owned: bool
    schedulers: list[Scheduler]
    pages_by_scheduler: dict[str, list[Binding]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {level: sum(1 for f in self.findings if f.severity == level) for level in (ERROR, WARNING, INFO)}

    @property
    def aligned(self) -> bool:
        return not any(f.severity in (ERROR, WARNING) for f in self.findings)


def _names(items) -> str:
    return ", ".join(sorted(item.name for item in items)) or "none"


def check(workspace: Workspace, owned: bool) -> Alignment:
    """Compare every Scheduling Pro page's job type and zones with what its scheduler offers."""
    schedulers = list(Scheduler.objects.filter(workspace=workspace).prefetch_related("job_types", "zones"))
    by_id = {scheduler.scheduler_id: scheduler for scheduler in schedulers}
    bindings = list(Binding.objects.filter(workspace=workspace, booking_path=BookingPath.SCHEDULING_PRO)
                    .select_related("page", "job_type").prefetch_related("zones").order_by("page__path"))
    result = Alignment(owned, schedulers)
    findings = result.findings

    if bindings and not owned:
        findings.append(Finding(
            ERROR, f"{len(bindings)} page(s) use Scheduling Pro, but the workspace has not recorded that the "
                   "contractor has Scheduling Pro. Those pages show the request form instead.",
            "Record the Scheduling Pro answer on Connection readiness, or change the pages' booking path."))

    for binding in bindings:
        page = binding.page.path
        scheduler = by_id.get(binding.scheduler_id)
        if scheduler is None:
            findings.append(Finding(
                ERROR, f"{page} sends visitors to scheduler “{binding.scheduler_id}”, which is not recorded here.",
                "Add the scheduler below with the job types and zones it books, or correct the scheduler id "
                "in the page's binding.", binding=binding))
            continue
        result.pages_by_scheduler.setdefault(scheduler.scheduler_id, []).append(binding)
        offered_types = {job_type.pk for job_type in scheduler.job_types.all()}
        if binding.job_type is not None and binding.job_type.pk not in offered_types:
            findings.append(Finding(
                ERROR, f"{page} sells {binding.job_type.name}, but {scheduler.name} books "
                       f"{_names(scheduler.job_types.all())}.",
                f"Add {binding.job_type.name} to the scheduler in Scheduling Pro, or point the page at a scheduler "
                "that books it.", scheduler, binding))
        offered_zones = {zone.pk for zone in scheduler.zones.all()}
        missing = [zone for zone in binding.zones.all() if zone.pk not in offered_zones]
        if missing:
            findings.append(Finding(
                WARNING, f"{page} serves {_names(missing)}, which {scheduler.name} does not book.",
                "Visitors there will find no times: add the zones to the scheduler, or remove them from the page.",
                scheduler, binding))

    for scheduler in schedulers:
        for job_type in scheduler.job_types.all():
            if not job_type.active:
                findings.append(Finding(
                    WARNING, f"{scheduler.name} still offers {job_type.name}, which is inactive in ServiceTitan.",
                    "Remove it from the scheduler in Scheduling Pro.", scheduler))
        for zone in scheduler.zones.all():
            if not zone.active or zone.state in (ZoneState.PAUSED, ZoneState.EXPANSION):
                state = "inactive" if not zone.active else zone.get_state_display()
                findings.append(Finding(
                    WARNING, f"{scheduler.name} books {zone.name}, which is {state}.",
                    "Remove the zone from the scheduler until the office books there again.", scheduler))
        if scheduler.scheduler_id not in result.pages_by_scheduler:
            findings.append(Finding(INFO, f"No page sends visitors to {scheduler.name}.",
                                    "Bind a page to it, or delete it here if it is retired.", scheduler))
    order = {ERROR: 0, WARNING: 1, INFO: 2}
    findings.sort(key=lambda finding: order[finding.severity])
    return result
