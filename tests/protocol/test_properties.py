"""Properties of the rules that hold for any history (hypothesis).

The central one (protocol.md, "A rule fires once for the same cause"):
evaluating again on the same events, with what the first evaluation raised
stored, raises nothing new.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homeward.protocol import defaults
from homeward.protocol.rules import ChildFact, EpisodeFact, FlagFact, Prior, Protocol, evaluate_child

# HOMEWARD_HYPOTHESIS=thorough runs 5,000 examples of each property (a nightly run); 200 otherwise.
EXAMPLES = 5000 if os.environ.get("HOMEWARD_HYPOTHESIS") == "thorough" else 200

BASE = datetime(2025, 1, 1, 6, 0, tzinfo=timezone.utc)
LONDON = ZoneInfo("Europe/London")
AUTHORITIES = (1, 2, 3)


def protocol_for(version, count, window, monthly, look_back, rhi_days):
    doc = defaults.default_document()
    doc["look_back_days"] = look_back
    doc["rules"]["repeat_missing_meeting"].update(count=count, window_days=window)
    doc["rules"]["monthly_multiple_missing"]["count"] = monthly
    if rhi_days:
        doc["rules"]["return_interview"]["due_in"] = {"working_days": rhi_days}
    doc = defaults.validate(doc)
    return Protocol(version, version, doc["rules"], doc["look_back_days"], "Test")


protocols = st.builds(
    protocol_for, st.integers(1, 9), st.integers(2, 4), st.integers(10, 120), st.integers(2, 6),
    st.integers(5, 365), st.sampled_from([0, 0, 3]),
)


@st.composite
def histories(draw):
    """A child and their episodes: in order, not overlapping, the last perhaps open."""
    n = draw(st.integers(0, 12))
    episodes = []
    moment = BASE + timedelta(minutes=draw(st.integers(0, 60 * 24 * 30)))
    for i in range(n):
        duration = timedelta(minutes=draw(st.integers(5, 60 * 24 * 10)))
        last = i == n - 1
        is_open = last and draw(st.booleans())
        responsible = draw(st.sampled_from((None, None, 1, 2, 3)))
        episodes.append(EpisodeFact(
            id=i + 1, started_at=moment, returned_at=None if is_open else moment + duration,
            reported_at=moment + timedelta(minutes=draw(st.integers(0, 180))),
            risk_level=draw(st.sampled_from(("", "low", "medium", "high"))),
            area_authority_id=draw(st.sampled_from(AUTHORITIES)), responsible_authority_id=responsible,
            host_authority_id=draw(st.sampled_from((None, 1, 2, 3))) if responsible else None,
            missing_from="care" if responsible else "home",
        ))
        moment = moment + duration + timedelta(minutes=draw(st.integers(1, 60 * 24 * 40)))
    flags = tuple(FlagFact(f, date(2024, 12, 1) + timedelta(days=draw(st.integers(0, 200))))
                  for f in draw(st.lists(st.sampled_from(("cse", "uasc", "gangs")), max_size=2, unique=True)))
    child = ChildFact(id=7, dob=date(2008, 1, 1) + timedelta(days=draw(st.integers(0, 3000))),
                      home_authority_id=draw(st.sampled_from((None, 1, 2))),
                      responsible_authority_id=draw(st.sampled_from((None, 1, 2))), flags=flags)
    return child, episodes


nows = st.integers(0, 60 * 24 * 500).map(lambda m: BASE + timedelta(minutes=m))


def stored(result, prior=()):
    return list(prior) + [Prior(i.rule, i.cause_key, i.cause_at) for i in result.intents]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), nows, st.dictionaries(st.sampled_from(AUTHORITIES), protocols, min_size=1))
def test_evaluating_again_on_the_same_events_raises_nothing_new(history, now, by_authority):
    child, episodes = history
    first = evaluate_child(child, episodes, now=now, protocols=by_authority)
    keys = [i.cause_key for i in first.intents]
    assert len(keys) == len(set(keys)), "one intent per cause"
    again = evaluate_child(child, list(reversed(episodes)), now=now, protocols=by_authority, prior=stored(first))
    assert {i.cause_key for i in again.intents} <= set(keys)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), nows, st.integers(1, 60 * 24 * 90), protocols)
def test_two_repeat_meetings_for_a_child_are_always_more_than_the_window_apart(history, now, later_by, protocol):
    child, episodes = history
    everywhere = {a: protocol for a in AUTHORITIES}
    first = evaluate_child(child, episodes, now=now, protocols=everywhere)
    second = evaluate_child(child, episodes, now=now + timedelta(minutes=later_by), protocols=everywhere,
                            prior=stored(first))
    raised = {i.cause_key: i for i in first.intents + second.intents if i.rule == "repeat_missing_meeting"}
    days = sorted(i.cause_at.astimezone(LONDON).date() for i in raised.values())
    window = protocol.rules["repeat_missing_meeting"]["window_days"]
    assert all((b - a).days > window for a, b in zip(days, days[1:]))


@settings(max_examples=EXAMPLES, deadline=None)
@given(histories(), nows, st.dictionaries(st.sampled_from(AUTHORITIES), protocols, min_size=1))
def test_every_task_is_due_after_its_cause_and_is_for_an_authority_using_homeward(history, now, by_authority):
    child, episodes = history
    result = evaluate_child(child, episodes, now=now, protocols=by_authority)
    for i in result.intents:
        assert i.due_at > i.cause_at
        assert i.authority_id in by_authority
        assert i.protocol_version_id == by_authority[i.authority_id].version_id
        assert i.cause_at <= now
    if result.wake_at is not None:
        assert result.wake_at > now


@settings(max_examples=EXAMPLES, deadline=None)
@given(histories(), nows, st.dictionaries(st.sampled_from(AUTHORITIES), protocols, min_size=1))
def test_a_closure_never_closes_what_the_same_evaluation_asks_for(history, now, by_authority):
    child, episodes = history
    result = evaluate_child(child, episodes, now=now, protocols=by_authority)
    assert not {c.cause_key for c in result.closures} & {i.cause_key for i in result.intents}


# --- the same, through the database -------------------------------------------------------------

import pytest  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone as dj_timezone  # noqa: E402

from homeward.protocol import engine  # noqa: E402
from homeward.protocol.models import OutboundMessage, Task  # noqa: E402


class _Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(max_examples=max(20, EXAMPLES // 10), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(1, 24 * 30), st.integers(1, 24 * 5), st.sampled_from(("", "medium", "high")),
                          st.sampled_from(("ellie", "jade"))), min_size=1, max_size=6),
       st.integers(0, 24 * 10))
def test_the_engine_raises_nothing_new_when_it_runs_again(world, plan, later_hours):
    from .conftest import report

    world.southwark.missing_contact_email = "missing@southwark.example"
    world.southwark.save()
    try:
        with transaction.atomic():
            moment = dj_timezone.now().replace(microsecond=0) - timedelta(days=300)
            episodes = []
            for gap, hours, risk, who in plan:
                start = moment + timedelta(hours=gap)
                end = start + timedelta(hours=hours)
                episodes.append(report(world, getattr(world, who), last_seen=start, returned=end, risk=risk))
                moment = end + timedelta(minutes=1)
            at = moment + timedelta(hours=later_hours)
            children = [world.ellie.pk, world.jade.pk]
            engine.evaluate_children(children, now=at)
            tasks = sorted(Task.objects.values_list("cause_key", "state"))
            messages = sorted(OutboundMessage.objects.values_list("cause_key", flat=True))
            engine.evaluate_children(children, now=at)
            engine.run_schedule(now=at, full=True, send=False)
            engine.evaluate_episodes([e.pk for e in episodes], now=at)
            assert sorted(Task.objects.values_list("cause_key", "state")) == tasks
            assert sorted(OutboundMessage.objects.values_list("cause_key", flat=True)) == messages
            raise _Rollback
    except _Rollback:
        pass
