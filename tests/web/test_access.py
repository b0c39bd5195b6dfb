"""A record outside a person's scope answers 404, like one that does not exist."""

from __future__ import annotations

import pytest

from homeward.access.models import AuditEvent
from homeward.access.services import token_create


def urls_for(world, episodes, child_name):
    child = getattr(world, child_name)
    episode = episodes[child_name] if child_name in episodes else None
    urls = [f"/children/{child.pk}/", f"/children/{child.pk}/report-missing/"]
    if episode is not None:
        urls += [f"/episodes/{episode.pk}/", f"/episodes/{episode.pk}/return/"]
    return urls


@pytest.mark.parametrize(
    "persona, child_name",
    [
        ("southwark_social_worker", "ellie"),  # Kent's child at home in Kent
        ("southwark_missing_officer", "callum"),
        ("met_police", "callum"),  # the Met covers Southwark, Callum is placed in Kent
        ("met_police", "ellie"),
        ("kent_police", "sam"),  # Southwark's child at home
        ("kent_missing_officer", "sam"),
        ("oakview_staff", "ellie"),  # not placed at Oakview
        ("kent_rhi_worker", "ellie"),  # not allocated
        ("kent_analyst", "ellie"),  # figures only
        ("kent_auditor", "callum"),  # the audit trail, not records
        ("kent_admin", "ellie"),
    ],
)
def test_persona_outside_scope_gets_404_for_child_episode_report_and_return_pages(
    world, signed_in, persona, child_name, ellie_missing, callum_open_or_returned, sam_missing
):
    episodes = {"ellie": ellie_missing, "callum": callum_open_or_returned, "sam": sam_missing}
    client = signed_in(getattr(world, persona))
    for url in urls_for(world, episodes, child_name):
        assert client.get(url).status_code == 404, url
        if url.endswith(("report-missing/", "return/")):
            assert client.post(url, {}).status_code == 404, url


@pytest.fixture
def callum_open_or_returned(world):
    from tests.web.conftest import report
    import datetime as dt

    return report(world, actor=world.kent_police, child=world.callum, area=world.kent, ago=dt.timedelta(hours=6))


def test_risk_change_outside_scope_is_404_and_changes_nothing(world, sam_missing, signed_in):
    response = signed_in(world.kent_missing_officer).post(
        f"/episodes/{sam_missing.pk}/risk/", {"risk_level": "high", "reason": "test"}
    )
    assert response.status_code == 404
    sam_missing.refresh_from_db()
    assert sam_missing.risk_level == ""


def test_the_404_page_says_the_same_for_a_record_that_does_not_exist(world, ellie_missing, signed_in):
    client = signed_in(world.southwark_social_worker)
    hidden = client.get(f"/children/{world.ellie.pk}/")
    missing = client.get("/children/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert "Page not found" in hidden.content.decode()

    def main(response):
        html = response.content.decode()
        return html[html.index("<main"):html.index("</main>")]

    assert main(hidden) == main(missing)


def test_refused_read_is_audited(world, signed_in):
    signed_in(world.met_police).get(f"/children/{world.callum.pk}/")
    event = AuditEvent.objects.filter(action="denied", object_type="child").latest("id")
    assert event.actor_username == "met.police" and event.object_id == str(world.callum.pk)
    assert event.via == "web"


@pytest.mark.parametrize(
    "persona", ["kent_missing_officer", "kent_team_manager", "kent_senior_manager", "kent_analyst", "kent_admin",
                "kent_police", "oakview_staff", "kent_rhi_worker"]
)
def test_audit_page_is_404_for_everyone_but_auditors(world, signed_in, persona):
    assert signed_in(getattr(world, persona)).get("/audit/").status_code == 404


def test_audit_page_asks_someone_not_signed_in_to_sign_in(client):
    response = client.get("/audit/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_someone_elses_token_cannot_be_revoked(world, signed_in):
    token, _ = token_create(actor=world.kent_police, user=world.kent_police, name="feed")
    response = signed_in(world.met_police).post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_care_staff_see_only_children_placed_with_them(world, signed_in):
    client = signed_in(world.oakview_staff)
    assert client.get(f"/children/{world.callum.pk}/").status_code == 200
    assert client.get(f"/children/{world.jade.pk}/").status_code == 200
    assert client.get(f"/children/{world.sam.pk}/").status_code == 404


def test_placing_authority_sees_its_child_placed_out_of_area(world, signed_in):
    assert signed_in(world.southwark_social_worker).get(f"/children/{world.jade.pk}/").status_code == 200
