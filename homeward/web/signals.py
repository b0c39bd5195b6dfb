"""Signing in and out leaves an audit event, whether it worked or not."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent


def signed_in(sender, request, user, **kwargs):
    audit_record(actor=user, action=AuditEvent.Action.LOGIN, object_type="user", object_id=user.pk,
                 summary="Signed in")


def signed_out(sender, request, user, **kwargs):
    if user is None:
        return
    audit_record(actor=user, action=AuditEvent.Action.LOGOUT, object_type="user", object_id=user.pk,
                 summary="Signed out")


def sign_in_failed(sender, credentials, request=None, **kwargs):
    # Django has already blanked the password; keep only the username tried.
    username = str(credentials.get("username", "") or "")[:150]
    known = get_user_model().objects.filter(username__iexact=username).first() if username else None
    audit_record(
        actor=None,
        action=AuditEvent.Action.LOGIN_FAILED,
        object_type="user",
        object_id=known.pk if known else "",
        summary=f"Failed sign in as '{username[:100]}'",
        payload={"username": username},
    )


def connect() -> None:
    user_logged_in.connect(signed_in, dispatch_uid="homeward.web.signed_in")
    user_logged_out.connect(signed_out, dispatch_uid="homeward.web.signed_out")
    user_login_failed.connect(sign_in_failed, dispatch_uid="homeward.web.sign_in_failed")
