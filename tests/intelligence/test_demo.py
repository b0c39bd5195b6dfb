"""The demo's synthetic people of concern (homeward/intelligence/demo.py)."""

from __future__ import annotations

from homeward.access.roles import Role
from homeward.access.services import user_create
from homeward.intelligence.demo import load_demo
from homeward.intelligence.models import PersonChildLink, PersonOfConcern


def test_the_demo_links_a_person_to_children_who_went_missing_together_once(world, went_missing_together):
    # The demo's usernames for Kent (homeward/demo.py).
    user_create(actor=None, username="kent.exploitation-officer", password=world.password,
                organisation=world.kent_council, role=Role.EXPLOITATION_OFFICER)
    assert load_demo() == 1
    person = PersonOfConcern.objects.get()
    assert person.organisation == world.kent_council and person.notes == "Synthetic demo record."
    linked = set(PersonChildLink.objects.filter(person=person).values_list("child_id", flat=True))
    assert linked == {world.callum.pk, world.jade.pk}
    assert person.details.get(kind="phone").value.startswith("07700900")  # Ofcom's drama range
    assert person.place_links.get().place.postcode == "CT1 1QU"
    assert load_demo() == 0  # idempotent
