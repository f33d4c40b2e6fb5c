"""Shared fixtures: a workspace with an owner, a marketer, an operator, a viewer, and an outsider."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from pagetojob.accounts.models import Membership, Role, Workspace
from pagetojob.core import clock
from pagetojob.sites.models import Binding, Page, PageKind, Site
from pagetojob.taxonomy.models import BusinessUnit, Campaign, JobType, PricebookService, Zone

PASSWORD = "correct-horse-battery-staple"
IN_CI = os.environ.get("CI", "").lower() == "true"


def make_user(email: str, **extra):
    return get_user_model().objects.create_user(username=email, email=email, password=PASSWORD, **extra)


@dataclass
class World:
    workspace: Workspace
    other: Workspace
    owner: object
    admin: object
    marketer: object
    operator: object
    viewer: object
    outsider: object
    page: Page
    other_page: Page
    hvac: BusinessUnit
    plumbing: BusinessUnit
    ac_repair: JobType
    drain: JobType
    old_job_type: JobType


def build_world() -> World:
    workspace = Workspace.objects.create(key="acme-air", name="Acme Air")
    other = Workspace.objects.create(key="rival-plumbing", name="Rival Plumbing")
    users = {role: make_user(f"{role}@acme.test", first_name=role.title()) for role in Role.values}
    for role, user in users.items():
        Membership.objects.create(user=user, workspace=workspace, role=role)
    outsider = make_user("outsider@rival.test")
    Membership.objects.create(user=outsider, workspace=other, role=Role.OWNER)

    hvac = BusinessUnit.objects.create(workspace=workspace, st_id=101, name="HVAC Service", source="demo")
    plumbing = BusinessUnit.objects.create(workspace=workspace, st_id=102, name="Plumbing Service", source="demo")
    ac_repair = JobType.objects.create(workspace=workspace, st_id=201, name="AC Repair", source="demo")
    ac_repair.business_units.add(hvac)
    drain = JobType.objects.create(workspace=workspace, st_id=202, name="Drain Cleaning", source="demo")
    drain.business_units.add(plumbing)
    old = JobType.objects.create(workspace=workspace, st_id=203, name="Water Heater Repair", active=False)
    old.business_units.add(plumbing)
    Campaign.objects.create(workspace=workspace, st_id=301, name="Summer AC Demand", category="Paid Search")
    Zone.objects.create(workspace=workspace, st_id=401, name="Phoenix Metro", zips=["85004"], cities=["Phoenix"])
    PricebookService.objects.create(workspace=workspace, st_id=501, name="AC Diagnostic", code="HVAC-DIAG")

    site = Site.objects.create(workspace=workspace, key="acme", name="Acme", base_url="https://acme.test")
    page = Page.objects.create(workspace=workspace, site=site, path="/ac-repair", title="AC Repair",
                               kind=PageKind.SERVICE)
    Binding.objects.create(workspace=workspace, page=page)

    other_site = Site.objects.create(workspace=other, key="rival", name="Rival", base_url="https://rival.test")
    other_page = Page.objects.create(workspace=other, site=other_site, path="/drains", title="Drains",
                                     kind=PageKind.SERVICE)
    other_unit = BusinessUnit.objects.create(workspace=other, st_id=101, name="Rival Plumbing")
    other_job = JobType.objects.create(workspace=other, st_id=201, name="Rival Drain Job")
    other_job.business_units.add(other_unit)
    Binding.objects.create(workspace=other, page=other_page, business_unit=other_unit, job_type=other_job)
    return World(workspace, other, users[Role.OWNER], users[Role.ADMIN], users[Role.MARKETER],
                 users[Role.OPERATOR], users[Role.VIEWER], outsider, page, other_page, hvac, plumbing,
                 ac_repair, drain, old)


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def client_for(client):
    """Log the test client in as a given user."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def now():
    return clock.now()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users; a fast hasher keeps the suite quick (production keeps Django's default)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def plain_http_test_client(settings):
    """With DATABASE_URL set the app runs in production mode and redirects to HTTPS; the test client speaks HTTP."""
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def encryption_key_configured(settings):
    """Embedded mode generates a key; with DATABASE_URL the operator provides one, as the tests do here."""
    settings.ENCRYPTION_KEYS = settings.ENCRYPTION_KEYS or "k1:dGVzdC1lbmNyeXB0aW9uLWtleS0wMTIzNDU2Nzg5YWI="
