"""`pagetojob rotate-keys`: re-encrypt every stored ServiceTitan credential and webhook signing key under the
newest key.

Put the new key first in PAGETOJOB_ENCRYPTION_KEYS (keep the old ones after it), run this, and once it
reports nothing left under old keys the old keys can be removed. Running it again changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pagetojob.core import vault
from pagetojob.titan.models import SECRET_FIELDS, TitanConnection


class Command(BaseCommand):
    help = "Re-encrypt every stored ServiceTitan credential under the newest key of PAGETOJOB_ENCRYPTION_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            newest = vault.current_key_id()
        except vault.VaultError as error:
            raise CommandError(str(error)) from error
        # Webhook signing keys are encrypted under the same keys: one command rotates every stored secret.
        from pagetojob.webhooks.endpoints import rotate_secrets

        credentials = vault.rotate_rows(TitanConnection, SECRET_FIELDS, lambda row: row.workspace.key)
        webhook_keys = rotate_secrets()
        before = credentials.found
        rotated = credentials.rotated + webhook_keys.rotated
        unchanged = credentials.unchanged + webhook_keys.unchanged
        failures = credentials.failures + webhook_keys.failures
        found = ", ".join(f"{count} under {key_id}" for key_id, count in sorted(before.items())) or "none"
        self.stdout.write(f"Stored secrets found: {found}.")
        self.stdout.write(f"Re-encrypted under {newest}: {rotated}; already under {newest}: {unchanged}.")
        if failures:
            for failure in failures:
                self.stderr.write(f"Could not re-encrypt {failure}")
            raise CommandError(f"{len(failures)} connection(s) could not be re-encrypted; see above.")
        self.stdout.write(self.style.SUCCESS(f"Every stored secret is encrypted under {newest}."))
