"""Philomena profiles for the demo's looked-after children (synthetic).

The demo (homeward/demo.py, after its data is loaded) calls

    from homeward.briefing.demo import demo_profiles
    demo_profiles(out)

to give a few looked-after children in each demo authority a profile, kept
by the care staff of the home they are placed in (or the children missing
officer of the responsible authority), through the same services as the
pages, so every one is versioned and audited. Children missing now come
first, so that their briefing has a profile to show. The photo is a drawn
silhouette on a coloured background, labelled as an example: never a face.

Idempotent: once `count` children have a profile, it makes no more (and a
child who has one is left alone).
"""

from __future__ import annotations

import io
import random

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from homeward.access.models import Membership
from homeward.access.roles import Role
from homeward.episodes.models import Episode
from homeward.people.models import Child
from homeward.placements.models import Placement
from homeward.synth.names import FEMALE_FIRST, MALE_FIRST, SURNAMES

from .models import PhilomenaProfile
from .services import missing_details_record, philomena_photo_upload, philomena_profile_update

HAIR = ("Short, dark brown", "Long, blonde, usually tied back", "Black, braided", "Ginger, curly, shoulder length",
        "Light brown, shaved at the sides", "Dyed red, bob length", "Dark, cropped close")
EYES = ("Brown", "Blue", "Green", "Hazel", "Grey")
MARKS = ("Small scar above the right eyebrow", "Pierced ears", "Tattoo of a star on the left wrist",
         "Freckles across the nose", "Birthmark on the back of the neck", "")
BUILDS = ("slim", "medium", "athletic", "stocky")
PLACES = ("Bus station in the town centre", "The skate park by the river", "McDonald's on the High Street",
          "Retail park, outside the cinema", "The train station, platform cafe", "Friend's house near the school")
TRANSPORT = ("Bus pass; sometimes gets lifts from older friends", "Bike (black BMX)", "Walks; uses trains to London",
             "Buses; has been found on trains without a ticket")
MEDICATION = ("", "", "Salbutamol inhaler when needed", "Melatonin at night")
CONDITIONS = ("", "Asthma", "ADHD", "Anxiety; has self-harmed when distressed")
CLOTHING = ("Black hoodie, grey joggers, white trainers", "Blue denim jacket, black jeans, red backpack",
            "School uniform, dark coat", "Green puffer jacket, black leggings, white trainers")

BACKGROUNDS = ((214, 226, 238), (226, 232, 220), (238, 228, 214), (228, 222, 236))


def silhouette(seed: int, width: int = 480, height: int = 600) -> bytes:
    """A placeholder 'photo': a plain silhouette of head and shoulders, drawn
    with Pillow and labelled as an example, as a PNG."""
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), BACKGROUNDS[seed % len(BACKGROUNDS)])
    draw = ImageDraw.Draw(image)
    shade = rng.randint(60, 110)
    figure = (shade, shade + 5, shade + 12)
    cx = width // 2
    head_w, head_h = int(width * 0.30), int(height * 0.32)
    top = int(height * 0.18)
    draw.ellipse((cx - head_w // 2, top, cx + head_w // 2, top + head_h), fill=figure)
    neck_top = top + head_h - 10
    draw.rectangle((cx - head_w // 5, neck_top, cx + head_w // 5, neck_top + int(height * 0.08)), fill=figure)
    shoulders_top = neck_top + int(height * 0.06)
    draw.ellipse((int(width * 0.10), shoulders_top, int(width * 0.90), shoulders_top + int(height * 0.55)),
                 fill=figure)
    try:
        font = ImageFont.load_default(size=max(14, width // 22))
    except TypeError:  # an older Pillow without scalable default fonts
        font = ImageFont.load_default()
    draw.rectangle((0, height - 44, width, height), fill=(255, 255, 255))
    draw.text((cx, height - 22), "Example image: not a photo", fill=(11, 12, 12), font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _keeper(child, placement):
    """Someone who may keep the child's profile: the home's care staff, else
    the responsible authority's missing officer."""
    if placement is not None and placement.provider_id and placement.provider.organisation_id:
        membership = (Membership.objects.filter(organisation_id=placement.provider.organisation_id,
                                                role=Role.CARE_STAFF, active=True).select_related("user").first())
        if membership is not None:
            return membership.user
    if child.responsible_authority_id:
        membership = (Membership.objects.filter(organisation__authority_id=child.responsible_authority_id,
                                                role=Role.MISSING_OFFICER, active=True).select_related("user")
                      .first())
        if membership is not None:
            return membership.user
    return None


def _cared_for_by_staff(placement) -> bool:
    return bool(placement is not None and placement.provider_id and placement.provider.organisation_id)


def _candidates(limit: int) -> list[tuple[Child, Placement]]:
    today = timezone.localdate()
    open_placements = Placement.objects.filter(child=OuterRef("pk"), start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=today))
    children = (Child.objects.filter(merged_into__isnull=True, responsible_authority__isnull=False,
                                     philomena_profile__isnull=True)
                .filter(Exists(open_placements))
                .annotate(missing_now=Exists(Episode.objects.filter(child=OuterRef("pk"), returned_at__isnull=True)),
                          episode_count=Count("episodes"))
                .order_by("-missing_now", "-episode_count", "pk")[:limit])
    found = []
    for child in children:
        placement = (Placement.objects.filter(child=child, start_date__lte=today)
                     .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
                     .select_related("provider").order_by("-start_date").first())
        found.append((child, placement))
    # Missing now first; then children in a home whose staff use Homeward.
    found.sort(key=lambda cp: (not cp[0].missing_now, not _cared_for_by_staff(cp[1])))
    return found


def demo_profiles(out=None, *, count: int = 8) -> int:
    """Profiles for looked-after children (missing now first) until `count`
    children have one. Returns how many were made."""
    made = 0
    wanted = count - PhilomenaProfile.objects.filter(version__gt=0).count()
    for child, placement in (_candidates(count * 10) if wanted > 0 else []):
        if made >= wanted:
            break
        actor = _keeper(child, placement)
        if actor is None or PhilomenaProfile.objects.filter(child=child, version__gt=0).exists():
            continue
        rng = random.Random(child.pk)
        first = rng.choice(FEMALE_FIRST if child.sex == "F" else MALE_FIRST)
        age = child.age_on(timezone.localdate())
        base = 150 if age < 14 else 160
        philomena_profile_update(
            actor=actor, child=child, height_cm=base + rng.randint(0, 25), build=rng.choice(BUILDS),
            hair=rng.choice(HAIR), eyes=rng.choice(EYES), distinguishing_marks=rng.choice(MARKS),
            friends_and_associates=[f"{first} {rng.choice(SURNAMES)}, friend from school",
                                    f"{rng.choice(MALE_FIRST)}, older, met in town"],
            addresses=[f"Grandparent's flat, {rng.randint(1, 90)} Station Road"],
            places_frequented=rng.sample(PLACES, 2),
            phones_and_social_media=[f"07700 900{rng.randint(100, 999)}", f"Snapchat: {child.first_name.lower()}"
                                                                           f"_{rng.randint(10, 99)}"],
            medication=rng.choice(MEDICATION), medical_conditions=rng.choice(CONDITIONS),
            transport=rng.choice(TRANSPORT),
        )
        philomena_photo_upload(actor=actor, child=child, data=silhouette(child.pk))
        episode = Episode.objects.filter(child=child, returned_at__isnull=True).first()
        if episode is not None:
            from homeward.briefing.access import can_record_missing_details

            if can_record_missing_details(actor, episode):
                missing_details_record(actor=actor, episode=episode, clothing=rng.choice(CLOTHING),
                                       last_seen_where="Leaving the home by the front door",
                                       other_information="Took a phone charger and some money")
        made += 1
    if out is not None:
        out.write(f"Philomena profiles made for {made} looked-after children.")
    return made
