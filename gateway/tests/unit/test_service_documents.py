"""The services' OpenAPI documents: cached per service, failures remembered briefly, bad answers refused."""

from __future__ import annotations

import json

import pytest

from gateway.docs.services import FAILURE_TTL, ServiceDocuments, is_openapi3
from gateway.errors import UpstreamUnavailable
from gateway.routes import RouteTable

DOCUMENT = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeProxy:
    """Answers each service's body from `bodies` (an exception is raised), and counts the calls."""

    def __init__(self, bodies: dict[str, object]) -> None:
        self.bodies = bodies
        self.calls: list[tuple[str, str, dict]] = []

    def fetch(self, route, target, *, headers, limit):
        self.calls.append((route.service, target, dict(headers)))
        body = self.bodies[route.service]
        if isinstance(body, Exception):
            raise body
        return body if isinstance(body, bytes) else json.dumps(body).encode()


@pytest.fixture
def routes() -> RouteTable:
    return RouteTable(
        {"customer": "http://customer", "sales": "http://sales"}, {"accounts": "customer", "leads": "sales"}
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def documents(proxy, routes, clock, ttl=60.0) -> ServiceDocuments:
    return ServiceDocuments(proxy, routes, ttl=ttl, clock=clock)  # type: ignore[arg-type]


def test_fetches_each_services_openapi_json_with_the_request_id(routes, clock):
    proxy = FakeProxy({"customer": DOCUMENT, "sales": DOCUMENT})
    found, missing = documents(proxy, routes, clock).collect("req-1")
    assert (found, missing) == ({"customer": DOCUMENT, "sales": DOCUMENT}, [])
    assert sorted(call[:2] for call in proxy.calls) == [
        ("customer", "/openapi.json"),
        ("sales", "/openapi.json"),
    ]
    assert all(call[2]["X-Request-ID"] == "req-1" for call in proxy.calls)


def test_keeps_a_document_until_its_time_is_up(routes, clock):
    proxy = FakeProxy({"customer": DOCUMENT, "sales": DOCUMENT})
    cache = documents(proxy, routes, clock, ttl=60)
    cache.collect("r")
    clock.now += 59
    cache.collect("r")
    assert len(proxy.calls) == 2
    clock.now += 1
    cache.collect("r")
    assert len(proxy.calls) == 4


def test_a_service_that_cannot_be_read_is_missing_and_asked_again_soon(routes, clock):
    proxy = FakeProxy({"customer": DOCUMENT, "sales": UpstreamUnavailable("down", service="sales")})
    cache = documents(proxy, routes, clock)
    assert cache.collect("r") == ({"customer": DOCUMENT}, ["sales"])
    clock.now += FAILURE_TTL - 1
    assert cache.collect("r")[1] == ["sales"]
    assert [call[0] for call in proxy.calls].count("sales") == 1
    proxy.bodies["sales"] = DOCUMENT
    clock.now += 1
    assert cache.collect("r") == ({"customer": DOCUMENT, "sales": DOCUMENT}, [])


@pytest.mark.parametrize(
    "body",
    [b"<html>not json</html>", b"\xff\xfe", {"swagger": "2.0", "paths": {}}, ["a", "list"],
     {"openapi": "3.0.3", "paths": []}],
)  # fmt: skip
def test_an_answer_that_is_no_openapi_3_document_counts_as_missing(routes, clock, body):
    proxy = FakeProxy({"customer": body, "sales": DOCUMENT})
    assert documents(proxy, routes, clock).collect("r") == ({"sales": DOCUMENT}, ["customer"])


def test_a_zero_ttl_asks_every_time(routes, clock):
    proxy = FakeProxy({"customer": DOCUMENT, "sales": DOCUMENT})
    cache = documents(proxy, routes, clock, ttl=0)
    cache.collect("r")
    cache.collect("r")
    assert len(proxy.calls) == 4


def test_recognises_openapi_3_documents():
    assert is_openapi3({"openapi": "3.1.0", "paths": {}, "components": {}})
    assert not is_openapi3({"openapi": "3.0.3", "components": "x"})
