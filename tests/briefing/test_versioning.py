"""Each change to a profile keeps the version before it: the whole profile as
it was, who made it and when, never changed afterwards."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from homeward.briefing.models import PhilomenaProfileVersion
from homeward.briefing.services import philomena_photo_remove, philomena_photo_upload, philomena_profile_update

from .conftest import image_bytes


def test_every_change_is_a_version_with_who_when_and_what_changed(world):
    philomena_profile_update(actor=world.oakview_staff, child=world.callum, hair="Short, brown", eyes="Brown",
                             addresses="4 Hill Road, ME7 1AA")
    philomena_profile_update(actor=world.kent_social_worker, child=world.callum, hair="Shaved, dyed blond",
                             eyes="Brown", addresses="4 Hill Road, ME7 1AA\n12 Mill Lane, ME4 5XX")
    v1, v2 = PhilomenaProfileVersion.objects.filter(profile__child=world.callum).order_by("version")
    assert (v1.version, v1.made_by_username, v1.made_by_organisation) == (1, "oakview.staff", "Oakview Care Ltd")
    assert (v2.version, v2.made_by_username, v2.made_by_role) == (2, "kent.social_worker", "social_worker")
    assert v1.made_at <= v2.made_at
    assert v1.data["hair"] == "Short, brown" and v1.data["addresses"] == ["4 Hill Road, ME7 1AA"]
    assert v2.data["hair"] == "Shaved, dyed blond" and len(v2.data["addresses"]) == 2
    assert v2.changed == ["hair", "addresses"]


def test_saving_with_nothing_changed_makes_no_version(world):
    philomena_profile_update(actor=world.oakview_staff, child=world.callum, hair="Brown")
    profile = philomena_profile_update(actor=world.oakview_staff, child=world.callum, hair=" Brown ")
    assert profile.version == 1
    assert PhilomenaProfileVersion.objects.count() == 1


def test_a_version_cannot_be_changed(world):
    philomena_profile_update(actor=world.oakview_staff, child=world.callum, hair="Brown")
    version = PhilomenaProfileVersion.objects.get()
    version.data = {"hair": "Rewritten"}
    with pytest.raises(PermissionError):
        version.save()


def test_a_new_photo_is_a_version_and_the_one_it_replaces_stays_with_the_earlier_version(world):
    first = philomena_photo_upload(actor=world.oakview_staff, child=world.callum,
                                   data=image_bytes(400, 500, colour=(200, 30, 30)))
    second = philomena_photo_upload(actor=world.oakview_staff, child=world.callum,
                                    data=image_bytes(400, 500, colour=(30, 30, 200)))
    removed = philomena_photo_remove(actor=world.oakview_staff, child=world.callum)
    versions = list(PhilomenaProfileVersion.objects.order_by("version"))
    assert [(v.version, v.photo_id, v.changed) for v in versions] == [
        (1, first.pk, ["photo"]), (2, second.pk, ["photo"]), (3, None, ["photo"])]
    assert removed.photo_id is None
    red = Image.open(io.BytesIO(bytes(versions[0].photo.data))).getpixel((10, 10))
    assert red[0] > 150 and red[2] < 80  # the first photo is still there, unchanged


def test_the_profile_page_lists_the_versions_and_an_earlier_one_can_be_read(world, signed_in):
    philomena_profile_update(actor=world.oakview_staff, child=world.callum, hair="Short, brown")
    philomena_profile_update(actor=world.kent_social_worker, child=world.callum, hair="Long, black")
    client = signed_in(world.kent_team_manager)
    page = client.get(f"/children/{world.callum.pk}/profile/").content.decode()
    assert "Versions of the profile" in page and "kent.social_worker" in page and "oakview.staff" in page
    assert "Long, black" in page and "Short, brown" not in page
    old = client.get(f"/children/{world.callum.pk}/profile/versions/1/")
    assert old.status_code == 200
    text = old.content.decode()
    assert "Short, brown" in text and "Long, black" not in text and "The current version is 2" in text
    assert client.get(f"/children/{world.callum.pk}/profile/versions/3/").status_code == 404
