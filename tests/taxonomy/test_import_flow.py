"""Upload → columns → worker reads → review → worker applies, through the screens a user sees."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from pagetojob.core import worker
from pagetojob.taxonomy.models import BatchStatus, ImportBatch, JobType

from .conftest import JOB_TYPES_ROWS


@pytest.mark.django_db
def test_review_and_apply_end_to_end(world, client_for, files):
    client = client_for(world.marketer)
    path = files.csv()
    response = client.post("/w/acme-air/imports/", {"family": "job-types",
                                                    "file": SimpleUploadedFile(path.name, path.read_bytes())})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == f"/w/acme-air/imports/{batch.pk}/"
    page = client.get(response.url).content.decode()
    assert "Check the columns" in page and "Business Units" in page
    client.post(f"/w/acme-air/imports/{batch.pk}/columns/", {"column_name": "Name", "column_st_id": "Id",
                                                             "column_business_units": "Business Units",
                                                             "column_active": "Active"})
    assert "Reading export.csv" in client.get(f"/w/acme-air/imports/{batch.pk}/").content.decode()
    assert worker.run_once("test-worker") == 1
    page = client.get(f"/w/acme-air/imports/{batch.pk}/").content.decode()
    assert "Accept all safe (1)" in page and "Furnace Repair" in page
    client.post(f"/w/acme-air/imports/{batch.pk}/decide/", {"action": "accept_safe"})
    client.post(f"/w/acme-air/imports/{batch.pk}/decide/", {"action": "apply"})
    assert ImportBatch.objects.get().status == BatchStatus.APPLYING
    worker.run_once("test-worker")
    page = client.get(f"/w/acme-air/imports/{batch.pk}/").content.decode()
    assert "1 created" in page
    assert JobType.objects.filter(workspace=world.workspace, name="Furnace Repair").exists()
    history = client.get("/w/acme-air/imports/").content.decode()
    assert "export.csv" in history and "Applied" in history


@pytest.mark.django_db
def test_an_unreadable_upload_shows_why_and_creates_no_batch(world, client_for, files):
    response = client_for(world.marketer).post("/w/acme-air/imports/", {
        "family": "zones", "file": SimpleUploadedFile("zones.csv", b"\x00\x01\x02binary")})
    assert response.status_code == 400
    assert "contains binary data" in response.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_viewer_cannot_import_and_outsider_cannot_see(world, client_for, files):
    path = files.csv()
    viewer = client_for(world.viewer)
    viewer.post("/w/acme-air/imports/", {"family": "job-types", "file": SimpleUploadedFile("a.csv", path.read_bytes())})
    assert not ImportBatch.objects.exists()
    call_command("import_taxonomy", str(path), workspace="acme-air", family="job-types", json=True)
    batch = ImportBatch.objects.get()
    assert viewer.post(f"/w/acme-air/imports/{batch.pk}/decide/", {"action": "accept_safe"}).status_code == 403
    outsider = client_for(world.outsider)
    assert outsider.get(f"/w/acme-air/imports/{batch.pk}/").status_code == 404
    assert outsider.get(f"/w/rival-plumbing/imports/{batch.pk}/").status_code == 404


@pytest.mark.django_db
def test_cli_json_and_apply_safe(world, files, capsys):
    call_command("import_taxonomy", str(files.csv()), workspace="acme-air", family="job-types", json=True)
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"batch_id", "family", "counts", "warnings", "errors"}
    assert set(result["counts"]) == {"new", "changed", "unchanged", "deactivated", "duplicate", "blocked"}
    assert result["counts"]["new"] == 2 and result["family"] == "job-types"
    call_command("import_apply", result["batch_id"], safe=True, json=True)
    applied = json.loads(capsys.readouterr().out)
    assert applied["created"] == 1  # Sewer Line Repair is inactive in the file: not safe, not applied
    assert JobType.objects.filter(name="Furnace Repair").exists()
    assert len(JOB_TYPES_ROWS) == 5


def test_cli_unreadable_file_exits_non_zero_with_the_message_and_no_batch(tmp_path):
    import os
    import subprocess
    import sys

    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PAGETOJOB_DATA_DIR"] = str(tmp_path / "data")
    subprocess.run([sys.executable, "-m", "pagetojob", "migrate", "-v0"], env=env, check=True, timeout=120)
    result = subprocess.run([sys.executable, "-m", "pagetojob", "import", "taxonomy", "--workspace", "nope",
                             "--family", "zones", str(bad), "--json"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0 and "No workspace with the key 'nope'" in result.stderr
    from pagetojob.accounts.models import Workspace  # noqa: F401  (the app is importable from tests)
