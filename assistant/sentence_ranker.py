"""The learned sentence ranker and the "does any sentence answer this" model, evaluated with numpy.

Both are evaluated as logistic regressions over the features of `assistant/sentence_features.py`
(the quoting ranker is fitted per question and then calibrated), trained by `evals/train_ranker.py`
on the gold sets and stored as plain JSON beside this module (`models/sentence_ranker.json`: weights,
the feature list, the SHA-256 of the training data).
There are two of each: one with the e5 question-sentence similarity, for stores that hold
sentence vectors, and one without, for passages that have none.

The answerable model does not read the quoting ranker's probabilities but those of a second ranker,
trained with the answering sentences weighed up to balance the classes: its probabilities spread
more between questions that have an answering sentence and those that do not. On the held-out
folds abstention F1 went from 0.446 to 0.529 (mean of the five digest folds; the real documents'
fold 0.40 either way) with key facts unchanged; used for quoting as well, the balanced ranker had
cost key facts and pushed the median over 80 words (docs/answering.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.answer_types import QUESTION_TYPES
from assistant.sentence_features import FEATURES, SIMILARITY_FEATURES

DEFAULT_MODEL = Path(__file__).resolve().parent / "models" / "sentence_ranker.json"
# what the "does any sentence answer this" model sees of a question's ranked candidates
# (chosen on the held-out folds from a longer list: with it, more features made the model worse)
ANSWERABLE_FEATURES = (
    "best_logit",  # the best sentence's probability, as log-odds
    "second",  # the second best's
    "best_similarity",  # the best e5 question-sentence similarity (with sentence vectors only)
    "best_rarest",  # the best sentence holds the question's rarest term
    "top3_type_match",  # a top-3 sentence has the shape of answer asked for (a number for 'hoeveel')
    "top3_gives_asked",  # a top-3 sentence gives what the question names (a number beside "fte" for "hoeveel fte"; a place)
    "unknown_rank",  # 1 / (1 + rank of the best-ranked sentence that says something is not known); 0: none
    "unknown_similarity_gap",  # its e5 similarity minus the best one (with sentence vectors)
    # the closest sentence with the shape of answer asked for: its e5 similarity minus the closest one's (0 when
    # the question asks for no particular shape or the best already has it; -0.2 when none has it). A question
    # about something the documents leave out is close to sentences about the same thing that lack what it
    # asks (a cost, a number of people, a name): on folds by document the real documents' abstention F1 rose
    # from 0.548 to 0.610 (bootstrap +0.020 to +0.114), the digest's stayed (docs/answering.md)
    "typed_similarity_gap",
    # the rarity of the question's rarest term that a sentence giving what is asked holds (for a number question
    # naming what it counts: a sentence giving that count; else any sentence), over the rarest term's: a
    # question after a detail the documents leave out ('welk percentage van de 75-plussers') finds its count
    # beside other qualifiers. And how many terms the question has: a long question's best sentence covers a
    # smaller share of it, answering or not, so the scores above read differently by length. On a
    # second-level leave-one-document-out fit over the forty development sets (the rankers' scores themselves
    # out of fold by document), the answerable probability's AUC went 0.815 -> 0.849 on the real documents and
    # 0.810 -> 0.814 on the digest; abstention F1 0.599 -> 0.627 and 0.599 -> 0.607 (docs/answering.md)
    "shaped_rarest",
    "question_terms",
    # the most a top-3 sentence covers of the question beyond the words its passage's title and section give
    # (`coverage_outside`): a question about a document's subject finds that subject in every sentence, and
    # whether one holds the rest of what is asked is what says it is answered. Folds by document: abstention F1
    # 0.602 -> 0.611 (digest) and 0.732 -> 0.747 (real documents), key facts +0.006 and +0.012; by set within noise
    # (docs/answering.md, fifty-eighth session)
    "top3_outside",
    "english",
    # the kind of answer asked for: how likely the documents hold one differs by kind more than the scores
    # above show ('waarom' and 'hoe' questions were answerable 107 and 222 times to 4 and 35; 'welke gemeente
    # / organisatie' 35 to 67). Fitted on the other sets in turn, scored on the one left out (all development
    # sets, the rankers fixed): AUC 0.857 -> 0.870 (digest) and 0.887 -> 0.921 (real documents), abstention
    # F1 0.663 -> 0.685 and 0.671 -> 0.752; by document (every question about one held out) AUC +0.004 and +0.017;
    # fitted on one corpus and scored on the other, AUC +0.03 on both
    # (docs/answering.md, "What kind of question the documents answer")
    *(f"kind_{t}" for t in QUESTION_TYPES),
)


@dataclass(frozen=True)
class Logistic:
    """A standardised logistic regression: p = sigmoid(((x - mean) / scale) . coef + intercept)."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def from_dict(cls, data: dict) -> "Logistic":
        return cls(
            tuple(data["features"]),
            np.asarray(data["mean"], dtype=np.float64),
            np.asarray(data["scale"], dtype=np.float64),
            np.asarray(data["coef"], dtype=np.float64),
            float(data["intercept"]),
        )

    def to_dict(self) -> dict:
        return {
            "features": list(self.features),
            "mean": [round(float(v), 8) for v in self.mean],
            "scale": [round(float(v), 8) for v in self.scale],
            "coef": [round(float(v), 8) for v in self.coef],
            "intercept": round(float(self.intercept), 8),
        }

    def probability(self, rows: np.ndarray) -> np.ndarray:
        z = ((np.asarray(rows, dtype=np.float64) - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


@dataclass(frozen=True)
class RankerModel:
    """Sentence ranker and answerable model, with and without the similarity features."""

    rankers: dict  # "similarity" | "lexical" -> Logistic over sentence features: what is quoted, in which order
    answerable: dict  # same keys -> Logistic over ANSWERABLE_FEATURES
    threshold: dict  # same keys -> abstain below this probability that some sentence answers
    training: dict
    abstention_rankers: dict | None = None  # same keys: the class-balanced rankers the answerable model reads

    @classmethod
    def from_dict(cls, data: dict) -> "RankerModel":
        def logistic(part):
            return {k: Logistic.from_dict(v) for k, v in data[part].items()}

        model = cls(
            logistic("rankers"),
            logistic("answerable"),
            dict(data["threshold"]),
            dict(data.get("training", {})),
            logistic("abstention_rankers") if "abstention_rankers" in data else None,
        )
        expected = {"similarity": FEATURES + SIMILARITY_FEATURES, "lexical": FEATURES}
        for kind, features in expected.items():
            for rankers in filter(None, (model.rankers, model.abstention_rankers)):
                if rankers[kind].features != tuple(features):
                    raise ValueError(f"ranker model '{kind}' was trained on other features; retrain: datalessen train-ranker")
            if model.answerable[kind].features != ANSWERABLE_FEATURES:
                raise ValueError(f"answerable model '{kind}' was trained on other features; retrain")
        return model

    def to_dict(self) -> dict:
        out = {
            "rankers": {k: v.to_dict() for k, v in self.rankers.items()},
            "answerable": {k: v.to_dict() for k, v in self.answerable.items()},
            "threshold": {k: round(float(v), 4) for k, v in self.threshold.items()},
            "training": self.training,
        }
        if self.abstention_rankers:
            out["abstention_rankers"] = {k: v.to_dict() for k, v in self.abstention_rankers.items()}
        return out

    def score(self, rows: np.ndarray, similarity: np.ndarray | None) -> tuple[np.ndarray, str]:
        """Each candidate's probability of answering, and which model gave it."""
        return _scores(self.rankers, rows, similarity)

    def abstention_scores(self, rows: np.ndarray, similarity: np.ndarray | None) -> np.ndarray:
        """The scores the answerable model was fitted on (a model file without balanced rankers: `score`'s)."""
        return _scores(self.abstention_rankers or self.rankers, rows, similarity)[0]

    def answerable_probability(self, summary: np.ndarray, kind: str) -> float:
        return float(self.answerable[kind].probability(summary[None, :])[0])


def question_summary(
    scores: np.ndarray,
    rows: np.ndarray,
    similarity: np.ndarray | None,
    unknown: np.ndarray,
    english: bool,
    known_share: float,
    kind: str = "other",
) -> np.ndarray:
    """ANSWERABLE_FEATURES of one question (`kind`: its QUESTION_TYPES), from its candidates' scores and features."""
    out = np.zeros(len(ANSWERABLE_FEATURES), dtype=np.float64)
    values = {
        f"kind_{kind}": 1.0,
        "best_logit": -10.0,
        "known_share": known_share,
        "english": float(english),
        "unknown_similarity_gap": -0.2,
        "typed_similarity_gap": -0.2 if similarity is not None else 0.0,
    }
    if len(scores):
        col = {name: i for i, name in enumerate(FEATURES)}
        order = np.argsort(-scores, kind="stable")
        rank = np.empty(len(order))
        rank[order] = np.arange(len(order))
        best, top3 = float(scores[order[0]]), order[:3]
        said = np.flatnonzero(unknown > 0)
        coverage = rows[:, col["coverage"]]
        sims = similarity[:, 0] if similarity is not None else None
        values.update(
            {
                "best": best,
                "best_logit": float(np.log(max(best, 1e-6) / max(1 - best, 1e-6))),
                "second": float(scores[order[1]]) if len(order) > 1 else 0.0,
                "top3_mean": float(scores[top3].mean()),
                "best_similarity": float(sims.max()) if sims is not None else 0.0,
                "best_passage_dense": float(rows[:, col["passage_dense"]].max()),
                "best_coverage": float(coverage.max()),
                "best_coverage_context": float(rows[:, col["coverage_context"]].max()),
                "best_rarest": float(rows[order[0], col["rarest_hit"]]),
                "top3_type_match": float(rows[top3, col["type_match"]].max()),
                "top3_gives_asked": float(rows[top3, col["gives_asked"]].max()),
                "top3_outside": float(rows[top3, col["coverage_outside"]].max()),
                "best_says_unknown": float(unknown[order[0]] > 0),
                "unknown_in_top3": max((float(scores[i]) for i in top3 if unknown[i] > 0), default=0.0),
            }
        )
        shaped = rows[:, col["gives_asked"]] > 0
        values["shaped_rarest"] = float(rows[shaped, col["rarest_hit"]].max()) if shaped.any() else 0.0
        values["question_terms"] = float(rows[0, col["question_terms"]])
        typed = rows[:, col["type_match"]] > 0
        if sims is not None and typed.any():
            values["typed_similarity_gap"] = float(sims[typed].max() - sims.max())
        if len(said):
            values["unknown_rank"] = float(1.0 / (1.0 + rank[said].min()))
            values["unknown_coverage"] = float(coverage[said].max() / max(coverage.max(), 1e-6))
            values["unknown_focus"] = float(rows[said, col["focus_hit"]].max())
            if sims is not None:
                values["unknown_similarity_gap"] = float(sims[said].max() - sims.max())
    for i, name in enumerate(ANSWERABLE_FEATURES):
        out[i] = values.get(name, 0.0)
    return out


def _scores(rankers: dict, rows: np.ndarray, similarity: np.ndarray | None) -> tuple[np.ndarray, str]:
    if similarity is not None:
        return rankers["similarity"].probability(np.hstack([rows, similarity])), "similarity"
    return rankers["lexical"].probability(rows), "lexical"


@lru_cache(maxsize=4)
def _load(path: str, _mtime: int) -> RankerModel:
    return RankerModel.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def load_model(path: Path | str = DEFAULT_MODEL) -> RankerModel:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"sentence ranker model {path} not found; train it with `datalessen train-ranker`")
    return _load(str(path.resolve()), path.stat().st_mtime_ns)
