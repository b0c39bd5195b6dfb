"""`homeward report partnership`: the report as a file, and bad input refused without a traceback."""

from __future__ import annotations

import json

import pytest

from homeward.access.models import AuditEvent
from homeward.cli import main

from .helpers import make_child, report

ARGS = ["report", "partnership", "--authority", "886", "--period", "2025-Q1"]


@pytest.fixture
def kent_episodes(la):
    ellie = make_child(home=la.kent)
    report(ellie, la.kent, "2025-03-31T23:30", "2025-04-01T02:00")
    report(ellie, la.kent, "2025-01-05T10:00", "2025-01-05T11:00")
    report(ellie, la.kent, "2024-02-05T10:00", "2024-02-05T11:00")
    return la


def run(capsys, *args):
    status = main(list(args))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_json_gives_the_figures_with_last_year_and_the_suppression_rule(kent_episodes, capsys):
    status, out, err = run(capsys, *ARGS, "--format", "json")
    assert status == 0, err
    fig = json.loads(out)
    assert fig["report"] == "partnership" and fig["authority"] == {"code": "886", "name": "Kent"}
    assert fig["period"]["from"] == "2025-01-01" and fig["period"]["to"] == "2025-04-01"
    assert fig["comparison"]["code"] == "2024-Q1"
    # published output by default: counts of 1 to 4 become "<5"
    assert fig["suppression"]["threshold"] == 5
    assert fig["this"]["key"]["episodes_by_month"] == {"2025-01": "<5", "2025-02": 0, "2025-03": "<5"}
    assert fig["last"]["key"]["episodes"]["total"] == "<5"
    assert fig["definitions"]["children_by_month"]


def test_suppress_0_shows_every_count(kent_episodes, capsys):
    status, out, _ = run(capsys, *ARGS, "--format", "json", "--suppress", "0")
    assert status == 0
    fig = json.loads(out)
    assert fig["suppression"] is None
    assert fig["this"]["key"]["episodes_by_month"] == {"2025-01": 1, "2025-02": 0, "2025-03": 1}


def test_html_by_default_is_a_standalone_document_and_the_export_is_audited(kent_episodes, capsys):
    status, out, err = run(capsys, *ARGS)
    assert status == 0, err
    assert out.startswith("<!DOCTYPE html>") and "<style>" in out and 'id="partnership-report"' in out
    assert "Children missing from home and care: Kent" in out
    assert "January to March 2025 (quarter 4 of 2024-25)" in out
    assert 'role="img"' in out
    event = AuditEvent.objects.get(object_type="partnership_report")
    assert event.action == AuditEvent.Action.EXPORT and event.object_id == "886"
    assert event.payload["format"] == "html" and event.payload["period"] == "2025-Q1"
    assert event.payload["from"] == "2025-01-01" and event.payload["to"] == "2025-04-01"
    assert event.payload["suppress"] == 5


def test_pdf_to_a_file(kent_episodes, capsys, tmp_path):
    target = tmp_path / "report.pdf"
    status, out, err = run(capsys, *ARGS[:-1], "2024-25", "--format", "pdf", "--out", str(target))
    assert status == 0, err
    assert target.read_bytes().startswith(b"%PDF-")
    assert out == "" and "report.pdf" in err


def test_pdf_to_standard_output_when_it_is_not_a_terminal(kent_episodes, capsysbinary):
    status = main([*ARGS, "--format", "pdf"])
    out = capsysbinary.readouterr().out
    assert status == 0
    assert out.startswith(b"%PDF-")


@pytest.mark.parametrize("args, message", [
    (["--period", "2025-27"], "--period: '2025-27' is not a financial year"),
    (["--period", "2025-Q9"], "--period: '2025-Q9' is not a period"),
    (["--authority", "999"], "--authority: '999' is not a known local authority code"),
    (["--authority", "all"], "--authority: the partnership report is for one authority"),
    (["--suppress", "1"], "--suppress: '1' is not 0 or a whole number of 2 or more"),
    (["--suppress", "five"], "--suppress: 'five'"),
    (["--out", "/no/such/folder/report.html"], "--out: the folder of '/no/such/folder/report.html' does not exist"),
])
def test_bad_input_exits_non_zero_with_a_message_and_no_traceback(la, capsys, args, message):
    base = {"--authority": "886", "--period": "2025-Q1"}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    argv = ["report", "partnership"] + [x for pair in base.items() for x in pair]
    status, out, err = run(capsys, *argv)
    assert status != 0
    assert message in err
    assert "Traceback" not in err and out == ""
    assert not AuditEvent.objects.filter(object_type="partnership_report").exists()


def test_the_report_is_listed_by_report_help(db, capsys):
    status, out, _ = run(capsys, "report", "--help")
    assert status == 0 and "partnership" in out
    status, out, _ = run(capsys, "report", "partnership", "--help")
    assert status == 0 and "--period YYYY-Qn|YYYY-YY" in out
