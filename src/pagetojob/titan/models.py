"""A workspace's connection to its ServiceTitan tenant. Secrets are stored only as vault ciphertexts."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pagetojob.accounts.models import Workspace
from pagetojob.core import vault


class Environment(models.TextChoices):
    INTEGRATION = "integration", "Integration"
    PRODUCTION = "production", "Production"
    SANDBOX = "sandbox", "Sandbox (local)"


class ConnectionState(models.TextChoices):
    CONNECTED = "connected", "connected"
    DISCONNECTED = "disconnected", "disconnected"


SECRET_FIELDS = ("app_key_encrypted", "client_id_encrypted", "client_secret_encrypted")


class TitanConnection(models.Model):
    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="titan_connection")
    environment = models.CharField(max_length=16, choices=Environment.choices, default=Environment.INTEGRATION)
    sandbox_url = models.CharField(max_length=200, blank=True, default="")
    tenant_id = models.PositiveBigIntegerField(null=True, blank=True)
    app_key_encrypted = models.TextField(blank=True, default="")
    client_id_encrypted = models.TextField(blank=True, default="")
    client_secret_encrypted = models.TextField(blank=True, default="")
    client_id_hint = models.CharField(max_length=4, blank=True, default="")  # last four characters, for people
    scopes = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=16, choices=ConnectionState.choices, default=ConnectionState.DISCONNECTED)
    connected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    connected_at = models.DateTimeField(null=True, blank=True)
    last_test_at = models.DateTimeField(null=True, blank=True)
    last_test_ok = models.BooleanField(null=True, blank=True)
    last_test_message = models.CharField(max_length=1000, blank=True, default="")
    disconnected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    disconnected_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        tenant = f"tenant {self.tenant_id}" if self.tenant_id else "no tenant"
        return f"ServiceTitan {self.environment_label} {tenant} ({self.state})"

    def __repr__(self) -> str:
        return (f"<TitanConnection workspace={self.workspace_id} {self.environment} tenant={self.tenant_id} "
                f"{self.state}>")

    @property
    def environment_label(self) -> str:
        return "sandbox" if self.environment == Environment.SANDBOX else self.get_environment_display().lower()

    @property
    def has_secrets(self) -> bool:
        return all(getattr(self, name) for name in SECRET_FIELDS)

    @property
    def key_ids(self) -> list[str]:
        """The encryption key ids the stored secrets name (one, unless a rotation was interrupted)."""
        return sorted({vault.key_id_of(getattr(self, name)) for name in SECRET_FIELDS if getattr(self, name)})

    @property
    def is_connected(self) -> bool:
        return self.state == ConnectionState.CONNECTED and self.has_secrets
