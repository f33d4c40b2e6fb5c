"""A workspace with webhook signing configured, and a way to deliver signed events through the receiver."""

from __future__ import annotations

import pytest

from pagetojob.sandbox import webhook_sender as sandbox
from pagetojob.webhooks import endpoints

SECRET = "whsec-acme-0123456789abcdefghijklmnopqrstuv"  # 42 characters, as the portal allows 32-64
OLD_SECRET = "whsec-acme-old-abcdefghijklmnopqrstuvwxyz012"


def configure(workspace, actor=None, **overrides):
    values = {"signature_header": "X-ServiceTitan-Signature", "encoding": "hex", "timestamp_header": "",
              "signed_content": "body", "tolerance_seconds": 300, "new_key": SECRET}
    values.update(overrides)
    return endpoints.save_settings(workspace, actor, **values)


def url(workspace) -> str:
    return f"/api/v1/webhooks/servicetitan/{workspace.key}"


def deliver(client, workspace, event: sandbox.Event, signing: sandbox.Signing | None = None, *, tamper=False,
            at=None, extra_headers: dict | None = None):
    signing = signing or sandbox.Signing(SECRET)
    headers = sandbox.signed_headers(signing, event.body, at=at, tamper=tamper)
    headers.update(extra_headers or {})
    meta = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()
            if name.lower() != "content-type"}
    return client.post(url(workspace), event.body, content_type="application/json", **meta)


@pytest.fixture
def endpoint(world):
    return configure(world.workspace, world.owner)
