"""The hostile runs of evals/load.py work end to end (their figures are in BENCHMARKS.md; no
timing is asserted here) and their sections survive `ai-rejsen bench` rewriting the file."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import pytest

from evals.hostile import KINDS, QUESTION_CHARS, soak_history, worst_case
from evals.sections import kept_sections, write_section
from tests.conftest import ROOT
from tests.conftest_ui import ui_settings
from tests.security.helpers import served
from ui.limits import MAX_BODY


def load(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evals.load", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300,
                          env=os.environ | {"PYTHONPATH": str(ROOT)})


def test_worst_cases_are_new_and_full_length():
    rng = random.Random(1)
    for kind in KINDS:
        first, second = worst_case(rng, kind), worst_case(rng, kind)
        assert first != second and QUESTION_CHARS - 10 <= len(first) <= QUESTION_CHARS, kind


def test_the_soak_history_fills_the_body_limit():
    body = len(json.dumps({"data": ["Hvad er fase 4?", soak_history(MAX_BODY)]}))
    assert MAX_BODY - 8192 < body < MAX_BODY


@pytest.mark.server
@pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")
def test_soak_and_adversarial_runs_report_and_write_their_sections(fake_assistant, tmp_path):
    benchmarks = tmp_path / "BENCHMARKS.md"
    benchmarks.write_text("# Hastighed\n\nbench skrev dette.\n", encoding="utf-8")
    with served(fake_assistant, ui_settings(tmp_path / "data")) as url:
        soak = load("--url", url, "--pid", str(os.getpid()), "--soak", "--max-requests", "20",
                    "--json", "--benchmarks", str(benchmarks))
        mix = load("--url", url, "--adversarial", "--seconds", "2", "--json",
                   "--benchmarks", str(benchmarks))
    soak_result = json.loads(soak.stdout.splitlines()[-1])
    assert soak_result["errors"] == 0 and soak_result["requests"] >= 20, soak.stderr
    assert soak_result["body_bytes"] > MAX_BODY - 8192
    mix_result = json.loads(mix.stdout.splitlines()[-1])
    assert mix_result["errors"] == 0 and mix_result["normal_requests"] > 0, mix.stderr
    assert set(mix_result["alone_ms"]) == set(KINDS)
    text = benchmarks.read_text(encoding="utf-8")
    assert "bench skrev dette." in text
    assert "<!-- load:soak -->" in text and "<!-- load:adversarial -->" in text
    rewritten = "# Hastighed\n\nny bench.\n" + kept_sections(text)
    assert "<!-- load:soak -->" in rewritten and "Hukommelse" in rewritten
    write_section(benchmarks, soak_result)  # a new soak replaces the old one
    assert benchmarks.read_text(encoding="utf-8").count("<!-- load:soak -->") == 1
