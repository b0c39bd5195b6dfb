"""`homeward report kpis` as people and scripts use it (contract.md, "Command line")."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from homeward.access.models import AuditEvent
from homeward.cli import main
from homeward.episodes.importing import import_notifications
from homeward.placements.models import Authority

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "examples"  # copies of shared/spec/examples
if not EXAMPLES.exists():
    EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "examples"

JULY = ["--from", "2024-07-01", "--to", "2024-08-01"]


@pytest.fixture(autouse=True)
def keep_test_connection_open(monkeypatch):
    """`homeward` runs the command as from the command line, which closes the
    database connections when done; the test's transaction needs its own."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


@pytest.fixture
def examples(db):
    kent = Authority.objects.get(code="886")
    import_notifications(actor=None, authority=kent, path=EXAMPLES / "notifications.csv")
    return kent


def kpis(capsys, *args):
    status = main(["report", "kpis", *args])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_kpis_json_prints_the_contract_figures(examples, capsys):
    status, out, err = kpis(capsys, "--authority", "886", *JULY, "--format", "json")
    assert status == 0, err
    figures = json.loads(out)
    assert figures["episodes"]["total"] == 2 and figures["children"]["total"] == 2
    assert figures["duration_hours"]["median"] == 22.3
    assert figures["definitions"]["episodes.total"]


def test_kpis_default_format_is_json(examples, capsys):
    status, out, _ = kpis(capsys, "--authority", "886", *JULY)
    assert status == 0 and json.loads(out)["authority"] == "886"


def test_kpis_csv_has_figure_value_definition_rows(examples, capsys):
    status, out, _ = kpis(capsys, "--authority", "886", *JULY, "--format", "csv")
    assert status == 0
    rows = {r["figure"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["episodes.total"]["value"] == "2" and rows["episodes.total"]["definition"]
    assert rows["episodes_by_month.2024-07"]["value"] == "2"


def test_kpis_html_is_a_page(examples, capsys):
    status, out, _ = kpis(capsys, "--authority", "886", *JULY, "--format", "html")
    assert status == 0 and out.lstrip().startswith("<!DOCTYPE html>")
    assert "Key figures: Kent (886)" in out and "1 July 2024 to 31 July 2024" in out


def test_kpis_for_all_authorities(examples, capsys):
    status, out, _ = kpis(capsys, "--authority", "all", *JULY)
    assert status == 0
    assert json.loads(out)["authority"] == "all" and json.loads(out)["episodes"]["total"] == 2


def test_kpis_suppress_replaces_small_counts_and_says_so(examples, capsys):
    status, out, _ = kpis(capsys, "--authority", "886", *JULY, "--suppress", "5")
    assert status == 0
    figures = json.loads(out)
    assert figures["episodes"]["total"] == "<5" and figures["episodes"]["absent"] == 0
    assert figures["suppression"]["threshold"] == 5


def test_export_is_audited_with_authority_period_and_format(examples, capsys):
    before = AuditEvent.objects.filter(action="export").count()
    kpis(capsys, "--authority", "886", *JULY, "--format", "csv")
    event = AuditEvent.objects.filter(action="export").order_by("-pk").first()
    assert AuditEvent.objects.filter(action="export").count() == before + 1
    assert event.object_type == "kpis" and event.via == "cli"
    assert event.payload == {"authority": "886", "from": "2024-07-01", "to": "2024-08-01", "format": "csv"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--authority", "999", *JULY], "'999' is not a known local authority code"),
        (["--authority", "886", "--from", "2024-13-01", "--to", "2024-08-01"], "--from: '2024-13-01' is not a date"),
        (["--authority", "886", "--from", "1/7/2024", "--to", "2024-08-01"], "--from: '1/7/2024' is not a date"),
        (["--authority", "886", "--from", "2024-07-01", "--to", "tomorrow"], "--to: 'tomorrow' is not a date"),
        (["--authority", "886", "--from", "2024-07-01", "--to", "2024-07-01"], "--to (2024-07-01) must be after --from"),
        (["--authority", "886", "--from", "2024-08-01", "--to", "2024-07-01"], "must be after --from"),
        (["--authority", "886", *JULY, "--suppress", "1"], "--suppress: '1' is not a whole number of 2 or more"),
        (["--authority", "886", *JULY, "--suppress", "five"], "--suppress: 'five'"),
        (["--authority", "886", *JULY, "--format", "pdf"], "--format pdf is not available yet"),
    ],
)
def test_bad_input_exits_non_zero_with_a_clear_message_and_no_traceback(db, capsys, args, message):
    before = AuditEvent.objects.filter(action="export").count()
    status, out, err = kpis(capsys, *args)
    assert status != 0
    assert message in err
    assert "Traceback" not in err and out == ""
    assert AuditEvent.objects.filter(action="export").count() == before  # nothing exported, nothing audited


def test_missing_options_are_named(db, capsys):
    status = main(["report", "kpis", "--authority", "886"])
    err = capsys.readouterr().err
    assert status != 0 and "--from" in err and "Traceback" not in err


def test_report_lists_its_kinds(db, capsys):
    status = main(["report", "--help"])
    assert status == 0 and "kpis" in capsys.readouterr().out
