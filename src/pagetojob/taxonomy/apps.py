from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "pagetojob.taxonomy"
    label = "taxonomy"
    verbose_name = "ServiceTitan taxonomy"
