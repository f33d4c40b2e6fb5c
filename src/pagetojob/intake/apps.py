from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "pagetojob.intake"
    label = "intake"
    verbose_name = "Booking requests"
