"""Links to the interview pages, whichever way their URL patterns are included.

The pages' patterns (homeward/web/urls_interviews.py) are meant to join the
`web` namespace; until they do (or if they are included on their own), the
plain names work too.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse


def iurl(name: str, *args, query: dict | None = None) -> str:
    for candidate in (f"web:{name}", name):
        try:
            url = reverse(candidate, args=args)
        except NoReverseMatch:
            continue
        return f"{url}?{urlencode(query)}" if query else url
    raise NoReverseMatch(f"No interview page called {name}")
