"""Shared fixtures: a small world of two authorities and a persona for every role.

Kent (886) and Southwark (210). Kent Police covers Kent; the Met covers
Southwark. A private children's home in Kent (Oakview, URN SC100001) is run by
"Oakview Care Ltd". "Kent Return Interviews" is Kent's independent provider.

Children:
- ``ellie``: lives at home in Kent.
- ``callum``: Kent's looked-after child, placed at Oakview in Kent.
- ``jade``: Southwark's looked-after child, placed at Oakview in Kent.
- ``sam``: lives at home in Southwark.

Persona names are ``<authority>_<role>`` (``kent_missing_officer``,
``southwark_social_worker``, ...), plus ``kent_police``, ``met_police``,
``oakview_staff``, ``kent_rhi_worker``.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from homeward.access.models import Organisation
from homeward.access.roles import OrganisationKind, Role
from homeward.access.services import user_create
from homeward.people.models import Child
from homeward.placements.models import Authority, Placement, Provider
from homeward.placements.services import authorities_load_reference

COUNCIL_ROLES = [
    Role.MISSING_OFFICER, Role.SOCIAL_WORKER, Role.EXPLOITATION_OFFICER, Role.TEAM_MANAGER, Role.SENIOR_MANAGER,
    Role.ANALYST, Role.AUDITOR, Role.ADMIN,
]
PASSWORD = "correct-horse-battery"


def build_world():
    authorities_load_reference()
    kent = Authority.objects.get(code="886")
    southwark = Authority.objects.get(code="210")
    w = SimpleNamespace(kent=kent, southwark=southwark, password=PASSWORD)
    w.kent_council = Organisation.objects.create(name="Kent County Council", kind=OrganisationKind.COUNCIL, authority=kent)
    w.southwark_council = Organisation.objects.create(name="Southwark Council", kind=OrganisationKind.COUNCIL, authority=southwark)
    w.kent_police_org = Organisation.objects.create(name="Kent Police", kind=OrganisationKind.POLICE, police_force="kent")
    w.kent_police_org.areas.add(kent)
    w.met_org = Organisation.objects.create(name="Metropolitan Police Service", kind=OrganisationKind.POLICE, police_force="met")
    w.met_org.areas.add(southwark)
    w.oakview_org = Organisation.objects.create(name="Oakview Care Ltd", kind=OrganisationKind.CARE_PROVIDER)
    w.rhi_org = Organisation.objects.create(name="Kent Return Interviews", kind=OrganisationKind.RHI_PROVIDER)
    w.rhi_org.areas.add(kent)
    w.oakview = Provider.objects.create(
        urn="SC100001", name="Oakview", kind=Provider.Kind.CHILDREN_HOME, postcode="ME15 6AA",
        host_authority=kent, organisation=w.oakview_org,
    )
    for prefix, org in (("kent", w.kent_council), ("southwark", w.southwark_council)):
        for role in COUNCIL_ROLES:
            setattr(w, f"{prefix}_{role}", user_create(actor=None, username=f"{prefix}.{role}", password=PASSWORD, organisation=org, role=role))
    w.kent_police = user_create(actor=None, username="kent.police", password=PASSWORD, organisation=w.kent_police_org, role=Role.POLICE)
    w.met_police = user_create(actor=None, username="met.police", password=PASSWORD, organisation=w.met_org, role=Role.POLICE)
    w.oakview_staff = user_create(actor=None, username="oakview.staff", password=PASSWORD, organisation=w.oakview_org, role=Role.CARE_STAFF)
    w.kent_rhi_worker = user_create(actor=None, username="kent.rhi", password=PASSWORD, organisation=w.rhi_org, role=Role.RHI_WORKER)

    w.ellie = Child.objects.create(first_name="Ellie", last_name="Hart", dob=dt.date(2009, 3, 14), sex="F", home_authority=kent, home_postcode="CT2 7NZ")
    w.callum = Child.objects.create(first_name="Callum", last_name="Reid", dob=dt.date(2008, 11, 2), sex="M", responsible_authority=kent)
    w.jade = Child.objects.create(first_name="Jade", last_name="Okafor", dob=dt.date(2009, 1, 20), sex="F", responsible_authority=southwark)
    w.sam = Child.objects.create(first_name="Sam", last_name="Price", dob=dt.date(2010, 5, 5), sex="M", home_authority=southwark, home_postcode="SE15 4AA")
    start = timezone.localdate() - dt.timedelta(days=400)
    Placement.objects.create(child=w.callum, responsible_authority=kent, host_authority=kent, provider=w.oakview, place_code="K2", start_date=start)
    Placement.objects.create(child=w.jade, responsible_authority=southwark, host_authority=kent, provider=w.oakview, place_code="K2", start_date=start)
    return w


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher is deliberately slow; tests make dozens of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def keep_test_connection_open(monkeypatch):
    # A management command run through `homeward.cli.main` closes every
    # database connection when it ends (Django's run_from_argv). Inside a test
    # that would end the test's own transaction on PostgreSQL.
    import django.core.management.base as management_base

    monkeypatch.setattr(management_base.connections, "close_all", lambda: None)


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def transactional_world(transactional_db):
    return build_world()
