"""Reading places and hotspots, scoped to the person asking and audited.

- `hotspots_for(actor=..., query=...)`: the areas of a period ranked by
  episodes and by children, with the previous period of the same length,
  suppressed for roles that see figures only. 404 for a person who may not
  see the authority's figures.
- `hotspot_episodes(actor=..., query=..., key=...)`: the episodes behind one
  area, for people who see named records, limited to their scope and
  audited. 404 otherwise.
- `places_for_child(actor, child)`: the places a child was found at, went
  missing from, stayed at or frequents, with counts and the last date; for
  the child's page, the intelligence part and the police briefing. Scoped
  (404 for a child outside the scope) and audited; the police see places
  from return home interviews only when the interviewer shared them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import h3
from django.http import Http404

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.access.scope import children_visible_to, episodes_visible_to
from homeward.placements.models import Authority

from . import access, rules
from .hotspots import HotspotQuery, area_counts_with_previous, episode_ids_in_area
from .models import ChildPlace, Place, PostcodeDistrict, Role

NO_PLACE = {"found": "No place found", "from": "No place recorded"}


@dataclass
class AreaRow:
    key: str | None
    label: str
    episodes: int
    children: int
    previous_episodes: int
    previous_children: int
    # What the person is shown (suppressed for figures-only roles).
    shown_episodes: int | str = 0
    shown_children: int | str = 0
    shown_previous_episodes: int | str = 0
    change: str = ""
    trend: str = ""  # up / down / same / new, or "" when withheld
    suppressed: bool = False
    latitude: float | None = None
    longitude: float | None = None
    boundary: list = field(default_factory=list)  # H3 cells: [[lat, lon], ...]


@dataclass
class HotspotView:
    authority: Authority
    query: HotspotQuery
    previous: HotspotQuery
    rows: list[AreaRow]  # by episodes (rules.hotspot_order)
    threshold: int | None
    total_episodes: int
    previous_total: int

    @property
    def by_children(self) -> list[AreaRow]:
        """Most distinct children first; suppressed rows after the others, by name."""
        if self.threshold:
            shown = [r for r in self.rows if not r.suppressed]
            hidden = [r for r in self.rows if r.suppressed]
            return (sorted(shown, key=lambda r: (-r.children, -r.episodes, rules.area_sort_key(r.key)))
                    + sorted(hidden, key=lambda r: rules.area_sort_key(r.key)))
        return sorted(self.rows, key=lambda r: (-r.children, -r.episodes, rules.area_sort_key(r.key)))

    @property
    def rule(self) -> str:
        return rules.suppression_rule(self.threshold) if self.threshold else ""


def authority_for(actor, code_or_id) -> Authority:
    """The authority if the person may see its hotspots, else 404."""
    allowed = access.hotspot_authority_ids(actor)
    text = str(code_or_id or "").strip()
    authority = None
    if text:
        authority = Authority.objects.filter(code=text).first()
    if authority is None or authority.pk not in allowed:
        raise Http404("No such authority")
    return authority


def default_authority(actor) -> Authority:
    allowed = access.hotspot_authority_ids(actor)
    if not allowed:
        raise Http404("No such page")
    return Authority.objects.filter(pk__in=allowed).order_by("name").first()


def nearest_district(lat: float, lon: float, points) -> str:
    """The district whose centroid is nearest (points: (district, lat, lon))."""
    if not points:
        return ""
    scale = 0.62  # cos(52°): a degree of longitude is shorter than one of latitude here
    return min(points, key=lambda p: (p[1] - lat) ** 2 + ((p[2] - lon) * scale) ** 2)[0]


def _locate(rows: list[AreaRow], area: str) -> None:
    if area == "h3":
        points = tuple(PostcodeDistrict.objects.values_list("district", "latitude", "longitude"))
        for r in rows:
            if r.key and h3.is_valid_cell(r.key):
                r.latitude, r.longitude = h3.cell_to_latlng(r.key)
                r.boundary = [[round(a, 6), round(b, 6)] for a, b in h3.cell_to_boundary(r.key)]
                near = nearest_district(r.latitude, r.longitude, points)
                r.label = f"Around {near}" if near else "Hexagon"
        return
    keys = [r.key for r in rows if r.key]
    where = dict((d, (lat, lon)) for d, lat, lon in
                 PostcodeDistrict.objects.filter(district__in=keys).values_list("district", "latitude", "longitude"))
    for r in rows:
        if r.key in where:
            r.latitude, r.longitude = where[r.key]


def hotspots_for(*, actor, query: HotspotQuery) -> HotspotView:
    authority = Authority.objects.filter(pk=query.authority_id).first()
    if authority is None or authority.pk not in access.hotspot_authority_ids(actor):
        raise Http404("No such authority")
    previous = query.previous()
    current, earlier = area_counts_with_previous(query)
    before = {r.key: r for r in earlier}
    threshold = access.suppression_threshold(actor)
    rows = []
    for r in current:
        p = before.get(r.key)
        pe, pc = (p.episodes, p.children) if p else (0, 0)
        label = r.key if r.key else NO_PLACE[query.where]
        row = AreaRow(r.key, label, r.episodes, r.children, pe, pc)
        if threshold:
            row.shown_episodes = rules.suppress(r.episodes, threshold)
            row.shown_children = rules.suppress(r.children, threshold)
            row.shown_previous_episodes = rules.suppress(pe, threshold)
            row.suppressed = isinstance(row.shown_episodes, str)
            if row.suppressed or (0 < pe < threshold):
                row.change, row.trend = "withheld (small numbers)", ""
            else:
                row.change, row.trend = rules.change_text(r.episodes, pe), rules.trend(r.episodes, pe)
        else:
            row.shown_episodes, row.shown_children, row.shown_previous_episodes = r.episodes, r.children, pe
            row.change, row.trend = rules.change_text(r.episodes, pe), rules.trend(r.episodes, pe)
        rows.append(row)
    if threshold:  # suppressed rows after the others, by name: their order would tell their size
        rows = [r for r in rows if not r.suppressed] + sorted([r for r in rows if r.suppressed],
                                                              key=lambda r: rules.area_sort_key(r.key))
    _locate(rows, query.area)
    return HotspotView(authority=authority, query=query, previous=previous, rows=rows, threshold=threshold,
                       total_episodes=sum(r.episodes for r in current),
                       previous_total=sum(r.episodes for r in before.values()))


def hotspot_episodes(*, actor, query: HotspotQuery, key: str | None, limit: int = 500):
    """(episodes the person may see, how many of the area's episodes they may
    not) for one area of the period. 404 for a role without named records or
    an authority outside the person's figures. Audited."""
    if not access.can_see_episodes_behind(actor):
        raise Http404("No such page")
    authority = Authority.objects.filter(pk=query.authority_id).first()
    if authority is None or authority.pk not in access.hotspot_authority_ids(actor):
        raise Http404("No such authority")
    from .freshness import ensure_fresh

    ensure_fresh()
    ids = episode_ids_in_area(query, key)
    visible = list(episodes_visible_to(actor).filter(pk__in=ids)
                   .select_related("child", "area_authority", "place_summary__found_place",
                                   "place_summary__from_place")
                   .order_by("-started_at", "-pk")[:limit])
    seen = episodes_visible_to(actor).filter(pk__in=ids).count()
    audit_record(actor=actor, action=AuditEvent.Action.LIST, object_type="episode",
                 summary=f"Listed {len(visible)} episodes behind a hotspot ({key or 'no place'})",
                 payload={"authority": authority.code, "from": query.start.isoformat(), "to": query.end.isoformat(),
                          "area": query.area, "where": query.where, "key": key,
                          "episode_ids": [e.pk for e in visible][:500],
                          "child_ids": sorted({e.child_id for e in visible})[:500]})
    return visible, len(ids) - seen, seen


# --- a child's places ---------------------------------------------------------------------------


@dataclass
class ChildPlaceSummary:
    place: Place
    roles: dict[str, int]  # role -> number of links (episodes, interviews, entries)
    count: int
    last_date: date | None
    sources: list[str]

    @property
    def label(self) -> str:
        return self.place.label or self.place.postcode or self.place.district


def _interview_places_visible(actor, links: list[ChildPlace]) -> set[int]:
    """The links from return interviews this person may see (interviews/access.py)."""
    from homeward.interviews import access as interview_access
    from homeward.interviews.models import Interview

    ids = {int(link.source.split(":", 1)[1]) for link in links if link.source.startswith("rhi:")
           and link.source.split(":", 1)[1].isdigit()}
    if not ids:
        return set()
    level = {i.pk: interview_access.interview_access(actor, i) for i in Interview.objects.filter(pk__in=ids)}
    ok = set()
    for link in links:
        if not link.source.startswith("rhi:"):
            continue
        interview_id = int(link.source.split(":", 1)[1])
        seen = level.get(interview_id)
        if seen == interview_access.FULL or (seen == interview_access.SHARED and link.named_place_id
                                             and link.named_place.shared):
            ok.add(link.pk)
    return ok


def places_for_child(actor, child, *, roles: tuple[str, ...] | None = None) -> list[ChildPlaceSummary]:
    """The places linked to a child (all roles, or `roles`), most used first:
    each with the number of links per role, in all, and the last date.
    404 for a child outside the person's scope; the read is audited."""
    child_pk = getattr(child, "pk", child)
    if not children_visible_to(actor).filter(pk=child_pk).exists():
        audit_record(actor=actor, action=AuditEvent.Action.DENIED, object_type="child", object_id=str(child_pk),
                     summary="Places of a child: record not found or outside scope")
        raise Http404("No such child")
    links = list(ChildPlace.objects.filter(child_id=child_pk).select_related("place", "named_place")
                 .order_by("pk"))
    if roles:
        links = [link for link in links if link.role in roles]
    from_interviews = _interview_places_visible(actor, links)
    out: dict[int, ChildPlaceSummary] = {}
    for link in links:
        if link.source.startswith("rhi:") and link.pk not in from_interviews:
            continue
        s = out.get(link.place_id)
        if s is None:
            s = out[link.place_id] = ChildPlaceSummary(link.place, {}, 0, None, [])
        s.roles[link.role] = s.roles.get(link.role, 0) + 1
        s.count += 1
        if link.date and (s.last_date is None or link.date > s.last_date):
            s.last_date = link.date
        if link.source not in s.sources:
            s.sources.append(link.source)
    result = sorted(out.values(), key=lambda s: (-s.count, -(s.last_date.toordinal() if s.last_date else 0),
                                                 s.label))
    audit_record(actor=actor, action=AuditEvent.Action.READ, object_type="child", object_id=str(child_pk),
                 child_id=child_pk, summary="Viewed the places linked to a child",
                 payload={"places": [s.place.pk for s in result][:200]})
    return result


ROLE_LABELS = dict(Role.choices)
