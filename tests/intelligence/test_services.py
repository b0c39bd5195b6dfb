"""Recording people of concern and their links: validated, audited, never deleted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from homeward.access.models import AuditEvent
from homeward.intelligence.models import PersonChildLink, PersonDetail, PersonOfConcern, PersonPlaceLink
from homeward.intelligence.services import (
    person_from_named_person, person_link_child, person_link_place, person_link_remove, person_of_concern_create,
    person_of_concern_update,
)
from homeward.problems import Refused

TODAY = timezone.localdate


def fields(refused) -> set[str]:
    return {p.field for p in refused.value.problems}


# --- the record ----------------------------------------------------------------------------------


def test_a_person_is_recorded_with_canonical_details_for_the_officers_organisation(world):
    person = person_of_concern_create(
        actor=world.kent_exploitation_officer, name="  Dean   Mills ", aliases=["Deano", "deano", "Dean Mills"],
        age_from=24, age_to=28, phones=["+44 7700 900123", "07700 900123"], vehicles=[("ab12cde", "black Audi")],
    )
    assert person.name == "Dean Mills" and person.organisation == world.kent_council
    assert person.age_text == "24 to 28" and person.age_noted_on == TODAY()
    details = {(d.kind, d.value, d.description) for d in person.details.all()}
    # The same alias, number or car twice is kept once; the name is not an alias of itself.
    assert details == {("alias", "Deano", ""), ("phone", "07700900123", ""), ("vehicle", "AB12 CDE", "black Audi")}
    event = AuditEvent.objects.get(action="create", object_type="personofconcern", object_id=str(person.pk))
    assert event.actor_username == "kent.exploitation_officer"
    assert "Dean" not in str(event.payload) and "07700" not in str(event.payload)  # what was done, not what


@pytest.mark.parametrize("kwargs, field", [
    ({"name": ""}, "name"),
    ({"phones": ["0770090"]}, "phones"),
    ({"phones": ["07700 900123", "not a number"]}, "phones"),
    ({"vehicles": [("AB12 CD", "")]}, "vehicles"),
    ({"age_from": 30, "age_to": 20}, "age"),
    ({"age_from": 121}, "age"),
    ({"description": "x" * 501}, "description"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(world, kwargs, field):
    values = {"name": "Dean", **kwargs}
    with pytest.raises(Refused) as refused:
        person_of_concern_create(actor=world.kent_exploitation_officer, **values)
    assert field in fields(refused)
    assert not PersonOfConcern.objects.exists() and not PersonDetail.objects.exists()


@pytest.mark.parametrize("persona", ["kent_social_worker", "kent_analyst", "kent_rhi_worker", "oakview_staff",
                                     "kent_auditor", "kent_admin"])
def test_roles_that_do_not_work_on_exploitation_cannot_record_people(world, persona):
    with pytest.raises(Refused):
        person_of_concern_create(actor=getattr(world, persona), name="Dean")
    assert not PersonOfConcern.objects.exists()


def test_an_update_keeps_what_was_removed_in_the_history(world, dean):
    person = dean.person
    person_of_concern_update(actor=world.kent_missing_officer, person=person, phones=["07700 900999"],
                             vehicles=[("AB12CDE", "grey Audi A3")], age_from=30)
    person.refresh_from_db()
    assert person.age_text == "about 30" and person.updated_by == world.kent_missing_officer
    phones = {d.value: d.removed_at is not None for d in person.details.filter(kind="phone")}
    assert phones == {"07700900123": True, "07700900999": False}
    removed = person.details.get(value="07700900123")
    assert removed.removed_by == world.kent_missing_officer and removed.removed_reason
    car = person.details.get(kind="vehicle")
    assert car.description == "grey Audi A3" and car.removed_at is None  # the same car, described again
    assert person.details.get(kind="alias").removed_at is None  # aliases not given: unchanged
    event = AuditEvent.objects.filter(action="update", object_type="personofconcern").latest("at")
    assert event.payload["details_removed"] == ["phone"] and "age_from" in event.payload["fields"]


def test_an_update_outside_the_scope_is_refused(world, dean):
    with pytest.raises(Refused):
        person_of_concern_update(actor=world.met_police, person=dean.person, name="Someone else")
    dean.person.refresh_from_db()
    assert dean.person.name == "Dean Mills"


# --- links ---------------------------------------------------------------------------------------


def test_a_link_to_a_child_records_source_date_and_who(world, dean):
    link = dean.to_callum
    assert link.source == "police:KNT-000102" and link.organisation == world.kent_council
    assert link.recorded_by == world.kent_exploitation_officer and link.active
    event = AuditEvent.objects.get(action="create", object_type="personchildlink", object_id=str(link.pk))
    assert event.child_id == world.callum.pk


@pytest.mark.parametrize("kwargs, field", [
    ({"noted_on": None}, "noted_on"),
    ({"noted_on": "future"}, "noted_on"),
    ({"noted_on": "before birth"}, "noted_on"),
    ({"source": "a friend"}, "source"),
    ({"source": "rhi:999999"}, "source"),
    ({"source": "episode:999999"}, "source"),
    ({"nature": "married"}, "nature"),
    ({"note": "x" * 501}, "note"),
])
def test_a_bad_link_is_refused_naming_the_field(world, dean, kwargs, field):
    values = {"nature": "seen_with", "source": "officer", "noted_on": TODAY(), **kwargs}
    if values["noted_on"] == "future":
        values["noted_on"] = TODAY() + dt.timedelta(days=1)
    elif values["noted_on"] == "before birth":
        values["noted_on"] = world.ellie.dob - dt.timedelta(days=1)
    before = PersonChildLink.objects.count()
    with pytest.raises(Refused) as refused:
        person_link_child(actor=world.kent_exploitation_officer, person=dean.person, child=world.ellie, **values)
    assert field in fields(refused)
    assert PersonChildLink.objects.count() == before


def test_today_is_a_date_the_information_may_be_from(world, dean):
    link = person_link_child(actor=world.kent_exploitation_officer, person=dean.person, child=world.ellie,
                             nature="in_contact", source="officer", noted_on=TODAY())
    assert link.noted_on == TODAY()


def test_a_child_outside_the_officers_scope_cannot_be_linked(world, dean):
    with pytest.raises(Refused) as refused:
        person_link_child(actor=world.kent_exploitation_officer, person=dean.person, child=world.sam,
                          nature="seen_with", source="officer", noted_on=TODAY())
    assert fields(refused) == {"child"}


def test_a_return_interview_about_another_child_is_not_a_source_for_this_one(world, dean, ellie_interview):
    with pytest.raises(Refused) as refused:
        person_link_child(actor=world.kent_exploitation_officer, person=dean.person, child=world.callum,
                          nature="named_by_child", source=f"rhi:{ellie_interview.interview.pk}", noted_on=TODAY())
    assert "not about this child" in str(refused.value)


def test_the_same_link_from_the_same_source_is_recorded_once(world, dean):
    with pytest.raises(Refused, match="already recorded"):
        person_link_child(actor=world.kent_missing_officer, person=dean.person, child=world.callum,
                          nature="seen_with", source="police:KNT-000102", noted_on=TODAY())


def test_a_place_link_finds_or_makes_the_place(world, dean):
    link = person_link_place(actor=world.kent_police, person=dean.person, nature="uses", source="police:KNT-7",
                             noted_on=TODAY(), place_text="Flat 2, 10 King Street", place_postcode="ct1 2ab")
    again = person_link_place(actor=world.kent_police, person=dean.person, nature="seen_at", source="officer",
                              noted_on=TODAY(), place_text="flat 2, 10 king street", place_postcode="CT1 2AB")
    assert link.place_id == again.place_id and link.place.postcode == "CT1 2AB"
    assert link.organisation == world.kent_police_org


def test_a_place_link_with_a_bad_postcode_or_no_place_is_refused(world, dean):
    with pytest.raises(Refused) as refused:
        person_link_place(actor=world.kent_police, person=dean.person, nature="uses", source="officer",
                          noted_on=TODAY(), place_text="", place_postcode="")
    assert fields(refused) == {"place"}
    with pytest.raises(Refused) as refused:
        person_link_place(actor=world.kent_police, person=dean.person, nature="uses", source="officer",
                          noted_on=TODAY() + dt.timedelta(days=1), place_text="A flat", place_postcode="NOT A CODE")
    assert fields(refused) == {"postcode", "noted_on"}
    assert not PersonPlaceLink.objects.exists()


# --- removing a link -----------------------------------------------------------------------------


def test_a_link_is_removed_with_a_reason_and_kept(world, dean):
    removed = person_link_remove(actor=world.kent_team_manager, link=dean.to_jade,
                                 reason="Jade said it was someone else")
    assert removed.removed_by == world.kent_team_manager and removed.removed_reason == "Jade said it was someone else"
    assert PersonChildLink.objects.filter(pk=dean.to_jade.pk).exists()
    event = AuditEvent.objects.get(action="update", object_type="personchildlink", object_id=str(dean.to_jade.pk))
    assert event.child_id == world.jade.pk
    with pytest.raises(Refused, match="already been removed"):
        person_link_remove(actor=world.kent_team_manager, link=removed, reason="Again, by mistake")


def test_a_link_cannot_be_removed_without_a_reason(world, dean):
    with pytest.raises(Refused) as refused:
        person_link_remove(actor=world.kent_exploitation_officer, link=dean.to_jade, reason="  ")
    assert fields(refused) == {"reason"}
    dean.to_jade.refresh_from_db()
    assert dean.to_jade.active


def test_only_the_organisation_that_recorded_a_link_may_remove_it(world, dean):
    # Kent Police sees Dean (linked to children in Kent) but did not record the link.
    with pytest.raises(Refused, match="organisation that recorded"):
        person_link_remove(actor=world.kent_police, link=dean.to_callum, reason="Not the same person")
    dean.to_callum.refresh_from_db()
    assert dean.to_callum.active


# --- from a return interview ----------------------------------------------------------------------


def test_a_person_named_in_an_interview_becomes_a_person_of_concern(world, ellie_interview):
    dee = ellie_interview.dee
    link = person_from_named_person(actor=world.kent_missing_officer, named_person=dee)
    person = link.person
    assert person.name == "Dee" and person.age_text == "about 25" and person.description == "Drives a black car"
    assert person.age_noted_on == dee.noted_on
    assert link.child == world.ellie and link.source == f"rhi:{ellie_interview.interview.pk}"
    assert link.named_person == dee and link.episode == ellie_interview.episode and link.noted_on == dee.noted_on
    with pytest.raises(Refused, match="already recorded"):
        person_from_named_person(actor=world.kent_missing_officer, named_person=dee)


def test_a_named_person_already_known_is_linked_and_the_name_becomes_an_alias(world, dean, ellie_interview):
    link = person_from_named_person(actor=world.kent_exploitation_officer, named_person=ellie_interview.tash,
                                    person=dean.person)
    assert link.person == dean.person and link.child == world.ellie
    aliases = set(dean.person.details.filter(kind="alias", removed_at__isnull=True).values_list("value", flat=True))
    assert aliases == {"Deano", "Tash"}


def test_the_police_take_up_only_people_the_interviewer_shared(world, ellie_interview):
    link = person_from_named_person(actor=world.kent_police, named_person=ellie_interview.dee)
    assert link.organisation == world.kent_police_org
    with pytest.raises(Refused):
        person_from_named_person(actor=world.kent_police, named_person=ellie_interview.tash)


def test_a_social_worker_cannot_take_up_a_named_person(world, ellie_interview):
    with pytest.raises(Refused):
        person_from_named_person(actor=world.kent_social_worker, named_person=ellie_interview.dee)
    assert not PersonOfConcern.objects.exists()
