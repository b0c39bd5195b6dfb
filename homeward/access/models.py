"""Organisations, people, their roles, personal API tokens, and the audit trail."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from .roles import OrganisationKind, Role


class Organisation(models.Model):
    """A council, police force, return-interview provider, care provider, ..."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    # A council belongs to one authority; other organisations may serve several.
    authority = models.ForeignKey(
        "placements.Authority", null=True, blank=True, on_delete=models.PROTECT, related_name="organisations"
    )
    # The authorities a police force (or a commissioned provider) covers.
    areas = models.ManyToManyField("placements.Authority", blank=True, related_name="serving_organisations")
    # A police force's slug as used in notification sources (police:<slug>).
    police_force = models.SlugField(max_length=50, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def authority_codes(self) -> list[str]:
        codes = {a.code for a in self.areas.all()}
        if self.authority_id:
            codes.add(self.authority.code)
        return sorted(codes)


class User(AbstractUser):
    """A person who signs in. What they may see comes from their membership."""

    def __str__(self) -> str:
        return self.username

    @property
    def membership(self) -> "Membership | None":
        # One active membership per user: the organisation and role they act in.
        cached = getattr(self, "_membership_cache", False)
        if cached is False:
            cached = (
                Membership.objects.select_related("organisation", "organisation__authority")
                .filter(user=self, active=True)
                .first()
            )
            self._membership_cache = cached
        return cached

    @property
    def role(self) -> str | None:
        m = self.membership
        return m.role if m else None

    @property
    def organisation(self) -> Organisation | None:
        m = self.membership
        return m.organisation if m else None


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(active=True), name="one_active_membership_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.organisation}"


class ApiToken(models.Model):
    """A personal API token. Only a hash is stored; the token is shown once."""

    PREFIX = "hw_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)  # first characters, to tell tokens apart
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    @classmethod
    def new_raw_token(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class AuditEvent(models.Model):
    """One thing somebody did or saw. Append-only.

    The table is protected at three levels: the model refuses to save an
    existing row or delete one; the database itself refuses UPDATE and DELETE
    through triggers (migration 0002); and no page, API route or command
    offers either.
    """

    class Action(models.TextChoices):
        READ = "read", "Read"
        LIST = "list", "List"
        CREATE = "create", "Create"
        UPDATE = "update", "Update"
        EXPORT = "export", "Export"
        IMPORT = "import", "Import"
        LOGIN = "login", "Sign in"
        LOGOUT = "logout", "Sign out"
        LOGIN_FAILED = "login_failed", "Failed sign in"
        TOKEN = "token", "API token"
        DENIED = "denied", "Refused"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # Who: kept as plain values, not a foreign key, so that nothing about a
    # user (even deleting them) can ever rewrite what they did.
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    actor_organisation = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=50, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    child_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    summary = models.CharField(max_length=300, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    # From where: web, api or cli, with address and agent for web and api.
    via = models.CharField(max_length=10, default="web")
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be deleted.")
