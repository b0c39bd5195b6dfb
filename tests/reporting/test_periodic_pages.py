"""The partnership report's page and its PDF (/reports/partnership/): who sees them, for which
authorities, what they show, that the PDF carries the page's numbers, and the audit trail."""

from __future__ import annotations

import re
import zlib
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from homeward.access.models import AuditEvent

from .test_periodic_figures import scenario  # noqa: F401  (the hand-counted world)

PAGE = "/reports/partnership/"
PDF = "/reports/partnership/pdf/"
Q1 = {"authority": "886", "period": "2025-Q1", "suppress": "0"}


def get(client, user, url=PAGE, **params):
    client.force_login(user)
    return client.get(url, params)


class Cells(HTMLParser):
    """The text of every table cell and caption inside the report's body (#partnership-report)."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # inside the report's div, counting nested divs
        self.cells: list[str] = []
        self.current: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "div":
            if self.depth or dict(attrs).get("id") == "partnership-report":
                self.depth += 1
        if self.depth and tag in ("td", "th", "caption"):
            self.current = []

    def handle_endtag(self, tag):
        if tag == "div" and self.depth:
            self.depth -= 1
        if self.depth and tag in ("td", "th", "caption") and self.current is not None:
            self.cells.append(" ".join("".join(self.current).split()))
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current.append(data)


def cells(html: str) -> list[str]:
    parser = Cells()
    parser.feed(html)
    return parser.cells


def pdf_objects(body: bytes) -> bytes:
    """The PDF's objects, its compressed streams inflated (WeasyPrint writes object streams)."""
    out = [body]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S):
        try:
            out.append(zlib.decompress(m.group(1)))
        except zlib.error:
            pass
    return b"\n".join(out)


def row(html: str, label: str, nth: int = 0) -> list[str]:
    """The nth row headed `label`: its first three cells."""
    found = cells(html)
    starts = [i for i, text in enumerate(found) if text == label]
    return found[starts[nth]:starts[nth] + 3]


# --- who sees it ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["kent_missing_officer", "kent_social_worker", "kent_team_manager",
                                     "kent_senior_manager", "kent_analyst", "kent_police"])
def test_people_who_may_see_figures_get_the_form_for_their_own_authority(client, world, persona):
    response = get(client, getattr(world, persona))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="886"' in html and '<option value="210"' not in html
    assert "Show the report" in html


@pytest.mark.parametrize("persona", ["kent_auditor", "kent_admin", "oakview_staff", "kent_rhi_worker"])
def test_others_get_404_for_the_page_and_the_pdf(client, world, persona):
    user = getattr(world, persona)
    assert get(client, user).status_code == 404
    assert get(client, user, PDF, **Q1).status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client, world):
    response = client.get(PAGE)
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_another_authoritys_report_is_refused_on_the_page_and_404_as_a_pdf(client, world):
    response = get(client, world.southwark_analyst, **Q1)
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and 'href="#authority"' in html
    assert "Choose an authority from the list" in html
    assert "partnership-report" not in html
    assert get(client, world.southwark_analyst, PDF, **Q1).status_code == 404
    # the Met sees Southwark's and not Kent's
    assert get(client, world.met_police, **{**Q1, "authority": "210"}).status_code == 200
    assert get(client, world.met_police, **Q1).status_code == 400
    assert not AuditEvent.objects.filter(object_type="partnership_report", object_id="886").exists()


@pytest.mark.parametrize("period, message", [("2025-27", "2025-26"), ("2025-Q5", "YYYY-Qn"), ("", "YYYY-Qn")])
def test_a_bad_period_is_named_in_the_error_summary(client, world, period, message):
    response = get(client, world.kent_analyst, **{**Q1, "period": period})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#period"' in html and message in html
    assert html.count("govuk-error-message") == 1
    assert "<title>Error:" in html


# --- what it shows -------------------------------------------------------------------------------------------


def test_the_page_shows_every_section_with_the_hand_counted_figures(client, world, scenario):  # noqa: F811
    response = get(client, world.kent_team_manager, **Q1)
    assert response.status_code == 200
    html = response.content.decode()
    for section in ("summary", "by-month", "home-and-care", "repeat", "durations", "looked-after", "placed-in",
                    "placed-out", "return-interviews", "reasons", "about"):
        assert f'id="{section}"' in html
    assert row(html, "Episodes") == ["Episodes", "12", "2"]
    assert row(html, "Children") == ["Children", "6", "2"]
    assert row(html, "March 2025") == ["March 2025", "3", "0"]  # the 23:30 on 31 March episode is in March
    assert row(html, "Southwark (210)") == ["Southwark (210)", "1", "1"]
    assert row(html, "20 to 50 miles")[:2] == ["20 to 50 miles", "1"]  # placed in: Jade
    assert row(html, "50 miles or more", nth=1)[:2] == ["50 miles or more", "1"]  # placed out: Noah
    assert "Distance not known" in html and "The distance is not known for 1 of these children" in html
    assert row(html, "Boundaries and rules") == ["Boundaries and rules", "1", "0"]
    assert "Small numbers are not suppressed" in html
    assert 'href="/reports/partnership/pdf/?authority=886&amp;period=2025-Q1&amp;suppress=0"' in html
    # charts, each followed by its table
    assert html.count('role="img"') == len(re.findall(r'<table class="govuk-table hw-periodic__table" data-chart=', html))
    assert html.count('role="img"') >= 9


def test_the_page_keeps_to_the_content_security_policy(client, world, scenario):  # noqa: F811
    html = get(client, world.kent_team_manager, **Q1).content.decode()
    assert "style=" not in html and "<style" not in html
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))


def test_published_output_suppresses_small_numbers_and_says_so(client, world, scenario):  # noqa: F811
    html = get(client, world.kent_team_manager, **{**Q1, "suppress": "5"}).content.decode()
    assert "Small numbers are suppressed." in html and "are shown as &quot;&lt;5&quot;" in html
    assert row(html, "Episodes") == ["Episodes", "12", "&lt;5".replace("&lt;", "<")]
    assert row(html, "March 2025") == ["March 2025", "<5", "0"]
    assert "Looked-after children who went missing (%)" in cells(html)
    assert row(html, "Looked-after children who went missing (%)") == \
        ["Looked-after children who went missing (%)", "–", "–"]


def test_viewing_a_report_is_audited_and_the_empty_form_is_not(client, world, scenario):  # noqa: F811
    get(client, world.kent_team_manager)
    assert not AuditEvent.objects.filter(object_type="partnership_report").exists()
    get(client, world.kent_team_manager, **Q1)
    event = AuditEvent.objects.get(object_type="partnership_report")
    assert event.action == AuditEvent.Action.READ and event.object_id == "886"
    assert event.actor_username == world.kent_team_manager.username
    assert event.payload == {"authority": "886", "period": "2025-Q1", "from": "2025-01-01", "to": "2025-04-01",
                             "suppress": None}
    assert event.child_id is None


def test_for_a_role_that_sees_figures_only_small_numbers_are_always_suppressed(client, world, scenario):  # noqa: F811
    """Decision 0011: the analyst is not offered the choice, and asking for every
    count in the query changes nothing, on the page, in the PDF or in the audit."""
    form = get(client, world.kent_analyst).content.decode()
    assert 'name="suppress"' not in form
    assert "Small numbers are always suppressed for your role" in form
    html = get(client, world.kent_analyst, **Q1).content.decode()  # Q1 asks for suppress=0
    assert "Small numbers are suppressed." in html and "Small numbers are not suppressed" not in html
    assert row(html, "Episodes") == ["Episodes", "12", "<5"]
    assert row(html, "March 2025") == ["March 2025", "<5", "0"]
    event = AuditEvent.objects.get(object_type="partnership_report", action=AuditEvent.Action.READ)
    assert event.payload["suppress"] == 5
    response = get(client, world.kent_analyst, PDF, **Q1)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    event = AuditEvent.objects.get(object_type="partnership_report", action=AuditEvent.Action.EXPORT)
    assert event.payload["suppress"] == 5
    # someone who sees the records still chooses
    html = get(client, world.kent_team_manager, **Q1).content.decode()
    assert 'name="suppress"' in html and row(html, "Episodes") == ["Episodes", "12", "2"]


# --- the PDF ------------------------------------------------------------------------------------------------------


def test_the_pdf_is_a_pdf_made_from_the_same_numbers_as_the_page(client, world, scenario, monkeypatch):  # noqa: F811
    from homeward.reporting import pdf

    made_from = []
    real = pdf.render_pdf

    def keep(html, **kwargs):
        made_from.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr(pdf, "render_pdf", keep)
    response = get(client, world.kent_senior_manager, PDF, **Q1)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="missing-children-886-2025-Q1.pdf"'
    body = response.content
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    objects = pdf_objects(body)
    assert len(re.findall(rb"/Type\s*/Page\b", objects)) >= 5  # pages
    # the document's outline (bookmarks) is the report's sections
    for title in (b"Summary", b"Episodes and children by month", b"Return home interviews", b"About these figures"):
        assert b"/Title (" + title + b")" in objects
    # the charts are drawn in it: fills in the charts' two colours (#12436D, #28A197)
    assert b"0.070588 0.262745 0.427451 rg" in objects and b"0.156863 0.631373 0.592157 rg" in objects
    page = get(client, world.kent_senior_manager, **Q1).content.decode()
    assert len(made_from) == 1
    document = made_from[0]
    page_cells, pdf_cells = cells(page), cells(document)
    assert page_cells == pdf_cells and len(page_cells) > 100
    assert row(document, "Episodes") == ["Episodes", "12", "2"]
    # and the charts too
    assert re.findall(r'data-value="([^"]*)"', page) == re.findall(r'data-value="([^"]*)"', document)
    assert "<style" not in document and "<script" not in document


def test_a_pdf_download_is_audited_as_an_export(client, world, scenario):  # noqa: F811
    get(client, world.kent_missing_officer, PDF, **{**Q1, "suppress": "5"})
    event = AuditEvent.objects.get(object_type="partnership_report", action=AuditEvent.Action.EXPORT)
    assert event.payload["format"] == "pdf" and event.payload["suppress"] == 5
    assert event.actor_username == world.kent_missing_officer.username


def test_a_pdf_with_a_bad_period_is_404(client, world):
    assert get(client, world.kent_analyst, PDF, **{**Q1, "period": "2025"}).status_code == 404
