from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "pagetojob.readiness"
    label = "readiness"
    verbose_name = "Connection readiness"

    def ready(self) -> None:
        from pagetojob.readiness import changes
        from pagetojob.taxonomy.importer import discard_unreviewed

        changes.on_flag_enabled("discard_unreviewed_imports", discard_unreviewed)
