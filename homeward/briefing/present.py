"""Rows for the summary lists and tables of the profile and the briefing.

As homeward/web/present.py: cells that hold markup (several lines, a tag)
are made here, everything else is plain text escaped by the templates. The
briefing's rows hold no links: the same rows are printed in the PDF.
"""

from __future__ import annotations

from django.utils import timezone

from homeward.web.present import SHORT, authority, lines, risk_tag, tag
from homeward.web.templatetags.homeward import episode_duration, humanise_duration, london

from .models import FIELD_LABELS, Build


def _height(cm) -> str:
    if not cm:
        return ""
    inches = round(cm / 2.54)
    return f"{cm} cm ({inches // 12} ft {inches % 12} in)"


def _build(value: str) -> str:
    return Build(value).label if value in Build.values else value


def _text(value: str):
    """Text typed over several lines, kept as lines."""
    return lines(*(value or "").splitlines())


def _list(values) -> object:
    return lines(*(values or []))


def description_rows(data: dict) -> list[tuple]:
    """What the child looks like. `data`: a profile's snapshot (or a version's data)."""
    return [
        (FIELD_LABELS["height_cm"], _height(data.get("height_cm"))),
        (FIELD_LABELS["build"], _build(data.get("build") or "")),
        (FIELD_LABELS["hair"], data.get("hair") or ""),
        (FIELD_LABELS["eyes"], data.get("eyes") or ""),
        (FIELD_LABELS["distinguishing_marks"], _text(data.get("distinguishing_marks") or "")),
    ]


def contacts_rows(data: dict) -> list[tuple]:
    return [
        (FIELD_LABELS["friends_and_associates"], _list(data.get("friends_and_associates"))),
        (FIELD_LABELS["addresses"], _list(data.get("addresses"))),
        (FIELD_LABELS["places_frequented"], _list(data.get("places_frequented"))),
        (FIELD_LABELS["phones_and_social_media"], _list(data.get("phones_and_social_media"))),
    ]


def phones_rows(data: dict) -> list[tuple]:
    return [(FIELD_LABELS["phones_and_social_media"], _list(data.get("phones_and_social_media")))]


def health_rows(data: dict) -> list[tuple]:
    return [
        (FIELD_LABELS["medication"], _text(data.get("medication") or "")),
        (FIELD_LABELS["medical_conditions"], _text(data.get("medical_conditions") or "")),
        (FIELD_LABELS["transport"], _text(data.get("transport") or "")),
    ]


def previous_rows(episodes) -> list[list]:
    rows = []
    for e in episodes:
        rows.append([
            london(e.started_at, SHORT),
            episode_duration(e) or (f"{humanise_duration(timezone.now() - e.started_at)} so far"
                                    if e.returned_at is None else ""),
            e.get_category_display(),
            risk_tag(e.risk_level),
            lines(e.found_where, e.found_postcode) if (e.found_where or e.found_postcode) else "",
        ])
    return rows


def version_rows(versions) -> list[list]:
    rows = []
    for v in versions:
        who = lines(v.made_by_username, v.made_by_organisation)
        changed = ", ".join(FIELD_LABELS.get(name, name).lower() for name in v.changed) or "nothing"
        rows.append([v.version, london(v.made_at, SHORT), who, changed[:1].upper() + changed[1:]])
    return rows


def child_rows(child, *, age) -> list[tuple]:
    return [
        ("Name", child.full_name),
        ("Also known as", lines(*(f"{a.first_name} {a.last_name}" for a in child.aliases.all()))),
        ("Date of birth", f"{child.dob.strftime('%-d %B %Y')} (age {age})" if age is not None
         else child.dob.strftime("%-d %B %Y")),
        ("Sex", child.get_sex_display()),
        ("Ethnicity (DfE code)", child.ethnicity),
    ]


def episode_rows(briefing) -> list[tuple]:
    e = briefing.episode
    provider = e.provider
    placement = e.placement
    missing_from = e.get_missing_from_display()
    if provider is not None:
        missing_from = f"{missing_from}: {provider.name}" + (f", {provider.postcode}" if provider.postcode else "")
    elif e.postcode:
        missing_from = f"{missing_from}: {e.postcode}"
    rows = [
        ("Status", tag("Missing now", "govuk-tag--red") if e.is_open else tag(e.get_status_display(),
                                                                              "govuk-tag--green")),
        ("Risk level", risk_tag(e.risk_level)),
        ("Missing or absent", e.get_category_display()),
        ("Missing from", missing_from),
        ("Last seen", london(e.last_seen_at or e.started_at)),
        ("Reported", london(e.reported_at)),
    ]
    if e.returned_at is not None:
        rows.append(("Returned or found", london(e.returned_at)))
    else:
        rows.append(("Missing for", f"{humanise_duration(timezone.now() - e.started_at)} so far"))
    rows += [
        ("Area where missing", authority(e.area_authority)),
        ("Responsible authority", authority(e.responsible_authority)),
        ("Placement postcode", placement.placement_postcode if placement is not None else ""),
        ("Council contact", briefing.contact),
        ("Homeward episode number", e.pk),
    ]
    return rows


def details_rows(details) -> list[tuple]:
    if details is None:
        return []
    return [
        ("What they were wearing", _text(details.clothing)),
        ("Where they were last seen", details.last_seen_where),
        ("When they were last seen", london(details.last_seen_at)),
        ("Who they were with", _text(details.with_whom)),
        ("Any other information", _text(details.other_information)),
        ("Recorded", lines(london(details.recorded_at), f"by {details.recorded_by_username}")),
    ]


def briefing_rows(briefing) -> dict:
    data = briefing.profile.snapshot() if briefing.profile is not None else {}
    return {
        "child_rows": child_rows(briefing.child, age=briefing.age),
        "episode_rows": episode_rows(briefing),
        "details_rows": details_rows(briefing.details),
        "description_rows": description_rows(data) if data else [],
        # Friends, addresses and places are in the panel (with the interviews'): only the phones here.
        "contacts_rows": phones_rows(data) if data else [],
        "health_rows": health_rows(data) if data else [],
        "previous_rows": previous_rows(briefing.previous),
        "sections": briefing.known.for_briefing,
    }
