"""Login limits under concurrency: parallel guesses must not outrun the limit or the memory bound.

A sequential test cannot see these bugs: the attempt limit was read before the password check and
the failure written after it, so 25 simultaneous guesses all read "0 failures"; and every login
hashes with 64 MiB of argon2 memory, so unbounded concurrent logins grow memory without limit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from server.auth import ratelimit, routes
from tests.server.conftest import ServerApp

LOGIN = "/api/v1/auth/login"


class CountingVerifier:
    """Wraps the password verifier: counts checks and the most that ran at once."""

    def __init__(self, real: Callable[[str | None, str], bool], delay_s: float) -> None:
        self.real, self.delay_s = real, delay_s
        self.calls = self.running = self.peak = 0
        self.lock = threading.Lock()

    def __call__(self, stored_hash: str | None, password: str) -> bool:
        with self.lock:
            self.calls += 1
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            time.sleep(self.delay_s)  # widen the window in which a racing request could slip through
            return self.real(stored_hash, password)
        finally:
            with self.lock:
                self.running -= 1


def _parallel(app: ServerApp | list[ServerApp], bodies: list[dict[str, Any]]) -> list[Any]:
    """POST every body to the login endpoint at once, one thread (and client) each, round-robin
    over the apps when given several (each app stands for one gunicorn worker process)."""
    apps = app if isinstance(app, list) else [app]
    barrier = threading.Barrier(len(bodies))

    def one(i: int) -> Any:
        client = apps[i % len(apps)].app.test_client()
        barrier.wait()
        return client.post(LOGIN, json=bodies[i])

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(one, range(len(bodies))))


def test_parallel_guesses_check_at_most_the_phone_limit(
    any_app: ServerApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    verifier = CountingVerifier(routes.verify_password, delay_s=0.2)
    monkeypatch.setattr(routes, "verify_password", verifier)
    responses = _parallel(any_app, [{"phone": "0912000002", "password": f"guess-{i:04d}"} for i in range(25)])
    codes = [r.status_code for r in responses]
    assert verifier.calls <= ratelimit.MAX_PER_PHONE, codes
    assert codes.count(401) == verifier.calls and codes.count(429) == 25 - verifier.calls, codes
    assert all(int(r.headers["Retry-After"]) > 0 for r in responses if r.status_code == 429)


def test_parallel_spraying_checks_at_most_the_address_limit(
    server_app: ServerApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    verifier = CountingVerifier(routes.verify_password, delay_s=0.1)
    monkeypatch.setattr(routes, "verify_password", verifier)
    bodies = [{"phone": f"09130{i:05d}", "password": "spray-password"} for i in range(45)]
    codes = [r.status_code for r in _parallel(server_app, bodies)]
    assert verifier.calls <= ratelimit.MAX_PER_ADDRESS, codes
    assert codes.count(401) == verifier.calls and codes.count(429) == 45 - verifier.calls, codes


def test_the_limit_holds_across_worker_processes(
    make_app: Callable[..., ServerApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three apps on one database stand for three gunicorn workers sharing the registry."""
    first = make_app()
    url = first.app.config["RUONGSO_SETTINGS"].database_url
    workers = [first, make_app(database_url=url), make_app(database_url=url)]
    verifier = CountingVerifier(routes.verify_password, delay_s=0.2)
    monkeypatch.setattr(routes, "verify_password", verifier)
    codes = [r.status_code for r in _parallel(workers, [{"phone": "0912000003", "password": "x" * 9}] * 24)]
    assert verifier.calls <= ratelimit.MAX_PER_PHONE and codes.count(429) == 24 - verifier.calls, codes


def test_a_correct_password_resets_the_phone_but_successes_do_not_use_up_the_address(
    server_app: ServerApp,
) -> None:
    client = server_app.app.test_client()
    wrong, right = (
        {"phone": "0912000001", "password": "wrong-password"},
        {"phone": "0912000001", "password": "demo-nongdan-1"},
    )
    for _ in range(ratelimit.MAX_PER_PHONE - 1):
        assert client.post(LOGIN, json=wrong).status_code == 401
    for _ in range(ratelimit.MAX_PER_ADDRESS + 2):
        ok = client.post(LOGIN, json=right)
        assert ok.status_code == 200, ok.get_json()
    for _ in range(ratelimit.MAX_PER_PHONE):
        assert client.post(LOGIN, json=wrong).status_code == 401
    assert client.post(LOGIN, json=right).status_code == 429


def test_concurrent_password_hashes_are_bounded_per_process(
    make_app: Callable[..., ServerApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    bodies = [{"phone": f"09140{i:05d}", "password": "some-password"} for i in range(8)]
    verifier = CountingVerifier(routes.verify_password, delay_s=0.2)
    monkeypatch.setattr(routes, "verify_password", verifier)
    codes = [r.status_code for r in _parallel(make_app(), bodies)]  # default settings: 2 at a time
    assert verifier.peak <= 2 and set(codes) <= {401, 429} and codes.count(401) == verifier.calls, codes
    queued = CountingVerifier(verifier.real, delay_s=0.2)
    monkeypatch.setattr(routes, "verify_password", queued)
    app = make_app(login_max_concurrent_hashes=2, login_hash_wait_ms=5000)
    codes = [r.status_code for r in _parallel(app, bodies)]
    assert codes == [401] * 8  # a long enough wait queues them all, two at a time
    assert queued.calls == 8 and queued.peak <= 2


def test_a_login_that_cannot_get_a_hash_slot_is_told_to_retry(
    make_app: Callable[..., ServerApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(login_max_concurrent_hashes=1, login_hash_wait_ms=50)
    verifier = CountingVerifier(routes.verify_password, delay_s=0.5)
    monkeypatch.setattr(routes, "verify_password", verifier)
    bodies = [{"phone": f"09150{i:05d}", "password": "some-password"} for i in range(6)]
    responses = _parallel(app, bodies)
    busy = [r for r in responses if r.status_code == 429]
    assert verifier.peak == 1 and busy and len(busy) + verifier.calls == 6
    for r in busy:
        assert r.mimetype == "application/problem+json" and int(r.headers["Retry-After"]) >= 1
    # A login turned away for want of a slot was never checked, so it does not count as a guess.
    client = app.app.test_client()
    monkeypatch.setattr(routes, "verify_password", verifier.real)
    assert client.post(LOGIN, json={"phone": "0912000001", "password": "demo-nongdan-1"}).status_code == 200
