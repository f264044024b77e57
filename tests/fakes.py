"""Stand-ins for the embedding model, for tests about everything but the model.

`HashEmbeddings` maps each stemmed word to a fixed random direction, so texts that
share words are close: retrieval behaves sensibly, in microseconds, with no model.
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np

from assistant.text import passage_sentences, tokenize


def model_texts(chunk_texts) -> int:
    """How many texts ingest sends to the model for these chunks: each chunk and each of its sentences."""
    return sum(1 + len(passage_sentences(text)) for text in chunk_texts)


@functools.lru_cache(maxsize=8)
def _shared_part(dim: int) -> np.ndarray:
    """e5's cosines sit between ~0.7 and 1 for any two texts, and the learned answer models read them on that
    scale: this unit vector, part of every fake vector, lifts a bag-of-words cosine c to about 0.7 + 0.3 c."""
    shared = np.random.default_rng(0).standard_normal(dim).astype(np.float32)
    return shared / np.linalg.norm(shared)


class HashEmbeddings:
    dim = 64

    def __init__(self):
        self.calls = 0
        self.embedded_texts = 0

    def _vector(self, text: str) -> list[float]:
        vec = np.zeros(self.dim, dtype=np.float32)
        for token in tokenize(text) or ["leeg"]:
            seed = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=4).digest(), "little")
            vec += np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        norm = np.linalg.norm(vec)
        vec = np.sqrt(0.3) * (vec / norm if norm else vec) + np.sqrt(0.7) * _shared_part(self.dim)
        return (vec / np.linalg.norm(vec)).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        self.embedded_texts += len(texts)
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def report_beside_pages(tmp_path, settings, embeddings, report_name: str, report_text: str, page, pages: int = 40):
    """A folder with one report and a folder of `pages` unrelated pages (`page(n)` writes one), and a maker of
    assistants over some of the folders: `make(home, folders, **settings)`."""
    from assistant.api import Assistant
    from ingest.pipeline import ingest_into

    report = tmp_path / "report"
    report.mkdir()
    (report / report_name).write_text(report_text, encoding="utf-8")
    folder = tmp_path / "pages"
    folder.mkdir()
    for n in range(pages):
        (folder / f"page-{n:02d}.md").write_text(page(n), encoding="utf-8")

    def make(home: str, folders, **overrides):
        bot = Assistant(settings.replace(home=tmp_path / home, corpus_profile="", **overrides), embeddings=embeddings)
        assert ingest_into(bot, folders).ok
        return bot

    return make, report, folder
