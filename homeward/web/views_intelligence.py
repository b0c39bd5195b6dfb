"""The intelligence pages: people of concern, the links of a child, the
network and the exploitation panel's shortlist.

Plain function views, as in views.py. Only the roles that work on
exploitation reach them (`homeward.intelligence.access.may_see_intelligence`,
from `can_see_people_of_concern`): anyone else gets 403 before anything is
read. Records are read only through homeward.intelligence.selectors (scoped,
audited; a person or child outside the scope is 404) and written only
through homeward.intelligence.services (validated, audited, `Refused` naming
each field).
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
from django.views.decorators.http import require_GET, require_http_methods

from homeward.intelligence import access, formats, rules
from homeward.intelligence.models import ChildLinkNature, PersonChildLink, PlaceLinkNature
from homeward.intelligence.network import CHILD, PERSON, layout
from homeward.intelligence.selectors import (
    NETWORK_MAX_NODES, link_get, links_for_child, named_person_get, network_for_child, network_for_person, person_for_change,
    person_get, person_list, place_text, shortlist,
)
from homeward.intelligence.services import (
    Vehicle, person_of_concern_problems, person_from_named_person, person_link_child, person_link_place,
    person_link_remove, person_of_concern_create, person_of_concern_update,
)
from homeward.people.selectors import child_get
from homeward.problems import Problem, Refused

from . import present
from .forms import DateTimeInput, Errors, attach, clean_choice
from .templatetags.homeward import london

SHORT = present.SHORT
NO_ROLE = ("Your role does not show people of concern or the links between children: ask the children missing "
           "officer or the exploitation team.")
# Service field -> form field.
FIELDS = {"noted_on": "noted", "person": "__all__"}
PERIODS = [("30", "The last 30 days", 30), ("90", "The last 3 months", 91), ("182", "The last 6 months", 182),
           ("365", "The last 12 months", 365)]


def _require(request) -> None:
    if not access.may_see_intelligence(request.user):
        raise PermissionDenied(NO_ROLE)


def _problems(errors: Errors, refused: Refused) -> None:
    for problem in refused.problems:
        errors.add(FIELDS.get(problem.field, problem.field), problem.message)


def _day(value) -> str:
    return value.strftime("%-d %b %Y") if value else ""


def _who(link) -> str:
    user = link.recorded_by
    name = (user.get_full_name() or user.username) if user is not None else ""
    return present.lines(name, link.organisation.name if link.organisation_id else "")


def person_url(pk) -> str:
    return reverse("web:intel_person", args=[pk])


def child_links_url(pk) -> str:
    return reverse("web:intel_child_links", args=[pk])


def _person_link(person, hidden: str = "") -> str:
    return present.link(person_url(person.pk), person.name, hidden=hidden)


def _child_link(child) -> str:
    return present.link(child_links_url(child.pk), child.full_name, hidden="(links)")


def _post_button(request, action: str, text: str, hidden: str = "", fields: dict | None = None,
                 classes: str = "govuk-button--secondary") -> str:
    return mark_safe(render_to_string("web/intelligence/partials/post_button.html", {
        "action": action, "text": text, "hidden": hidden, "fields": (fields or {}).items(), "classes": classes,
    }, request=request))


# --- people of concern ----------------------------------------------------------------------------


@login_required
@require_GET
def people(request):
    _require(request)
    query = (request.GET.get("q") or "").strip()[:100]
    rows, more = person_list(actor=request.user, search=query)
    return render(request, "web/intelligence/people.html", {
        "query": query, "more": more, "count": len(rows),
        "rows": [[
            _person_link(r.person),
            present.lines(*r.aliases),
            r.person.age_text,
            r.children,
            _day(r.last_noted),
            r.person.organisation.name,
        ] for r in rows],
    })


def _detail_rows(record) -> list[tuple]:
    p = record.person
    age = p.age_text
    if age and p.age_noted_on:
        age = f"{age} (in {p.age_noted_on:%B %Y})"
    return [
        ("Name", p.name),
        ("Also known as", present.lines(*(d.value for d in record.aliases))),
        ("Approximate age", age),
        ("Description", p.description),
        ("Phone numbers", present.lines(*(d.shown for d in record.phones))),
        ("Vehicles", present.lines(*(d.shown for d in record.vehicles))),
        ("Notes", p.notes),
        ("Recorded by", present.lines(p.recorded_by.get_full_name() or p.recorded_by.username
                                      if p.recorded_by_id else "", p.organisation.name, london(p.created_at, SHORT))),
        ("Person of concern number", p.pk),
    ]


def _remove_cell(request, link, kind: str, label: str) -> str:
    if not access.can_remove(request.user, link):
        return ""
    return present.link(reverse("web:intel_link_remove", args=[kind, link.pk]), "Remove",
                        hidden=f"the link to {label}")


@login_required
@require_GET
def person(request, pk: int):
    _require(request)
    record = person_get(actor=request.user, pk=pk)
    p = record.person
    child_rows = [[
        _child_link(link.child), link.get_nature_display(), link.source_text, _day(link.noted_on), link.note,
        _who(link), _remove_cell(request, link, "child", link.child.full_name),
    ] for link in record.child_links]
    place_rows = [[
        place_text(link.place), link.get_nature_display(), link.source_text, _day(link.noted_on), link.note,
        _who(link), _remove_cell(request, link, "place", place_text(link.place)),
    ] for link in record.place_links]
    removed_rows = []
    for link in record.removed_links:
        what = link.child.full_name if isinstance(link, PersonChildLink) else place_text(link.place)
        who = link.removed_by.get_full_name() or link.removed_by.username if link.removed_by_id else ""
        removed_rows.append([what, link.get_nature_display(), link.source_text, _day(link.noted_on),
                             present.lines(london(link.removed_at, SHORT), who), link.removed_reason])
    detail_rows = [[d.get_kind_display(), d.shown, london(d.added_at, SHORT),
                    london(d.removed_at, SHORT), d.removed_reason] for d in record.removed_details]
    return render(request, "web/intelligence/person.html", {
        "record": record, "person": p, "summary_rows": _detail_rows(record),
        "child_rows": child_rows, "place_rows": place_rows, "removed_rows": removed_rows,
        "detail_rows": detail_rows,
    })


def _person_values(data=None, person_record=None) -> dict:
    if data is not None:
        return {k: (data.get(k) or "").replace("\r\n", "\n").strip() for k in
                ("name", "aliases", "age", "description", "phones", "vehicles", "notes")}
    if person_record is None:
        return {k: "" for k in ("name", "aliases", "age", "description", "phones", "vehicles", "notes")}
    p = person_record.person
    age = ""
    if p.age_from is not None:
        age = str(p.age_from) if p.age_from == p.age_to else f"{p.age_from} to {p.age_to}"
    return {
        "name": p.name, "age": age, "description": p.description, "notes": p.notes,
        "aliases": "\n".join(d.value for d in person_record.aliases),
        "phones": "\n".join(formats.show_phone(d.value) for d in person_record.phones),
        "vehicles": "\n".join(", ".join(x for x in (d.value, d.description) if x) if d.value else f", {d.description}"
                              for d in person_record.vehicles),
    }


PERSON_FORM = ("name", "aliases", "age", "description", "phones", "vehicles", "notes")


def _person_kwargs(values: dict, errors: Errors) -> dict:
    """The service's arguments from the form. When the form finds a problem
    of its own (an age it cannot read), the service's checks run too, so
    that every problem is shown at once, in the order of the form."""
    age_problem = None
    try:
        age_from, age_to = formats.parse_age(values["age"])
    except ValueError as e:
        age_problem = Problem("age", str(e))
        age_from = age_to = None
    vehicles = [Vehicle(*formats.split_vehicle_line(line)) for line in formats.lines_of(values["vehicles"])]
    kwargs = {"name": values["name"], "aliases": formats.lines_of(values["aliases"]), "age_from": age_from,
              "age_to": age_to, "description": values["description"], "phones": formats.lines_of(values["phones"]),
              "vehicles": vehicles, "notes": values["notes"]}
    if age_problem is not None:
        problems = [age_problem] + [p for p in person_of_concern_problems(**kwargs) if p.field != "age"]
        problems.sort(key=lambda p: PERSON_FORM.index(p.field) if p.field in PERSON_FORM else -1)
        errors.add_problems(problems)
    return kwargs


@login_required
@require_http_methods(["GET", "POST"])
def person_new(request):
    _require(request)
    child = None
    child_pk = (request.GET.get("child") or request.POST.get("child") or "").strip()
    if child_pk:
        child = child_get(actor=request.user, pk=child_pk)
    values = _person_values()
    errors = Errors(first_field="name")
    if request.method == "POST":
        values = _person_values(request.POST)
        kwargs = _person_kwargs(values, errors)
        if not errors:
            try:
                created = person_of_concern_create(actor=request.user, **kwargs)
            except Refused as refused:
                _problems(errors, refused)
            else:
                messages.success(request, f"{created.name} is recorded as a person of concern")
                if child is not None:
                    return redirect(reverse("web:intel_person_link_child", args=[created.pk]) + f"?child={child.pk}")
                return redirect(person_url(created.pk))
    return render(request, "web/intelligence/person_form.html", {
        "values": values, "errors": errors, "child": child, "editing": False,
        "action": reverse("web:intel_person_new"),
        "back": child_links_url(child.pk) if child else reverse("web:intel_people"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk: int):
    _require(request)
    record = person_get(actor=request.user, pk=pk)
    values = _person_values(person_record=record)
    errors = Errors(first_field="name")
    if request.method == "POST":
        values = _person_values(request.POST)
        kwargs = _person_kwargs(values, errors)
        if not errors:
            try:
                person_of_concern_update(actor=request.user, person=record.person, **kwargs)
            except Refused as refused:
                _problems(errors, refused)
            else:
                messages.success(request, "The record is saved")
                return redirect(person_url(record.person.pk))
    return render(request, "web/intelligence/person_form.html", {
        "values": values, "errors": errors, "editing": True, "person": record.person,
        "action": reverse("web:intel_person_edit", args=[record.person.pk]), "back": person_url(record.person.pk),
    })


# --- linking ----------------------------------------------------------------------------------------


def _noted_input() -> DateTimeInput:
    return DateTimeInput("noted", "When is the information from?", "the information is from", with_time=False,
                         hint="The day it was seen, said or reported. For example, 27 3 2025")


SOURCE_HINT = ("rhi: and the return interview’s number (rhi:123), police: and the force’s reference "
               "(police:KNT-000101), episode: and the episode’s number, meeting: and the meeting’s number, "
               "or officer for what you know first-hand")


@login_required
@require_http_methods(["GET", "POST"])
def person_link_child_view(request, pk: int):
    _require(request)
    person = person_for_change(actor=request.user, pk=pk)
    noted = _noted_input()
    values = {"child": (request.GET.get("child") or "").strip(), "nature": "", "source": "", "note": ""}
    errors = Errors(anchors={"noted": "noted-day"}, first_field="child")
    fixed_child = None
    if values["child"].isdigit():
        fixed_child = child_get(actor=request.user, pk=values["child"])
    if request.method == "POST":
        data = request.POST
        noted.bind(data)
        values.update({k: (data.get(k) or "").strip() for k in ("child", "nature", "source", "note")})
        noted_on = noted.clean(errors)
        if noted_on is None and not errors.by_field.get("noted"):
            errors.add("noted", "Enter the date the information is from", anchor="noted-day")
        child = None
        if not values["child"].isdigit():
            errors.add("child", "Enter the child’s Homeward record number, like 1234")
        else:
            try:
                child = child_get(actor=request.user, pk=values["child"])
            except Http404:
                errors.add("child", "There is no child with that record number that you can see")
        nature = clean_choice(data, "nature", ChildLinkNature.choices, errors, "Choose how the person is linked to "
                                                                               "the child")
        if not errors:
            try:
                person_link_child(actor=request.user, person=person, child=child, nature=nature,
                                  source=values["source"], noted_on=noted_on, note=values["note"])
            except Refused as refused:
                _problems(errors, refused)
            else:
                messages.success(request, f"{person.name} is linked to {child.full_name}")
                return redirect(child_links_url(child.pk) if fixed_child else person_url(person.pk))
        attach(errors, noted)
    return render(request, "web/intelligence/link_child.html", {
        "person": person, "values": values, "errors": errors, "noted": noted, "fixed_child": fixed_child,
        "natures": ChildLinkNature.choices, "source_hint": SOURCE_HINT,
        "action": reverse("web:intel_person_link_child", args=[person.pk]) + (
            f"?child={fixed_child.pk}" if fixed_child else ""),
        "back": child_links_url(fixed_child.pk) if fixed_child else person_url(person.pk),
    })


@login_required
@require_http_methods(["GET", "POST"])
def person_link_place_view(request, pk: int):
    _require(request)
    person = person_for_change(actor=request.user, pk=pk)
    noted = _noted_input()
    values = {"place": "", "postcode": "", "nature": "", "source": "", "note": ""}
    errors = Errors(anchors={"noted": "noted-day"}, first_field="place")
    if request.method == "POST":
        data = request.POST
        noted.bind(data)
        values.update({k: (data.get(k) or "").strip() for k in values})
        noted_on = noted.clean(errors)
        if noted_on is None and not errors.by_field.get("noted"):
            errors.add("noted", "Enter the date the information is from", anchor="noted-day")
        nature = clean_choice(data, "nature", PlaceLinkNature.choices, errors,
                              "Choose how the person is linked to the place")
        if not errors:
            try:
                person_link_place(actor=request.user, person=person, nature=nature, source=values["source"],
                                  noted_on=noted_on, note=values["note"], place_text=values["place"],
                                  place_postcode=values["postcode"])
            except Refused as refused:
                _problems(errors, refused)
            else:
                messages.success(request, f"{person.name} is linked to the place")
                return redirect(person_url(person.pk))
        attach(errors, noted)
    return render(request, "web/intelligence/link_place.html", {
        "person": person, "values": values, "errors": errors, "noted": noted,
        "natures": PlaceLinkNature.choices, "source_hint": SOURCE_HINT,
        "action": reverse("web:intel_person_link_place", args=[person.pk]), "back": person_url(person.pk),
    })


@login_required
@require_http_methods(["GET", "POST"])
def link_remove(request, kind: str, pk: int):
    _require(request)
    link = link_get(actor=request.user, kind=kind, pk=pk)
    what = link.child.full_name if kind == "child" else place_text(link.place)
    errors = Errors(first_field="reason")
    reason = ""
    if link.removed_at is not None:
        messages.info(request, "This link was already removed")
        return redirect(person_url(link.person_id))
    if not access.can_remove(request.user, link):
        raise PermissionDenied("Only the organisation that recorded this link can remove it")
    if request.method == "POST":
        reason = (request.POST.get("reason") or "").strip()
        try:
            person_link_remove(actor=request.user, link=link, reason=reason)
        except Refused as refused:
            _problems(errors, refused)
        else:
            messages.success(request, f"The link between {link.person.name} and {what} is removed")
            return redirect(person_url(link.person_id))
    return render(request, "web/intelligence/link_remove.html", {
        "link": link, "what": what, "errors": errors, "reason": reason,
        "rows": [("Person of concern", link.person.name), ("Linked to", what),
                 ("How", link.get_nature_display()), ("Source", link.source_text),
                 ("Information from", _day(link.noted_on)), ("Recorded by", _who(link))],
        "action": reverse("web:intel_link_remove", args=[kind, link.pk]), "back": person_url(link.person_id),
    })


# --- the links of a child ------------------------------------------------------------------------------


def _episode_cell(episode_id: int, moment) -> str:
    return present.link(reverse("web:episode", args=[episode_id]), london(moment, SHORT), hidden="(the episode)")


@login_required
@require_GET
def child_links(request, pk: int):
    _require(request)
    child = child_get(actor=request.user, pk=pk)
    links = links_for_child(request.user, child)
    people_rows = []
    for shared in links.people:
        for n, link in enumerate(shared.links):
            others = present.lines(*(f"{o.child.full_name} ({o.get_nature_display().lower()})" for o in shared.others),
                                   f"{shared.hidden} child{'ren' if shared.hidden != 1 else ''} you cannot see"
                                   if shared.hidden else "") if n == 0 else ""
            people_rows.append([_person_link(shared.person), link.get_nature_display(), link.source_text,
                                _day(link.noted_on), _who(link), others])
    episode_rows = []
    for row in links.episodes:
        own_moment = row.own.returned_at if row.kind == rules.FOUND_TOGETHER else row.own.started_at
        other_moment = row.other.returned_at if row.kind == rules.FOUND_TOGETHER else row.other.started_at
        episode_rows.append([_child_link(row.other_child), row.text, row.where,
                             _episode_cell(row.own_episode_id, own_moment),
                             _episode_cell(row.other_episode_id, other_moment), row.apart])
    place_rows = []
    for shared in links.places:
        place_rows.append([
            place_text(shared.place),
            present.lines(*(f"{r.get_role_display()}, {_day(r.date)}" for r in shared.links)),
            present.lines(*(f"{r.child.full_name}: {r.get_role_display().lower()}, {_day(r.date)}"
                            for r in shared.others),
                          f"{shared.hidden} child{'ren' if shared.hidden != 1 else ''} you cannot see"
                          if shared.hidden else "",
                          "and other children" if shared.more else ""),
            present.lines(*(f"{link.person.name}: {link.get_nature_display().lower()}" for link in shared.people)),
        ])
    named_rows = [[
        n.name, n.approximate_age if n.approximate_age is not None else "", n.description,
        present.link(reverse("web:interview_detail", args=[n.interview_id]), _day(n.noted_on),
                     hidden="(the return interview)"),
        present.link(reverse("web:intel_named_take_up", args=[n.pk]), "Take up", hidden=n.name),
    ] for n in links.named_people]
    return render(request, "web/intelligence/child_links.html", {
        "child": child, "links": links,
        "people_rows": people_rows, "episode_rows": episode_rows, "place_rows": place_rows,
        "named_rows": named_rows,
        "children_rows": [[_child_link(c.child), present.lines(*c.reasons)] for c in links.children],
        "thresholds": {"missing": rules.MISSING_TOGETHER_HOURS, "found": rules.FOUND_TOGETHER_HOURS},
    })


@login_required
@require_GET
def child_link_person(request, pk: int):
    """Link a person already known to the child: search, then choose."""
    _require(request)
    child = child_get(actor=request.user, pk=pk)
    query = (request.GET.get("q") or "").strip()[:100]
    rows = []
    if query:
        found, _ = person_list(actor=request.user, search=query, limit=50)
        link_url = lambda p: reverse("web:intel_person_link_child", args=[p.pk]) + f"?child={child.pk}"  # noqa: E731
        rows = [[_person_link(r.person), present.lines(*r.aliases), r.person.age_text,
                 present.link(link_url(r.person), "Link", hidden=f"{r.person.name} to {child.full_name}")]
                for r in found]
    return render(request, "web/intelligence/choose_person.html", {
        "child": child, "query": query, "rows": rows, "searched": bool(query),
        "action": reverse("web:intel_child_link_person", args=[child.pk]),
        "new_url": reverse("web:intel_person_new") + f"?child={child.pk}",
        "back": child_links_url(child.pk),
        "heading": f"Link a person of concern to {child.full_name}",
    })


@login_required
@require_http_methods(["GET", "POST"])
def named_take_up(request, pk: int):
    """Take up a person a child named in a return interview: as a new person
    of concern, or as someone already known."""
    _require(request)
    named = named_person_get(actor=request.user, pk=pk)
    child = named.child
    errors = Errors(first_field="q")
    if request.method == "POST":
        choice = (request.POST.get("person") or "").strip()
        existing = None
        if choice != "new":
            existing = person_for_change(actor=request.user, pk=choice)
        try:
            link = person_from_named_person(actor=request.user, named_person=named, person=existing)
        except Refused as refused:
            _problems(errors, refused)
        else:
            messages.success(request, f"{link.person.name} is recorded as a person of concern linked to "
                                      f"{child.full_name}")
            return redirect(person_url(link.person_id))
    query = (request.GET.get("q") or named.name).strip()[:100]
    found, _ = person_list(actor=request.user, search=query, limit=50)
    rows = [[_person_link(r.person), present.lines(*r.aliases), r.person.age_text, r.children,
             _post_button(request, reverse("web:intel_named_take_up", args=[named.pk]), "The same person",
                          hidden=f"as {r.person.name}", fields={"person": r.person.pk})] for r in found]
    return render(request, "web/intelligence/named_take_up.html", {
        "named": named, "child": child, "errors": errors, "query": query, "rows": rows,
        "new_button": _post_button(request, reverse("web:intel_named_take_up", args=[named.pk]),
                                   "Record as a new person of concern", fields={"person": "new"}, classes=""),
        "action": reverse("web:intel_named_take_up", args=[named.pk]),
        "back": child_links_url(child.pk),
        "summary_rows": [("Name the child used", named.name),
                         ("Approximate age", named.approximate_age if named.approximate_age is not None else ""),
                         ("Description", named.description), ("Named on", _day(named.noted_on))],
    })


# --- networks ------------------------------------------------------------------------------------------


def _node_url(node) -> str:
    kind, _, pk = node.key.partition(":")
    if kind == CHILD:
        return child_links_url(pk)
    if kind == PERSON:
        return person_url(pk)
    return ""


def _network_context(net, *, title: str, back: str, back_text: str) -> dict:
    drawn = net.limited(NETWORK_MAX_NODES)
    drawing = layout(drawn)
    nodes = {n.key: n for n in net.nodes}

    def cell(key):
        node = nodes[key]
        url = _node_url(node)
        text = node.label
        return present.link(url, text) if url else text

    kinds = {CHILD: "Child", PERSON: "Person of concern", "place": "Place"}
    rows = [[cell(e.a), e.label, cell(e.b), e.source, _day(e.date)] for e in
            sorted(net.edges, key=lambda e: (not e.between_children, nodes[e.a].label.casefold(),
                                             nodes[e.b].label.casefold(), e.label))]
    counts = net.counts()
    return {
        "title": title, "drawing": drawing, "rows": rows, "left_out": drawn.left_out, "counts": counts,
        "summary": (f"{counts[CHILD]} child{'ren' if counts[CHILD] != 1 else ''}, "
                    f"{counts[PERSON]} {'people' if counts[PERSON] != 1 else 'person'} of concern and "
                    f"{counts['place']} place{'s' if counts['place'] != 1 else ''}, "
                    f"{len(net.edges)} link{'s' if len(net.edges) != 1 else ''}"),
        "node_rows": [[cell(n.key), kinds[n.kind]] for n in net.nodes],
        "back": back, "back_text": back_text,
    }


@login_required
@require_GET
def child_network(request, pk: int):
    _require(request)
    child = child_get(actor=request.user, pk=pk)
    net = network_for_child(actor=request.user, child=child)
    return render(request, "web/intelligence/network.html", _network_context(
        net, title=f"{child.full_name}: network", back=child_links_url(child.pk),
        back_text=f"Back to {child.first_name}’s links"))


@login_required
@require_GET
def person_network(request, pk: int):
    _require(request)
    person, net = network_for_person(actor=request.user, pk=pk)
    return render(request, "web/intelligence/network.html", _network_context(
        net, title=f"{person.name}: network", back=person_url(person.pk), back_text=f"Back to {person.name}"))


# --- the exploitation panel's shortlist ---------------------------------------------------------------


@login_required
@require_GET
def shortlist_view(request):
    _require(request)
    chosen = (request.GET.get("period") or "90").strip()
    value, label, days = next((p for p in PERIODS if p[0] == chosen), PERIODS[1])
    today = timezone.localdate()
    until = today + dt.timedelta(days=1)
    since = until - dt.timedelta(days=days)
    result = shortlist(actor=request.user, since=since, until=until)

    people_rows = [[
        _person_link(result.persons[r.key]), r.count,
        present.lines(*(f"{link.child.full_name}: {link.get_nature_display().lower()} ({link.source_text}, "
                        f"{_day(link.noted_on)})" for link in r.why)),
    ] for r in result.people]
    place_rows = [[
        r.label, r.count,
        present.lines(*(f"{row.child.full_name}: {row.get_role_display().lower()}, {_day(row.date)}"
                        for row in r.why)),
    ] for r in result.places]
    child_rows = [[_child_link(result.child_objects[r.key]), r.count, present.lines(*r.why)]
                  for r in result.children]
    return render(request, "web/intelligence/shortlist.html", {
        "period": value, "period_label": label, "period_choices": [(p[0], p[1]) for p in PERIODS],
        "since": since, "last_day": until - dt.timedelta(days=1),
        "people_rows": people_rows, "place_rows": place_rows, "child_rows": child_rows,
        "min_children": rules.SHARED_MIN_CHILDREN, "size": rules.SHORTLIST_SIZE,
        "action": reverse("web:intel_shortlist"),
    })
