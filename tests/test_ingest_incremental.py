"""Ingest is incremental: unchanged files cost nothing, edits re-embed one file, deletions prune."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from assistant.sentence_features import sentence_texts
from assistant.store import ChunkStore
from assistant.text import passage_sentences
from ingest.pipeline import Ingestor
from tests.fakes import model_texts


@pytest.fixture
def corpus_copy(tmp_path, fake_settings):
    folder = tmp_path / "docs"
    shutil.copytree(fake_settings.corpus_dir, folder)
    return folder


def make_ingestor(settings, embeddings):
    return Ingestor(settings, store=ChunkStore(settings), embeddings=embeddings)


def test_second_run_adds_and_embeds_nothing(fake_settings, fake_embeddings, corpus_copy):
    first = make_ingestor(fake_settings, fake_embeddings).run([corpus_copy])
    assert first.ok and len(first.added) == 20 and first.embedded == first.chunks > 100
    stored = ChunkStore(fake_settings).count()
    texts_embedded = fake_embeddings.embedded_texts

    second = make_ingestor(fake_settings, fake_embeddings).run([corpus_copy])
    assert second.ok and len(second.unchanged) == 20
    assert second.added == second.updated == [] and second.embedded == 0
    assert fake_embeddings.embedded_texts == texts_embedded, "a re-run must not call the model"
    assert ChunkStore(fake_settings).count() == stored


def test_every_chunk_carries_front_matter(fake_settings, fake_embeddings, corpus_copy):
    make_ingestor(fake_settings, fake_embeddings).run([corpus_copy])
    passages = ChunkStore(fake_settings).all_passages()
    slim = [p for p in passages if p.metadata["document"] == "case-01-slim-vegen-utrecht.md"]
    assert slim and all(
        p.metadata["kind"] == "case"
        and p.metadata["gemeente"] == "Utrecht"
        and p.metadata["domein"] == "fysiek"
        and p.title.startswith("Case: Slim vegen")
        for p in slim
    )
    assert any(p.section.endswith("Aanpak en data") for p in slim)
    assert all(p.text.strip() and "---" not in p.text.splitlines()[0] for p in passages)


def test_editing_one_file_reembeds_only_that_file(fake_settings, fake_embeddings, corpus_copy):
    make_ingestor(fake_settings, fake_embeddings).run([corpus_copy])
    target = corpus_copy / "case-03-datagedreven-audit-utrecht.md"
    target.write_text(target.read_text(encoding="utf-8") + "\n\nNieuwe alinea over de audit in 2026.\n", encoding="utf-8")
    before = fake_embeddings.embedded_texts
    report = make_ingestor(fake_settings, fake_embeddings).run([corpus_copy])
    assert report.updated == [str(target.resolve())] and len(report.unchanged) == 19
    changed_chunks = [p for p in ChunkStore(fake_settings).all_passages() if p.source == str(target.resolve())]
    assert fake_embeddings.embedded_texts - before == model_texts(p.text for p in changed_chunks)
    assert any("Nieuwe alinea over de audit" in p.text for p in changed_chunks)
    ids = [p.chunk_id for p in ChunkStore(fake_settings).all_passages()]
    assert len(ids) == len(set(ids))


def test_prune_removes_chunks_of_deleted_files(fake_settings, fake_embeddings, corpus_copy):
    make_ingestor(fake_settings, fake_embeddings).run([corpus_copy])
    gone = corpus_copy / "case-13-rotterdam-groeit.md"
    gone.unlink()
    kept = make_ingestor(fake_settings, fake_embeddings).run([corpus_copy])
    assert kept.removed == [], "without --prune nothing is removed"
    report = make_ingestor(fake_settings, fake_embeddings).run([corpus_copy], prune=True)
    assert report.removed == [str(gone.resolve())]
    assert not [p for p in ChunkStore(fake_settings).all_passages() if "rotterdam-groeit" in p.source]


def test_identical_content_is_not_stored_twice(fake_settings, fake_embeddings, corpus_copy, tmp_path):
    other = tmp_path / "elders"
    other.mkdir()
    shutil.copy(corpus_copy / "case-03-datagedreven-audit-utrecht.md", other / "kopie.md")
    make_ingestor(fake_settings, fake_embeddings).run([corpus_copy])
    count = ChunkStore(fake_settings).count()
    report = make_ingestor(fake_settings, fake_embeddings).run([other])
    assert report.skipped and "same content" in report.skipped[0][1]
    assert ChunkStore(fake_settings).count() == count


def test_identical_files_in_one_run_are_stored_once(fake_settings, fake_embeddings, corpus_copy):
    """Files are embedded together across the run, so the copy is caught while the original is still pending."""
    shutil.copy(corpus_copy / "case-03-datagedreven-audit-utrecht.md", corpus_copy / "zz-kopie.md")
    report = make_ingestor(fake_settings, fake_embeddings).run([corpus_copy])
    original = (corpus_copy / "case-03-datagedreven-audit-utrecht.md").resolve()
    assert report.skipped == [(str((corpus_copy / "zz-kopie.md").resolve()), f"same content as {original}, already ingested")]
    sources = {p.source for p in ChunkStore(fake_settings).all_passages()}
    assert str(original) in sources
    assert len(sources) == 20
    again = make_ingestor(fake_settings, fake_embeddings).run([corpus_copy])
    assert len(again.unchanged) == 20 and again.embedded == 0


def test_every_chunk_has_its_sentences_vectors_and_stale_ones_go_with_their_chunk(fake_settings, fake_embeddings, corpus_copy):
    make_ingestor(fake_settings, fake_embeddings).run([corpus_copy])
    store = ChunkStore(fake_settings)
    passages = store.all_passages()
    vectors = store.sentence_vectors(passages)
    assert set(vectors) == {p.chunk_id for p in passages}
    assert all(len(vectors[p.chunk_id]) == len(passage_sentences(p.text)) for p in passages)
    expected = fake_embeddings.embed_documents(sentence_texts(passages[0].text, passages[0].section, passages[0].title))
    stored, expected = vectors[passages[0].chunk_id], np.asarray(expected)
    cosine = (stored * expected).sum(axis=1) / (np.linalg.norm(stored, axis=1) * np.linalg.norm(expected, axis=1))
    assert cosine.min() > 0.99, "each sentence embedded in its section (stored as int8)"
    target = corpus_copy / "case-03-datagedreven-audit-utrecht.md"
    target.write_text(target.read_text(encoding="utf-8") + "\n\nNieuwe alinea over de audit in 2026.\n", encoding="utf-8")
    make_ingestor(fake_settings, fake_embeddings).run([corpus_copy])
    passages = store.all_passages()
    vectors = store.sentence_vectors(passages)
    assert set(vectors) == {p.chunk_id for p in passages}, "the changed file's new chunks have theirs too"
    assert all(len(vectors[p.chunk_id]) == len(passage_sentences(p.text)) for p in passages), "no stale sentence vectors"


def test_a_revised_loader_reads_its_files_again_and_only_those(fake_settings, fake_embeddings, corpus_copy):
    """A store written before the PDF loader's last revision: its PDFs are read and embedded again on the
    next run (no chunk twice), Markdown files stay as they are."""
    import dataclasses

    from ingest.loaders import LOADER_REVISIONS
    from tests.loader_files import report_pdf

    pdf = corpus_copy / "rapport.pdf"
    pdf.write_bytes(report_pdf())
    ingestor = make_ingestor(fake_settings, fake_embeddings)
    ingestor.run([corpus_copy])
    source = str(pdf.resolve())
    row = ingestor.manifest.get(source)
    assert row.signature.endswith("|" + LOADER_REVISIONS[".pdf"])
    ingestor.manifest.put(dataclasses.replace(row, signature=ingestor.signature))  # as the loader before wrote it
    count = ChunkStore(fake_settings).count()

    report = make_ingestor(fake_settings, fake_embeddings).run([corpus_copy])
    assert report.updated == [source] and len(report.unchanged) == 20
    assert report.embedded == row.chunks
    assert ChunkStore(fake_settings).count() == count
    again = make_ingestor(fake_settings, fake_embeddings).run([corpus_copy])
    assert len(again.unchanged) == 21 and again.embedded == 0


def test_the_distractor_copy_is_made_anew_when_the_store_is_read_anew(fake_settings, fake_embeddings, corpus_copy, tmp_path):
    """A loader revision re-reads the store's files under the same chunk ids; a scratch copy with
    distractors made before it holds the old reading and must not be reused for the new one."""
    import dataclasses

    from evals.distractors import scratch_settings
    from tests.loader_files import report_pdf

    (corpus_copy / "rapport.pdf").write_bytes(report_pdf())
    folders = [tmp_path / "distractors"]
    folders[0].mkdir()
    ingestor = make_ingestor(fake_settings, fake_embeddings)
    ingestor.run([corpus_copy])
    row = ingestor.manifest.get(str((corpus_copy / "rapport.pdf").resolve()))
    ingestor.manifest.put(dataclasses.replace(row, signature=ingestor.signature))  # as the loader before wrote it
    ingestor.close()
    store = ChunkStore(fake_settings)
    _, before = scratch_settings(fake_settings, store, folders)
    assert scratch_settings(fake_settings, store, folders)[1] == before  # reused while nothing changed
    make_ingestor(fake_settings, fake_embeddings).run([corpus_copy])  # reads the PDF again, same chunk ids
    _, after = scratch_settings(fake_settings, ChunkStore(fake_settings), folders)
    assert after != before


def stored_chunks(settings) -> dict[str, tuple]:
    return {p.chunk_id: (p.text, p.section, p.page_start) for p in ChunkStore(settings).all_passages(incomplete=True)}


def test_a_data_home_moved_elsewhere_is_compared_with_what_it_holds(fake_settings, fake_embeddings, corpus_copy, tmp_path):
    """A data home copied to another place: its manifest's rows name the old store, so the next run cannot
    take the files as unchanged on the manifest's word. It compares the stored chunks with this reading:
    nothing is embedded when they agree, and a reading that changed under the same chunk ids (here another
    chunk size; a loader revision does the same) replaces the old one instead of leaving it in place."""
    import dataclasses

    first = make_ingestor(fake_settings, fake_embeddings)
    first.run([corpus_copy])
    first.close()
    moved = dataclasses.replace(fake_settings, home=tmp_path / "moved")
    shutil.copytree(fake_settings.home, moved.home)
    texts_embedded = fake_embeddings.embedded_texts

    report = make_ingestor(moved, fake_embeddings).run([corpus_copy])
    assert len(report.unchanged) == 20 and report.added == report.updated == [] and report.embedded == 0
    assert fake_embeddings.embedded_texts == texts_embedded, "an agreeing store must not call the model"

    rechunked = dataclasses.replace(fake_settings, home=tmp_path / "rechunked", chunk_size=900)
    shutil.copytree(fake_settings.home, rechunked.home)
    report = make_ingestor(rechunked, fake_embeddings).run([corpus_copy])
    reference = dataclasses.replace(fake_settings, home=tmp_path / "clean", chunk_size=900)
    make_ingestor(reference, fake_embeddings).run([corpus_copy])
    assert stored_chunks(rechunked) == stored_chunks(reference), "the store equals a clean ingest of the new reading"
    assert report.updated and 0 < report.embedded
    again = make_ingestor(rechunked, fake_embeddings).run([corpus_copy])
    assert len(again.unchanged) == 20 and again.embedded == 0
