"""API errors as JSON: refusals name the field and the reason.

- `Refused` (a service or the API saying no to an input): 400
  `{"errors": [{"field", "message"}, ...]}`; nothing was stored.
- Two requests changing the same record at the same moment (a database
  integrity error, e.g. the same notification sent twice at once): 409
  `{"detail": ...}`; sending it again gives the right answer.
- Everything else as DRF answers it: `{"detail": ...}` with 401 (and
  `WWW-Authenticate: Bearer`), 403, 404, 405, 415.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from homeward.problems import Refused

log = logging.getLogger(__name__)


def exception_handler(exc, context):
    if isinstance(exc, Refused):
        set_rollback()
        return Response(exc.as_dict(), status=400)
    if isinstance(exc, IntegrityError):
        set_rollback()
        view = context.get("view")
        log.warning("Integrity error in %s: %s", view.__class__.__name__ if view else "API", exc.__class__.__name__)
        return Response(
            {"detail": "Another change to the same record was made at the same moment: send the request again."},
            status=409,
        )
    return drf_exception_handler(exc, context)
