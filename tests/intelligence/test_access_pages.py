"""Who may and may not see people of concern, links and networks, on the pages.

Allowed: the roles that work on exploitation (missing officer, exploitation
team, team and senior managers, police), within their scope. Refused (403,
before anything is read): social workers, analysts, RHI workers, care staff,
auditors, administrators. Outside the scope (another authority, another
force): 404, as if the record did not exist.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from homeward.access.models import AuditEvent
from homeward.intelligence.services import person_link_child, person_of_concern_create

ALLOWED = ["kent_missing_officer", "kent_exploitation_officer", "kent_team_manager", "kent_senior_manager",
           "kent_police"]
REFUSED = ["kent_social_worker", "kent_analyst", "kent_rhi_worker", "oakview_staff", "kent_auditor", "kent_admin"]


@pytest.fixture
def kyle(world):
    """A person of concern linked to Callum (Kent) only, recorded by Kent Police."""
    person = person_of_concern_create(actor=world.kent_police, name="Kyle Burrows", phones=["07700 900555"])
    person_link_child(actor=world.kent_police, person=person, child=world.callum, nature="transported",
                      source="police:KNT-9", noted_on=timezone.localdate() - dt.timedelta(days=3))
    return person


def pages(world, person):
    child = world.callum.pk
    return [
        reverse("web:intel_people"),
        reverse("web:intel_person", args=[person.pk]),
        reverse("web:intel_person_edit", args=[person.pk]),
        reverse("web:intel_person_link_child", args=[person.pk]),
        reverse("web:intel_person_link_place", args=[person.pk]),
        reverse("web:intel_person_network", args=[person.pk]),
        reverse("web:intel_person_new"),
        reverse("web:intel_shortlist"),
        reverse("web:intel_child_links", args=[child]),
        reverse("web:intel_child_link_person", args=[child]),
        reverse("web:intel_child_network", args=[child]),
    ]


@pytest.mark.parametrize("persona", ALLOWED)
def test_exploitation_roles_see_every_page(world, kyle, went_missing_together, signed_in, persona):
    client = signed_in(getattr(world, persona))
    for url in pages(world, kyle):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Kyle Burrows" in client.get(reverse("web:intel_people")).content.decode()


@pytest.mark.parametrize("persona", REFUSED)
def test_other_roles_are_refused_every_page_and_nothing_is_read(world, kyle, signed_in, persona):
    client = signed_in(getattr(world, persona))
    before = AuditEvent.objects.filter(action__in=["read", "list"]).count()
    for url in pages(world, kyle):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Kyle" not in response.content.decode()
    assert AuditEvent.objects.filter(action__in=["read", "list"]).count() == before


@pytest.mark.parametrize("persona", ["southwark_exploitation_officer", "southwark_missing_officer", "met_police"])
def test_another_authority_or_force_finds_nothing(world, kyle, signed_in, persona):
    client = signed_in(getattr(world, persona))
    listing = client.get(reverse("web:intel_people"))
    assert listing.status_code == 200 and "Kyle" not in listing.content.decode()
    for url in (reverse("web:intel_person", args=[kyle.pk]), reverse("web:intel_person_network", args=[kyle.pk]),
                reverse("web:intel_person_edit", args=[kyle.pk]), reverse("web:intel_child_links", args=[world.callum.pk]),
                reverse("web:intel_child_network", args=[world.callum.pk])):
        assert client.get(url).status_code == 404, url
    assert AuditEvent.objects.filter(action="denied", actor_username=getattr(world, persona).username).exists()


def test_a_person_linked_to_a_child_in_scope_is_seen_with_only_that_child(world, dean, signed_in):
    # Southwark sees Jade (its child) but not Callum: Dean is visible, Callum's link is only counted.
    client = signed_in(world.southwark_exploitation_officer)
    page = client.get(reverse("web:intel_person", args=[dean.person.pk])).content.decode()
    assert "Dean Mills" in page and "Jade Okafor" in page
    assert "Callum" not in page and "Also linked to 1 child you cannot see" in page


def test_the_recording_organisation_always_sees_its_person(world, signed_in):
    person = person_of_concern_create(actor=world.southwark_exploitation_officer, name="Lone Person")
    assert signed_in(world.southwark_team_manager).get(
        reverse("web:intel_person", args=[person.pk])).status_code == 200
    assert signed_in(world.kent_exploitation_officer).get(
        reverse("web:intel_person", args=[person.pk])).status_code == 404


def test_every_read_is_audited(world, dean, went_missing_together, signed_in):
    client = signed_in(world.kent_exploitation_officer)
    client.get(reverse("web:intel_people"))
    client.get(reverse("web:intel_person", args=[dean.person.pk]))
    client.get(reverse("web:intel_child_links", args=[world.callum.pk]))
    client.get(reverse("web:intel_child_network", args=[world.callum.pk]))
    client.get(reverse("web:intel_person_network", args=[dean.person.pk]))
    client.get(reverse("web:intel_shortlist"))
    events = AuditEvent.objects.filter(actor_username="kent.exploitation_officer")
    assert events.filter(action="list", object_type="personofconcern").exists()
    assert events.filter(action="read", object_type="personofconcern", object_id=str(dean.person.pk)).exists()
    assert events.filter(action="read", object_type="links", child_id=world.callum.pk).exists()
    assert events.filter(action="read", object_type="network", object_id=f"child:{world.callum.pk}").exists()
    assert events.filter(action="read", object_type="network", object_id=f"person:{dean.person.pk}").exists()
    assert events.filter(action="list", object_type="shortlist").exists()


def test_the_links_page_shows_the_children_who_went_missing_together_and_the_shared_person(
        world, dean, went_missing_together, signed_in):
    page = signed_in(world.kent_missing_officer).get(reverse("web:intel_child_links", args=[world.callum.pk]))
    text = page.content.decode()
    assert "Went missing together" in text and "Oakview" in text and "40 minutes" in text
    assert "Found together" in text and "Maidstone station" in text
    assert "Dean Mills" in text and "Jade Okafor" in text


def test_southwark_sees_jades_links_without_callum(world, dean, went_missing_together, signed_in):
    text = signed_in(world.southwark_missing_officer).get(
        reverse("web:intel_child_links", args=[world.jade.pk])).content.decode()
    assert "Dean Mills" in text and "Callum" not in text
    assert "1 child you cannot see went missing or was found with Jade" in text


def test_the_network_is_an_svg_without_inline_style_and_the_same_links_as_a_table(
        world, dean, went_missing_together, signed_in):
    text = signed_in(world.kent_team_manager).get(
        reverse("web:intel_child_network", args=[world.callum.pk])).content.decode()
    start = text.index('<svg xmlns="http://www.w3.org/2000/svg" viewBox')
    svg = text[start:text.index("</svg>", start)]
    assert 'role="img"' in svg and "<title id=\"network-title\">" in svg
    assert "style=" not in text and "<style" not in text and "<script>" not in text
    assert svg.count("<circle") == 2 and svg.count("<rect") == 1  # Callum, Jade; Dean
    assert "Every link in the network" in text and "Went missing together" in text


def test_the_network_is_drawn_the_same_way_every_time(world, dean, went_missing_together, signed_in):
    client = signed_in(world.kent_team_manager)
    url = reverse("web:intel_child_network", args=[world.callum.pk])

    def picture():
        text = client.get(url).content.decode()
        start = text.index('<svg xmlns="http://www.w3.org/2000/svg" viewBox')
        return text[start:text.index("</svg>", start)]

    assert picture() == picture()


def test_the_shortlist_puts_the_person_linked_to_two_children_first_with_why(world, dean, went_missing_together,
                                                                            signed_in):
    text = signed_in(world.kent_senior_manager).get(reverse("web:intel_shortlist")).content.decode()
    assert "Dean Mills" in text and "Callum Reid: seen with the child" in text
    assert "Went missing together with Jade Okafor" in text


def test_a_link_is_removed_from_the_page_with_a_reason(world, dean, signed_in):
    client = signed_in(world.kent_exploitation_officer)
    url = reverse("web:intel_link_remove", args=["child", dean.to_jade.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "Say why the link is being removed" in response.content.decode()
    response = client.post(url, {"reason": "Wrong child"})
    assert response.status_code == 302
    dean.to_jade.refresh_from_db()
    assert dean.to_jade.removed_reason == "Wrong child"
    page = client.get(reverse("web:intel_person", args=[dean.person.pk])).content.decode()
    assert "Links removed" in page and "Wrong child" in page


def test_another_organisation_cannot_remove_a_link(world, dean, signed_in):
    client = signed_in(world.kent_police)
    url = reverse("web:intel_link_remove", args=["child", dean.to_callum.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "Not him"}).status_code == 403
    dean.to_callum.refresh_from_db()
    assert dean.to_callum.active


def test_the_person_form_shows_each_problem_in_the_error_summary(world, signed_in):
    client = signed_in(world.kent_exploitation_officer)
    response = client.post(reverse("web:intel_person_new"), {
        "name": "", "age": "thirty", "phones": "07700 900123\n123", "vehicles": "AB12 CD, red car",
    })
    text = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in text
    assert 'href="#age"' in text and 'href="#name"' in text
    assert "not an age" in text
    response = client.post(reverse("web:intel_person_new"), {
        "name": "Jay", "phones": "07700 900123\n123", "vehicles": "AB12 CD, red car",
    })
    text = response.content.decode()
    assert 'href="#phones"' in text and 'href="#vehicles"' in text and "Phone number 2" in text


def test_a_person_is_added_from_a_childs_links_and_linked(world, signed_in):
    client = signed_in(world.kent_exploitation_officer)
    response = client.post(reverse("web:intel_person_new") + f"?child={world.ellie.pk}",
                           {"name": "Jay", "child": world.ellie.pk, "vehicles": ", silver van"})
    assert response.status_code == 302 and f"?child={world.ellie.pk}" in response["Location"]
    link_url = response["Location"]
    page = client.post(link_url, {"child": world.ellie.pk, "nature": "seen_with", "source": "officer",
                                  "noted-day": "1", "noted-month": "1", "noted-year": str(timezone.localdate().year + 1)})
    assert "must be today or in the past" in page.content.decode()
    today = timezone.localdate()
    done = client.post(link_url, {"child": world.ellie.pk, "nature": "seen_with", "source": "officer",
                                  "noted-day": today.day, "noted-month": today.month, "noted-year": today.year})
    assert done.status_code == 302 and done["Location"] == reverse("web:intel_child_links", args=[world.ellie.pk])
    assert "Jay" in client.get(done["Location"]).content.decode()


def test_a_named_person_is_taken_up_from_the_childs_links(world, ellie_interview, signed_in):
    client = signed_in(world.kent_missing_officer)
    links = client.get(reverse("web:intel_child_links", args=[world.ellie.pk])).content.decode()
    assert "Dee" in links and "Tash" in links
    url = reverse("web:intel_named_take_up", args=[ellie_interview.dee.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"person": "new"})
    assert response.status_code == 302
    links = client.get(reverse("web:intel_child_links", args=[world.ellie.pk])).content.decode()
    assert "Take up<span class=\"govuk-visually-hidden\"> Dee" not in links


def test_the_police_cannot_take_up_a_person_the_interviewer_did_not_share(world, ellie_interview, signed_in):
    client = signed_in(world.kent_police)
    links = client.get(reverse("web:intel_child_links", args=[world.ellie.pk])).content.decode()
    assert "Dee" in links and "Tash" not in links
    assert client.get(reverse("web:intel_named_take_up", args=[ellie_interview.tash.pk])).status_code == 404
