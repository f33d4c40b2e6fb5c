from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from pagetojob.core.health import health_report


def healthz(request: HttpRequest) -> JsonResponse:
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)
