"""The Philomena profile and police briefing pages.

Plain function views, as in views.py: everything is read through
homeward.briefing.selectors (scoped, 404 for anyone who may not read it,
audited) and written through homeward.briefing.services (validated,
audited, `Refused` naming each field).

Pages: a child's profile (with its versions and previous episodes), the
form to change it, the photo upload, one earlier version, the photo itself
(served only here, never as a static file), the missing details of an
episode, and the briefing of an episode as a page and as a PDF.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from homeward.briefing import document, photos
from homeward.briefing import present as bp
from homeward.briefing.models import Build, PhilomenaProfile
from homeward.briefing.selectors import (
    briefing_get, missing_details_for_change, photo_get, profile_for_change, profile_get, profile_version_get,
)
from homeward.briefing.services import (
    missing_details_record, philomena_photo_remove, philomena_photo_upload, philomena_profile_update,
)
from homeward.problems import Refused

from .forms import DateTimeInput, Errors, attach
from .present import link

PROFILE_FORM_FIELDS = (
    "height_cm", "build", "hair", "eyes", "distinguishing_marks", "friends_and_associates", "addresses",
    "places_frequented", "phones_and_social_media", "medication", "medical_conditions", "transport",
)
BUILD_CHOICES = [("", "Not known")] + [(value, label) for value, label in Build.choices]


def _add_problems(errors: Errors, refused: Refused) -> None:
    for problem in refused.problems:
        if problem.field in ("version", "__all__"):
            errors.add("__all__", problem.message)
        else:
            errors.add(problem.field, problem.message)


def _photo_url(child, photo) -> str:
    return reverse("web:briefing_photo", args=[child.pk, photo.pk]) if photo is not None else ""


def _display_height(photo, width: int = 240) -> int:
    return round(width * photo.height / photo.width) if photo is not None and photo.width else 0


def _version_rows(read) -> list[list]:
    rows = bp.version_rows(read.versions)
    for row, v in zip(rows, read.versions):
        row[0] = link(reverse("web:briefing_profile_version", args=[read.child.pk, v.version]), f"Version {v.version}")
    return rows


# --- the profile ----------------------------------------------------------------------------------------


@login_required
@require_GET
def profile(request, pk: int):
    read = profile_get(actor=request.user, child_pk=pk)
    data = read.profile.snapshot() if read.profile is not None else {}
    return render(request, "web/briefing/profile.html", {
        "read": read,
        "child": read.child,
        "photo": read.photo,
        "photo_url": _photo_url(read.child, read.photo),
        "photo_height": _display_height(read.photo),
        "description_rows": bp.description_rows(data),
        "contacts_rows": bp.contacts_rows(data),
        "health_rows": bp.health_rows(data),
        "episode_rows": bp.previous_rows(read.episodes),
        "version_rows": _version_rows(read),
        "versions": read.versions,
    })


def _profile_form_values(profile: PhilomenaProfile | None) -> dict:
    if profile is None:
        return {name: "" for name in PROFILE_FORM_FIELDS}
    values = {}
    for name in PROFILE_FORM_FIELDS:
        value = getattr(profile, name)
        if isinstance(value, list):
            value = "\n".join(value)
        values[name] = "" if value is None else str(value)
    return values


@login_required
@require_http_methods(["GET", "POST"])
def profile_change(request, pk: int):
    read = profile_for_change(actor=request.user, child_pk=pk)
    child = read.child
    errors = Errors(first_field="height_cm")
    form = _profile_form_values(read.profile)
    version = str(read.version)
    if request.method == "POST":
        form = {name: (request.POST.get(name) or "")[:20000] for name in PROFILE_FORM_FIELDS}
        version = (request.POST.get("version") or "").strip()[:10]
        try:
            before = read.version
            saved = philomena_profile_update(actor=request.user, child=child, expected_version=version or None,
                                             **form)
        except Refused as refused:
            _add_problems(errors, refused)
        else:
            if saved.version == before:
                messages.success(request, "Nothing was changed")
            else:
                messages.success(request, f"{child.first_name}’s profile is saved (version {saved.version})")
            return redirect("web:briefing_profile", pk=child.pk)
    return render(request, "web/briefing/profile_form.html", {
        "child": child, "read": read, "form": form, "version": version, "errors": errors,
        "build_choices": BUILD_CHOICES,
    }, status=400 if errors else 200)


class PhotoSizeLimit(FileUploadHandler):
    """Stops reading an uploaded file once it is larger than a photo may be,
    so that a huge upload is never written to disk whole."""

    def __init__(self, request=None):
        super().__init__(request)
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > photos.MAX_BYTES:
            self.too_large = True
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None


@login_required
@csrf_exempt  # the check is made by _photo_upload, once the size limit is in place
def photo_upload(request, pk: int):
    limit = PhotoSizeLimit(request)
    request.upload_handlers.insert(0, limit)
    return _photo_upload(request, pk, limit)


@csrf_protect
@require_http_methods(["GET", "POST"])
def _photo_upload(request, pk: int, limit: PhotoSizeLimit):
    read = profile_for_change(actor=request.user, child_pk=pk)
    child = read.child
    errors = Errors(first_field="photo")
    if request.method == "POST":
        upload = request.FILES.get("photo")
        if limit.too_large:
            errors.add("photo", f"The photo must be smaller than {photos.MAX_BYTES // (1024 * 1024)} MB")
        else:
            try:
                philomena_photo_upload(actor=request.user, child=child,
                                       data=upload.read(photos.MAX_BYTES + 1) if upload is not None else None,
                                       expected_version=(request.POST.get("version") or "").strip()[:10] or None)
            except Refused as refused:
                _add_problems(errors, refused)
            else:
                messages.success(request, f"The photo of {child.first_name} is saved")
                return redirect("web:briefing_profile", pk=child.pk)
    return render(request, "web/briefing/photo_form.html", {
        "child": child, "read": read, "errors": errors, "version": read.version,
        "photo": read.photo, "photo_url": _photo_url(child, read.photo), "photo_height": _display_height(read.photo),
        "max_mb": photos.MAX_BYTES // (1024 * 1024), "min_side": photos.MIN_SIDE,
    }, status=400 if errors else 200)


@login_required
@require_POST
def photo_remove(request, pk: int):
    read = profile_for_change(actor=request.user, child_pk=pk)
    try:
        philomena_photo_remove(actor=request.user, child=read.child,
                               expected_version=(request.POST.get("version") or "").strip()[:10] or None)
    except Refused as refused:
        messages.error(request, refused.problems[0].message)
        return redirect("web:briefing_photo_upload", pk=read.child.pk)
    messages.success(request, "The photo is removed from the profile")
    return redirect("web:briefing_profile", pk=read.child.pk)


@login_required
@require_GET
def photo(request, pk: int, photo_pk: int):
    image = photo_get(actor=request.user, child_pk=pk, photo_pk=photo_pk)
    response = HttpResponse(bytes(image.data), content_type=image.content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'inline; filename="photo-{image.pk}.jpg"'
    response["Content-Length"] = str(len(image.data))
    return response


@login_required
@require_GET
def profile_version(request, pk: int, version: int):
    read, found = profile_version_get(actor=request.user, child_pk=pk, version=version)
    return render(request, "web/briefing/profile_version.html", {
        "read": read, "child": read.child, "v": found,
        "photo_url": _photo_url(read.child, found.photo), "photo_height": _display_height(found.photo),
        "description_rows": bp.description_rows(found.data),
        "contacts_rows": bp.contacts_rows(found.data),
        "health_rows": bp.health_rows(found.data),
        "current": read.version,
    })


# --- the second part: an episode's details ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def missing_details(request, pk: int):
    episode, details = missing_details_for_change(actor=request.user, episode_pk=pk)
    child = episode.child
    last_seen = DateTimeInput("last_seen", "When did you last see them?", "the child was last seen", required=False,
                              hint="Leave blank if you do not know. For example, 27 3 2025 and 21:30 "
                                   "(24-hour clock, UK time)")
    fields = ("clothing", "last_seen_where", "with_whom", "other_information")
    form = {name: getattr(details, name) if details is not None else "" for name in fields}
    last_seen.initial(details.last_seen_at if details is not None else None)
    errors = Errors(anchors={"last_seen": "last_seen-day"}, first_field="clothing")
    if request.method == "POST":
        form = {name: (request.POST.get(name) or "")[:20000] for name in fields}
        last_seen.bind(request.POST)
        last_seen_at = last_seen.clean(errors)
        if not errors:
            try:
                missing_details_record(actor=request.user, episode=episode, last_seen_at=last_seen_at, **form)
            except Refused as refused:
                errors.add_problems(refused.problems)
            else:
                messages.success(request, f"The details of {child.first_name}’s episode are saved")
                return redirect("web:episode", pk=episode.pk)
        attach(errors, last_seen)
    return render(request, "web/briefing/missing_details_form.html", {
        "episode": episode, "child": child, "details": details, "form": form, "last_seen": last_seen,
        "errors": errors,
    }, status=400 if errors else 200)


# --- the briefing ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def briefing_page(request, pk: int):
    briefing = briefing_get(actor=request.user, episode_pk=pk)
    return render(request, "web/briefing/briefing.html", {
        **document.context(briefing, photo_url=_photo_url(briefing.child, briefing.photo)),
        "episode": briefing.episode,
        "child": briefing.child,
    })


@login_required
@require_GET
def briefing_pdf(request, pk: int):
    briefing = briefing_get(actor=request.user, episode_pk=pk, export=True)
    printed = document.briefing_pdf(briefing)
    response = HttpResponse(printed.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename(briefing)}"'
    response["Cache-Control"] = "private, no-store"
    return response
