"""Login throttling: exponential back-off per client address and per user name.

Gradio's login form had no limit (300 wrong passwords took 0.19 s). Here the first FREE failed
attempts from an address, or for a user name, cost nothing; after that each further attempt
must wait 2^(n - FREE) seconds after the last failure (1, 2, 4 … capped at MAX_WAIT_S), and an
attempt made before the wait is over is refused with 429 without the password being checked.
Trying 300 passwords for one user then takes more than a day. A successful login clears the
address's and the user's count; counts are forgotten FORGET_S after the last failure.

Per user and per address both: an attacker spreading guesses over many addresses still meets
the per-user wait, and one guessing many users from one address meets the per-address wait.
The cost is that someone who knows a user name can make that user wait too (at most
MAX_WAIT_S): a back-off, never a permanent lock-out. Behind a reverse proxy every client has
the proxy's address; see docs/operations.md.

The core (`Throttle`) is pure and takes the clock as an argument; `LoginThrottle` is the ASGI
middleware around Gradio's POST /login. Failures are logged with the user name and address,
never the password.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import parse_qs

from ui.limits import json_response

log = logging.getLogger(__name__)

FREE = 3
MAX_WAIT_S = 900.0
FORGET_S = 3600.0
MAX_TRACKED = 10_000  # keys kept (least recent dropped first), so memory stays bounded
MAX_FORM = 4096  # a login form is a user name and a password
WAIT = "For mange forkerte logins. Vent {seconds} sekunder, og prøv igen."


@dataclass(frozen=True)
class Failures:
    count: int
    last: float


class Throttle:
    """Failed attempts per key ("ip:…", "user:…") and how long each must wait."""

    def __init__(self, free: int = FREE, max_wait_s: float = MAX_WAIT_S,
                 forget_s: float = FORGET_S, max_tracked: int = MAX_TRACKED):
        self.free, self.max_wait_s, self.forget_s = free, max_wait_s, forget_s
        self.max_tracked = max_tracked
        self._failures: OrderedDict[str, Failures] = OrderedDict()

    def wait(self, keys: list[str], now: float) -> float:
        """Seconds left before any of `keys` may try again (0: go ahead)."""
        return max((self._wait(key, now) for key in keys), default=0.0)

    def _wait(self, key: str, now: float) -> float:
        failures = self._failures.get(key)
        if failures is None or now - failures.last > self.forget_s:
            return 0.0
        if failures.count < self.free:
            return 0.0
        delay = min(2.0 ** (failures.count - self.free), self.max_wait_s)
        return max(0.0, failures.last + delay - now)

    def failed(self, keys: list[str], now: float) -> None:
        for key in keys:
            old = self._failures.pop(key, None)
            fresh = old is None or now - old.last > self.forget_s
            self._failures[key] = Failures(1 if fresh else old.count + 1, now)
        while len(self._failures) > self.max_tracked:
            self._failures.popitem(last=False)

    def succeeded(self, keys: list[str]) -> None:
        for key in keys:
            self._failures.pop(key, None)

    def count(self, key: str) -> int:
        failures = self._failures.get(key)
        return failures.count if failures else 0


def login_keys(address: str, user: str) -> list[str]:
    return [f"ip:{address}", f"user:{user.strip().lower()[:64]}"]


def printable(user: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in user.strip()[:64])


class LoginThrottle:
    """ASGI middleware: throttles POST /login (Gradio's login form and gradio_client's login)."""

    def __init__(self, app, throttle: Throttle | None = None, clock=time.monotonic):
        self.app = app
        self.throttle = throttle or Throttle()
        self.clock = clock

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "POST" \
                or scope.get("path", "").rstrip("/") != "/login":
            return await self.app(scope, receive, send)
        body, messages = await _read_form(receive)
        if body is None:
            return await json_response(send, 413, "Loginformularen er for stor.")
        user = (parse_qs(body.decode("utf-8", "replace")).get("username") or [""])[0]
        address = (scope.get("client") or ("?", 0))[0]
        keys = login_keys(address, user)
        wait = self.throttle.wait(keys, self.clock())
        if wait > 0:
            log.warning("login afvist uden at prøve adgangskoden: bruger %r fra %s skal vente "
                        "%.0f s", printable(user), address, wait)
            return await json_response(send, 429, WAIT.format(seconds=max(1, round(wait))),
                                       retry_after=max(1, round(wait)))
        status = 0

        async def replay():
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def watch(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, replay, watch)
        if status == 200:
            self.throttle.succeeded(keys)
        elif 400 <= status < 500:
            self.throttle.failed(keys, self.clock())
            log.warning("forkert login: bruger %r fra %s (%d. fejl for brugeren)",
                        printable(user), address, self.throttle.count(keys[1]))


async def _read_form(receive) -> tuple[bytes | None, list[dict]]:
    """The whole (small) body and the messages to replay to the app; None if too big."""
    messages, body = [], b""
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return body, messages
        body += message.get("body", b"")
        if len(body) > MAX_FORM:
            return None, messages
        if not message.get("more_body"):
            return body, messages
