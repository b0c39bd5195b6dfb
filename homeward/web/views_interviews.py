"""The return home interview pages.

Plain function views, as in views.py: interviews are read only through
homeward.interviews.selectors (scoped, cut down to what the person may see,
audited) and written only through homeward.interviews.services (validated,
audited, `Refused` naming each field).

Pages: the worklist, an interview (the child's own words first), the offer,
the interview itself, the findings (with places and people named, and
"raise flag" buttons), allocation, the quality audit and its overview, the
managers' timeliness and outcomes figures with the children behind each
number, and a child's interviews (the include `interviews/_child_timeline.html`
is the section for the child's page: `child_timeline_context`).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from homeward.access.models import Membership, Organisation, User
from homeward.access.roles import COUNCIL_CASE_ROLES, OrganisationKind, Role
from homeward.interviews import access, rules
from homeward.interviews.links import iurl
from homeward.interviews.models import (
    Action, CODES_FOR_KIND, ExploitationIndicator, FindingKind, Harm, NamedPerson, NamedPlace, Reason,
)
from homeward.interviews.selectors import (
    interview_figures, interview_figures_children, interview_for_episode, interview_get, interview_worklist,
    interviews_for_child, quality_overview,
)
from homeward.interviews.services import (
    Section, checklist_for, flag_suggestions, interview_add_person, interview_add_place, interview_allocate,
    interview_quality_audit, interview_raise_flag, interview_record_completed, interview_record_findings,
    interview_record_offer, interview_remove_named,
)
from homeward.interviews.templatetags.interviews import status_of
from homeward.people.selectors import child_get
from homeward.problems import Refused

from . import present
from .forms import DateTimeInput, Errors, attach, clean_choice
from .templatetags.homeward import london

SHORT = present.SHORT
FIELDS = {"offered_at": "offered", "last_attempt_at": "last_attempt", "completed_at": "completed", "interviewer": "who"}


def _problems(errors: Errors, refused: Refused) -> None:
    for problem in refused.problems:
        errors.add(FIELDS.get(problem.field, problem.field), problem.message)


def _role(request) -> str:
    return getattr(request.user, "role", None) or ""


# --- rows for the tables ------------------------------------------------------------------------


def status_tag(interview) -> str:
    text, classes = status_of(interview)
    return present.tag(text, classes)


def _child_link(interview) -> str:
    return present.link(reverse("web:child", args=[interview.child_id]), interview.child.full_name)


def _interview_link(interview, text: str = "View", hidden: str = "") -> str:
    return present.link(iurl("interview_detail", interview.pk), text,
                        hidden=hidden or f"the interview of {interview.child.full_name}")


def _who(interview) -> str:
    if interview.worker_id:
        return present.lines(interview.worker.get_full_name() or interview.worker.username,
                             interview.provider.name if interview.provider_id else "")
    if interview.provider_id:
        return present.lines(interview.provider.name, "No worker yet" if interview.is_open else "")
    return present.tag("Not allocated", "govuk-tag--grey")


def worklist_rows(items) -> list[list]:
    rows = []
    for item in items:
        i = item.interview
        rows.append([
            present.link(iurl("interview_detail", i.pk), i.child.full_name, hidden="(open the interview)"),
            london(i.returned_at, SHORT),
            london(i.due_at, SHORT),
            present.tag(item.time_left, "govuk-tag--red") if item.overdue else item.time_left,
            status_tag(i),
            _who(i),
        ])
    return rows


def recent_rows(interviews) -> list[list]:
    return [[
        present.link(iurl("interview_detail", i.pk), i.child.full_name, hidden="(open the interview)"),
        london(i.completed_at, SHORT),
        status_tag(i),
        present.link(iurl("interview_findings", i.pk), "Findings", hidden=f"of {i.child.full_name}’s interview"),
    ] for i in interviews]


# --- the worklist ----------------------------------------------------------------------------------


@login_required
@require_GET
def worklist(request):
    work = interview_worklist(actor=request.user, show=(request.GET.get("show") or "").strip())
    return render(request, "interviews/worklist.html", {
        "has_worklist": bool(work.choices),
        "work": work,
        "rows": worklist_rows(work.items),
        "recent_rows": recent_rows(work.recent),
        "show_links": [(value, text, iurl("interview_worklist", query={"show": value}), value == work.show)
                       for value, text in work.choices],
        "can_see_figures": access.can_see_figures(request.user),
        "can_audit": access.can_audit_quality(request.user),
    })


# --- one interview -------------------------------------------------------------------------------------


def _summary_rows(read) -> list[tuple]:
    i = read.interview
    now = timezone.now()
    time_left = ""
    if i.is_open:
        text, overdue = rules.describe_time_left(i.due_at, now)
        time_left = present.tag(text, "govuk-tag--red") if overdue else text
    offered = ""
    if i.offered_at:
        offered = present.lines(london(i.offered_at), "In time" if i.offered_in_time else "Late: after the due time")
    rows = [
        ("Child", _child_link(i)),
        ("Status", status_tag(i)),
        ("Returned", london(i.returned_at)),
        ("Due by", present.lines(london(i.due_at), f"{i.timescale_text} from the return"
                                 + (f" ({i.timescale_source})" if i.timescale_source else ""))),
    ]
    if i.is_open:
        rows.append(("Time left", time_left))
    rows += [
        ("Offered", offered or ("Not offered" if i.required else "")),
        ("Answer", i.get_progress_display() if i.progress else ""),
    ]
    if i.progress == rules.UNABLE_TO_CONTACT:
        rows.append(("Last tried to contact", london(i.last_attempt_at)))
    rows.append(("Interview took place", present.lines(london(i.completed_at),
                                                        "In time" if i.completed_in_time else "Late: after the due time")
                 if i.completed_at else ""))
    if read.full:
        rows += [
            ("Where", i.venue),
            ("Interviewer", present.lines(i.interviewer_name, i.interviewer_organisation)),
        ]
        if i.told_by:
            rows.append(("Told to us by", i.told_by))
    rows += [
        ("Allocated to", _who(i) if i.required else ""),
        ("Responsible for the interview", present.authority(i.lead_authority)),
        ("Area where the child went missing", present.authority(i.area_authority)),
        ("Episode", present.link(reverse("web:episode", args=[i.episode_id]),
                                 f"Missing from {london(i.episode_started_at, SHORT)}")
         if i.episode_id else f"Episode {i.episode_number} (merged into another)"),
        ("Interview number", i.pk),
    ]
    return rows


def _finding_blocks(read, request, *, can_flag: bool) -> list[dict]:
    suggestions = {}
    if can_flag:
        for code, flag in flag_suggestions(read.interview):
            suggestions[code.pk] = flag
    active_flags = set(read.interview.child.flags.filter(end_date__isnull=True).values_list("flag", flat=True)) \
        if can_flag else set()
    blocks = []
    for finding in read.findings:
        choices = CODES_FOR_KIND.get(finding.kind)
        codes = []
        for code in finding.codes.all():
            label = choices(code.code).label if choices is not None and code.code in choices.values else code.code
            action = ""
            flag = suggestions.get(code.pk)
            if flag is not None:
                from homeward.people.models import Flag

                if code.flag_id or flag in active_flags:
                    action = present.tag(f"{Flag(flag).label} flag raised", "govuk-tag--grey")
                else:
                    action = mark_safe(render_to_string("interviews/partials/raise_flag_form.html", {
                        "action": iurl("interview_raise_flag", read.pk), "code_id": code.pk,
                        "text": f"Raise the {Flag(flag).label} flag",
                        "hidden": f"on {read.interview.child.full_name}’s record",
                    }, request=request))
            codes.append({"label": label, "action": action})
        blocks.append({"kind": finding.kind, "label": FindingKind(finding.kind).label, "codes": codes,
                       "text": finding.text, "shared": finding.shared})
    return blocks


def _place_rows(places, *, full: bool) -> list[list]:
    return [[p.text, p.postcode, p.get_kind_display(), p.noted_on.strftime("%-d %b %Y")]
            + ([("Yes" if p.shared else "No")] if full else []) for p in places]


def _person_rows(people, *, full: bool) -> list[list]:
    return [[p.name, p.approximate_age if p.approximate_age is not None else "", p.description,
             p.noted_on.strftime("%-d %b %Y")] + ([("Yes" if p.shared else "No")] if full else []) for p in people]


@login_required
@require_GET
def detail(request, pk: int):
    read = interview_get(actor=request.user, pk=pk)
    i = read.interview
    can_record = access.can_record(request.user, i) and i.required and not i.cancelled
    return render(request, "interviews/detail.html", {
        "read": read,
        "interview": i,
        "child": i.child,
        "summary_rows": _summary_rows(read),
        "findings": _finding_blocks(read, request, can_flag=can_record and access.can_raise_flag(request.user, i)),
        "place_rows": _place_rows(read.places, full=read.full),
        "person_rows": _person_rows(read.people, full=read.full),
        "can_record": can_record,
        "can_allocate": access.can_allocate(request.user, i) and i.is_open,
        "can_audit": access.can_audit_quality(request.user, i) and i.progress == rules.COMPLETED,
        "covering": read.covering,
        "covers": read.covers,
        "audit_rows": [[london(a.audited_at, SHORT), a.audited_by.get_full_name() or a.audited_by.username
                        if a.audited_by_id else "", f"{a.percent}%", a.comment] for a in read.quality_audits],
    })


@login_required
@require_GET
def for_episode(request, pk: int):
    interview = interview_for_episode(actor=request.user, episode_pk=pk)
    return redirect(iurl("interview_detail", interview.pk))


def _recordable(request, pk: int):
    read = interview_get(actor=request.user, pk=pk)
    interview = read.interview
    if not access.can_record(request.user, interview):
        raise PermissionDenied("Your role cannot record this interview")
    if interview.cancelled or not interview.required:
        messages.info(request, "This interview is not required, so nothing can be recorded on it")
        return read, redirect(iurl("interview_detail", interview.pk))
    return read, None


# --- the offer ---------------------------------------------------------------------------------------------

ANSWER_CHOICES = [
    (rules.OFFERED, "Offered: waiting for an answer"),
    (rules.ACCEPTED, "Accepted: the interview is arranged"),
    (rules.DECLINED_BY_CHILD, "Declined by the child"),
    (rules.DECLINED_BY_PARENT_OR_CARER, "Declined by a parent or carer"),
    (rules.UNABLE_TO_CONTACT, "Unable to contact the child", "Tried, but could not reach the child to offer it"),
]


@login_required
@require_http_methods(["GET", "POST"])
def offer(request, pk: int):
    read, away = _recordable(request, pk)
    if away:
        return away
    interview = read.interview
    if interview.progress == rules.COMPLETED:
        messages.info(request, "The interview is already recorded as completed")
        return redirect(iurl("interview_detail", interview.pk))
    offered = DateTimeInput("offered", "When was the interview offered?", "the interview was offered",
                            required=False,
                            hint="Leave blank only if you could not contact the child. For example, 27 3 2025 and 14:30 (24-hour clock)")
    attempt = DateTimeInput("last_attempt", "If you could not contact the child: when did you last try?",
                            "you last tried to contact the child", required=False)
    offered.initial(interview.offered_at)
    attempt.initial(interview.last_attempt_at)
    form = {"answer": interview.progress if interview.progress in dict((c[0], c) for c in ANSWER_CHOICES) else ""}
    errors = Errors(anchors={"offered": "offered-day", "last_attempt": "last_attempt-day"}, first_field="answer")
    if request.method == "POST":
        offered.bind(request.POST)
        attempt.bind(request.POST)
        form["answer"] = (request.POST.get("answer") or "").strip()
        answer = clean_choice(request.POST, "answer", ANSWER_CHOICES, errors, "Choose what happened")
        offered_at = offered.clean(errors)
        attempted_at = attempt.clean(errors)
        if not errors:
            try:
                interview_record_offer(actor=request.user, interview=interview, answer=answer, offered_at=offered_at,
                                       last_attempt_at=attempted_at)
            except Refused as refused:
                _problems(errors, refused)
            else:
                messages.success(request, f"The offer to {interview.child.first_name} is recorded")
                return redirect(iurl("interview_detail", interview.pk))
        attach(errors, offered, attempt)
    return render(request, "interviews/offer.html", {
        "interview": interview, "child": interview.child, "errors": errors, "form": form, "offered": offered,
        "attempt": attempt, "answer_choices": ANSWER_CHOICES,
        "action": iurl("interview_offer", interview.pk), "back": iurl("interview_detail", interview.pk),
    })


# --- the interview itself ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def record(request, pk: int):
    read, away = _recordable(request, pk)
    if away:
        return away
    interview = read.interview
    me = request.user
    who_choices = [("me", f"I did ({me.get_full_name() or me.username})")]
    if interview.worker_id and interview.worker_id != me.pk:
        who_choices.append(("worker", f"The allocated worker ({interview.worker.get_full_name() or interview.worker.username})"))
    who_choices.append(("other", "Someone else", "For example, the placing authority’s worker: give their name below"))
    completed = DateTimeInput("completed", "When did the interview take place?", "the interview took place")
    completed.initial(interview.completed_at)
    form = {"venue": interview.venue, "who": "", "interviewer_name": "", "interviewer_organisation": "",
            "told_by": interview.told_by}
    if interview.interviewer_id == me.pk:
        form["who"] = "me"
    elif interview.interviewer_id and interview.interviewer_id == interview.worker_id:
        form["who"] = "worker"
    elif interview.interviewer_name:
        form.update(who="other", interviewer_name=interview.interviewer_name,
                    interviewer_organisation=interview.interviewer_organisation)
    errors = Errors(anchors={"completed": "completed-day"}, first_field="completed-day")
    if request.method == "POST":
        data = request.POST
        completed.bind(data)
        form.update({k: (data.get(k) or "").strip() for k in form})
        completed_at = completed.clean(errors)
        if not form["venue"]:
            errors.add("venue", "Enter where the interview took place")
        who = clean_choice(data, "who", who_choices, errors, "Say who did the interview")
        interviewer = {"me": me, "worker": interview.worker}.get(who)
        if who == "other" and not form["interviewer_name"]:
            errors.add("interviewer_name", "Enter the name of the person who did the interview")
        if not errors:
            try:
                interview_record_completed(
                    actor=me, interview=interview, completed_at=completed_at, venue=form["venue"],
                    interviewer=interviewer, interviewer_name=form["interviewer_name"] if who == "other" else "",
                    interviewer_organisation=form["interviewer_organisation"] if who == "other" else "",
                    told_by=form["told_by"],
                )
            except Refused as refused:
                _problems(errors, refused)
            else:
                messages.success(request, "The interview is recorded: now record what the child said")
                return redirect(iurl("interview_findings", interview.pk))
        attach(errors, completed)
    return render(request, "interviews/record.html", {
        "interview": interview, "child": interview.child, "errors": errors, "form": form, "completed": completed,
        "who_choices": who_choices, "action": iurl("interview_record", interview.pk),
        "back": iurl("interview_detail", interview.pk),
    })


# --- findings ------------------------------------------------------------------------------------------------

SECTIONS = [
    # kind, heading, codes legend, text label, text hint
    (FindingKind.WORDS, "In the child’s own words", "", "What the child said, in their words",
     "Their own words, not a summary. This is shown first wherever the interview is shown."),
    (FindingKind.REASONS, "Reasons for going missing", "Reasons (choose all that apply)", "More about the reasons", ""),
    (FindingKind.PUSH, "Push factors", "", "What made the child leave",
     "For example, arguments at home, rules in the placement"),
    (FindingKind.PULL, "Pull factors", "", "What drew the child away",
     "For example, seeing family, friends, a boyfriend or girlfriend, someone offering things"),
    (FindingKind.STAYED, "Where they stayed, and with whom", "", "Where the child stayed and who with", ""),
    (FindingKind.TRAVEL, "How they travelled and came back", "", "How the child travelled and came back",
     "For example, train, someone’s car, on foot; who paid"),
    (FindingKind.HARM, "Harm experienced or threatened", "Harm (choose all that apply)", "What happened", ""),
    (FindingKind.EXPLOITATION, "Exploitation indicators", "Indicators (choose all that apply)", "What points to it", ""),
    (FindingKind.ACTIONS, "Actions and referrals", "Actions (choose all that apply)", "What was agreed, and who will do it",
     ""),
]
CODE_CHOICES = {
    FindingKind.REASONS: Reason.choices,
    FindingKind.HARM: Harm.choices,
    FindingKind.EXPLOITATION: ExploitationIndicator.choices,
    FindingKind.ACTIONS: Action.choices,
}


def _sections_from_findings(interview) -> dict[str, dict]:
    values = {kind: {"text": "", "codes": [], "shared": False} for kind, *_ in SECTIONS}
    for finding in interview.findings.prefetch_related("codes"):
        values[finding.kind] = {"text": finding.text, "codes": [c.code for c in finding.codes.all()],
                                "shared": finding.shared}
    return values


def _findings_page(request, interview, *, errors=None, values=None, place=None, person=None, status=200):
    values = values or _sections_from_findings(interview)
    errors = errors or Errors(first_field="words_text")
    sections = []
    for kind, heading, codes_legend, text_label, hint in SECTIONS:
        sections.append({
            "kind": kind, "heading": heading, "codes_legend": codes_legend,
            "choices": CODE_CHOICES.get(kind, []), "text_label": text_label, "hint": hint,
            "value": values[kind], "codes_error": errors.by_field.get(kind, ""),
            "text_error": errors.by_field.get(f"{kind}_text", ""),
        })
    full = True
    places = list(interview.places.order_by("pk"))
    people = list(interview.people.order_by("pk"))
    return render(request, "interviews/findings.html", {
        "interview": interview, "child": interview.child, "errors": errors, "sections": sections,
        "completed": interview.progress == rules.COMPLETED,
        "place_rows": [r + [_remove_form(request, interview, "place", p)] for r, p in
                       zip(_place_rows(places, full=full), places)],
        "person_rows": [r + [_remove_form(request, interview, "person", p)] for r, p in
                        zip(_person_rows(people, full=full), people)],
        "place": place or {"place_text": "", "place_postcode": "", "place_kind": "", "place_shared": False},
        "person": person or {"person_name": "", "person_age": "", "person_description": "", "person_shared": False},
        "place_kinds": [("", "Choose a kind of place")] + list(NamedPlace.Kind.choices),
        "action": iurl("interview_findings", interview.pk),
        "place_action": iurl("interview_place_add", interview.pk),
        "person_action": iurl("interview_person_add", interview.pk),
        "back": iurl("interview_detail", interview.pk),
    }, status=status)


def _remove_form(request, interview, kind: str, record) -> str:
    label = record.text if kind == "place" else record.name
    return mark_safe(render_to_string("interviews/partials/remove_named_form.html", {
        "action": iurl("interview_named_remove", interview.pk), "kind": kind, "id": record.pk, "label": label,
    }, request=request))


@login_required
@require_http_methods(["GET", "POST"])
def findings(request, pk: int):
    read, away = _recordable(request, pk)
    if away:
        return away
    interview = read.interview
    if interview.progress != rules.COMPLETED:
        messages.info(request, "Record that the interview took place before its findings")
        return redirect(iurl("interview_record", interview.pk))
    if request.method == "GET":
        return _findings_page(request, interview)
    data = request.POST
    values, sections = {}, {}
    for kind, *_ in SECTIONS:
        text = (data.get(f"{kind}_text") or "").replace("\r\n", "\n")
        codes = [c for c in data.getlist(f"{kind}_codes") if c]
        shared = data.get(f"{kind}_shared") == "yes"
        values[kind] = {"text": text, "codes": codes, "shared": shared}
        sections[kind] = Section(text=text, codes=codes, shared=shared)
    errors = Errors(first_field="words_text")
    try:
        interview_record_findings(actor=request.user, interview=interview, sections=sections)
    except Refused as refused:
        for problem in refused.problems:
            anchor = f"{problem.field}_codes" if problem.field in dict(CODE_CHOICES) else None
            errors.add(problem.field, problem.message, anchor=anchor)
        return _findings_page(request, interview, errors=errors, values=values)
    messages.success(request, "The findings are saved")
    return redirect(iurl("interview_detail", interview.pk))


@login_required
@require_POST
def place_add(request, pk: int):
    read, away = _recordable(request, pk)
    if away:
        return away
    interview = read.interview
    data = request.POST
    place = {"place_text": (data.get("place_text") or "").strip(), "place_postcode": (data.get("place_postcode") or "").strip(),
             "place_kind": (data.get("place_kind") or "").strip(), "place_shared": data.get("place_shared") == "yes"}
    errors = Errors(first_field="place_text")
    try:
        interview_add_place(actor=request.user, interview=interview, text=place["place_text"],
                            postcode=place["place_postcode"], kind=place["place_kind"] or "other",
                            shared=place["place_shared"])
    except Refused as refused:
        _problems(errors, refused)
        return _findings_page(request, interview, errors=errors, place=place)
    messages.success(request, "The place is added")
    return redirect(iurl("interview_findings", interview.pk) + "#places")


@login_required
@require_POST
def person_add(request, pk: int):
    read, away = _recordable(request, pk)
    if away:
        return away
    interview = read.interview
    data = request.POST
    person = {"person_name": (data.get("person_name") or "").strip(), "person_age": (data.get("person_age") or "").strip(),
              "person_description": (data.get("person_description") or "").strip(),
              "person_shared": data.get("person_shared") == "yes"}
    errors = Errors(first_field="person_name")
    age = None
    if person["person_age"]:
        if person["person_age"].isdigit():
            age = int(person["person_age"])
        else:
            errors.add("person_age", "Enter the approximate age as a number, like 25")
    if not errors:
        try:
            interview_add_person(actor=request.user, interview=interview, name=person["person_name"],
                                 approximate_age=age, description=person["person_description"],
                                 shared=person["person_shared"])
        except Refused as refused:
            _problems(errors, refused)
        else:
            messages.success(request, "The person is added")
            return redirect(iurl("interview_findings", interview.pk) + "#people")
    return _findings_page(request, interview, errors=errors, person=person)


@login_required
@require_POST
def named_remove(request, pk: int):
    read, away = _recordable(request, pk)
    if away:
        return away
    interview = read.interview
    model = {"place": NamedPlace, "person": NamedPerson}.get(request.POST.get("kind", ""))
    record_id = request.POST.get("id", "")
    found = model.objects.filter(pk=record_id, interview=interview).first() if model and record_id.isdigit() else None
    if found is None:
        raise Http404("No such record")
    interview_remove_named(actor=request.user, record=found)
    messages.success(request, "Removed")
    return redirect(iurl("interview_findings", interview.pk))


@login_required
@require_POST
def raise_flag(request, pk: int):
    read = interview_get(actor=request.user, pk=pk)
    code_id = request.POST.get("code_id", "")
    try:
        flag = interview_raise_flag(actor=request.user, interview=read.interview,
                                    code_id=int(code_id) if code_id.isdigit() else 0)
    except Refused as refused:
        messages.error(request, refused.problems[0].message)
    else:
        messages.success(request, f"The {flag.get_flag_display()} flag is on {read.interview.child.full_name}’s record")
    return redirect(iurl("interview_detail", read.pk))


# --- allocation -------------------------------------------------------------------------------------------------


def _allocation_choices(request, interview):
    """Who could do the interview: the providers covering the authority
    responsible (or, for a provider's worker, their own organisation) and the
    council itself (in-house), with the people in each who may."""
    user = request.user
    if _role(request) == Role.RHI_WORKER:
        providers = [user.organisation]
    else:
        providers = list(Organisation.objects.filter(kind=OrganisationKind.RHI_PROVIDER,
                                                     areas__id=interview.lead_authority_id).distinct().order_by("name"))
        providers += list(Organisation.objects.filter(kind=OrganisationKind.COUNCIL,
                                                      authority_id=interview.lead_authority_id).order_by("name"))
    roles = list(COUNCIL_CASE_ROLES | {Role.RHI_WORKER})
    workers = list(User.objects.filter(is_active=True, memberships__active=True,
                                       memberships__organisation__in=providers, memberships__role__in=roles)
                   .select_related().order_by("last_name", "first_name", "username").distinct())
    member_org = dict(Membership.objects.filter(user__in=workers, active=True).values_list("user_id", "organisation__name"))
    provider_choices = [("", "Choose who will do it")] + [(str(p.pk), p.name) for p in providers]
    worker_choices = [("", "No one in particular yet")] + [
        (str(w.pk), f"{w.get_full_name() or w.username} ({member_org.get(w.pk, '')})") for w in workers]
    return providers, workers, provider_choices, worker_choices


@login_required
@require_http_methods(["GET", "POST"])
def allocate(request, pk: int):
    read = interview_get(actor=request.user, pk=pk)
    interview = read.interview
    if not access.can_allocate(request.user, interview):
        raise PermissionDenied("Your role cannot allocate this interview")
    if not interview.is_open:
        messages.info(request, "This interview is not waiting to be done")
        return redirect(iurl("interview_detail", interview.pk))
    providers, workers, provider_choices, worker_choices = _allocation_choices(request, interview)
    form = {"provider": str(interview.provider_id or ""), "worker": str(interview.worker_id or "")}
    errors = Errors(first_field="provider")
    if request.method == "POST":
        form = {k: (request.POST.get(k) or "").strip() for k in form}
        provider = next((p for p in providers if str(p.pk) == form["provider"]), None)
        worker = next((w for w in workers if str(w.pk) == form["worker"]), None)
        if provider is None:
            errors.add("provider", "Choose who will do the interview")
        if form["worker"] and worker is None:
            errors.add("worker", "Choose a worker from the list")
        if not errors:
            try:
                interview_allocate(actor=request.user, interview=interview, provider=provider, worker=worker)
            except Refused as refused:
                _problems(errors, refused)
            else:
                messages.success(request, "The interview is allocated")
                return redirect(iurl("interview_detail", interview.pk))
    return render(request, "interviews/allocate.html", {
        "interview": interview, "child": interview.child, "errors": errors, "form": form,
        "provider_choices": provider_choices, "worker_choices": worker_choices,
        "action": iurl("interview_allocate", interview.pk), "back": iurl("interview_detail", interview.pk),
    })


# --- quality ---------------------------------------------------------------------------------------------------------

ANSWERS = [("yes", "Yes"), ("partly", "Partly"), ("no", "No")]


@login_required
@require_http_methods(["GET", "POST"])
def quality_audit(request, pk: int):
    read = interview_get(actor=request.user, pk=pk)
    interview = read.interview
    if not access.can_audit_quality(request.user, interview):
        raise PermissionDenied("Only a manager of the authority responsible can audit this interview")
    if interview.progress != rules.COMPLETED:
        messages.info(request, "Only a completed interview can be audited")
        return redirect(iurl("interview_detail", interview.pk))
    checklist = checklist_for(interview.lead_authority_id)
    answers = {item["key"]: "" for item in checklist.items}
    comment = ""
    first = f"item-{checklist.items[0]['key']}" if checklist.items else "comment"
    errors = Errors(first_field=first)
    if request.method == "POST":
        answers = {key: (request.POST.get(f"item-{key}") or "").strip() for key in answers}
        comment = (request.POST.get("comment") or "").strip()
        try:
            audit = interview_quality_audit(actor=request.user, interview=interview, answers=answers, comment=comment)
        except Refused as refused:
            _problems(errors, refused)
        else:
            messages.success(request, f"The quality audit is saved: {audit.percent}%")
            return redirect(iurl("interview_detail", interview.pk))
    items = [{"name": f"item-{item['key']}", "legend": item["text"], "value": answers.get(item["key"], ""),
              "error": errors.by_field.get(f"item-{item['key']}", "")} for item in checklist.items]
    return render(request, "interviews/quality_audit.html", {
        "read": read, "interview": interview, "child": interview.child, "errors": errors, "items": items,
        "answers": ANSWERS, "comment": comment, "findings": _finding_blocks(read, request, can_flag=False),
        "action": iurl("interview_quality_audit", interview.pk), "back": iurl("interview_detail", interview.pk),
    })


def _periods(today: dt.date) -> list[tuple[str, str, dt.date, dt.date]]:
    """(value, label, start, end exclusive): the last 12 months and the last
    three statutory years (1 April to 31 March)."""
    this_month = today.replace(day=1)
    start12 = (this_month - dt.timedelta(days=335)).replace(day=1)
    end12 = (this_month + dt.timedelta(days=32)).replace(day=1)
    periods = [("last12", f"The last 12 months ({start12:%B %Y} to {this_month:%B %Y})", start12, end12)]
    first_year = today.year if today.month >= 4 else today.year - 1
    for year in range(first_year, first_year - 3, -1):
        periods.append((f"fy{year}", f"1 April {year} to 31 March {year + 1}", dt.date(year, 4, 1),
                        dt.date(year + 1, 4, 1)))
    return periods


def _period(request):
    periods = _periods(timezone.localdate())
    chosen = (request.GET.get("period") or "").strip()
    found = next((p for p in periods if p[0] == chosen), periods[0])
    return found, [(p[0], p[1]) for p in periods]


@login_required
@require_GET
def quality(request):
    if not access.can_audit_quality(request.user):
        raise Http404("No such page")
    (value, label, start, end), choices = _period(request)
    overview = quality_overview(actor=request.user, start=start, end=end)
    return render(request, "interviews/quality.html", {
        "period": value, "period_label": label, "period_choices": choices,
        "head": ["Provider"] + overview.months,
        "score_rows": [[name] + [cell or "–" for cell in cells] for name, cells in overview.rows],
        "count_rows": [[name] + list(cells) for name, cells in overview.counts],
        "to_audit_rows": [[_child_link(i), london(i.completed_at, SHORT), i.provider.name if i.provider_id else "",
                           present.link(iurl("interview_quality_audit", i.pk), "Audit",
                                        hidden=f"{i.child.full_name}’s interview")] for i in overview.to_audit],
        "recent_rows": [[london(a.audited_at, SHORT), _child_link(a.interview),
                         a.provider.name if a.provider_id else "Not allocated", f"{a.percent}%",
                         a.audited_by.get_full_name() or a.audited_by.username if a.audited_by_id else ""]
                        for a in overview.recent],
        "action": iurl("interview_quality"),
    })


# --- timeliness and outcomes -------------------------------------------------------------------------------------------

COLUMNS = [
    # measure, heading, with a percentage of those required
    ("ended", "Episodes ended", False),
    ("not_required", "Not required", False),
    ("required", "Required", False),
    ("offered_in_time", "Offered in time", True),
    ("completed_in_time", "Completed in time", True),
    ("completed", "Completed (at any time)", True),
    ("declined", "Declined", True),
    ("unable_to_contact", "Unable to contact", True),
    ("open", "Still to do", False),
    ("overdue", "Of which overdue", False),
]
EXCLUSION_COLUMNS = [
    ("not_required_new_episode", "Went missing again before it was due"),
    ("not_required_placed_by_other_authority", "Placed in the area by another authority"),
    ("not_required_turned_18", "18 or over"),
    ("not_required_died", "Died"),
]
MEASURE_LABELS = dict([(m, h) for m, h, _ in COLUMNS] + EXCLUSION_COLUMNS + [
    ("declined_by_child", "Declined by the child"), ("declined_by_parent_or_carer", "Declined by a parent or carer")])


def _count_cell(row, measure, *, period, names: bool, key_name: str, pct: bool) -> str:
    n = row.counts.get(measure, 0)
    text = f"{n}" + (f" ({row.pct(measure)})" if pct and row.counts.get("required") else "")
    if not names or not n:
        return text
    query = {"period": period, "measure": measure}
    if key_name and row.key not in ("total",):
        query[key_name] = row.key
    hidden = f"children: {MEASURE_LABELS[measure].lower()}, {row.label}"
    return present.link(iurl("interview_figures_children", query=query), text, hidden=f"(list the {hidden})")


@login_required
@require_GET
def figures(request):
    if not access.can_see_figures(request.user):
        raise Http404("No such page")
    (value, label, start, end), choices = _period(request)
    result = interview_figures(actor=request.user, start=start, end=end)
    names = _role(request) in COUNCIL_CASE_ROLES

    def rows(source, key_name):
        return [[r.label] + [_count_cell(r, m, period=value, names=names, key_name=key_name, pct=p)
                             for m, _, p in COLUMNS] for r in source]

    total = result.total
    return render(request, "interviews/figures.html", {
        "authority": result.authority, "period": value, "period_label": label, "period_choices": choices,
        "head": ["Month the episode started"] + [h for _, h, _ in COLUMNS],
        "provider_head": ["Provider"] + [h for _, h, _ in COLUMNS],
        "month_rows": rows(result.months, "month") + rows([total], ""),
        "provider_rows": rows(result.providers, "provider"),
        "exclusion_rows": [[h, _count_cell(total, m, period=value, names=names, key_name="", pct=False)]
                           for m, h in EXCLUSION_COLUMNS],
        "decline_rows": [[MEASURE_LABELS[m], _count_cell(total, m, period=value, names=names, key_name="", pct=True)]
                         for m in ("declined_by_child", "declined_by_parent_or_carer")],
        "reason_rows": [[reason, n] for reason, n in result.reasons],
        "required": total.counts.get("required", 0),
        "names": names,
        "action": iurl("interview_figures"),
    })


@login_required
@require_GET
def figures_children(request):
    if not access.can_see_figures(request.user) or _role(request) not in COUNCIL_CASE_ROLES:
        raise Http404("No such page")
    (value, label, start, end), _ = _period(request)
    measure = (request.GET.get("measure") or "").strip()
    month = (request.GET.get("month") or "").strip()[:7]
    provider = (request.GET.get("provider") or "").strip()[:20]
    if measure not in MEASURE_LABELS:
        raise Http404("No such figure")
    shown, hidden = interview_figures_children(actor=request.user, start=start, end=end, measure=measure,
                                               month=month, provider=provider)
    where = label
    if month:
        try:
            where = dt.datetime.strptime(month, "%Y-%m").strftime("%B %Y")
        except ValueError:
            raise Http404("No such month") from None
    if provider:
        name = "Not allocated" if provider == "none" else (
            Organisation.objects.filter(pk=provider).values_list("name", flat=True).first() if provider.isdigit() else None)
        if name is None:
            raise Http404("No such provider")
        where = f"{name}, {label}"
    rows = [[
        _child_link(i), london(i.episode_started_at, SHORT), london(i.returned_at, SHORT), london(i.due_at, SHORT),
        london(i.offered_at, SHORT) if i.offered_at else "", london(i.completed_at, SHORT) if i.completed_at else "",
        status_tag(i), _interview_link(i),
    ] for i in shown]
    return render(request, "interviews/figures_children.html", {
        "measure_label": MEASURE_LABELS[measure], "where": where, "rows": rows, "hidden": hidden,
        "back": iurl("interview_figures", query={"period": value}),
    })


# --- a child's interviews ------------------------------------------------------------------------------------------------


def child_timeline_context(request, child) -> dict:
    """What `interviews/_child_timeline.html` needs, for the child's page:
    ``context.update(child_timeline_context(request, child))``."""
    return {"interview_timeline": interviews_for_child(actor=request.user, child=child)}


@login_required
@require_GET
def child_interviews(request, pk: int):
    child = child_get(actor=request.user, pk=pk)
    return render(request, "interviews/child.html", {"child": child, **child_timeline_context(request, child)})
