"""Slow connections are dropped: time-outs for a request's headers and body.

uvicorn has none: a connection that sends its headers a byte at a time, or announces a body
and trickles it, is held for as long as the client likes (100 such connections were held for
45 s and more). Gradio's launch() gives no way to change uvicorn's protocol, so ui.server runs
uvicorn itself with this protocol:
- headers: a request's headers must be complete within HEADER_TIMEOUT_S of the connection
  opening (or of the previous response ending), and stay under MAX_HEADER_BYTES;
- body: once the headers are in, the body must be complete within BODY_TIMEOUT_S.
A late client gets 408 (431 for huge headers) and the connection is closed. Nothing limits the
time a response takes: the answers stream as server-sent events.
"""

from __future__ import annotations

import logging

try:  # uvicorn's fast parser when it is installed (it is, with gradio), else its pure one
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as BaseProtocol
except ImportError:  # pragma: no cover - depends on the installed extras
    from uvicorn.protocols.http.h11_impl import H11Protocol as BaseProtocol

log = logging.getLogger(__name__)

HEADER_TIMEOUT_S = 10.0
BODY_TIMEOUT_S = 20.0
MAX_HEADER_BYTES = 64 * 1024
TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
TOO_BIG = (b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n"
           b"connection: close\r\n\r\n")


class GuardedProtocol(BaseProtocol):
    header_timeout_s = HEADER_TIMEOUT_S
    body_timeout_s = BODY_TIMEOUT_S
    max_header_bytes = MAX_HEADER_BYTES

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._seen = None  # the request whose headers we last saw completed
        self._timer = None
        self._kind = ""
        self._header_bytes = 0
        self._wait_for_headers()

    def data_received(self, data: bytes) -> None:
        cycle = self.cycle
        if cycle is None or cycle.response_complete and not cycle.more_body:  # between requests
            self._header_bytes += len(data)
        super().data_received(data)
        cycle = self.cycle
        if cycle is not None and cycle is not self._seen:  # a request's headers are complete
            self._seen = cycle
            self._header_bytes = 0
            self._cancel()
            if cycle.more_body and not cycle.response_complete:
                self._arm("body", self.body_timeout_s, self._body_late)
        elif self._kind == "body" and cycle is not None and not cycle.more_body:
            self._cancel()  # the body is complete
        if self._header_bytes > self.max_header_bytes and not self.transport.is_closing():
            log.warning("forbindelse lukket: anmodningens hoved er over %d bytes",
                        self.max_header_bytes)
            self._close_with(TOO_BIG)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._wait_for_headers()

    def connection_lost(self, exc) -> None:
        self._cancel()
        super().connection_lost(exc)

    # ---- timers ----------------------------------------------------------------------------

    def _wait_for_headers(self) -> None:
        self._arm("headers", self.header_timeout_s, self._headers_late)

    def _arm(self, kind: str, seconds: float, callback) -> None:
        self._cancel()
        self._kind = kind
        self._timer = self.loop.call_later(seconds, callback)

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self._kind = None, ""

    def _headers_late(self) -> None:
        self._timer, self._kind = None, ""
        busy = self.cycle is not None and not self.cycle.response_complete
        if busy or self.cycle is not self._seen or self.transport.is_closing():
            return  # a request is being answered (or one has just begun): not ours to stop
        if self._header_bytes:
            log.warning("forbindelse lukket: hovedet kom ikke inden for %.0f s",
                        self.header_timeout_s)
        self._close_with(TIMEOUT if self._header_bytes else b"")

    def _body_late(self) -> None:
        self._timer, self._kind = None, ""
        cycle = self.cycle
        if cycle is None or not cycle.more_body or self.transport.is_closing():
            return
        log.warning("forbindelse lukket: indholdet kom ikke inden for %.0f s", self.body_timeout_s)
        started = getattr(cycle, "response_started", False)
        self._close_with(b"" if started else TIMEOUT)

    def _close_with(self, response: bytes) -> None:
        self._cancel()
        if response:
            self.transport.write(response)
        self.transport.close()


def guarded_protocol(header_timeout_s: float = HEADER_TIMEOUT_S,
                     body_timeout_s: float = BODY_TIMEOUT_S) -> type[GuardedProtocol]:
    """The protocol class with other time-outs (tests use short ones)."""
    return type("GuardedProtocol", (GuardedProtocol,),
                {"header_timeout_s": header_timeout_s, "body_timeout_s": body_timeout_s})
