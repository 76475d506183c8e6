"""The per-service circuit breaker: closed, open (refuses at once), half-open (one trial), on a fake clock."""

from __future__ import annotations

import pytest

from gateway.proxy import BreakerPolicy, CircuitBreaker, CircuitOpen, CircuitState, Proxy


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def breaker(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker("sales", BreakerPolicy(failures=3, open_seconds=10), clock)


def fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        breaker.before_call()
        breaker.failed()


def test_opens_after_the_given_failures_in_a_row_and_refuses_with_a_503_naming_the_service(breaker, clock):
    fail(breaker, 2)
    assert breaker.state is CircuitState.CLOSED
    fail(breaker, 1)
    assert breaker.state is CircuitState.OPEN
    clock.now += 4
    with pytest.raises(CircuitOpen) as refused:
        breaker.before_call()
    problem = refused.value
    assert (problem.status, problem.code, problem.extra["service"]) == (503, "gateway.circuit_open", "sales")
    assert problem.headers["Retry-After"] == "6"


def test_a_success_resets_the_count(breaker):
    fail(breaker, 2)
    breaker.before_call()
    breaker.succeeded()
    fail(breaker, 2)
    assert breaker.state is CircuitState.CLOSED


def test_after_the_open_time_one_trial_goes_through_and_its_success_closes(breaker, clock):
    fail(breaker, 3)
    clock.now += 10
    breaker.before_call()  # the trial
    assert breaker.state is CircuitState.HALF_OPEN
    with pytest.raises(CircuitOpen):
        breaker.before_call()  # others wait for the trial's outcome
    breaker.succeeded()
    assert breaker.state is CircuitState.CLOSED
    breaker.before_call()


def test_a_failed_trial_opens_the_circuit_again(breaker, clock):
    fail(breaker, 3)
    clock.now += 11
    breaker.before_call()
    breaker.failed()
    assert breaker.state is CircuitState.OPEN
    with pytest.raises(CircuitOpen):
        breaker.before_call()


def test_each_service_has_its_own_breaker():
    proxy = Proxy(connect_timeout=1, read_timeout=1, pool_size=1, breaker=BreakerPolicy(failures=1))
    proxy.breaker("sales").failed()
    assert proxy.breaker("sales").state is CircuitState.OPEN
    assert proxy.breaker("customer").state is CircuitState.CLOSED
    proxy.close()


def test_the_policy_comes_from_the_environment():
    assert BreakerPolicy.from_env({}) == BreakerPolicy(5, 10.0)
    assert BreakerPolicy.from_env({"CRM_BREAKER_FAILURES": "2", "CRM_BREAKER_OPEN_SECONDS": "0.5"}) == (
        BreakerPolicy(2, 0.5)
    )
    with pytest.raises(ValueError):
        BreakerPolicy.from_env({"CRM_BREAKER_FAILURES": "0"})
