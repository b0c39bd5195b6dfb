"""Fixtures for the police briefing, on the shared `world` (tests/conftest.py).

- ``callum_history``: Callum (Kent's looked-after child at Oakview, Kent) went
  missing 30 days ago and was found at Maidstone station (ME15 6AA) by the
  police 20 hours later. His return interview was done by the Kent return
  interview worker: reasons (not shared), exploitation (CCE, shared with the
  police), a place (shared), another place (not shared), a person (shared)
  and another (not shared). A CCE flag is open on his record.
- ``callum_missing``: then he went missing again 3 hours ago, reported by the
  Kent police, in Kent: open.
- ``callum_profile``: his Philomena profile, kept by Oakview's staff, with a
  photo.
- ``jade_missing``: Jade (Southwark's child placed at Oakview, Kent) missing
  in Kent now.

Images are made with Pillow: `image_bytes(...)`.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from homeward.briefing.services import philomena_photo_upload, philomena_profile_update
from homeward.episodes.services import episode_record_return, episode_report_missing
from homeward.people.models import ChildFlag

CCE_TEXT = "Older boys from Chatham give him phones and cash to carry bags"
REASONS_TEXT = "Says staff are too strict about his phone"


def image_bytes(width: int = 400, height: int = 500, fmt: str = "PNG", *, colour=(90, 120, 160), exif=None,
                mode: str = "RGB") -> bytes:
    from PIL import Image

    image = Image.new(mode, (width, height), colour if mode != "RGBA" else (*colour, 128))
    out = io.BytesIO()
    kwargs = {}
    if exif is not None:
        kwargs["exif"] = exif
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def gps_exif():
    """EXIF with a camera, a time and GPS coordinates (a Kent address)."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0132] = "2025:03:27 21:30:00"  # DateTime
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to show
    gps = {1: "N", 2: (51.0, 16.0, 30.0), 3: "E", 4: (0.0, 31.0, 20.0)}
    exif[0x8825] = gps
    return exif


@pytest.fixture
def now():
    return timezone.now().replace(second=0, microsecond=0)


@pytest.fixture
def callum_history(world, now):
    from homeward.interviews.models import Interview
    from homeward.interviews.services import (
        Section, interview_add_person, interview_add_place, interview_allocate, interview_record_completed,
        interview_record_findings, interview_record_offer, interviews_sync,
    )

    start = now - dt.timedelta(days=30)
    earlier = episode_report_missing(actor=world.kent_police, child=world.callum, area_authority=world.kent,
                                     last_seen_at=start, reported_at=start + dt.timedelta(minutes=40),
                                     risk_level="high", postcode="ME15 6AA")
    earlier = episode_record_return(actor=world.kent_police, episode=earlier,
                                    returned_at=start + dt.timedelta(hours=20), found_postcode="ME15 6AA",
                                    found_where="Maidstone East station", found_by="British Transport Police")
    interviews_sync(episode_ids=[earlier.pk], now=start + dt.timedelta(hours=21))
    interview = Interview.objects.get(episode=earlier)
    worker = world.kent_rhi_worker
    interview_allocate(actor=worker, interview=interview, provider=world.rhi_org, worker=worker)
    interview_record_offer(actor=worker, interview=interview, answer="accepted",
                           offered_at=start + dt.timedelta(hours=30), now=start + dt.timedelta(hours=31))
    interview_record_completed(actor=worker, interview=interview, completed_at=start + dt.timedelta(hours=50),
                               venue="Oakview", interviewer=worker, now=start + dt.timedelta(hours=51))
    interview_record_findings(actor=worker, interview=interview, sections={
        "reasons": Section(codes=["boundaries_rules"], text=REASONS_TEXT),
        "exploitation": Section(codes=["cce"], text=CCE_TEXT, shared=True),
    })
    interview_add_place(actor=worker, interview=interview, text="Chatham bus station", postcode="ME4 4AA",
                        kind="transport", shared=True)
    interview_add_place(actor=worker, interview=interview, text="His cousin's flat", postcode="ME5 9AB",
                        kind="address", shared=False)
    interview_add_person(actor=worker, interview=interview, name="Rico", approximate_age=19,
                         description="Drives a grey hatchback", shared=True)
    interview_add_person(actor=worker, interview=interview, name="Aunt Lou", shared=False)
    ChildFlag.objects.create(child=world.callum, flag="cce", source="la:886", note="Strategy meeting held")
    earlier.refresh_from_db()
    return earlier


@pytest.fixture
def callum_missing(world, now, callum_history):
    return episode_report_missing(actor=world.kent_police, child=world.callum, area_authority=world.kent,
                                  last_seen_at=now - dt.timedelta(hours=3), reported_at=now - dt.timedelta(hours=2),
                                  risk_level="high", postcode="ME15 6AA")


@pytest.fixture
def callum_profile(world):
    staff = world.oakview_staff
    philomena_profile_update(
        actor=staff, child=world.callum, height_cm="172", build="slim", hair="Short, dark brown, shaved at the sides",
        eyes="Brown", distinguishing_marks="Scar through the left eyebrow",
        friends_and_associates="Jordan Smith, friend from school\nKayden, older, met in Chatham",
        addresses="Nan's flat, 4 Hill Road, ME7 1AA",
        places_frequented="The skate park, Victoria Gardens, ME4 4AA\nMcDonald's on the High Street",
        phones_and_social_media="07700 900123\nSnapchat: cal_r08",
        medication="Sertraline 50 mg each morning", medical_conditions="Asthma: carries a blue inhaler",
        transport="Bus pass; uses trains to London",
    )
    philomena_photo_upload(actor=staff, child=world.callum, data=image_bytes(600, 800, "JPEG"))
    from homeward.briefing.models import PhilomenaProfile

    return PhilomenaProfile.objects.get(child=world.callum)


@pytest.fixture
def jade_missing(world, now):
    return episode_report_missing(actor=world.oakview_staff, child=world.jade, area_authority=world.kent,
                                  last_seen_at=now - dt.timedelta(hours=5), risk_level="medium",
                                  postcode="ME15 6AA")


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
