"""GET /api/me/: who the caller is, for what organisation and which authorities."""

import pytest


def test_me_names_the_user_organisation_role_and_authorities(world, as_persona):
    data = as_persona("kent_police").get("/api/me/").json()
    assert data == {
        "username": "kent.police",
        "full_name": "",
        "organisation": "Kent Police",
        "organisation_kind": "police",
        "role": "police",
        "role_label": "Police missing team",
        "authorities": ["886"],
        "can_see_named_records": True,
        "can_send_notifications": True,
    }


@pytest.mark.parametrize(
    "persona, authorities, named, send",
    [
        ("southwark_social_worker", ["210"], True, True),
        ("kent_analyst", ["886"], False, False),
        ("kent_rhi_worker", ["886"], True, False),
        ("oakview_staff", [], True, False),
    ],
)
def test_me_says_what_the_role_may_do(world, as_persona, persona, authorities, named, send):
    data = as_persona(persona).get("/api/me/").json()
    assert data["authorities"] == authorities
    assert (data["can_see_named_records"], data["can_send_notifications"]) == (named, send)
