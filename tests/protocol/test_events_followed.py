"""Episode events are followed when they are recorded (contract.md: "event
rules run when the events are recorded"); a bulk chunk of a file import is
left to the scheduled run, which takes it and the interviews it needs."""

from __future__ import annotations

import datetime as dt

from homeward import events
from homeward.interviews.models import Interview
from homeward.protocol import engine
from homeward.protocol.models import Task

from .conftest import report


def test_an_episode_recorded_through_the_services_raises_its_tasks_at_once(transactional_world, now):
    world = transactional_world
    report(world, world.ellie, last_seen=now - dt.timedelta(hours=2), risk="high")
    assert [t.rule for t in Task.objects.all()] == ["strategy_discussion"]


def test_a_return_recorded_through_the_services_creates_the_interview_at_once(transactional_world, now):
    world = transactional_world
    report(world, world.ellie, last_seen=now - dt.timedelta(hours=30), returned=now - dt.timedelta(hours=3),
           ref="E1")
    interview = Interview.objects.get()
    assert interview.child_id == world.ellie.pk and interview.episode is not None
    assert Task.objects.filter(rule="return_interview").count() == 1


def test_a_bulk_batch_is_left_to_the_scheduled_run_which_takes_it(transactional_world, now, monkeypatch):
    world = transactional_world
    monkeypatch.setattr(events, "BULK", 0)  # every batch is bulk here
    engine.run_schedule(now=now)  # a first run sets the cursor
    report(world, world.ellie, last_seen=now - dt.timedelta(hours=30), returned=now - dt.timedelta(hours=3),
           risk="high", ref="E1")
    assert Task.objects.count() == 0 and Interview.objects.count() == 0
    engine.run_schedule(now=now + dt.timedelta(minutes=1))
    assert {t.rule for t in Task.objects.all()} >= {"strategy_discussion", "return_interview"}
    assert Interview.objects.filter(child=world.ellie).count() == 1


def test_is_bulk_is_strictly_more_than_the_limit():
    assert not events.is_bulk(list(range(events.BULK)))
    assert events.is_bulk(list(range(events.BULK + 1)))
