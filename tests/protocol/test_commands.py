"""`homeward protocol ...` and `homeward tasks ...` as other systems use them (contract.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.utils import timezone

from homeward.access.models import AuditEvent
from homeward.cli import main
from homeward.people.models import ChildIdentifier
from homeward.protocol import defaults
from homeward.protocol.models import ProtocolVersion, Task

from .conftest import evaluate, report

pytestmark = pytest.mark.django_db

RULE_NAMES = {"notify_responsible_authority", "notify_host_authority", "strategy_discussion", "duration_escalation",
              "police_national_circulation", "placement_review", "return_interview", "return_interview_overdue",
              "repeat_missing_meeting", "monthly_multiple_missing", "family_group_conference"}


def run(capsys, *args):
    status = main(list(args))
    out = capsys.readouterr()
    return status, out.out, out.err


@pytest.fixture
def raised(world, now):
    ChildIdentifier.objects.create(child=world.callum, kind="la_child", authority=world.kent, value="KC0042")
    episode = report(world, world.callum, last_seen=now - dt.timedelta(hours=30), risk="high", ref="KP-77")
    evaluate(episode)
    return episode


def test_tasks_json_is_exactly_the_contract(raised, world, capsys):
    status, out, err = run(capsys, "tasks", "--authority", "886", "--format", "json")
    assert status == 0, err
    rows = json.loads(out)
    assert [r["rule"] for r in rows] == ["strategy_discussion", "duration_escalation"] or {r["rule"] for r in rows} == {
        "strategy_discussion", "duration_escalation"}
    for row in rows:
        assert set(row) == {"id", "rule", "state", "due_at", "child", "episode", "protocol_version", "reason"}
        assert row["rule"] in RULE_NAMES and row["state"] == "open"
        assert row["child"] == {"child_ref": "KC0042", "first_name": "Callum", "last_name": "Reid", "dob": "2008-11-02"}
        assert set(row["episode"]) == {"id", "last_seen_at", "source_refs"}
        assert row["episode"]["id"] == raised.pk and row["episode"]["source_refs"] == ["KP-77"]
        assert dt.datetime.fromisoformat(row["episode"]["last_seen_at"]) == raised.last_seen_at
        assert dt.datetime.fromisoformat(row["due_at"]).tzinfo is not None
        assert row["protocol_version"] == 1 and isinstance(row["id"], int)
        assert "version 1" in row["reason"]
    # Overdue (earliest due) first.
    assert [r["due_at"] for r in rows] == sorted(r["due_at"] for r in rows)
    assert AuditEvent.objects.filter(action="export", object_type="task", object_id="886").exists()


def test_a_task_about_a_child_has_a_null_episode(world, capsys):
    base = dt.datetime(2025, 5, 10, 8, 0, tzinfo=dt.timezone.utc)
    eps = [report(world, world.ellie, last_seen=base + dt.timedelta(hours=h), returned=base + dt.timedelta(hours=h + 2))
           for h in (0, 3, 6, 9, 12)]
    evaluate(*eps, at=base + dt.timedelta(days=1))
    rows = json.loads(run(capsys, "tasks", "--authority", "886")[1])
    monthly = [r for r in rows if r["rule"] == "monthly_multiple_missing"]
    assert len(monthly) == 1 and monthly[0]["episode"] is None
    assert monthly[0]["child"]["child_ref"] is None and monthly[0]["child"]["first_name"] == "Ellie"


def test_tasks_state_all_includes_closed_ones_after_the_open(raised, world, capsys):
    task = Task.objects.get(rule="strategy_discussion")
    Task.objects.filter(pk=task.pk).update(state="cancelled", closed_at=timezone.now(), closed_reason="test")
    assert [r["rule"] for r in json.loads(run(capsys, "tasks", "--authority", "886")[1])] == ["duration_escalation"]
    rows = json.loads(run(capsys, "tasks", "--authority", "886", "--state", "all")[1])
    assert [(r["rule"], r["state"]) for r in rows] == [("duration_escalation", "open"),
                                                       ("strategy_discussion", "cancelled")]


def test_tasks_csv_has_a_header_and_one_row_per_task(raised, capsys):
    status, out, _ = run(capsys, "tasks", "--authority", "886", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert status == 0 and len(rows) == 2
    assert {r["rule"] for r in rows} == {"strategy_discussion", "duration_escalation"}
    assert rows[0]["child_ref"] == "KC0042" and rows[0]["episode_source_refs"] == "KP-77"
    assert rows[0]["owner_organisation"] == "Kent County Council"


def test_tasks_for_another_authority_are_not_shown(raised, capsys):
    assert json.loads(run(capsys, "tasks", "--authority", "210")[1]) == []


def test_an_unknown_authority_is_refused_cleanly(world, capsys):
    for args in (("tasks", "--authority", "999"), ("protocol", "show", "--authority", "999"),
                 ("protocol", "history", "--authority", "12")):
        status, out, err = run(capsys, *args)
        assert status == 1 and "is not a known local authority code" in err and "Traceback" not in err + out


def test_protocol_run_at_a_moment_prints_what_it_did(world, capsys):
    episode = report(world, world.ellie, last_seen=dt.datetime(2025, 3, 29, 12, 0, tzinfo=dt.timezone.utc))
    status, out, err = run(capsys, "protocol", "run", "--at", "2025-03-30T12:59")
    assert status == 0, err
    assert "Protocol evaluated as of 30 Mar 2025, 12:59" in out and "Tasks raised: 0" in out
    assert not Task.objects.filter(rule="duration_escalation").exists()
    # 24 real hours after 12:00 GMT is 13:00 BST on the day the clocks go forward.
    status, out, _ = run(capsys, "protocol", "run", "--at", "2025-03-30T13:00")
    assert "Tasks raised: 1 (duration_escalation 1)" in out
    assert Task.objects.get(rule="duration_escalation").episode == episode
    status, out, _ = run(capsys, "protocol", "run", "--at", "2025-03-30T12:00:00+00:00")
    assert "Tasks raised: 0" in out


def test_protocol_run_refuses_a_moment_that_is_not_one(world, capsys):
    status, out, err = run(capsys, "protocol", "run", "--at", "yesterday")
    assert status == 1 and "--at: 'yesterday' is not an ISO 8601 date-time" in err and "Traceback" not in err


def test_protocol_show_prints_the_file_format_with_the_defaults(world, capsys):
    status, out, err = run(capsys, "protocol", "show", "--authority", "886")
    assert status == 0 and json.loads(out) == defaults.default_document()
    assert "Kent protocol, version 1" in err


def test_protocol_set_from_a_file_makes_a_new_version(world, capsys, tmp_path):
    path = tmp_path / "kent.json"
    path.write_text(json.dumps({"name": "Kent and Medway", "rules": {
        "repeat_missing_meeting": {"count": 3, "window_days": 30}}}))
    status, out, err = run(capsys, "protocol", "set", "--authority", "886", "--file", str(path), "--note", "3 in 30")
    assert status == 0, err
    assert "Kent protocol, version 2 made" in out
    shown = json.loads(run(capsys, "protocol", "show", "--authority", "886")[1])
    assert shown["rules"]["repeat_missing_meeting"]["window_days"] == 30 and shown["name"] == "Kent and Medway"
    assert json.loads(run(capsys, "protocol", "show", "--authority", "886", "--version", "1")[1]) == \
        defaults.default_document()
    history = run(capsys, "protocol", "history", "--authority", "886")[1]
    assert "* Kent" in history and "v2" in history and "3 in 30" in history


def test_protocol_set_refuses_a_bad_file_naming_the_file_and_the_field(world, capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"rules": {"monthly_multiple_missing": {"count": 0}}}))
    status, _, err = run(capsys, "protocol", "set", "--authority", "886", "--file", str(bad))
    assert status == 1 and str(bad) in err and "rules.monthly_multiple_missing.count" in err
    broken = tmp_path / "broken.json"
    broken.write_text('{"rules": {\n  "x": }')
    status, _, err = run(capsys, "protocol", "set", "--authority", "886", "--file", str(broken))
    assert status == 1 and "line 2, column" in err and "Traceback" not in err
    status, _, err = run(capsys, "protocol", "set", "--authority", "886", "--file", str(tmp_path / "none.json"))
    assert status == 1 and "cannot be read" in err
    assert ProtocolVersion.objects.filter(authority=world.kent).count() <= 1


def test_a_regional_protocol_applies_to_authorities_without_their_own(world, capsys, tmp_path):
    path = tmp_path / "em.json"
    path.write_text(json.dumps({"rules": {"repeat_missing_meeting": {"window_days": 60}}}))
    status, out, err = run(capsys, "protocol", "set", "--region", "London", "--file", str(path))
    assert status == 0, err
    shown = json.loads(run(capsys, "protocol", "show", "--authority", "210")[1])
    assert shown["rules"]["repeat_missing_meeting"]["window_days"] == 60
    assert json.loads(run(capsys, "protocol", "show", "--authority", "886")[1])["rules"][
        "repeat_missing_meeting"]["window_days"] == 90


def test_protocol_schema_is_a_json_schema_of_every_rule(world, capsys):
    schema = json.loads(run(capsys, "protocol", "schema")[1])
    assert set(schema["properties"]["rules"]["properties"]) == RULE_NAMES
