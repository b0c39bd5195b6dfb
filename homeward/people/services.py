"""Writes to children's records. Each validates, saves and audits in one transaction."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from homeward.access.audit import audit_record
from homeward.access.models import AuditEvent
from homeward.problems import Problem, Refused

from .models import Child, ChildAlias, ChildFlag, ChildIdentifier, Flag, Sex


def _check_child_fields(first_name: str, last_name: str, dob: date | None, sex: str) -> list[Problem]:
    problems = []
    if not first_name.strip():
        problems.append(Problem("first_name", "Enter the child's first name"))
    if not last_name.strip():
        problems.append(Problem("last_name", "Enter the child's last name"))
    if dob is None:
        problems.append(Problem("dob", "Enter the child's date of birth"))
    elif dob > timezone.localdate():
        problems.append(Problem("dob", "Date of birth must be in the past"))
    if sex not in ("",) + tuple(Sex.values):
        problems.append(Problem("sex", "Sex must be M, F, U or blank"))
    return problems


@transaction.atomic
def child_create(
    *,
    actor,
    first_name: str,
    last_name: str,
    dob: date,
    sex: str = "",
    ethnicity: str = "",
    responsible_authority=None,
    home_authority=None,
    home_postcode: str = "",
    audit: bool = True,
) -> Child:
    problems = _check_child_fields(first_name, last_name, dob, sex)
    if problems:
        raise Refused(problems)
    child = Child.objects.create(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        dob=dob,
        sex=sex,
        ethnicity=ethnicity,
        responsible_authority=responsible_authority,
        home_authority=home_authority,
        home_postcode=home_postcode,
    )
    if audit:
        audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=child, child_id=child.pk, summary="Created a child's record")
    return child


def child_ensure_identifier(*, child: Child, kind: str, authority, value: str) -> ChildIdentifier:
    ident, _ = ChildIdentifier.objects.get_or_create(
        kind=kind, authority=authority, value=value, defaults={"child": child}
    )
    return ident


def child_ensure_alias(*, child: Child, first_name: str, last_name: str, source: str) -> None:
    first_name, last_name = first_name.strip(), last_name.strip()
    if (first_name.casefold(), last_name.casefold()) == (child.first_name.casefold(), child.last_name.casefold()):
        return
    ChildAlias.objects.get_or_create(child=child, first_name=first_name, last_name=last_name, defaults={"source": source})


@transaction.atomic
def child_add_flag(
    *, actor, child: Child, flag: str, source: str, start_date: date | None = None, note: str = "", audit: bool = True
) -> ChildFlag:
    if flag not in Flag.values:
        raise Refused(Problem("flag", f"'{flag}' is not a known flag"))
    start_date = start_date or timezone.localdate()
    existing = ChildFlag.objects.filter(child=child, flag=flag, end_date__isnull=True).first()
    if existing is not None:
        return existing
    record = ChildFlag.objects.create(
        child=child,
        flag=flag,
        source=source,
        start_date=start_date,
        note=note,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    if audit:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=record,
            child_id=child.pk,
            summary=f"Raised flag {flag}",
            payload={"flag": flag, "source": source},
        )
    return record
