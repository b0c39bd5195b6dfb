"""API errors as JSON: refusals name the field and the reason."""

from __future__ import annotations

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from homeward.problems import Refused


def exception_handler(exc, context):
    if isinstance(exc, Refused):
        return Response(exc.as_dict(), status=400)
    return drf_exception_handler(exc, context)
