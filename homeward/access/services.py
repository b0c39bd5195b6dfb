"""Writes to organisations, users, memberships and API tokens."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from homeward.problems import Problem, Refused

from .audit import audit_record
from .models import ApiToken, AuditEvent, Membership, Organisation, User
from .roles import Role


@transaction.atomic
def user_create(
    *, actor, username: str, password: str | None, organisation: Organisation, role: str,
    first_name: str = "", last_name: str = "", email: str = "",
) -> User:
    if role not in Role.values:
        raise Refused(Problem("role", f"'{role}' is not a role ({', '.join(Role.values)})"))
    if User.objects.filter(username__iexact=username).exists():
        raise Refused(Problem("username", f"A user called {username} already exists"))
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, organisation=organisation, role=role)
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=user, summary=f"Created user {username} as {role}")
    return user


@transaction.atomic
def token_create(*, actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token. The raw token is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise Refused(Problem("name", "Give the token a name, so you can tell it apart later"))
    raw = ApiToken.new_raw_token()
    token = ApiToken.objects.create(user=user, name=name[:100], key_hash=ApiToken.hash(raw), hint=raw[:10])
    audit_record(actor=actor, action=AuditEvent.Action.TOKEN, obj=token, summary=f"Created API token '{token.name}' for {user.username}")
    return token, raw


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action=AuditEvent.Action.TOKEN, obj=token, summary=f"Revoked API token '{token.name}'")
    return token
