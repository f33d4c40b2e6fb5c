from django.contrib import admin

from pagetojob.readiness.models import FeatureFlag, GateRecord, LiveEvidence, ModuleOwnership


@admin.register(GateRecord)
class GateRecordAdmin(admin.ModelAdmin):
    list_display = ["gate", "workspace", "satisfied", "environment", "recorded_at"]


@admin.register(ModuleOwnership)
class ModuleOwnershipAdmin(admin.ModelAdmin):
    list_display = ["module", "workspace", "answer", "answered_at"]


@admin.register(FeatureFlag)
class FeatureFlagAdmin(admin.ModelAdmin):
    list_display = ["key", "workspace", "enabled", "changed_at"]


@admin.register(LiveEvidence)
class LiveEvidenceAdmin(admin.ModelAdmin):
    list_display = ["capability", "workspace", "environment", "succeeded_at"]
