from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """{{ counts|get_item:'high' }}: a dictionary value in a template."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def severity_is(findings: Any, severity: str) -> list:
    """The findings of one severity, in their order: {{ findings|severity_is:'high' }}."""
    return [finding for finding in findings if finding.severity == severity]
