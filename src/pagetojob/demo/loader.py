"""Loads the demo workspaces from `pagetojob.demo.data` through the ORM, in one transaction."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models, transaction

from pagetojob.accounts.models import AuditEntry, Membership, Workspace
from pagetojob.core import clock
from pagetojob.demo import data
from pagetojob.readiness.models import ModuleAnswer, ModuleOwnership
from pagetojob.sites.models import Binding, BindingStatus, CapacityRule, Page, Scheduler, Site
from pagetojob.taxonomy.models import (
    BookingProvider,
    BusinessUnit,
    Campaign,
    JobType,
    MembershipType,
    PricebookService,
    RecurringServiceType,
    Source,
    Zone,
)

COUNTED = (
    ("business_units", BusinessUnit),
    ("job_types", JobType),
    ("campaigns", Campaign),
    ("zones", Zone),
    ("pricebook_services", PricebookService),
    ("membership_types", MembershipType),
    ("recurring_service_types", RecurringServiceType),
    ("booking_providers", BookingProvider),
)


class DemoKeyTaken(RuntimeError):
    """A workspace that is not a demo already uses a demo workspace key."""


def load_demo(reset: bool = False) -> dict[str, Any]:
    """Create the demo workspaces, users, taxonomy, site, pages, bindings and capacity rules.

    Loads nothing when the primary demo workspace already exists, unless `reset` deletes both demo
    workspaces and the demo users first.
    """
    with transaction.atomic():
        if Workspace.objects.filter(key=data.PRIMARY_WORKSPACE_KEY).exists() and not reset:
            return _summary(created=False)
        _delete_demo(include_users=reset)
        now = clock.now()
        users = _load_users()
        for workspace_data in data.WORKSPACES:
            _load_workspace(workspace_data, users, now)
    _load_sample_requests()
    return _summary(created=True)


def _load_sample_requests() -> None:
    """A few website requests, stored the way a visitor's are (office email and handoff draft included)."""
    from pagetojob.intake import submissions

    site = Site.objects.get(workspace__key=data.PRIMARY_WORKSPACE_KEY, key=data.PRIMARY_WORKSPACE_KEY)
    for payload in data.SAMPLE_REQUESTS:
        submissions.submit(site, payload)


def demo_workspace_keys() -> list[str]:
    return [workspace_data.key for workspace_data in data.WORKSPACES]


def _delete_demo(*, include_users: bool) -> None:
    for workspace in Workspace.objects.filter(key__in=demo_workspace_keys()):
        if not workspace.is_demo:
            raise DemoKeyTaken(f"workspace key {workspace.key!r} belongs to a workspace that is not a demo")
        Binding.objects.filter(workspace=workspace).delete()
        CapacityRule.objects.filter(workspace=workspace).delete()
        workspace.delete()
    if include_users:
        emails = [row.email for row in data.USERS]
        get_user_model()._default_manager.filter(email__in=emails).delete()


def _load_users() -> dict[str, Any]:
    user_model = get_user_model()
    users = {}
    for row in data.USERS:
        user = user_model._default_manager.filter(email__iexact=row.email).order_by("pk").first()
        if user is None:
            user = user_model(username=row.email, email=row.email)
        user.first_name = row.first_name
        user.last_name = row.last_name
        user.is_active = True
        user.set_password(data.DEMO_PASSWORD)
        user.save()
        users[row.email] = user
    return users


def _json_safe(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    return value


def _raw(row: Any) -> dict[str, Any]:
    return _json_safe(dataclasses.asdict(row))


def _taxonomy(
    workspace: Workspace, model: type[models.Model], row: Any, seen_at: datetime, **fields: Any
) -> Any:
    return model._default_manager.create(
        workspace=workspace,
        st_id=row.st_id,
        name=row.name,
        active=row.active,
        source=Source.DEMO,
        raw=_raw(row),
        last_seen_at=seen_at,
        **fields,
    )


def _load_workspace(wd: data.WorkspaceData, users: dict[str, Any], now: datetime) -> Workspace:
    workspace = Workspace.objects.create(
        key=wd.key, name=wd.name, trade=wd.trade, phone=wd.phone, time_zone=wd.time_zone, is_demo=True
    )
    for user_row in data.USERS:
        for key, role in user_row.roles:
            if key == wd.key:
                Membership.objects.update_or_create(user=users[user_row.email], workspace=workspace,
                                                    defaults={"role": role})
    seen = now - timedelta(hours=6)

    units = {unit.name: _taxonomy(workspace, BusinessUnit, unit, seen, trade=unit.trade)
             for unit in wd.business_units}
    job_types = {}
    for job_row in wd.job_types:
        job_type = _taxonomy(workspace, JobType, job_row, seen, priority=job_row.priority,
                             duration_minutes=job_row.duration_minutes)
        job_type.business_units.set([units[name] for name in job_row.business_units])
        job_types[job_row.name] = job_type
    campaigns = {
        row.name: _taxonomy(workspace, Campaign, row, seen - timedelta(hours=2), category=row.category,
                            source_label=row.source_label, medium=row.medium, dnis=row.dnis)
        for row in wd.campaigns
    }
    zones = {
        row.name: _taxonomy(workspace, Zone, row, seen - timedelta(days=1), zips=list(row.zips),
                            cities=list(row.cities), state=row.state)
        for row in wd.zones
    }
    services = {}
    for price_row in wd.pricebook:
        service = _taxonomy(workspace, PricebookService, price_row, seen - timedelta(days=2),
                            code=price_row.code, price=price_row.price, member_price=price_row.member_price,
                            category=price_row.category)
        services[price_row.name] = service
        services[price_row.code] = service
    memberships = {
        row.name: _taxonomy(workspace, MembershipType, row, seen - timedelta(days=3), billing=row.billing,
                            price=row.price)
        for row in wd.membership_types
    }
    for recurring in wd.recurring_services:
        _taxonomy(workspace, RecurringServiceType, recurring, seen - timedelta(days=3),
                  membership_type=memberships[recurring.membership_type], recurrence=recurring.recurrence)
    providers = {row.name: _taxonomy(workspace, BookingProvider, row, seen, kind=row.kind)
                 for row in wd.booking_providers}

    for rule in wd.capacity_rules:
        CapacityRule.objects.create(
            workspace=workspace,
            name=rule.name,
            kind=rule.kind,
            business_unit=units[rule.business_unit] if rule.business_unit else None,
            job_type=job_types[rule.job_type] if rule.job_type else None,
            zone=zones[rule.zone] if rule.zone else None,
            weekdays=list(rule.weekdays),
            starts_at=time.fromisoformat(rule.starts_at) if rule.starts_at else None,
            ends_at=time.fromisoformat(rule.ends_at) if rule.ends_at else None,
            cta=rule.cta,
            cta_label=rule.cta_label,
            same_day=rule.same_day,
            notes=rule.notes,
        )

    site = Site.objects.create(workspace=workspace, key=wd.site_key, name=wd.site_name, base_url=wd.base_url,
                               phone=wd.phone)
    approver = users[wd.approver]
    for row in wd.pages:
        page = Page.objects.create(
            workspace=workspace,
            site=site,
            path=row.path,
            title=row.title,
            kind=row.kind,
            kind_source="user",  # the demo's kinds were set by a person: re-imports keep them
            city=row.city,
            zips=list(row.zips),
            advertised_price=row.advertised_price,
            offer_text=row.offer_text,
            offer_expires_on=date.fromisoformat(row.offer_expires_on) if row.offer_expires_on else None,
            promises=list(row.promises),
            utm_campaign=row.utm_campaign,
        )
        spec = row.binding
        binding = Binding.objects.create(
            workspace=page.workspace,
            page=page,
            status=spec.status,
            job_type=job_types[spec.job_type] if spec.job_type else None,
            business_unit=units[spec.business_unit] if spec.business_unit else None,
            campaign=campaigns[spec.campaign] if spec.campaign else None,
            membership_type=memberships[spec.membership_type] if spec.membership_type else None,
            booking_provider=providers[spec.booking_provider] if spec.booking_provider else None,
            booking_path=spec.booking_path,
            scheduler_id=spec.scheduler_id,
            cta_mode=spec.cta_mode,
            notes=spec.notes,
        )
        binding.zones.set([zones[name] for name in spec.zones])
        binding.pricebook_services.set([services[name] for name in spec.services])
        if spec.status == BindingStatus.APPROVED:
            binding.approved_by = approver
            binding.approved_at = now - timedelta(days=spec.approved_days_ago, hours=3)
            binding.approved_names = {
                "job_type": spec.job_type,
                "business_unit": spec.business_unit,
                "campaign": spec.campaign,
                "membership_type": spec.membership_type,
                **dict(spec.approved_names),
            }
            binding.save(update_fields=["approved_by", "approved_at", "approved_names"])
            _audit(workspace, approver, "binding.approve", f"Approved the binding of {page.path}",
                   binding, binding.approved_at, {"path": page.path, **binding.approved_names})

    for row in wd.schedulers:
        scheduler = Scheduler.objects.create(workspace=workspace, scheduler_id=row.scheduler_id, name=row.name,
                                             notes=row.notes)
        scheduler.job_types.set([job_types[name] for name in row.job_types])
        scheduler.zones.set([zones[name] for name in row.zones])
    for module in wd.modules_owned:
        ModuleOwnership.objects.create(workspace=workspace, module=module, answer=ModuleAnswer.OWNED,
                                       answered_by=approver, answered_at=now - timedelta(days=30),
                                       note="Recorded at onboarding.")

    _suggest(workspace, approver)
    _audit(workspace, None, "demo.loaded", f"Loaded the demo workspace {wd.name}", workspace, now,
           {"pages": len(wd.pages)})
    _extend(workspace, wd, users, now)
    return workspace


def _extend(workspace: Workspace, wd: data.WorkspaceData, users: dict[str, Any], now: datetime) -> None:
    """Apps add their own part of the demo (the drift monitor replays its review history) through an
    `extend_demo` method on their AppConfig, so this loader never imports them."""
    for config in apps.get_app_configs():
        extend = getattr(config, "extend_demo", None)
        if callable(extend):
            extend(workspace, wd, users[wd.approver], now)


def _suggest(workspace: Workspace, actor: Any) -> None:
    """The demo's suggested bindings come from the real suggester, so each carries its score and evidence."""
    from pagetojob.sites.suggestions import suggest_for_workspace

    suggested = Binding.objects.filter(workspace=workspace, status=BindingStatus.SUGGESTED)
    page_ids = list(suggested.values_list("page_id", flat=True))
    suggested.update(status=BindingStatus.DRAFT, job_type=None, business_unit=None)
    suggest_for_workspace(workspace, actor, page_ids=page_ids)


def _audit(workspace: Workspace, actor: Any, action: str, summary: str, target: Any, at: datetime,
           details: dict[str, Any]) -> None:
    AuditEntry.objects.create(
        workspace=workspace,
        actor=actor,
        actor_label=(actor.get_full_name() or actor.email) if actor else "system",
        action=action,
        target_type=target.__class__.__name__,
        target_id=str(target.pk),
        summary=summary[:500],
        details=details,
        created_at=at,
    )


def _summary(*, created: bool) -> dict[str, Any]:
    counts: dict[str, dict[str, int]] = {}
    for workspace in Workspace.objects.filter(key__in=demo_workspace_keys()):
        family_counts = {name: model._default_manager.filter(workspace=workspace).count()
                         for name, model in COUNTED}
        family_counts["capacity_rules"] = CapacityRule.objects.filter(workspace=workspace).count()
        family_counts["pages"] = Page.objects.filter(workspace=workspace).count()
        family_counts["bindings"] = Binding.objects.filter(workspace=workspace).count()
        family_counts["memberships"] = Membership.objects.filter(workspace=workspace).count()
        counts[workspace.key] = family_counts
    return {
        "created": created,
        "workspaces": demo_workspace_keys(),
        "counts": counts,
        "login": {"email": data.LOGIN_EMAIL, "password": data.DEMO_PASSWORD},
    }
