"""The SSDA903 missing table: the contract example, and the DfE rules at their edges."""

from datetime import date
from pathlib import Path

import pytest

from homeward.cli import main
from homeward.episodes.importing import import_notifications
from homeward.placements.models import Authority
from homeward.placements.ssda903 import ssda903_import
from homeward.reporting import ssda903_missing as sm
from homeward.reporting.ssda903_missing import CarePeriod, MissingRow

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "examples"  # copies of shared/spec/examples


@pytest.fixture
def examples(db):
    kent = Authority.objects.get(code="886")
    ssda903_import(actor=None, authority=kent, header_path=EXAMPLES / "header.csv", episodes_path=EXAMPLES / "episodes.csv")
    summary, _ = import_notifications(actor=None, authority=kent, path=EXAMPLES / "notifications.csv")
    assert summary.rejected == []
    return kent


def test_contract_example_gives_one_row_for_callum(examples):
    text, breaks = sm.export(actor=None, authority=examples, year=2025)
    assert breaks == []
    assert text == "CHILD,DOB,MISSING,MIS_START,MIS_END\nX2001,02/11/2008,M,06/07/2024,08/07/2024\n"


def test_export_command_prints_the_csv(examples, capsys):
    assert main(["export", "ssda903-missing", "--authority", "886", "--year", "2025"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "X2001,02/11/2008,M,06/07/2024,08/07/2024"


def test_year_before_has_no_rows(examples):
    text, breaks = sm.export(actor=None, authority=examples, year=2024)
    assert (text, breaks) == ("CHILD,DOB,MISSING,MIS_START,MIS_END\n", [])


def test_unknown_authority_is_refused_cleanly(db, capsys):
    assert main(["export", "ssda903-missing", "--authority", "999", "--year", "2025"]) == 1
    assert "'999' is not a known local authority code" in capsys.readouterr().err


Y = 2025
CARE = {"C1": [CarePeriod(date(2020, 1, 1), None)]}


def row(start, end=None, child="C1", dob=date(2008, 1, 1), missing="M", placement_end=None, ep=1):
    return MissingRow(child, dob, missing, start, end, ep, placement_end)


def rules_broken(rows, care=CARE):
    return sorted({b.rule for b in sm.check_rows(rows, care, Y)})


def test_a_clean_year_breaks_nothing():
    assert rules_broken([row(date(2024, 4, 1), date(2024, 4, 2)), row(date(2025, 3, 31))]) == []


def test_periods_on_the_same_day_do_not_overlap_but_a_start_inside_another_does():
    assert rules_broken([row(date(2024, 5, 1), date(2024, 5, 3)), row(date(2024, 5, 3), date(2024, 5, 4), ep=2)]) == []
    assert rules_broken([row(date(2024, 5, 1), date(2024, 5, 3)), row(date(2024, 5, 2), date(2024, 5, 4), ep=2)]) == ["574"]
    assert rules_broken([row(date(2024, 5, 1)), row(date(2024, 6, 1), ep=2)]) == ["574"]


def test_end_before_start_and_outside_year_and_bad_type():
    assert "567" in rules_broken([row(date(2024, 5, 2), date(2024, 5, 1))])
    assert rules_broken([row(date(2025, 4, 1))]) == ["570"]
    assert rules_broken([row(date(2024, 3, 1), date(2024, 3, 31))]) == ["571"]
    assert rules_broken([row(date(2024, 5, 1), date(2024, 5, 2), missing="X")]) == ["1006"]


def test_ended_placement_needs_an_end():
    assert rules_broken([row(date(2024, 5, 1), placement_end=date(2024, 6, 1))]) == ["575"]
    assert rules_broken([row(date(2024, 5, 1), date(2024, 5, 2), placement_end=date(2024, 6, 1))]) == []


def test_missing_before_care_started_or_after_it_ended_or_before_birth():
    care = {"C1": [CarePeriod(date(2024, 6, 1), date(2024, 9, 1))]}
    assert rules_broken([row(date(2024, 5, 1), date(2024, 5, 2))], care) == ["581"]
    assert "578" in rules_broken([row(date(2024, 7, 1), date(2024, 7, 2)), row(date(2024, 10, 1), date(2024, 10, 2), ep=2)], care)
    assert "577" in rules_broken([row(date(2024, 8, 30))], care)
    assert "586" in rules_broken([row(date(2024, 5, 1), date(2024, 5, 2), dob=date(2024, 6, 1))])


def test_missing_at_18th_birthday_when_care_ended_needs_reason_e8():
    dob = date(2006, 7, 1)
    ended = {"C1": [CarePeriod(date(2020, 1, 1), date(2024, 7, 1), "E11")]}
    e8 = {"C1": [CarePeriod(date(2020, 1, 1), date(2024, 7, 1), "E8")]}
    rows = [row(date(2024, 6, 30), date(2024, 7, 1), dob=dob)]
    assert rules_broken(rows, ended) == ["580"]
    assert rules_broken(rows, e8) == []


def test_child_not_in_header_and_child_without_care_this_year():
    assert rules_broken([row(date(2024, 5, 1), date(2024, 5, 2), child="C9")]) == ["INT04"]
    old = {"C1": [CarePeriod(date(2019, 1, 1), date(2020, 1, 1))]}
    assert "1012" in rules_broken([row(date(2024, 5, 1), date(2024, 5, 2))], old)
