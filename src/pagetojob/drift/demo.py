"""The drift monitor's part of the demo: replay months of reviews over the data as it was, then triage.

The demo loader calls DriftConfig.extend_demo with plain rows (pagetojob.demo.data.DriftHistory), so neither
app imports the other. Each earlier value is put back for the reviews that ran before it changed, which gives
the trend, the new / persisting / resolved diff and the history a real workspace would have.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pagetojob.accounts.models import Workspace
from pagetojob.drift import lifecycle, reviews, schedule
from pagetojob.drift.models import UNRESOLVED, DriftFinding, Trigger
from pagetojob.sites.models import Page
from pagetojob.taxonomy.models import Campaign, JobType, MembershipType, PricebookService, Zone

MODELS: dict[str, Any] = {"page": Page, "job_type": JobType, "campaign": Campaign, "zone": Zone,
                          "pricebook_service": PricebookService, "membership_type": MembershipType}


def _target(workspace: Workspace, model: str, name: str) -> Any:
    manager = MODELS[model]._default_manager.filter(workspace=workspace)
    return manager.get(path=name) if model == "page" else manager.get(name=name)


def review_times(workspace: Workspace, onboarded: datetime, now: datetime) -> list[tuple[str, str, datetime]]:
    """Onboarding, then the first of every month at 6 AM local time, then one on demand an hour ago."""
    zone = ZoneInfo(workspace.time_zone)
    times: list[tuple[str, str, datetime]] = [(Trigger.ONBOARDING, schedule.ONBOARDING, onboarded)]
    local = onboarded.astimezone(zone)
    month = (local.year, local.month)
    while True:
        month = (month[0] + (month[1] == 12), month[1] % 12 + 1)
        at = datetime.combine(datetime(month[0], month[1], 1).date(), time(6), tzinfo=zone)
        if at >= now - timedelta(hours=2):
            break
        times.append((Trigger.MONTHLY, schedule.period_of(workspace, at), at))
    times.append((Trigger.ON_DEMAND, "", now - timedelta(hours=1)))
    return times


def replay(workspace: Workspace, history: Any, actor: Any, now: datetime) -> None:
    if history is None:
        review = reviews.new_review(workspace, Trigger.ONBOARDING, period=schedule.ONBOARDING, at=now)
        reviews.run_now(review, at=now)
        return
    changes = [(row, _target(workspace, row.model, row.name)) for row in history.earlier]
    finals = [getattr(target, row.field) for row, target in changes]
    for trigger, period, at in review_times(workspace, now - timedelta(days=history.onboarded_days_ago), now):
        for (row, target), final in zip(changes, finals, strict=True):
            value = row.value if at < now - timedelta(days=row.changed_days_ago) else final
            if getattr(target, row.field) != value:
                setattr(target, row.field, value)
                target.save(update_fields=[row.field])
        review = reviews.new_review(workspace, trigger, actor=actor if trigger == Trigger.ON_DEMAND else None,
                                    period=period, at=at)
        reviews.run_now(review, at=at)
    unresolved = DriftFinding.objects.filter(workspace=workspace, status__in=UNRESOLVED)
    for rule, where, note in history.acknowledged:
        lifecycle.acknowledge(_finding(unresolved, rule, where), actor, note)
    today = reviews.local_date(workspace, now)
    for rule, where, days, reason in history.suppressed:
        lifecycle.suppress(_finding(unresolved, rule, where), actor, today + timedelta(days=days), reason)


def _finding(unresolved: Any, rule: str, where: str) -> DriftFinding:
    found = unresolved.filter(rule=rule).filter(page_path=where).first() or \
        unresolved.filter(rule=rule, object_name=where).first()
    if found is None:
        raise LookupError(f"The demo expects a {rule} finding on {where}; the demo data and the rules disagree.")
    return found
