"""The audit trail is append-only, at the model and in the database itself."""

import pytest
from django.db import DatabaseError, connection, transaction

from homeward.access.audit import audit_events_search, audit_record
from homeward.access.models import AuditEvent
from homeward.people.selectors import child_get


def test_reading_a_child_writes_an_audit_event_with_who_what_and_which(world):
    before = AuditEvent.objects.count()
    child_get(actor=world.kent_missing_officer, pk=world.ellie.pk)
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.object_type, event.object_id, event.child_id) == ("read", "child", str(world.ellie.pk), world.ellie.pk)
    assert (event.actor_username, event.actor_role, event.actor_organisation) == (
        "kent.missing_officer", "missing_officer", "Kent County Council")


def test_a_refused_read_is_audited_too(world):
    from django.http import Http404

    with pytest.raises(Http404):
        child_get(actor=world.southwark_social_worker, pk=world.ellie.pk)
    assert AuditEvent.objects.filter(action="denied", object_id=str(world.ellie.pk)).exists()


def test_audit_event_cannot_be_changed_or_deleted_through_the_model(world):
    event = audit_record(actor=world.kent_admin, action="read", summary="x")
    event.summary = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == "x"


def test_database_refuses_update_and_delete_of_audit_events(world):
    event = audit_record(actor=world.kent_admin, action="read", summary="kept")
    for sql in ("UPDATE access_auditevent SET summary = 'gone' WHERE id = %s", "DELETE FROM access_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError):
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql, [event.pk])
    with pytest.raises(DatabaseError):
        with transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(summary="gone")
    with pytest.raises(DatabaseError):
        with transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk)._raw_delete(AuditEvent.objects.db)
    assert AuditEvent.objects.get(pk=event.pk).summary == "kept"


def test_only_an_auditor_can_search_the_trail(world):
    child_get(actor=world.kent_missing_officer, pk=world.callum.pk)
    found = audit_events_search(actor=world.kent_auditor, username="kent.missing_officer", action="read")
    assert [e.child_id for e in found] == [world.callum.pk]
    for persona in (world.kent_admin, world.kent_senior_manager, world.kent_analyst):
        assert list(audit_events_search(actor=persona)) == []
