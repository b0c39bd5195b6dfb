"""Two workers running the schedule at once against PostgreSQL: no task and no
message is raised or sent twice (design.md: claims by conditional UPDATE;
the UNIQUE cause key).

Skipped on SQLite, where writers queue for one lock and cannot overlap.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from homeward.people.models import Child
from homeward.placements.models import Placement
from homeward.protocol import engine
from homeward.protocol.models import OutboundMessage, Task

from .conftest import report

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

CHILDREN = 30


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: DATABASE_URL=postgres://...")


def busy_world(world):
    """CHILDREN children missing for 30 hours at high risk, half of them placed in
    Kent by Southwark (so each also raises an email to Southwark)."""
    world.southwark.missing_contact_email = "missing@southwark.example"
    world.southwark.save()
    seen = timezone.now() - dt.timedelta(hours=30)
    start = timezone.localdate() - dt.timedelta(days=100)
    # Recorded as a bulk feed would be: left to the scheduled runs under test.
    from homeward import events

    bulk, events.BULK = events.BULK, -1
    try:
        _report_all(world, seen, start)
    finally:
        events.BULK = bulk
    # Per child: strategy discussion and the 24-hour escalation; placed ones: tell Southwark.
    return CHILDREN * 2 + CHILDREN // 2


def _report_all(world, seen, start):
    for i in range(CHILDREN):
        placed = i % 2 == 0
        child = Child.objects.create(first_name=f"Child{i}", last_name="Test", dob=dt.date(2010, 1, 1 + i % 28),
                                     responsible_authority=world.southwark if placed else None,
                                     home_authority=None if placed else world.kent)
        if placed:
            Placement.objects.create(child=child, responsible_authority=world.southwark, host_authority=world.kent,
                                     provider=world.oakview, place_code="K2", start_date=start)
        report(world, child, last_seen=seen + dt.timedelta(minutes=i), risk="high")


class SlowMail:
    """A mail backend that takes a moment, so the two workers overlap while sending."""

    sent: list = []
    lock = threading.Lock()

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        time.sleep(0.02)
        with self.lock:
            SlowMail.sent.extend(m.to[0] + "|" + m.extra_headers.get("X-Homeward-Reference", "") for m in messages)
        return len(messages)


def test_two_threads_running_the_schedule_at_once_raise_and_send_everything_exactly_once(transactional_world,
                                                                                         settings):
    expected = busy_world(transactional_world)
    settings.EMAIL_BACKEND = f"{__name__}.SlowMail"
    SlowMail.sent = []
    barrier = threading.Barrier(2)
    summaries, errors = {}, []

    def work(name):
        try:
            barrier.wait(timeout=30)
            summaries[name] = engine.run_schedule(worker=name, full=True)
        except Exception as exc:  # pragma: no cover - shown in the assertion
            errors.append(repr(exc))
        finally:
            # Each thread has its own connection; close it (tests/conftest.py
            # turns connections.close_all() into a no-op).
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in ("worker-a", "worker-b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    keys = list(Task.objects.values_list("cause_key", flat=True))
    assert len(keys) == expected and len(set(keys)) == expected
    # Each task was inserted by exactly one worker, and each worker counted only its own.
    raised = Counter(Task.objects.values_list("raised_by", flat=True))
    assert sum(raised.values()) == expected
    assert sum(sum(s.raised.values()) for s in summaries.values()) == expected
    messages = list(OutboundMessage.objects.all())
    assert len(messages) == CHILDREN // 2
    assert all(m.state == "sent" and m.attempts == 1 for m in messages)
    assert len(SlowMail.sent) == len(messages) == len(set(SlowMail.sent))
    assert sum(s.sent for s in summaries.values()) == len(messages)
    assert Task.objects.filter(rule="notify_responsible_authority", state="done").count() == len(messages)


def test_two_protocol_run_processes_at_once_raise_and_send_everything_exactly_once(transactional_world):
    expected = busy_world(transactional_world)
    db = connection.settings_dict
    url = f"postgres://{db['USER']}{':' + db['PASSWORD'] if db.get('PASSWORD') else ''}@{db['HOST'] or '127.0.0.1'}:" \
          f"{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "HOMEWARD_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    command = [sys.executable, "-m", "homeward.cli", "protocol", "run", "--full"]
    workers = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    outputs = [w.communicate(timeout=180) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    assert all("Traceback" not in err for _, err in outputs)
    keys = list(Task.objects.values_list("cause_key", flat=True))
    assert len(keys) == expected == len(set(keys))
    assert len(set(Task.objects.values_list("raised_by", flat=True))) in (1, 2)
    messages = list(OutboundMessage.objects.all())
    assert len(messages) == CHILDREN // 2 and all(m.state == "sent" and m.attempts == 1 for m in messages)
    sent = sum(int(out.split("Messages: ")[1].split(" queued, ")[1].split(" sent")[0]) for out, _ in outputs)
    assert sent == len(messages)
