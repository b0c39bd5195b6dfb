"""The briefing's sections on pages it does not own: the episode page and the
child's page each include one template (web/briefing/episode_section.html,
web/briefing/child_actions.html) that calls a tag here.

The tags ask the selectors (scoped, audited) for the signed-in person, so
the section is the same on every render of those pages (the episode page is
also shown again after a refused risk change) without their views knowing
of this part.
"""

from __future__ import annotations

from django import template
from django.http import Http404

from homeward.briefing import selectors

register = template.Library()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None) if request is not None else None


@register.inclusion_tag("web/briefing/_episode_section.html", takes_context=True)
def briefing_episode_section(context, episode):
    user = _user(context)
    section = None
    if user is not None and getattr(user, "is_authenticated", False) and episode is not None:
        try:
            section = selectors.episode_section(actor=user, episode=episode)
        except Http404:
            section = None
    from homeward.briefing.present import details_rows

    return {"section": section, "episode": episode,
            "details_rows": details_rows(section.details) if section is not None else []}


@register.inclusion_tag("web/briefing/_child_actions.html", takes_context=True)
def briefing_child_actions(context, child, open_episode=None):
    user = _user(context)
    actions = None
    if user is not None and getattr(user, "is_authenticated", False) and child is not None:
        actions = selectors.child_actions(actor=user, child=child, open_episode=open_episode)
    return {"actions": actions}
