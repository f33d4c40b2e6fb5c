from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pagetojob.accounts"
    label = "accounts"
    verbose_name = "Workspaces and users"

    def ready(self) -> None:
        from pagetojob.accounts import mail
        from pagetojob.accounts.models import OutboundEmail
        from pagetojob.core import worker

        worker.register("email", OutboundEmail, mail.deliver)
