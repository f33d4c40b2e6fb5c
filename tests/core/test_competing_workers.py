"""Two real worker processes drain one queue: every row is processed exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from pagetojob.accounts.models import OutboundEmail
from pagetojob.core import clock
from pagetojob.core.models import WorkState

ROWS = 240


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_never_double_process(tmp_path):
    now = clock.now()
    OutboundEmail.objects.bulk_create(
        [OutboundEmail(kind="test", to=f"p{i}@acme.test", subject=f"Message {i}", body="x", run_after=now)
         for i in range(ROWS)]
    )
    outbox = tmp_path / "outbox"
    go = tmp_path / "go"
    env = dict(os.environ, PAGETOJOB_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
               PAGETOJOB_EMAIL_FILE_PATH=str(outbox))
    script = Path(__file__).with_name("compete.py")
    db_name = str(connection.settings_dict["NAME"])
    procs = [
        subprocess.Popen([sys.executable, str(script), db_name, str(go), name], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in ("worker-one", "worker-two")
    ]
    deadline = time.monotonic() + 60
    while not all(Path(f"{go}.{name}.ready").exists() for name in ("worker-one", "worker-two")):
        assert time.monotonic() < deadline, "worker processes did not start"
        assert all(proc.poll() is None for proc in procs), [proc.communicate() for proc in procs]
        time.sleep(0.05)
    go.touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))

    assert sum(result["processed"] for result in results) == ROWS
    assert all(result["processed"] > 0 for result in results), results
    rows = list(OutboundEmail.objects.values_list("work_state", "attempts", "lease_owner"))
    assert {state for state, _, _ in rows} == {WorkState.DONE}
    assert {attempts for _, attempts, _ in rows} == {1}
    sent = "".join(path.read_text() for path in outbox.iterdir())
    subjects = [line for line in sent.splitlines() if line.startswith("Subject: ")]
    assert len(subjects) == ROWS
    assert len(set(subjects)) == ROWS
