from django.apps import AppConfig


class TitanConfig(AppConfig):
    name = "pagetojob.titan"
    label = "titan"
    verbose_name = "ServiceTitan connection"
