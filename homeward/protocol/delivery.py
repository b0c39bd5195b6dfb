"""Messages to other authorities: what they say, and sending them.

What a message holds (nothing personal beyond what the recipient needs):
the recipient's own reference for the child when Homeward knows it, else the
child's initials and date of birth; when the episode started (and ended);
the home it concerns for a host authority; and a link to the record in
Homeward, where the recipient signs in and sees what their role allows. No
risk level, flags, notes, addresses or names.

Sending: `send_due` claims each due message with a conditional UPDATE
(``... SET state='sending', claimed_by=<worker> WHERE id=? AND state='queued'
AND next_attempt_at <= now``): of two workers, exactly one gets the row.
A failure is retried with a growing delay (2, 4, 8 ... minutes, at most 6
hours) up to MAX_ATTEMPTS, then the message is `failed` and its task stays
open for a person. A claim older than STALE_CLAIM (a worker that died) can be
taken again; the message may then be sent twice, never lost.

Backends: Django's mail system (`EMAIL_BACKEND`: console by default, a file
backend in the demo, SMTP in production) by default; GOV.UK Notify when
`HOMEWARD_MESSAGE_BACKEND = "homeward.protocol.delivery.NotifyBackend"`
(setting or environment variable), with `HOMEWARD_NOTIFY_API_KEY` and
`HOMEWARD_NOTIFY_TEMPLATE_ID` (an email template whose subject is
``((subject))`` and body ``((body))``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import MessageState, OutboundMessage, Task, TaskState
from .rules import Intent, when

log = logging.getLogger("homeward.protocol")

MAX_ATTEMPTS = 10
STALE_CLAIM = timedelta(minutes=15)
SEND_LIMIT = 500


def _initials(first: str, last: str) -> str:
    return ". ".join(p[0].upper() for p in (first, last) if p) + "."


def compose(intent: Intent, authorities: dict, identifiers: dict[int, str], child: dict) -> tuple[str, str]:
    """Subject and body of the email for a notification intent."""
    from homeward.people.models import Child

    sender = authorities.get(intent.authority_id, {}).get("name", "An authority")
    to = authorities.get(intent.notify_authority_id, {}).get("name", "your authority")
    own = identifiers.get(intent.notify_authority_id)
    theirs = identifiers.get(intent.authority_id)
    if own:
        who = f"Your reference for the child (SSDA903 CHILD): {own}"
    else:
        names = Child.objects.filter(pk=intent.child_id).values_list("first_name", "last_name").first() or ("", "")
        who = f"The child's initials: {_initials(*names)}; date of birth: {child['dob'].strftime('%-d %B %Y')}"
        if theirs:
            who += f"; {sender}'s reference: {theirs}"
    started, home = _episode(intent)
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    link = f"{site}/episodes/{intent.episode_id}/" if intent.episode_id else f"{site}/children/{intent.child_id}/"
    if intent.rule == "notify_responsible_authority" and intent.notify_kind == "return":
        subject = f"Returned: a child placed by {to} who was missing in {sender}'s area"
        what = f"{sender} tells you, as {to}'s named contact for missing children, that a child you placed " \
               f"has returned after going missing in {sender}'s area."
        times = [f"Missing from: {started} (UK time)",
                 f"Returned or found: {when(intent.cause_at)} (UK time)",
                 "The return home interview is yours to arrange (the child is placed by your authority)."]
    elif intent.rule == "notify_responsible_authority":
        subject = f"Missing: a child placed by {to}, in {sender}'s area"
        what = f"{sender} tells you, as {to}'s named contact for missing children, that a child you placed " \
               f"is missing in {sender}'s area."
        times = [f"Missing since: {started} (UK time)"]
    else:
        subject = f"Missing: a child placed in {to}'s area by {sender}"
        what = f"{sender} tells you, as {to}'s named contact for missing children, that a child it placed in " \
               f"your area is missing."
        times = [f"Missing since: {started} (UK time)"] + ([f"Placed at: {home}"] if home else [])
    body = "\n".join([
        what, "", who, *times, "",
        f"Sign in to Homeward to see the record, as far as your role allows: {link}",
        "",
        "This email holds only what you need to find your own record. Please do not reply with personal details.",
    ])
    return subject[:200], body


def _episode(intent: Intent) -> tuple[str, str]:
    """When the episode started, and the home (provider) it concerns."""
    from homeward.episodes.models import Episode

    row = (Episode.objects.filter(pk=intent.episode_id).values_list("started_at", "provider__name", "provider__urn")
           .first())
    if row is None:
        return "not known", ""
    started, name, urn = row
    home = f"{name} (Ofsted URN {urn})" if name and urn else (name or "")
    return when(started), home


# --- backends ---------------------------------------------------------------------------------


class DeliveryError(Exception):
    pass


class DjangoMailBackend:
    """Sends through Django's mail system (settings.EMAIL_BACKEND)."""

    def send(self, message: OutboundMessage) -> str:
        EmailMessage(subject=message.subject, body=message.body, from_email=settings.DEFAULT_FROM_EMAIL,
                     to=[message.to_email], headers={"X-Homeward-Reference": message.cause_key}).send(
            fail_silently=False)
        return ""


class NotifyBackend:
    """GOV.UK Notify's email API (https://docs.notifications.service.gov.uk/rest-api.html),
    without a client library: a JSON POST with a JWT signed by the API key's secret."""

    URL = "https://api.notifications.service.gov.uk/v2/notifications/email"

    def __init__(self, api_key: str | None = None, template_id: str | None = None, url: str | None = None):
        self.api_key = api_key or _setting("HOMEWARD_NOTIFY_API_KEY")
        self.template_id = template_id or _setting("HOMEWARD_NOTIFY_TEMPLATE_ID")
        self.url = url or _setting("HOMEWARD_NOTIFY_URL") or self.URL
        if not self.api_key or not self.template_id or len(self.api_key) < 74:
            raise DeliveryError("GOV.UK Notify needs HOMEWARD_NOTIFY_API_KEY and HOMEWARD_NOTIFY_TEMPLATE_ID")
        # An API key is "{name}-{service id (36)}-{secret (36)}".
        self.service_id = self.api_key[-73:-37]
        self.secret = self.api_key[-36:]

    def token(self, now: float | None = None) -> str:
        def part(data: dict) -> bytes:
            return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=")

        signing = part({"typ": "JWT", "alg": "HS256"}) + b"." + part({"iss": self.service_id,
                                                                        "iat": int(now or time.time())})
        signature = hmac.new(self.secret.encode(), signing, hashlib.sha256).digest()
        return (signing + b"." + base64.urlsafe_b64encode(signature).rstrip(b"=")).decode()

    def send(self, message: OutboundMessage) -> str:
        payload = json.dumps({
            "email_address": message.to_email, "template_id": self.template_id, "reference": message.cause_key,
            "personalisation": {"subject": message.subject, "body": message.body},
        }).encode()
        request = urllib.request.Request(self.url, data=payload, method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {self.token()}",
            "User-Agent": "homeward",
        })
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"GOV.UK Notify answered {exc.code}: {exc.read()[:300]!r}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"GOV.UK Notify could not be reached: {exc}") from None
        return str(answer.get("id", ""))[:100]


def _setting(name: str) -> str:
    return getattr(settings, name, None) or os.environ.get(name, "")


def backend():
    path = _setting("HOMEWARD_MESSAGE_BACKEND") or "homeward.protocol.delivery.DjangoMailBackend"
    return import_string(path)()


# --- sending -------------------------------------------------------------------------------------


def retry_delay(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** attempts, 360))


def _due(now: datetime, stale_before: datetime) -> Q:
    return Q(state=MessageState.QUEUED, next_attempt_at__lte=now) | Q(state=MessageState.SENDING,
                                                                       claimed_at__lt=stale_before)


def send_due(*, now: datetime | None = None, worker: str = "", limit: int = SEND_LIMIT) -> tuple[int, int, int]:
    """Send the messages that are due. Returns (sent, to retry, failed for good)."""
    now = now or timezone.now()
    real_now = timezone.now()
    stale_before = real_now - STALE_CLAIM
    ids = list(OutboundMessage.objects.filter(_due(now, stale_before)).order_by("next_attempt_at", "pk")
               .values_list("pk", flat=True)[:limit])
    if not ids:
        return 0, 0, 0
    try:
        sender = backend()
    except Exception as exc:  # misconfigured: leave the messages queued and say why
        log.error("no message backend: %s", exc)
        OutboundMessage.objects.filter(pk__in=ids, state=MessageState.QUEUED).update(last_error=str(exc)[:500])
        return 0, len(ids), 0
    sent = retrying = failed = 0
    for pk in ids:
        # The claim: of two workers, one updates the row, the other none.
        claimed = OutboundMessage.objects.filter(Q(pk=pk) & _due(now, stale_before)).update(
            state=MessageState.SENDING, claimed_by=worker[:100], claimed_at=real_now, attempts=F("attempts") + 1)
        if not claimed:
            continue
        message = OutboundMessage.objects.get(pk=pk)
        try:
            reference = sender.send(message)
        except Exception as exc:
            error = f"{exc.__class__.__name__}: {exc}"[:500]
            if message.attempts >= MAX_ATTEMPTS:
                OutboundMessage.objects.filter(pk=pk, claimed_by=worker[:100]).update(
                    state=MessageState.FAILED, last_error=error)
                failed += 1
            else:
                OutboundMessage.objects.filter(pk=pk, claimed_by=worker[:100]).update(
                    state=MessageState.QUEUED, last_error=error, next_attempt_at=now + retry_delay(message.attempts))
                retrying += 1
            log.warning("message %s not sent (attempt %s): %s", pk, message.attempts, error)
            continue
        OutboundMessage.objects.filter(pk=pk, claimed_by=worker[:100]).update(
            state=MessageState.SENT, sent_at=now, last_error="", provider_reference=reference or "")
        Task.objects.filter(cause_key=message.cause_key, state=TaskState.OPEN).update(
            state=TaskState.DONE, closed_at=now,
            closed_reason=f"Sent by email to {message.to_email} on {when(now)}")
        sent += 1
    return sent, retrying, failed


def message_retry(*, actor, message: OutboundMessage) -> OutboundMessage:
    """Queue a failed message again now (a person asks for it)."""
    from homeward.access.audit import audit_record
    from homeward.access.models import AuditEvent

    OutboundMessage.objects.filter(pk=message.pk, state=MessageState.FAILED).update(
        state=MessageState.QUEUED, next_attempt_at=timezone.now(), attempts=0)
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=message, child_id=message.child_id,
                 summary="Asked for a failed message to be sent again")
    message.refresh_from_db()
    return message
