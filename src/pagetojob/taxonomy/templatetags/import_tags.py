from __future__ import annotations

from django import template

from pagetojob.accounts.templatetags.audit_tags import audit_value
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
    return audit_value(value)
