"""The public webhook endpoint ServiceTitan posts to; signed per workspace, so no session or CSRF."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from ninja import Router

from pagetojob.webhooks import receiver

router = Router(tags=["webhooks"])


def _content_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


@router.post("/webhooks/servicetitan/{workspace_key}", auth=None, url_name="webhooks-servicetitan")
def servicetitan_webhook(request: HttpRequest, workspace_key: str):
    """Verify the signature on the raw body, store the event, answer 200; processing happens on the worker."""

    def read_body() -> bytes:
        try:
            return request.body
        except RequestDataTooBig as error:
            raise receiver.BodyTooLarge from error

    receipt = receiver.receive(workspace_key[:60], request.headers, read_body, _content_length(request))
    return JsonResponse(receipt.body, status=receipt.status)
