"""Writes to the Philomena profile, its photo and the missing details.

Each service takes `actor` as a keyword, checks who may do it
(homeward/briefing/access.py), validates, saves and audits in one
transaction, and raises `Refused` (field + reason) before storing anything.

- `philomena_profile_update`: change any of the profile's fields (those not
  given stay as they are). A change makes a new version; saving with nothing
  changed makes none.
- `philomena_photo_upload`, `philomena_photo_remove`: the photo (checked and
  re-encoded by photos.clean_photo); each is a new version too.
- `missing_details_record`: the second part, for an episode.

`expected_version` guards against two people changing the profile at once:
a form sends the version it showed, and a save over a newer one is refused.

Nothing here writes what the profile says into the audit trail: the trail
says who changed which field of which child's profile, not the contents.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.problems import Problem, Refused

from . import access, rules
from .models import (
    FIELD_LABELS, PROFILE_FIELDS, PROFILE_LIST_FIELDS, Build, MissingDetails, PhilomenaPhoto, PhilomenaProfile,
    PhilomenaProfileVersion,
)
from .photos import clean_photo

__all__ = ["missing_details_record", "philomena_photo_remove", "philomena_photo_upload", "philomena_profile_update"]


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset()


def _require_keeper(actor, child) -> None:
    if actor is None or not access.can_keep_profile(actor, child):
        raise Refused(Problem("__all__", "Only the child's carers, social worker or the children missing officer "
                                         "of the responsible authority can change this profile"))


def _locked_profile(child) -> PhilomenaProfile:
    """The child's profile, locked for the change (made, empty, if there is none)."""
    profile, _ = PhilomenaProfile.objects.get_or_create(child=child)
    return PhilomenaProfile.objects.select_for_update().get(pk=profile.pk)


def _check_version(profile: PhilomenaProfile, expected_version) -> None:
    if expected_version is None or expected_version is UNSET:
        return
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        raise Refused(Problem("version", "The form was not complete: open the profile again")) from None
    if expected != profile.version:
        raise Refused(Problem("version", f"Someone else changed the profile while you were working on it (it is "
                                         f"now version {profile.version}): open it again to see their changes, "
                                         "then make yours"))


def _new_version(profile: PhilomenaProfile, *, actor, before: dict, now: datetime) -> PhilomenaProfileVersion | None:
    after = profile.snapshot()
    changed = rules.changed_fields(before, after)
    if not changed:
        return None
    profile.version += 1
    profile.updated_at = now
    profile.updated_by = actor
    profile.save()
    membership = getattr(actor, "membership", None)
    version = PhilomenaProfileVersion.objects.create(
        profile=profile, version=profile.version, data=after, changed=changed, photo_id=profile.photo_id,
        made_by=actor, made_by_username=getattr(actor, "username", "") or "",
        made_by_role=membership.role if membership else "",
        made_by_organisation=membership.organisation.name if membership else "", made_at=now,
    )
    return version


def _validate_profile(values: dict) -> tuple[dict, list[Problem]]:
    """The typed values cleaned, and the problems with them."""
    problems: list[Problem] = []
    clean: dict = {}
    for name, value in values.items():
        label = FIELD_LABELS[name]
        if name == "height_cm":
            number, problem = rules.parse_height(value)
            if problem:
                problems.append(Problem(name, problem))
            clean[name] = number
        elif name == "build":
            value = (value or "").strip()
            if value and value not in Build.values:
                problems.append(Problem(name, "Choose the child's build from the list"))
            clean[name] = value
        elif name in PROFILE_LIST_FIELDS:
            lines = rules.split_lines(value)
            problems += rules.check_lines(name, label, lines)
            clean[name] = lines
        else:
            text = (value or "").strip() if isinstance(value, str) or value is None else None
            if text is None:
                problems.append(Problem(name, f"{label} must be text"))
                continue
            problems += rules.check_text(name, label, text, rules.MAX_SHORT.get(name, rules.MAX_TEXT))
            clean[name] = text
    return clean, problems


def philomena_profile_update(
    *,
    actor,
    child,
    expected_version=UNSET,
    height_cm=UNSET,
    build=UNSET,
    hair=UNSET,
    eyes=UNSET,
    distinguishing_marks=UNSET,
    friends_and_associates=UNSET,
    addresses=UNSET,
    places_frequented=UNSET,
    phones_and_social_media=UNSET,
    medication=UNSET,
    medical_conditions=UNSET,
    transport=UNSET,
) -> PhilomenaProfile:
    """Change the profile's fields given (lists: one entry a line, as text or
    a list). The previous version stays, with who made it and when."""
    _require_keeper(actor, child)
    given = {name: value for name, value in locals().items() if name in PROFILE_FIELDS and value is not UNSET}
    clean, problems = _validate_profile(given)
    if problems:
        raise Refused(problems)
    with transaction.atomic():
        profile = _locked_profile(child)
        _check_version(profile, expected_version)
        before = profile.snapshot()
        for name, value in clean.items():
            setattr(profile, name, value)
        version = _new_version(profile, actor=actor, before=before, now=timezone.now())
        if version is not None:
            audit_record(actor=actor, action=AuditEvent.Action.CREATE if version.version == 1 else
                         AuditEvent.Action.UPDATE, obj=profile, child_id=child.pk,
                         summary="Changed the Philomena profile" if version.version > 1 else
                         "Made the Philomena profile",
                         payload={"version": version.version, "changed": version.changed})
    return profile


def philomena_photo_upload(*, actor, child, data: bytes | None, expected_version=UNSET) -> PhilomenaPhoto:
    """A new photo for the profile: checked, re-encoded without its metadata,
    stored in the database. The photo it replaces is kept with its version."""
    _require_keeper(actor, child)
    photo = clean_photo(data)
    with transaction.atomic():
        profile = _locked_profile(child)
        _check_version(profile, expected_version)
        before = profile.snapshot()
        now = timezone.now()
        stored = PhilomenaPhoto.objects.create(
            child=child, data=photo.data, content_type=photo.content_type, width=photo.width, height=photo.height,
            size_bytes=len(photo.data), sha256=photo.sha256, original_format=photo.original_format,
            uploaded_by=actor, uploaded_at=now,
        )
        profile.photo = stored
        version = _new_version(profile, actor=actor, before=before, now=now)
        audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=stored, child_id=child.pk,
                     summary="Uploaded a photo to the Philomena profile",
                     payload={"version": version.version if version else profile.version, "width": photo.width,
                              "height": photo.height, "bytes": len(photo.data),
                              "uploaded_as": photo.original_format})
    return stored


def philomena_photo_remove(*, actor, child, expected_version=UNSET) -> PhilomenaProfile:
    """Take the photo off the profile (a photo of the wrong child, say). It
    stays with the earlier versions that showed it."""
    _require_keeper(actor, child)
    with transaction.atomic():
        profile = _locked_profile(child)
        _check_version(profile, expected_version)
        if profile.photo_id is None:
            raise Refused(Problem("photo", "The profile has no photo to remove"))
        before = profile.snapshot()
        removed = profile.photo_id
        profile.photo = None
        version = _new_version(profile, actor=actor, before=before, now=timezone.now())
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=profile, child_id=child.pk,
                     summary="Removed the photo from the Philomena profile",
                     payload={"version": version.version, "photo": removed})
    return profile


MISSING_FIELDS = {
    "clothing": "What they were wearing",
    "last_seen_where": "Where they were last seen",
    "with_whom": "Who they were with",
    "other_information": "Any other information",
}


def missing_details_record(
    *,
    actor,
    episode,
    clothing: str = "",
    last_seen_where: str = "",
    last_seen_at: datetime | None = None,
    with_whom: str = "",
    other_information: str = "",
    now: datetime | None = None,
) -> MissingDetails:
    """The second part for this episode: clothing, where and when last seen,
    with whom, anything else. Recording again keeps what was said before."""
    child = episode.child
    if actor is None or not access.can_record_missing_details(actor, episode):
        raise Refused(Problem("__all__", "Only the child's carers, social worker or the children missing officer "
                                         "can add the details of this episode"))
    now = now or timezone.now()
    values = {"clothing": clothing, "last_seen_where": last_seen_where, "with_whom": with_whom,
              "other_information": other_information}
    problems: list[Problem] = []
    for name, value in list(values.items()):
        if value is not None and not isinstance(value, str):
            problems.append(Problem(name, f"{MISSING_FIELDS[name]} must be text"))
            continue
        values[name] = (value or "").strip()
        problems += rules.check_text(name, MISSING_FIELDS[name], values[name],
                                     rules.MAX_SHORT.get(name, rules.MAX_TEXT))
    if last_seen_at is not None and (not isinstance(last_seen_at, datetime) or last_seen_at.tzinfo is None):
        problems.append(Problem("last_seen_at", "The time the child was last seen must be a date and time "
                                                "with its time zone"))
    else:
        problems += rules.check_last_seen(last_seen_at, now=now, dob=child.dob, returned_at=episode.returned_at)
    if not problems and not any(values.values()) and last_seen_at is None:
        problems.append(Problem("clothing", "Enter what the child was wearing, where and when they were last seen, "
                                            "who they were with, or anything else that will help find them"))
    if problems:
        raise Refused(problems)
    with transaction.atomic():
        earlier = MissingDetails.objects.select_for_update().filter(episode=episode).order_by("-revision").first()
        details = MissingDetails.objects.create(
            episode=episode, episode_number=episode.pk, episode_started_at=episode.started_at, child=child,
            revision=(earlier.revision + 1) if earlier else 1, last_seen_at=last_seen_at,
            recorded_by=actor, recorded_by_username=getattr(actor, "username", "") or "", recorded_at=now,
            **values,
        )
        audit_record(actor=actor, action=AuditEvent.Action.CREATE if details.revision == 1 else
                     AuditEvent.Action.UPDATE, obj=details, child_id=child.pk,
                     summary="Recorded the details of a missing episode (Philomena part 2)",
                     payload={"episode": episode.pk, "revision": details.revision,
                              "given": sorted([n for n, v in values.items() if v]
                                              + (["last_seen_at"] if last_seen_at else []))})
    return details
