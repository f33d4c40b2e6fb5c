from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "pagetojob.readiness"
    label = "readiness"
    verbose_name = "Connection readiness"

    def ready(self) -> None:
        from pagetojob.core import worker
        from pagetojob.readiness import api_import, changes, receivers
        from pagetojob.readiness.models import ApiImportRun
        from pagetojob.taxonomy import hooks
        from pagetojob.taxonomy.importer import discard_unreviewed
        from pagetojob.titan.signals import connection_changed

        changes.on_flag_enabled("discard_unreviewed_imports", discard_unreviewed)
        connection_changed.connect(receivers.record_credentials_gate, dispatch_uid="readiness-credentials-gate")
        worker.register("api-imports", ApiImportRun, api_import.process, lease_seconds=api_import.LEASE_SECONDS)
        hooks.provide_api_import(api_import)
