"""The reads a public submission needs, as a few narrow statements.

A submission is the busiest path in the product: every statement here reads only the columns it uses,
without building model instances, so one request costs a handful of index lookups. The answers are
always read fresh from the database (nothing is cached between requests), so a zone paused or a
binding changed a moment ago applies to the very next submission.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.db import connection
from django.db.models import Model

from pagetojob.accounts.models import Membership, Role
from pagetojob.intake.models import BookingRequest, IntakeSettings
from pagetojob.sites.discovery import normalize_path
from pagetojob.sites.models import Binding, Page
from pagetojob.taxonomy.models import BookingProvider, BusinessUnit, Campaign, JobType, Zone, ZoneState

ZONE_ORDER = [ZoneState.ACTIVE, ZoneState.EMERGENCY_ONLY, ZoneState.PAUSED, ZoneState.EXPANSION]


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _json(value: Any) -> Any:
    """JSON columns come back decoded on PostgreSQL and as text on SQLite."""
    return json.loads(value) if isinstance(value, str) else value


@dataclass
class PageBinding:
    page_id: int
    job_type_id: int | None = None
    snapshot: dict[str, Any] = field(default_factory=dict)


@dataclass
class ZoneMatch:
    id: int
    name: str
    state: str


@dataclass
class FormSettings:
    notification_emails: list[str]
    consent_sms_text: str
    consent_email_text: str


def page_paths(page_url: str) -> list[str]:
    path = normalize_path(urlsplit(page_url).path)
    return [path, path + "/"]


def page_binding(site_id: int, page_url: str) -> PageBinding | None:
    """The page a URL names on a site, with a snapshot of its binding as it stands now."""
    if not page_url:
        return None
    names = {"page": _table(Page), "binding": _table(Binding), "jt": _table(JobType), "bu": _table(BusinessUnit),
             "cp": _table(Campaign), "bp": _table(BookingProvider)}
    sql = (
        "SELECT p.id, b.id, b.status, b.booking_path, b.cta_mode, b.job_type_id, jt.name, jt.st_id, "
        "bu.name, bu.st_id, cp.name, cp.st_id, bp.st_id "
        "FROM {page} p LEFT JOIN {binding} b ON b.page_id = p.id "
        "LEFT JOIN {jt} jt ON jt.id = b.job_type_id LEFT JOIN {bu} bu ON bu.id = b.business_unit_id "
        "LEFT JOIN {cp} cp ON cp.id = b.campaign_id LEFT JOIN {bp} bp ON bp.id = b.booking_provider_id "
        "WHERE p.site_id = %s AND p.path IN (%s, %s) ORDER BY p.id LIMIT 1"
    ).format(**names)
    with connection.cursor() as cursor:
        cursor.execute(sql, [site_id, *page_paths(page_url)])
        row = cursor.fetchone()
        if row is None:
            return None
        (page_id, binding_id, status, booking_path, cta_mode, job_type_id, jt_name, jt_st, bu_name, bu_st,
         cp_name, cp_st, bp_st) = row
        if binding_id is None:
            return PageBinding(page_id)
        through = Binding.zones.through
        cursor.execute(
            f"SELECT z.name FROM {_table(Zone)} z JOIN {_table(through)} t ON t.zone_id = z.id "
            "WHERE t.binding_id = %s ORDER BY z.name", [binding_id])
        zones = [name for (name,) in cursor.fetchall()]
    return PageBinding(page_id, job_type_id, {
        "status": status, "job_type": jt_name, "job_type_st_id": jt_st, "business_unit": bu_name,
        "business_unit_st_id": bu_st, "campaign": cp_name, "campaign_st_id": cp_st, "zones": zones,
        "booking_provider_st_id": bp_st, "booking_path": booking_path, "cta_mode": cta_mode,
    })


def zone_for_zip(workspace_id: int, zip_code: str) -> ZoneMatch | None:
    """The zone serving a ZIP: active first, then emergency-only, paused, expansion; None outside them all."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, name, state, zips FROM {_table(Zone)} WHERE workspace_id = %s AND active = %s "
                       "ORDER BY id", [workspace_id, True])
        matches = [ZoneMatch(zone_id, name, state) for zone_id, name, state, zips in cursor.fetchall()
                   if zip_code and zip_code in (_json(zips) or [])]
    matches.sort(key=lambda zone: ZONE_ORDER.index(zone.state) if zone.state in ZONE_ORDER else len(ZONE_ORDER))
    return matches[0] if matches else None


def stored_submission(site_id: int, submission_id: str) -> int | None:
    """The id of the request already stored for this submission, if any."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {_table(BookingRequest)} WHERE site_id = %s AND submission_id = %s",
                       [site_id, submission_id])
        row = cursor.fetchone()
    return row[0] if row else None


def form_settings(site_id: int) -> FormSettings:
    """Who hears about a request and the consent wording shown; the defaults when nobody configured them."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT notification_emails, consent_sms_text, consent_email_text "
                       f"FROM {_table(IntakeSettings)} WHERE site_id = %s", [site_id])
        row = cursor.fetchone()
    if row is None:
        defaults = IntakeSettings()
        return FormSettings([], defaults.consent_sms_text, defaults.consent_email_text)
    return FormSettings(list(_json(row[0]) or []), row[1], row[2])


def lead_recipients(workspace_id: int) -> list[str]:
    """Without configured recipients, the workspace's owners, admins and operators hear about leads."""
    user_model = Membership._meta.get_field("user").related_model
    roles = [Role.OWNER, Role.ADMIN, Role.OPERATOR]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT u.email FROM {_table(Membership)} m JOIN {_table(user_model)} u ON u.id = m.user_id "
            f"WHERE m.workspace_id = %s AND m.role IN (%s, %s, %s)", [workspace_id, *roles])
        return sorted(email for (email,) in cursor.fetchall() if email)
