"""The profile, photo, missing details and briefing pages: GOV.UK forms that
name the field and the reason in an error summary, and keep what was typed."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from homeward.briefing import photos
from homeward.briefing.models import MissingDetails, PhilomenaPhoto, PhilomenaProfile

from .conftest import image_bytes

PROFILE_FORM = {
    "version": "0", "height_cm": "172", "build": "slim", "hair": "Short, dark brown", "eyes": "Brown",
    "distinguishing_marks": "Scar through the left eyebrow", "friends_and_associates": "Jordan Smith\nKayden",
    "addresses": "", "places_frequented": "Skate park, ME4 4AA", "phones_and_social_media": "07700 900123",
    "medication": "", "medical_conditions": "Asthma", "transport": "Bus pass",
}


def summary(html: str) -> str:
    start = html.index('class="govuk-error-summary"')
    return html[start:html.index("</div>", html.index("govuk-error-summary__body", start))]


def test_a_carer_starts_the_profile_from_the_form(world, signed_in):
    client = signed_in(world.oakview_staff)
    page = client.get(f"/children/{world.callum.pk}/profile/")
    assert page.status_code == 200 and "Start the profile" in page.content.decode()
    assert client.get(f"/children/{world.callum.pk}/profile/change/").status_code == 200
    response = client.post(f"/children/{world.callum.pk}/profile/change/", PROFILE_FORM)
    assert response.status_code == 302 and response["Location"] == f"/children/{world.callum.pk}/profile/"
    profile = PhilomenaProfile.objects.get(child=world.callum)
    assert profile.version == 1 and profile.friends_and_associates == ["Jordan Smith", "Kayden"]
    page = client.get(response["Location"]).content.decode()
    assert "Callum’s profile is saved (version 1)" in page
    assert "172 cm (5 ft 8 in)" in page and "Jordan Smith<br>Kayden" in page


def test_bad_input_shows_an_error_summary_naming_each_field_and_keeps_what_was_typed(world, signed_in):
    client = signed_in(world.oakview_staff)
    form = {**PROFILE_FORM, "height_cm": "tall", "build": "enormous",
            "places_frequented": "\n".join(f"Place {n}" for n in range(35))}
    response = client.post(f"/children/{world.callum.pk}/profile/change/", form)
    assert response.status_code == 400
    html = response.content.decode()
    errors = summary(html)
    assert '<a href="#height_cm">Enter the height in whole centimetres, like 165</a>' in errors
    assert '<a href="#build">Choose the child&#x27;s build from the list</a>' in errors
    assert '<a href="#places_frequented">Places frequented: enter 30 lines or fewer (there are 35)</a>' in errors
    assert 'id="height_cm-error"' in html and 'value="tall"' in html and "Place 34" in html
    assert "<title>Error: " in html
    assert not PhilomenaProfile.objects.filter(version__gt=0).exists()


def test_a_stale_form_is_refused_in_the_summary(world, signed_in):
    client = signed_in(world.oakview_staff)
    client.post(f"/children/{world.callum.pk}/profile/change/", PROFILE_FORM)
    response = client.post(f"/children/{world.callum.pk}/profile/change/", {**PROFILE_FORM, "eyes": "Blue"})
    assert response.status_code == 400
    assert "Someone else changed the profile while you were working on it" in summary(response.content.decode())


def test_the_photo_is_uploaded_and_served_only_through_the_scoped_view(world, signed_in):
    client = signed_in(world.oakview_staff)
    assert client.get(f"/children/{world.callum.pk}/profile/photo/").status_code == 200
    upload = SimpleUploadedFile("me.png", image_bytes(400, 500), content_type="image/png")
    response = client.post(f"/children/{world.callum.pk}/profile/photo/", {"photo": upload, "version": "0"})
    assert response.status_code == 302
    photo = PhilomenaPhoto.objects.get()
    page = client.get(f"/children/{world.callum.pk}/profile/").content.decode()
    url = f"/children/{world.callum.pk}/profile/photos/{photo.pk}/"
    assert f'src="{url}"' in page and 'alt="Photo of Callum Reid"' in page and "/static/" not in url
    image = client.get(url)
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert image.content[:3] == b"\xff\xd8\xff" and image["Cache-Control"] == "private, no-store"
    # Another child's id with this photo: 404.
    assert client.get(f"/children/{world.jade.pk}/profile/photos/{photo.pk}/").status_code == 404


def test_a_file_that_is_not_an_image_is_refused_on_the_page(world, signed_in):
    client = signed_in(world.oakview_staff)
    upload = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 this is a program, not a photo" * 20,
                                content_type="image/jpeg")
    response = client.post(f"/children/{world.callum.pk}/profile/photo/", {"photo": upload})
    assert response.status_code == 400
    assert '<a href="#photo">The file must be a photo in JPEG or PNG format</a>' in summary(response.content.decode())
    assert 'class="govuk-file-upload govuk-file-upload--error"' in response.content.decode()
    assert not PhilomenaPhoto.objects.exists()


def test_an_oversized_photo_is_refused_on_the_page_without_being_read_whole(world, signed_in):
    client = signed_in(world.oakview_staff)
    big = SimpleUploadedFile("big.png", image_bytes(300, 300) + b"\0" * (photos.MAX_BYTES + 10),
                             content_type="image/png")
    response = client.post(f"/children/{world.callum.pk}/profile/photo/", {"photo": big})
    assert response.status_code == 400
    assert '<a href="#photo">The photo must be smaller than 5 MB</a>' in summary(response.content.decode())
    assert not PhilomenaPhoto.objects.exists()


def test_no_file_chosen_is_refused_on_the_page(world, signed_in):
    client = signed_in(world.oakview_staff)
    response = client.post(f"/children/{world.callum.pk}/profile/photo/", {"version": "0"})
    assert '<a href="#photo">Choose a photo to upload</a>' in summary(response.content.decode())


def test_the_upload_form_checks_the_csrf_token(world, client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.oakview_staff)
    upload = SimpleUploadedFile("me.png", image_bytes(400, 500), content_type="image/png")
    assert strict.post(f"/children/{world.callum.pk}/profile/photo/", {"photo": upload}).status_code == 403
    assert not PhilomenaPhoto.objects.exists()


def test_the_photo_can_be_removed(world, callum_profile, signed_in):
    client = signed_in(world.oakview_staff)
    response = client.post(f"/children/{world.callum.pk}/profile/photo/remove/",
                           {"version": str(callum_profile.version)})
    assert response.status_code == 302
    assert PhilomenaProfile.objects.get(child=world.callum).photo_id is None


def test_the_carer_adds_the_missing_details_from_the_episode_page(world, jade_missing, signed_in):
    client = signed_in(world.oakview_staff)
    page = client.get(f"/episodes/{jade_missing.pk}/").content.decode()
    assert "Add what Jade was wearing and when last seen" in page
    url = f"/episodes/{jade_missing.pk}/missing-details/"
    seen = timezone.localtime(timezone.now() - dt.timedelta(hours=5))
    response = client.post(url, {"clothing": "Pink coat", "last_seen_where": "Bus stop outside the home",
                                 "last_seen-day": seen.day, "last_seen-month": seen.month,
                                 "last_seen-year": seen.year, "last_seen-time": seen.strftime("%H:%M"),
                                 "with_whom": "", "other_information": "Took her charger"})
    assert response.status_code == 302 and response["Location"] == f"/episodes/{jade_missing.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Pink coat" in page and "Bus stop outside the home" in page
    assert "Change what Jade was wearing" in page
    from homeward.access.models import AuditEvent

    seen_by = AuditEvent.objects.filter(action="read", object_type="missingdetails",
                                        summary__startswith="Viewed the details").values_list("actor_username",
                                                                                              flat=True)
    assert list(seen_by) == ["oakview.staff"]  # the episode page shows them: audited


def test_a_future_last_seen_time_is_named_in_the_error_summary(world, jade_missing, signed_in):
    client = signed_in(world.oakview_staff)
    later = timezone.localtime(timezone.now() + dt.timedelta(days=1))
    response = client.post(f"/episodes/{jade_missing.pk}/missing-details/", {
        "clothing": "Pink coat", "last_seen-day": later.day, "last_seen-month": later.month,
        "last_seen-year": later.year, "last_seen-time": "10:00"})
    assert response.status_code == 400
    errors = summary(response.content.decode())
    assert '<a href="#last_seen-day">The time the child was last seen must be in the past</a>' in errors
    assert not MissingDetails.objects.exists()


def test_a_half_typed_date_is_named_in_the_error_summary(world, jade_missing, signed_in):
    client = signed_in(world.oakview_staff)
    response = client.post(f"/episodes/{jade_missing.pk}/missing-details/", {
        "clothing": "Pink coat", "last_seen-day": "3", "last_seen-time": "10:00"})
    assert "The date the child was last seen must include a month and a year" in summary(response.content.decode())


def test_the_briefing_page_has_the_pdf_button_and_the_print_stylesheet(world, callum_missing, callum_profile,
                                                                       signed_in):
    client = signed_in(world.kent_police)
    html = client.get(f"/episodes/{callum_missing.pk}/briefing/").content.decode()
    assert f'href="/episodes/{callum_missing.pk}/briefing.pdf"' in html
    assert '<link rel="stylesheet" href="/static/briefing/print.css" media="print">' in html
    assert "OFFICIAL-SENSITIVE" in html and "<h1 class=\"govuk-heading-l\">Callum Reid</h1>" in html
    photo = PhilomenaProfile.objects.get(child=world.callum).photo_id
    assert f'src="/children/{world.callum.pk}/profile/photos/{photo}/"' in html  # not a data: URL on the page
    assert "style=" not in html and "<script>" not in html and "<style" not in html


def test_the_childs_page_has_the_briefing_button_when_the_child_is_missing(world, callum_missing, signed_in):
    client = signed_in(world.kent_police)
    html = client.get(f"/children/{world.callum.pk}/").content.decode()
    assert f'href="/episodes/{callum_missing.pk}/briefing.pdf"' in html
    assert "Download the police briefing (PDF)" in html and f'href="/children/{world.callum.pk}/profile/"' in html
    # Jade is looked after and not missing: Kent's missing officer sees the profile link only.
    client = signed_in(world.kent_missing_officer)
    html = client.get(f"/children/{world.jade.pk}/").content.decode()
    assert "briefing.pdf" not in html and f'href="/children/{world.jade.pk}/profile/"' in html
    # Ellie lives at home: no profile is kept, so no link to one.
    html = client.get(f"/children/{world.ellie.pk}/").content.decode()
    assert "/profile/" not in html and "briefing" not in html
    # The return interview worker sees Callum's record, but no link to the profile or briefing.
    client = signed_in(world.kent_rhi_worker)
    html = client.get(f"/children/{world.callum.pk}/").content.decode()
    assert "briefing" not in html and "/profile/" not in html


def test_the_panel_stays_when_the_episode_page_is_shown_again_with_a_risk_error(world, callum_missing, signed_in):
    client = signed_in(world.kent_police)
    response = client.post(f"/episodes/{callum_missing.pk}/risk/", {"risk_level": "", "reason": ""})
    html = response.content.decode()
    assert "Choose the new risk level" in html and "What is known that helps find Callum" in html
