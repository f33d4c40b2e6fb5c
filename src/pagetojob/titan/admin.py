from django.contrib import admin

from pagetojob.titan.models import TitanConnection


@admin.register(TitanConnection)
class TitanConnectionAdmin(admin.ModelAdmin):
    """Support staff see the state, never the ciphertexts; credentials change only through the connection screen."""

    list_display = ["workspace", "environment", "tenant_id", "state", "last_test_ok", "last_test_at"]
    list_filter = ["environment", "state"]
    fields = ("workspace", "environment", "sandbox_url", "tenant_id", "stored_under", "scopes", "state",
              "connected_by", "connected_at", "last_test_at", "last_test_ok", "last_test_message",
              "disconnected_by", "disconnected_at")
    readonly_fields = tuple(fields)

    @admin.display(description="Secrets")
    def stored_under(self, obj: TitanConnection) -> str:
        return f"stored, encrypted with key {', '.join(obj.key_ids)}" if obj.has_secrets else "none stored"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
