"""ASGI middleware that closes Gradio's doors this app never uses, and sets the page's headers.

Gradio serves more than this app needs, and some of it writes to disk or reaches out:
- `POST /gradio_api/upload` took 15 × 1 MB a request, without login, into /tmp/gradio (and
  `process_recording` is another upload): the app takes no uploads, so both get 403;
- `/gradio_api/file=http://…` made the server fetch the URL (private addresses were refused,
  public ones fetched): any `file=` whose target has a scheme, or starts with `//`, gets 403
  before Gradio sees it; `proxy=` (for apps loaded from elsewhere) likewise;
- `/gradio_api/deep_link` wrote a session's inputs and outputs (the question, the chat) to a
  file on disk: 403; the run history is switched off in the launch options, its routes 403.
Every answer carries a Content-Security-Policy (nothing but this server may be contacted by
the page: a message pointing at another address loads nothing), nosniff and a referrer policy.
One more duty: a conversation export (ui.exports, one-shot) is deleted once it has been sent.
Pure ASGI, no gradio import: it wraps Gradio's app in `demo.launch()` and in ui.server.
"""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import unquote

from ui.limits import json_response

log = logging.getLogger(__name__)

REFUSED = "Det er ikke muligt her: AI-rejsen-assistenten tager ikke imod filer eller adresser."
FAILED = "Forespørgslen kunne ikke behandles. Se API-beskrivelsen (linket nederst på siden)."
# Gradio's page needs inline scripts (its config) and styles, and runs the journey map's
# js_on_load through new Function ('unsafe-eval'); everything else comes from this server.
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "media-src 'self'",
    "object-src 'none'",
    "frame-src 'none'",
    "worker-src 'self' blob:",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]

CLOSED_ROUTES = re.compile(
    r"/(gradio_api/)?(upload|process_recording|deep_link|run-history(/.*)?|vibe-edit"
    r"|undo-vibe-edit|vibe-code)/?$")
PROXY_RE = re.compile(r"/(gradio_api/)?proxy=")
FILE_RE = re.compile(r"/(gradio_api/)?file=(?P<target>.*)$", re.S)
SCHEME_RE = re.compile(r"^\s*([a-z][a-z0-9+.\-]*:|[\\/]{2})", re.I)


def refused_path(path: str) -> str | None:
    """Why `path` (as received, possibly percent-encoded) is refused, or None."""
    decoded = path
    for _ in range(3):  # %252F → %2F → /: decode until it stops changing
        once = unquote(decoded)
        if once == decoded:
            break
        decoded = once
    if CLOSED_ROUTES.search(decoded):
        return "lukket rute"
    if PROXY_RE.search(decoded):
        return "proxy"
    file = FILE_RE.search(decoded)
    if file and SCHEME_RE.match(file["target"]):
        return "file= med en adresse"
    return None


def export_path(path: str) -> str | None:
    """The file a `file=` request asks for (for deleting one-shot exports once sent)."""
    file = FILE_RE.search(unquote(path))
    return file["target"] if file else None


class RouteGuard:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("raw_path", b"").decode("latin-1") or scope.get("path", "")
        reason = refused_path(path.split("?", 1)[0]) or refused_path(scope.get("path", ""))
        if reason:
            log.warning("afvist (%s): %s %s", reason, scope.get("method"),
                        scope.get("path", "")[:80].split("=", 1)[0])
            return await json_response(send, 403, REFUSED, headers=HEADERS)
        target = export_path(scope.get("path", "")) if scope.get("method") == "GET" else None
        status = 0
        held: list[dict] = []  # a 500 from Gradio's error handler, replaced below

        async def send_then_forget(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if status == 500:
                    held.append(message)
                    return
            if held:  # kept until we know whether an exception follows it
                held.append(message)
                return
            await with_headers(send)(message)
            if target and message["type"] == "http.response.body" \
                    and not message.get("more_body") and status == 200:
                from ui.exports import after_download

                after_download(target)

        try:
            await self.app(scope, receive, send_then_forget)
            for part in held:  # a 500 the app meant and raised nothing for: pass it on
                await with_headers(send)(part)
            return None
        except Exception as exc:
            if status and not held:  # the response had begun: nothing to answer with
                raise
            # Gradio fails on some malformed calls (an unknown fn_index, arguments of the wrong
            # shape). One Danish line for the caller instead of its plain-text 500, and the
            # exception's type for the log: its message may quote the input (ui.redact).
            from ui.redact import describe

            log.error("fejl under %s %s:\n%s", scope.get("method"),
                      scope.get("path", "")[:80].split("=", 1)[0],
                      describe(type(exc), exc, exc.__traceback__))
            return await json_response(send, 500, FAILED, headers=HEADERS)


def with_headers(send):
    async def send_with_headers(message):
        if message["type"] == "http.response.start":
            names = {name.lower() for name, _ in message.get("headers", ())}
            extra = [(name, value) for name, value in HEADERS if name not in names]
            message = {**message, "headers": [*message.get("headers", ()), *extra]}
        await send(message)

    return send_with_headers


CHAT_CALLS = re.compile(r"^/gradio_api/(call|run|api)/chat/?$")  # v2 takes named ones


class ChatArguments:
    """`{"data": ["question"]}` to the chat API is a question without history.

    Gradio refuses a call with fewer arguments than the function has (its message quotes the
    input, see ui.redact) and answers with an empty error; here the missing history is filled
    in, so the caller gets an answer. Sits inside RequestLimits, so the body is bounded.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "POST" \
                or not CHAT_CALLS.match(scope.get("path", "")):
            return await self.app(scope, receive, send)
        messages, body = [], b""
        while True:
            message = await receive()
            messages.append(message)
            body += message.get("body", b"")
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        fixed = _with_history(body)
        if fixed is not None:
            messages = [{"type": "http.request", "body": fixed, "more_body": False}]
            headers = [(k, v) for k, v in scope.get("headers", ()) if k != b"content-length"]
            scope = {**scope, "headers": [*headers, (b"content-length", str(len(fixed)).encode())]}

        async def replay():
            return messages.pop(0) if messages else await receive()

        return await self.app(scope, replay, send)


def _with_history(body: bytes) -> bytes | None:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if isinstance(data, dict) and isinstance(data.get("data"), list) and len(data["data"]) == 1:
        return json.dumps({**data, "data": [*data["data"], None]}).encode()
    return None
