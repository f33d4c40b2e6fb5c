"""`pagetojob rotate-webhook-keys`: re-encrypt every stored webhook HMAC key under the newest encryption key.

The webhook keys are stored with the same vault as the ServiceTitan credentials; run this alongside
`pagetojob rotate-keys` before removing an old key from PAGETOJOB_ENCRYPTION_KEYS. Running it again
changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pagetojob.core import vault
from pagetojob.webhooks import endpoints


class Command(BaseCommand):
    help = "Re-encrypt every stored webhook HMAC key under the newest key of PAGETOJOB_ENCRYPTION_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            newest = vault.current_key_id()
        except vault.VaultError as error:
            raise CommandError(str(error)) from error
        result = endpoints.rotate_secrets()
        rotated, unchanged, failures = result.rotated, result.unchanged, result.failures
        self.stdout.write(f"Webhook keys re-encrypted under {newest}: {rotated}; already under {newest}: {unchanged}.")
        if failures:
            for failure in failures:
                self.stderr.write(f"Could not re-encrypt {failure}")
            raise CommandError(f"{len(failures)} webhook key(s) could not be re-encrypted; see above.")
        self.stdout.write(self.style.SUCCESS(f"Every webhook key is encrypted under {newest}."))
