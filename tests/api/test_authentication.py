"""Who the API believes: personal Bearer tokens and browser sessions; nobody else."""

from rest_framework.test import APIClient

from homeward.access.models import ApiToken
from homeward.access.services import token_create, token_revoke


def bearer_client(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_a_personal_token_signs_in_its_user(world):
    token, raw = token_create(actor=world.kent_police, user=world.kent_police, name="police feed")
    response = bearer_client(raw).get("/api/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "kent.police"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_is_refused_with_401_and_a_bearer_challenge(world):
    token, raw = token_create(actor=world.kent_police, user=world.kent_police, name="police feed")
    token_revoke(actor=world.kent_police, token=token)
    response = bearer_client(raw).get("/api/children/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "detail" in response.json()


def test_no_token_is_401_with_a_bearer_challenge(world, anonymous):
    for path in ("/api/children/", "/api/episodes/", "/api/me/", f"/api/children/{world.ellie.pk}/"):
        response = anonymous.get(path)
        assert response.status_code == 401, path
        assert response["WWW-Authenticate"] == "Bearer"
    response = anonymous.post("/api/notifications/", {}, format="json")
    assert response.status_code == 401


def test_an_unknown_token_is_401(world):
    response = bearer_client("hw_not-a-real-token").get("/api/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_malformed_authorization_header_is_401(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer two parts")
    assert client.get("/api/me/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Bearer")
    assert client.get("/api/me/").status_code == 401


def test_a_token_of_a_deactivated_user_is_401(world):
    _, raw = token_create(actor=world.kent_police, user=world.kent_police, name="police feed")
    world.kent_police.is_active = False
    world.kent_police.save()
    assert bearer_client(raw).get("/api/me/").status_code == 401


def test_only_a_hash_of_the_token_is_stored(world):
    token, raw = token_create(actor=world.kent_police, user=world.kent_police, name="police feed")
    assert not ApiToken.objects.filter(key_hash=raw).exists()
    assert token.key_hash == ApiToken.hash(raw)


def test_a_browser_session_works_as_usual(world):
    client = APIClient()
    assert client.login(username="kent.missing_officer", password=world.password)
    response = client.get("/api/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "kent.missing_officer"


def test_an_unknown_api_path_answers_json_404(world, as_persona):
    response = as_persona("kent_police").get("/api/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_post_without_the_final_slash_is_told_where_to_go(world, as_persona):
    response = as_persona("kent_police").post("/api/notifications", {}, format="json")
    assert response.status_code == 404
    assert "/api/notifications/" in response.json()["detail"]
