"""`pagetojob rotate-keys`: re-encrypt every stored ServiceTitan credential and webhook signing key under the
newest key.

Put the new key first in PAGETOJOB_ENCRYPTION_KEYS (keep the old ones after it), run this, and once it
reports nothing left under old keys the old keys can be removed. Running it again changes nothing.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from pagetojob.core import vault
from pagetojob.titan.models import SECRET_FIELDS, TitanConnection


class Command(BaseCommand):
    help = "Re-encrypt every stored ServiceTitan credential under the newest key of PAGETOJOB_ENCRYPTION_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            newest = vault.current_key_id()
        except vault.VaultError as error:
            raise CommandError(str(error)) from error
        before: Counter[str] = Counter()
        rotated = unchanged = 0
        failures: list[str] = []
        for pk in TitanConnection.objects.order_by("pk").values_list("pk", flat=True):
            with transaction.atomic():
                connection = TitanConnection.objects.select_for_update().select_related("workspace").get(pk=pk)
                changed = False
                try:
                    for name in SECRET_FIELDS:
                        stored = getattr(connection, name)
                        if not stored:
                            continue
                        before[vault.key_id_of(stored)] += 1
                        if vault.needs_rotation(stored):
                            setattr(connection, name, vault.rotate(stored))
                            rotated += 1
                            changed = True
                        else:
                            unchanged += 1
                except vault.VaultError as error:
                    failures.append(f"{connection.workspace.key}: {error}")
                    continue  # this row keeps its old ciphertexts; the transaction writes nothing
                if changed:
                    connection.save(update_fields=list(SECRET_FIELDS))
        # Webhook signing keys are encrypted under the same keys: one command rotates every stored secret.
        from pagetojob.webhooks.endpoints import rotate_secrets

        webhook_rotated, webhook_unchanged, webhook_failures = rotate_secrets()
        rotated += webhook_rotated
        unchanged += webhook_unchanged
        failures += webhook_failures
        found = ", ".join(f"{count} under {key_id}" for key_id, count in sorted(before.items())) or "none"
        self.stdout.write(f"Stored secrets found: {found}.")
        self.stdout.write(f"Re-encrypted under {newest}: {rotated}; already under {newest}: {unchanged}.")
        if failures:
            for failure in failures:
                self.stderr.write(f"Could not re-encrypt {failure}")
            raise CommandError(f"{len(failures)} connection(s) could not be re-encrypted; see above.")
        self.stdout.write(self.style.SUCCESS(f"Every stored secret is encrypted under {newest}."))
