"""The benchmark floor: the least a request to this server can do that writes one row.

Only routed when PAGETOJOB_BENCH_FLOOR=1 (benchmarks/intake_load.py sets it); never in production.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from pagetojob.core import clock
from pagetojob.intake.models import IntakeRateWindow


@csrf_exempt
@require_POST
def insert_one_row(request: HttpRequest) -> JsonResponse:
    row = IntakeRateWindow.objects.create(key=f"bench-floor:{uuid.uuid4().hex}", window_start=clock.now(), count=1)
    return JsonResponse({"id": row.pk}, status=201)
