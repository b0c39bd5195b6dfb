"""Sending messages: the GOV.UK Notify backend (no network), the claim, the worker thread."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.utils import timezone

from homeward.protocol import delivery, engine
from homeward.protocol.models import OutboundMessage, Task

from .conftest import evaluate, report

pytestmark = pytest.mark.django_db

SERVICE = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
KEY = f"homeward_test-{SERVICE}-{SECRET}"


class Answer:
    def __init__(self, body: bytes):
        self.body = body

    def read(self):
        return self.body

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def unpad(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_the_notify_backend_posts_the_message_with_a_signed_token(contacts, now, monkeypatch, settings):
    settings.HOMEWARD_MESSAGE_BACKEND = "homeward.protocol.delivery.NotifyBackend"
    settings.HOMEWARD_NOTIFY_API_KEY = KEY
    settings.HOMEWARD_NOTIFY_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
    sent = []

    def urlopen(request, timeout):
        sent.append(request)
        return Answer(b'{"id": "740e5834-3a29-46b4-9a6f-16142fde533a"}')

    monkeypatch.setattr(delivery.urllib.request, "urlopen", urlopen)
    evaluate(report(contacts, contacts.jade, last_seen=now - dt.timedelta(hours=1)))
    engine.run_schedule()
    message = OutboundMessage.objects.get()
    assert message.state == "sent" and message.provider_reference == "740e5834-3a29-46b4-9a6f-16142fde533a"
    [request] = sent
    assert request.full_url == "https://api.notifications.service.gov.uk/v2/notifications/email"
    payload = json.loads(request.data)
    assert payload["email_address"] == "missing.children@southwark.example"
    assert payload["reference"] == message.cause_key
    assert payload["personalisation"] == {"subject": message.subject, "body": message.body}
    header, claims, signature = request.get_header("Authorization").removeprefix("Bearer ").split(".")
    assert json.loads(unpad(claims))["iss"] == SERVICE and json.loads(unpad(header))["alg"] == "HS256"
    expected = hmac.new(SECRET.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    assert unpad(signature) == expected


def test_notify_refusing_a_message_leaves_it_queued_with_the_reason(contacts, now, monkeypatch, settings):
    import urllib.error

    settings.HOMEWARD_MESSAGE_BACKEND = "homeward.protocol.delivery.NotifyBackend"
    settings.HOMEWARD_NOTIFY_API_KEY = KEY
    settings.HOMEWARD_NOTIFY_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"

    def urlopen(request, timeout):
        raise urllib.error.HTTPError(request.full_url, 400, "Bad Request", {}, __import__("io").BytesIO(
            b'{"errors": [{"error": "BadRequestError", "message": "Missing personalisation"}]}'))

    monkeypatch.setattr(delivery.urllib.request, "urlopen", urlopen)
    evaluate(report(contacts, contacts.jade, last_seen=now - dt.timedelta(hours=1)))
    engine.run_schedule()
    message = OutboundMessage.objects.get()
    assert message.state == "queued" and "answered 400" in message.last_error and message.attempts == 1


def test_a_misconfigured_backend_keeps_messages_queued(contacts, now, settings):
    settings.HOMEWARD_MESSAGE_BACKEND = "homeward.protocol.delivery.NotifyBackend"
    settings.HOMEWARD_NOTIFY_API_KEY = ""
    evaluate(report(contacts, contacts.jade, last_seen=now - dt.timedelta(hours=1)))
    summary = engine.run_schedule()
    message = OutboundMessage.objects.get()
    assert message.state == "queued" and message.attempts == 0 and "HOMEWARD_NOTIFY_API_KEY" in message.last_error
    assert summary.retrying == 1 and Task.objects.get(rule="notify_responsible_authority").state == "open"


def test_a_message_claimed_by_another_worker_is_not_sent_again(contacts, now):
    evaluate(report(contacts, contacts.jade, last_seen=now - dt.timedelta(hours=1)))
    message = OutboundMessage.objects.get()
    # Another worker claimed it a moment ago and is sending it.
    OutboundMessage.objects.filter(pk=message.pk).update(state="sending", claimed_by="other", claimed_at=timezone.now(),
                                                         attempts=1)
    assert delivery.send_due(worker="me") == (0, 0, 0)
    # A claim left by a worker that died is taken again after a while.
    OutboundMessage.objects.filter(pk=message.pk).update(claimed_at=timezone.now() - dt.timedelta(hours=1))
    assert delivery.send_due(worker="me") == (1, 0, 0)
    message.refresh_from_db()
    assert message.state == "sent" and message.claimed_by == "me" and message.attempts == 2


def test_the_background_worker_runs_the_schedule(contacts, now, monkeypatch):
    from homeward.protocol import worker

    calls = []
    monkeypatch.setattr("homeward.protocol.engine.run_schedule", lambda: calls.append(1) or engine.Summary())
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    worker.run_once()
    assert calls == [1]
