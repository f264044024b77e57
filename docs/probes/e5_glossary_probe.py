"""Probe, not product code: English question words translated into the documents' own Dutch words by e5, as a
glossary made per question, measured on retrieval alone (docs/answering.md, fifty-fifth session, "English
words translated by e5").

Every word of the store's passages (four letters or more) is embedded once with e5; each content word of an
English development question that the documents do not use gets its `--top` nearest words at e5 similarity
`--theta` or more, handed to BM25 as the profile's glossary would. Scored: the share of the question's key
facts in the full text of the top-3 and top-5 passages, for the answerable English questions without history.
`--keep-cross-language` keeps BM25's smaller vote for a question in another language than the documents (a
glossary otherwise lifts it, as the shipped code does for the digest's hand-made one).

    DATALESSEN_HOME=~/.local/share/datalessen-real DATALESSEN_CORPUS_PROFILE= \
        .venv/bin/python docs/probes/e5_glossary_probe.py --corpus real
    .venv/bin/python docs/probes/e5_glossary_probe.py --corpus shipped   # beside the digest's own glossary
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import re

import numpy as np

import assistant.retrieval as retrieval
from assistant.api import Assistant
from assistant.text import detect_language, fold
from evals.sets import SETS

ENGLISH_STOPWORDS = frozenset(
    """the a an of in on to for and or is are was were be been what which who whom when where why how does do did
    has have had that this these those with by from at as it its their they there about into than then so not no
    can could should would will may might must per one two much many more most other some any all each such own
    same his her him she he we our you your i me my""".split()
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=("shipped", "real"), required=True)
    parser.add_argument("--theta", type=float, nargs="+", default=[0.9, 0.92, 0.94])
    parser.add_argument("--top", type=int, nargs="+", default=[1, 3])
    args = parser.parse_args()

    assistant = Assistant()
    retriever = assistant.retriever
    own = retriever.profile
    counts = collections.Counter(w for p in retriever.passages for w in re.findall(r"[a-zà-ÿ]{4,}", fold(p.text)))
    vocabulary = list(counts)
    vectors = np.asarray(assistant.embeddings.embed_documents(vocabulary), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    questions = [
        q
        for s in SETS
        if s.role != "unseen" and (s.corpus == "shipped") == (args.corpus == "shipped")
        for q in map(json.loads, open(f"evals/gold/{s.name}.jsonl", encoding="utf-8"))
        if q.get("language") == "en" and q["answerable"] and q.get("key_facts") and not q.get("history")
    ]
    print(f"{len(retriever.passages)} passages, {len(vocabulary)} words, {len(questions)} English answerable questions")

    keep = [False]
    shipped_test = retrieval.HybridRetriever.crosses_language

    def crosses_language(self, query):
        if keep[0] and self.languages:
            return self.languages.get(detect_language(query), 0.0) < retrieval.OWN_LANGUAGE_SHARE
        return shipped_test(self, query)

    retrieval.HybridRetriever.crosses_language = crosses_language
    word_vectors: dict[str, np.ndarray] = {}

    def nearest(word: str, theta: float, top: int) -> list[str]:
        if word not in word_vectors:
            v = np.asarray(assistant.embeddings.embed_documents([word])[0], dtype=np.float32)
            word_vectors[word] = v / np.linalg.norm(v)
        sims = vectors @ word_vectors[word]
        return [vocabulary[i] for i in np.argsort(-sims)[:top] if sims[i] >= theta]

    def found(text: str, facts) -> float:
        text = fold(text)
        return sum(any(fold(alt) in text for alt in alts) for alts in facts) / len(facts)

    def run(glossary_of) -> np.ndarray:
        scores = []
        for q in questions:
            retriever.profile = dataclasses.replace(own, glossary=glossary_of(q["question"]))
            retriever.forget_query_vectors()
            found_in = retriever.retrieve(q["question"], k=10)
            scores.append([found(" ".join(p.text for p in found_in[:n]), q["key_facts"]) for n in (3, 5)])
        return np.asarray(scores).mean(axis=0)

    def e5_glossary(theta, top):
        def of(question):
            words = [w for w in re.findall(r"[a-z][a-z'-]{2,}", fold(question)) if w not in ENGLISH_STOPWORDS]
            pairs = {w: nearest(w, theta, top) for w in words if w not in counts}
            return {w: " ".join(v) for w, v in pairs.items() if v}

        return of

    print("key facts in the top-3 / top-5 passages")
    if own.glossary:
        print("  the profile's own glossary", run(lambda q: own.glossary))
    print("  no glossary", run(lambda q: {}))
    for keep[0] in (True, False):
        for theta in args.theta:
            for top in args.top:
                label = "BM25 vote kept small" if keep[0] else "BM25 full vote"
                print(f"  e5 glossary, {label}, theta {theta}, top {top}", run(e5_glossary(theta, top)))


if __name__ == "__main__":
    main()
