"""The demo's profiles: synthetic, for looked-after children (missing now
first), kept by the home's staff through the services, with a drawn
placeholder for a photo; running it again changes nothing."""

from __future__ import annotations

import io

from PIL import Image

from homeward.access.models import AuditEvent
from homeward.briefing.demo import demo_profiles, silhouette
from homeward.briefing.models import MissingDetails, PhilomenaProfile, PhilomenaProfileVersion


class Out:
    def __init__(self):
        self.lines = []

    def write(self, text):
        self.lines.append(text)


def test_looked_after_children_get_profiles_with_a_placeholder_photo(world, jade_missing):
    out = Out()
    assert demo_profiles(out, count=5) == 2
    assert out.lines == ["Philomena profiles made for 2 looked-after children."]
    profiles = {p.child_id: p for p in PhilomenaProfile.objects.select_related("photo")}
    assert set(profiles) == {world.callum.pk, world.jade.pk}  # not Ellie or Sam: they live at home
    for profile in profiles.values():
        assert profile.version == 2 and profile.height_cm and profile.friends_and_associates
        assert profile.updated_by == world.oakview_staff
        photo = Image.open(io.BytesIO(bytes(profile.photo.data)))
        assert photo.format == "JPEG" and not photo.getexif()
    # Jade is missing now: her carer's details of the episode are there too.
    assert MissingDetails.objects.get().episode == jade_missing
    assert AuditEvent.objects.filter(object_type="philomenaprofile", actor_username="oakview.staff").count() == 2
    assert demo_profiles(out, count=5) == 0
    assert PhilomenaProfileVersion.objects.count() == 4


def test_it_stops_once_enough_children_have_a_profile(world):
    assert demo_profiles(count=1) == 1
    assert demo_profiles(count=1) == 0
    assert PhilomenaProfile.objects.count() == 1
    assert demo_profiles(count=2) == 1


def test_the_placeholder_is_a_drawn_silhouette_not_a_photo():
    image = Image.open(io.BytesIO(silhouette(7)))
    assert image.size == (480, 600) and image.format == "PNG"
    background = image.getpixel((5, 5))
    figure = image.getpixel((240, 200))  # the head
    assert background != figure and len(image.getcolors(maxcolors=10_000) or []) < 2000
