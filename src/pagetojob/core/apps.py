from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "pagetojob.core"
    label = "core"
    verbose_name = "Core"
