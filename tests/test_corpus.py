"""The repaired guide: structure exactly the guide's, nothing lost, no extraction damage left."""

import re

from corpus.model import KEY_ACTIONS, PURPOSE, WATCH_OUTS
from corpus.parse import GuideFormatError, load_guide, parse_guide, source_text
from tests.conftest import ROOT

RAW = (ROOT / "corpus" / "source" / "ai-rejsen-pixi.txt").read_text(encoding="utf-8")
ARTIFACTS = ["Start rejsen", "Vil du vide mere?", "regionmidtjylland midt", "AIRejsen.dk"]


def _normalized(text: str) -> str:
    """Markdown emphasis and links reduced to their words, whitespace collapsed."""
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text.replace("**", ""))
    return " ".join(text.split())


def test_seven_phases_with_the_guides_action_counts():
    guide = load_guide()
    counts = {(p.track, p.number, p.title): len(p.key_actions.items) for p in guide.phases()}
    assert counts == {
        ("ny-ide", 1, "Idéudvikling"): 5,
        ("ny-ide", 2, "Konceptualisering"): 5,
        ("ny-ide", 3, "Udvikling"): 4,
        ("ny-ide", 4, "Test og implementering"): 6,
        ("ny-ide", 5, "Indkøb, drift og skalering"): 5,
        ("faerdigt-produkt", 1, "Test og implementering"): 15,
        ("faerdigt-produkt", 2, "Indkøb, drift og skalering"): 5,
    }


def test_every_phase_has_purpose_actions_and_watch_outs_in_order():
    for phase in load_guide().phases():
        assert [s.kind for s in phase.sections] == [PURPOSE, KEY_ACTIONS, WATCH_OUTS]
        numbers = [b.number for b in phase.key_actions.blocks]
        assert numbers == list(range(1, len(numbers) + 1))


def test_two_column_list_is_read_left_column_then_right():
    actions = load_guide().phase("faerdigt-produkt", 1).key_actions.items
    left = [line.split("\t")[0] for line in RAW.splitlines() if "\t" in line]
    right = [line.split("\t")[1] for line in RAW.splitlines() if "\t" in line]
    assert list(actions) == [x for x in left + right if x.strip()]
    assert actions[7] == "Indgå aftale før validering"
    assert actions[8] == "Gennemfør juridisk vurdering herunder ift. EU's AI-forordning"


def test_no_sentence_of_the_original_is_lost():
    corpus_text = _normalized(" ".join(s.text for s in load_guide().sections))
    corpus_text = re.sub(r"(^| )(\d+\. |- )", r"\1", corpus_text)
    missing = []
    for line in RAW.splitlines():
        for part in line.split("\t"):
            part = _normalized(part)
            part = re.sub(r"^(\d+\. |- )", "", part)
            if not part or part.startswith("#") or part == "---" or part in ARTIFACTS:
                continue
            if part not in corpus_text:
                missing.append(part)
    assert missing == []


def test_headings_of_the_original_are_the_sections():
    guide = load_guide()
    titles = {s.title for s in guide.sections} | {p.title for p in guide.phases()}
    for line in RAW.splitlines():
        if line.startswith("#"):
            heading = line.lstrip("# ").strip()
            heading = re.sub(r"^\d+ ", "", heading)
            if heading in ("AIRejsen.dk", "Ny idé", "Færdigt projekt",
                           "Din guide til udvikling og implementering af AI-produkter i "
                           "sundhedsvæsenet"):
                continue
            assert heading in titles, heading


def test_no_extraction_damage_is_left():
    guide = load_guide()
    text = "\n".join(s.text for s in guide.sections)
    for artifact in ARTIFACTS + ["regionmidtjylland", "Færdigt projekt", "\t", "---", "  "]:
        assert artifact not in text
    for section in guide.sections:
        for paragraph in section.paragraphs:
            # A sentence split at a page break leaves a paragraph starting in lower case.
            assert not paragraph[0].islower(), paragraph


def test_the_track_has_one_name():
    assert "Færdigt produkt" in source_text()
    assert "Færdigt projekt" not in source_text().split("-->", 1)[1]


def test_attribution_is_kept_with_the_corpus():
    head = source_text().split("-->", 1)[0]
    assert "kildeangivelse" in head and "Regionshospitalet Horsens" in head


def test_parser_rejects_text_outside_the_scheme():
    import pytest

    with pytest.raises(GuideFormatError):
        parse_guide("# Ny idé {ny-ide}\n\n### Centrale handlinger\n\n1. Noget\n")
    with pytest.raises(GuideFormatError):
        parse_guide("løs tekst uden overskrift\n")


def test_the_guides_shape_is_read_from_the_source():
    """Tracks, their names and their phases come from the parsed guide, whatever its shape."""
    other = load_guide(ROOT / "tests" / "fixtures" / "other-guide.md")
    assert [(t.id, t.name) for t in other.tracks] == [
        ("pilot", "Pilot"), ("anskaffelse", "Anskaffelse"), ("forskning", "Forskning")]
    assert [len(other.phases(t.id)) for t in other.tracks] == [4, 3, 6]
    assert other.phase("forskning", 6).path == "Forskning › 6 Formidling"
    assert other.track("pilot").overview == (
        "Dette spor tager dig fra en god idé til en afsluttet pilotafprøvning.",)
    guide = load_guide()
    assert [(t.id, t.name) for t in guide.tracks] == [
        ("ny-ide", "Ny idé"), ("faerdigt-produkt", "Færdigt produkt")]
