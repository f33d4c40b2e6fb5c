from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "pagetojob.sites"
    label = "sites"
    verbose_name = "Sites, pages and the Titan Map"
