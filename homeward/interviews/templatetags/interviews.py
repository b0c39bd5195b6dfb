"""Template helpers for the return interview pages: links and status tags."""

from __future__ import annotations

from django import template
from django.utils import timezone

from homeward.interviews import rules
from homeward.interviews.links import iurl

register = template.Library()


@register.simple_tag
def interview_url(name: str, *args) -> str:
    """{% interview_url 'interview_detail' interview.pk %}"""
    return iurl(name, *args)


def status_of(interview, now=None) -> tuple[str, str]:
    """(text, tag classes) for an interview's state."""
    now = now or timezone.now()
    if interview.cancelled:
        return "Cancelled", "govuk-tag--grey"
    if not interview.required:
        return "Not required", "govuk-tag--grey"
    if interview.progress == rules.COMPLETED:
        return ("Completed in time", "govuk-tag--green") if interview.completed_in_time else ("Completed late", "govuk-tag--green")
    if interview.progress in (rules.DECLINED_BY_CHILD, rules.DECLINED_BY_PARENT_OR_CARER):
        return interview.get_progress_display(), "govuk-tag--yellow"
    if interview.progress == rules.UNABLE_TO_CONTACT:
        return "Unable to contact", "govuk-tag--yellow"
    if now > interview.due_at:
        return "Overdue", "govuk-tag--red"
    if interview.progress == rules.ACCEPTED:
        return "Accepted", "govuk-tag--blue"
    if interview.progress == rules.OFFERED:
        return "Offered", "govuk-tag--blue"
    return "Due", "govuk-tag--light-blue"


@register.inclusion_tag("web/components/tag.html")
def interview_status(interview):
    text, classes = status_of(interview)
    return {"text": text, "classes": classes}
