"""The SSDA903 missing table (contract.md, "SSDA903 missing table"; ssda903.md).

One row per episode of the authority's own looked-after children, begun while
the child was looked after, that was open at any time in the collection year
(1 April to 31 March). Before writing, every row is checked against the DfE's
missing-table validation rules; if any would fail, nothing is written and the
problems are returned instead, each naming the child and the rule.

The checks are pure functions over plain values (`MissingRow`, `CarePeriod`),
so they can be tested at their edges without a database.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

HEADER = ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END")


@dataclass(frozen=True)
class MissingRow:
    child: str  # SSDA903 CHILD
    dob: date
    missing: str  # M or A
    start: date
    end: date | None  # blank when still missing at 31 March (or ended after it)
    episode_id: int | None = None
    placement_end: date | None = None  # DEC of the placement the child went missing from


@dataclass(frozen=True)
class CarePeriod:
    start: date  # DECOM
    end: date | None  # DEC
    reason_ceased: str = ""  # REC


@dataclass(frozen=True)
class RuleBreak:
    child: str
    rule: str
    message: str
    episode_id: int | None = None

    def __str__(self) -> str:
        where = f" (episode {self.episode_id})" if self.episode_id else ""
        return f"CHILD {self.child}{where}: rule {self.rule}: {self.message}"


def collection_year(year: int) -> tuple[date, date]:
    """First and last day of the collection year ending 31 March `year`."""
    return date(year - 1, 4, 1), date(year, 3, 31)


def fmt(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def eighteenth_birthday(dob: date) -> date:
    try:
        return dob.replace(year=dob.year + 18)
    except ValueError:  # 29 February
        return date(dob.year + 18, 3, 1)


def check_rows(rows: list[MissingRow], care: dict[str, list[CarePeriod]], year: int) -> list[RuleBreak]:
    """Every missing-table rule of ssda903.md that a row or a child's rows break."""
    first, last = collection_year(year)
    breaks: list[RuleBreak] = []
    by_child: dict[str, list[MissingRow]] = {}
    for r in rows:
        by_child.setdefault(r.child, []).append(r)
        b = lambda rule, msg: breaks.append(RuleBreak(r.child, rule, msg, r.episode_id))  # noqa: E731
        if r.start is None:
            b("1004", "the start date is missing")
            continue
        if r.missing not in ("M", "A"):
            b("1006", f"MISSING is '{r.missing}', not M or A")
        if r.end is not None and r.end < r.start:
            b("567", "the end date is before the start date")
        if r.start > last:
            b("570", "the start date is after the end of the collection year")
        if r.end is not None and not (first <= r.end <= last):
            b("571", "the end date is outside the collection year")
        if r.start < r.dob:
            b("586", "the child was missing before their date of birth")
        if r.placement_end is not None and r.placement_end <= last and r.end is None:
            b("575", "the placement the child went missing from has ended but the missing period has no end")
        periods = sorted(care.get(r.child, []), key=lambda p: p.start)
        if not periods:
            b("INT04", "the child is not in the SSDA903 header and episodes of this authority")
            continue
        in_care = any(p.start <= r.start and (p.end is None or r.start <= p.end) for p in periods)
        if r.start < periods[0].start:
            b("581", "the child was missing before they started to be looked after")
        elif not in_care:
            b("578", "the missing period starts after the child ceased to be looked after (outside the period of care)")
        care_end = periods[-1].end
        if care_end is not None and care_end <= last and r.end is None:
            b("577", "the child ceased to be looked after but the missing period has no end")
        if (care_end is not None and care_end == eighteenth_birthday(r.dob) and r.start <= care_end
                and (r.end is None or r.end >= care_end) and periods[-1].reason_ceased != "E8"):
            b("580", "the child was missing at their 18th birthday when care ended, but the reason ceased is not E8")
        if not any(p.start <= last and (p.end is None or p.end >= first) for p in periods):
            b("1012", "the child has no period of care in this collection year")
    for child, own in by_child.items():
        own = sorted(own, key=lambda r: (r.start, r.end or date.max))
        for prev, nxt in zip(own, own[1:]):
            if prev.end is None or nxt.start < prev.end:
                breaks.append(RuleBreak(child, "574", "a missing period starts while the previous one is open, or two overlap",
                                        nxt.episode_id))
    return breaks


def build(authority, year: int) -> tuple[list[MissingRow], dict[str, list[CarePeriod]]]:
    """The rows and the children's periods of care, from what Homeward holds."""
    from homeward.episodes.models import Episode
    from homeward.people.models import ChildIdentifier
    from homeward.placements.models import Placement

    first, last = collection_year(year)
    tz = timezone.get_current_timezone()
    from datetime import datetime, time

    year_start = datetime.combine(first, time.min, tzinfo=tz)
    year_end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    episodes = (
        Episode.objects.filter(responsible_authority=authority, missing_from="care", started_at__lt=year_end)
        .filter(Q(returned_at__isnull=True) | Q(returned_at__gte=year_start))
        .select_related("child", "placement")
        .order_by("child_id", "started_at")
    )
    idents = {}
    for child_id, value in ChildIdentifier.objects.filter(
        kind=ChildIdentifier.Kind.LA_CHILD, authority=authority
    ).values_list("child_id", "value"):
        idents.setdefault(child_id, value)
    rows: list[MissingRow] = []
    child_ids = set()
    for e in episodes:
        child_ids.add(e.child_id)
        ref = idents.get(e.child_id) or f"(no SSDA903 CHILD; Homeward child {e.child_id})"
        end = timezone.localtime(e.returned_at).date() if e.returned_at else None
        rows.append(MissingRow(
            child=ref, dob=e.child.dob, missing="A" if e.category == "absent" else "M",
            start=timezone.localtime(e.started_at).date(), end=end if end is not None and end <= last else None,
            episode_id=e.pk, placement_end=e.placement.end_date if e.placement else None,
        ))
    care: dict[str, list[CarePeriod]] = {}
    for p in Placement.objects.filter(responsible_authority=authority, child_id__in=child_ids).order_by("start_date"):
        ref = idents.get(p.child_id)
        if ref:
            care.setdefault(ref, []).append(CarePeriod(p.start_date, p.end_date, p.reason_ceased))
    return rows, care


def render_csv(rows: list[MissingRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for r in sorted(rows, key=lambda r: (r.child, r.start)):
        writer.writerow([r.child, fmt(r.dob), r.missing, fmt(r.start), fmt(r.end)])
    return out.getvalue()


def export(*, actor, authority, year: int) -> tuple[str | None, list[RuleBreak]]:
    """The CSV text, or None and the rules the data would break. Audited."""
    from homeward.access.audit import audit_record
    from homeward.access.models import AuditEvent

    rows, care = build(authority, year)
    breaks = check_rows(rows, care, year)
    audit_record(actor=actor, action=AuditEvent.Action.EXPORT, object_type="ssda903_missing",
                 object_id=f"{authority.code}/{year}",
                 summary=f"SSDA903 missing table {authority.code} {year}: "
                         + (f"{len(rows)} rows" if not breaks else f"refused, {len(breaks)} rule breaks"),
                 payload={"authority": authority.code, "year": year, "rows": len(rows), "breaks": len(breaks)})
    if breaks:
        return None, breaks
    return render_csv(rows), []
