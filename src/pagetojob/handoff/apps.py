from django.apps import AppConfig


class HandoffConfig(AppConfig):
    name = "pagetojob.handoff"
    label = "handoff"
    verbose_name = "ServiceTitan handoff"

    def ready(self) -> None:
        from django.conf import settings

        from pagetojob.core import worker
        from pagetojob.handoff import drafts, gates, sender, sync
        from pagetojob.handoff.models import SyncJob
        from pagetojob.intake import hooks

        hooks.on_request_stored(drafts.create_handoff_draft, prepare=drafts.stage_handoff_draft)
        hooks.on_request_completed(sync.close_for_request)
        worker.register("sync", SyncJob, sender.handle, lease_seconds=settings.SYNC_LEASE_SECONDS)
        # Gates that come on by themselves (a worker's first heartbeat) release held jobs on the next pass.
        worker.register_schedule("sync-release", sync.release_schedule, every_seconds=15)
        gates.connect_signals()
