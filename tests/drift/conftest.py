"""Drift fixtures: the shared `world` (acme-air) with a few pages whose claims a review can check."""

from __future__ import annotations

from datetime import datetime

import pytest

from pagetojob.drift import reviews
from pagetojob.drift.models import DriftReview, Trigger
from pagetojob.sites.models import Binding, BindingStatus, Page, PageKind
from pagetojob.taxonomy.models import Zone
from tests.conftest import build_world


def review_now(workspace, at: datetime | None = None) -> DriftReview:
    """Run one on-demand review in this process and return it."""
    return reviews.run_now(reviews.new_review(workspace, Trigger.ON_DEMAND, at=at), at=at)


def approve(binding: Binding, **fields) -> Binding:
    for name, value in fields.items():
        setattr(binding, name, value)
    binding.status = BindingStatus.APPROVED
    binding.approved_names = {name: getattr(binding, name).name for name in
                              ("job_type", "business_unit", "campaign", "membership_type")
                              if getattr(binding, name) is not None}
    binding.save()
    return binding


def add_page(world, path: str, kind: str = PageKind.SERVICE, **claims) -> Page:
    page = Page.objects.create(workspace=world.workspace, site=world.page.site, path=path, title=path, kind=kind,
                               **claims)
    Binding.objects.create(workspace=world.workspace, page=page)
    return page


@pytest.fixture
def world(db):
    """The shared world, plus an approved Phoenix service-area page so its active zone has a page."""
    world = build_world()
    phoenix = add_page(world, "/service-areas/phoenix", PageKind.LOCATION, city="Phoenix", zips=["85004"])
    binding = approve(phoenix.binding, job_type=world.ac_repair, business_unit=world.hvac)
    binding.zones.set([Zone.objects.get(workspace=world.workspace, name="Phoenix Metro")])
    return world


@pytest.fixture
def bound(world):
    """acme-air's /ac-repair approved with AC Repair in HVAC Service: a page with no drift."""
    approve(world.page.binding, job_type=world.ac_repair, business_unit=world.hvac)
    return world
