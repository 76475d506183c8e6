"""Tokens the gateway issues are accepted by services the way services check them (crmkit.auth)."""

from __future__ import annotations

import json

import pytest
import urllib3

from crmkit.auth import KeySet, TokenVerifier
from crmkit.errors import Unauthorized
from gateway.context import gateway


def verifier(url: str) -> TokenVerifier:
    return TokenVerifier(KeySet(url), issuer="crm-gateway", audience="crm")


def test_a_service_reading_the_key_set_file_accepts_the_token(app, login, settings):
    token = login()["access_token"]
    principal = verifier(settings.jwks_url).verify(token)
    assert principal.username == "admin"
    assert principal.roles == frozenset({"admin"})


def test_a_service_reading_the_key_set_url_accepts_the_token(app, login, serve_wsgi):
    base_url = serve_wsgi(app)
    token = login()["access_token"]
    principal = verifier(f"{base_url}/api/v1/auth/jwks.json").verify(token)
    assert principal.username == "admin"


def test_a_service_behind_the_proxy_verifies_the_forwarded_token(client, upstream, make_user, headers_for):
    user = make_user("service_agent", username="sam")
    response = client.get("/api/v1/accounts/whoami", headers=headers_for(user))
    assert response.status_code == 200
    assert response.get_json() == {"sub": user.id, "username": "sam", "roles": ["service_agent"]}


def test_after_rotation_old_and_new_tokens_verify_until_the_old_key_retires(app, login, settings):
    keys = gateway(app).keys
    old_token = login()["access_token"]
    old_kid = keys.signing_key().kid
    keys.rotate()
    new_token = login()["access_token"]
    service = verifier(settings.jwks_url)
    assert service.verify(old_token).username == service.verify(new_token).username == "admin"
    keys.retire(old_kid)
    fresh_service = verifier(settings.jwks_url)
    assert fresh_service.verify(new_token).username == "admin"
    with pytest.raises(Unauthorized) as caught:
        fresh_service.verify(old_token)
    assert caught.value.code == "auth.unknown_key"


def test_end_to_end_over_real_sockets(start_app, settings, upstream, serve_wsgi, admin_password):
    gateway_url = serve_wsgi(start_app(settings))
    http = urllib3.PoolManager(retries=False)
    body = json.dumps({"username": "admin", "password": admin_password}).encode()
    token = http.request(
        "POST", f"{gateway_url}/api/v1/auth/token", body=body, headers={"Content-Type": "application/json"}
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "X-Request-ID": "req-socket-1"}
    response = http.request("GET", f"{gateway_url}/api/v1/accounts/whoami", headers=headers)
    http.clear()
    assert response.status == 200
    assert response.json()["username"] == "admin"
    assert response.headers["X-Request-ID"] == "req-socket-1"
