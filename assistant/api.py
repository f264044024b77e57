"""The one Python API that the CLI, the UI and the evaluations all call.

    from assistant.api import Assistant
    bot = Assistant()                       # settings from the environment
    answer = bot.ask("Welke succesfactoren noemt het rapport?")
    print(answer.text, answer.citations)

A question goes: condense (follow-ups) -> retrieve (hybrid, filtered) -> answer
(extractive by default, an LLM when configured) -> one `Answer`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from assistant.answerers import AnswererContext, build_answerer
from assistant.conversation import condense
from assistant.passage_index import IndexCache
from assistant.retrieval import Filters, HybridRetriever
from assistant.schema import Answer, Passage
from assistant.settings import Settings
from assistant.text import detect_language

# another process's ingest is seen by the next question at most this many seconds after it finished
CATCH_UP_EVERY = 0.5


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
        self._refresh_lock = threading.Lock()
        self._writers = 0  # ingests running in this process (`writing()`)
        self._stamp = store.stamp()
        self._checked_at = time.monotonic()
        self._by_document = None  # (the passages list it was made from, document rows, passages per document)
        self.retriever = HybridRetriever(self.settings, store, embeddings, cache=IndexCache.for_settings(self.settings))
        self.answerer = answerer or build_answerer(self._answerer_context(chat_model))

    def extractive(self, **options):
        """The offline answerer over this store whatever backend is configured (the evaluation trains and
        scores it; `options` are ExtractiveAnswerer's keyword arguments, e.g. another ranker model)."""
        context = self._answerer_context()
        context.options = options
        return build_answerer(context, "extractive")

    def _answerer_context(self, chat_model=None, settings: Settings | None = None) -> AnswererContext:
        """What a backend may use: corpus term rarity, and the e5 vectors of the question (kept from retrieval)
        and of the stored sentences, for the ranker's similarity features."""
        return AnswererContext(
            settings=settings or self.settings,
            term_weight=self.term_weight,
            term_weights=self.retriever.rarity_near,
            known_term=lambda term, family=True: self.retriever.bm25.knows(term, family),
            vocabulary_size=lambda: len(self.retriever.bm25.vocabulary),
            crosses_language=self.retriever.crosses_language,
            chat_model=chat_model,
            question_vector=self.retriever.query_vector,
            sentence_vectors=getattr(self.store, "sentence_vectors", None),
        )

    @property
    def chat_model(self):
        """The LLM behind the answerer, if any: it also makes follow-ups standalone."""
        return getattr(self.answerer, "chat_model", None)

    def term_weight(self, term: str) -> float:
        """Rarity of a stemmed term in the corpus; a term the corpus lacks weighs most."""
        return self.retriever.bm25.rarity(term)

    # -- asking ---------------------------------------------------------------------------

    def standalone(self, question: str, history: list[str] | None = None) -> str:
        if not history:
            return condense(question, [])
        if self.chat_model is not None:
            from assistant.llm import condense_question

            return condense_question(self.chat_model, history, question, detect_language(question))
        return condense(question, history)

    def quote(self, question: str, passages: list[Passage], *, min_evidence: float | None = None) -> Answer:
        """Verbatim quotes from `passages` whatever the configured backend (a table that promises quotes
        must not paraphrase); `min_evidence` raises the evidence floor for a stricter selection."""
        settings = self.settings
        if min_evidence is not None:
            settings = settings.replace(abstain_threshold=max(settings.abstain_threshold, min_evidence))
        context = self._answerer_context(settings=settings)
        context.options = {"by_coverage": True}  # how much of the theme a sentence covers, not the trained model
        return build_answerer(context, "extractive").answer(question, passages)

    def retrieve(
        self, question: str, *, filters: Filters | dict | None = None, k: int | None = None, mode: str = "hybrid"
    ) -> list[Passage]:
        self._catch_up_soon()
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
        self._catch_up_soon()
        standalone = self.standalone(question, history)
        passages = self.retrieve(standalone, filters=filters, k=k, mode=mode)
        yield from self.answerer.stream(question, passages, language=detect_language(question), standalone_question=standalone)

    # -- documents (ingest them with `ingest.pipeline.ingest_into`) -----------------------

    def refresh(self) -> None:
        """See what the store holds now (after an ingest into it)."""
        with self._refresh_lock:
            self._stamp = self.store.stamp()  # taken first: a change made while reading is caught next time
            self.retriever.refresh()

    def _catch_up_soon(self) -> None:
        """`catch_up` at most every CATCH_UP_EVERY seconds: one answer asks for passages, documents and
        facets several times, and each check is two Chroma calls (measured: ~8% of the app's time)."""
        now = time.monotonic()
        if now - self._checked_at >= CATCH_UP_EVERY:
            self.catch_up()

    def catch_up(self) -> bool:
        """Refresh when the store changed since it was last read, e.g. by `datalessen ingest` in another
        process while the app serves. Costs one count and one metadata read (~0.4 ms embedded); True
        when something changed. An embedded store is reopened (Chroma reads its vector index once per
        process), unless this process is itself writing into it at the moment."""
        stamp = self.store.stamp()  # a store that is down says so here, every time it is asked
        self._checked_at = time.monotonic()
        if stamp == self._stamp:
            return False
        with self._refresh_lock:
            stamp = self.store.stamp()
            if stamp == self._stamp:
                return False  # another thread caught up meanwhile
            if not self._writers:
                self.store.reopen()
            self._stamp = self.store.stamp()
            self.retriever.refresh()
        return True

    @contextmanager
    def writing(self):
        """Around an ingest in this process: its own changes need no reopening of the store."""
        with self._refresh_lock:
            self._writers += 1
        try:
            yield
        finally:
            with self._refresh_lock:
                self._writers -= 1

    @property
    def passages(self) -> list[Passage]:
        """Every stored passage, in a stable order."""
        self._catch_up_soon()
        return self.retriever.passages

    def facets(self) -> dict[str, list[str]]:
        """The values the filters can take, from the stored metadata: per facet of the corpus profile (in
        its order; `facet_labels` names them), then `document` with `document_titles`."""
        self._catch_up_soon()
        return self.retriever.facets()

    def facet_labels(self) -> dict[str, str]:
        """The metadata fields the corpus profile offers as filters, with their labels, in profile order."""
        return self.retriever.facet_labels()

    def documents(self) -> list[dict]:
        """One row per completely ingested document, with its metadata and chunk count."""
        self._catch_up_soon()
        return [dict(row) for row in self._documents()[0]]

    def document_passages(self, doc_id: str) -> list[Passage]:
        self._catch_up_soon()
        return list(self._documents()[1].get(doc_id, ()))

    def _documents(self) -> tuple[list[dict], dict[str, list[Passage]]]:
        """The document rows and each document's passages, made once per version of the passages (the app
        asks for them with every answer: at 100k chunks a pass over all of them costs more than the answer)."""
        passages = self.retriever.passages
        cached = self._by_document
        if cached is not None and cached[0] is passages:
            return cached[1], cached[2]
        docs: dict[str, dict] = {}
        by_doc: dict[str, list[Passage]] = {}
        for p in passages:
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
            by_doc.setdefault(p.doc_id, []).append(p)
        for items in by_doc.values():
            items.sort(key=lambda p: p.metadata.get("position", 0))
        rows = sorted(docs.values(), key=lambda d: d.get("document", ""))
        self._by_document = (passages, rows, by_doc)
        return rows, by_doc
