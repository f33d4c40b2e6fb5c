from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "pagetojob.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"
