"""Where the current action comes from (web, api or cli), for the audit trail.

Middleware sets it for each request; the command line sets it at start-up.
Services read it, so they never need an HTTP request passed down to them.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    via: str = "cli"
    ip: str | None = None
    user_agent: str = ""
    path: str = ""


_origin: contextvars.ContextVar[Origin] = contextvars.ContextVar("homeward_origin", default=Origin())


def current_origin() -> Origin:
    return _origin.get()


def set_origin(origin: Origin) -> contextvars.Token:
    return _origin.set(origin)


def reset_origin(token: contextvars.Token) -> None:
    _origin.reset(token)
