from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.simple_tag
def cell(item, attribute: str):
    """Render one family column for an item (lists as chips, prices as money)."""
    if attribute == "allowed_business_units":
        units = list(item.business_units.all())
        if not units:
            return format_html('<span class="muted">none</span>')
        return format_html_join("", '<span class="chip">{}</span>', ((unit.name,) for unit in units))
    if attribute == "state_label":
        return format_html('<span class="badge {}">{}</span>', item.state.replace("_", "-"), item.get_state_display())
    if attribute == "cities_text":
        return ", ".join(item.cities) or "—"
    if attribute == "zips_text":
        zips = list(item.zips)
        shown = ", ".join(zips[:8]) + (f" +{len(zips) - 8} more" if len(zips) > 8 else "")
        return format_html('<span class="path">{}</span>', shown or "—")
    value = getattr(item, attribute, "")
    if attribute in ("price", "member_price"):
        return "—" if value is None else f"${value:,.2f}"
    return value if value not in (None, "") else "—"
