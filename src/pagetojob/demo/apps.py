from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "pagetojob.demo"
    label = "demo"
    verbose_name = "Demo workspaces"
