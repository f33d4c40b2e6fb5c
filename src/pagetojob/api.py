"""The JSON API under /api/v1/ (OpenAPI document at /api/v1/openapi.json)."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import django_auth

from pagetojob.accounts.api import router as accounts_router
from pagetojob.intake.api import router as intake_router
from pagetojob.readiness.api import router as readiness_router
from pagetojob.sites.api import router as sites_router
from pagetojob.taxonomy.api import router as taxonomy_router
from pagetojob.webhooks.api import router as webhooks_router

api = NinjaAPI(title="PageToJob API", version="1", urls_namespace="api")
api.add_router("/", accounts_router, auth=django_auth)
api.add_router("/", taxonomy_router, auth=django_auth)
api.add_router("/", sites_router, auth=django_auth)
api.add_router("/", readiness_router, auth=django_auth)
api.add_router("/", intake_router)
api.add_router("/", webhooks_router)
