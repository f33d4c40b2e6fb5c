from __future__ import annotations

from datetime import timedelta

import pytest

from pagetojob.core import clock, worker
from pagetojob.core.models import WorkerHeartbeat


@pytest.mark.django_db
def test_healthz_is_503_without_a_worker_heartbeat(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["status"] == "ok"
    assert body["migrations"]["status"] == "ok"
    assert body["worker"]["status"] == "never seen"


@pytest.mark.django_db
def test_healthz_is_200_with_a_fresh_heartbeat(client):
    worker.beat("worker-a", clock.now(), 0)
    body = client.get("/healthz").json()
    assert body["status"] == "healthy"
    assert body["worker"]["worker_id"] == "worker-a"
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_healthz_reports_a_stale_worker(client):
    worker.beat("worker-a", clock.now(), 0)
    WorkerHeartbeat.objects.update(last_beat_at=clock.now() - timedelta(minutes=10))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"]["status"] == "stale"
