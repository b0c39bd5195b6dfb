"""For the same period and filters, every figure is the same on the reports
page, in the PDF (its text read back from the bytes), in the JSON, in the
xlsx and from `report kpis`."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

from homeward.cli import main
from homeward.placements.models import Placement
from homeward.reporting.render import render_pdf_document

from .helpers import make_child, report
from .reports_helpers import json_values, page_values, pdf_values, xlsx_values

JULY = {"from": "2024-07-01", "to": "2024-08-01"}


@pytest.fixture
def july(world):
    Placement.objects.filter(child__in=[world.callum, world.jade]).update(start_date=dt.date(2023, 1, 1))
    report(world.ellie, world.kent, "2024-07-03T18:00", "2024-07-04T09:00")
    report(world.ellie, world.kent, "2024-07-20T18:00", "2024-07-23T19:30")
    report(world.ellie, world.kent, "2024-07-28T18:00")  # open at the end
    report(world.callum, world.kent, "2024-07-05T21:00", "2024-07-06T09:00", responsible=world.kent)
    report(world.jade, world.kent, "2024-07-08T22:00", "2024-07-09T06:00", responsible=world.southwark)
    for i in range(6):
        child = make_child(first=f"K{i}", dob=dt.date(2008 + i, 3, 1), home=world.kent)
        report(child, world.kent, f"2024-07-{10 + i}T12:00", f"2024-07-{10 + i}T{13 + i}:00")
    return world


def every_form(client, user, params: dict) -> dict[str, dict[str, str]]:
    client.force_login(user)
    page = client.get("/reports/", params)
    assert page.status_code == 200
    downloads = {fmt: client.get("/reports/", {**params, "format": fmt}) for fmt in ("pdf", "json", "xlsx")}
    assert all(r.status_code == 200 for r in downloads.values())
    figures = json.loads(downloads["json"].content)
    return {
        "page": page_values(page.content.decode()),
        "pdf": pdf_values(downloads["pdf"].content, figures),
        "json": json_values(downloads["json"].content),
        "xlsx": xlsx_values(downloads["xlsx"].content),
    }


@pytest.mark.parametrize("filters", [
    {},
    {"missing_from": "care"},
    {"missing_from": "home", "sex": "F"},
    {"age_band": "14-15"},
    {"children": "placed-in"},
])
def test_page_pdf_json_and_xlsx_agree_for_the_same_filters(client, july, filters):
    forms = every_form(client, july.kent_missing_officer, {**JULY, **filters})
    reference = forms["json"]
    assert len(reference) >= 30
    for name, values in forms.items():
        assert values == reference, name


def test_they_agree_when_small_numbers_are_suppressed(client, july):
    forms = every_form(client, july.kent_analyst, {**JULY, "missing_from": "home"})
    assert forms["json"]["episodes.total"] == "9" and forms["json"]["episodes.from_care"] == "0"
    assert forms["json"]["children.total"] == "7" and forms["json"]["children_by_episode_count.3"] == "<5"
    for name, values in forms.items():
        assert values == forms["json"], name


def test_the_command_line_gives_the_same_figures(client, july, capsys, monkeypatch):
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)
    forms = every_form(client, july.kent_missing_officer, {**JULY, "sex": "F", "age_band": "14-15"})
    status = main(["report", "kpis", "--authority", "886", "--from", JULY["from"], "--to", JULY["to"],
                   "--sex", "F", "--age-band", "14-15"])
    assert status == 0
    assert json_values(capsys.readouterr().out) == forms["page"]


def test_reading_the_pdf_would_catch_a_figure_that_differs(client, july):
    client.force_login(july.kent_missing_officer)
    figures = json.loads(client.get("/reports/", {**JULY, "format": "json"}).content)
    altered = copy.deepcopy(figures)
    altered["episodes"]["from_home"] += 1
    read = pdf_values(render_pdf_document(altered, authority_name="Kent"), figures)
    expected = json_values(json.dumps(figures))
    assert read["episodes.from_home"] != expected["episodes.from_home"]
    assert {k: v for k, v in read.items() if k != "episodes.from_home"} == {
        k: v for k, v in expected.items() if k != "episodes.from_home"}


def test_the_authoritys_stored_protocol_sets_the_thresholds_on_the_page_and_in_the_command(client, july, capsys,
                                                                                           monkeypatch):
    """definitions.md: the repeat numbers come from the protocol, not from the
    code. Ellie has three episodes in July: listed for the monthly review only
    once Kent's protocol says three a month is multiple missing."""
    from django.db import connections

    from homeward.protocol.defaults import default_document
    from homeward.protocol.versions import version_create

    monkeypatch.setattr(connections, "close_all", lambda: None)

    def monthly_children(source: str | None) -> dict:
        client.force_login(july.kent_missing_officer)
        figures = json.loads(client.get("/reports/", {**JULY, "format": "json"}).content)
        assert main(["report", "kpis", "--authority", "886", "--from", JULY["from"], "--to", JULY["to"]]) == 0
        command = json.loads(capsys.readouterr().out)
        assert command["repeat"] == figures["repeat"]
        said = [note for note in figures["notes"] if note.startswith("Thresholds and timescales")]
        assert said == ([f"Thresholds and timescales: {source}."] if source else [])
        return figures

    before = monthly_children(None)  # Homeward's defaults: the definitions say the numbers
    assert before["repeat"]["monthly_multiple_children"] == 0
    doc = default_document()
    doc["rules"]["monthly_multiple_missing"]["count"] = 3
    version_create(actor=july.kent_senior_manager, document=doc, authority=july.kent,
                   effective_from=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc), note="Three a month")
    after = monthly_children("the authority's protocol in force at the end of the period")
    assert after["repeat"]["monthly_multiple_children"] == 1
    assert "3 " in after["definitions"]["repeat.monthly_multiple_children"]
