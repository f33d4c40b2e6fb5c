from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "pagetojob.readiness"
    label = "readiness"
    verbose_name = "Connection readiness"

    def ready(self) -> None:
        from pagetojob.readiness import changes, receivers
        from pagetojob.taxonomy.importer import discard_unreviewed
        from pagetojob.titan.signals import connection_changed

        changes.on_flag_enabled("discard_unreviewed_imports", discard_unreviewed)
        connection_changed.connect(receivers.record_credentials_gate, dispatch_uid="readiness-credentials-gate")
