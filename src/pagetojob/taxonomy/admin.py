from django.contrib import admin

from pagetojob.taxonomy.families import FAMILIES


class TaxonomyItemAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "st_id", "active", "source", "last_seen_at"]
    list_filter = ["active", "source", "workspace"]
    search_fields = ["name", "st_id"]


for family in FAMILIES:
    admin.site.register(family.model, TaxonomyItemAdmin)
