"""Train the sentence ranker and the answerable model on the gold sets; cross-validate them.

    datalessen train-ranker            # (or: python -m evals.train_ranker)

Over the store the settings point at (ingested, with sentence vectors), every gold question
is retrieved as the evaluation retrieves it; its candidate sentences get the answerer's own
features and a label (`evals/ranker_data.py`). Then:

1. cross-validation: each gold set held out in turn (`--folds documents`: each document with
   every question about it, whichever set asks it), everything trained on the rest, the held-out
   questions answered with that model over the same retrieved passages and scored like
   `datalessen eval` (key-fact recall, abstention F1, words, recall@5); printed and written to
   `evals/report/ranker-cv.md`;
2. the model trained on all sets, written as JSON (`assistant/models/sentence_ranker.json`)
   with the feature list and the SHA-256 of the training data and of the gold files.

Rankers: linear models (deterministic, no seed needed; lbfgs): the quoting ranker fitted per question
(`fit_listwise`), the others as pooled logistic regressions. The answerable model is
fitted on out-of-fold ranker scores (each set, or with `--folds documents` each document, scored by a
ranker that did not see it), so it
learns how the ranker behaves on questions it was not trained on.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import click
import numpy as np

from assistant.extractive import ExtractiveAnswerer
from assistant.sentence_features import FEATURES, SIMILARITY_FEATURES
from assistant.sentence_ranker import ANSWERABLE_FEATURES, DEFAULT_MODEL, Logistic, RankerModel, load_model, question_summary
from evals import metrics as m
from evals.ranker_data import Example, collect, data_digest, file_digest
from evals.run import score, summarize
from evals.sets import SETS, UNSEEN, gold_set

# every shipped set over the shipped corpus except the unseen ones (evals/sets.py); the real documents' sets
# come with --extra, as their store lives in another data home
GOLD_SETS = tuple(s.name for s in SETS if s.corpus == "shipped" and s.role != UNSEEN)
REAL_SETS = tuple(s.name for s in SETS if s.corpus == "real" and s.role != UNSEEN)
RANKER_C = 10.0  # weak regularisation: ~13k rows, 50 features (chosen on the held-out folds)
LISTWISE_C = 1.0  # the quoting ranker's, over ~700 questions (0.1 and 10 compared only on three folds' first sentences)
# weight of the pooled per-sentence log-loss beside the per-question softmax: 0, as it carried over least to a
# document no question was about (folds by document, docs/answering.md)
LISTWISE_MIX = 0.0
LISTWISE_CORPUS_POWER = 1.0  # each question weighs (its corpus's share of the questions)^-power: 0 none, 1 corpora alike
ANSWERABLE_C = 0.1
# The question's kind (`kind_*`) enters the answerable model with its standardised columns scaled by this: a
# penalty 1 / 0.1^2 = 100 times the others' on its coefficients. What kind of question the gold sets leave
# unanswered is their authors' habit as much as the documents' (79 of the 127 'which gemeente / which company'
# development questions are gaps), and at full weight the kind alone refused half the answerable 'welke gemeente'
# questions, "Welke gemeente voerde slim vegen uit?" among them. Chosen on folds of documents and of the later sets
# (docs/answering.md, forty-ninth session).
ANSWERABLE_KIND_WEIGHT = 0.1
MAX_FALSE_ABSTENTIONS = 0.05  # share of answerable questions abstained on, out of fold, the threshold allows
DEFAULT_CV_REPORT = Path(__file__).resolve().parent / "report" / "ranker-cv.md"
_UNKNOWN = (FEATURES.index("cue_unknown"), FEATURES.index("unknown_section"))
KIND_WEIGHTS = {f: ANSWERABLE_KIND_WEIGHT for f in ANSWERABLE_FEATURES if f.startswith("kind_")}


# --------------------------------------------------------------------------- fitting


def fit_logistic(
    rows: np.ndarray,
    labels: np.ndarray,
    features,
    c: float,
    *,
    balanced: bool = False,
    weights: np.ndarray | None = None,
    column_weights: dict[str, float] | None = None,
) -> Logistic:
    """`balanced`: each positive weighs negatives / positives, so both classes count alike; `weights`: per row;
    `column_weights`: a feature's standardised column scaled by its weight while fitting, so its coefficient is
    penalised 1 / weight^2 times as much as the others' (the weight is folded back into the coefficient)."""
    from sklearn.linear_model import LogisticRegression

    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale < 1e-9] = 1.0
    if balanced:
        positives = max(1, int(labels.sum()))
        weights = np.where(labels > 0, (len(labels) - positives) / positives, 1.0)
    column = np.array([(column_weights or {}).get(f, 1.0) for f in features])
    model = LogisticRegression(C=c, max_iter=5000).fit((rows - mean) / scale * column, labels, sample_weight=weights)
    return Logistic(tuple(features), mean, scale, model.coef_[0] * column, float(model.intercept_[0]))


def _usable(examples: list[Example], kind: str) -> list[Example]:
    usable = [e for e in examples if e.question.answerable and len(e.sentences)]
    return [e for e in usable if e.similarity is not None] if kind == "similarity" else usable


def _rows(example: Example, kind: str) -> np.ndarray:
    return np.hstack([example.features, example.similarity]) if kind == "similarity" else example.features


def _ranker_rows(examples: list[Example], kind: str) -> tuple[np.ndarray, np.ndarray]:
    usable = _usable(examples, kind)
    return np.vstack([_rows(e, kind) for e in usable]), np.concatenate([e.labels for e in usable])


def fit_listwise(
    examples: list[Example],
    kind: str,
    features,
    c: float = LISTWISE_C,
    mix: float = LISTWISE_MIX,
    corpus_power: float = LISTWISE_CORPUS_POWER,
) -> Logistic:
    """The quoting ranker: which sentence comes first is decided among one question's candidates, so it
    learns from a softmax over them, not from every sentence of every question pooled.

    Pooled, a logistic regression also learns what separates questions (a question whose passages
    match well has more answering sentences), which does not order one question's sentences. The
    softmax's target is graded: each answering sentence weighs 1 + the key facts it holds, so the
    sentence that holds the most comes first. `mix` adds the pooled log-loss lightly, and a one-feature
    logistic fit on the scores afterwards makes them probabilities again: the answerer's share floor
    (`extractive.MIN_SHARE`) compares them. On the held-out folds (twenty-two sets, docs/answering.md)
    key facts went from 0.621 to 0.651 on the real documents and from 0.740 to 0.749 on the digest.

    The digest's questions outnumber the real documents' more than two to one, and what orders the
    digest's short fact-per-sentence prose does not order a real report's: weighed by `corpus_power`, the
    real documents' held-out key facts rose by 0.039 and the digest's stayed (twenty-eight folds)."""
    from scipy.optimize import minimize
    from sklearn.linear_model import LogisticRegression

    usable = _usable(examples, kind)
    pooled, labels = np.vstack([_rows(e, kind) for e in usable]), np.concatenate([e.labels for e in usable])
    weight = {key: w**corpus_power for key, w in corpus_weights(usable).items()}
    pooled_weight = np.concatenate([np.full(len(e.labels), weight[id(e)]) for e in usable])
    mean, scale = pooled.mean(axis=0), pooled.std(axis=0)
    scale[scale < 1e-9] = 1.0
    pooled = (pooled - mean) / scale
    answered = [e for e in usable if e.labels.any()]
    rows = (np.vstack([_rows(e, kind) for e in answered]) - mean) / scale
    grade = np.concatenate([e.labels * (1.0 + np.array([len(f) for f in e.facts])) for e in answered])
    sizes = np.array([len(e.labels) for e in answered])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    group = np.repeat(np.arange(len(answered)), sizes)
    target = grade / np.add.reduceat(grade, starts)[group]
    question_weight = np.array([weight[id(e)] for e in answered])
    d = rows.shape[1]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = rows @ w[:d]
        top = np.maximum.reduceat(s, starts)
        e = np.exp(s - top[group])
        total = np.add.reduceat(e, starts)
        value = float(question_weight @ (top + np.log(total)) - (target * question_weight[group]) @ s + w[:d] @ w[:d] / (2 * c))
        grad = np.zeros_like(w)
        grad[:d] = ((e / total[group] - target) * question_weight[group]) @ rows + w[:d] / c
        if mix:
            z = pooled @ w[:d] + w[d]
            value += mix * float(pooled_weight @ (np.logaddexp(0.0, z) - labels * z))
            g = (1.0 / (1.0 + np.exp(-z)) - labels) * pooled_weight
            grad[:d] += mix * (g @ pooled)
            grad[d] += mix * g.sum()
        return value, grad

    w = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", options={"maxiter": 5000}).x[:d]
    scores = pooled @ w
    calibration = LogisticRegression(C=100.0, max_iter=5000).fit(scores[:, None], labels)
    return Logistic(tuple(features), mean, scale, calibration.coef_[0][0] * w, float(calibration.intercept_[0]))


def fit_rankers(examples: list[Example], *, balanced: bool = False) -> dict[str, Logistic]:
    """The quoting rankers (listwise); `balanced`: the pooled, class-balanced ones the answerable model reads
    (sentence_ranker.py says why)."""

    def fit(kind, features):
        if balanced:
            return fit_logistic(*_ranker_rows(examples, kind), features, RANKER_C, balanced=True)
        return fit_listwise(examples, kind, features)

    out = {"lexical": fit("lexical", FEATURES)}
    if any(e.similarity is not None for e in examples):
        out["similarity"] = fit("similarity", FEATURES + SIMILARITY_FEATURES)
    else:  # a store without sentence vectors: the similarity model is the lexical one with zero weights
        lexical = out["lexical"]
        pad = len(SIMILARITY_FEATURES)
        out["similarity"] = Logistic(
            FEATURES + SIMILARITY_FEATURES,
            np.concatenate([lexical.mean, np.zeros(pad)]),
            np.concatenate([lexical.scale, np.ones(pad)]),
            np.concatenate([lexical.coef, np.zeros(pad)]),
            lexical.intercept,
        )
    return out


def summary_of(example: Example, rankers: dict[str, Logistic], kind: str) -> np.ndarray:
    similarity = example.similarity if kind == "similarity" else None
    if len(example.sentences) and kind == "similarity" and similarity is None:
        return None
    rows = example.features
    scores = (
        rankers[kind].probability(np.hstack([rows, similarity]) if similarity is not None else rows)
        if len(example.sentences)
        else np.zeros(0)
    )
    unknown = rows[:, _UNKNOWN].max(axis=1) if len(example.sentences) else np.zeros(0)
    extra = example.extra
    return question_summary(scores, rows, similarity, unknown, extra["english"], extra["known_share"], extra["kind"])


def best_threshold(probabilities: np.ndarray, answerable: np.ndarray) -> float:
    """The abstention threshold with the best F1 (should abstain = positive) among those that abstain on
    at most MAX_FALSE_ABSTENTIONS of the answerable questions (a false abstention hides an answer the
    sources hold); the middle of the best plateau, so a tie does not sit on its edge."""
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    f1 = []
    for t in grid:
        abstain = probabilities < t
        false_share = abstain[answerable].mean() if answerable.any() else 0.0
        score = m.abstention_scores(list(~answerable), list(abstain))["f1"]
        f1.append(score if false_share <= MAX_FALSE_ABSTENTIONS else -1.0)
    f1 = np.asarray(f1)
    plateau = grid[f1 >= f1.max() - 1e-9]
    return float(plateau[len(plateau) // 2])


def corpus_weights(examples: list[Example]) -> dict[int, float]:
    """Per example (by id): each corpus (the store its questions are answered from) weighs as much as each
    other in the answerable model. Unweighted, the digest's 400 questions decided it: their best signal is
    the digest's own "not known" sentences, which real reports do not have, and on the real documents'
    held-out folds it abstained on almost nothing (abstention F1 0.25; weighted 0.48, the digest's
    unchanged: docs/answering.md)."""
    counts = Counter(e.extra.get("corpus", "") for e in examples)
    return {id(e): len(examples) / (len(counts) * counts[e.extra.get("corpus", "")]) for e in examples}


FOLDS = ("sets", "documents")


NOTHING_RETRIEVED = "(no passage retrieved)"
CORPUS_NAMES = {"shipped": "the shipped corpus", "real": "the real documents"}


def about(example: Example) -> list[str]:
    """The documents a question is about: its evidence's, or for a question without evidence (one the
    documents do not answer) the document of its best retrieved passage."""
    from evals.gold import passage_document

    named = list(dict.fromkeys(ev.document for ev in example.question.evidence))
    if named:
        return named
    # nothing retrieved at all: a fold of its own, so the question is still held out once
    return [passage_document(example.passages[0])] if example.passages else [NOTHING_RETRIEVED]


def fold_plan(examples: list[Example], by: str = "sets", groups: int = 0) -> list[tuple[str, list[Example], list[Example]]]:
    """(held out, trained on, tested) for each fold; `groups`: each corpus's sets (or documents) dealt in turn into
    that many folds (`grouped`).

    By set: each gold set in turn. By document: every question about one document in turn, left out of
    training whichever set it is in. The sets over one corpus ask about the same few documents, often the
    same thing in other words, so a set's fold still trains on its paraphrases; a document nobody asked
    about is what a user brings, and its fold measures that (docs/answering.md: the real documents' key
    facts 0.665 by set, 0.615 by document)."""
    if groups:
        return grouped(fold_plan(examples, by), groups)
    if by == "sets":
        names = dict.fromkeys(e.gold_set for e in examples)
        return [(n, [e for e in examples if e.gold_set != n], [e for e in examples if e.gold_set == n]) for n in names]
    if by != "documents":
        raise ValueError(f"folds by {by!r}: expected one of {', '.join(FOLDS)}")
    # a document is known by its corpus too: two stores may each hold a file of the same name
    topics = {id(e): [(e.extra.get("corpus", ""), d) for d in about(e)] for e in examples}
    names = dict.fromkeys(t[0] for t in topics.values() if t)
    return [
        (
            document,
            [e for e in examples if (corpus, document) not in topics[id(e)]],
            [e for e in examples if topics[id(e)] and topics[id(e)][0] == (corpus, document)],
        )
        for corpus, document in names
    ]


def grouped(plan: list, groups: int) -> list[tuple[str, list[Example], list[Example]]]:
    """The folds of `plan` merged: each corpus's folds dealt in turn into `groups` (a group holds sets of one
    corpus, early and late ones alike); a group's model trains only on what every one of its folds trains on.

    Why: the answerable model is fitted on out-of-fold scores, so each fold trains once per set it keeps,
    and the cross-validation grows with the square of the sets (sixty-eight sets: about 2.5 hours on two
    cores, estimated from the grouped folds' times, not run). Held out four groups a corpus it is eight folds;
    each trains on fewer sets than leaving one out, so its figures are if anything lower."""
    by_corpus: dict[str, list] = {}
    for fold in plan:
        corpus = fold[2][0].extra.get("corpus", "") if fold[2] else ""
        by_corpus.setdefault(corpus, []).append(fold)
    out = []
    for folds in by_corpus.values():
        for i in range(min(groups, len(folds))):
            dealt = folds[i::groups]
            kept = set.intersection(*({id(e) for e in fold[1]} for fold in dealt))
            tested = list({id(e): e for fold in dealt for e in fold[2]}.values())
            fitted_on = [e for e in dealt[0][1] if id(e) in kept]
            out.append((", ".join(fold[0] for fold in dealt), fitted_on, tested))
    return out


def untrainable(examples: list[Example]) -> str:
    """Why these questions cannot train a model ('' when they can): the answerable model needs questions of
    both kinds, and the quoting ranker an answerable question whose retrieved sentences answer it."""
    sets = ", ".join(dict.fromkeys(e.gold_set for e in examples)) or "no gold set"
    if not examples:
        return "no questions to train on"
    if all(e.question.answerable for e in examples):
        return f"every question of {sets} is answerable: add questions the documents do not answer (answerable: false)"
    return unquotable(examples)


def unquotable(examples: list[Example]) -> str:
    """Why these questions cannot train the quoting ranker ('' when they can)."""
    sets = ", ".join(dict.fromkeys(e.gold_set for e in examples)) or "no gold set"
    answerable = [e for e in examples if e.question.answerable]
    if not answerable:
        return f"no question of {sets} is answerable: add questions the documents answer"
    if not any(len(e.sentences) and e.labels.sum() for e in answerable):
        return f"no retrieved sentence answers a question of {sets}: check their evidence quotes against the documents"
    return ""


def fold_problem(examples: list[Example], folds: str = "sets", check=untrainable, groups: int = 0) -> str:
    """The first fold whose training part cannot train (`check`), as 'without X, why'; '' when every one can."""
    for held, fitted_on, _ in fold_plan(examples, folds, groups):
        problem = check(fitted_on)
        if problem:
            return f"without {held}, {problem}"
    return ""


def train(
    examples: list[Example], training: dict | None = None, distracted: list[Example] = (), folds: str = "sets"
) -> RankerModel:
    """Rankers on all examples; the answerable model on out-of-fold scores of the balanced rankers (fold by
    fold, `fold_plan`), each corpus weighing alike.

    `distracted`: the same questions retrieved from a copy of each store with unrelated documents beside
    it. A user's store holds more than the documents a question is about, and among thousands of unrelated
    passages some sentence is always close enough to look like an answer; these teach the answerable
    model when to abstain there. They do not teach what to quote: trained on them too, the quoting ranker
    lost key facts on the clean folds (docs/answering.md)."""
    problem = untrainable(examples)
    if problem:
        raise ValueError(f"cannot train the sentence ranker: {problem}")
    both = [*examples, *distracted]
    weight_of = corpus_weights(both)
    summaries: dict[str, list] = {"similarity": [], "lexical": []}
    labels: dict[str, list] = {"similarity": [], "lexical": []}
    weights: dict[str, list] = {"similarity": [], "lexical": []}
    for _, fitted_on, tested in fold_plan(examples, folds):
        if untrainable(fitted_on):  # one set alone, or the others hold no answer: its scores are in-sample
            fitted_on = examples
        rankers = fit_rankers(fitted_on, balanced=True)
        held = {_key(t) for t in tested}
        for e in (e for e in both if _key(e) in held):
            for kind in summaries:
                summary = summary_of(e, rankers, kind)
                if summary is not None:
                    summaries[kind].append(summary)
                    labels[kind].append(e.question.answerable)
                    weights[kind].append(weight_of[id(e)])
    answerable, threshold = {}, {}
    for kind in summaries:
        if not summaries[kind]:  # no sentence vectors anywhere: the similarity kind mirrors the lexical one
            summaries[kind], labels[kind], weights[kind] = summaries["lexical"], labels["lexical"], weights["lexical"]
        rows, y = np.asarray(summaries[kind]), np.asarray(labels[kind], dtype=bool)
        answerable[kind] = fit_logistic(
            rows, y.astype(int), ANSWERABLE_FEATURES, ANSWERABLE_C, weights=np.asarray(weights[kind]), column_weights=KIND_WEIGHTS
        )
        threshold[kind] = best_threshold(answerable[kind].probability(rows), y)
    return RankerModel(fit_rankers(examples), answerable, threshold, training or {}, fit_rankers(examples, balanced=True))


# --------------------------------------------------------------------------- cross-validation


@dataclass
class Fold:
    held_out: str
    questions: int
    summary: dict
    top3: float | None
    records: list = field(default_factory=list, repr=False)
    corpus: str = ""  # the store its questions were answered from
    sets: tuple = ()  # the gold sets its questions come from


def _key(example: Example) -> tuple[str, str]:
    """A question and its copy retrieved beside the distractors share this."""
    return example.gold_set, example.question.id


def answer_examples(assistant, answerer: ExtractiveAnswerer, examples: list[Example]) -> list[dict]:
    """Each example answered over its already retrieved passages and scored like `datalessen eval`."""
    from evals.gold import EvidenceMatcher

    matcher = EvidenceMatcher()
    evidence = matcher.locate([e.question for e in examples], assistant.retriever.passages)
    records = []
    for e in examples:
        answer = answerer.answer(e.question.question, e.passages, language=e.extra["language"], standalone_question=e.standalone)
        records.append(score(e.question, "hybrid", answer, matcher, evidence))
    return records


def cross_validate(
    assistants: dict,
    examples: list[Example],
    progress=None,
    distracted: list[Example] = (),
    fixed: RankerModel | None = None,
    folds: str = "sets",
    groups: int = 0,
) -> list[Fold]:
    """`assistants`: gold set name -> the assistant over the store its questions are about; `distracted`:
    as in `train`, the held-out questions left out with them. `fixed`: refit only the quoting ranker per
    fold and keep this model's answerable part, so only what is quoted changes (minutes instead of half an
    hour). `folds`, `groups`: what is held out in turn (`fold_plan`); each fold's answerable model is still
    fitted on scores out of fold by `folds` ungrouped, as the shipped one is."""
    vectors = {}  # one memo a store: the sets over the same documents share it
    for assistant in assistants.values():
        if id(assistant) not in vectors:
            fetch = getattr(assistant.store, "sentence_vectors", None)
            vectors[id(assistant)] = _memo(fetch) if fetch else None
    out = []
    for held, fitted_on, tested in fold_plan(examples, folds, groups):
        if fixed is not None:
            model = RankerModel(
                fit_rankers(fitted_on), fixed.answerable, fixed.threshold, fixed.training, fixed.abstention_rankers
            )
        else:
            kept = {_key(e) for e in fitted_on}
            model = train(fitted_on, distracted=[e for e in distracted if _key(e) in kept], folds=folds)
        records = []
        for assistant in {id(assistants[e.gold_set]): assistants[e.gold_set] for e in tested}.values():
            group = [e for e in tested if assistants[e.gold_set] is assistant]
            answerer = assistant.extractive(model=model, sentence_vectors=vectors[id(assistant)])
            records += answer_examples(assistant, answerer, group)
        summary = summarize(records)
        top3 = (summary.get("top3_passages_key_facts") or {}).get("mean")
        corpus = tested[0].extra.get("corpus", "") if tested else ""
        out.append(Fold(held, len(tested), summary, top3, records, corpus, tuple(dict.fromkeys(e.gold_set for e in tested))))
        if progress:
            progress(out[-1])
    return out


def _memo(fetch):
    cache: dict = {}

    def vectors(passages):
        missing = [p for p in passages if p.chunk_id not in cache]
        if missing:
            found = fetch(missing)
            cache.update({p.chunk_id: found.get(p.chunk_id) for p in missing})
        return {p.chunk_id: cache[p.chunk_id] for p in passages if cache.get(p.chunk_id) is not None}

    return vectors


CV_HEADERS = (
    "held out",
    "questions",
    "key-fact recall",
    "top-3 passages",
    "answer / top-3",
    "abstention F1 (P / R)",
    "words median / p90",
    "recall@5",
)


def fold_row(fold: Fold) -> list[str]:
    s = fold.summary
    kf = s["key_fact_recall"]["mean"]
    a = s["abstention"]
    return [
        fold.held_out,
        str(fold.questions),
        f"{kf:.3f}",
        f"{fold.top3:.3f}" if fold.top3 is not None else "–",
        f"{kf / fold.top3:.2f}" if fold.top3 else "–",
        f"{a['f1']:.3f} ({a['precision']:.2f} / {a['recall']:.2f})",
        f"{s['words']['median']:.0f} / {s['words']['p90']:.0f}",
        f"{s['recall@5']['mean']:.3f}",
    ]


def pooled_lines(folds: list[Fold]) -> list[str]:
    """Each corpus's questions over all its folds together: folds by document differ in size."""
    lines = []
    for corpus in dict.fromkeys(f.corpus for f in folds):
        records = [r for f in folds if f.corpus == corpus for r in f.records]
        s = summarize(records)
        kf, top3, a = s["key_fact_recall"]["mean"], (s.get("top3_passages_key_facts") or {}).get("mean"), s["abstention"]
        ratio = f" ({kf / top3:.2f} of the top-3 passages' {top3:.3f})" if top3 else ""
        lines.append(
            f"all {sum(f.questions for f in folds if f.corpus == corpus)} questions over {corpus_name(folds, corpus)}: "
            f"key facts {kf:.3f}{ratio}, abstention F1 {a['f1']:.3f} ({a['precision']:.2f} / {a['recall']:.2f}), "
            f"words median {s['words']['median']:.0f}"
        )
    return lines


def corpus_name(folds: list[Fold], corpus: str) -> str:
    """What a reader knows a store by: the corpus its gold sets are about, not the data home it sat in
    on the machine that trained (which is gone by the time the report is read)."""
    from evals.sets import gold_set

    sets = {n for f in folds if f.corpus == corpus for n in f.sets}
    kinds = {gold_set(n).corpus if gold_set(n) else None for n in sets}
    if len(kinds) == 1 and None not in kinds:
        return CORPUS_NAMES.get(next(iter(kinds)), next(iter(kinds)))
    return f"the store in {Path(corpus).parent}"


def held_out_in_turn(folds: str, groups: int) -> str:
    """How the folds hold questions out, in the CLI's progress and the report's title."""
    unit = folds.removesuffix("s")
    return f"{unit}s held out in {groups} groups a corpus" if groups else f"leave-one-{unit}-out"


def cv_markdown(folds: list[Fold], model: RankerModel, by: str = "sets", groups: int = 0) -> str:
    held = "gold set" if by == "sets" else "document (every question about it, whichever set it is in)"
    unit = by.removesuffix("s")
    title = held_out_in_turn(by, groups)
    command = f"--folds {by}" + (f" --cv-groups {groups}" if groups else "")
    if groups:
        held = f"group of {unit}s (each corpus's {unit}s dealt in turn into {groups}; `fold_plan`)"
    lines = [
        f"# Sentence ranker: cross-validation, {title}",
        "",
        f"Written by `datalessen train-ranker {command}` on {model.training.get('date', '')}. Each {held} is held",
        "out in turn; the ranker and the answerable model are trained on the other questions and the held-out ones",
        "are answered with them over the passages retrieved for them (hybrid, top 10), scored as `datalessen eval`",
        "scores (key-fact recall on answerable questions; abstention F1 with 'should abstain' as positive;",
        "words over all answers). Recall@5 is retrieval's and does not depend on the ranker. The top-3",
        "column is the key-fact recall of the full text of the top-3 passages of the same run.",
        "",
        "| " + " | ".join(CV_HEADERS) + " |",
        "|" + "|".join("---" for _ in CV_HEADERS) + "|",
    ]
    lines += ["| " + " | ".join(fold_row(f)) + " |" for f in folds]
    t = model.training
    lines += ["", *(f"- {line}" for line in pooled_lines(folds))]
    lines += [
        "",
        f"Training data: {t.get('questions')} questions, {t.get('candidates')} candidate sentences, "
        f"{t.get('positives')} labelled as answering; SHA-256 `{t.get('data_sha256', '')[:16]}…`. "
        f"Abstention thresholds (probability that some sentence answers): {model.threshold}.",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- the command


def gold_sets(names) -> dict:
    from evals.gold import GOLD_DIR, load_questions

    return {name: load_questions(GOLD_DIR / f"{name}.jsonl", corpus_dir=None) for name in names}


def other_corpus(home: str):
    """The assistant over a second corpus's store (its own data home, ingested with an empty profile)."""
    from assistant.api import Assistant
    from assistant.settings import Settings

    return Assistant(Settings.load().replace(home=Path(home).expanduser(), corpus_profile=""))


def crowded_examples(corpora: dict, folders: list[Path]) -> list[Example]:
    """Every set's questions retrieved again from a copy of its store with `folders` beside the documents
    (`evals/distractors.py`: made once, reused while nothing changed). Opened after every store has been
    retrieved from: see the note on a second Chroma client in `train_ranker`."""
    from assistant.api import Assistant
    from evals.distractors import prepare

    by_store: dict[int, tuple] = {}
    for name, assistant in corpora.items():
        by_store.setdefault(id(assistant), (assistant, []))[1].append(name)
    examples = []
    for assistant, names in by_store.values():
        scratch = prepare(assistant.settings, assistant.store, folders, echo=click.echo)
        examples += collect(Assistant(scratch, embeddings=assistant.embeddings), gold_sets(names))
    return examples


def write_model(model: RankerModel, path: Path) -> None:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


@click.command("train-ranker")
@click.option(
    "--sets",
    default=",".join(GOLD_SETS),
    show_default=True,
    help="Gold sets in evals/gold/ to train on (an unseen set is refused).",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_MODEL, show_default=True)
@click.option("--cv-report", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_CV_REPORT, show_default=True)
@click.option(
    "--extra",
    multiple=True,
    metavar="SET=HOME",
    help="Also a gold set over another corpus: evals/gold/SET.jsonl, answered from the store in the data "
    "home HOME (ingested there with an empty corpus profile). E.g. real=~/datalessen-real for real.jsonl.",
)
@click.option(
    "--real-home",
    metavar="HOME",
    help="Every development set over the five real documents, answered from the store in HOME: the same as "
    f"--extra SET=HOME for each of {', '.join(REAL_SETS)}.",
)
@click.option(
    "--distractors",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder of documents unrelated to the gold sets (e.g. /usr/share/libreoffice/help/nl). Each store "
    "is copied with them beside it, as `eval --distractors` does; the questions retrieved there teach the "
    "answerable model when to abstain among near matches.",
)
@click.option("--no-cv", is_flag=True, help="Only train (skip the cross-validation).")
@click.option(
    "--cv-groups",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    metavar="N",
    help="Hold out each corpus's sets (or documents) in N groups instead of one at a time. The cross-validation "
    "refits the answerable model on out-of-fold scores in every fold, so it grows with the square of the sets "
    "(sixty-eight sets one at a time: an estimated 2.5 hours on two cores; four groups a corpus: 20 minutes measured). 0: one "
    "fold each.",
)
@click.option(
    "--folds",
    type=click.Choice(FOLDS),
    default="sets",
    show_default=True,
    help="What the cross-validation holds out in turn: each gold set, or each document with every question about "
    "it (how the model does on a document nobody asked about). The answerable model's out-of-fold scores use it too.",
)
@click.option(
    "--quoting-only",
    is_flag=True,
    help="Only cross-validate what is quoted: each fold refits the quoting ranker, the answerable model of the "
    "model file --out stays as it is (that file is read, not written; nor is the report). For trying a change "
    "to the features or the composition in minutes.",
)
@click.option(
    "--cv-records",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write every held-out answer of the cross-validation as JSON (the records of `datalessen eval`'s "
    "report.json), so two trainings can be compared question by question.",
)
@click.pass_obj
def train_ranker(obj, sets, out, cv_report, extra, real_home, distractors, no_cv, cv_groups, folds, quoting_only, cv_records):
    """Train the sentence ranker on the gold sets, cross-validate it, write its weights."""
    from evals.gold import GOLD_DIR

    assistant = getattr(obj, "assistant", None)
    if assistant is None:
        from assistant.api import Assistant

        assistant = Assistant()
    names = [s.strip() for s in sets.split(",") if s.strip()]
    others = []
    for spec in extra:
        name, _, home = spec.partition("=")
        if not name.strip() or not home.strip():
            raise click.BadParameter(f"{spec!r}: expected SET=HOME", param_hint="--extra")
        others.append((name.strip(), home.strip()))
    if real_home:
        others += [(name, real_home) for name in REAL_SETS if name not in {n for n, _ in others}]
    for name in names + [name for name, _ in others]:
        if getattr(gold_set(name), "role", None) == UNSEEN:
            raise click.BadParameter(
                f"{name} is an unseen set: it is measured once, never trained on (evals/sets.py)", param_hint="--sets"
            )
    if assistant.store.count() == 0:
        raise click.ClickException("the store is empty: run `datalessen ingest` first")
    started = time.perf_counter()
    # the shipped corpus is retrieved before another store is opened: a second embedded Chroma client in
    # the process changed the first one's dense results (chromadb 1.5; 4 of 50 questions at rank 4-10)
    examples = collect(assistant, gold_sets(names))
    corpora = {name: assistant for name in names}
    opened = {}  # one assistant a store: sets over the same documents share it (and its Chroma client)
    for name, home in others:
        if home not in opened:
            opened[home] = other_corpus(home)
        corpora[name] = opened[home]
        if corpora[name].store.count() == 0:
            raise click.ClickException(f"the store for {name} ({home}) is empty: run `datalessen ingest` there first")
        examples += collect(corpora[name], gold_sets([name]))
    names = list(corpora)
    problem = untrainable(examples)
    if problem:  # before the distractors' copies are made and before anything is written
        raise click.ClickException(f"cannot train the sentence ranker: {problem}")
    if quoting_only:
        problem = fold_problem(examples, folds, unquotable, cv_groups)  # before a fold's fit fails with a traceback
        if problem:
            raise click.ClickException(f"cannot cross-validate what is quoted: {problem}")
        write_records(_quoting_cv(corpora, examples, load_model(out), folds, cv_groups), cv_records)
        return
    distracted = crowded_examples(corpora, list(distractors)) if distractors else []
    with_vectors = sum(e.similarity is not None for e in examples if e.sentences)
    click.echo(
        f"{len(examples)} questions, {sum(len(e.sentences) for e in examples)} candidate sentences, "
        f"{sum(int(e.labels.sum()) for e in examples)} answering; sentence vectors for {with_vectors} "
        f"({time.perf_counter() - started:.0f} s)"
    )
    if distracted:
        click.echo(f"{len(distracted)} questions retrieved again beside the distractors (for the answerable model)")
    training = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "sets": names,
        "other_corpora": {name: str(corpora[name].settings.home) for name in names if corpora[name] is not assistant},
        "gold_sha256": {n: file_digest(GOLD_DIR / f"{n}.jsonl") for n in names},
        "data_sha256": data_digest(examples),
        "questions": len(examples),
        "candidates": sum(len(e.sentences) for e in examples),
        "positives": sum(int(e.labels.sum()) for e in examples),
        "features": list(FEATURES),
        "similarity_features": list(SIMILARITY_FEATURES),
        "answerable_features": list(ANSWERABLE_FEATURES),
        "ranker_c": RANKER_C,
        "quoting_ranker": f"listwise: softmax over each question's candidates, graded by key facts held (C {LISTWISE_C}), "
        f"plus {LISTWISE_MIX} x the pooled log-loss, each question weighing (its corpus's share)^-{LISTWISE_CORPUS_POWER}; "
        "calibrated by a one-feature logistic fit",
        "answerable_c": ANSWERABLE_C,
        "answerable_kind_weight": ANSWERABLE_KIND_WEIGHT,
        "abstention_rankers": "class-balanced (each answering sentence weighs negatives / positives)",
        "answerable_out_of_fold": f"by {folds}",
    }
    if distracted:
        training["distractors"] = {
            "folders": [str(f) for f in distractors],
            "questions": len(distracted),
            "data_sha256": data_digest(distracted),
            "teaches": "the answerable model only",
        }
    model = train(examples, training, distracted, folds)
    write_model(model, out)
    click.echo(f"model: {out} (thresholds {model.threshold}; {time.perf_counter() - started:.0f} s)")
    if no_cv or len(names) < 2:
        return
    problem = fold_problem(examples, folds, groups=cv_groups)
    if problem:
        click.echo(f"cross-validation skipped: {problem}")
        return
    done = _echo_cv("cross-validation", corpora, examples, folds, cv_groups, distracted=distracted)
    cv_report.parent.mkdir(parents=True, exist_ok=True)
    cv_report.write_text(cv_markdown(done, model, folds, cv_groups), encoding="utf-8")
    write_records(done, cv_records)
    click.echo(f"cross-validation: {cv_report} ({time.perf_counter() - started:.0f} s)")


def write_records(folds: list[Fold], path: Path | None) -> None:
    """The held-out answers of every fold, in the shape of `datalessen eval`'s report.json, each with its fold
    and the corpus its set is about (what `datalessen compare-folds` pairs them by)."""
    if path is None:
        return
    import json

    from evals.sets import gold_set

    def corpus(fold: Fold) -> str:
        known = gold_set(fold.sets[0]) if fold.sets else None
        return known.corpus if known else fold.corpus

    path.parent.mkdir(parents=True, exist_ok=True)
    records = [r | {"fold": fold.held_out, "corpus": corpus(fold)} for fold in folds for r in fold.records]
    path.write_text(json.dumps({"records": records}, ensure_ascii=False) + "\n", encoding="utf-8")
    click.echo(f"held-out answers: {path} ({len(records)})")


def _quoting_cv(corpora: dict, examples: list[Example], fixed: RankerModel, folds: str = "sets", groups: int = 0) -> list[Fold]:
    """Only the quoting ranker refitted per fold; each corpus's questions over all folds at the end."""
    return _echo_cv("cross-validation of what is quoted (answerable model fixed)", corpora, examples, folds, groups, fixed=fixed)


def _echo_cv(title: str, corpora: dict, examples: list[Example], folds: str, groups: int, **options) -> list[Fold]:
    """`cross_validate`, each fold printed as it is done and each corpus pooled at the end."""
    click.echo(f"{title}, {held_out_in_turn(folds, groups)}:")
    click.echo("  " + " | ".join(CV_HEADERS))

    def progress(fold: Fold) -> None:
        click.echo("  " + " | ".join(fold_row(fold)))

    done = cross_validate(corpora, examples, progress=progress, folds=folds, groups=groups, **options)
    for line in pooled_lines(done):
        click.echo(line)
    return done


if __name__ == "__main__":
    train_ranker()
