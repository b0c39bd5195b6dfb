"""Homeward's pages.

Plain function views. Personal data is read only through the selectors
(which apply the person's scope, answer 404 outside it, and audit the read)
and written only through the services (which validate, save and audit in one
transaction, and raise `Refused` naming each field that is wrong). A page
never queries children, episodes or notifications itself.
"""

from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from homeward.access.audit import audit_events_search
from homeward.access.models import ApiToken, AuditEvent
from homeward.access.roles import can_record_episodes, can_search_audit, can_see_named_records
from homeward.access.scope import authority_ids_for
from homeward.access.services import token_create, token_revoke
from homeward.episodes.models import Category, MissingFrom, RiskLevel
from homeward.episodes.selectors import episode_get, episodes_missing_now, episodes_of_child
from homeward.episodes.services import episode_change_risk, episode_record_return, episode_report_missing
from homeward.people.selectors import audit_child_list, child_get, child_list
from homeward.placements.models import Authority
from homeward.problems import Refused

from . import present
from .forms import LONDON, DateTimeInput, Errors, SignInForm, attach, clean_choice, clean_postcode

# At most this many rows on a list page; a search narrows it.
LIST_LIMIT = 200

RISK_CHOICES = [("", "Not assessed yet")] + [(value, label) for value, label in RiskLevel.choices]
CATEGORY_CHOICES = [
    (Category.MISSING.value, "Missing", "Whereabouts unknown"),
    (Category.ABSENT.value, "Absent", "Away from the placement without permission, but whereabouts known"),
]
MISSING_FROM_CHOICES = [
    ("", "Work it out from the child's placements"),
    (MissingFrom.HOME.value, "Home"),
    (MissingFrom.CARE.value, "Care"),
]


def _role(request) -> str:
    return getattr(request.user, "role", None) or ""


def _require_recorder(request) -> None:
    if not can_record_episodes(_role(request)):
        raise PermissionDenied("Your role cannot record missing episodes")


# --- signing in and out ---------------------------------------------------------------


sign_in = LoginView.as_view(
    template_name="web/sign_in.html",
    authentication_form=SignInForm,
    redirect_authenticated_user=True,
)
sign_out = LogoutView.as_view()


# --- missing now ------------------------------------------------------------------------


@login_required
@require_GET
def home(request):
    if not can_see_named_records(_role(request)):
        return render(request, "web/home.html", {"named": False})
    episodes = list(episodes_missing_now(actor=request.user)[:LIST_LIMIT + 1])
    more = len(episodes) > LIST_LIMIT
    episodes = episodes[:LIST_LIMIT]
    audit_child_list(actor=request.user, children=[e.child for e in episodes], where="missing now")
    return render(request, "web/home.html", {
        "named": True, "episodes": episodes, "rows": present.missing_now_rows(episodes), "more": more,
    })


# --- children ---------------------------------------------------------------------------


def _search_children(request, where: str):
    query = (request.GET.get("q") or "").strip()[:100]
    children = list(child_list(actor=request.user, search=query)[:LIST_LIMIT + 1])
    more = len(children) > LIST_LIMIT
    children = children[:LIST_LIMIT]
    audit_child_list(actor=request.user, children=children, where=f"{where}: {query}" if query else where)
    return query, children, more


@login_required
@require_GET
def children(request):
    if not can_see_named_records(_role(request)):
        return render(request, "web/children.html", {"named": False})
    query, found, more = _search_children(request, "children")
    missing_ids = set(episodes_missing_now(actor=request.user).values_list("child_id", flat=True))
    return render(request, "web/children.html", {
        "named": True, "query": query, "children": found, "more": more,
        "rows": present.children_rows(found, missing_ids),
    })


@login_required
@require_GET
def child_detail(request, pk: int):
    child = child_get(actor=request.user, pk=pk)
    today = timezone.localdate()
    episodes = list(episodes_of_child(actor=request.user, child=child))
    placements = list(
        child.placements.select_related("provider", "host_authority", "responsible_authority").order_by("-start_date")
    )
    flags = list(child.flags.all())
    from .views_interviews import child_timeline_context

    return render(request, "web/child.html", {
        **child_timeline_context(request, child),
        "child": child,
        "identity_rows": present.child_identity_rows(
            child, age=child.age_on(today), aliases=list(child.aliases.all()),
            identifiers=list(child.identifiers.select_related("authority")),
        ),
        "flag_rows": present.flag_rows(flags),
        "placement_rows": present.placement_rows(placements),
        "timeline_rows": present.timeline_rows(episodes),
        "open_episode": next((e for e in episodes if e.is_open), None),
    })


# --- episodes ---------------------------------------------------------------------------


def _episode_page(request, episode, *, errors=None, risk_form=None, status=200):
    notifications = list(episode.notifications.all().order_by("received_at", "pk"))
    risk_changes = list(episode.risk_changes.select_related("changed_by").order_by("changed_at", "pk"))
    return render(request, "web/episode.html", {
        "episode": episode,
        "child": episode.child,
        "episode_rows": present.episode_rows(episode),
        "risk_rows": present.risk_change_rows(risk_changes),
        "notification_rows": present.notification_rows(notifications),
        "errors": errors or Errors(),
        "risk_form": risk_form or {"risk_level": "", "reason": ""},
        "risk_choices": [(v, label) for v, label in RiskLevel.choices],
    }, status=status)


@login_required
@require_GET
def episode_detail(request, pk: int):
    episode = episode_get(actor=request.user, pk=pk)
    return _episode_page(request, episode)


@login_required
@require_POST
def episode_risk(request, pk: int):
    episode = episode_get(actor=request.user, pk=pk)
    _require_recorder(request)
    errors = Errors(first_field="risk_level")
    form = {"risk_level": (request.POST.get("risk_level") or "").strip(), "reason": (request.POST.get("reason") or "")[:500]}
    level = clean_choice(request.POST, "risk_level", RiskLevel.choices, errors, "Choose the new risk level")
    if not form["reason"].strip():
        errors.add("reason", "Say why the risk level changed")
    if not errors:
        try:
            episode_change_risk(actor=request.user, episode=episode, risk_level=level, reason=form["reason"])
        except Refused as refused:
            errors.add_problems(refused.problems)
        else:
            messages.success(request, f"Risk level changed to {RiskLevel(level).label.lower()}")
            return redirect("web:episode", pk=episode.pk)
    episode.refresh_from_db()
    return _episode_page(request, episode, errors=errors, risk_form=form)


# --- reporting a child missing ------------------------------------------------------------


def _area_choices(request, child) -> tuple[list[Authority], Authority | None]:
    """The authorities the person may report for, and the one to suggest.

    A council reports for its own area (and, for a child it placed elsewhere,
    the area the child is placed in); a police force for the areas it covers;
    care staff for the area of the child's placement.
    """
    user = request.user
    org = user.organisation
    today = timezone.localdate()
    placement = (
        child.placements.select_related("host_authority")
        .filter(start_date__lte=today)
        .exclude(end_date__isnull=False, end_date__lte=today)
        .order_by("-start_date")
        .first()
    )
    host = placement.host_authority if placement is not None else None
    ids = set(authority_ids_for(user))
    if org is not None and org.kind == "council" and host is not None:
        ids.add(host.pk)
    if not ids:
        fallback = host or child.home_authority or child.responsible_authority
        if fallback is not None:
            ids.add(fallback.pk)
    choices = list(Authority.objects.filter(pk__in=ids).order_by("name"))
    by_id = {a.pk: a for a in choices}
    default = None
    if org is not None and org.authority_id in by_id:
        default = by_id[org.authority_id]
    else:
        for candidate in (host, child.home_authority, child.responsible_authority):
            if candidate is not None and candidate.pk in by_id:
                default = by_id[candidate.pk]
                break
    if default is None and choices:
        default = choices[0]
    return choices, default


@login_required
@require_http_methods(["GET", "POST"])
def report_missing(request, pk: int):
    child = child_get(actor=request.user, pk=pk)
    _require_recorder(request)
    areas, default_area = _area_choices(request, child)
    last_seen = DateTimeInput("last_seen", "When was the child last seen?", "the child was last seen")
    reported = DateTimeInput("reported", "When was the child reported missing?", "the child was reported missing",
                             required=False,
                             hint="Leave blank if it is being reported now. For example, 27 3 2025 and 21:30 (24-hour clock)")
    form = {
        "category": "", "risk_level": "", "postcode": "", "missing_from": "", "notes": "",
        "area": str(default_area.pk) if default_area else "",
    }
    errors = Errors(anchors={"last_seen": "last_seen-day", "reported": "reported-day"}, first_field="last_seen-day")
    if request.method == "POST":
        data = request.POST
        last_seen.bind(data)
        reported.bind(data)
        form.update({k: (data.get(k) or "").strip() for k in ("category", "risk_level", "postcode", "missing_from", "area")})
        form["notes"] = (data.get("notes") or "").strip()
        last_seen_at = last_seen.clean(errors)
        reported_at = reported.clean(errors)
        if last_seen_at and reported_at and reported_at < last_seen_at:
            errors.add("reported", "The time reported cannot be before the time last seen")
        category = clean_choice(data, "category", CATEGORY_CHOICES, errors, "Select whether the child is missing or absent")
        risk = clean_choice(data, "risk_level", RISK_CHOICES, errors, "Choose a risk level from the list", required=False)
        postcode = clean_postcode(data, "postcode", errors, "where the child went missing from")
        missing_from = clean_choice(data, "missing_from", MISSING_FROM_CHOICES, errors,
                                    "Choose home, care, or leave it to be worked out", required=False)
        area = next((a for a in areas if str(a.pk) == form["area"]), None)
        if area is None:
            errors.add("area", "Choose the area where the child went missing" if areas
                       else "No area authority can be found for this report: ask your administrator")
        if len(form["notes"]) > 4000:
            errors.add("notes", "Notes must be 4,000 characters or fewer")
        if not errors:
            try:
                episode = episode_report_missing(
                    actor=request.user, child=child, area_authority=area, last_seen_at=last_seen_at,
                    reported_at=reported_at, category=category, risk_level=risk, postcode=postcode,
                    missing_from=missing_from, notes=form["notes"],
                )
            except Refused as refused:
                errors.add_problems(refused.problems)
            else:
                messages.success(request, f"{child.full_name} is recorded as missing")
                return redirect("web:episode", pk=episode.pk)
        attach(errors, last_seen, reported)
    open_episode = episodes_of_child(actor=request.user, child=child).filter(returned_at__isnull=True).first()
    return render(request, "web/report_missing.html", {
        "child": child,
        "open_episode": open_episode,
        "errors": errors,
        "form": form,
        "last_seen": last_seen,
        "reported": reported,
        "areas": [(str(a.pk), f"{a.name} ({a.code})") for a in areas],
        "area_name": f"{areas[0].name} ({areas[0].code})" if len(areas) == 1 else "",
        "category_choices": CATEGORY_CHOICES,
        "risk_choices": RISK_CHOICES,
        "missing_from_choices": MISSING_FROM_CHOICES,
    })


@login_required
@require_GET
def report_find(request):
    """Find the child to report missing: a search that links to each child's form."""
    if not can_see_named_records(_role(request)):
        return render(request, "web/report_find.html", {"named": False})
    if not can_record_episodes(_role(request)):
        return render(request, "web/report_find.html", {"named": True, "recorder": False})
    query = (request.GET.get("q") or "").strip()
    found, more = [], False
    if query:
        query, found, more = _search_children(request, "report missing")
    return render(request, "web/report_find.html", {
        "named": True, "recorder": True, "query": query, "children": found, "more": more,
        "rows": present.children_rows(found, report=True),
    })


# --- recording a return ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def record_return(request, pk: int):
    episode = episode_get(actor=request.user, pk=pk)
    _require_recorder(request)
    if not episode.is_open:
        messages.info(request, "A return is already recorded for this episode")
        return redirect("web:episode", pk=episode.pk)
    returned = DateTimeInput("returned", "When did the child return or get found?", "the child returned or was found")
    form = {"found_postcode": "", "found_where": "", "found_by": ""}
    errors = Errors(anchors={"returned": "returned-day"}, first_field="returned-day")
    if request.method == "POST":
        data = request.POST
        returned.bind(data)
        form.update({k: (data.get(k) or "").strip() for k in form})
        returned_at = returned.clean(errors)
        found_postcode = clean_postcode(data, "found_postcode", errors, "where the child was found")
        if len(form["found_where"]) > 300:
            errors.add("found_where", "Where the child was found must be 300 characters or fewer")
        if len(form["found_by"]) > 200:
            errors.add("found_by", "Found by must be 200 characters or fewer")
        if not errors:
            try:
                episode_record_return(
                    actor=request.user, episode=episode, returned_at=returned_at, found_postcode=found_postcode,
                    found_where=form["found_where"], found_by=form["found_by"],
                )
            except Refused as refused:
                errors.add_problems(refused.problems)
            else:
                messages.success(request, f"{episode.child.full_name}'s return is recorded")
                return redirect("web:child", pk=episode.child_id)
        attach(errors, returned)
    return render(request, "web/record_return.html", {
        "episode": episode, "child": episode.child, "errors": errors, "form": form, "returned": returned,
    })


# --- account and API tokens -------------------------------------------------------------------


def _account_page(request, *, errors=None, new_token=None, raw_token="", name=""):
    user = request.user
    membership = user.membership
    return render(request, "web/account.html", {
        "account_rows": [
            ("Name", user.get_full_name() or user.username),
            ("Username", user.username),
            ("Organisation", membership.organisation.name if membership else ""),
            ("Role", membership.get_role_display() if membership else ""),
        ],
        "token_rows": present.token_rows(request.user.api_tokens.all().order_by("-created_at"), request),
        "errors": errors or Errors(),
        "new_token": new_token,
        "raw_token": raw_token,
        "token_name": name,
    })


@login_required
@require_GET
def account(request):
    return _account_page(request)


@login_required
@require_POST
def token_new(request):
    name = (request.POST.get("name") or "").strip()[:100]
    errors = Errors(first_field="name")
    try:
        token, raw = token_create(actor=request.user, user=request.user, name=name)
    except Refused as refused:
        errors.add_problems(refused.problems)
        return _account_page(request, errors=errors, name=name)
    # Shown once, in this response only: never stored, never in a redirect.
    response = _account_page(request, new_token=token, raw_token=raw)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_remove(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token_revoke(actor=request.user, token=token)
    messages.success(request, f"The token '{token.name}' is revoked: it no longer works")
    return redirect("web:account")


# --- the audit trail -------------------------------------------------------------------------


ACTION_CHOICES = [("", "Any action")] + [(v, label) for v, label in AuditEvent.Action.choices]
RECORD_TYPE_CHOICES = [
    ("", "Any record"),
    ("child", "Child"),
    ("episode", "Episode"),
    ("notification", "Notification"),
    ("childflag", "Flag"),
    ("user", "User"),
    ("apitoken", "API token"),
    ("auditevent", "Audit trail"),
]


@login_required
@require_GET
def audit(request):
    if not can_search_audit(_role(request)):
        raise Http404("No such page")
    data = request.GET
    errors = Errors(anchors={"since": "since-day", "until": "until-day"})
    form = {k: (data.get(k) or "").strip()[:150] for k in ("username", "action", "object_type", "object_id", "child_id")}
    since = DateTimeInput("since", "Events on or after", "to search from", required=False, with_time=False)
    until = DateTimeInput("until", "Events before", "to search up to", required=False, with_time=False,
                          hint="Events on this day are not included. For example, 27 3 2025")
    since.bind(data)
    until.bind(data)
    since_day = since.clean(errors)
    until_day = until.clean(errors)
    action = clean_choice(data, "action", ACTION_CHOICES, errors, "Choose an action from the list", required=False)
    object_type = form["object_type"]
    child_id = None
    if form["child_id"]:
        if form["child_id"].isdigit():
            child_id = int(form["child_id"])
        else:
            errors.add("child_id", "Enter the child's record number, like 1234")
    attach(errors, since, until)
    events = []
    if not errors:
        events = list(audit_events_search(
            actor=request.user,
            username=form["username"],
            action=action,
            object_type=object_type,
            object_id=form["object_id"],
            child_id=child_id,
            since=datetime.combine(since_day, time.min, tzinfo=LONDON) if since_day else None,
            until=datetime.combine(until_day, time.min, tzinfo=LONDON) if until_day else None,
        ).order_by("-at", "-id")[:LIST_LIMIT])
    return render(request, "web/audit.html", {
        "errors": errors, "form": form, "since": since, "until": until, "events": events,
        "rows": present.audit_rows(events),
        "limit": LIST_LIMIT, "action_choices": ACTION_CHOICES, "record_type_choices": RECORD_TYPE_CHOICES,
        "searched": any(form.values()) or since_day or until_day,
    })
