from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "pagetojob.intake"
    label = "intake"
    verbose_name = "Booking requests"

    def ready(self) -> None:
        from pagetojob.accounts import mail
        from pagetojob.intake import submissions

        mail.on_delivered(submissions.mark_notified)
