"""`datalessen bench ingest`: what ingest costs on top of the embedding model itself.

In one process, with the real model (`load_embeddings`), on the shipped corpus:

1. raw encode - the SentenceTransformer behind the LangChain wrapper encodes exactly
   the strings ingest sends it (each chunk's `index_text()` and each of its sentences in
   its section, newlines made spaces as the wrapper does, the passage prompt, the same
   batch size), in one call;
2. ingest     - `Ingestor.run` of the corpus into a fresh temporary store: discovery,
   loading, chunking, manifest, embedding, upsert;
3. re-run     - the same ingest again, nothing changed; and an ingest into a fresh
   store with constant vectors instead of the model: the pipeline's own cost;
4. PDFs       - pages/s for loading + chunking the real PDF fixtures, and for a full
   ingest of them (with embedding) into another fresh store.

Goal (issue text): ingest <= 1.15 x raw encode. The machine is shared, so wall time
swings with other people's work; process CPU time (all threads) is printed beside it
and the ratio is given for both. `--rounds 2` runs raw, ingest, ingest, raw, so that
a drift in machine load or a warm-up effect shows up as a difference between the two
measurements of the same kind instead of hiding in the ratio.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

import click

from assistant.sentence_features import sentence_texts
from assistant.settings import PROJECT_ROOT, Settings

GOAL_RATIO = 1.15
DEFAULT_FIXTURES = PROJECT_ROOT.parent / "shared" / "fixtures" / "real"


class Timer:
    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def corpus_chunks(settings: Settings, paths: list[Path]):
    """Every chunk ingest makes of `paths`, the same way ingest makes them."""
    from ingest.pipeline import discover, load_and_chunk

    files, failed, _, _ = discover(paths)
    assert not failed, failed
    chunks, pages = [], 0
    for path in files:
        doc, doc_chunks = load_and_chunk(path, settings)
        chunks.extend(doc_chunks)
        pages += doc.pages
    return chunks, pages


def raw_encode(embeddings, texts: list[str]) -> None:
    """The model call alone, with the arguments `HuggingFaceEmbeddings.embed_documents` passes."""
    embeddings._client.encode([t.replace("\n", " ") for t in texts], show_progress_bar=False, **embeddings.encode_kwargs)


def ingest(settings: Settings, embeddings, paths: list[Path]):
    from ingest.pipeline import Ingestor

    report = Ingestor(settings, embeddings=embeddings).run(paths)
    assert report.ok, report.summary()
    return report


class ConstantEmbeddings:
    """No model at all: what ingest costs besides the embedding (loading, chunking, manifest, store)."""

    def __init__(self, dim: int):
        self.vector = [1.0 / dim**0.5] * dim

    def embed_documents(self, texts):
        return [self.vector for _ in texts]


def load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


@click.command("ingest")
@click.option(
    "--rounds",
    type=click.IntRange(1, 2),
    default=1,
    show_default=True,
    help="1: raw encode, then ingest. 2: raw, ingest, ingest, raw (shows order and drift effects).",
)
@click.option(
    "--fixtures",
    type=click.Path(path_type=Path),
    default=DEFAULT_FIXTURES,
    show_default=True,
    help="Folder with real PDFs for the pages/s figures (skipped when absent).",
)
def bench_ingest(rounds: int, fixtures: Path) -> None:
    """Ingest of the shipped corpus against a raw encode of the same chunks (goal: <= 1.15x)."""
    from assistant.embeddings import load_embeddings, resolve_model

    base = Settings.load()
    with Timer() as t_model:
        embeddings = load_embeddings(base)
        model = resolve_model(base)
    click.echo(
        f"model {model} loaded in {t_model.wall:.1f} s; batch {base.embedding_batch_size}; "
        f"{os.cpu_count()} cores; load average {load_average()}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        homes = iter(Path(tmp) / f"home{i}" for i in range(100))

        def fresh() -> Settings:
            return base.replace(home=next(homes), embedding_model=model, chroma_url="")

        corpus = [base.corpus_dir]
        chunks, _ = corpus_chunks(fresh(), corpus)
        # what ingest embeds: each chunk, then each of its sentences in its section (the sentence ranker's vectors)
        texts = [c.index_text() for c in chunks]
        texts += [t for c in chunks for t in sentence_texts(c.text, c.section, c.metadata.get("title", ""))]
        raw_encode(embeddings, texts[: base.embedding_batch_size])  # warm-up, for both sides alike
        click.echo(f"corpus: {len(chunks)} chunks, {len(texts)} texts with their sentences, {sum(map(len, texts))} characters")

        order = ["raw", "ingest"] if rounds == 1 else ["raw", "ingest", "ingest", "raw"]
        timings: dict[str, list[Timer]] = {"raw": [], "ingest": []}
        home = None
        for step in order:
            with Timer() as t:
                if step == "raw":
                    raw_encode(embeddings, texts)
                else:
                    home = fresh()
                    report = ingest(home, embeddings, corpus)
            if step == "ingest":
                assert report.embedded == len(chunks), (report.embedded, len(chunks))
            timings[step].append(t)
            click.echo(f"  {step:<7} wall {t.wall:7.1f} s  cpu {t.cpu:7.1f} s  (load {load_average()})")
        with Timer() as t_rerun:
            rerun = ingest(home, embeddings, corpus)
        assert rerun.embedded == 0 and not rerun.added and not rerun.updated, rerun.summary()
        with Timer() as t_overhead:
            ingest(fresh(), ConstantEmbeddings(len(embeddings.embed_query("x"))), corpus)

        pdf_rows = []
        pdfs = sorted(fixtures.glob("*.pdf")) if fixtures.is_dir() else []
        if pdfs:
            with Timer() as t_load:
                _, pdf_pages = corpus_chunks(fresh(), pdfs)
            with Timer() as t_pdf_ingest:
                pdf_report = ingest(fresh(), embeddings, pdfs)
            pdf_rows = [
                ("PDF load + chunk", t_load, pdf_pages, None),
                ("PDF ingest (with embedding)", t_pdf_ingest, pdf_report.pages, pdf_report.chunks),
            ]

    raw_wall = statistics.mean(t.wall for t in timings["raw"])
    raw_cpu = statistics.mean(t.cpu for t in timings["raw"])
    ing_wall = statistics.mean(t.wall for t in timings["ingest"])
    ing_cpu = statistics.mean(t.cpu for t in timings["ingest"])
    click.echo("")
    click.echo(f"{'measure':<30} {'wall s':>8} {'cpu s':>8}  per second")
    click.echo(f"{'raw encode (model only)':<30} {raw_wall:8.1f} {raw_cpu:8.1f}  {len(chunks) / raw_wall:.2f} chunks")
    click.echo(f"{'ingest, fresh store':<30} {ing_wall:8.1f} {ing_cpu:8.1f}  {len(chunks) / ing_wall:.2f} chunks")
    click.echo(
        f"{'ingest without model':<30} {t_overhead.wall:8.2f} {t_overhead.cpu:8.2f}  "
        f"(all but the embedding: {t_overhead.cpu / raw_cpu:.1%} of the raw encode cpu)"
    )
    click.echo(f"{'ingest re-run, unchanged':<30} {t_rerun.wall:8.2f} {t_rerun.cpu:8.2f}  {len(rerun.unchanged)} files")
    for label, t, n_pages, n_chunks in pdf_rows:
        extra = f", {n_chunks / t.wall:.2f} chunks" if n_chunks else ""
        click.echo(f"{label:<30} {t.wall:8.1f} {t.cpu:8.1f}  {n_pages / t.wall:.2f} pages ({n_pages} pages{extra})")
    if not pdf_rows:
        click.echo(f"(no PDFs in {fixtures}: PDF figures skipped)")
    ratio_wall, ratio_cpu = ing_wall / raw_wall, ing_cpu / raw_cpu
    verdict = "ok" if ratio_cpu <= GOAL_RATIO else "ABOVE GOAL"
    click.echo(
        f"ingest / raw encode: wall {ratio_wall:.2f}x, cpu {ratio_cpu:.2f}x "
        f"(goal <= {GOAL_RATIO}x: {verdict}); order {', '.join(order)}"
    )
    if rounds == 2:
        spread = [f"{kind} {ts[0].cpu:.1f}/{ts[1].cpu:.1f} s cpu" for kind, ts in timings.items()]
        click.echo(f"first/second measurement: {'; '.join(spread)}")
