"""places_for_child: the places a child is linked to, scoped and audited (for the
child's page, the intelligence part and the police briefing)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from homeward.access.models import AuditEvent
from homeward.interviews.models import Interview
from homeward.interviews.services import interview_add_place, interviews_sync
from homeward.places.selectors import places_for_child
from homeward.places.services import child_place_record, places_sync
from homeward.problems import Refused

from .conftest import london


@pytest.fixture
def ellie_places(world, directory, make_episode):
    first = make_episode(world.ellie, start=london(2025, 3, 1, 20), found="CT1 2AB", postcode="CT2 7NZ")
    make_episode(world.ellie, start=london(2025, 3, 8, 20), found="ct12ab", postcode="CT2 7NZ")
    make_episode(world.ellie, start=london(2025, 3, 15, 20), found="ME15 6AA", postcode="CT2 7NZ")
    interviews_sync(episode_ids=[first.pk])
    interview = Interview.objects.get(episode=first)
    interview_add_place(actor=world.kent_missing_officer, interview=interview, text="Travel Inn",
                        postcode="CT1 3AA", kind="hotel", shared=False)
    interview_add_place(actor=world.kent_missing_officer, interview=interview, text="Chicken shop",
                        postcode="CT1 2AB", kind="food_shop", shared=True)
    places_sync()
    return world


def test_the_missing_officer_gets_every_place_with_counts_and_the_last_date(ellie_places):
    w = ellie_places
    places = places_for_child(w.kent_missing_officer, w.ellie)
    by_label = {p.label: p for p in places}
    assert by_label["CT2 7NZ"].roles == {"missing_from": 3}
    assert by_label["CT1 2AB"].roles == {"found": 2} and by_label["CT1 2AB"].last_date == dt.date(2025, 3, 9)
    assert by_label["ME15 6AA"].roles == {"found": 1}
    assert by_label["Travel Inn"].roles == {"stayed": 1}
    assert by_label["Chicken shop"].roles == {"frequented": 1}
    assert places[0].label == "CT2 7NZ"  # most links first
    event = AuditEvent.objects.filter(action=AuditEvent.Action.READ, child_id=w.ellie.pk).latest("at")
    assert "places" in event.summary


def test_only_found_and_frequented_when_asked(ellie_places):
    w = ellie_places
    places = places_for_child(w.kent_missing_officer, w.ellie, roles=("found", "frequented"))
    assert {p.label for p in places} == {"CT1 2AB", "ME15 6AA", "Chicken shop"}


def test_the_police_see_places_from_interviews_only_when_shared(ellie_places):
    w = ellie_places
    labels = {p.label for p in places_for_child(w.kent_police, w.ellie)}
    assert "Chicken shop" in labels and "Travel Inn" not in labels
    assert "CT1 2AB" in labels  # from the police's own notifications


@pytest.mark.parametrize("persona", ["southwark_missing_officer", "met_police", "kent_analyst", "oakview_staff"])
def test_a_child_outside_the_scope_is_404_and_the_refusal_audited(ellie_places, persona):
    w = ellie_places
    with pytest.raises(Http404):
        places_for_child(getattr(w, persona), w.ellie)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DENIED, object_id=str(w.ellie.pk)).exists()


def test_a_person_records_a_place_on_the_profile(ellie_places):
    w = ellie_places
    link = child_place_record(actor=w.kent_social_worker, child=w.ellie, text="Uncle's flat", postcode="ct1",
                              role="stayed", day=dt.date(2025, 4, 2))
    assert (link.source, link.place.district, link.place.precision) == (f"profile:{w.ellie.pk}", "CT1", "district")
    assert "Uncle's flat" in {p.label for p in places_for_child(w.kent_social_worker, w.ellie)}
    with pytest.raises(Refused) as refused:
        child_place_record(actor=w.kent_social_worker, child=w.ellie, text="", postcode="nowhere", role="found")
    assert {p.field for p in refused.value.problems} == {"text", "postcode", "role"}
    with pytest.raises(Refused):
        child_place_record(actor=w.kent_analyst, child=w.ellie, text="A park")
