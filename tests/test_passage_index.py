"""Instant start: passages and BM25 counts come from the data home's cache and follow the store by its ids."""

from __future__ import annotations

import numpy as np
import pytest

from assistant import passage_index
from assistant.api import Assistant
from assistant.bm25 import BM25Index
from assistant.passage_index import IndexCache, PassageIndex, index_text
from assistant.store import ChunkStore
from ingest.pipeline import ingest_into

DOCS = {
    "vegen.md": "# Slim vegen\n\nUtrecht voorspelt met data welke rijroutes de veegwagens moeten nemen.\n",
    "kademuren.md": "# Kademuren\n\nAmsterdam meet de kademuren met sensoren en satellietbeelden.\n",
    "honden.md": "# Hondenoverlast\r\n\r\nDordrecht pakt hondenoverlast aan met meldingen uit de wijk.\r\n",
}


@pytest.fixture
def folder(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, body in DOCS.items():
        (docs / name).write_text(body, encoding="utf-8")
    return docs


class CountingStore:
    """The real store, counting which passages are fetched with their texts."""

    def __init__(self, settings):
        self.inner = ChunkStore(settings)
        self.fetched: list[str] = []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def passages(self, ids):
        self.fetched += ids
        return self.inner.passages(ids)

    def all_ids(self, **kwargs):
        self.listed = getattr(self, "listed", 0) + 1
        return self.inner.all_ids(**kwargs)


def scores(bot, query="veegwagens rijroutes data"):
    return bot.retriever.bm25.scores(query)


def test_a_second_start_reads_the_cache_and_fetches_no_text(fake_settings, fake_embeddings, folder):
    first = Assistant(fake_settings, embeddings=fake_embeddings)
    ingest_into(first, [folder])
    store = CountingStore(fake_settings)
    second = Assistant(fake_settings, store=store, embeddings=fake_embeddings)
    assert store.fetched == []  # nothing fetched, nothing tokenised: all from the cache
    assert getattr(store, "listed", 0) == 0  # the store's stamp is the cache's: not even its ids are read
    assert [p.chunk_id for p in second.passages] == [p.chunk_id for p in first.passages]
    np.testing.assert_allclose(scores(second), scores(first))
    question = "Welke rijroutes nemen de veegwagens?"
    answer = second.ask(question)
    assert answer.passages[0].source.endswith("vegen.md")
    assert answer.text == first.ask(question).text  # the cache answers as the store it was made from


def test_an_ingest_elsewhere_costs_only_the_new_chunks(fake_settings, fake_embeddings, folder, tmp_path):
    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    ingest_into(bot, [folder])
    store = CountingStore(fake_settings)
    serving = Assistant(fake_settings, store=store, embeddings=fake_embeddings)
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "haven.md").write_text("# Havenmeester\n\nDe havenmeester int havengeld met camera's.\n", encoding="utf-8")
    ingest_into(Assistant(fake_settings, embeddings=fake_embeddings), [extra])  # another process, in effect
    serving.refresh()
    new_ids = {p.chunk_id for p in serving.passages if p.source.endswith("haven.md")}
    assert new_ids and set(store.fetched) == new_ids
    rebuilt = BM25Index([index_text(p) for p in serving.passages])
    np.testing.assert_allclose(scores(serving, "havengeld camera"), rebuilt.scores("havengeld camera"), rtol=1e-6)

    (folder / "honden.md").unlink()
    ingest_into(bot, [folder], prune=True)
    serving.refresh()
    assert not [p for p in serving.passages if p.source.endswith("honden.md")]
    assert not serving.retriever.bm25.knows("hondenoverlast", family=False)  # its words are gone with it
    rebuilt = BM25Index([index_text(p) for p in serving.passages])
    np.testing.assert_allclose(scores(serving), rebuilt.scores("veegwagens rijroutes data"), rtol=1e-6)


def test_a_new_reading_of_the_same_files_replaces_the_cached_and_served_texts(fake_settings, fake_embeddings, folder):
    """The same bytes read anew (here another chunk size; a loader revision does the same) give other texts
    at the same places in a file. The app that was serving and the next start from the cache must quote
    the store's new texts: with ids that named only the place, both went on quoting the old ones."""
    import dataclasses

    paragraphs = [
        f"Alinea {n}: de gemeente Zwolle meet trillingen bij de kademuren en deelt die metingen met de provincie."
        for n in range(1, 9)
    ]
    (folder / "trillingen.md").write_text("# Trillingen\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    ingest_into(Assistant(fake_settings, embeddings=fake_embeddings), [folder])
    serving = Assistant(fake_settings, embeddings=fake_embeddings)
    before = {p.chunk_id: p.text for p in serving.passages}

    rechunked = dataclasses.replace(fake_settings, chunk_size=300, min_chunk_chars=100)
    report = ingest_into(Assistant(rechunked, embeddings=fake_embeddings), [folder])
    assert report.updated, "another chunk size is another reading of every file"
    stored = {p.chunk_id: p.text for p in ChunkStore(rechunked).all_passages()}
    assert stored != before and any(len(t) < 400 for t in stored.values())

    serving.refresh()
    assert {p.chunk_id: p.text for p in serving.passages} == stored
    restarted = Assistant(rechunked, embeddings=fake_embeddings)  # from the cache on disk
    assert {p.chunk_id: p.text for p in restarted.passages} == stored
    answer = restarted.ask("Met wie deelt Zwolle de metingen van de kademuren?")
    assert answer.citations and all(c.passage_text in stored.values() for c in answer.citations)


def test_a_damaged_or_outdated_cache_is_rebuilt(fake_settings, fake_embeddings, folder, monkeypatch, caplog):
    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    ingest_into(bot, [folder])
    cache = IndexCache.for_settings(fake_settings)
    (cache.folder / "counts.npz").write_bytes(b"not an npz file")
    store = CountingStore(fake_settings)
    again = Assistant(fake_settings, store=store, embeddings=fake_embeddings)
    assert "rebuilding it from the store" in caplog.text
    assert len(store.fetched) == len(bot.passages)
    np.testing.assert_allclose(scores(again), scores(bot))
    assert cache.load() is not None  # and written anew

    monkeypatch.setattr(passage_index, "_code_signature", lambda: "another tokeniser")
    assert cache.load() is None  # counts made by other tokeniser code are never reused


def test_counts_made_by_another_stemmer_version_are_rebuilt(fake_settings, fake_embeddings, folder, monkeypatch):
    """Snowball's Dutch stems changed between versions ('gegevens' was 'gegeven', is 'geven'): after an upgrade
    the cached counts would hold other terms than a question is split into, and retrieval would find less."""
    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    ingest_into(bot, [folder])
    cache = IndexCache.for_settings(fake_settings)
    assert cache.load() is not None
    monkeypatch.setattr(passage_index.text, "STEMMER_VERSION", "4.0.0")
    assert cache.load() is None
    store = CountingStore(fake_settings)
    again = Assistant(fake_settings, store=store, embeddings=fake_embeddings)
    assert len(store.fetched) == len(bot.passages)  # counted again from the store's texts
    np.testing.assert_allclose(scores(again), scores(bot))


def test_a_data_home_that_refuses_the_cache_still_answers(fake_settings, fake_embeddings, folder, monkeypatch, caplog):
    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    ingest_into(bot, [folder])
    IndexCache.for_settings(fake_settings).folder.joinpath("index.json").unlink()

    def read_only(**kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(passage_index.tempfile, "mkdtemp", read_only)
    again = Assistant(fake_settings, embeddings=fake_embeddings)  # cannot write its cache: answers anyway
    assert "not written" in caplog.text
    answer = again.ask("Welke rijroutes nemen de veegwagens?")
    assert answer.passages[0].source.endswith("vegen.md") and "veegwagens" in answer.passages[0].text


def test_synced_keeps_chunk_id_order():
    from assistant.schema import Passage

    def passage(cid, text):
        return Passage(chunk_id=cid, doc_id="d", text=text)

    index = PassageIndex.build([passage("b", "twee woorden"), passage("d", "vier woorden")])
    fetched = {"a": passage("a", "een woord"), "c": passage("c", "drie woorden")}
    synced, changed = index.synced(["a", "b", "c"], lambda ids: [fetched[i] for i in ids])
    assert changed and [p.chunk_id for p in synced.passages] == ["a", "b", "c"]
    assert synced.counts.matrix.shape[0] == 3 and "vier" not in synced.counts.vocabulary
    assert synced.synced(["a", "b", "c"], lambda ids: []) == (synced, False)


def test_the_cache_gives_back_exactly_what_it_was_given(tmp_path):
    from assistant.schema import Passage

    shared = {"doc_id": "d1", "title": "Één rapport", "source": "/x/r.pdf", "kind": "report"}
    passages = [
        Passage(
            chunk_id="a", doc_id="d1", text="Regel één\r\nmet € en „citaat”", metadata={**shared, "section": "1", "page_start": 1}
        ),
        Passage(chunk_id="b", doc_id="d1", text="", metadata={**shared, "section": "2", "page_start": 2}),
        Passage(chunk_id="c", doc_id="d2", text="ander\rdocument", metadata={"doc_id": "d2", "title": "Twee"}),
    ]
    cache = IndexCache(tmp_path / "cache")
    cache.save(PassageIndex.build(passages))
    loaded = cache.load()
    assert [(p.chunk_id, p.text, p.metadata) for p in loaded.passages] == [(p.chunk_id, p.text, p.metadata) for p in passages]
    assert loaded.passages[0].title == "Één rapport" and loaded.passages[1].page_start == 2
