from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "pagetojob.taxonomy"
    label = "taxonomy"
    verbose_name = "ServiceTitan taxonomy"

    def ready(self) -> None:
        from pagetojob.core import worker
        from pagetojob.taxonomy import importer
        from pagetojob.taxonomy.models import ImportBatch

        worker.register("imports", ImportBatch, importer.process, lease_seconds=600)
