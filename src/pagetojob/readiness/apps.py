from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "pagetojob.readiness"
    label = "readiness"
    verbose_name = "Connection readiness"
