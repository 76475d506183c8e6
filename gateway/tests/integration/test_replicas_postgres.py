"""Two gateway app instances (replicas) on one PostgreSQL database share rate limits, lockouts and the log."""

from __future__ import annotations

import concurrent.futures

import pytest

from crmkit.db import make_engine
from crmkit.migrations import upgrade
from gateway.db import MIGRATIONS_DIR
from gateway.ratelimit.limiter import RateLimiter, lease_size
from gateway.settings import GatewaySettings

pytestmark = pytest.mark.postgres


@pytest.fixture
def replicas(postgres_url, env, start_app):
    """Two app instances, each with its own connection pool, on one migrated PostgreSQL database."""
    upgrade(MIGRATIONS_DIR, postgres_url)
    settings = GatewaySettings.from_env(
        env=env | {"CRM_RATE_LIMIT_PER_USER": "10", "CRM_LOGIN_MAX_FAILURES": "4"},
        database_url=postgres_url,
        password_hash_profile="CHEAPEST",
        testing=True,
    )
    first, second = start_app(settings), start_app(settings)
    return first.test_client(), second.test_client()


def token(client, username="admin", password="admin-password-for-tests"):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def test_the_rate_limit_holds_across_replicas(replicas):
    one, two = replicas
    headers = token(one)
    # 10 per window, whichever replica answers: 5 + 5 pass, then both refuse.
    for index in range(10):
        client = one if index % 2 else two
        assert client.get("/api/v1/roles", headers=headers).status_code == 200
    refused = [client.get("/api/v1/roles", headers=headers) for client in (one, two)]
    assert [response.status_code for response in refused] == [429, 429]
    assert all(int(response.headers["Retry-After"]) >= 1 for response in refused)


def test_concurrent_hits_on_two_replicas_are_all_counted(replicas):
    one, two = replicas
    headers = token(two)

    def call(index: int) -> int:
        return (one if index % 2 else two).get("/api/v1/roles", headers=headers).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(call, range(16)))
    assert sorted(statuses) == [200] * 10 + [429] * 6


def test_lockout_counts_failures_on_every_replica(replicas):
    one, two = replicas
    admin = token(one)
    created = one.post(
        "/api/v1/users",
        json={"username": "rep", "password": "rep-password-123", "roles": ["sales_rep"], "team": "north"},
        headers=admin,
    )
    assert created.status_code == 201

    def attempt(client, password="wrong-password-x"):
        return client.post("/api/v1/auth/token", json={"username": "rep", "password": password})

    codes = [attempt(client).get_json()["code"] for client in (one, two, one, two)]
    assert codes[-1] == "auth.account_locked" and codes[:3] == ["auth.invalid_credentials"] * 3
    for client in (one, two):
        assert attempt(client, "rep-password-123").get_json()["code"] == "auth.account_locked"
    log = two.get("/api/v1/audit-log?action=auth.account_locked", headers=admin).get_json()["items"]
    assert [entry["actor_name"] for entry in log] == ["rep"]
    page = one.get("/api/v1/audit-log?action=auth.login_failed&limit=2", headers=admin).get_json()
    rest = one.get(
        f"/api/v1/audit-log?action=auth.login_failed&limit=2&cursor={page['next_cursor']}", headers=admin
    )
    ids = [entry["id"] for entry in page["items"] + rest.get_json()["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4


def test_leases_claimed_concurrently_by_two_replicas_never_pass_the_limit(postgres_url):
    upgrade(MIGRATIONS_DIR, postgres_url)
    engines = [make_engine(postgres_url) for _ in range(2)]
    limiters = [RateLimiter(engine, window=3600) for engine in engines]
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            verdicts = list(pool.map(lambda index: limiters[index % 2].hit("user:a", 400), range(600)))
    finally:
        for engine in engines:
            engine.dispose()
    allowed = sum(verdict.allowed for verdict in verdicts)
    assert 400 - 2 * lease_size(400, 0) <= allowed <= 400
