"""Rows for the GOV.UK summary lists and tables on Homeward's pages.

Django templates cannot pass a block of markup to an include, so the cells
that hold a link, a tag or a small form are made here, each from the same
component templates the pages use, and handed to `table.html` and
`summary_list.html` as safe HTML. Everything else is plain text, escaped by
the template.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from homeward.episodes.models import RiskLevel

from .templatetags.homeward import episode_duration, humanise_duration, london, risk_class

# Dates in tables, where space is short: "5 Jul 2024, 21:10" (Europe/London).
SHORT = "j M Y, H:i"


def link(url: str, text: str, hidden: str = "") -> SafeString:
    if hidden:
        return format_html('<a class="govuk-link" href="{}">{}<span class="govuk-visually-hidden"> {}</span></a>',
                           url, text, hidden)
    return format_html('<a class="govuk-link" href="{}">{}</a>', url, text)


def tag(text: str, classes: str = "") -> SafeString:
    return mark_safe(render_to_string("web/components/tag.html", {"text": text, "classes": classes}).strip())


def risk_tag(level: str) -> SafeString:
    if not level:
        return tag("Not assessed", "govuk-tag--grey")
    return tag(RiskLevel(level).label, risk_class(level))


def authority(a) -> str:
    return f"{a.name} ({a.code})" if a is not None else ""


def lines(*parts) -> SafeString:
    """Several values in one cell, one a line."""
    return format_html_join(mark_safe("<br>"), "{}", ((p,) for p in parts if p))


# --- missing now and children --------------------------------------------------------------


def missing_now_rows(episodes) -> list[list]:
    today = timezone.localdate()
    rows = []
    for e in episodes:
        child = e.child
        rows.append([
            link(reverse("web:child", args=[child.pk]), child.full_name),
            child.age_on(today),
            e.get_missing_from_display(),
            risk_tag(e.risk_level),
            london(e.last_seen_at or e.started_at, SHORT),
            humanise_duration(timezone.now() - e.started_at),
            e.area_authority.name,
            link(reverse("web:episode", args=[e.pk]), "View", hidden=f"the episode of {child.full_name}"),
        ])
    return rows


def children_rows(children, missing_ids=frozenset(), *, report: bool = False) -> list[list]:
    today = timezone.localdate()
    rows = []
    for c in children:
        if report:
            first = link(reverse("web:report_missing", args=[c.pk]), f"Report {c.full_name} missing")
        else:
            first = link(reverse("web:child", args=[c.pk]), c.full_name)
        rows.append([
            first,
            c.dob.strftime("%-d %B %Y"),
            c.age_on(today),
            authority(c.responsible_authority) if c.responsible_authority_id else authority(c.home_authority),
            "Looked after" if c.responsible_authority_id else "At home",
            tag("Missing now", "govuk-tag--red") if c.pk in missing_ids else "",
        ])
    return rows


# --- a child's record ----------------------------------------------------------------------


def child_identity_rows(child, *, age, aliases, identifiers) -> list[tuple]:
    return [
        ("Name", child.full_name),
        ("Also known as", lines(*(f"{a.first_name} {a.last_name}" + (f" (reported by {a.source})" if a.source else "")
                                  for a in aliases))),
        ("Date of birth", child.dob.strftime("%-d %B %Y")),
        ("Age", age),
        ("Sex", child.get_sex_display()),
        ("Ethnicity", child.ethnicity),
        ("Lives at home in", authority(child.home_authority)),
        ("Home postcode", child.home_postcode),
        ("Responsible authority (looked after)", authority(child.responsible_authority)),
        ("Identifiers", lines(*(f"{i.get_kind_display()}: {i.value}" + (f" ({i.authority.name})" if i.authority_id else "")
                                for i in identifiers))),
        ("Unique pupil number", child.upn),
        ("Homeward record number", child.pk),
    ]


def flag_rows(flags) -> list[list]:
    return [
        [
            f.get_flag_display(),
            tag("Active", "govuk-tag--red") if f.active else tag("Ended", "govuk-tag--grey"),
            f.source,
            f.start_date.strftime("%-d %b %Y"),
            f.end_date.strftime("%-d %b %Y") if f.end_date else "",
            f.note,
        ]
        for f in flags
    ]


def placement_rows(placements) -> list[list]:
    rows = []
    for p in placements:
        kind = p.provider.get_kind_display() if p.provider_id else ""
        rows.append([
            lines(kind, f"SSDA903 {p.place_code}" if p.place_code else ""),
            lines(p.provider.name if p.provider_id else "", f"URN {p.provider.urn}" if p.provider_id and p.provider.urn else ""),
            authority(p.host_authority),
            authority(p.responsible_authority),
            p.start_date.strftime("%-d %b %Y"),
            p.end_date.strftime("%-d %b %Y") if p.end_date else tag("Current", "govuk-tag--green"),
        ])
    return rows


def timeline_rows(episodes) -> list[list]:
    rows = []
    for e in episodes:
        rows.append([
            link(reverse("web:episode", args=[e.pk]), london(e.started_at, SHORT), hidden="(view the episode)"),
            london(e.returned_at, SHORT) if e.returned_at else tag("Missing now", "govuk-tag--red"),
            episode_duration(e) or f"{humanise_duration(timezone.now() - e.started_at)} so far",
            e.get_category_display(),
            e.get_missing_from_display(),
            risk_tag(e.risk_level),
            e.found_postcode,
        ])
    return rows


# --- an episode --------------------------------------------------------------------------------


def episode_rows(e) -> list[tuple]:
    child = e.child
    provider = e.provider
    return [
        ("Child", link(reverse("web:child", args=[child.pk]), child.full_name)),
        ("Status", tag("Missing now", "govuk-tag--red") if e.is_open else tag(e.get_status_display(), "govuk-tag--green")),
        ("Missing or absent", e.get_category_display()),
        ("Missing from", e.get_missing_from_display()),
        ("Risk level", risk_tag(e.risk_level)),
        ("Started", london(e.started_at)),
        ("Last seen", london(e.last_seen_at)),
        ("Reported", london(e.reported_at)),
        ("Returned or found", london(e.returned_at) if e.returned_at else "Not yet"),
        ("Duration", episode_duration(e) or f"{humanise_duration(timezone.now() - e.started_at)} so far"),
        ("Missing from (postcode)", e.postcode),
        ("Found (postcode)", e.found_postcode),
        ("Where found", e.found_where),
        ("Found by", e.found_by),
        ("Area authority", authority(e.area_authority)),
        ("Responsible authority", authority(e.responsible_authority)),
        ("Placement provider", str(provider) if provider is not None else ""),
        ("Recorded in Homeward", london(e.created_at)),
        ("Last changed", london(e.updated_at)),
        ("Episode number", e.pk),
    ]


def risk_change_rows(changes) -> list[list]:
    rows = []
    for c in changes:
        who = c.changed_by.get_full_name() or c.changed_by.username if c.changed_by_id else ""
        rows.append([
            london(c.changed_at, SHORT),
            risk_tag(c.risk_level),
            RiskLevel(c.previous_level).label if c.previous_level else "",
            lines(who, c.source),
            c.reason,
        ])
    return rows


def notification_rows(notifications) -> list[list]:
    rows = []
    for n in notifications:
        raw = sorted((str(k), "" if v is None else str(v)) for k, v in (n.raw or {}).items())
        fields = render_to_string("web/components/summary_list.html", {
            "rows": raw, "classes": "govuk-summary-list--no-border hw-raw", "empty": "(blank)",
        })
        details = render_to_string("web/components/details.html", {
            "summary": "Fields as received", "body": mark_safe(fields),
        })
        rows.append([n.source, n.source_ref, london(n.received_at, SHORT), mark_safe(details)])
    return rows


# --- account and audit ---------------------------------------------------------------------------


def token_rows(tokens, request) -> list[list]:
    rows = []
    for t in tokens:
        if t.revoked_at is None:
            action = mark_safe(render_to_string("web/partials/revoke_form.html", {"token": t}, request=request))
        else:
            action = ""
        rows.append([
            t.name,
            format_html('<code class="hw-raw">{}…</code>', t.hint),
            london(t.created_at, SHORT),
            london(t.last_used_at, SHORT) if t.last_used_at else "Never",
            london(t.revoked_at, SHORT) if t.revoked_at else tag("Active", "govuk-tag--green"),
            action,
        ])
    return rows


def audit_rows(events) -> list[list]:
    rows = []
    for e in events:
        record = f"{e.object_type} {e.object_id}".strip()
        rows.append([
            lines(london(e.at, "j M Y"), london(e.at, "H:i:s")),
            lines(e.actor_username or "(nobody signed in)", e.actor_organisation),
            e.get_action_display(),
            record,
            e.child_id if e.child_id is not None else "",
            e.summary,
            lines(e.via, e.ip or "", e.path),
        ])
    return rows
