"""The one Python API that the CLI, the UI and the evaluations all call.

    from assistant.api import Assistant
    bot = Assistant()                       # settings from the environment
    answer = bot.ask("Welke succesfactoren noemt het rapport?")
    print(answer.text, answer.citations)

A question goes: condense (follow-ups) -> retrieve (hybrid, filtered) -> answer
(extractive by default, an LLM when configured) -> one `Answer`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from assistant.conversation import condense
from assistant.extractive import ExtractiveAnswerer
from assistant.retrieval import Filters, HybridRetriever
from assistant.schema import Answer, Passage
from assistant.settings import Settings
from assistant.text import detect_language


class Assistant:
    def __init__(self, settings: Settings | None = None, *, store=None, embeddings=None, answerer=None, chat_model=None):
        self.settings = settings or Settings.load()
        if store is None:
            from assistant.store import ChunkStore

            store = ChunkStore(self.settings)
        if embeddings is None:
            from assistant.embeddings import load_embeddings

            embeddings = load_embeddings(self.settings)
        self.store = store
        self.embeddings = embeddings
        self.retriever = HybridRetriever(self.settings, store, embeddings)
        self.chat_model = chat_model
        self.answerer = answerer or self._default_answerer()

    def _default_answerer(self):
        if self.settings.answer_backend == "extractive":
            return self.extractive_answerer()
        from assistant.llm import LLMAnswerer, build_chat_model

        if self.chat_model is None:
            self.chat_model = build_chat_model(self.settings)
        return LLMAnswerer(self.chat_model, backend_name=self.settings.answer_backend)

    def extractive_answerer(self, settings: Settings | None = None, **kwargs) -> ExtractiveAnswerer:
        """The offline answerer over this store: corpus term rarity, and the e5 vectors of the question
        (kept from retrieval) and of the stored sentences for the ranker's similarity features."""
        kwargs.setdefault("question_vector", self.retriever.query_vector)
        kwargs.setdefault("sentence_vectors", getattr(self.store, "sentence_vectors", None))
        return ExtractiveAnswerer(
            settings or self.settings,
            term_weight=self.term_weight,
            known_term=lambda term, family=True: self.retriever.bm25.knows(term, family),
            **kwargs,
        )

    def term_weight(self, term: str) -> float:
        """Rarity of a stemmed term in the corpus; a term the corpus lacks weighs most."""
        index = self.retriever.bm25
        col = index.vocabulary.get(term)
        return float(index.idf[col]) if col is not None else float(index.idf.max(initial=1.0)) + 1.0

    # -- asking ---------------------------------------------------------------------------

    def standalone(self, question: str, history: list[str] | None = None) -> str:
        if not history:
            return condense(question, [])
        if self.chat_model is not None:
            from assistant.llm import condense_question

            return condense_question(self.chat_model, history, question, detect_language(question))
        return condense(question, history)

    def retrieve(
        self, question: str, *, filters: Filters | dict | None = None, k: int | None = None, mode: str = "hybrid"
    ) -> list[Passage]:
        return self.retriever.retrieve(question, k=k, filters=filters, mode=mode)

    def ask(
        self,
        question: str,
        *,
        history: list[str] | None = None,
        filters: Filters | dict | None = None,
        k: int | None = None,
        mode: str = "hybrid",
    ) -> Answer:
        final = None
        for item in self.stream(question, history=history, filters=filters, k=k, mode=mode):
            if isinstance(item, Answer):
                final = item
        return final

    def stream(
        self,
        question: str,
        *,
        history: list[str] | None = None,
        filters: Filters | dict | None = None,
        k: int | None = None,
        mode: str = "hybrid",
    ) -> Iterator[str | Answer]:
        """Text as it is produced, then the final checked `Answer`."""
        question = question.strip()
        if not question:
            raise ValueError("empty question")
        standalone = self.standalone(question, history)
        passages = self.retrieve(standalone, filters=filters, k=k, mode=mode)
        yield from self.answerer.stream(question, passages, language=detect_language(question), standalone_question=standalone)

    # -- documents ------------------------------------------------------------------------

    def ingest(self, paths: list[Path], *, prune: bool = False, progress: bool = False):
        from ingest.pipeline import Ingestor

        ingestor = Ingestor(self.settings, store=self.store, embeddings=self.embeddings, progress=progress)
        try:
            report = ingestor.run([Path(p) for p in paths], prune=prune)
        finally:
            ingestor.close()
        self.retriever.refresh()
        return report

    def documents(self) -> list[dict]:
        """One row per ingested document, with its metadata and chunk count."""
        docs: dict[str, dict] = {}
        for p in self.retriever.passages:
            row = docs.setdefault(
                p.doc_id,
                {
                    **{k: v for k, v in p.metadata.items() if k not in ("section", "position", "page_start", "page_end")},
                    "doc_id": p.doc_id,
                    "title": p.title,
                    "chunks": 0,
                    "pages": 0,
                },
            )
            row["chunks"] += 1
            row["pages"] = max(row["pages"], int(p.page_end or 0))
        return sorted(docs.values(), key=lambda d: d.get("document", ""))

    def document_passages(self, doc_id: str) -> list[Passage]:
        return sorted((p for p in self.retriever.passages if p.doc_id == doc_id), key=lambda p: p.metadata.get("position", 0))
