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
        (["--authority", "886", *JULY, "--sex", "X"], "--sex: 'X' is not a sex Homeward records: give M, F, U"),
        (["--authority", "886", *JULY, "--missing-from", "school"], "--missing-from: 'school' is not where a child"),
        (["--authority", "886", *JULY, "--age-band", "18+"], "--age-band: '18+' is not an age band"),
        (["--authority", "886", *JULY, "--ethnicity", "XXXX"], "--ethnicity: 'XXXX' is not a DfE ethnicity code"),
        (["--authority", "886", *JULY, "--placement-type", "ZZ"], "--placement-type: 'ZZ' is not an SSDA903"),
        (["--authority", "886", *JULY, "--provider", "SC404"], "--provider: 'SC404' is not the Ofsted URN of a provider"),
        (["--authority", "886", *JULY, "--children", "theirs"], "--children: 'theirs' is not a group of children"),
        (["--authority", "886", *JULY, "--format", "pdf", "--out", "/nonexistent-folder/k.pdf"],
         "--out: the folder of '/nonexistent-folder/k.pdf' does not exist"),
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


# --- filters and the PDF --------------------------------------------------------------------


def test_unfiltered_json_has_exactly_the_contract_keys_and_no_filters(examples, capsys):
    status, out, _ = kpis(capsys, "--authority", "886", *JULY)
    figures = json.loads(out)
    assert set(figures) == {"authority", "from", "to", "episodes", "children", "children_by_episode_count",
                            "duration_hours", "episodes_by_month", "return_interviews", "repeat", "placements",
                            "looked_after", "notes", "definitions"}
    assert figures["notes"] == []


def test_filters_are_options_and_say_so_in_the_output(examples, capsys):
    status, out, err = kpis(capsys, "--authority", "886", *JULY, "--missing-from", "care")
    assert status == 0, err
    figures = json.loads(out)
    assert figures["filters"] == {"missing_from": "care"}
    assert figures["episodes"]["total"] == 1 and figures["episodes"]["from_home"] == 0
    assert figures["notes"][0].startswith("Filtered: Episodes from care")
    status, out, _ = kpis(capsys, "--authority", "886", *JULY, "--missing-from", "home", "--format", "csv")
    rows = {r["figure"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["filters.missing_from"]["value"] == "home" and rows["episodes.total"]["value"] == "1"


def test_filtered_export_is_audited_with_its_filters(examples, capsys):
    kpis(capsys, "--authority", "886", *JULY, "--sex", "f", "--age-band", "14-15")
    event = AuditEvent.objects.filter(action="export").order_by("-pk").first()
    assert event.payload["filters"] == {"age_band": "14-15", "sex": "F"}


def test_kpis_pdf_to_a_file(examples, capsys, tmp_path):
    from .pdf_text import pdf_text

    target = tmp_path / "kpis.pdf"
    status, out, err = kpis(capsys, "--authority", "886", *JULY, "--format", "pdf", "--out", str(target))
    assert status == 0, err
    assert out == ""
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "Key figures: Kent (886)" in text and "1 July 2024 to 31 July 2024" in text
    assert "Episodes that started in the period" in text  # each figure with its definition
    event = AuditEvent.objects.filter(action="export").order_by("-pk").first()
    assert event.payload["format"] == "pdf"


def test_kpis_pdf_to_standard_output_is_bytes(examples, capsysbinary):
    status = main(["report", "kpis", "--authority", "886", *JULY, "--format", "pdf"])
    out = capsysbinary.readouterr().out
    assert status == 0 and out.startswith(b"%PDF-") and out.rstrip().endswith(b"%%EOF")


def test_kpis_xlsx_to_a_file(examples, capsys, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "kpis.xlsx"
    status, _, err = kpis(capsys, "--authority", "886", *JULY, "--format", "xlsx", "--out", str(target))
    assert status == 0, err
    book = load_workbook(target)
    assert book["Episodes"]["B2"].value == 2 and "Definitions" in book.sheetnames


def test_out_writes_text_formats_too(examples, capsys, tmp_path):
    target = tmp_path / "kpis.json"
    status, out, _ = kpis(capsys, "--authority", "886", *JULY, "--out", str(target))
    assert status == 0 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["episodes"]["total"] == 2


def test_report_kpis_help_lists_the_filters(db, capsys):
    status = main(["report", "kpis", "--help"])
    out = capsys.readouterr().out
    assert status == 0
    for option in ("--missing-from", "--children", "--age-band", "--sex", "--ethnicity", "--placement-type",
                   "--provider", "--out"):
        assert option in out
