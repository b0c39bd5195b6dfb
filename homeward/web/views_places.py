"""The hotspot pages: where an authority's episodes ended (or started), by
postcode district or H3 hexagon, for the monthly Multiple Missing and
Hotspots meeting.

- `places_hotspots`: the filters, a map (Leaflet, drawn from the JSON of
  `places_map_data` over the shipped district outlines; no base map unless a
  tile server is configured) and, as its accessible alternative, the same
  figures as tables ranked by episodes and by children with the trend
  against the previous period of the same length. Counts are suppressed
  for roles that see figures only (the rule is stated on the page).
- `places_area_episodes`: the episodes behind one area, for people who see
  named records, limited to their scope (404 otherwise). Audited.
- `places_map_data`: the map's data (JSON), with the same permissions.

Everything is read through homeward.places.selectors.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from homeward.places import access
from homeward.places.params import AREA_CHOICES, MISSING_FROM_CHOICES, WHERE_CHOICES, read_filters, read_key
from homeward.places.selectors import NO_PLACE, hotspot_episodes, hotspots_for
from homeward.placements.models import Authority

from . import present
from .forms import Errors
from .templatetags.homeward import london

TREND_WORDS = {"up": "Up", "down": "Down", "same": "No change", "new": "New"}
FIELD_ANCHORS = {"from": "from", "to": "to", "missing_from": "missing_from", "area": "area", "where": "where"}


def _episodes_url(filters, key: str | None) -> str:
    return reverse("web:places_area_episodes") + "?" + urlencode({**filters.as_query(), "key": key or "none"})


def _area_cell(row, filters, names: bool):
    if names and row.episodes:
        return present.link(_episodes_url(filters, row.key), row.label, hidden="(list the episodes)")
    return row.label


def _change_cell(row) -> str:
    return row.change


def _rows(rows, filters, names: bool) -> list[list]:
    return [[i, _area_cell(r, filters, names), r.shown_episodes, r.shown_children, r.shown_previous_episodes,
             _change_cell(r)] for i, r in enumerate(rows, 1)]


def _authority_choices(actor) -> list[tuple[str, str]]:
    ids = access.hotspot_authority_ids(actor)
    return [(a.code, f"{a.name} ({a.code})") for a in Authority.objects.filter(pk__in=ids).order_by("name")]


def _map_settings() -> dict:
    return {
        "tiles_url": getattr(settings, "HOMEWARD_MAP_TILES_URL", ""),
        "tiles_attribution": getattr(settings, "HOMEWARD_MAP_TILES_ATTRIBUTION", ""),
    }


@login_required
@require_GET
def hotspots(request):
    if not access.can_see_hotspots(request.user):
        raise Http404("No such page")
    query, filters, problems = read_filters(request.user, request.GET)
    errors = Errors(anchors=FIELD_ANCHORS)
    errors.add_problems(problems)
    context = {
        "filters": filters,
        "errors": errors,
        "authority_choices": _authority_choices(request.user),
        "missing_from_choices": MISSING_FROM_CHOICES,
        "area_choices": AREA_CHOICES,
        "where_choices": WHERE_CHOICES,
        "action": reverse("web:places_hotspots"),
        "names": access.can_see_episodes_behind(request.user),
    }
    if query is not None:
        view = hotspots_for(actor=request.user, query=query)
        head = ["Rank", "Postcode district" if query.area == "district" else "Area (hexagon)", "Episodes",
                "Children", "Episodes in the previous period", "Change in episodes"]
        qs = urlencode(filters.as_query())
        context.update({
            "view": view,
            "head": head,
            "episode_rows": _rows(view.rows, filters, context["names"]),
            "children_rows": _rows(view.by_children, filters, context["names"]),
            "total": view.total_episodes if not view.threshold else _shown(view.total_episodes, view.threshold),
            "previous_total": view.previous_total if not view.threshold else _shown(view.previous_total,
                                                                                    view.threshold),
            "period_label": _period_label(query.start, query.end),
            "previous_label": _period_label(view.previous.start, view.previous.end),
            "map_data_url": reverse("web:places_map_data") + "?" + qs,
            "outlines_url": static("places/district-outlines.geojson"),
            "no_place": NO_PLACE[query.where],
            **_map_settings(),
        })
    return render(request, "web/places/hotspots.html", context)


def _shown(n: int, threshold: int):
    from homeward.places.rules import suppress

    return suppress(n, threshold)


def _period_label(start, end) -> str:
    import datetime as dt

    last = end - dt.timedelta(days=1)
    return f"{start.day} {start:%B %Y} to {last.day} {last:%B %Y}"


@login_required
@require_GET
def map_data(request):
    if not access.can_see_hotspots(request.user):
        raise Http404("No such page")
    query, filters, problems = read_filters(request.user, request.GET)
    if query is None:
        return JsonResponse({"errors": [{"field": p.field, "message": p.message} for p in problems]}, status=400)
    view = hotspots_for(actor=request.user, query=query)
    names = access.can_see_episodes_behind(request.user)
    return JsonResponse(map_payload(view, filters, names))


def map_payload(view, filters, names: bool) -> dict:
    areas = []
    for rank, r in enumerate(view.rows, 1):
        if r.key is None:
            continue
        areas.append({
            "key": r.key, "label": r.label, "rank": rank,
            "episodes": r.shown_episodes, "children": r.shown_children,
            "previous_episodes": r.shown_previous_episodes, "change": r.change, "trend": r.trend,
            "suppressed": r.suppressed,
            "level": _level(r, view),
            "latitude": r.latitude, "longitude": r.longitude, "boundary": r.boundary,
            "url": _episodes_url(filters, r.key) if names and r.episodes else "",
        })
    return {
        "authority": view.authority.code, "from": view.query.start.isoformat(), "to": view.query.end.isoformat(),
        "area": view.query.area, "where": view.query.where, "missing_from": view.query.missing_from or None,
        "threshold": view.threshold, "rule": view.rule, "areas": areas,
        "no_place": next(({"episodes": r.shown_episodes, "children": r.shown_children}
                          for r in view.rows if r.key is None), None),
    }


def _level(row, view) -> int:
    """A shade from 1 (fewest) to 5 (most) for the map, from the exact
    episodes relative to the busiest area; suppressed areas are all 1, so the
    shade tells nothing the table does not."""
    if row.suppressed:
        return 1
    top = max((r.episodes for r in view.rows if r.key is not None), default=0)
    if not top:
        return 1
    return max(1, min(5, 1 + int(4 * row.episodes / top + 0.5)))


@login_required
@require_GET
def area_episodes(request):
    if not access.can_see_episodes_behind(request.user):
        raise Http404("No such page")
    query, filters, problems = read_filters(request.user, request.GET)
    if query is None:
        raise Http404("No such area")
    key = read_key(request.GET)
    episodes, hidden, total_seen = hotspot_episodes(actor=request.user, query=query, key=key)
    label = key if key else NO_PLACE[query.where]
    if key and query.area == "h3":
        label = f"the hexagon {key}"
    rows = []
    for e in episodes:
        summary = getattr(e, "place_summary", None)
        place = None
        if summary is not None:
            place = summary.found_place if query.where == "found" else summary.from_place
        rows.append([
            present.link(reverse("web:child", args=[e.child_id]), e.child.full_name),
            london(e.started_at, present.SHORT),
            london(e.returned_at, present.SHORT) if e.returned_at else present.tag("Missing now", "govuk-tag--red"),
            e.get_missing_from_display(),
            (place.label if place else "") or "Not recorded",
            e.area_authority.name,
            present.link(reverse("web:episode", args=[e.pk]), "View", hidden=f"the episode of {e.child.full_name}"),
        ])
    return render(request, "web/places/area_episodes.html", {
        "label": label,
        "query": query,
        "rows": rows,
        "head_cells": ["Child", "Last seen", "Returned", "Home or care",
                       "Found at" if query.where == "found" else "Missing from", "Area", "Episode"],
        "hidden": hidden,
        "shown": len(rows),
        "total_seen": total_seen,
        "period_label": _period_label(query.start, query.end),
        "where_found": query.where == "found",
        "back": reverse("web:places_hotspots") + "?" + urlencode(filters.as_query()),
    })
