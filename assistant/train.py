"""`ai-rejsen learn`: embed the question bank, fit the intent and track model, cross-validate it.

Writes the data the assistant ships with: the bank's vectors (index/vectors/bank-<model>.npz, so
building the index never embeds 2,000 questions) and the fitted models (assistant/models/), one
that uses the question's vector and one on words alone. The cross-validation keeps each paraphrase
family in one fold, so a score never comes from a paraphrase of a training question; its report
(per-intent precision and recall, the confusion matrix) goes into evals/reports/ and RESULTS.md.

scikit-learn is imported here only: the assistant itself runs the fitted model with numpy.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.intents import (
    HASH_DIM,
    LEXICAL,
    Head,
    IntentModel,
    lexical_features,
    place_label,
    save_model,
)
from corpus.bank import INTENTS, BankQuestion, bank_hash, load_bank, text_key
from index.expansion import embed_queries, load_shipped, save_shipped

C = 4.0  # inverse regularisation: chosen by grouped cross-validation on the bank (see report)
DENSE_SCALE = 2.0  # the unit-length vector against five unit-length groups of word features
FOLDS = 5


@dataclass(frozen=True)
class CrossValidation:
    intent_accuracy: float
    scope_accuracy: float  # in scope vs out of scope, from the intent
    out_of_scope_recall: float
    in_scope_recall: float
    track_accuracy: float
    per_intent: dict[str, dict[str, float]]  # precision, recall, support
    confusion: dict[str, dict[str, int]]  # true → predicted → count
    questions: int
    families: int


def track_label(q: BankQuestion) -> str:
    if not q.in_scope:
        return "none"
    tracks = {t for t, _ in q.places if t != "intro"}
    return tracks.pop() if len(tracks) == 1 else ("both" if tracks else "none")


def features(bank: tuple[BankQuestion, ...], vectors: np.ndarray | None):
    from scipy.sparse import csr_matrix, hstack

    rows, cols, vals = [], [], []
    for i, q in enumerate(bank):
        for j, v in lexical_features(q.text).items():
            rows.append(i)
            cols.append(j)
            vals.append(v)
    lexical = csr_matrix((vals, (rows, cols)), shape=(len(bank), HASH_DIM), dtype=np.float32)
    if vectors is None:
        return lexical
    return hstack([lexical, csr_matrix(vectors * DENSE_SCALE)], format="csr")


def fit_classifier(x, y, sample_weight=None):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=3000, class_weight="balanced").fit(
        x, y, sample_weight=sample_weight)


NO_PLACE = "none"  # the place head's class for a question the guide does not answer


def place_rows(bank) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, place label, weight): a question once per place that answers it, each weighing
    1/n (a question asked about both tracks is half about each); out of scope: "none"."""
    rows, labels, weights = [], [], []
    for i, q in enumerate(bank):
        places = q.places if q.in_scope and q.places else ()
        for track, phase in places:
            rows.append(i)
            labels.append(place_label(track, phase))
            weights.append(1.0 / len(places))
        if not places:
            rows.append(i)
            labels.append(NO_PLACE)
            weights.append(1.0)
    return np.array(rows), np.array(labels), np.array(weights)


def fit_place(x, bank):
    rows, labels, weights = place_rows(bank)
    return fit_classifier(x[rows], labels, weights)


def held_out(bank, x, fit) -> list[dict[str, float]]:
    """Each question's class probabilities from a classifier (`fit(rows)`, fitted on the other
    folds) that never saw its paraphrase family: grouped cross-validation."""
    from sklearn.model_selection import GroupKFold

    groups = np.array([q.family for q in bank])
    out: list[dict[str, float]] = [{} for _ in bank]
    for train, test in GroupKFold(n_splits=FOLDS).split(x, groups=groups):
        clf = fit(train)
        for i, row in zip(test, clf.predict_proba(x[test]), strict=True):
            out[i] = dict(zip((str(c) for c in clf.classes_), row.tolist(), strict=True))
    return out


def held_out_places(bank, vectors: np.ndarray | None, x=None) -> list[dict[str, float]]:
    """Each question's place probabilities from a place head that never saw its paraphrase
    family: what training and calibration may use as evidence. `x`: the bank's features, if
    already built."""
    x = features(bank, vectors) if x is None else x
    return held_out(bank, x, lambda rows: fit_place(x[rows], tuple(bank[i] for i in rows)))


def _head(clf, dense: bool) -> Head:
    coef = clf.coef_.T.astype(np.float32)  # (features, classes)
    classes = tuple(str(c) for c in clf.classes_)
    if coef.shape[1] == 1:  # two classes: sklearn keeps one column
        coef = np.hstack([-coef, coef]) / 2
        bias = np.array([-clf.intercept_[0], clf.intercept_[0]], dtype=np.float32) / 2
    else:
        bias = clf.intercept_.astype(np.float32)
    lexical, rest = coef[:HASH_DIM], coef[HASH_DIM:]
    return Head(classes, lexical, rest * DENSE_SCALE if dense else None, bias)


def fit_model(bank, vectors: np.ndarray | None, embedding_model: str) -> IntentModel:
    x = features(bank, vectors)
    intents = [q.intent for q in bank]
    tracks = [track_label(q) for q in bank]
    dense = vectors is not None
    return IntentModel(embedding_model, bank_hash(bank),
                       _head(fit_classifier(x, intents), dense),
                       _head(fit_classifier(x, tracks), dense),
                       _head(fit_place(x, bank), dense))


def cross_validate(bank, vectors: np.ndarray | None) -> CrossValidation:
    from sklearn.model_selection import GroupKFold

    x = features(bank, vectors)
    y = np.array([q.intent for q in bank])
    tracks = np.array([track_label(q) for q in bank])
    groups = np.array([q.family for q in bank])
    predicted = np.empty(len(bank), dtype=object)
    predicted_track = np.empty(len(bank), dtype=object)
    for train, test in GroupKFold(n_splits=FOLDS).split(x, y, groups):
        predicted[test] = fit_classifier(x[train], y[train]).predict(x[test])
        predicted_track[test] = fit_classifier(x[train], tracks[train]).predict(x[test])
    inside = {q.intent: q.in_scope for q in bank}
    true_in = np.array([inside[i] for i in y])
    pred_in = np.array([inside.get(i, True) for i in predicted])
    confusion: dict[str, dict[str, int]] = {}
    for t, p in zip(y, predicted, strict=True):
        confusion.setdefault(t, Counter())[p] += 1
    per_intent = {}
    for intent in INTENTS:
        support = int((y == intent).sum())
        chosen = int((predicted == intent).sum())
        right = int(((y == intent) & (predicted == intent)).sum())
        if support or chosen:
            per_intent[intent] = {"precision": right / chosen if chosen else 0.0,
                                  "recall": right / support if support else 0.0,
                                  "support": support}
    return CrossValidation(
        intent_accuracy=float((predicted == y).mean()),
        scope_accuracy=float((true_in == pred_in).mean()),
        out_of_scope_recall=float((~pred_in[~true_in]).mean()) if (~true_in).any() else 1.0,
        in_scope_recall=float(pred_in[true_in].mean()) if true_in.any() else 1.0,
        track_accuracy=float((predicted_track == tracks).mean()),
        per_intent=per_intent,
        confusion={t: dict(c) for t, c in confusion.items()},
        questions=len(bank), families=len(set(groups)),
    )


def bank_vectors(bank, embeddings, model: str) -> np.ndarray:
    """Vectors for `model` of the questions in `bank` (all of the bank, or part of it): shipped
    ones reused, the rest embedded. The shipped file keeps one vector for each question in the
    whole bank, whichever part was asked for, so that learning and calibrating agree on it."""
    shipped = load_shipped(model)
    missing = sorted({q.text for q in bank if text_key(q.text) not in shipped})
    if missing:
        print(f"Embedder {len(missing)} spørgsmål med {model} …", flush=True)
        for text, vector in zip(missing, embed_queries(embeddings, missing), strict=True):
            shipped[text_key(text)] = vector
    wanted = {text_key(q.text) for q in load_bank()}
    kept = {k: v for k, v in shipped.items() if k in wanted}
    if kept.keys() != load_shipped(model).keys():
        save_shipped(model, kept)
    return np.stack([shipped[text_key(q.text)] for q in bank]).astype(np.float32)


def cv_markdown(name: str, cv: CrossValidation) -> str:
    lines = [f"### Intentionsmodel ({name}): krydsvalidering", "",
             f"{cv.questions} spørgsmål i {cv.families} parafrasefamilier, {FOLDS} fold; en "
             "familie er altid i samme fold.", "",
             "| Mål | Værdi |", "|---|---:|",
             f"| Intention rigtig | {cv.intent_accuracy:.3f} |",
             f"| Inden for / uden for guiden rigtig | {cv.scope_accuracy:.3f} |",
             f"| Uden for guiden genkendt | {cv.out_of_scope_recall:.3f} |",
             f"| Inden for guiden genkendt | {cv.in_scope_recall:.3f} |",
             f"| Spor rigtigt | {cv.track_accuracy:.3f} |", "",
             "| Intention | Præcision | Genkaldelse | Antal |", "|---|---:|---:|---:|"]
    for intent, m in cv.per_intent.items():
        lines.append(f"| {intent} | {m['precision']:.2f} | {m['recall']:.2f} | "
                     f"{m['support']} |")
    names = [i for i in INTENTS if i in cv.confusion]
    lines += ["", "Forvekslinger (rækker: rigtig intention, kolonner: forudsagt):", "",
              "| | " + " | ".join(n[:6] for n in names) + " |",
              "|---|" + "---:|" * len(names)]
    for t in names:
        row = cv.confusion.get(t, {})
        lines.append(f"| {t} | " + " | ".join(str(row.get(p, 0) or "") for p in names) + " |")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class RankerCheck:
    questions: int
    learned_top_place: float  # held-out families: the best passage's place is a right one
    fused_top_place: float  # the same questions ranked by reciprocal rank fusion


def ranker_rows(assistant, places: dict[str, dict[str, float]]):
    """(features, labels, family, evidence) per bank key question, its own family left out of
    the keys and of the place head (`places`: held-out place probabilities by text_key)."""
    reader = assistant.responder.reader
    retriever = assistant.retriever
    index = assistant.index
    families = np.array([k.family for k in index.keys])
    rows = []
    for i, key in enumerate(index.keys):
        if not key.chunks:
            continue  # an out-of-scope question points at no passage
        spelled = reader.analyzer.spell(key.text)
        mentions = reader.mention_reader.read(spelled)
        vector = index.key_vectors[i]
        _, hint, _, _ = reader.understood(key.text, vector, mentions)
        place = reader.chunk_places(places.get(text_key(key.text), {}))
        ev = reader.evidence(spelled, mentions, hint, vector, leave_out=families == key.family,
                             places=place)
        x = retriever.features(ev.lexical, ev.dense, ev.key_dense, ev.key_lexical, ev.key_vote,
                               place)
        y = np.zeros(len(index.chunks), dtype=np.int8)
        y[list(key.chunks)] = 1
        rows.append((x, y, key.family, ev))
    return rows


def _top_place_right(scores: np.ndarray, y: np.ndarray, chunks) -> bool:
    right = {(chunks[j].track, chunks[j].phase) for j in np.flatnonzero(y)}
    top = int(np.argmax(scores))
    return (chunks[top].track, chunks[top].phase) in right


def fit_ranker(assistant, model: str, places: dict[str, dict[str, float]]):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    from assistant.ranker import Ranker

    rows = ranker_rows(assistant, places)
    chunks = assistant.index.chunks
    groups = np.array([f for _, _, f, _ in rows])

    def fit(idx):
        x = np.vstack([rows[i][0] for i in idx])
        y = np.concatenate([rows[i][1] for i in idx])
        clf = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced").fit(x, y)
        return Ranker(clf.coef_[0].astype(np.float32), float(clf.intercept_[0]), model)

    learned = fused = 0
    for train, test in GroupKFold(n_splits=FOLDS).split(rows, groups=groups):
        ranker = fit(train)
        for i in test:
            x, y, _, ev = rows[i]
            learned += _top_place_right(ranker.probabilities(x), y, chunks)
            fused += _top_place_right(ev._fused(np.ones(len(chunks), dtype=bool)), y, chunks)
    check = RankerCheck(len(rows), learned / len(rows), fused / len(rows))
    return fit(range(len(rows))), check


def main(settings, args) -> int:
    from index.embeddings import embeddings_name, make_embeddings

    bank = load_bank()
    if not bank:
        print("Ingen spørgebank i corpus/bank/.")
        return 1
    embeddings = make_embeddings(settings.embeddings)
    model = embeddings_name(embeddings)
    reports = []
    dense = bank_vectors(bank, embeddings, model)
    for name, vectors in ((LEXICAL, None), (model, dense)):
        if name == LEXICAL or model != "fake":
            cv = cross_validate(bank, vectors)
            print(cv_markdown(name, cv))
            reports.append((name, cv))
            print(f"Gemt: {save_model(fit_model(bank, vectors, name))}")
    ranking = ""
    if model != "fake":
        from assistant.console import open_with_progress
        from assistant.intents import models_dir
        from assistant.ranker import save_ranker

        places = {text_key(q.text): p for q, p in zip(bank, held_out_places(bank, dense),
                                                      strict=True)}
        ranker, check = fit_ranker(open_with_progress(settings), model, places)
        ranking = (f"### Rangering ({model})\n\n{check.questions} spørgsmål fra spørgebanken, "
                   f"{FOLDS} fold, hver parafrasefamilie holdt ude af sine egne nøgler: det "
                   f"bedste sted er rigtigt for {check.learned_top_place:.3f} med den lærte "
                   f"rangering mod {check.fused_top_place:.3f} med reciprok rangfusion.\n")
        print(ranking)
        print(f"Gemt: {save_ranker(ranker, models_dir())}")
    out = Path(getattr(args, "out", None) or "evals/reports")
    out.mkdir(parents=True, exist_ok=True)
    (out / "intent-cv.json").write_text(json.dumps(
        {name: cv.__dict__ for name, cv in reports}, ensure_ascii=False, indent=1), "utf-8")
    (out / "intent-cv.md").write_text(
        "\n".join(cv_markdown(n, cv) for n, cv in reports) + "\n" + ranking, "utf-8")
    return 0
