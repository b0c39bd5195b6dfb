"""The scheduler, for running inside another process (the demo, `homeward serve`).

In production the schedule is a separate worker: ``homeward protocol run
--every 60`` under systemd (or ``homeward protocol run`` from cron each
minute); any number of workers may run at once (cause keys are UNIQUE and
messages are claimed by a conditional UPDATE).

In the demo, one background thread does the same::

    from homeward.protocol.worker import start_background
    start_background(interval=60)

The thread is a daemon (it dies with the server), uses its own database
connection, and logs (never raises) what goes wrong.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("homeward.protocol")

_started: threading.Thread | None = None
_stop = threading.Event()


def run_once() -> None:
    from django.db import close_old_connections, connections

    from .engine import run_schedule

    close_old_connections()
    try:
        summary = run_schedule()
        if sum(summary.raised.values()) or sum(summary.closed.values()) or summary.sent:
            log.info(" ".join(summary.lines()))
    except Exception:
        log.exception("scheduled protocol evaluation failed")
    finally:
        connections.close_all()


def _loop(interval: float) -> None:
    while not _stop.is_set():
        run_once()
        _stop.wait(interval)


def start_background(interval: float = 60.0) -> threading.Thread:
    """Start (once per process) a daemon thread running the schedule every `interval` seconds."""
    global _started
    if _started is not None and _started.is_alive():
        return _started
    _stop.clear()
    _started = threading.Thread(target=_loop, args=(interval,), name="homeward-protocol", daemon=True)
    _started.start()
    return _started


def stop_background(timeout: float = 10.0) -> None:
    global _started
    _stop.set()
    if _started is not None:
        _started.join(timeout)
    _started = None
