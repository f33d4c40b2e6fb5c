from __future__ import annotations

from django import template

from pagetojob.taxonomy.columns import FIELD_LABELS

register = template.Library()


@register.filter
def field_label(field: str) -> str:
    return FIELD_LABELS.get(field, field.replace("_", " "))


@register.filter
def import_value(value, field: str = "") -> str:
    """A candidate's value as a reviewer reads it."""
    if field == "active" or isinstance(value, bool):
        return "active" if value else "inactive"
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
