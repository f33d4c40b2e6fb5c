from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "pagetojob.webhooks"
    label = "webhooks"
    verbose_name = "ServiceTitan webhooks"

    def ready(self) -> None:
        from django.conf import settings

        from pagetojob.core import worker
        from pagetojob.webhooks import processing
        from pagetojob.webhooks.models import WebhookEvent

        worker.register("webhook-events", WebhookEvent, processing.process,
                        lease_seconds=settings.PAGETOJOB_WEBHOOK_LEASE_SECONDS)
