"""The partnership report's pages: the quarterly and annual report on
children missing from home and care, for the safeguarding partnership and
the corporate parenting panel (docs/reports.md), and its PDF.

Who sees it: people whose role may see figures (`can_see_figures`), for the
authorities their organisation belongs to or covers
(`access.scope.authority_ids_for`); anyone else gets 404, as for a page that
does not exist. The report holds counts only, never a child's details. Every
view of a report and every download is audited.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.access.roles import can_see_figures, sees_figures_only
from homeward.access.scope import authority_ids_for
from homeward.placements.models import Authority
from homeward.reporting import partnership_report, periodic
from homeward.reporting.pdf import PdfError

from .forms import Errors

SUPPRESS_CHOICES = [
    ("5", "For publication: counts from 1 to 4 shown as “<5”"),
    ("0", "For internal use only: every count shown"),
]
FORCED_THRESHOLD = 5  # for roles that see figures only


def _authorities(request) -> list[Authority]:
    """The authorities the person may see figures for; 404 when none."""
    if not can_see_figures(getattr(request.user, "role", None) or ""):
        raise Http404("No such page")
    found = list(Authority.objects.filter(pk__in=authority_ids_for(request.user)).order_by("name"))
    if not found:
        raise Http404("No such page")
    return found


def _period_choices(today, chosen: str) -> list[tuple[str, str]]:
    quarters, years = periodic.recent_periods(today)
    choices = [(q.code, f"{q.label} (quarter)") for q in quarters[1:]]  # those that have ended
    choices += [(y.code, f"Financial year {y.financial_year}" + (" (so far)" if y.end > today else ""))
                for y in years]
    if chosen and chosen not in {c for c, _ in choices}:
        try:
            p = periodic.parse_period(chosen)
            choices.insert(0, (p.code, f"{p.label} ({'quarter' if p.kind == 'quarter' else 'financial year'})"))
        except periodic.PeriodError:
            pass
    return choices


def _read(request, authorities: list[Authority]):
    """(authority, period, suppress, errors) from the query string."""
    errors = Errors()
    by_code = {a.code: a for a in authorities}
    code = (request.GET.get("authority") or "").strip()
    authority = by_code.get(code)
    if authority is None:
        errors.add("authority", "Choose an authority from the list")
    period = None
    try:
        period = periodic.parse_period(request.GET.get("period"))
    except periodic.PeriodError as exc:
        errors.add("period", f"Period: {exc}")
    if _suppress_forced(request):  # whatever the query says (decision 0011)
        return authority, period, FORCED_THRESHOLD, errors
    suppress = (request.GET.get("suppress") or "5").strip()
    if suppress not in {value for value, _ in SUPPRESS_CHOICES}:
        errors.add("suppress", "Choose whether small numbers are suppressed")
        suppress = "5"
    return authority, period, int(suppress), errors


def _suppress_forced(request) -> bool:
    """Roles that see figures only always have small numbers suppressed
    (decision 0011): the choice is not offered to them."""
    return sees_figures_only(getattr(request.user, "role", None) or "")


def _payload(authority, period, suppress) -> dict:
    return {"authority": authority.code, "period": period.code, "from": period.start.isoformat(),
            "to": period.end.isoformat(), "suppress": suppress or None}


@login_required
@require_GET
def partnership(request):
    authorities = _authorities(request)
    today = timezone.localdate()
    asked = any(request.GET.get(name) for name in ("authority", "period", "suppress"))
    context = {"authority_choices": [(a.code, f"{a.name} ({a.code})") for a in authorities],
               "suppress_choices": SUPPRESS_CHOICES, "errors": Errors(),
               "suppress_forced": _suppress_forced(request), "forced_threshold": FORCED_THRESHOLD}
    if not asked:
        context.update({"authority": authorities[0].code, "period": periodic.default_period(today).code,
                        "suppress": "5", "period_choices": _period_choices(today, "")})
        return render(request, "web/reports/periodic.html", context)
    authority, period, suppress, errors = _read(request, authorities)
    context.update({
        "authority": request.GET.get("authority", ""), "period": request.GET.get("period", ""),
        "suppress": str(suppress), "errors": errors,
        "period_choices": _period_choices(today, (request.GET.get("period") or "").strip()),
    })
    if errors:
        return render(request, "web/reports/periodic.html", context, status=400)
    fig = partnership_report.figures_for(authority=authority, period_code=period.code, suppress=suppress or None)
    audit_record(actor=request.user, action=AuditEvent.Action.READ, object_type="partnership_report",
                 object_id=authority.code,
                 summary=f"Viewed the partnership report for {authority.code}, {period.code}",
                 payload=_payload(authority, period, suppress))
    context.update(partnership_report.report_context(fig))
    context["pdf_url"] = reverse("web:periodic_partnership_pdf") + "?" + urlencode(
        {"authority": authority.code, "period": period.code, "suppress": suppress})
    return render(request, "web/reports/periodic.html", context)


@login_required
@require_GET
def partnership_pdf(request):
    authorities = _authorities(request)
    authority, period, suppress, errors = _read(request, authorities)
    if errors:
        raise Http404("No such report")
    fig = partnership_report.figures_for(authority=authority, period_code=period.code, suppress=suppress or None)
    try:
        pdf, _ = partnership_report.render_pdf_document(fig)
    except PdfError:
        return HttpResponse("The PDF could not be made. Try again, or print the page.", status=500,
                            content_type="text/plain; charset=utf-8")
    audit_record(actor=request.user, action=AuditEvent.Action.EXPORT, object_type="partnership_report",
                 object_id=authority.code,
                 summary=f"Downloaded the partnership report for {authority.code}, {period.code} (PDF)",
                 payload={**_payload(authority, period, suppress), "format": "pdf"})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{partnership_report.filename(fig, "pdf")}"'
    return response
