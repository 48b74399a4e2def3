"""Serving the chat: Gradio's app inside our own uvicorn server, with every protection on.

`demo.launch()` starts uvicorn itself and gives no say over its protocol, so `ai-rejsen serve`
mounts the app on a FastAPI app (gr.mount_gradio_app) and runs uvicorn here instead:
- slow connections are dropped (ui.protocol: header and body time-outs);
- the middleware (`middleware()`, also used with demo.launch() in tests) refuses uploads,
  `file=` URLs, deep links and oversized bodies, throttles logins and sets the page's headers;
- sessions keep only what they need (ui.sessions), and the run history is off;
- Gradio's temporary files live in a private folder that is removed when the server stops
  (ui.tempfiles), and SIGTERM stops it cleanly so that happens.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from assistant.settings import Settings
from ui.protocol import BODY_TIMEOUT_S, HEADER_TIMEOUT_S

log = logging.getLogger(__name__)

START_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class ServerLimits:
    header_timeout_s: float = HEADER_TIMEOUT_S
    body_timeout_s: float = BODY_TIMEOUT_S
    keep_alive_s: int = 5
    shutdown_s: int = 5


def middleware(settings: Settings) -> list:
    """The protections, outermost first, as Starlette Middleware for demo.launch(app_kwargs)."""
    from starlette.middleware import Middleware

    from ui.guards import ChatArguments, RouteGuard
    from ui.limits import RequestLimits
    from ui.throttle import LoginThrottle

    return [Middleware(RouteGuard), Middleware(LoginThrottle),
            Middleware(RequestLimits, max_queue=settings.max_queue), Middleware(ChatArguments)]


# demo.launch() options that gr.mount_gradio_app() takes under the same name.
MOUNT_OPTIONS = ("auth", "auth_message", "theme", "css", "footer_links", "show_error",
                 "enable_monitoring", "max_file_size", "run_history")


@dataclass
class Served:
    """A running server: `close()` stops it and removes its files."""

    server: Any
    thread: threading.Thread | None
    cleanups: list = field(default_factory=list)
    stop_events: list = field(default_factory=list)

    def close(self, verbose: bool = False) -> None:
        for stop in self.stop_events:  # ends Gradio's heartbeat streams, as demo.close() does
            stop.set()
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(30)
        for cleanup in self.cleanups:
            cleanup()


def run(demo, settings: Settings, options: dict[str, Any], *, block: bool = True,
        limits: ServerLimits = ServerLimits()) -> Served:
    """Serve `demo` on settings.host:settings.port; blocks until stopped unless block=False."""
    import gradio as gr
    import uvicorn
    from fastapi import FastAPI

    from ui import sessions
    from ui.protocol import guarded_protocol
    from ui.redact import quiet_gradio
    from ui.tempfiles import remove_private_temp

    demo.state_session_capacity = options["state_session_capacity"]
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None,
                  middleware=middleware(settings))
    gr.mount_gradio_app(app, demo, "/", server_name=settings.host, server_port=settings.port,
                        **{name: options[name] for name in MOUNT_OPTIONS if name in options})
    gradio_app = _gradio_app(app)
    sessions.install(gradio_app, demo)
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_level="warning", access_log=False,
        server_header=False, timeout_keep_alive=limits.keep_alive_s,
        # Open event streams (a browser tab's heartbeat) would hold a stop forever.
        timeout_graceful_shutdown=limits.shutdown_s,
        http=guarded_protocol(limits.header_timeout_s, limits.body_timeout_s))
    server = uvicorn.Server(config)
    quiet_gradio()  # after uvicorn set up its loggers
    exports = getattr(demo, "exports", None)
    cleanups = [exports.close] if exports is not None else []
    if block:
        print(f"* Kører på http://{settings.host}:{settings.port}", flush=True)
        # uvicorn stops cleanly on SIGTERM, then raises the signal again with the handler it
        # found: make that an exit Python unwinds, so the files below are removed.
        signal.signal(signal.SIGTERM, _exit_on_signal)
        try:
            server.run()
        finally:
            for cleanup in cleanups:
                cleanup()
            remove_private_temp()
        return Served(server, None)
    thread = threading.Thread(target=server.run, daemon=True, name="ai-rejsen-server")
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise OSError(f"serveren kunne ikke starte på {settings.host}:{settings.port}")
        time.sleep(0.01)
    return Served(server, thread, cleanups, [gradio_app.stop_event])


def _exit_on_signal(signum, frame) -> None:
    raise SystemExit(128 + signum)


def _gradio_app(app):
    """The Gradio App that mount_gradio_app put at "/"."""
    from starlette.routing import Mount

    for route in app.routes:
        if isinstance(route, Mount) and route.path in ("", "/"):
            return route.app
    raise RuntimeError("Gradio-appen blev ikke monteret")
