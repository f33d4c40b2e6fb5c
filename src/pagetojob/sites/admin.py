from django.contrib import admin

from pagetojob.sites.models import Binding, CapacityRule, Page, Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "key", "base_url"]


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["path", "workspace", "kind", "title"]
    list_filter = ["kind", "workspace"]
    search_fields = ["path", "title"]


@admin.register(Binding)
class BindingAdmin(admin.ModelAdmin):
    list_display = ["page", "workspace", "status", "job_type", "business_unit", "campaign"]
    list_filter = ["status", "workspace"]
    raw_id_fields = ["page", "job_type", "business_unit", "campaign", "membership_type", "booking_provider"]


@admin.register(CapacityRule)
class CapacityRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "kind", "cta", "active"]
    list_filter = ["kind", "workspace"]
