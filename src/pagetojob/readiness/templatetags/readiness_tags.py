from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def status_class(status: str) -> str:
    return status.replace(" ", "-")


@register.filter
def lookup(mapping: dict, key: str):
    return mapping.get(key, 0)
