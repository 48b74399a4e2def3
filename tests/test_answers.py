"""Golden answers on the real guide with the real model: what users get.

One test per example in issue #9's "What goes wrong today", and the design question of #2.
"""

import re

import pytest

from assistant.answer import Message
from corpus.parse import source_text
from evals.metrics import corpus_for_verbatim

pytestmark = pytest.mark.model

CORPUS = corpus_for_verbatim(source_text())


def places(answer):
    return [(c.track, c.phase) for c in answer.citations]


def tracks(answer):
    return {c.track for c in answer.citations}


def assert_verbatim(answer):
    for c in answer.citations:
        assert " ".join(c.quote.split()) in CORPUS, c.quote


def assert_markers(answer):
    found = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert found == set(range(1, len(answer.citations) + 1)), answer.answer


def conversation(*turns: str) -> list[Message]:
    return [Message("user" if i % 2 == 0 else "assistant", t) for i, t in enumerate(turns)]


# ---- the design question (#2) --------------------------------------------------------------


def test_design_question_lists_what_precedes_prospective_validation(real_assistant):
    answer = real_assistant.ask("hvad skal jeg gøre før prospektiv validering?")
    assert not answer.refused
    assert places(answer)[0] == ("ny-ide", 4)
    assert ("faerdigt-produkt", 1) in places(answer)
    text = answer.answer
    for action in ("1. Indhent godkendelser til prospektiv vurdering",
                   "2. Afklar infrastruktur for IT", "3. Forbered prospektiv vurdering"):
        assert action in text
    assert "4. Gennemfør prospektiv vurdering" not in text  # never its own anchor
    assert "indgås en afprøvningskontrakt" in text  # the watch-out: approvals come first
    assert_verbatim(answer)
    assert_markers(answer)


# ---- questions about the guide itself -----------------------------------------------------


def test_what_is_the_guide_in_english_is_answered(real_assistant):
    answer = real_assistant.ask("What is the AI journey guide?")
    assert not answer.refused
    assert places(answer)[0] == ("intro", None)
    assert "samarbejde om at udvikle, implementere og skalere" in answer.answer
    assert "written in Danish" in answer.answer  # one English sentence says the guide is Danish


def test_how_the_guide_is_built_names_both_tracks(real_assistant):
    answer = real_assistant.ask("Hvordan er AI-rejsen opbygget?")
    assert not answer.refused
    assert "Ny idé (5 faser)" in answer.lead and "Færdigt produkt (2 faser)" in answer.lead
    assert ("ny-ide", 1) not in places(answer)


# ---- structure that does not exist -------------------------------------------------------


@pytest.mark.parametrize("question, says", [
    ("Hvad handler fase 7 om?", "der er ingen fase 7"),
    ("Hvad sker der i fase 4 i Færdigt produkt?", "Færdigt produkt har 2 faser; der er ingen "
                                                   "fase 4."),
    ("Hvad er den 9. centrale handling i Idéudvikling?", "Ny idé › 1 Idéudvikling har 5 "
                                                         "centrale handlinger; der er ingen "
                                                         "handling nr. 9."),
    ("Hvad er fase 0?", "der er ingen fase 0"),
    ("phase 0", "der er ingen fase 0"),
])
def test_structure_that_does_not_exist_is_said_so(real_assistant, question, says):
    answer = real_assistant.ask(question)
    assert answer.refused
    assert says in answer.answer
    assert "fejl" not in answer.answer.lower()


# ---- everyday words ---------------------------------------------------------------------


def test_everyday_words_find_the_action(real_assistant):
    answer = real_assistant.ask("Hvornår skal IT-folkene inddrages?")
    assert not answer.refused
    assert "Afklar infrastruktur for IT" in answer.lead
    assert {("ny-ide", 4), ("faerdigt-produkt", 1)} <= set(places(answer))


# ---- a new topic mid-conversation is read as on a fresh page -----------------------------


@pytest.mark.parametrize("question", [
    "hvor kan jeg bestille pizza til mødet?",
    "dpia",
    "skal vi have en databehandleraftale?",
])
def test_new_topic_mid_conversation_is_not_a_follow_up(real_assistant, question):
    fresh = real_assistant.ask(question)
    mid = real_assistant.ask(conversation(
        "Hvad handler fase 2 i Ny idé om?",
        "Konceptualisering: en projektbeskrivelse styrer udviklingen.",
        question))
    assert fresh.refused and mid.refused
    assert places(mid) == places(fresh)


def test_a_follow_up_that_points_back_uses_the_conversation(real_assistant):
    answer = real_assistant.ask(conversation(
        "Hvad handler fase 2 i Ny idé om?",
        "Konceptualisering: en projektbeskrivelse styrer udviklingen.",
        "og hvad skal jeg være opmærksom på der?"))
    assert places(answer)[0] == ("ny-ide", 2)
    assert {c.section for c in answer.citations} == {"Vær opmærksom på"}


def test_the_other_track_asks_the_last_question_again_there(real_assistant):
    answer = real_assistant.ask(conversation(
        "Hvornår vurderes de juridiske aspekter i Ny idé?",
        "I Konceptualisering og i Indkøb, drift og skalering.",
        "og i det andet spor?"))
    assert places(answer) and all(t == "faerdigt-produkt" for t, _ in places(answer))
    assert "juridisk vurdering" in (answer.lead or answer.answer)


def test_a_clause_about_the_askers_situation_is_no_order_question(real_assistant):
    answer = real_assistant.ask("Hvordan sikrer vi, at algoritmen bliver ved med at fungere, "
                                "efter vi har købt den?")
    assert places(answer)[0] == ("faerdigt-produkt", 2)
    assert "Efter *" not in answer.answer  # no list of what follows a step


def test_what_next_after_a_step_the_situation_describes(real_assistant):
    answer = real_assistant.ask("Vi er lige blevet færdige med markedsdialogen med "
                                "leverandørerne. Hvad er næste skridt?")
    assert answer.answer.startswith("Efter *Udfør markedsdialog*")
    assert "Opstil kravspecifikation" in answer.answer


def test_what_comes_after_is_an_order_question_even_with_a_clause(real_assistant):
    answer = real_assistant.ask("Hvad kommer efter vi har fået pengene?")
    assert answer.answer.startswith("Efter *")
    assert "Søg finansiering" in answer.answer


def test_an_everyday_title_written_as_a_name_names_the_phase(real_assistant):
    answer = real_assistant.ask("Hvad er de centrale handlinger i Udvikling?")
    assert places(answer) == [("ny-ide", 3)]
    assert "Skab produktet (AI-modellen)" in answer.answer


# ---- synthesis across phases -------------------------------------------------------------


def test_a_synthesis_item_names_the_actions_its_phase_has_on_the_topic(real_assistant):
    answer = real_assistant.ask("Hvilke valideringer nævner guiden hele vejen igennem?")
    assert len(set(places(answer))) >= 2
    assert re.search(r"\(\*[^*]*validering\* \[\d+\]", answer.answer)


def test_agreements_along_the_way_are_listed_across_phases(real_assistant):
    answer = real_assistant.ask("Hvilke aftaler skal vi indgå undervejs?")
    assert not answer.refused
    assert len(set(places(answer))) >= 2
    assert "Indgå samarbejdsaftale" in answer.answer
    assert all(re.search(r"\[\d+\]", line) for line in answer.lead.splitlines())


def test_business_case_through_the_journey(real_assistant):
    answer = real_assistant.ask("hvor i rejsen dukker business casen op?")
    assert not answer.refused
    assert len({p for p in places(answer)}) >= 3
    for action in ("Udarbejd forventet business case", "Tilpas business case"):
        assert action in answer.answer


# ---- details the guide does not give -----------------------------------------------------


@pytest.mark.parametrize("question, what", [
    ("Hvad koster en CE-mærkning?", "priser"),
    ("Hvor lang tid tager det at få CE-mærket vores algoritme?", "varigheder"),
    ("Hvilke bemyndigede organer kan CE-mærke AI-software?", "navne"),
    ("Hvad siger artikel 6 i AI-forordningen?", "lovgivningens detaljer"),
])
def test_near_domain_specifics_are_refused_with_the_nearest_passage(real_assistant, question,
                                                                    what):
    answer = real_assistant.ask(question)
    assert answer.refused
    assert answer.answer.startswith("Guiden angiver ikke") and what in answer.lead
    assert answer.citations  # "det nærmeste, den siger, er" – with its source
    assert_verbatim(answer)


def test_a_number_the_guide_gives_is_answered(real_assistant):
    answer = real_assistant.ask("Hvornår skal man lave udbud?")
    assert not answer.refused
    assert "1,6 mio. kr." in answer.answer
    assert {"ny-ide", "faerdigt-produkt"} <= tracks(answer)


# ---- tasks ----------------------------------------------------------------------------


def test_a_task_is_declined_with_what_the_guide_says(real_assistant):
    answer = real_assistant.ask("Kan du skrive en projektbeskrivelse til styregruppen?")
    assert answer.refused
    assert answer.answer.startswith("Det kan jeg ikke")
    assert "Udarbejd en projektbeskrivelse" in answer.answer
    assert_verbatim(answer)


# ---- order never lists its anchor ----------------------------------------------------------


def test_next_action_after_an_action_does_not_list_it(real_assistant):
    answer = real_assistant.ask("Næste handling efter Gennemfør retrospektiv validering")
    assert "12. Afklar infrastruktur for IT" in answer.lead
    assert "11. Gennemfør retrospektiv validering" not in answer.answer


def test_before_an_action_does_not_list_it(real_assistant):
    answer = real_assistant.ask("Hvad kommer før Opstil kravspecifikation?")
    assert "4. Udfør markedsdialog" in answer.lead
    assert "5. Opstil kravspecifikation" not in answer.answer


# ---- short, once-cited answers ---------------------------------------------------------


def test_a_list_carries_one_marker_and_there_is_no_sources_block(real_assistant):
    answer = real_assistant.ask("Hvad er de centrale handlinger i fase 4 i Ny idé?")
    lines = [line for line in answer.answer.splitlines() if re.match(r"\d+\. ", line)]
    assert len(lines) == 6
    assert sum(bool(re.search(r"\[\d+\]", line)) for line in lines) <= 1
    assert "Kilder" not in answer.answer
    assert_markers(answer)


def test_a_whole_phase_only_when_asked_for(real_assistant):
    answer = real_assistant.ask("Hvad skal man være opmærksom på ved CE-mærkning?")
    assert len(answer.answer) < 700
    assert "Centrale handlinger" not in answer.answer


def test_english_questions_get_danish_quotes_and_one_english_sentence(real_assistant):
    for question in ("How do we validate a CE-marked product we are about to buy?",
                     "When should we involve IT?"):
        answer = real_assistant.ask(question)
        assert not answer.refused
        assert "The guide is written in Danish" in answer.answer
        assert_verbatim(answer)


# ---- other scripts and bare numbers -----------------------------------------------------


@pytest.mark.parametrize("question", ["这本指南讲什么？", "Что такое AI-rejsen?", "1234"])
def test_questions_without_danish_or_english_words_get_a_danish_message(real_assistant,
                                                                         question):
    answer = real_assistant.ask(question)
    assert answer.refused and not answer.citations
    assert "dansk eller engelsk" in answer.answer


# ---- follow-ups about the steps the last answer named -----------------------------------------


def test_the_last_of_them_is_the_last_step_the_answer_listed(real_assistant):
    answer = real_assistant.ask(conversation(
        "Hvilke centrale handlinger er der i fase 2 af Færdigt produkt?",
        "Fase 2 har fem: Foretag udbud, Indkøb produktet, Sæt produktet i drift, Overvåg "
        "produktet og Skaler produktet.",
        "Den sidste af dem, hvad går den ud på?"))
    assert places(answer)[0] == ("faerdigt-produkt", 2)
    assert "Skaler produktet" in answer.answer
    assert "bredere potentiale" in answer.answer  # the watch-out asked about with it


def test_before_it_is_before_the_step_named(real_assistant):
    answer = real_assistant.ask(conversation(
        "Hvad står der om overvågning, når et hospital har købt et godkendt produkt?",
        "I Færdigt produkt, fase 2, er 'Overvåg produktet' en central handling.",
        "og før den?"))
    assert answer.answer.startswith("Før *Overvåg produktet*")
    assert "Sæt produktet i drift" in answer.answer


def test_a_question_typed_without_danish_letters(real_assistant):
    answer = real_assistant.ask("hvad er naeste fase efter konceptualisering?")
    assert "Fase 3: Udvikling" in answer.answer


def test_a_topic_across_the_journey_says_what_its_steps_involve(real_assistant):
    answer = real_assistant.ask("hvor i rejsen kommer markedsafdækning ind?")
    assert {("ny-ide", 1), ("faerdigt-produkt", 1)} <= set(places(answer))
    assert "Afdæk markedet" in answer.lead
    # The watch-outs that explain the steps listed, learned from the question bank.
    assert "En markedsundersøgelse kan kortlægge eksisterende produkter" in answer.answer
    assert "markedet for eksisterende produkter undersøges" in answer.answer
    assert_verbatim(answer)
    assert_markers(answer)


def test_a_phase_named_by_a_title_both_tracks_share_is_answered_for_both(real_assistant):
    answer = real_assistant.ask("Hvad foregår der i fasen Test og implementering?")
    assert {("ny-ide", 4), ("faerdigt-produkt", 1)} <= set(places(answer))


def test_risks_stay_the_topic_of_a_question_about_them(real_assistant):
    reading = real_assistant.responder.read("hvilke risici ved udviklingen skal vi kende?")
    assert "risici" in reading.content  # a word of "Kategoriser risici …", not of "risici ved"


def test_a_follow_up_about_the_guide_stays_with_the_guide(real_assistant):
    answer = real_assistant.ask(conversation(
        "Hvem står bag guiden?",
        "Guiden er udgivet af Forskningsenheden ved Regionshospitalet Horsens.",
        "og hvem har betalt for den?"))
    assert places(answer) and all(track == "intro" for track, _ in places(answer))
    assert "Erhvervsstyrelsen som puljeansvarlig" in answer.answer


def test_an_action_is_quoted_with_the_watch_out_it_is_asked_about_with(real_assistant):
    # The situation's words ("modellen") match another watch-out of the phase; the one the
    # question bank asks about together with the risk categorisation is quoted too.
    answer = real_assistant.ask("Nu hvor vi bygger modellen, hvad skal vi gøre ved risiciene "
                                "under den nye EU-lov om AI?")
    assert "Kategoriser risici ift. EU's AI-forordning" in answer.answer
    assert "Dokumentationen skal tænkes ind allerede i udviklingsfasen" in answer.answer


@pytest.mark.parametrize("turns", [
    ("Hvad går den forventede business case i idéfasen ud på?",
     "Business casen påbegyndes i Idéudvikling og justeres løbende.",
     "og hvor dukker den så op igen senere?"),
    # Not asked as "where" (the model reads it as a topic), but "senere" and "den" still ask
    # about the thing the last question named, through the track.
    ("Hvornår skal vi lave business casen i et nyt projekt?",
     "Den forventede business case udarbejdes i Idéudvikling.",
     "Skal den opdateres senere?"),
])
def test_where_the_thing_just_asked_about_comes_back_later(real_assistant, turns):
    answer = real_assistant.ask(conversation(*turns))
    assert "Tilpas business case" in answer.answer
    assert "Revurder business case" in answer.answer


def test_a_paragraph_is_quoted_with_the_step_of_it_the_question_words(real_assistant):
    answer = real_assistant.ask("We are buying a CE-marked tool. What must our IT people have "
                                "in place before it is validated on local data?")
    assert "IT-infrastrukturen er på plads" in answer.answer
    assert "Afklar infrastruktur for IT" in answer.answer


def test_the_phase_a_situation_points_at_with_den_her_fase(real_assistant):
    answer = real_assistant.ask("Vi har haft de første møder med leverandører af et CE-mærket "
                                "produkt. Hvad mangler vi så at gøre i den her fase?")
    assert places(answer)[0] == ("faerdigt-produkt", 1)
    assert "Opstil kravspecifikation" in answer.answer


def test_what_must_be_in_place_before_a_step_is_what_comes_before_it(real_assistant):
    # "på plads" says how it asks, though a title has "plads" ("Giv plads til din undren").
    answer = real_assistant.ask("Hvad skal vi have på plads, før vi kan søge finansiering?")
    assert answer.answer.startswith("Før *Søg finansiering*")
    assert "Vurder juridiske aspekter" in answer.answer


def test_a_before_word_inside_a_title_names_the_step(real_assistant):
    # "før" of "Indgå aftale før validering" is part of the title, not the question's relation.
    answer = real_assistant.ask("Hvad kommer efter Indgå aftale før validering?")
    assert answer.answer.startswith("Efter *Indgå aftale før validering*")
    assert "Gennemfør juridisk vurdering" in answer.answer


def test_a_track_named_in_english_is_a_place_not_a_topic(real_assistant):
    reading = real_assistant.responder.read(
        "In the finished product track, which phase follows Test og implementering?")
    assert reading.mentions.tracks == ("faerdigt-produkt",)
    assert not reading.content
    answer = real_assistant.ask(
        "In the finished product track, which phase follows Test og implementering?")
    assert places(answer)[0] == ("faerdigt-produkt", 2)
