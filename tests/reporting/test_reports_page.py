"""The reports page (/reports/): who sees which authority's figures, the
filters and their errors, small-number suppression, the downloads, and the
audit of every view and download."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook

from homeward.access.models import AuditEvent
from homeward.placements.models import Placement, Provider

from .helpers import report

URL = "/reports/"
JULY = {"from": "2024-07-01", "to": "2024-08-01"}


@pytest.fixture
def july(world):
    """Kent in July 2024: Ellie twice from home, Callum from care, Jade
    (Southwark's, placed in Kent) from care; and Sam, at home in Southwark,
    missing in Southwark (not Kent's). The world's placements start in 2023."""
    Placement.objects.filter(child__in=[world.callum, world.jade]).update(start_date=dt.date(2023, 1, 1))
    report(world.ellie, world.kent, "2024-07-03T18:00", "2024-07-04T09:00")
    report(world.ellie, world.kent, "2024-07-20T18:00", "2024-07-21T09:00")
    report(world.callum, world.kent, "2024-07-05T21:00", "2024-07-06T09:00", responsible=world.kent)
    report(world.jade, world.kent, "2024-07-08T22:00", "2024-07-09T06:00", responsible=world.southwark)
    report(world.sam, world.southwark, "2024-07-10T12:00", "2024-07-10T20:00")
    return world


def get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def test_a_council_manager_sees_their_authoritys_figures_with_definitions(client, july):
    response = get(client, july.kent_team_manager, **JULY)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Kent County Council" in content or "Kent (886)" in content
    assert '<tr class="govuk-table__row" data-figure="episodes.total">' in content
    assert "Episodes that started in the period" in content  # the definition beside the figure
    assert "1 July 2024 to 31 July 2024" in content
    assert 'name="authority" value="886"' in content and 'id="authority"' not in content  # no choice to make


@pytest.mark.parametrize("persona", ["kent_auditor", "kent_admin", "oakview_staff", "kent_rhi_worker"])
def test_roles_that_may_not_see_figures_get_404(client, july, persona):
    assert get(client, getattr(july, persona), **JULY).status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client, july):
    response = client.get(URL, JULY)
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_a_council_user_cannot_pick_another_authority(client, july):
    response = get(client, july.kent_missing_officer, authority="210", **JULY)
    assert response.status_code == 400
    content = response.content.decode()
    assert "Authority: choose one of the authorities in the list" in content
    assert "data-figure" not in content


def test_the_police_see_the_authorities_their_force_covers(client, july):
    kent = get(client, july.kent_police, **JULY)
    assert kent.status_code == 200 and "Kent (886)" in kent.content.decode()
    met = get(client, july.met_police, **JULY)
    assert met.status_code == 200 and "Southwark (210)" in met.content.decode()
    assert get(client, july.met_police, authority="886", **JULY).status_code == 400


def test_the_analyst_always_gets_small_numbers_suppressed_with_the_rule_on_the_page(client, july):
    response = get(client, july.kent_analyst, **JULY)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Small numbers suppressed." in content and "Counts from 1 to 4 are shown as" in content
    assert "&lt;5" in content and 'id="suppress"' not in content
    data = json.loads(get(client, july.kent_analyst, format="json", **JULY).content)
    assert data["episodes"]["total"] == "<5" and data["suppression"]["threshold"] == 5


def test_others_see_exact_figures_and_may_switch_suppression_on(client, july):
    exact = json.loads(get(client, july.kent_missing_officer, format="json", **JULY).content)
    assert exact["episodes"]["total"] == 4 and "suppression" not in exact
    suppressed = json.loads(get(client, july.kent_missing_officer, format="json", suppress="on", **JULY).content)
    assert suppressed["episodes"]["total"] == "<5"


def test_filters_change_the_figures_and_are_shown(client, july):
    response = get(client, july.kent_missing_officer, missing_from="care", **JULY)
    content = response.content.decode()
    assert "Episodes from care" in content
    data = json.loads(get(client, july.kent_missing_officer, missing_from="care", format="json", **JULY).content)
    assert data["episodes"]["total"] == 2 and data["filters"] == {"missing_from": "care"}
    # the download links carry the same filters
    assert "missing_from=care" in content and "format=pdf" in content


@pytest.mark.parametrize("params, message", [
    ({"sex": "X"}, "Sex: &#x27;X&#x27; is not a sex Homeward records"),
    ({"age_band": "18-25"}, "Age when the episode started: &#x27;18-25&#x27; is not an age band"),
    ({"provider": "SC000000"}, "Provider&#x27;s Ofsted URN: &#x27;SC000000&#x27; is not the Ofsted URN"),
    ({"period": "2024-08-01:2024-07-01"}, "Period: choose a period from the list"),
    ({"from": "2024-07-01", "to": "2024-07-01"}, "Period: to (2024-07-01) must be after from (2024-07-01)"),
    ({"from": "2010-01-01", "to": "2024-07-01"}, "Period: choose a period of 5 years or less"),
    ({"period": "custom", "first_day-day": "31", "first_day-month": "2", "first_day-year": "2024"},
     "Enter a real date for when the period starts"),
])
def test_a_bad_filter_or_period_is_named_in_the_error_summary(client, july, params, message):
    response = get(client, july.kent_missing_officer, **params)
    assert response.status_code == 400
    content = response.content.decode()
    assert "govuk-error-summary" in content and message in content, content[content.find("error-summary"):][:800]
    assert "data-figure" not in content
    assert not AuditEvent.objects.filter(object_type="kpis").exists()


def test_other_dates_are_read_as_first_and_last_day(client, july):
    params = {"period": "custom", "first_day-day": "1", "first_day-month": "7", "first_day-year": "2024",
              "last_day-day": "31", "last_day-month": "7", "last_day-year": "2024"}
    content = get(client, july.kent_missing_officer, **params).content.decode()
    assert "1 July 2024 to 31 July 2024" in content
    assert "from=2024-07-01&amp;to=2024-08-01" in content  # the downloads: to is exclusive


def test_viewing_and_every_download_is_audited(client, july):
    get(client, july.kent_team_manager, sex="F", **JULY)
    viewed = AuditEvent.objects.get(object_type="kpis", action="list")
    assert viewed.actor_username == "kent.team_manager" and viewed.object_id == "886"
    assert viewed.payload == {"authority": "886", "from": "2024-07-01", "to": "2024-08-01", "format": "html",
                              "filters": {"sex": "F"}}
    for fmt in ("pdf", "csv", "json", "xlsx"):
        response = get(client, july.kent_team_manager, format=fmt, sex="F", **JULY)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment; filename=\"homeward-key-figures-886-")
    exported = AuditEvent.objects.filter(object_type="kpis", action="export")
    assert sorted(e.payload["format"] for e in exported) == ["csv", "json", "pdf", "xlsx"]
    assert all(e.payload["filters"] == {"sex": "F"} for e in exported)


def test_download_formats_have_their_types_and_magic(client, july):
    user = july.kent_missing_officer
    pdf = get(client, user, format="pdf", **JULY)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    csv = get(client, user, format="csv", **JULY)
    assert csv["Content-Type"].startswith("text/csv") and csv.content.startswith(b"figure,value,definition")
    xlsx = get(client, user, format="xlsx", **JULY)
    assert xlsx.content.startswith(b"PK")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[0] == "About these figures" and book.sheetnames[-1] == "Definitions"
    assert "Episodes" in book.sheetnames and "Return home interviews" in book.sheetnames


def test_any_table_downloads_on_its_own_as_xlsx(client, july):
    content = get(client, july.kent_missing_officer, **JULY).content.decode()
    assert content.count("Download this table (xlsx)") == 9
    response = get(client, july.kent_missing_officer, format="xlsx", table="episodes_by_month", **JULY)
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["About these figures", "Episodes by month", "Definitions"]
    rows = list(book["Episodes by month"].iter_rows(values_only=True))
    assert rows[0] == ("Figure", "Value", "Definition", "Key") and rows[1][:2] == ("July 2024", 4)
    assert get(client, july.kent_missing_officer, format="xlsx", table="secrets", **JULY).status_code == 404


def test_xlsx_text_cells_cannot_become_formulas(client, july):
    from homeward.reporting.xlsx import render_xlsx

    figures = json.loads(get(client, july.kent_missing_officer, format="json", **JULY).content)
    figures["notes"] = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+2", "-3", "@SUM(A1)", "plain"]
    book = load_workbook(io.BytesIO(render_xlsx(figures, authority_name="=cmd|' /C calc'!A0",
                                                filters_described=["=1+1"])))
    texts = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert texts and all(c.data_type == "s" for c in texts)
    assert not any(c.value.startswith(("=", "+", "-", "@")) for c in texts)
    values = {c.value for c in texts}
    assert {"'=HYPERLINK(\"http://evil.example\",\"click\")", "'+1+2", "'-3", "'@SUM(A1)", "plain", "'=1+1"} <= values
    assert "Key figures: =cmd|' /C calc'!A0 (886)" in values  # not at the start: harmless as it is


def test_the_figures_page_tables_are_those_of_the_figures(client, july):
    from .reports_helpers import page_values

    values = page_values(get(client, july.kent_missing_officer, **JULY).content.decode())
    assert values["episodes.total"] == "4" and values["children.total"] == "3"
    assert values["placements.placed_in_episodes"] == "1" and values["episodes_by_month.2024-07"] == "4"
