"""The reports page: the key figures (`report kpis`) with filters, and the same
figures as PDF, CSV, JSON and xlsx.

Who sees it: roles for which `can_see_figures(role)` holds. Which
authorities: those `homeward.access.scope.authority_ids_for(user)` gives, the
scope of every other page (a council's people: their council's authority; a
police force: the authorities it covers). Nobody picks "all authorities"
here: no role's scope is every authority (the command line, run by whoever
runs the server, can). A council user therefore sees only their own
authority; an authority outside the user's scope is refused like a bad
filter, without saying anything about it.

Small numbers: for roles that see figures only (`can_see_named_records` is
false: the analyst) suppression is always on, with the rule printed on the
page; anyone else may switch it on (decision 0011). The threshold is SUPPRESS_THRESHOLD.

Every view and every download is audited (object type `kpis`, as the
command), with the period, the filters and the format.

The figures are computed by homeward.reporting.kpis.key_figures, rendered
for downloads by homeward.reporting.render (the PDF from the same HTML as
`report kpis --format html`) and homeward.reporting.xlsx.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.access.roles import can_see_figures, sees_figures_only
from homeward.access.scope import authority_ids_for
from homeward.placements.models import Authority
from homeward.problems import Refused
from homeward.reporting import filters as kpi_filters
from homeward.reporting.kpis import key_figures
from homeward.reporting.periodic import protocol_for_period
from homeward.reporting.pdf import PdfError
from homeward.reporting.render import CONTENT_TYPES, apply_suppression, figure_tables, suppression_rule, title_and_period
from homeward.reporting.render import render as render_figures

from .forms import DateTimeInput, Errors, attach

SUPPRESS_THRESHOLD = 5
DOWNLOADS = (("pdf", "PDF"), ("csv", "CSV"), ("json", "JSON"), ("xlsx", "Excel (xlsx)"))
MAX_YEARS = 5


def _role(request) -> str:
    return getattr(request.user, "role", None) or ""


def figures_only(role: str) -> bool:
    """A role that sees figures and no named record (the analyst): small
    numbers are always suppressed for it (decision 0011)."""
    return sees_figures_only(role)


def figure_authorities(user) -> list[Authority]:
    """The authorities whose figures a person may see: their scope
    (access/scope.py)."""
    return list(Authority.objects.filter(pk__in=authority_ids_for(user)).order_by("name"))


# --- the period -------------------------------------------------------------------------


def _statutory_year(today: dt.date) -> int:
    return today.year if today.month >= 4 else today.year - 1


def period_choices(today: dt.date) -> list[tuple[str, str]]:
    """(value "FROM:TO", label): the last three statutory years, their
    quarters, and the last twelve calendar months; then other dates."""
    first = _statutory_year(today)
    years, quarters, months = [], [], []
    for year in range(first, first - 3, -1):
        years.append((f"{dt.date(year, 4, 1)}:{dt.date(year + 1, 4, 1)}",
                      f"1 April {year} to 31 March {year + 1}" + (" (this year so far)" if year == first else "")))
    for year in (first, first - 1):
        for q, (month, label) in enumerate(((4, "April to June"), (7, "July to September"),
                                            (10, "October to December"), (1, "January to March")), start=1):
            y = year if month >= 4 else year + 1
            start = dt.date(y, month, 1)
            if start > today:
                continue
            end = dt.date(y + (month == 10), (month + 3 - 1) % 12 + 1, 1)
            quarters.append((f"{start}:{end}", f"{label} {y} (quarter {q} of {year} to {year + 1})"))
    month = today.replace(day=1)
    for _ in range(12):
        nxt = (month + dt.timedelta(days=32)).replace(day=1)
        months.append((f"{month}:{nxt}", month.strftime("%B %Y")))
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return years + quarters + months + [("custom", "Other dates (enter them below)")]


def _iso(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return dt.date(day.year + years, 3, 1)


def read_period(data, errors: Errors, today: dt.date, first_day: DateTimeInput, last_day: DateTimeInput):
    """(start, end exclusive, the select's value) from the form, or Nones with
    errors added."""
    chosen = (data.get("period") or "").strip()
    if chosen == "custom":
        first_day.bind(data)
        last_day.bind(data)
        start = first_day.clean(errors)
        last = last_day.clean(errors)
        if start is None or last is None:
            return None, None, chosen
        if last < start:
            errors.add("last_day", "Period: the last day must be on or after the first day",
                       anchor="last_day-day")
            return None, None, chosen
        end = last + dt.timedelta(days=1)
    elif chosen:
        start_text, _, end_text = chosen.partition(":")
        start, end = _iso(start_text), _iso(end_text)
        if start is None or end is None or end <= start:
            errors.add("period", "Period: choose a period from the list")
            return None, None, chosen
    elif data.get("from") or data.get("to"):
        start, end = _iso((data.get("from") or "").strip()), _iso((data.get("to") or "").strip())
        if start is None or end is None:
            errors.add("period", "Period: give from and to as YYYY-MM-DD")
            return None, None, ""
        if end <= start:
            errors.add("period", f"Period: to ({end}) must be after from ({start}); to is the day after the last day")
            return None, None, ""
        chosen = f"{start}:{end}"
    else:
        year = _statutory_year(today)
        start, end = dt.date(year, 4, 1), dt.date(year + 1, 4, 1)
        chosen = f"{start}:{end}"
    if end > _years_later(start, MAX_YEARS):
        errors.add("period", f"Period: choose a period of {MAX_YEARS} years or less")
        return None, None, chosen
    return start, end, chosen


# --- the page ------------------------------------------------------------------------------


def _options(mapping: dict, *, codes: bool = False) -> list[tuple[str, str]]:
    return [("", "Any")] + [(value, f"{value}: {label}" if codes else label) for value, label in mapping.items()]


FILTER_OPTIONS = {
    "missing_from": _options({"home": "Home", "care": "Care"}),
    "children": _options({"own": "The authority's own children", "placed-in": "Placed in its area by other authorities"}),
    "age_band": _options(kpi_filters.AGE_BAND_LABELS),
    "sex": _options(kpi_filters.SEXES),
    "ethnicity": _options(kpi_filters.ETHNICITIES, codes=True),
    "placement_type": _options(kpi_filters.PLACEMENT_TYPES, codes=True),
}
FILTER_HINTS = {
    "children": "Own children: all but those placed in the authority's area by other authorities",
    "age_band": "The child's age on the day the episode started",
    "placement_type": "SSDA903 placement type (PLACE) of the placement the child went missing from",
    "provider": "Only episodes from this children's home or agency, for example SC123456",
}


def _query(start, end, authority, filters, suppress: bool, **extra) -> str:
    values = {"from": start.isoformat(), "to": end.isoformat(), "authority": authority.code,
              **filters.as_query()}
    if suppress:
        values["suppress"] = "on"
    values.update(extra)
    return urlencode(values)


def _audit(request, *, action: str, authority, start, end, fmt: str, filters, suppress: int | None,
           table: str = "") -> None:
    verb = "Viewed" if action == AuditEvent.Action.LIST else "Downloaded"
    payload = {"authority": authority.code, "from": start.isoformat(), "to": end.isoformat(), "format": fmt}
    if filters:
        payload["filters"] = filters.given()
    if suppress:
        payload["suppress"] = suppress
    if table:
        payload["table"] = table
    audit_record(actor=request.user, action=action, object_type="kpis", object_id=authority.code,
                 summary=f"{verb} key figures for {authority.code}, {start.isoformat()} to {end.isoformat()} "
                         f"(exclusive){' as ' + fmt if fmt != 'html' else ''}",
                 payload=payload)


@login_required
@require_GET
def kpis(request):
    role = _role(request)
    if not can_see_figures(role):
        raise Http404("No such page")
    authorities = figure_authorities(request.user)
    if not authorities:
        raise Http404("No such page")
    data = request.GET
    errors = Errors(anchors={"period": "period", "authority": "authority"}, first_field="period")
    today = timezone.localdate()
    first_day = DateTimeInput("first_day", "First day", "the period starts", with_time=False,
                              hint="For example, 1 4 2024")
    last_day = DateTimeInput("last_day", "Last day", "the period ends", with_time=False,
                             hint="For example, 31 3 2025. The figures include this day")
    start, end, chosen = read_period(data, errors, today, first_day, last_day)

    code = (data.get("authority") or "").strip()
    authority = authorities[0]
    if code:
        authority = next((a for a in authorities if a.code == code), None)
        if authority is None:
            errors.add("authority", "Authority: choose one of the authorities in the list")

    try:
        filters = kpi_filters.parse_filters(data)
    except Refused as refused:
        filters = None
        for problem in refused.problems:
            errors.add(problem.field, f"{kpi_filters.NAMES[problem.field][1]}: {problem.message}")

    forced = figures_only(role)
    suppress = SUPPRESS_THRESHOLD if forced or (data.get("suppress") or "") == "on" else None
    fmt = (data.get("format") or "html").strip().lower()
    table = (data.get("table") or "").strip()
    if fmt not in ("html", *dict(DOWNLOADS)):
        errors.add("__all__", "Format: choose PDF, CSV, JSON or xlsx")
        fmt = "html"

    attach(errors, first_day, last_day)
    choices = period_choices(today)
    if start is not None:
        if chosen not in {value for value, _ in choices}:
            chosen = "custom"  # dates from a link: shown as other dates
        if not first_day.day:
            first_day.initial(start)
            last_day.initial(end - dt.timedelta(days=1))
    form = {name: (data.get(name) or "").strip() for name in kpi_filters.NAMES}
    if filters is not None:
        form.update(filters.given())
    context = {
        "errors": errors,
        "form": form,
        "period": chosen,
        "period_choices": choices,
        "first_day": first_day,
        "last_day": last_day,
        "authorities": [(a.code, f"{a.name} ({a.code})") for a in authorities],
        "authority": authority,
        "filter_options": FILTER_OPTIONS,
        "filter_hints": FILTER_HINTS,
        "filter_labels": {name: label for name, (_, label) in kpi_filters.NAMES.items()},
        "suppress_forced": forced,
        "suppress": bool(suppress),
        "suppress_threshold": SUPPRESS_THRESHOLD,
        "action": reverse("web:reports_kpis"),
    }
    if errors:
        return render(request, "web/reports/kpis.html", context, status=400)

    protocol, source = protocol_for_period(authority, end)
    figures = key_figures(authority=authority, start=start, end=end, filters=filters, protocol=protocol)
    if protocol:  # (with Homeward's defaults, the definitions carry the numbers)
        figures["notes"].append(f"Thresholds and timescales: {source}.")
    if suppress:
        figures = apply_suppression(figures, suppress)
    described = filters.describe()

    if fmt != "html":
        kwargs = {}
        if fmt in ("pdf", "xlsx"):
            kwargs["authority_name"] = authority.name
        if fmt == "xlsx":
            kwargs["filters_described"] = described
            if table:
                if table not in {t["group"] for t in figure_tables(figures)}:
                    raise Http404("No such table")
                kwargs["groups"] = [table]
        try:
            body = render_figures(figures, fmt, **kwargs)
        except PdfError:
            return HttpResponse("The PDF could not be made: download the CSV or xlsx instead.",
                                status=500, content_type="text/plain; charset=utf-8")
        _audit(request, action=AuditEvent.Action.EXPORT, authority=authority, start=start, end=end, fmt=fmt,
               filters=filters, suppress=suppress, table=table if fmt == "xlsx" else "")
        response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
        name = f"homeward-key-figures-{authority.code}-{start.isoformat()}-to-{end.isoformat()}"
        if table and fmt == "xlsx":
            name += f"-{table.replace('_', '-')}"
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        response["Cache-Control"] = "no-store"
        return response

    _audit(request, action=AuditEvent.Action.LIST, authority=authority, start=start, end=end, fmt="html",
           filters=filters, suppress=suppress)
    title, period_text = title_and_period(figures, authority.name)
    query = _query(start, end, authority, filters, bool(suppress) and not forced)
    tables = figure_tables(figures)
    for item in tables:
        item["xlsx"] = f"?{query}&{urlencode({'format': 'xlsx', 'table': item['group']})}"
    context.update({
        "figures": figures,
        "title": title,
        "period_text": period_text,
        "tables": tables,
        "filters_described": described,
        "notes": [n for n in figures.get("notes") or [] if not n.startswith("Filtered: ")],
        "filter_note": next((n for n in figures.get("notes") or [] if n.startswith("Filtered: ")), ""),
        "suppression_rule": suppression_rule(suppress) if suppress else "",
        "downloads": [(f"?{query}&format={value}", label, value) for value, label in DOWNLOADS],
    })
    return render(request, "web/reports/kpis.html", context)
