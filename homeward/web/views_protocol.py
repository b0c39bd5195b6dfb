"""Pages of the missing protocol: worklists and tasks, the protocol itself,
meetings, messages to other authorities, and children's homes.

Same rules as views.py: plain function views; reads through the protocol's
selectors (homeward/protocol/selectors.py: scope, 404 outside it, audit) and
children's names only where `children_visible_to` allows; writes through the
protocol's services (validate, save, audit; `Refused` names each field).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.access.roles import Role, can_administer
from homeward.access.scope import children_visible_to
from homeward.people.selectors import child_get
from homeward.placements.models import Authority
from homeward.problems import Refused
from homeward.protocol import defaults, patterns, selectors
from homeward.protocol.delivery import message_retry
from homeward.protocol.models import (
    MEETING_RULES, MeetingKind, MessageState, ProtocolVersion, Task, TaskState,
)
from homeward.protocol.services import (
    ActionRow, AttendeeRow, MeetingInput, answerable_tasks, can_act_on, can_record_meetings, meeting_save,
    task_cancel, task_done, task_take,
)
from homeward.protocol.versions import version_create, version_in_force, versions_of

from .forms import DateTimeInput, Errors, attach

LIST_LIMIT = 200
# Dates in tables, where space is short: "5 Jul 2024, 21:10" (UK time).
SHORT = "j M Y, H:i"
RULE_TITLES = dict(defaults.RULE_CHOICES)
ROLE_LABELS = dict(Role.choices)


def _role(request) -> str:
    return getattr(request.user, "role", None) or ""


def _council_authority(request) -> Authority | None:
    org = getattr(request.user, "organisation", None)
    if org is None or org.kind != "council" or not org.authority_id:
        return None
    return org.authority


# --- navigation (for the coordinator to add to the site's menu) ------------------------------


def protocol_nav(request) -> list[dict]:
    """Menu items for these pages that the signed-in person may use:
    [{"text", "href", "current"}]."""
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return []
    path, role, items = request.path, _role(request), []
    if selectors.has_worklist(user):
        items.append(("Tasks", reverse("tasks_mine"), path.startswith("/tasks/")))
    if selectors.can_see_meetings(user):
        items.append(("Meetings", reverse("meeting_list"), path.startswith("/meetings/")))
    if _council_authority(request) is not None and (selectors.can_see_meetings(user) or role == Role.ANALYST):
        items.append(("Children's homes", reverse("protocol_homes"), path.startswith(reverse("protocol_homes"))))
    if selectors.can_see_messages(user):
        items.append(("Messages", reverse("protocol_messages"), path.startswith(reverse("protocol_messages"))))
    if _council_authority(request) is not None and (selectors.can_see_meetings(user) or can_administer(role)):
        items.append(("Protocol", reverse("protocol_current"),
                      path.startswith("/protocol/") and not path.startswith(reverse("protocol_messages"))
                      and not path.startswith(reverse("protocol_homes"))))
    return [{"text": t, "href": h, "current": c} for t, h, c in items]


# --- cells ------------------------------------------------------------------------------------
# Small helpers of our own (the same markup as homeward/web/present.py), so
# that these pages do not depend on another page module's internals.


def london(value, fmt: str = "j F Y, H:i") -> str:
    from django.utils.dateformat import format as date_format

    return date_format(timezone.localtime(value), fmt) if value is not None else ""


def link(url: str, text: str, hidden: str = ""):
    if hidden:
        return format_html('<a class="govuk-link" href="{}">{}<span class="govuk-visually-hidden"> {}</span></a>',
                           url, text, hidden)
    return format_html('<a class="govuk-link" href="{}">{}</a>', url, text)


def tag(text: str, classes: str = ""):
    return mark_safe(render_to_string("web/components/tag.html", {"text": text, "classes": classes}).strip())


def lines(*parts):
    """Several values in one cell, one a line."""
    from django.utils.html import format_html_join

    return format_html_join(mark_safe("<br>"), "{}", ((p,) for p in parts if p))



def _child_cell(task_or_meeting, named: set[int]):
    child = task_or_meeting.child
    if child is None:
        return ""
    if child.pk in named:
        return link(reverse("web:child", args=[child.pk]), child.full_name)
    return mark_safe('<span class="govuk-hint govuk-!-margin-0">Not in your records</span>')


def _due_cell(task: Task, now):
    text = london(task.due_at, SHORT)
    if task.state == TaskState.OPEN and task.due_at < now:
        return lines(text, tag("Overdue", "govuk-tag--red"))
    return text


def _state_tag(task: Task):
    colour = {"open": "govuk-tag--blue", "done": "govuk-tag--green", "cancelled": "govuk-tag--grey"}[task.state]
    return tag(task.get_state_display(), colour)


def _owner(task: Task) -> str:
    role = ROLE_LABELS.get(task.owner_role, task.owner_role)
    person = (task.owner_user.get_full_name() or task.owner_user.username) if task.owner_user_id else ""
    org = task.owner_organisation.name if task.owner_organisation_id else "Nobody in Homeward"
    return lines(person, f"{role}, {org}")


def task_rows(tasks, named, now, *, owner=True) -> list[list]:
    rows = []
    for t in tasks:
        row = [
            link(reverse("tasks_detail", args=[t.pk]), t.title, hidden=f"(task {t.pk})"),
            _child_cell(t, named),
            _due_cell(t, now),
            RULE_TITLES.get(t.rule, t.rule),
        ]
        if owner:
            row.append(_owner(t))
        rows.append(row)
    return rows


def _lists(request, current: str) -> list[dict]:
    items = [("mine", "My tasks", reverse("tasks_mine")), ("team", "My team's tasks", reverse("tasks_team"))]
    if selectors.is_manager(request.user):
        items.append(("overdue", "Overdue across the service", reverse("tasks_overdue")))
    return [{"text": t, "href": h, "current": key == current} for key, t, h in items]


def _no_worklist(request, title):
    return render(request, "protocol/no_access.html", {"title": title, "reason": "worklist"})


# --- worklists -------------------------------------------------------------------------------------


@login_required
@require_GET
def tasks_mine(request):
    if not selectors.has_worklist(request.user):
        return _no_worklist(request, "My tasks")
    now = timezone.now()
    tasks = list(selectors.tasks_mine(request.user)[:LIST_LIMIT + 1])
    more = len(tasks) > LIST_LIMIT
    tasks = tasks[:LIST_LIMIT]
    named = selectors.child_names(request.user, tasks)
    selectors.audit_task_list(actor=request.user, tasks=tasks, named=named, where="my tasks")
    overdue = [t for t in tasks if t.due_at < now]
    later = [t for t in tasks if t.due_at >= now]
    return render(request, "protocol/tasks_mine.html", {
        "lists": _lists(request, "mine"), "more": more,
        "overdue_rows": task_rows(overdue, named, now, owner=False),
        "later_rows": task_rows(later, named, now, owner=False),
        "overdue_caption": f"Overdue ({len(overdue)})", "later_caption": f"Due later ({len(later)})",
    })


TEAM_STATES = [("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled"), ("", "Any state")]


@login_required
@require_GET
def tasks_team(request):
    if not selectors.has_worklist(request.user):
        return _no_worklist(request, "My team's tasks")
    data = request.GET
    form = {"rule": data.get("rule", ""), "role": data.get("role", ""), "state": data.get("state", "open")}
    if form["rule"] not in RULE_TITLES:
        form["rule"] = ""
    if form["role"] not in defaults.OWNER_ROLES:
        form["role"] = ""
    if form["state"] not in dict(TEAM_STATES):
        form["state"] = "open"
    now = timezone.now()
    qs = selectors.tasks_team(request.user, rule=form["rule"], role=form["role"], state=form["state"])
    tasks = list(qs[:LIST_LIMIT + 1])
    more = len(tasks) > LIST_LIMIT
    tasks = tasks[:LIST_LIMIT]
    named = selectors.child_names(request.user, tasks)
    selectors.audit_task_list(actor=request.user, tasks=tasks, named=named, where="team tasks")
    return render(request, "protocol/tasks_team.html", {
        "lists": _lists(request, "team"), "form": form, "more": more, "rows": task_rows(tasks, named, now),
        "caption": f"Tasks ({len(tasks)}{'+' if more else ''})", "organisation": request.user.organisation.name,
        "rule_choices": [("", "Any rule")] + list(defaults.RULE_CHOICES),
        "role_choices": [("", "Anyone")] + [(r, defaults.ROLE_LABELS[r]) for r in defaults.OWNER_ROLES],
        "state_choices": TEAM_STATES,
    })


@login_required
@require_GET
def tasks_overdue(request):
    if not selectors.is_manager(request.user):
        return render(request, "protocol/no_access.html", {"title": "Overdue across the service",
                                                            "reason": "managers"}, status=403)
    now = timezone.now()
    qs = selectors.tasks_overdue_across_service(request.user)
    by_owner = (qs.values("owner_organisation__name", "rule").annotate(n=Count("pk"))
                .order_by("owner_organisation__name", "rule"))
    summary_rows = [[r["owner_organisation__name"] or "Nobody in Homeward", RULE_TITLES.get(r["rule"], r["rule"]),
                     r["n"]] for r in by_owner]
    tasks = list(qs[:LIST_LIMIT + 1])
    more = len(tasks) > LIST_LIMIT
    tasks = tasks[:LIST_LIMIT]
    named = selectors.child_names(request.user, tasks)
    selectors.audit_task_list(actor=request.user, tasks=tasks, named=named, where="overdue across the service")
    return render(request, "protocol/tasks_overdue.html", {
        "lists": _lists(request, "overdue"), "summary_rows": summary_rows, "rows": task_rows(tasks, named, now),
        "total": qs.count(), "more": more, "authority": request.user.organisation.authority,
    })


# --- one task ----------------------------------------------------------------------------------


MEETING_FOR_RULE = {rule: kind for kind, rule in MEETING_RULES.items()}


def _task_page(request, task, *, errors=None, form=None, status=200):
    now = timezone.now()
    named = selectors.child_names(request.user, [task])
    version = task.protocol_version
    spec = defaults.RULES_BY_NAME.get(task.rule)
    params = (version.rules or {}).get(task.rule, {})
    episode = None
    if task.episode_id and task.child_id in named:
        episode = link(reverse("web:episode", args=[task.episode_id]),
                       f"Missing from {london(task.episode.started_at, SHORT)}",
                       hidden=f"(episode {task.episode_id})")
    elif task.episode_id:
        episode = f"Episode {task.episode_id}"
    elif task.episode_ref:
        episode = f"Episode {task.episode_ref} (merged into another record)"
    rows = [
        ("Status", lines(_state_tag(task), task.closed_reason)),
        ("Child", _child_cell(task, named) or "Not known"),
        ("Episode", episode or "This task is about the child, not one episode"),
        ("Due", _due_cell(task, now)),
        ("For", _owner(task)),
        ("Raised", london(task.created_at)),
    ]
    if task.closed_at:
        rows.append(("Closed", lines(london(task.closed_at),
                                     (task.closed_by.get_full_name() or task.closed_by.username)
                                     if task.closed_by_id else "By the protocol")))
    why = [
        ("Rule", lines(f"{spec.title} ({task.rule})" if spec else task.rule, spec.description if spec else "")),
        ("What happened", task.reason),
        ("Protocol", lines(link(reverse("protocol_version", args=[version.pk]), str(version)),
                           f"In force from {london(version.effective_from)}", version.note)),
        ("The rule's settings in that version", lines(*(
            f"{spec.params[k].label}: {spec.params[k].describe(v)}" for k, v in params.items() if k in spec.params
        )) if spec else ""),
        ("Cause", lines(f"At {london(task.cause_at)}", format_html('<code class="hw-raw">{}</code>', task.cause_key))),
    ]
    kind = MEETING_FOR_RULE.get(task.rule)
    meeting_url = None
    if kind and task.state == TaskState.OPEN and can_record_meetings(request.user) and (
            kind == MeetingKind.MONTHLY_REVIEW or task.child_id in named):
        query = f"?kind={kind}&task={task.pk}"
        if kind == MeetingKind.MONTHLY_REVIEW:
            query += f"&month={task.cause_key.rsplit(':', 1)[-1]}"
        else:
            query += f"&child={task.child_id}"
        meeting_url = reverse("meeting_create") + query
    return render(request, "protocol/task_detail.html", {
        "task": task, "rows": rows, "why_rows": why, "can_act": task.is_open and can_act_on(request.user, task),
        "can_take": (task.is_open and task.owner_user_id != request.user.pk
                     and task.owner_organisation_id == getattr(request.user.organisation, "pk", None)),
        "meeting_url": meeting_url, "errors": errors or Errors(), "form": form or {"note": "", "reason": ""},
        "named": task.child_id in named,
    }, status=status)


@login_required
@require_GET
def tasks_detail(request, pk: int):
    task = selectors.task_get(actor=request.user, pk=pk)
    return _task_page(request, task)


@login_required
@require_POST
def tasks_done(request, pk: int):
    task = selectors.task_get(actor=request.user, pk=pk)
    note = (request.POST.get("note") or "").strip()
    errors = Errors(first_field="note")
    try:
        task_done(actor=request.user, task=task, note=note)
    except Refused as refused:
        errors.add_problems(refused.problems)
        return _task_page(request, task, errors=errors, form={"note": note, "reason": ""})
    messages.success(request, f"Task marked as done: {task.title}")
    return redirect("tasks_detail", pk=task.pk)


@login_required
@require_POST
def tasks_cancel(request, pk: int):
    task = selectors.task_get(actor=request.user, pk=pk)
    reason = (request.POST.get("reason") or "").strip()
    errors = Errors(first_field="reason")
    try:
        task_cancel(actor=request.user, task=task, reason=reason)
    except Refused as refused:
        errors.add_problems(refused.problems)
        return _task_page(request, task, errors=errors, form={"note": "", "reason": reason})
    messages.success(request, f"Task cancelled: {task.title}")
    return redirect("tasks_detail", pk=task.pk)


@login_required
@require_POST
def tasks_take(request, pk: int):
    task = selectors.task_get(actor=request.user, pk=pk)
    try:
        task_take(actor=request.user, task=task)
    except Refused as refused:
        errors = Errors(first_field="take")
        errors.add_problems(refused.problems)
        return _task_page(request, task, errors=errors)
    messages.success(request, "The task is yours now")
    return redirect("tasks_detail", pk=task.pk)


# --- the protocol -----------------------------------------------------------------------------------


def _protocol_access(request) -> tuple[Authority, bool]:
    """(authority, may change) for a council's case roles and administrators; 404 for anyone else."""
    authority = _council_authority(request)
    role = _role(request)
    if authority is None or not (selectors.can_see_meetings(request.user) or can_administer(role)):
        raise Http404("No such page")
    return authority, can_administer(role)


def rule_rows(version: ProtocolVersion) -> list[list]:
    rows = []
    for spec in defaults.RULES:
        params = version.rules.get(spec.name, spec.defaults)
        settings = [f"{p.label}: {p.describe(params[k])}" for k, p in spec.params.items()
                    if k != "enabled" and k in params]
        rows.append([
            lines(spec.title, format_html('<code class="hw-raw">{}</code>', spec.name)),
            f"When {spec.on}",
            spec.raises[0].upper() + spec.raises[1:],
            lines(*settings),
            tag("On", "govuk-tag--green") if params.get("enabled") else tag("Off", "govuk-tag--grey"),
        ])
    return rows


def _history_rows(authority, current) -> list[list]:
    versions = versions_of(authority)
    used = dict(Task.objects.filter(protocol_version__in=versions).values("protocol_version")
                .annotate(n=Count("pk")).values_list("protocol_version", "n"))
    rows = []
    for v in versions:
        rows.append([
            link(reverse("protocol_version", args=[v.pk]), f"{v.scope_label}, version {v.number}"),
            lines(london(v.effective_from, SHORT), tag("In force", "govuk-tag--green") if v.pk == current.pk else ""),
            (v.created_by.get_full_name() or v.created_by.username) if v.created_by_id else "Homeward",
            v.note,
            used.get(v.pk, 0),
            link(reverse("protocol_download", args=[v.pk]), "Download",
                 hidden=f"version {v.number} as a JSON file"),
        ])
    return rows


@login_required
@require_GET
def protocol_current(request):
    authority, can_change = _protocol_access(request)
    version = version_in_force(authority)
    return render(request, "protocol/protocol.html", {
        "authority": authority, "version": version, "can_change": can_change, "current": True,
        "rule_rows": rule_rows(version), "history_rows": _history_rows(authority, version),
        "look_back": defaults.TOP_PARAMS["look_back_days"].describe(version.look_back_days),
    })


def _version_for(request, pk) -> tuple[Authority, bool, ProtocolVersion]:
    authority, can_change = _protocol_access(request)
    versions = {v.pk: v for v in versions_of(authority)}
    try:
        version = versions[int(pk)]
    except (KeyError, ValueError):
        raise Http404("No such version")
    return authority, can_change, version


@login_required
@require_GET
def protocol_version(request, pk: int):
    authority, can_change, version = _version_for(request, pk)
    current = version_in_force(authority)
    return render(request, "protocol/protocol.html", {
        "authority": authority, "version": version, "can_change": can_change, "current": version.pk == current.pk,
        "rule_rows": rule_rows(version), "history_rows": _history_rows(authority, current),
        "look_back": defaults.TOP_PARAMS["look_back_days"].describe(version.look_back_days),
    })


@login_required
@require_GET
def protocol_download(request, pk: int):
    authority, _, version = _version_for(request, pk)
    body = json.dumps(version.document(), indent=2, ensure_ascii=False) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    scope = authority.code if version.authority_id else version.region.lower().replace(" ", "-")
    response["Content-Disposition"] = f'attachment; filename="protocol-{scope}-v{version.number}.json"'
    return response


# The protocol change form: one field per parameter, named rule__param (steps: rule__steps__N__key).


def _field(rule: str, key: str, *rest) -> str:
    return "__".join((rule, key, *map(str, rest)))


def protocol_form_fields(document: dict, data=None) -> list[dict]:
    """The change form, rule by rule, with the values shown (from `data` when re-shown)."""
    def value(name, default):
        if data is None:
            return default
        return data.get(name, "")

    out = []
    for spec in defaults.RULES:
        params = document["rules"][spec.name]
        fields = []
        for key, param in spec.params.items():
            name = _field(spec.name, key)
            current = params[key]
            if isinstance(param, defaults.Bool):
                checked = (name in data) if data is not None else bool(current)
                fields.append({"kind": "bool", "name": name, "label": param.label, "checked": checked})
            elif isinstance(param, defaults.Int):
                fields.append({"kind": "int", "name": name, "label": f"{param.label}",
                               "hint": f"From {param.minimum} to {param.maximum}", "value": value(name, current)})
            elif isinstance(param, defaults.DueIn):
                unit, amount = next(iter(current.items()))
                fields.append({"kind": "due", "name": name, "label": param.label, "hint": param.hint,
                               "value": value(name, amount), "unit": value(name + "__unit", unit)})
            elif isinstance(param, defaults.Choice):
                fields.append({"kind": "choice", "name": name, "label": param.label,
                               "options": [(c, param.labels.get(c, c)) for c in param.choices],
                               "value": value(name, current)})
            elif isinstance(param, defaults.ChoiceList):
                chosen = data.getlist(name) if data is not None else current
                fields.append({"kind": "list", "name": name, "label": param.label,
                               "options": [(c, c.replace("_", " ").capitalize(), c in chosen) for c in param.choices]})
            elif isinstance(param, defaults.Steps):
                rows = []
                for i in range(max(len(current), 3) + 1):
                    step = current[i] if i < len(current) else None
                    due = next(iter(step["due_in"].items())) if step else ("hours", "")
                    rows.append({
                        "n": i + 1,
                        "after": value(_field(spec.name, key, i, "after_hours"), step["after_hours"] if step else ""),
                        "level": value(_field(spec.name, key, i, "level"), step["level"] if step else ""),
                        "role": value(_field(spec.name, key, i, "owner_role"), step["owner_role"] if step else ""),
                        "due": value(_field(spec.name, key, i, "due_in"), due[1]),
                        "unit": value(_field(spec.name, key, i, "due_in__unit"), due[0]),
                        "prefix": _field(spec.name, key, i),
                    })
                fields.append({"kind": "steps", "name": name, "label": param.label, "rows": rows,
                               "roles": [(r, defaults.ROLE_LABELS[r]) for r in defaults.OWNER_ROLES]})
        out.append({"spec": spec, "fields": fields})
    return out


def _number(text: str):
    text = (text or "").strip()
    try:
        return int(text)
    except ValueError:
        return text  # the validator says what is wrong with it


def protocol_document_from_form(data) -> dict:
    """The document the form describes (validated afterwards by defaults.validate)."""
    doc = {"look_back_days": _number(data.get("look_back_days")), "rules": {}}
    for spec in defaults.RULES:
        params = {}
        for key, param in spec.params.items():
            name = _field(spec.name, key)
            if isinstance(param, defaults.Bool):
                params[key] = name in data
            elif isinstance(param, defaults.Int):
                params[key] = _number(data.get(name))
            elif isinstance(param, defaults.DueIn):
                unit = data.get(name + "__unit") if data.get(name + "__unit") in ("hours", "working_days") else "hours"
                params[key] = {unit: _number(data.get(name))}
            elif isinstance(param, defaults.Choice):
                params[key] = data.get(name, "")
            elif isinstance(param, defaults.ChoiceList):
                params[key] = data.getlist(name)
            elif isinstance(param, defaults.Steps):
                steps = []
                for i in range(10):
                    prefix = _field(spec.name, key, i)
                    after = (data.get(prefix + "__after_hours") or "").strip()
                    level = (data.get(prefix + "__level") or "").strip()
                    if not after and not level:
                        continue
                    unit = data.get(prefix + "__due_in__unit")
                    unit = unit if unit in ("hours", "working_days") else "hours"
                    steps.append({"after_hours": _number(after), "level": level,
                                  "owner_role": data.get(prefix + "__owner_role", ""),
                                  "due_in": {unit: _number(data.get(prefix + "__due_in") or "4")}})
                params[key] = steps
        doc["rules"][spec.name] = params
    return doc


def _problem_anchor(path: str) -> str:
    """The form field a validation path points at: rules.x.y -> x__y; steps[i].k -> x__steps__i__k."""
    if path.startswith("rules."):
        rest = path[len("rules."):]
        rest = rest.replace("[", ".").replace("]", "")
        parts = rest.split(".")
        if len(parts) >= 2 and parts[1] == "due_in":
            return "__".join(parts[:2])
        if len(parts) >= 4 and parts[3] == "due_in":
            return "__".join(parts[:4])
        return "__".join(parts)
    return path


def _protocol_problem_text(path: str, message: str) -> str:
    parts = path.replace("[", ".").replace("]", "").split(".")
    if parts[0] == "rules" and len(parts) >= 2:
        spec = defaults.RULES_BY_NAME.get(parts[1])
        if spec is not None:
            where = spec.title
            if len(parts) >= 3 and parts[2] in spec.params:
                where += f", {spec.params[parts[2]].label.lower()}"
            if len(parts) >= 4 and parts[3].isdigit():
                where += f", step {int(parts[3]) + 1}"
            return f"{where}: {message}"
    if path == "look_back_days":
        return f"Look back: {message}"
    return f"{path}: {message}"


@login_required
@require_http_methods(["GET", "POST"])
def protocol_edit(request):
    authority, can_change = _protocol_access(request)
    if not can_change:
        raise PermissionDenied("Only an administrator can change the protocol")
    version = version_in_force(authority)
    document = version.document()
    errors = Errors(first_field="note")
    form = {"note": "", "look_back_days": document["look_back_days"]}
    effective = DateTimeInput("effective", "When does the new version apply from?", "the new version applies from",
                              required=False,
                              hint="Leave blank for now. For example, 1 4 2025 and 09:00 (24-hour clock)")
    data = None
    if request.method == "POST":
        data = request.POST
        effective.bind(data)
        form = {"note": (data.get("note") or "").strip(), "look_back_days": data.get("look_back_days", "")}
        effective_from = effective.clean(errors)
        if not form["note"]:
            errors.add("note", "Say why the protocol is changing")
        elif len(form["note"]) > 500:
            errors.add("note", "Why it is changing must be 500 characters or fewer")
        candidate = protocol_document_from_form(data)
        try:
            checked = defaults.validate(candidate)
        except defaults.InvalidProtocol as invalid:
            for path, message in invalid.problems:
                errors.add(_problem_anchor(path), _protocol_problem_text(path, message))
            checked = None
        if not errors and checked is not None:
            if checked["rules"] == version.rules and checked["look_back_days"] == version.look_back_days:
                errors.add("note", "Nothing has changed: change a setting to make a new version")
            else:
                try:
                    new = version_create(actor=request.user, authority=authority, document=candidate,
                                         note=form["note"], effective_from=effective_from)
                except Refused as refused:
                    errors.add_problems(refused.problems)
                else:
                    messages.success(request, f"Version {new.number} of the protocol is saved. Tasks raised before "
                                              "keep the version that raised them.")
                    return redirect("protocol_current")
        attach(errors, effective)
    rules = protocol_form_fields(document, data)
    for rule in rules:
        for f in rule["fields"]:
            for row in f.get("rows", ()):
                row["errors"] = [m for k, m in errors.by_field.items() if k.startswith(row["prefix"] + "__")]
    return render(request, "protocol/protocol_edit.html", {
        "authority": authority, "version": version, "errors": errors, "form": form, "effective": effective,
        "rules": rules,
        "look_back_hint": defaults.TOP_PARAMS["look_back_days"].hint,
    }, status=400 if errors else 200)


MAX_UPLOAD = 200_000


@login_required
@require_http_methods(["GET", "POST"])
def protocol_upload(request):
    authority, can_change = _protocol_access(request)
    if not can_change:
        raise PermissionDenied("Only an administrator can change the protocol")
    errors = Errors(first_field="file")
    form = {"note": ""}
    if request.method == "POST":
        form["note"] = (request.POST.get("note") or "").strip()
        upload = request.FILES.get("file")
        document = None
        if upload is None:
            errors.add("file", "Choose a protocol file (JSON) to upload")
        elif upload.size > MAX_UPLOAD:
            errors.add("file", "The file must be smaller than 200 KB")
        else:
            try:
                document = json.loads(upload.read().decode("utf-8-sig"))
            except UnicodeDecodeError:
                errors.add("file", "The file must be a JSON file in UTF-8")
            except json.JSONDecodeError as exc:
                errors.add("file", f"The file is not valid JSON: line {exc.lineno}, column {exc.colno} ({exc.msg})")
        if not form["note"]:
            errors.add("note", "Say why the protocol is changing")
        if not errors:
            try:
                new = version_create(actor=request.user, authority=authority, document=document, note=form["note"])
            except Refused as refused:
                for problem in refused.problems:
                    errors.add("file", f"In the file, {problem.field}: {problem.message}", anchor="file")
                    errors.by_field["file"] = "The file is not a valid protocol: see the problems above"
            else:
                messages.success(request, f"Version {new.number} of the protocol is saved from "
                                          f"{upload.name}.")
                return redirect("protocol_current")
    return render(request, "protocol/protocol_upload.html", {
        "authority": authority, "errors": errors, "form": form,
    }, status=400 if errors else 200)


# --- messages to other authorities -------------------------------------------------------------------


MESSAGE_COLOURS = {"queued": "govuk-tag--yellow", "sending": "govuk-tag--blue", "sent": "govuk-tag--green",
                   "failed": "govuk-tag--red"}


@login_required
@require_GET
def protocol_messages(request):
    if not selectors.can_see_messages(request.user):
        raise Http404("No such page")
    state = request.GET.get("state", "")
    qs = selectors.messages_visible_to(request.user)
    if state in MessageState.values:
        qs = qs.filter(state=state)
    else:
        state = ""
    items = list(qs.order_by("-created_at", "-pk")[:LIST_LIMIT])
    show_body = _role(request) != Role.ADMIN
    rows = []
    for m in items:
        retry = ""
        if m.state == MessageState.FAILED:
            retry = mark_safe(render_to_string("protocol/partials/retry_form.html", {"message": m}, request=request))
        body = ""
        if show_body:
            body = mark_safe(render_to_string("web/components/details.html", {
                "summary": "What it says", "body": format_html('<pre class="hw-raw">{}</pre>', m.body)}))
        rows.append([
            london(m.created_at, SHORT),
            lines(m.to_authority.name, m.to_email),
            lines(m.subject, body),
            lines(tag(m.get_state_display(), MESSAGE_COLOURS[m.state]),
                  f"Sent {london(m.sent_at, SHORT)}" if m.sent_at else ""),
            lines(f"{m.attempts} attempt{'s' if m.attempts != 1 else ''}",
                  f"Next: {london(m.next_attempt_at, SHORT)}" if m.state == MessageState.QUEUED else "",
                  m.last_error),
            retry,
        ])
    audit_record(actor=request.user, action=AuditEvent.Action.LIST, object_type="outboundmessage",
                 summary=f"Listed {len(items)} messages to other authorities",
                 payload={"message_ids": [m.pk for m in items][:500]})
    counts = dict(selectors.messages_visible_to(request.user).values("state").annotate(n=Count("pk"))
                  .values_list("state", "n"))
    return render(request, "protocol/messages.html", {
        "rows": rows, "state": state, "counts": counts, "authority": _council_authority(request),
        "state_choices": [("", "Any state")] + list(MessageState.choices),
    })


@login_required
@require_POST
def protocol_message_retry(request, pk: int):
    message = get_object_or_404(selectors.messages_visible_to(request.user), pk=pk)
    message_retry(actor=request.user, message=message)
    messages.success(request, f"The message to {message.to_authority.name} will be sent again at the next run")
    return redirect("protocol_messages")


# --- children's homes ---------------------------------------------------------------------------------


@login_required
@require_GET
def protocol_homes(request):
    authority = _council_authority(request)
    if authority is None or not (selectors.can_see_meetings(request.user) or _role(request) == Role.ANALYST):
        raise Http404("No such page")
    today = timezone.localdate()
    errors = Errors(anchors={"from": "from-day", "to": "to-day"})
    start_in = DateTimeInput("from", "From", "the period starts", required=False, with_time=False)
    end_in = DateTimeInput("to", "Up to", "the period ends", required=False, with_time=False,
                           hint="This day is not included. For example, 1 4 2025")
    start_in.bind(request.GET)
    end_in.bind(request.GET)
    start = start_in.clean(errors) or patterns.add_months(today.replace(day=1), -11)
    end = end_in.clean(errors) or today + timedelta(days=1)
    if not errors and end <= start:
        errors.add("to", "The end of the period must be after its start", anchor="to-day")
    attach(errors, start_in, end_in)
    if not request.GET.get("from-day"):
        start_in.initial(start)
    if not request.GET.get("to-day"):
        end_in.initial(end)
    report = patterns.homes(authority.pk, start, end) if not errors else None
    groups = []
    if report:
        for name, members in report.groups:
            groups.append({"name": name, "rows": [[
                lines(r.provider.name, f"Ofsted URN {r.provider.urn}" if r.provider.urn else ""),
                r.provider.get_kind_display(),
                r.provider.postcode,
                r.placed,
                r.episodes,
                r.children_missing,
                r.per_child if r.per_child is not None else "No placements held",
                tag("Stands out", "govuk-tag--red") if r.stands_out else "",
            ] for r in members], "episodes": sum(r.episodes for r in members),
                "placed": sum(r.placed for r in members)})
    audit_record(actor=request.user, action=AuditEvent.Action.LIST, object_type="provider",
                 summary=f"Viewed episodes by children's home for {authority.code}",
                 payload={"from": start.isoformat(), "to": end.isoformat()})
    return render(request, "protocol/homes.html", {
        "authority": authority, "errors": errors, "start_in": start_in, "end_in": end_in, "report": report,
        "groups": groups, "start": start, "end": end - timedelta(days=1),
        "factor": patterns.STAND_OUT_FACTOR, "minimum": patterns.STAND_OUT_MIN_EPISODES,
    })


# --- meetings -----------------------------------------------------------------------------------------


def _require_meetings(request) -> Authority:
    if not selectors.can_see_meetings(request.user):
        raise Http404("No such page")
    return _council_authority(request)


def _monthly_threshold(authority: Authority) -> int:
    rules = version_in_force(authority).rules
    return rules.get("monthly_multiple_missing", {}).get("count", 5)


@login_required
@require_GET
def meeting_list(request):
    authority = _require_meetings(request)
    meetings = list(selectors.meetings_visible_to(request.user).annotate(
        open_actions=Count("actions", distinct=True)).order_by("-held_at", "-pk")[:LIST_LIMIT])
    named = selectors.child_names(request.user, [m for m in meetings if m.child_id])
    rows = [[
        link(reverse("meeting_detail", args=[m.pk]), london(m.held_at, SHORT), hidden=f"({m.get_kind_display()})"),
        m.get_kind_display(),
        _child_cell(m, named) if m.child_id else (m.month.strftime("%B %Y") if m.month else ""),
        m.open_actions,
    ] for m in meetings]
    audit_record(actor=request.user, action=AuditEvent.Action.LIST, object_type="meeting",
                 summary=f"Listed {len(meetings)} meetings", payload={"meeting_ids": [m.pk for m in meetings][:500]})
    return render(request, "protocol/meetings.html", {
        "authority": authority, "rows": rows, "can_record": can_record_meetings(request.user),
    })


MEETING_KIND_CHOICES = [
    (MeetingKind.STRATEGY_DISCUSSION, "Strategy discussion", "For a child missing at high risk or with exploitation"
                                                              " concerns"),
    (MeetingKind.MULTI_AGENCY, "Multi-agency meeting (repeat missing)", "When a child reaches the repeat threshold"),
    (MeetingKind.PLACEMENT_REVIEW, "Placement review", "After a looked-after child's episode"),
    (MeetingKind.FAMILY_GROUP_CONFERENCE, "Missing family group conference",
     "Everyone around the child agrees a safety plan"),
    (MeetingKind.MONTHLY_REVIEW, "Multiple Missing and Hotspots review", "The monthly review of children missing "
                                                                         "often, and of places"),
]
EXTRA_ROWS = 3


def _month_choices(today: date) -> list[tuple[str, str]]:
    first = today.replace(day=1)
    return [(patterns.add_months(first, -i).strftime("%Y-%m"), patterns.add_months(first, -i).strftime("%B %Y"))
            for i in range(0, 13)]


def _parse_month(text: str) -> date | None:
    try:
        return datetime.strptime((text or "").strip(), "%Y-%m").date()
    except ValueError:
        return None


class _Rows:
    """Attendee and action rows of the meeting form: those given and a few empty."""

    @staticmethod
    def attendees(data=None, meeting=None):
        if data is not None:
            rows = []
            for i in range(1, 51):
                if f"attendee-{i}-name" not in data:
                    break
                rows.append({k: (data.get(f"attendee-{i}-{k}") or "").strip() for k in ("name", "organisation", "role")})
        else:
            rows = [{"name": a.name, "organisation": a.organisation, "role": a.role}
                    for a in (meeting.attendees.all() if meeting else [])]
        filled = [r for r in rows if any(r.values())]
        return filled + [{"name": "", "organisation": "", "role": ""} for _ in range(EXTRA_ROWS)]

    @staticmethod
    def actions(data=None, meeting=None):
        rows = []
        if data is not None:
            for i in range(1, 51):
                if f"action-{i}-action" not in data:
                    break
                due = DateTimeInput(f"action-{i}-due", "Due", "the action is due", required=False, with_time=False)
                due.bind(data)
                rows.append({"action": (data.get(f"action-{i}-action") or "").strip(),
                             "owner": (data.get(f"action-{i}-owner") or "").strip(),
                             "owner_organisation": (data.get(f"action-{i}-owner_organisation") or "").strip(),
                             "due": due})
        elif meeting is not None:
            for a in meeting.actions.all():
                rows.append({"action": a.action, "owner": a.owner, "owner_organisation": a.owner_organisation,
                             "due": DateTimeInput("x", "Due", "the action is due", required=False,
                                                  with_time=False).initial(a.due_date)})
        rows = [r for r in rows if r["action"] or r["owner"] or r["owner_organisation"] or r["due"].day]
        rows += [{"action": "", "owner": "", "owner_organisation": "",
                  "due": DateTimeInput("x", "Due", "the action is due", required=False, with_time=False)}
                 for _ in range(EXTRA_ROWS)]
        for i, r in enumerate(rows, start=1):
            r["due"].name = f"action-{i}-due"
            r["due"].legend = "Due by"
        return rows


def _meeting_form(request, *, meeting=None):
    authority = _require_meetings(request)
    if not can_record_meetings(request.user):
        raise PermissionDenied("Your role cannot record meetings")
    data = request.POST if request.method == "POST" else None
    source = data if data is not None else request.GET
    errors = Errors(anchors={"held": "held-day"}, first_field="kind")
    held = DateTimeInput("held", "When was the meeting held?", "the meeting was held")
    kind = (source.get("kind") or (meeting.kind if meeting else "")).strip()
    child = meeting.child if meeting else None
    child_text = (source.get("child") or (str(meeting.child_id) if meeting and meeting.child_id else "")).strip()
    month_text = (source.get("month") or (meeting.month.strftime("%Y-%m") if meeting and meeting.month else "")).strip()
    task_id = (source.get("task") or "").strip()
    form = {
        "kind": kind, "child": child_text, "month": month_text, "task": task_id,
        "location": (data.get("location") if data is not None else (meeting.location if meeting else "")) or "",
        "decisions": (data.get("decisions") if data is not None else (meeting.decisions if meeting else "")) or "",
        "safety_plan": (data.get("safety_plan") if data is not None else (meeting.safety_plan if meeting else "")) or "",
    }
    if meeting is not None and data is None:
        held.initial(meeting.held_at)
    if child is None and child_text and kind != MeetingKind.MONTHLY_REVIEW:
        if child_text.isdigit():
            try:
                child = child_get(actor=request.user, pk=int(child_text))
            except Http404:
                child = None
        if child is None and data is not None:
            errors.add("child", "Enter the Homeward record number of a child in your records", anchor="child")
    attendees = _Rows.attendees(data, meeting)
    actions = _Rows.actions(data, meeting)
    month = _parse_month(month_text)
    # Tasks this meeting can answer (the same rule, for the child or month).
    answerable = []
    if kind in MeetingKind.values:
        answerable = list(answerable_tasks(kind, authority_id=authority.pk, child_id=child.pk if child else None,
                                           month=month))
    chosen = set(data.getlist("tasks")) if data is not None else ({task_id} if task_id else
                                                                     {str(t.pk) for t in answerable})
    if data is not None:
        held.bind(data)
        held_at = held.clean(errors)
        if kind not in MeetingKind.values:
            errors.add("kind", "Choose the kind of meeting", anchor="kind")
        elif kind == MeetingKind.MONTHLY_REVIEW and month is None:
            errors.add("month", "Choose the month reviewed", anchor="month")
        elif kind != MeetingKind.MONTHLY_REVIEW and child is None and not child_text:
            errors.add("child", "Enter the Homeward record number of the child the meeting is about", anchor="child")
        if held_at and held_at > timezone.now() + timedelta(days=1):
            errors.add("held", "Record a meeting once it has been held", anchor="held-day")
        action_rows = []
        for i, r in enumerate(actions, start=1):
            blank = not (r["action"] or r["owner"] or r["owner_organisation"] or r["due"].day or r["due"].month
                         or r["due"].year)
            if blank:
                continue
            due = r["due"].clean(errors)
            action_rows.append(ActionRow(r["action"], r["owner"], r["owner_organisation"], due))
        attendee_rows = [AttendeeRow(a["name"], a["organisation"], a["role"]) for a in attendees if any(a.values())]
        if not errors:
            payload = MeetingInput(
                kind=kind, held_at=held_at, child_id=child.pk if child else None, month=month,
                location=form["location"], decisions=form["decisions"], safety_plan=form["safety_plan"],
                attendees=attendee_rows, actions=action_rows,
                task_ids=[int(t) for t in chosen if str(t).isdigit()],
            )
            try:
                saved = meeting_save(actor=request.user, data=payload, meeting=meeting, child=child)
            except Refused as refused:
                for problem in refused.problems:
                    anchor = {"attendees": "attendee-1-name", "month": "month", "child": "child",
                              "held_at": "held-day"}.get(problem.field)
                    if problem.field.startswith("attendee-"):
                        anchor = f"{problem.field}-name"
                    if problem.field.startswith("action-"):
                        anchor = f"{problem.field}-action"
                    errors.add(problem.field, problem.message, anchor=anchor)
            else:
                messages.success(request, f"{saved.get_kind_display()} recorded")
                return redirect("meeting_detail", pk=saved.pk)
        attach(errors, held, *[r["due"] for r in actions])
    for i, a in enumerate(attendees, start=1):
        a["n"], a["error"] = i, errors.by_field.get(f"attendee-{i}", "")
    for i, a in enumerate(actions, start=1):
        a["n"], a["key"] = i, str(i)
        a["error"] = errors.by_field.get(f"action-{i}", "")
    child_rows = [("Child", link(reverse("web:child", args=[child.pk]), child.full_name)),
                  ("Date of birth", child.dob.strftime("%-d %B %Y"))] if child else []
    named = selectors.child_names(request.user, answerable)
    task_options = [(str(t.pk), t.title, f"Due {london(t.due_at, SHORT)}"
                     + (f" – {t.child.full_name}" if t.child_id in named and kind == MeetingKind.MONTHLY_REVIEW else ""),
                     str(t.pk) in chosen) for t in answerable]
    return render(request, "protocol/meeting_form.html", {
        "meeting": meeting, "authority": authority, "errors": errors, "form": form, "held": held, "child": child,
        "kind_choices": MEETING_KIND_CHOICES, "child_rows": child_rows,
        "month_options": [("", "Not a monthly review")] + _month_choices(timezone.localdate()),
        "attendees": attendees, "actions": actions, "task_options": task_options,
    }, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request):
    return _meeting_form(request)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk: int):
    meeting = selectors.meeting_get(actor=request.user, pk=pk)
    return _meeting_form(request, meeting=meeting)


def episode_rows(episodes, named_child: bool) -> list[list]:
    rows = []
    for e in episodes:
        start = london(e.started_at, SHORT)
        rows.append([
            link(reverse("web:episode", args=[e.pk]), start, hidden="(view the episode)") if named_child else start,
            london(e.returned_at, SHORT) if e.returned_at else tag("Missing now", "govuk-tag--red"),
            e.get_missing_from_display(),
            e.postcode,
            e.found_postcode,
            str(e.provider) if e.provider_id else "",
        ])
    return rows


@login_required
@require_GET
def meeting_detail(request, pk: int):
    meeting = selectors.meeting_get(actor=request.user, pk=pk)
    named = selectors.child_names(request.user, [meeting]) if meeting.child_id else set()
    rows = [
        ("Meeting", meeting.get_kind_display()),
        ("Held", london(meeting.held_at)),
        ("Child" if meeting.child_id else "Month reviewed",
         _child_cell(meeting, named) if meeting.child_id else meeting.month.strftime("%B %Y")),
        ("Where", meeting.location),
        ("Recorded by", lines((meeting.created_by.get_full_name() or meeting.created_by.username)
                              if meeting.created_by_id else "", london(meeting.created_at, SHORT))),
    ]
    attendees: dict[str, list] = {}
    for a in meeting.attendees.all():
        attendees.setdefault(a.organisation, []).append(a)
    attendee_rows = [[org, lines(*(f"{a.name}" + (f", {a.role}" if a.role else "") for a in people))]
                     for org, people in sorted(attendees.items())]
    today = timezone.localdate()
    action_rows = [[a.action, lines(a.owner, a.owner_organisation),
                    lines(a.due_date.strftime("%-d %b %Y"),
                          tag("Overdue", "govuk-tag--red") if a.due_date < today and not a.done_at else "")]
                   for a in meeting.actions.all()]
    task_rows_ = [[link(reverse("tasks_detail", args=[t.pk]), t.title), _state_tag(t)]
                  for t in meeting.tasks.all() if selectors.tasks_visible_to(request.user).filter(pk=t.pk).exists()]
    around = None
    if meeting.kind == MeetingKind.FAMILY_GROUP_CONFERENCE and meeting.child_id:
        outcome = patterns.around(meeting.child_id, meeting.held_at)
        around = {
            "before": outcome.counts[0], "after": outcome.counts[1], "complete": outcome.complete,
            "before_rows": episode_rows(outcome.before, meeting.child_id in named),
            "after_rows": episode_rows(outcome.after, meeting.child_id in named),
        }
    return render(request, "protocol/meeting_detail.html", {
        "meeting": meeting, "rows": rows, "attendee_rows": attendee_rows, "action_rows": action_rows,
        "task_rows": task_rows_, "around": around, "can_edit": can_record_meetings(request.user),
    })


@login_required
@require_GET
def meeting_monthly(request):
    authority = _require_meetings(request)
    today = timezone.localdate()
    choices = _month_choices(today)
    month = _parse_month(request.GET.get("month", "")) or today.replace(day=1)
    threshold = _monthly_threshold(authority)
    review = patterns.monthly_review(authority.pk, month, threshold)
    visible = set(children_visible_to(request.user).filter(pk__in=[c.child_id for c in review.children])
                  .values_list("pk", flat=True))
    from homeward.people.models import Child

    names = {c.pk: c for c in Child.objects.filter(pk__in=visible)}
    children = []
    for c in review.children:
        child = names.get(c.child_id)
        children.append({
            "heading": child.full_name if child else "A child not in your records",
            "href": reverse("web:child", args=[child.pk]) if child else "",
            "count": c.count,
            "rows": episode_rows(c.episodes, child is not None),
            "id": f"child-{len(children) + 1}",
        })
    audit_record(actor=request.user, action=AuditEvent.Action.LIST, object_type="child",
                 summary=f"Monthly review list for {month.strftime('%B %Y')} ({len(review.children)} children)",
                 payload={"child_ids": sorted(visible)[:500], "month": month.strftime("%Y-%m")})
    held = list(selectors.meetings_visible_to(request.user).filter(kind=MeetingKind.MONTHLY_REVIEW, month=month))
    return render(request, "protocol/monthly_review.html", {
        "authority": authority, "month": month, "month_value": month.strftime("%Y-%m"), "month_choices": choices,
        "threshold": threshold, "children": children,
        "hotspot_rows": [[d, n, k] for d, n, k in review.hotspots],
        "home_rows": [[h, n, k] for h, n, k in review.homes],
        "held": held, "can_record": can_record_meetings(request.user),
        "record_url": reverse("meeting_create") + f"?kind={MeetingKind.MONTHLY_REVIEW}&month={month:%Y-%m}",
    })


@login_required
@require_GET
def meeting_fgc(request):
    authority = _require_meetings(request)
    meetings = list(selectors.meetings_visible_to(request.user).filter(kind=MeetingKind.FAMILY_GROUP_CONFERENCE)
                    .order_by("-held_at"))
    named = selectors.child_names(request.user, meetings)
    outcomes, rows = [], []
    for m in meetings:
        o = patterns.around(m.child_id, m.held_at)
        outcomes.append(o)
        rows.append([
            link(reverse("meeting_detail", args=[m.pk]), london(m.held_at, SHORT), hidden="(the conference)"),
            _child_cell(m, named),
            o.counts[0],
            o.counts[1] if o.complete else lines(o.counts[1], tag("So far", "govuk-tag--grey")),
        ])
    averages = patterns.fgc_averages(outcomes)
    return render(request, "protocol/fgc.html", {"authority": authority, "rows": rows, "averages": averages})
