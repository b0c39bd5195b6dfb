"""Every page is sent with a strict Content Security Policy and is not cached."""


def test_pages_carry_a_strict_policy_and_no_store(client, world):
    client.force_login(world.kent_missing_officer)
    response = client.get("/")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "DENY"


def test_sign_in_page_has_the_policy_too(client, db):
    response = client.get("/sign-in/")
    assert response.status_code == 200 and "frame-ancestors 'none'" in response["Content-Security-Policy"]
