"""The hostile runs of evals/load.py: the memory soak and the adversarial CPU mix (issue 11).

    python -m evals.load --serve --soak          # 400 requests of the largest size accepted
    python -m evals.load --serve --adversarial   # worst-case questions beside normal ones

- soak: every request carries a history that fills the body limit (ui.limits.MAX_BODY) and
  starts a new session, the worst case for memory; the server's RSS is sampled every 25
  requests. Target: RSS ≤ 500 MB after 400 of them.
- adversarial: first worst-case 2,000-character questions alone, one at a time (target: each
  answered in ≤ 100 ms), then 4 clients sending them nonstop while one client asks the normal
  questions from evals/questions.jsonl (target: the normal p50 ≤ 50 ms). Every worst-case
  question is new (random), so no cache helps.
The runs only time and count; the figures go to BENCHMARKS.md (`write_section`).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter

from evals.load import REQUEST_TIMEOUT_S, Run, ask, drive, percentile, server_rss, summary

SOAK_REQUESTS = 400
SOAK_RSS_EVERY = 25
SOAK_TARGET_MB = 500
ALONE_REQUESTS = 60
WORST_CASE_TARGET_MS = 100
MIX_CLIENTS = 4
MIX_SECONDS = 30.0
NORMAL_TARGET_MS = 50
QUESTION_CHARS = 2000
KINDS = ("combining marks", "emoji", "cjk", "random words", "one long word", "digits",
         "danish")


def worst_case(rng: random.Random, kind: str, chars: int = QUESTION_CHARS) -> str:
    """A new 2,000-character question of one expensive kind."""
    letters = "abcdefghijklmnopqrstuvwxyzæøå"
    if kind == "combining marks":
        return "".join(rng.choice(letters) for _ in range(8)) + "\u0301" * (chars - 8)
    if kind == "emoji":
        return "".join(chr(rng.randint(0x1F600, 0x1F64F)) for _ in range(chars))
    if kind == "cjk":
        return "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(chars))
    if kind == "one long word":
        return "".join(rng.choice(letters) for _ in range(chars))
    if kind == "digits":
        return " ".join(str(rng.randint(0, 10**9)) for _ in range(chars // 6))[:chars]
    if kind == "danish":
        words = ("hvad", "skal", "jeg", "gøre", "før", "prospektiv", "validering", "udbud",
                 "fase", "data", "sundhedsvæsenet", "implementering", "produkt")
        return " ".join(rng.choice(words) for _ in range(chars // 4))[:chars]
    return " ".join("".join(rng.choice(letters) for _ in range(rng.randint(2, 12)))
                    for _ in range(chars // 4))[:chars]


def soak_history(max_body: int) -> list[dict]:
    """A history that, with its question, fills a body of `max_body` bytes (JSON)."""
    history, turn = [], 0
    while True:
        message = {"role": "user" if turn % 2 == 0 else "assistant",
                   "content": f"Tur {turn}: " + "spørgsmål om fase 4 og validering " * 60}
        if len(json.dumps({"data": ["Hvad er fase 4?", [*history, message]]})) > max_body - 2048:
            return history
        history.append(message)
        turn += 1


def soak(url: str, pid: int | None, max_body: int, requests: int = SOAK_REQUESTS,
         clients: int = 4) -> dict:
    """`requests` maximum-size requests, each from a new session; RSS sampled as they go."""
    history = soak_history(max_body)
    body_bytes = len(json.dumps({"data": ["Hvad er fase 4?", history]}))
    run = Run(url, clients, 600.0, requests, pid, session_per_request=True,
              rss_every=SOAK_RSS_EVERY)
    result = summary(drive(run, [("Hvad er fase 4?", history)]))
    samples = [v for k, v in result["rss_mb"].items() if k != "start"]
    result.update(kind="soak", body_bytes=body_bytes, history_messages=len(history),
                  rss_peak_mb=max(samples, default=float("nan")), target_mb=SOAK_TARGET_MB)
    return result


def _timed(client, url: str, question: str, history: list | None = None) -> float:
    began = time.perf_counter()
    ask(client, url, question, history or [], None)
    return (time.perf_counter() - began) * 1000


def adversarial(url: str, pid: int | None, normal: list[tuple[str, list[dict]]],
                seconds: float = MIX_SECONDS, clients: int = MIX_CLIENTS, seed: int = 11) -> dict:
    """Worst-case questions alone, then `clients` of them nonstop beside one normal client."""
    import httpx

    rng = random.Random(seed)
    with httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
        alone = {kind: [] for kind in KINDS}
        for n in range(ALONE_REQUESTS):
            kind = KINDS[n % len(KINDS)]
            alone[kind].append(_timed(client, url, worst_case(rng, kind)))
        baseline = [_timed(client, url, q, h) for q, h in normal[:60]]
    stop = threading.Event()
    errors: Counter = Counter()
    hostile_times: list[float] = []
    normal_times: list[float] = []

    def hostile(number: int) -> None:
        local = random.Random(seed * 1000 + number)
        with httpx.Client(timeout=REQUEST_TIMEOUT_S) as hostile_client:
            n = number
            while not stop.is_set():
                try:
                    hostile_times.append(_timed(hostile_client, url,
                                                worst_case(local, KINDS[n % len(KINDS)])))
                except (httpx.HTTPError, RuntimeError) as exc:
                    errors[f"worst case: {type(exc).__name__}"] += 1
                n += 1

    threads = [threading.Thread(target=hostile, args=(n,), daemon=True) for n in range(clients)]
    rss_start = server_rss(pid) if pid else None
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # the hostile clients are up to speed
    deadline = time.monotonic() + seconds
    with httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
        n = 0
        while time.monotonic() < deadline:
            question, history = normal[n % len(normal)]
            try:
                normal_times.append(_timed(client, url, question, history))
            except (httpx.HTTPError, RuntimeError) as exc:
                errors[f"normal: {type(exc).__name__}"] += 1
            n += 1
    stop.set()
    for thread in threads:
        thread.join(REQUEST_TIMEOUT_S + 5)
    every_alone = [t for times in alone.values() for t in times]
    return {
        "kind": "adversarial", "clients": clients, "seconds": seconds,
        "alone_ms": {kind: {"p50": round(percentile(t, 50), 1), "max": round(max(t), 1)}
                     for kind, t in alone.items()},
        "alone_p50_ms": round(percentile(every_alone, 50), 1),
        "alone_max_ms": round(max(every_alone), 1),
        "normal_alone_p50_ms": round(percentile(baseline, 50), 1),
        "normal_p50_ms": round(percentile(normal_times, 50), 1),
        "normal_p95_ms": round(percentile(normal_times, 95), 1),
        "normal_requests": len(normal_times),
        "worst_case_requests": len(hostile_times),
        "worst_case_p50_ms": round(percentile(hostile_times, 50), 1),
        "errors": sum(errors.values()), "error_kinds": dict(errors),
        "rss_mb": {"start": round(rss_start / 2**20, 1) if rss_start else None,
                   "end": round(server_rss(pid) / 2**20, 1) if pid else None},
        "targets_ms": {"worst_case": WORST_CASE_TARGET_MS, "normal_p50": NORMAL_TARGET_MS},
    }


def report(result: dict) -> str:
    if result["kind"] == "soak":
        return "\n".join([
            f"forespørgsler         {result['requests']} à {result['body_bytes']:,} bytes "
            f"({result['history_messages']} beskeder), ny session hver gang",
            f"fejl                  {result['errors']}",
            f"server-RSS start      {result['rss_mb'].get('start')} MB",
            f"server-RSS top        {result['rss_peak_mb']} MB (mål ≤ {SOAK_TARGET_MB} MB)",
            f"server-RSS slut       {result['rss_mb'].get('end')} MB",
        ])
    return "\n".join([
        f"værste spørgsmål alene  p50 {result['alone_p50_ms']} ms, max "
        f"{result['alone_max_ms']} ms (mål ≤ {WORST_CASE_TARGET_MS} ms)",
        f"normalt spørgsmål alene p50 {result['normal_alone_p50_ms']} ms",
        f"med {result['clients']} angribere      normalt p50 {result['normal_p50_ms']} ms, "
        f"p95 {result['normal_p95_ms']} ms (mål p50 ≤ {NORMAL_TARGET_MS} ms)",
        f"angribernes svar        {result['worst_case_requests']} (p50 "
        f"{result['worst_case_p50_ms']} ms), fejl {result['errors']}",
    ])
