"""`datalessen bench ingest`: what ingest costs, for the fp32 and the int8 embedding paths side by side.

In one process, with the real models (`load_embeddings`, both precisions), on the shipped corpus:

1. raw encode - each path's model encodes exactly the strings ingest sends it (each
   chunk's `index_text()` and each of its sentences in its section, for the sentence
   ranker; newlines made spaces, the passage prompt), in one call;
2. ingest     - `Ingestor.run` of the corpus into a fresh temporary store per path:
   discovery, loading, chunking, manifest, embedding, upsert;
3. query      - `embed_query` (one intra-op thread, as served) on the fixed questions
   of `bench retrieval`, the two paths alternating question by question;
4. re-run     - the same ingest again, nothing changed; and an ingest into a fresh
   store with constant vectors instead of the model: the pipeline's own cost;
5. PDFs       - pages/s for loading + chunking the real PDF fixtures, and for a full
   ingest of them (with the configured precision) into another fresh store.

Goals (issue texts): ingest <= 1.15 x raw encode; int8 ingest >= 2 x fp32 ingest in
chunks/s. The machine is shared, so wall time swings with other people's work;
process CPU time (all threads) is printed beside it, the load average beside every
step, and the two paths alternate. `--rounds 2` runs raw, ingest, ingest, raw (each
step for both paths, the order of the paths reversed in the second half), so that
drift in machine load shows up as a difference between two measurements of the same
kind instead of hiding in a ratio.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

import click

from assistant.sentence_features import sentence_texts
from assistant.settings import Settings
from evals.provenance import SOURCE_ROOT

GOAL_RATIO = 1.15
GOAL_INT8_SPEEDUP = 2.0
PRECISIONS = ("fp32", "int8")
DEFAULT_FIXTURES = SOURCE_ROOT.parent / "shared" / "fixtures" / "real"  # beside a development checkout


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
    """The model call alone, with the arguments and threads each path's `embed_documents` uses."""
    from assistant.e5_int8 import E5Int8Embeddings
    from assistant.embeddings import set_torch_threads

    flat = [t.replace("\n", " ") for t in texts]
    if isinstance(embeddings, E5Int8Embeddings):
        embeddings.encode([embeddings.passage_prefix + t for t in flat])
    else:
        set_torch_threads(embeddings.batch_threads)
        embeddings._client.encode(flat, show_progress_bar=False, **embeddings.encode_kwargs)


def query_latencies(paths: dict, queries, rounds: int = 1) -> dict[str, list[float]]:
    """Milliseconds per `embed_query`, the paths alternating per question so that both see the same load."""
    times: dict[str, list[float]] = {name: [] for name in paths}
    for embeddings in paths.values():
        for q in queries[:3]:
            embeddings.embed_query(q)  # warm-up
    for _ in range(rounds):
        for i, q in enumerate(queries):
            order = list(paths) if i % 2 == 0 else list(reversed(paths))
            for name in order:
                start = time.perf_counter()
                paths[name].embed_query(q)
                times[name].append((time.perf_counter() - start) * 1000)
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


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
    """Ingest with fp32 and int8 side by side (goal: int8 >= 2x), each against its raw encode (goal: <= 1.15x)."""
    from assistant.embeddings import effective_precision, load_embeddings, resolve_model
    from evals.bench_retrieval import QUERIES

    base = Settings.load()
    model = resolve_model(base)
    paths, loaded = {}, {}
    for precision in PRECISIONS:
        with Timer() as t_model:
            paths[precision] = load_embeddings(base.replace(embedding_precision=precision))
        loaded[precision] = t_model.wall
    configured = effective_precision(base)
    click.echo(
        f"model {model}: fp32 loaded in {loaded['fp32']:.1f} s, int8 in {loaded['int8']:.1f} s (built on first use); "
        f"configured: {configured}; {os.cpu_count()} cores; load average {load_average()}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        homes = iter(Path(tmp) / f"home{i}" for i in range(100))

        def fresh(precision: str = configured) -> Settings:
            return base.replace(home=next(homes), embedding_model=model, chroma_url="", embedding_precision=precision)

        corpus = [base.corpus_dir]
        chunks, _ = corpus_chunks(fresh(), corpus)
        # what ingest embeds: each chunk, then each of its sentences in its section (the sentence ranker's vectors)
        texts = [c.index_text() for c in chunks]
        texts += [t for c in chunks for t in sentence_texts(c.text, c.section, c.metadata.get("title", ""))]
        for embeddings in paths.values():
            raw_encode(embeddings, texts[: base.embedding_batch_size])  # warm-up, for all alike
        click.echo(f"corpus: {len(chunks)} chunks, {len(texts)} texts with their sentences, {sum(map(len, texts))} characters")

        order = ["raw", "ingest"] if rounds == 1 else ["raw", "ingest", "ingest", "raw"]
        timings: dict[tuple[str, str], list[Timer]] = {(s, p): [] for s in ("raw", "ingest") for p in PRECISIONS}
        homes_used = {}
        for i, step in enumerate(order):
            for precision in PRECISIONS if i < 2 else reversed(PRECISIONS):
                embeddings = paths[precision]
                with Timer() as t:
                    if step == "raw":
                        raw_encode(embeddings, texts)
                    else:
                        homes_used[precision] = fresh(precision)
                        report = ingest(homes_used[precision], embeddings, corpus)
                if step == "ingest":
                    assert report.embedded == len(chunks), (report.embedded, len(chunks))
                timings[step, precision].append(t)
                click.echo(f"  {step:<7} {precision}  wall {t.wall:7.1f} s  cpu {t.cpu:7.1f} s  (load {load_average()})")
        with Timer() as t_rerun:
            rerun = ingest(homes_used[configured], paths[configured], corpus)
        assert rerun.embedded == 0 and not rerun.added and not rerun.updated, rerun.summary()
        with Timer() as t_overhead:
            ingest(fresh(), ConstantEmbeddings(len(paths[configured].embed_query("x"))), corpus)

        pdf_rows = []
        pdfs = sorted(fixtures.glob("*.pdf")) if fixtures.is_dir() else []
        if pdfs:
            with Timer() as t_load:
                _, pdf_pages = corpus_chunks(fresh(), pdfs)
            with Timer() as t_pdf_ingest:
                pdf_report = ingest(fresh(), paths[configured], pdfs)
            pdf_rows = [
                ("PDF load + chunk", t_load, pdf_pages, None),
                (f"PDF ingest ({configured})", t_pdf_ingest, pdf_report.pages, pdf_report.chunks),
            ]
    latencies = query_latencies(paths, list(QUERIES))
    query_load = load_average()

    wall = {key: statistics.mean(t.wall for t in ts) for key, ts in timings.items()}
    cpu = {key: statistics.mean(t.cpu for t in ts) for key, ts in timings.items()}
    click.echo("")
    header = ["fp32 wall s", "int8 wall s", "fp32 chunks/s", "int8 chunks/s", "int8/fp32"]
    click.echo(f"{'measure':<30} " + " ".join(f"{h:>{w}}" for h, w in zip(header, (11, 11, 14, 14, 10))))
    for step, label in (("raw", "raw encode (model only)"), ("ingest", "ingest, fresh store")):
        f, q = wall[step, "fp32"], wall[step, "int8"]
        click.echo(f"{label:<30} {f:11.1f} {q:11.1f} {len(chunks) / f:14.2f} {len(chunks) / q:14.2f} {f / q:9.2f}x")
    click.echo(
        f"{'  same, per cpu second':<30} {cpu['ingest', 'fp32']:11.1f} {cpu['ingest', 'int8']:11.1f} "
        f"{len(chunks) / cpu['ingest', 'fp32']:14.2f} {len(chunks) / cpu['ingest', 'int8']:14.2f} "
        f"{cpu['ingest', 'fp32'] / cpu['ingest', 'int8']:9.2f}x"
    )
    for name in PRECISIONS:
        ms = latencies[name]
        click.echo(
            f"query embedding {name} (1 thread): p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
            f"max {max(ms):.1f} ms over {len(ms)} queries (load average {query_load})"
        )
    share = t_overhead.cpu / cpu["raw", configured]
    click.echo(
        f"{'ingest without model':<30} {t_overhead.wall:8.2f} s wall {t_overhead.cpu:8.2f} s cpu  "
        f"(all but the embedding: {share:.1%} of the {configured} raw encode cpu)"
    )
    click.echo(
        f"{'ingest re-run, unchanged':<30} {t_rerun.wall:8.2f} s wall {t_rerun.cpu:8.2f} s cpu  {len(rerun.unchanged)} files"
    )
    for label, t, n_pages, n_chunks in pdf_rows:
        extra = f", {n_chunks / t.wall:.2f} chunks" if n_chunks else ""
        rate = f"{n_pages / t.wall:.2f} pages/s ({n_pages} pages{extra})"
        click.echo(f"{label:<30} {t.wall:8.1f} s wall {t.cpu:8.1f} s cpu  {rate}")
    if not pdf_rows:
        click.echo(f"(no PDFs in {fixtures}: PDF figures skipped)")
    for name in PRECISIONS:
        ratio_wall = wall["ingest", name] / wall["raw", name]
        ratio_cpu = cpu["ingest", name] / cpu["raw", name]
        verdict = "ok" if ratio_cpu <= GOAL_RATIO else "ABOVE GOAL"
        click.echo(
            f"ingest / raw encode, {name}: wall {ratio_wall:.2f}x, cpu {ratio_cpu:.2f}x (goal <= {GOAL_RATIO}x: {verdict})"
        )
    speedup = wall["ingest", "fp32"] / wall["ingest", "int8"]
    click.echo(
        f"int8 / fp32 ingest chunks/s: {speedup:.2f}x wall, {cpu['ingest', 'fp32'] / cpu['ingest', 'int8']:.2f}x cpu "
        f"(goal >= {GOAL_INT8_SPEEDUP}x: {'ok' if speedup >= GOAL_INT8_SPEEDUP else 'BELOW GOAL'}); order {', '.join(order)}"
    )
    if rounds == 2:
        spread = [f"{step} {precision} {ts[0].cpu:.1f}/{ts[1].cpu:.1f} s cpu" for (step, precision), ts in timings.items()]
        click.echo(f"first/second measurement: {'; '.join(spread)}")
