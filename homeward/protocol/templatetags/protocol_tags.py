"""Filters for the protocol's pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def lookup(mapping, key):
    """mapping[key] in a template, or ''."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def london(value, fmt: str = "j F Y, H:i") -> str:
    """A date-time as UK (Europe/London) wall-clock time."""
    if value is None:
        return ""
    from django.utils import timezone
    from django.utils.dateformat import format as date_format

    return date_format(timezone.localtime(value), fmt)


@register.filter
def split(value, sep: str = "|") -> list[str]:
    """'Name|Age'|split:'|' gives a list, for a table's headings."""
    return str(value).split(sep)
