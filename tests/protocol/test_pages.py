"""The protocol's pages: worklists, tasks, the protocol, messages, homes and
meetings, each with a persona who must not see the record."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.utils import timezone

from homeward.access.models import AuditEvent
from homeward.people.models import Allocation
from homeward.protocol.models import Meeting, OutboundMessage, ProtocolVersion, Task

from .conftest import evaluate, report

pytestmark = [pytest.mark.django_db, 
              pytest.mark.filterwarnings("ignore:No directory at:UserWarning")]


@pytest.fixture
def as_(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def ellie_high(world, now):
    """Ellie missing for 30 hours at high risk: a strategy discussion and the 24-hour escalation."""
    episode = report(world, world.ellie, last_seen=now - dt.timedelta(hours=30), risk="high")
    evaluate(episode)
    return episode


def task(rule):
    return Task.objects.get(rule=rule)


# --- worklists ----------------------------------------------------------------------------------


def test_the_team_manager_sees_the_strategy_discussion_on_their_list_with_the_childs_name(world, ellie_high, as_):
    page = as_(world.kent_team_manager).get("/tasks/").content.decode()
    assert "Hold a strategy discussion" in page and "Ellie Hart" in page
    assert "Overdue" in page and "Missing for 24 hours: escalated to team manager" in page
    assert AuditEvent.objects.filter(actor_username="kent.team_manager", object_type="task", action="list").exists()


def test_my_tasks_are_those_for_my_role_and_the_team_list_has_everyones(world, ellie_high, as_):
    client = as_(world.kent_missing_officer)
    strategy = f"(task {task('strategy_discussion').pk})"
    assert strategy not in client.get("/tasks/").content.decode()
    team = client.get("/tasks/team/").content.decode()
    assert strategy in team and "Team manager, Kent County Council" in team
    filtered = client.get("/tasks/team/", {"rule": "duration_escalation"}).content.decode()
    assert strategy not in filtered and "escalated to team manager" in filtered


def test_another_authority_sees_neither_the_task_nor_the_child(world, ellie_high, as_):
    client = as_(world.southwark_team_manager)
    assert "Ellie" not in client.get("/tasks/").content.decode()
    assert "Ellie" not in client.get("/tasks/team/").content.decode()
    assert "Ellie" not in client.get("/tasks/overdue/").content.decode()
    assert client.get(f"/tasks/{task('strategy_discussion').pk}/").status_code == 404
    assert client.post(f"/tasks/{task('strategy_discussion').pk}/done/").status_code == 404
    assert AuditEvent.objects.filter(actor_username="southwark.team_manager", action="denied",
                                     object_type="task").exists()


def test_roles_without_a_worklist_are_told_so(world, ellie_high, as_):
    for user in (world.kent_analyst, world.kent_admin, world.kent_auditor):
        page = as_(user).get("/tasks/").content.decode()
        assert "has no worklist" in page and "Ellie" not in page


def test_the_manager_sees_what_is_overdue_across_the_service(world, ellie_high, as_, now):
    returned = report(world, world.ellie, last_seen=now - dt.timedelta(days=9), returned=now - dt.timedelta(days=8))
    evaluate(returned)
    client = as_(world.kent_senior_manager)
    page = client.get("/tasks/overdue/").content.decode()
    # The interview is the provider's task; the manager still sees it is overdue.
    assert "Return home interview overdue" in page and "Offer a return home interview" in page
    assert "Kent Return Interviews" in page and "Ellie Hart" in page
    assert as_(world.kent_missing_officer).get("/tasks/overdue/").status_code == 403


def test_the_interview_provider_sees_its_task_and_the_child_it_is_allocated(world, as_, now):
    episode = report(world, world.ellie, last_seen=now - dt.timedelta(hours=10), returned=now - dt.timedelta(hours=1))
    evaluate(episode)
    page = as_(world.kent_rhi_worker).get("/tasks/").content.decode()
    assert "Offer a return home interview" in page and "Ellie Hart" in page
    # Once the allocation ends the provider still has the task, but no longer the child's name.
    Allocation.objects.filter(child=world.ellie, kind="rhi").update(end_date=timezone.localdate())
    page = as_(world.kent_rhi_worker).get("/tasks/").content.decode()
    assert "Offer a return home interview" in page and "Ellie" not in page and "Not in your records" in page


# --- one task --------------------------------------------------------------------------------------


def test_the_task_page_says_why_i_am_seeing_it(world, ellie_high, as_):
    t = task("strategy_discussion")
    page = as_(world.kent_team_manager).get(f"/tasks/{t.pk}/").content.decode()
    assert "Why am I seeing this?" in page and "strategy_discussion" in page
    assert "Kent protocol, version 1" in page and t.cause_key in page and "risk level high" in page
    assert "Due within: 24 hours" in page
    assert AuditEvent.objects.filter(action="read", object_type="task", object_id=str(t.pk),
                                     child_id=world.ellie.pk).exists()


def test_marking_a_task_done_and_cancelling_one_with_a_reason(world, ellie_high, as_):
    client = as_(world.kent_team_manager)
    t = task("strategy_discussion")
    response = client.post(f"/tasks/{t.pk}/done/", {"note": "Held with Kent Police at 10:00"})
    assert response.status_code == 302
    t.refresh_from_db()
    assert t.state == "done" and t.closed_by == world.kent_team_manager and "Held with Kent Police" in t.closed_reason
    e = task("duration_escalation")
    page = client.post(f"/tasks/{e.pk}/cancel/", {"reason": ""}).content.decode()
    assert "Say why the task is not needed" in page and "govuk-error-summary" in page
    client.post(f"/tasks/{e.pk}/cancel/", {"reason": "Found by police, recorded late"})
    e.refresh_from_db()
    assert e.state == "cancelled" and "recorded late" in e.closed_reason
    again = client.post(f"/tasks/{e.pk}/done/").content.decode()
    assert "already cancelled" in again


def test_taking_a_task(world, ellie_high, as_):
    t = task("strategy_discussion")
    as_(world.kent_team_manager).post(f"/tasks/{t.pk}/take/")
    t.refresh_from_db()
    assert t.owner_user == world.kent_team_manager


# --- the protocol ------------------------------------------------------------------------------------


def test_the_protocol_page_shows_every_rule_and_the_history(world, as_):
    page = as_(world.kent_missing_officer).get("/protocol/").content.decode()
    for name in ("repeat_missing_meeting", "monthly_multiple_missing", "family_group_conference",
                 "duration_escalation", "return_interview_overdue"):
        assert name in page
    assert "Kent protocol, version 1" in page and "Change the protocol" not in page
    assert as_(world.kent_missing_officer).get("/protocol/change/").status_code == 403
    assert as_(world.kent_police).get("/protocol/").status_code == 404
    assert "Change the protocol" in as_(world.kent_admin).get("/protocol/").content.decode()


def test_an_administrator_changes_the_protocol_on_the_form_and_a_new_version_is_made(world, as_):
    client = as_(world.kent_admin)
    form = client.get("/protocol/change/")
    assert form.status_code == 200
    data = {
        "note": "Regional protocol: 3 in 30", "look_back_days": "30",
    }
    # Post back the form as shown, with one change.
    from homeward.protocol import defaults
    from homeward.web.views_protocol import protocol_form_fields

    for rule in protocol_form_fields(defaults.default_document()):
        for f in rule["fields"]:
            if f["kind"] == "bool":
                data[f["name"]] = "on"
            elif f["kind"] in ("int", "choice"):
                data[f["name"]] = str(f["value"])
            elif f["kind"] == "due":
                data[f["name"]], data[f["name"] + "__unit"] = str(f["value"]), f["unit"]
            elif f["kind"] == "list":
                data[f["name"]] = [v for v, _, checked in f["options"] if checked]
            elif f["kind"] == "steps":
                for s in f["rows"]:
                    for key, value in (("after_hours", s["after"]), ("level", s["level"]), ("owner_role", s["role"]),
                                       ("due_in", s["due"]), ("due_in__unit", s["unit"])):
                        data[f"{s['prefix']}__{key}"] = str(value)
    data["repeat_missing_meeting__window_days"] = "30"
    data["family_group_conference__enabled"] = None
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post("/protocol/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    v2 = ProtocolVersion.objects.get(authority=world.kent, number=2)
    assert v2.rules["repeat_missing_meeting"]["window_days"] == 30
    assert v2.rules["family_group_conference"]["enabled"] is False
    assert v2.rules["duration_escalation"] == defaults.default_document()["rules"]["duration_escalation"]
    assert v2.created_by == world.kent_admin and v2.note == "Regional protocol: 3 in 30"
    bad = dict(data, repeat_missing_meeting__count="1", note="Typo")
    page = client.post("/protocol/change/", bad)
    assert page.status_code == 400
    text = page.content.decode()
    assert "Hold a multi-agency meeting (repeat missing), episodes: must be a whole number from 2 to 50" in text
    assert 'href="#repeat_missing_meeting__count"' in text
    assert ProtocolVersion.objects.filter(authority=world.kent).count() == 2


def test_uploading_and_downloading_the_protocol_as_a_file(world, as_):
    client = as_(world.kent_admin)
    upload = io.BytesIO(json.dumps({"rules": {"monthly_multiple_missing": {"count": 4}}}).encode())
    upload.name = "kent.json"
    response = client.post("/protocol/upload/", {"file": upload, "note": "Review at 4"})
    assert response.status_code == 302
    version = ProtocolVersion.objects.get(authority=world.kent, number=2)
    download = client.get(f"/protocol/versions/{version.pk}/download/")
    assert download["Content-Disposition"] == 'attachment; filename="protocol-886-v2.json"'
    assert json.loads(download.content)["rules"]["monthly_multiple_missing"]["count"] == 4
    bad = io.BytesIO(b'{"rules": {"nope": {}}}')
    bad.name = "bad.json"
    page = client.post("/protocol/upload/", {"file": bad, "note": "x"})
    assert page.status_code == 400 and "rules.nope" in page.content.decode()
    southwark = as_(world.southwark_admin)
    assert southwark.get(f"/protocol/versions/{version.pk}/").status_code == 404
    assert southwark.get(f"/protocol/versions/{version.pk}/download/").status_code == 404


# --- messages ---------------------------------------------------------------------------------------


def test_messages_to_other_authorities_with_their_delivery_state(contacts, as_, now):
    world = contacts
    evaluate(report(world, world.jade, last_seen=now - dt.timedelta(hours=1)))
    message = OutboundMessage.objects.get()
    page = as_(world.kent_missing_officer).get("/protocol/messages/").content.decode()
    assert "missing.children@southwark.example" in page and "Queued" in page and "What it says" in page
    admin = as_(world.kent_admin).get("/protocol/messages/").content.decode()
    assert "Queued" in admin and "What it says" not in admin
    assert "southwark.example" not in as_(world.southwark_missing_officer).get("/protocol/messages/").content.decode()
    assert as_(world.kent_police).get("/protocol/messages/").status_code == 404
    OutboundMessage.objects.filter(pk=message.pk).update(state="failed", attempts=10, last_error="SMTP 550")
    client = as_(world.kent_missing_officer)
    assert "SMTP 550" in client.get("/protocol/messages/").content.decode()
    client.post(f"/protocol/messages/{message.pk}/retry/")
    message.refresh_from_db()
    assert message.state == "queued" and message.attempts == 0
    assert as_(world.southwark_missing_officer).post(f"/protocol/messages/{message.pk}/retry/").status_code == 404


# --- children's homes ---------------------------------------------------------------------------------


def test_the_childrens_home_view_counts_episodes_against_children_placed(world, as_, now):
    from homeward.people.models import Child
    from homeward.placements.models import Placement, Provider

    for i in range(6):
        report(world, world.jade, last_seen=now - dt.timedelta(days=20 - i * 2),
               returned=now - dt.timedelta(days=20 - i * 2, hours=-3))
    page = as_(world.kent_analyst).get("/protocol/homes/").content.decode()
    assert "Oakview" in page and "Oakview Care Ltd" in page and "SC100001" in page and "Jade" not in page
    assert 'govuk-tag--red">Stands out<' not in page  # the only home: it cannot stand out from itself
    # Another home with ten children placed and no episodes: Oakview (6 episodes, 2 children placed) stands out.
    elm = Provider.objects.create(urn="SC100002", name="Elm House", kind="children_home", host_authority=world.kent)
    start = timezone.localdate() - dt.timedelta(days=100)
    for i in range(10):
        child = Child.objects.create(first_name=f"C{i}", last_name="Elm", dob=dt.date(2011, 1, 1),
                                     responsible_authority=world.kent)
        Placement.objects.create(child=child, responsible_authority=world.kent, host_authority=world.kent,
                                 provider=elm, start_date=start)
    page = as_(world.kent_analyst).get("/protocol/homes/").content.decode()
    oakview = page[page.index("Oakview<br>"):page.index("</tr>", page.index("Oakview<br>"))]
    assert 'govuk-tag--red">Stands out<' in oakview and "Elm House" in page
    assert as_(world.kent_police).get("/protocol/homes/").status_code == 404
    assert "Oakview" not in as_(world.southwark_analyst).get("/protocol/homes/").content.decode()


# --- meetings ----------------------------------------------------------------------------------------


def meeting_post(**extra):
    held = timezone.localtime() - dt.timedelta(hours=1)
    data = {
        "held-day": held.day, "held-month": held.month, "held-year": held.year, "held-time": held.strftime("%H:%M"),
        "location": "Canterbury police station",
        "attendee-1-name": "Sam Lee", "attendee-1-organisation": "Kent County Council", "attendee-1-role": "Team manager",
        "attendee-2-name": "PC Jo Hall", "attendee-2-organisation": "Kent Police", "attendee-2-role": "",
        "attendee-3-name": "", "attendee-3-organisation": "", "attendee-3-role": "",
        "decisions": "Section 47 enquiry\nReturn interview by the independent provider",
        "action-1-action": "Check phone contacts", "action-1-owner": "PC Jo Hall",
        "action-1-owner_organisation": "Kent Police", "action-1-due-day": "1", "action-1-due-month": "1",
        "action-1-due-year": str(held.year + 1),
        "action-2-action": "", "action-2-owner": "", "action-2-owner_organisation": "",
        "safety_plan": "Trusted adult: aunt. Code word agreed.",
    }
    data.update(extra)
    return data


def test_recording_a_strategy_discussion_from_its_task_closes_the_task(world, ellie_high, as_):
    client = as_(world.kent_team_manager)
    t = task("strategy_discussion")
    form = client.get(f"/meetings/new/?kind=strategy_discussion&task={t.pk}&child={world.ellie.pk}")
    assert form.status_code == 200 and "Ellie Hart" in form.content.decode()
    response = client.post(f"/meetings/new/?kind=strategy_discussion&task={t.pk}&child={world.ellie.pk}",
                           meeting_post(kind="strategy_discussion", child=world.ellie.pk, task=t.pk, tasks=[t.pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = Meeting.objects.get()
    t.refresh_from_db()
    assert t.state == "done" and f"meeting {meeting.pk}" in t.closed_reason
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Kent Police" in page and "PC Jo Hall" in page and "Section 47 enquiry" in page
    assert "Check phone contacts" in page and "Code word agreed" in page
    assert meeting.attendees.count() == 2 and meeting.actions.count() == 1
    assert as_(world.southwark_team_manager).get(f"/meetings/{meeting.pk}/").status_code == 404
    assert as_(world.kent_police).get("/meetings/").status_code == 404


def test_a_meeting_form_with_problems_says_what_they_are(world, as_):
    client = as_(world.kent_missing_officer)
    data = meeting_post(kind="multi_agency", child="", **{"attendee-1-organisation": "", "action-1-due-day": "32"})
    page = client.post("/meetings/new/", data)
    text = page.content.decode()
    assert page.status_code == 400
    assert "Choose the child the meeting is about" in text or "Enter the Homeward record number" in text
    assert Meeting.objects.count() == 0
    outside = meeting_post(kind="multi_agency", child=world.sam.pk)
    assert "Enter the Homeward record number of a child in your records" in client.post(
        "/meetings/new/", outside).content.decode()


def test_the_monthly_review_lists_children_at_or_over_the_threshold_with_their_episodes(world, as_):
    month = timezone.localdate().replace(day=1)
    base = dt.datetime.combine(month, dt.time(1, 0), tzinfo=timezone.get_current_timezone())
    if timezone.now() - base < dt.timedelta(hours=16):
        base -= dt.timedelta(days=20)
        month = timezone.localtime(base).date().replace(day=1)
    for h in (0, 3, 6, 9, 12):
        report(world, world.callum, last_seen=base + dt.timedelta(hours=h), returned=base + dt.timedelta(hours=h + 2))
    for h in (0, 3, 6, 9):
        report(world, world.ellie, last_seen=base + dt.timedelta(hours=h), returned=base + dt.timedelta(hours=h + 2))
    client = as_(world.kent_missing_officer)
    page = client.get("/meetings/monthly-review/", {"month": month.strftime("%Y-%m")}).content.decode()
    assert "Callum Reid" in page and "5 episodes" in page and "Ellie" not in page
    assert "Record this month" in page
    southwark = as_(world.southwark_missing_officer).get("/meetings/monthly-review/",
                                                        {"month": month.strftime("%Y-%m")}).content.decode()
    assert "Callum" not in southwark


def test_a_family_group_conference_shows_episodes_in_the_3_months_before_and_after(world, as_):
    held = timezone.now() - dt.timedelta(days=120)
    for days in (80, 60, 40, 20):
        report(world, world.callum, last_seen=held - dt.timedelta(days=days),
               returned=held - dt.timedelta(days=days, hours=-5))
    report(world, world.callum, last_seen=held + dt.timedelta(days=30), returned=held + dt.timedelta(days=30, hours=5))
    report(world, world.callum, last_seen=held - dt.timedelta(days=100), returned=held - dt.timedelta(days=100, hours=-5))
    client = as_(world.kent_social_worker)
    local = timezone.localtime(held)
    data = meeting_post(kind="family_group_conference", child=world.callum.pk, **{
        "held-day": local.day, "held-month": local.month, "held-year": local.year, "held-time": local.strftime("%H:%M")})
    assert client.post("/meetings/new/", data).status_code == 302
    meeting = Meeting.objects.get()
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "4 episodes in the 3 months before; 1 in the 3 months after" in page
    summary = client.get("/meetings/family-group-conferences/").content.decode()
    assert "On average, children had 4.0 missing episodes in the 3 months before their conference and 1.0" in summary
