"""Every ServiceTitan scope the readiness page asks for exists in the official OpenAPI documents."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.conf import settings

from pagetojob.readiness.catalog import CAPABILITIES


def openapi_dir() -> Path:
    directory = Path(os.environ.get("PAGETOJOB_ST_OPENAPI_DIR", settings.ST_OPENAPI_DIR))
    if not directory.is_dir() or not list(directory.glob("*.json")):
        message = f"ServiceTitan OpenAPI documents not found in {directory} (set PAGETOJOB_ST_OPENAPI_DIR)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return directory


def documented_scopes() -> dict[str, set[str]]:
    """scope -> the operation ids that require it."""
    scopes: dict[str, set[str]] = {}
    for document in openapi_dir().glob("*.json"):
        spec = json.loads(document.read_text(encoding="utf-8"))
        for path_item in spec.get("paths", {}).values():
            for operation in path_item.values():
                if not isinstance(operation, dict):
                    continue
                for requirement in operation.get("security", []):
                    for names in requirement.values():
                        for name in names:
                            scopes.setdefault(name, set()).add(operation.get("operationId", "?"))
    return scopes


def test_every_capability_scope_is_a_real_servicetitan_scope():
    known = documented_scopes()
    assert len(known) > 50, "the OpenAPI documents list far fewer scopes than expected"
    unknown = sorted({(c.key, s) for c in CAPABILITIES for s in c.scopes if s not in known})
    assert unknown == []


def test_booking_handoff_asks_for_the_scope_the_booking_create_operation_requires():
    known = documented_scopes()
    assert "Bookings_Create" in known["tn.crm.bookings:w"]
    handoff = next(c for c in CAPABILITIES if c.key == "booking_handoff")
    assert "tn.crm.bookings:w" in handoff.scopes
    capacity = next(c for c in CAPABILITIES if c.key == "capacity_check")
    assert "tn.dis.capacity:w" in capacity.scopes  # capacity is a POST read behind a write scope
