"""The engine against the database: episodes made through the episode services,
the protocol evaluated on events and on the schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from homeward import events
from homeward.episodes.services import episode_change_risk, episode_record_return
from homeward.people.models import Allocation, ChildFlag
from homeward.protocol import engine
from homeward.protocol.models import OutboundMessage, ProtocolVersion, ProtocolWake, Task
from homeward.protocol.versions import version_create

from .conftest import evaluate, report, tasks

pytestmark = pytest.mark.django_db


def test_a_high_risk_episode_raises_a_strategy_discussion_for_kents_team_managers(world, now):
    episode = report(world, world.ellie, last_seen=now - dt.timedelta(hours=2), risk="high")
    evaluate(episode)
    [task] = tasks("strategy_discussion")
    assert task.authority == world.kent and task.owner_organisation == world.kent_council
    assert task.owner_role == "team_manager" and task.owner_user is None
    assert task.child == world.ellie and task.episode == episode and task.state == "open"
    assert task.due_at == episode.reported_at + dt.timedelta(hours=24)
    version = task.protocol_version
    assert version.authority == world.kent and version.number == 1
    assert "risk level high" in task.reason and "version 1" in task.reason and "Ellie" not in task.reason


def test_re_evaluating_and_re_importing_the_same_notification_raise_nothing_new(world, now):
    seen = now - dt.timedelta(hours=30)
    episode = report(world, world.ellie, last_seen=seen, risk="high", ref="K1")
    evaluate(episode)
    first = sorted(Task.objects.values_list("cause_key", flat=True))
    assert first == [f"duration_escalation:e{episode.pk}:24h", f"strategy_discussion:e{episode.pk}"]
    again = report(world, world.ellie, last_seen=seen, risk="high", ref="K1", reported=seen + dt.timedelta(minutes=30))
    assert again.pk == episode.pk
    evaluate(episode)
    engine.run_schedule()
    engine.run_schedule(full=True)
    assert sorted(Task.objects.values_list("cause_key", flat=True)) == first


def test_the_schedule_escalates_at_24_hours_and_the_return_closes_it_and_raises_the_interview(world, now):
    start = now - dt.timedelta(hours=80)
    episode = report(world, world.ellie, last_seen=start)
    engine.run_schedule(now=start + dt.timedelta(hours=20))
    assert tasks("duration_escalation") == []
    assert ProtocolWake.objects.get(child=world.ellie).wake_at == start + dt.timedelta(hours=24)

    engine.run_schedule(now=start + dt.timedelta(hours=24) - dt.timedelta(seconds=1))
    assert tasks("duration_escalation") == []
    summary = engine.run_schedule(now=start + dt.timedelta(hours=24))
    [escalation] = tasks("duration_escalation")
    assert escalation.owner_role == "team_manager" and summary.raised["duration_escalation"] == 1

    # Nobody touches the record: at 72 hours the senior manager is told.
    engine.run_schedule(now=start + dt.timedelta(hours=72))
    assert [t.owner_role for t in tasks("duration_escalation")] == ["team_manager", "senior_manager"]

    returned = episode_record_return(actor=world.kent_missing_officer, episode=episode,
                                     returned_at=start + dt.timedelta(hours=73))
    evaluate(returned, at=start + dt.timedelta(hours=73, minutes=5))
    for task in tasks("duration_escalation"):
        assert task.state == "cancelled" and "The child returned on" in task.closed_reason
    [interview] = tasks("return_interview")
    assert interview.owner_organisation == world.rhi_org and interview.owner_role == "rhi_worker"
    assert interview.due_at == returned.returned_at + dt.timedelta(hours=72)
    # The provider is allocated the child, so its worker can see who the interview is with.
    assert Allocation.objects.filter(child=world.ellie, kind="rhi", organisation=world.rhi_org).count() == 1
    assert ProtocolWake.objects.get(child=world.ellie).wake_at == interview.due_at


def test_an_interview_not_completed_by_its_due_time_escalates_to_the_team_manager(world, now):
    returned_at = now - dt.timedelta(hours=100)
    episode = report(world, world.ellie, last_seen=returned_at - dt.timedelta(hours=5), returned=returned_at)
    evaluate(episode, at=returned_at + dt.timedelta(minutes=1))
    due = tasks("return_interview")[0].due_at
    engine.run_schedule(now=due - dt.timedelta(seconds=1))
    assert tasks("return_interview_overdue") == []
    engine.run_schedule(now=due)
    [overdue] = tasks("return_interview_overdue")
    assert overdue.owner_role == "team_manager" and overdue.cause_at == due


def test_a_completed_interview_from_the_interviews_app_closes_the_task(world, now, monkeypatch):
    returned_at = now - dt.timedelta(hours=10)
    episode = report(world, world.ellie, last_seen=returned_at - dt.timedelta(hours=5), returned=returned_at)
    evaluate(episode)
    completed = {episode.pk: returned_at + dt.timedelta(hours=8)}
    monkeypatch.setattr("homeward.protocol.hooks._interviews_function",
                        lambda: lambda ids: {i: completed[i] for i in ids if i in completed})
    evaluate(episode)
    [task] = tasks("return_interview")
    assert task.state == "done" and "completed on" in task.closed_reason


def test_a_new_episode_before_the_interview_is_due_cancels_it(world, now):
    first = report(world, world.ellie, last_seen=now - dt.timedelta(hours=30), returned=now - dt.timedelta(hours=20))
    evaluate(first)
    assert tasks("return_interview")[0].state == "open"
    second = report(world, world.ellie, last_seen=now - dt.timedelta(hours=2))
    evaluate(second)
    [task] = tasks("return_interview")
    assert task.state == "cancelled" and "went missing again" in task.closed_reason


def test_a_southwark_child_missing_in_kent_is_told_to_southwark_by_email_once(contacts, now):
    world = contacts
    episode = report(world, world.jade, last_seen=now - dt.timedelta(hours=1))
    assert episode.responsible_authority == world.southwark
    evaluate(episode)
    [task] = tasks("notify_responsible_authority")
    assert task.authority == world.kent and task.owner_role == "missing_officer"
    assert task.due_at == episode.reported_at + dt.timedelta(hours=4)
    [message] = OutboundMessage.objects.all()
    assert message.to_email == "missing.children@southwark.example" and message.state == "queued"
    assert "Jade" not in message.body + message.subject and "Okafor" not in message.body + message.subject
    assert "J. O." in message.body and f"/episodes/{episode.pk}/" in message.body
    assert "risk" not in message.body.lower()

    engine.run_schedule()
    engine.run_schedule()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["missing.children@southwark.example"]
    message.refresh_from_db()
    task.refresh_from_db()
    assert message.state == "sent" and message.attempts == 1
    assert task.state == "done" and "Sent by email" in task.closed_reason
    # No interview for Kent: the placing authority arranges it.
    returned = episode_record_return(actor=world.kent_police, episode=episode, returned_at=now)
    evaluate(returned)
    assert tasks("return_interview") == []
    assert tasks("notify_responsible_authority")[-1].cause_key.endswith(":return")
    assert [t.authority for t in tasks("placement_review")] == [world.southwark]


def test_without_a_named_contact_the_task_says_to_tell_them_another_way(world, now):
    episode = report(world, world.jade, last_seen=now - dt.timedelta(hours=1))
    evaluate(episode)
    [task] = tasks("notify_responsible_authority")
    assert "No named contact email" in task.reason and OutboundMessage.objects.count() == 0


def test_a_failed_email_is_kept_and_retried_with_a_growing_delay(contacts, now, monkeypatch):
    from homeward.protocol import delivery

    calls = []

    class Broken:
        def send(self, message):
            calls.append(message.pk)
            raise OSError("connection refused")

    monkeypatch.setattr(delivery, "backend", lambda: Broken())
    evaluate(report(contacts, contacts.jade, last_seen=now - dt.timedelta(hours=1)))
    now = timezone.now()
    engine.run_schedule(now=now)
    message = OutboundMessage.objects.get()
    assert message.state == "queued" and message.attempts == 1 and "connection refused" in message.last_error
    assert message.next_attempt_at == now + dt.timedelta(minutes=2)
    engine.run_schedule(now=now + dt.timedelta(minutes=1))
    assert len(calls) == 1  # not due yet
    moment = now
    for _ in range(delivery.MAX_ATTEMPTS - 1):
        moment = OutboundMessage.objects.get().next_attempt_at
        engine.run_schedule(now=moment)
    message.refresh_from_db()
    assert message.state == "failed" and message.attempts == delivery.MAX_ATTEMPTS
    assert Task.objects.get(rule="notify_responsible_authority").state == "open"


def test_kents_own_child_placed_in_southwark_missing_in_kent_is_told_to_southwark(contacts, now):
    from homeward.placements.models import Placement

    world = contacts
    Placement.objects.filter(child=world.callum).update(end_date=timezone.localdate() - dt.timedelta(days=30))
    Placement.objects.create(child=world.callum, responsible_authority=world.kent, host_authority=world.southwark,
                             place_code="U1", start_date=timezone.localdate() - dt.timedelta(days=30))
    episode = report(world, world.callum, last_seen=now - dt.timedelta(hours=1))
    evaluate(episode)
    [task] = tasks("notify_host_authority")
    assert task.authority == world.kent
    assert OutboundMessage.objects.get().to_authority == world.southwark


def test_placement_review_goes_to_the_allocated_social_worker(world, now):
    Allocation.objects.create(child=world.callum, kind="social_worker", user=world.kent_social_worker)
    episode = report(world, world.callum, last_seen=now - dt.timedelta(hours=10), returned=now - dt.timedelta(hours=1))
    evaluate(episode)
    [task] = tasks("placement_review")
    assert task.owner_user == world.kent_social_worker and task.owner_organisation == world.kent_council


def test_a_uasc_child_missing_raises_the_national_circulation_check(world, now):
    episode = report(world, world.callum, last_seen=now - dt.timedelta(hours=1), flags="uasc")
    assert ChildFlag.objects.filter(child=world.callum, flag="uasc").exists()
    evaluate(episode)
    assert [t.rule for t in tasks()] == ["police_national_circulation", "strategy_discussion"] or sorted(
        t.rule for t in tasks()) == ["police_national_circulation", "strategy_discussion"]


def test_a_risk_raised_to_high_by_a_person_raises_the_strategy_discussion(world, now):
    episode = report(world, world.ellie, last_seen=now - dt.timedelta(hours=3), risk="medium")
    evaluate(episode)
    assert tasks("strategy_discussion") == []
    episode_change_risk(actor=world.kent_missing_officer, episode=episode, risk_level="high",
                        reason="Seen with older men")
    evaluate(episode)
    [task] = tasks("strategy_discussion")
    assert abs((task.due_at - (timezone.now() + dt.timedelta(hours=24))).total_seconds()) < 60


def test_three_episodes_in_89_days_raise_the_multi_agency_meeting(world, now):
    base = now - dt.timedelta(days=95)
    eps = [report(world, world.ellie, last_seen=base + dt.timedelta(days=d), returned=base + dt.timedelta(days=d, hours=4))
           for d in (0, 40, 89)]
    evaluate(*eps)
    [task] = tasks("repeat_missing_meeting")
    assert task.episode == eps[2] and task.owner_role == "missing_officer"


def test_publishing_an_episode_event_evaluates_the_protocol(world, now):
    episode = report(world, world.ellie, last_seen=now - dt.timedelta(hours=2), risk="high")
    assert tasks() == []
    events.publish_now("episode.started", episode_ids=[episode.pk], actor=None)
    assert [t.rule for t in tasks()] == ["strategy_discussion"]


def test_a_new_protocol_version_applies_to_new_events_and_old_tasks_keep_theirs(world, now):
    first = report(world, world.ellie, last_seen=now - dt.timedelta(hours=2), risk="high")
    evaluate(first)
    v1 = tasks("strategy_discussion")[0].protocol_version
    v2 = version_create(actor=world.kent_admin, authority=world.kent, note="Strategy discussions within 8 hours",
                        document={"rules": {"strategy_discussion": {"due_in": {"hours": 8}}}})
    assert v2.number == 2 and v1.number == 1
    second = report(world, world.callum, last_seen=now - dt.timedelta(hours=1), risk="high")
    evaluate(first, second)
    old, new = tasks("strategy_discussion")
    assert old.protocol_version == v1 and old.due_at == first.reported_at + dt.timedelta(hours=24)
    assert new.protocol_version.number == 2 and new.due_at == second.reported_at + dt.timedelta(hours=8)
    with pytest.raises(PermissionError):
        v1.note = "rewritten"
        v1.save()
    assert ProtocolVersion.objects.get(pk=v1.pk).note != "rewritten"


def test_an_imported_history_raises_nothing_but_an_open_episode_does(world, now):
    old = [report(world, world.ellie, last_seen=now - dt.timedelta(days=400 - d), risk="high",
                  returned=now - dt.timedelta(days=400 - d, hours=-5)) for d in (0, 10, 20)]
    open_one = report(world, world.sam, area=world.kent, last_seen=now - dt.timedelta(days=10), source="police:met")
    engine.run_schedule(now=now)
    assert [t.rule for t in tasks()] == ["duration_escalation"]
    assert tasks()[0].episode == open_one and old


def test_a_task_whose_episode_was_merged_away_closes_itself(world, now):
    from homeward.episodes.intake import merge_stored_episodes

    first = report(world, world.ellie, last_seen=now - dt.timedelta(hours=50), returned=now - dt.timedelta(hours=40))
    second = report(world, world.ellie, last_seen=now - dt.timedelta(hours=30), returned=now - dt.timedelta(hours=20))
    evaluate(first, second)
    assert len(tasks("return_interview")) == 1  # the second episode came before the first's was due
    second_id = second.pk
    merge_stored_episodes(first, [second])  # two records of one episode: the second is folded in and deleted
    evaluate(first)
    orphan = Task.objects.get(cause_key=f"return_interview:e{second_id}")
    assert orphan.episode is None and orphan.state == "cancelled" and "merged" in orphan.closed_reason


def test_two_evaluations_at_once_never_duplicate_a_cause(world, now):
    episode = report(world, world.ellie, last_seen=now - dt.timedelta(hours=30), risk="high")
    one = engine.evaluate_children([world.ellie.pk], now=now, worker="a")
    # A second worker that read the same facts before the first wrote (simulated by
    # evaluating again): the UNIQUE cause key makes its inserts no-ops.
    two = engine.evaluate_children([world.ellie.pk], now=now, worker="b")
    assert sum(one.raised.values()) == 2 and sum(two.raised.values()) == 0
    assert Task.objects.filter(episode=episode).count() == 2
    assert set(Task.objects.values_list("raised_by", flat=True)) == {"a"}


def test_a_child_with_nothing_left_to_wait_for_has_no_wake(world, now):
    episode = report(world, world.ellie, last_seen=now - dt.timedelta(hours=30))
    evaluate(episode)
    assert ProtocolWake.objects.filter(child=world.ellie).exists()
    returned = episode_record_return(actor=world.kent_missing_officer, episode=episode,
                                     returned_at=now - dt.timedelta(hours=1))
    # After the interview's due time, nothing is left to wake for.
    evaluate(returned, at=now + dt.timedelta(days=4))
    assert not ProtocolWake.objects.filter(child=world.ellie).exists()
