from django.apps import AppConfig


class HandoffConfig(AppConfig):
    name = "pagetojob.handoff"
    label = "handoff"
    verbose_name = "ServiceTitan handoff"

    def ready(self) -> None:
        from pagetojob.handoff import drafts
        from pagetojob.intake import hooks

        hooks.on_request_stored(drafts.create_handoff_draft, prepare=drafts.stage_handoff_draft)
