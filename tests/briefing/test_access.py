"""Who may keep and who may read a child's profile, photo and briefing: the
child's carers keep it; council case roles who see the child and the police
of the area the child is missing in read it; nobody else, and for them every
page and API route answers 404 as for a record that does not exist."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from homeward.access.models import AuditEvent, Organisation
from homeward.access.roles import OrganisationKind, Role
from homeward.access.services import token_create, user_create
from homeward.briefing import access
from homeward.briefing.models import PhilomenaProfile
from homeward.episodes.services import episode_record_return
from homeward.placements.models import Provider

READERS = ["kent_police", "oakview_staff", "kent_missing_officer", "kent_social_worker", "kent_team_manager",
           "kent_senior_manager", "kent_exploitation_officer"]
NOBODY = ["met_police", "kent_rhi_worker", "kent_analyst", "kent_auditor", "kent_admin", "southwark_missing_officer",
          "southwark_team_manager", "riverside_staff"]


@pytest.fixture
def riverside_staff(world):
    """Care staff of another children's home in Kent, where Callum is not placed."""
    org = Organisation.objects.create(name="Riverside Homes Ltd", kind=OrganisationKind.CARE_PROVIDER)
    Provider.objects.create(urn="SC100002", name="Riverside", kind=Provider.Kind.CHILDREN_HOME, postcode="CT1 1AA",
                            host_authority=world.kent, organisation=org)
    world.riverside_staff = user_create(actor=None, username="riverside.staff", password=world.password,
                                        organisation=org, role=Role.CARE_STAFF)
    return world.riverside_staff


@pytest.fixture
def setting(world, callum_missing, callum_profile, riverside_staff):
    return world


def urls(world, episode) -> list[str]:
    child = world.callum.pk
    photo = PhilomenaProfile.objects.get(child=world.callum).photo_id
    return [f"/children/{child}/profile/", f"/children/{child}/profile/versions/1/",
            f"/children/{child}/profile/photos/{photo}/",
            f"/episodes/{episode.pk}/briefing/", f"/episodes/{episode.pk}/briefing.pdf"]


@pytest.mark.parametrize("persona", READERS)
def test_readers_see_the_profile_photo_and_briefing(setting, callum_missing, persona, client):
    world = setting
    client.force_login(getattr(world, persona))
    for url in urls(world, callum_missing):
        response = client.get(url)
        assert response.status_code == 200, (persona, url)
    assert access.can_read_briefing(getattr(world, persona), callum_missing)


@pytest.mark.parametrize("persona", NOBODY)
def test_everyone_else_gets_404_everywhere(setting, callum_missing, persona, client):
    world = setting
    user = getattr(world, persona)
    client.force_login(user)
    before = AuditEvent.objects.filter(action="denied").count()
    for url in urls(world, callum_missing) + [f"/children/{world.callum.pk}/profile/change/",
                                              f"/children/{world.callum.pk}/profile/photo/",
                                              f"/episodes/{callum_missing.pk}/missing-details/"]:
        assert client.get(url).status_code == 404, (persona, url)
    assert AuditEvent.objects.filter(action="denied").count() > before
    assert not access.can_read_profile(user, world.callum)
    assert not access.can_read_briefing(user, callum_missing)
    assert not access.can_keep_profile(user, world.callum)


def test_the_return_interview_worker_sees_callum_but_not_his_profile(setting, callum_missing, client):
    world = setting
    client.force_login(world.kent_rhi_worker)
    assert client.get(f"/children/{world.callum.pk}/").status_code == 200  # in scope: allocated interview
    assert client.get(f"/children/{world.callum.pk}/profile/").status_code == 404
    page = client.get(f"/episodes/{callum_missing.pk}/").content.decode()
    assert "Police briefing" not in page and "What is known" not in page


def test_readers_who_do_not_keep_the_profile_may_not_change_it(setting, callum_missing, client):
    world = setting
    for persona in ("kent_police", "kent_team_manager", "kent_exploitation_officer"):
        client.force_login(getattr(world, persona))
        assert client.get(f"/children/{world.callum.pk}/profile/change/").status_code == 403, persona
        assert client.post(f"/children/{world.callum.pk}/profile/change/", {"hair": "Red"}).status_code == 403
        assert client.get(f"/episodes/{callum_missing.pk}/missing-details/").status_code == 403, persona
    assert PhilomenaProfile.objects.get(child=world.callum).hair != "Red"


def test_the_police_read_only_while_the_child_is_missing_in_their_area(setting, callum_missing, client):
    world = setting
    client.force_login(world.kent_police)
    assert client.get(f"/episodes/{callum_missing.pk}/briefing/").status_code == 200
    episode_record_return(actor=world.kent_police, episode=callum_missing,
                          returned_at=callum_missing.started_at + dt.timedelta(hours=2))
    assert client.get(f"/episodes/{callum_missing.pk}/briefing/").status_code == 404
    assert client.get(f"/episodes/{callum_missing.pk}/briefing.pdf").status_code == 404
    assert client.get(f"/children/{world.callum.pk}/profile/").status_code == 404
    # The council still reads it.
    client.force_login(world.kent_missing_officer)
    assert client.get(f"/episodes/{callum_missing.pk}/briefing/").status_code == 200


def test_another_force_cannot_read_a_child_missing_in_kent(world, jade_missing, client):
    assert access.can_read_briefing(world.kent_police, jade_missing)
    assert not access.can_read_briefing(world.met_police, jade_missing)
    client.force_login(world.met_police)
    assert client.get(f"/episodes/{jade_missing.pk}/briefing.pdf").status_code == 404
    # Southwark placed Jade: its missing officer keeps her profile and reads the briefing; Kent's reads it only.
    assert access.can_keep_profile(world.southwark_missing_officer, world.jade)
    assert access.can_read_briefing(world.southwark_missing_officer, jade_missing)
    assert not access.can_keep_profile(world.kent_missing_officer, world.jade)
    assert access.can_read_briefing(world.kent_missing_officer, jade_missing)


def test_every_read_is_audited(setting, callum_missing, client):
    world = setting
    client.force_login(world.kent_police)
    for url in urls(world, callum_missing):
        client.get(url)
    events = AuditEvent.objects.filter(actor_username="kent.police", child_id=world.callum.pk)
    kinds = {(e.action, e.object_type) for e in events}
    assert {("read", "philomenaprofile"), ("read", "philomenaprofileversion"), ("read", "philomenaphoto"),
            ("read", "briefing"), ("export", "briefing")} <= kinds


# --- the API -------------------------------------------------------------------------------------------


def api_client(user) -> APIClient:
    _, raw = token_create(actor=user, user=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_the_api_briefing_follows_the_same_rules(setting, callum_missing):
    world = setting
    police = api_client(world.kent_police)
    pdf = police.get(f"/api/episodes/{callum_missing.pk}/briefing.pdf", HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-" and pdf["Content-Type"] == "application/pdf"
    assert police.get(f"/api/episodes/{callum_missing.pk}/briefing/").status_code == 200
    for persona in ("met_police", "kent_rhi_worker", "kent_analyst", "southwark_missing_officer", "riverside_staff"):
        other = api_client(getattr(world, persona))
        for url in (f"/api/episodes/{callum_missing.pk}/briefing.pdf", f"/api/episodes/{callum_missing.pk}/briefing/"):
            response = other.get(url, HTTP_ACCEPT="application/pdf" if url.endswith(".pdf") else "application/json")
            assert response.status_code == 404, (persona, url)
            assert response["Content-Type"].startswith("application/json")
    assert APIClient().get(f"/api/episodes/{callum_missing.pk}/briefing.pdf").status_code == 401
    assert police.get("/api/episodes/999999/briefing.pdf").status_code == 404
