"""ASGI middleware: bounded request bodies, and a full queue answered in Danish.

The chat needs little: a question of at most 2,000 characters and at most 40 earlier turns
(API clients send them back, answers with their quoted sources included). MAX_BODY is set
from that with room to spare, far below what once let 400 calls grow the server to 2 GB.
Pure ASGI (no gradio import), so it wraps Gradio's app in `demo.launch()` and in ui.server.
"""

from __future__ import annotations

import json
import logging

log = logging.getLogger(__name__)

BUSY = ("Der er mange spørgsmål lige nu: køen er fuld (højst {max_queue} ventende). "
        "Prøv igen om lidt.")
TOO_LARGE = "Forespørgslen er for stor (højst {limit})."
# The largest real conversation: 41 questions of 2,000 characters and 41 answers with their
# sources (the longest is ~4.5 kB as JSON) come to ~280 kB, or ~680 kB if every character of
# every question were one JSON escapes as \u00e6. 1 MB holds that; a 4 MB body is refused.
MAX_BODY = 1024 * 1024


def size_label(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} kB"


class RequestLimits:
    """Bodies above `max_body` get 413 (or, without Content-Length, are cut off there); Gradio's
    503 for a full queue becomes 429 with a Danish `detail`, which its browser client shows
    (it shows a fixed English text for 503)."""

    def __init__(self, app, max_queue: int, max_body: int = MAX_BODY):
        self.app = app
        self.busy = BUSY.format(max_queue=max_queue)
        self.max_body = max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or ()).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_body:
            return await json_response(send, 413, TOO_LARGE.format(
                limit=size_label(self.max_body)))
        received = 0

        async def bounded_receive():
            # A body without Content-Length (chunked) is cut off at the same bound.
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body:
                return {"type": "http.disconnect"}
            return message

        held: list[dict] = []  # a 503 response, kept back until we know what it says

        async def send_or_translate(message):
            if message["type"] == "http.response.start" and message["status"] == 503:
                held.append(message)
                return
            if not held:
                return await send(message)
            held.append(message)
            if message.get("more_body"):
                return
            body = b"".join(m.get("body", b"") for m in held[1:])
            if b"Queue is full" in body:
                log.warning("køen er fuld: en anmodning fik 429")
                return await json_response(send, 429, self.busy, retry_after=5)
            for part in held:
                await send(part)

        return await self.app(scope, bounded_receive, send_or_translate)


async def json_response(send, status: int, detail: str, retry_after: int | None = None,
                        headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode("utf-8")
    out = [(b"content-type", b"application/json; charset=utf-8"),
           (b"content-length", str(len(body)).encode())]
    if retry_after:
        out.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status,
                "headers": out + list(headers or ())})
    await send({"type": "http.response.body", "body": body})
