"""Every page and API, asked with nonsense in its query string, its path or
a posted form, answers with a page (an error shown in the form, 400, 403,
404 or 405), never a server error: for every URL the project routes, as
people of every kind.

The query carries every name the views read (`request.GET`) with values that
are wrong in the ways people and links get them wrong: impossible dates,
text where a number goes, huge numbers, a NUL character, markup, a very long
value, a list where one value is expected. Django's test client raises the
view's exception, so a traceback fails the test with the URL in it.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from homeward.interviews.models import Interview
from homeward.protocol.models import Task

NONSENSE = {
    "from": "2025-13-45", "to": "yesterday", "period": "2025-Q9", "authority": "'; DROP TABLE x; --",
    "suppress": "maybe", "state": "\x00", "q": "<script>alert(1)</script>", "search": "%" * 300,
    "month": "2025-00", "look_back_days": "1e309", "child": "-1", "where": "../../etc/passwd",
    "table": "nope", "show": "everything", "rule": "x" * 5000, "role": "root", "provider": "SC\u202e0001",
    "format": "exe", "measure": "NaN", "location": "99,-999", "key": "[]", "area": "ZZ99 9ZZ",
    "missing_from": "moon", "children": "everyone", "age_band": "0-200", "sex": "?", "ethnicity": "ZZZZ",
    "placement_type": "Q9", "page": "-3", "place": "0", "person": "9" * 40, "since-day": "31",
    "since-month": "2", "since-year": "2025", "until-day": "x", "until-month": "13", "until-year": "0",
    "first_day-day": "32", "first_day-month": "1", "first_day-year": "99999", "last_day-day": "",
    "last_day-month": "x", "last_day-year": "2025", "grid": "hex", "resolution": "99", "by": "whatever",
    "trend": "up", "limit": "100000000000", "offset": "-1", "status": "all", "risk": "extreme",
}
# The same names again, each given twice (a list where one value is expected).
TWICE = {name: [value, "2025-01-01"] for name, value in NONSENSE.items()}

# Sign-out ends the session the remaining requests need.
SKIP_NAMES = {"logout"}
MISSING_ID = "999999999"
BAD_ARG = {"str": "no-such-thing", "slug": "no-such-thing", "path": "no/such/thing",
           "uuid": "00000000-0000-0000-0000-000000000000"}


def _routes(resolver=None, prefix: str = "") -> list[tuple[str, str]]:
    """(name, URL template) for every route: an argument that is a number
    is left as {collection} (the path segment before it), to be filled in."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            found += _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            # the API router's regular expressions: ^children/(?P<pk>[^/.]+)/$, with a format suffix
            route = re.sub(r"\\.\(\?P<format>[^)]*\)/?\$?", "", route)
            route = re.sub(r"\(\?P<[a-z_]+>[^)]*\)", "<int:pk>", route).replace("^", "").replace("$", "")
            if "(" in route or "\\" in route:
                continue
            for converter, value in BAD_ARG.items():
                route = re.sub(r"<" + converter + r":[a-z_]+>", value, route)
            route = re.sub(r"<[a-z_]+>", "no-such-thing", route)
            parts = ("/" + route).split("/")
            for i, part in enumerate(parts):
                if re.fullmatch(r"<int:[a-z_]+>", part):
                    parts[i] = "{" + (parts[i - 1] if i else "") + "}"
            found.append((entry.name or route, "/".join(parts)))
    return found


ROUTES = [r for r in _routes() if r[0] not in SKIP_NAMES and not r[1].startswith(("/static/", "/media/"))]


def _urls(template: str, ids: dict[str, int]) -> list[str]:
    """The URL with every number missing, and (when the route is under
    /children/, /episodes/, /interviews/ or /tasks/) with the ids of real ones."""
    names = re.findall(r"\{([a-z-]*)\}", template)
    urls = [template.format(**{n: MISSING_ID for n in names})] if names else [template]
    if names and any(n in ids for n in names):
        urls.append(template.format(**{n: ids.get(n, MISSING_ID) for n in names}))
    return urls


PERSONAS = ["kent_missing_officer", "kent_analyst", "kent_police", "oakview_staff",
                                     "kent_auditor", "kent_exploitation_officer", "kent_social_worker",
                                     "kent_rhi_worker", "kent_admin", None]


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_route_answers_nonsense_with_a_server_error(client, world, episodes, persona):
    if persona is not None:
        client.force_login(getattr(world, persona))
    assert len(ROUTES) > 60  # every part's pages and API are here
    ids = {"children": episodes["ellie"].child_id, "episodes": episodes["ellie"].pk}
    for collection, model in (("interviews", Interview), ("tasks", Task)):
        first = model.objects.order_by("pk").first()
        if first is not None:
            ids[collection] = first.pk
    failures, asked = [], 0
    for name, template in ROUTES:
        for url in _urls(template, ids):
            for query in (NONSENSE, TWICE):
                response = client.get(url, query)
                asked += 1
                if response.status_code >= 500:
                    failures.append((name, url, response.status_code))
    assert failures == []
    assert asked > 2 * len(ROUTES)


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_form_or_api_answers_a_nonsense_post_with_a_server_error(client, world, episodes, persona):
    """The same nonsense posted as a form to every route (the test client
    does not check CSRF tokens, so each view's own checks answer)."""
    if persona is not None:
        client.force_login(getattr(world, persona))
    ids = {"children": episodes["ellie"].child_id, "episodes": episodes["ellie"].pk}
    failures = []
    for name, template in ROUTES:
        for url in _urls(template, ids):
            response = client.post(url, NONSENSE)
            if response.status_code >= 500:
                failures.append((name, url, response.status_code))
    assert failures == []
