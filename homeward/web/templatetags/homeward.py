"""Filters for Homeward's pages: times in Europe/London, durations, risk tag colours."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone

register = template.Library()

RISK_COLOURS = {
    "high": "govuk-tag--red",
    "medium": "govuk-tag--orange",
    "low": "govuk-tag--yellow",
    "no_apparent_risk": "govuk-tag--grey",
}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def humanise_duration(delta: timedelta | None) -> str:
    """'2 days 3 hours', '5 hours 10 minutes', '40 minutes' (real elapsed time)."""
    if delta is None:
        return ""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 0:
        return "0 minutes"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{_plural(days, 'day')} {_plural(hours, 'hour')}"
    if hours:
        return f"{_plural(hours, 'hour')} {_plural(mins, 'minute')}"
    return _plural(mins, "minute")


@register.filter
def london(value: datetime | None, fmt: str = "j F Y, H:i") -> str:
    """A date-time as Europe/London wall-clock time."""
    if value is None:
        return ""
    from django.utils.dateformat import format as date_format

    return date_format(timezone.localtime(value, timezone.get_default_timezone()), fmt)


@register.filter
def episode_duration(episode) -> str:
    if episode.returned_at is None:
        return ""
    return humanise_duration(episode.returned_at - episode.started_at)


@register.filter
def risk_class(level: str) -> str:
    return RISK_COLOURS.get(level or "", "govuk-tag--grey")


@register.filter
def split(value: str, sep: str = "|") -> list[str]:
    """'Name|Age'|split:'|' gives a list, for a table's headings."""
    return str(value).split(sep)
