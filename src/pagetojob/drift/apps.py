from django.apps import AppConfig


class DriftConfig(AppConfig):
    name = "pagetojob.drift"
    label = "drift"
    verbose_name = "Drift monitor"

    def ready(self) -> None:
        from pagetojob.core import worker
        from pagetojob.drift import reviews, schedule
        from pagetojob.drift.models import DriftReview
        from pagetojob.taxonomy import hooks

        worker.register("drift-reviews", DriftReview, reviews.process, lease_seconds=900)
        worker.register_schedule("drift-reviews", schedule.enqueue_due, every_seconds=300)
        hooks.on_import_applied(reviews.queue_after_import)

    def extend_demo(self, workspace, workspace_data, actor, now) -> None:
        """Called by the demo loader: replay the demo's review history (see pagetojob.drift.demo)."""
        from pagetojob.drift.demo import replay

        replay(workspace, getattr(workspace_data, "drift_history", None), actor, now)
