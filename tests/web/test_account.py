"""People create and revoke their own API tokens on the account page."""

from __future__ import annotations

import re

from homeward.access.models import ApiToken


def test_account_page_shows_name_organisation_and_role(world, signed_in):
    html = signed_in(world.oakview_staff).get("/account/").content.decode()
    assert "oakview.staff" in html and "Oakview Care Ltd" in html and "Care provider staff" in html


def test_creating_a_token_shows_it_once(world, signed_in):
    client = signed_in(world.kent_police)
    response = client.post("/account/tokens/", {"name": "Police feed"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    html = response.content.decode()
    raw = re.search(r'id="new-token">(hw_[^<]+)<', html).group(1)
    assert "it will not be shown again" in html
    token = ApiToken.objects.get(user=world.kent_police)
    assert token.name == "Police feed" and token.key_hash == ApiToken.hash(raw)
    # The token works on the API ...
    from django.test import Client

    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/children/").status_code == 200
    # ... and is never shown again.
    assert raw not in client.get("/account/").content.decode()
    assert "Police feed" in client.get("/account/").content.decode()


def test_a_token_needs_a_name(world, signed_in):
    response = signed_in(world.kent_police).post("/account/tokens/", {"name": "  "})
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html and "Give the token a name" in html
    assert 'href="#name"' in html
    assert not ApiToken.objects.exists()


def test_revoking_a_token(world, signed_in):
    client = signed_in(world.kent_police)
    client.post("/account/tokens/", {"name": "Old script"})
    token = ApiToken.objects.get(user=world.kent_police)
    response = client.post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == "/account/"
    token.refresh_from_db()
    assert token.revoked_at is not None
    html = client.get("/account/").content.decode()
    assert "is revoked" in html and f"/account/tokens/{token.pk}/revoke/" not in html


def test_revoke_needs_a_post(world, signed_in):
    client = signed_in(world.kent_police)
    client.post("/account/tokens/", {"name": "x"})
    token = ApiToken.objects.get(user=world.kent_police)
    assert client.get(f"/account/tokens/{token.pk}/revoke/").status_code == 405
