from django.contrib import admin

from pagetojob.accounts.models import AuditEntry, Invitation, Membership, OutboundEmail, Workspace


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "trade", "is_demo", "created_at"]
    search_fields = ["name", "key"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "workspace", "role", "created_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    exclude = ["token"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "workspace", "actor_label", "action", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "actor_label"]

    def has_change_permission(self, request, obj=None):
        return False  # the audit log is append-only, for support too

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "to", "subject", "work_state", "attempts", "sent_at", "last_error"]
    list_filter = ["work_state", "kind"]
