from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def audit_value(value) -> str:
    """An audit detail as a person reads it: no Python None/True/False or list brackets."""
    if value is None or value == "" or value == []:
        return "—"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list | tuple):
        return ", ".join(audit_value(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {audit_value(item)}" for key, item in value.items())
    return str(value)


@register.filter
def is_change(value) -> bool:
    return isinstance(value, dict) and set(value) == {"before", "after"}
