"""Item 7 of issue 11 — logins are throttled per client address and per user.

Before: 300 wrong passwords took 0.19 s. Now, after FREE (3) failures, each attempt must wait
2^(n-3) s after the last failure (capped at 15 min); an early attempt gets 429 in Danish with
Retry-After and the password is not even checked. Failures are logged without the password.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.conftest_ui import FakeAssistant, ui_settings
from tests.security.helpers import served
from ui.throttle import FREE, MAX_WAIT_S, LoginThrottle, Throttle, login_keys

pytestmark = [pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")]


def hours_to_try(passwords: int) -> float:
    """How long an attacker needs to have `passwords` checked, waiting out every back-off."""
    throttle, now, keys = Throttle(), 0.0, login_keys("10.0.0.9", "jens")
    for _ in range(passwords):
        now += throttle.wait(keys, now)
        throttle.failed(keys, now)
    return now / 3600


def test_the_back_off_figures():
    """Attack: 300 password guesses for one user, waiting out each back-off. Expected: the
    first three are free, then 1, 2, 4 … s, capped at 15 min: 300 guesses take over 70 hours
    (before: 0.19 s)."""
    throttle, keys = Throttle(), login_keys("10.0.0.9", "jens")
    waits = []
    for n in range(12):
        waits.append(throttle.wait(keys, 1000.0 * n))
        throttle.failed(keys, 1000.0 * n)
    assert waits[:FREE] == [0.0] * FREE
    assert throttle.wait(keys, 11_000.0) == 512  # after 12 failures: 2^(12-3) s
    throttle.failed(keys, 12_000.0)
    assert throttle.wait(keys, 12_000.0) == MAX_WAIT_S  # 2^10 s is capped at 15 min
    assert 70 < hours_to_try(300) < 80
    assert hours_to_try(FREE) == 0


def test_either_key_is_enough_and_success_clears_both():
    throttle = Throttle()
    for _ in range(5):
        throttle.failed(login_keys("10.0.0.1", "jens"), 0.0)
    assert throttle.wait(login_keys("10.0.0.2", "JENS"), 1.0) > 0  # same user, new address
    assert throttle.wait(login_keys("10.0.0.1", "anna"), 1.0) > 0  # same address, new user
    assert throttle.wait(login_keys("10.0.0.3", "anna"), 1.0) == 0
    throttle.succeeded(login_keys("10.0.0.1", "jens"))
    assert throttle.wait(login_keys("10.0.0.1", "jens"), 1.0) == 0


def test_memory_stays_bounded_however_many_addresses_try():
    throttle = Throttle(max_tracked=100)
    for n in range(1000):
        throttle.failed(login_keys(f"10.0.{n // 256}.{n % 256}", f"bruger{n}"), 0.0)
    assert len(throttle._failures) == 100


class FakeGradioLogin:
    """Gradio's /login: 200 for jens:rigtig, else 400; counts how often a password is checked."""

    def __init__(self):
        self.checked = 0

    async def __call__(self, scope, receive, send):
        body = (await receive())["body"]
        self.checked += 1
        status = 200 if body == b"username=jens&password=rigtig" else 400
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})


def post_login(app, password: str, address: str = "10.0.0.9") -> tuple[int, dict]:
    scope = {"type": "http", "method": "POST", "path": "/login", "client": (address, 5000),
             "headers": []}
    sent = []

    async def receive():
        return {"type": "http.request", "body": f"username=jens&password={password}".encode(),
                "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    headers = dict(sent[0].get("headers", []))
    return sent[0]["status"], headers


def test_a_locked_user_gets_429_in_danish_and_the_password_is_not_checked(caplog):
    """Attack: wrong passwords, then the right one during the back-off. Expected: 400 × 3, then
    429 with Retry-After and a Danish detail, also for the right password, until the wait is
    over; then the right password works. The log names the user, never a password."""
    caplog.set_level(logging.WARNING)
    clock = [0.0]
    gradio = FakeGradioLogin()
    app = LoginThrottle(gradio, clock=lambda: clock[0])
    assert [post_login(app, f"pw-gaet{n}")[0] for n in range(FREE)] == [400] * FREE
    status, headers = post_login(app, "pw-gaet-igen")
    assert status == 429 and headers[b"retry-after"] == b"1" and gradio.checked == FREE
    assert post_login(app, "rigtig")[0] == 429 and gradio.checked == FREE
    clock[0] = 1.5
    assert post_login(app, "rigtig")[0] == 200
    assert post_login(app, "pw-gaet-igen")[0] == 400  # success cleared the count
    logged = caplog.text
    assert "jens" in logged and "pw-gaet" not in logged and "rigtig" not in logged


@pytest.mark.server
def test_300_wrong_passwords_against_the_server(tmp_path, caplog):
    """Attack: 300 wrong passwords as fast as possible against the real server. Expected: only
    the first 3 are checked (400); the other 297 get 429 with a Danish detail."""
    import httpx

    caplog.set_level(logging.WARNING)
    settings = ui_settings(tmp_path, auth="jens:hemmelig-kode")
    with served(FakeAssistant(), settings) as url, httpx.Client(timeout=30) as client:
        statuses = [client.post(url + "login", data={"username": "jens",
                                                     "password": f"gæt-{n}"}).status_code
                    for n in range(300)]
        refused = client.post(url + "login", data={"username": "jens",
                                                   "password": "hemmelig-kode"})
    assert statuses.count(400) == FREE and statuses.count(429) == 300 - FREE
    assert refused.status_code == 429 and "For mange forkerte logins" in refused.json()["detail"]
    assert "gæt-" not in caplog.text and "hemmelig-kode" not in caplog.text
