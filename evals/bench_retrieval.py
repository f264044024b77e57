"""`datalessen bench retrieval`: retrieval and answer latency over 10k / 100k synthetic chunks.

For each size, two child processes (so each phase's peak memory is its own):

1. build   - generate the synthetic corpus (`evals.synthetic`) and upsert it in
             batches into a fresh persistent Chroma store through `ChunkStore`;
2. measure - what a serving process does: load the real e5 model, open the store,
             construct the `Assistant` (all passages + BM25 index in memory), warm
             up, then time per question: hybrid retrieval (query embedding + BM25 +
             HNSW + fusion), its parts alone as baselines in the same run
             (`embed_query`, BM25 top-k, Chroma top-k ids as hybrid asks for them,
             Chroma top-k with texts as `dense_search` returns them), and the
             full extractive answer (`Assistant.ask`). A separate, untimed tracemalloc pass gives
             the Python allocation peak per query.

Targets (issue text): retrieval p95 <= 50 ms at 10k and <= 150 ms at 100k chunks;
extractive answer p95 <= 300 ms at 10k chunks, model loaded. The machine is
shared, so the load average is printed next to the figures.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click
import numpy as np

TARGETS = {  # (measure, size) -> p95 limit in ms
    ("hybrid", 10_000): 50.0,
    ("hybrid", 100_000): 150.0,
    ("ask", 10_000): 300.0,
}
MEASURES = (  # key, label
    ("embed", "embed_query (real e5)"),
    ("bm25", "BM25 top-k alone"),
    ("chroma", "Chroma top-k ids alone"),
    ("chroma_texts", "Chroma top-k + texts"),
    ("hybrid", "hybrid retrieve"),
    ("ask", "extractive answer (ask)"),
)
TRACE_QUERIES = 10
UPSERT_BATCH = 5_000

# Fixed questions, short keyword queries interleaved with long questions. Some name
# the shipped cases, some the synthetic gemeenten and topics; all are plain Dutch.
QUERIES = (
    "slim vegen",
    "Welke succesfactoren noemt het rapport voor het opschalen van dataprojecten bij gemeenten?",
    "ondermijning Zaanstad",
    "Hoe heeft de gemeente Utrecht de veegroutes van de veegwagens met data verbeterd?",
    "funderingen",
    "Wat waren de belangrijkste lessen over privacy en ethiek bij het gebruik van algoritmes?",
    "Wmo voorspelmodel",
    "Welke rol speelden eindgebruikers bij de ontwikkeling van de data-applicatie ondermijning?",
    "hondenoverlast Dordrecht",
    "Waarom werd het voorspelmodel voor startkwalificatie in Zuid-Holland Zuid ontwikkeld en wat was het resultaat?",
    "huishoudboekje",
    "Hoe zorgde de gemeente ervoor dat medewerkers konden afwijken van de route die het algoritme voorstelde?",
    "datagedreven sturing",
    "Welke knelpunten kwamen gemeenten tegen bij het samenwerken met marktpartijen en kennisinstellingen?",
    "bezoekersstromen simulatie",
    "Wat is de interbestuurlijke datastrategie en wat betekent die voor de datapraktijk van gemeenten?",
    "havenmeester",
    "Welke databronnen gebruikte de monitor sociaal domein van de Drechtsteden en wie kreeg de uitkomsten te zien?",
    "schuldhulp",
    "In welk jaar begon Utrecht met een vast budget voor datagedreven werken en hoeveel geld was dat per jaar?",
    "algoritmeregister",
    "Hoe verliep de overdracht van een proefproject naar de staande organisatie bij de onderzochte cases?",
    "Rotterdam groeit",
    "Welke risico's werden genoemd voor function creep en datalekken bij het gebruik van persoonsgegevens?",
    "A&O fonds",
    "Wat kunnen kleinere gemeenten leren van de manier waarop grote steden hun datateams hebben opgezet?",
    "schooluitval jongeren",
    "Hoe werd de handhaving in de openbare ruimte in Amsterdam met behulp van meldingen en data ingericht?",
    "DPIA",
    "Welke vijf perspectieven gebruikten de onderzoekers om de cases met elkaar te vergelijken?",
    "city deal",
    "Wat zegt het rapport over het belang van bestuurlijk draagvlak en een ambtelijke opdrachtgever?",
    "leefbaarheid wijken",
    "Welke gemeenten hebben de innovatie uit een van de cases later zelf ook in gebruik genomen?",
    "parkeren Breda",
    "Hoe kan een gemeente voorkomen dat een voorspelmodel voor de Wmo leidt tot ongelijke behandeling van inwoners?",
    "Uthiek",
    "Wat was de aanleiding voor het onderzoek naar datagedreven innovatie in gemeenten in 2021?",
    "woningbouwmonitor",
    "Welke vaardigheden en rollen hadden de projectteams nodig, zoals datascientists en informatieadviseurs?",
    "Enschede webinar",
    "Hoe meten gemeenten het effect van een datagedreven aanpak op overlast en klachten van bewoners?",
    "afvalinzameling Apeldoorn",
    "Waarom is het lastig om een succesvol datapilotproject op te schalen naar andere gemeenten?",
    "Platform31",
    "Welke afspraken maakten de gemeenten over het delen van data tussen afdelingen en met ketenpartners?",
    "wateroverlast klimaatadaptatie",
    "Wat betekent cyclisch en informeel leren in de context van de onderzochte dataprojecten?",
    "Parell onderzoekers",
    "Hoe werd de kwaliteit van de gebruikte data gecontroleerd voordat een model in productie ging?",
    "energietransitie warmtenet",
    "Welke drie cases scoorden het best op vernieuwing en waardecreatie volgens de berichtgeving?",
    "jeugdzorg kosten",
    "Wat adviseert het rapport aan gemeenten die nog aan het begin staan van datagedreven werken?",
    "Overheid360",
    "Hoe gingen de gemeenten om met de transparantie van algoritmes richting inwoners en de gemeenteraad?",
    "bijstand fraude",
    "Welke rol speelde het Centrum voor Criminaliteitspreventie en Veiligheid bij datagestuurd werken?",
    "drukte binnenstad",
    "Waarin verschillen de cases in het fysieke domein van de cases in het sociaal domein?",
)


# -- helpers ---------------------------------------------------------------------------


def percentile(values, q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if len(values) else float("nan")


def summary(values_ms: list[float]) -> dict:
    return {
        "n": len(values_ms),
        "p50": percentile(values_ms, 50),
        "p95": percentile(values_ms, 95),
        "max": float(max(values_ms)) if values_ms else float("nan"),
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def current_rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _bench_settings(store_home: str | None = None):
    """The user's settings (for the model folder), with the converted model named directly."""
    from assistant.embeddings import resolve_model
    from assistant.settings import Settings

    settings = Settings.load()
    settings = settings.replace(embedding_model=resolve_model(settings))
    if store_home:
        settings = settings.replace(home=Path(store_home), collection="bench")
    return settings


def sentence_vectors(settings, pool, cache_dir: Path) -> tuple[np.ndarray, float, bool]:
    """Real e5 vectors of the pool's sentences, cached by model, precision, prefix and sentence texts."""
    import hashlib

    from assistant.embeddings import effective_precision

    parts = [settings.embedding_model, effective_precision(settings), settings.passage_prefix]
    key = hashlib.sha256("\n".join(parts + [s.text for s in pool.sentences]).encode()).hexdigest()[:16]
    path = cache_dir / f"sentence-vectors-{key}.npy"
    if path.exists():
        return np.load(path), 0.0, True
    from assistant.embeddings import load_embeddings
    from evals.synthetic import embed_sentences

    start = time.perf_counter()
    vectors = embed_sentences(pool, load_embeddings(settings))
    seconds = time.perf_counter() - start
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors, seconds, False


# -- phase 1: build --------------------------------------------------------------------


def chunk_sentence_vectors(chunk_vector: np.ndarray, n: int, rng) -> np.ndarray:
    noisy = chunk_vector[None, :] + 0.05 * rng.standard_normal((n, len(chunk_vector))).astype(np.float32)
    return noisy / np.linalg.norm(noisy, axis=1, keepdims=True)


def build_phase(size: int, store_home: str, seed: int, cache_dir: str) -> dict:
    from assistant.sentence_vectors import SENTENCE_VECTORS, encode_vectors
    from assistant.store import ChunkStore
    from assistant.text import passage_sentences
    from evals.synthetic import SentencePool, generate

    settings = _bench_settings(store_home)
    pool = SentencePool.from_corpus(settings.corpus_dir)
    vectors, embed_seconds, cached = sentence_vectors(settings, pool, Path(cache_dir))
    start = time.perf_counter()
    corpus = generate(size, pool, vectors, seed=seed)
    generate_seconds = time.perf_counter() - start
    store = ChunkStore(settings)
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    for a in range(0, len(corpus), UPSERT_BATCH):
        b = a + UPSERT_BATCH
        # each chunk's sentences get vectors too, as ingest stores them for the sentence ranker (near
        # the chunk's own vector: the answer's latency depends on fetching them, not on their values)
        metadatas = []
        for i, meta in zip(range(a, min(b, len(corpus))), corpus.metadatas[a:b]):
            vectors = chunk_sentence_vectors(corpus.vectors[i], len(passage_sentences(corpus.texts[i])), rng)
            metadatas.append(meta | {SENTENCE_VECTORS: encode_vectors(vectors)})
        store.upsert(corpus.ids[a:b], corpus.texts[a:b], corpus.vectors[a:b], metadatas)
        print(
            f"  upserted {min(b, len(corpus)):,}/{len(corpus):,} ({time.perf_counter() - start:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
    upsert_seconds = time.perf_counter() - start
    count = store.count()
    words = [len(t.split()) for t in corpus.texts]
    return {
        "size": size,
        "count": count,
        "documents": corpus.documents,
        "sentences": len(pool.sentences),
        "sentence_embed_seconds": embed_seconds,
        "sentence_vectors_cached": cached,
        "generate_seconds": generate_seconds,
        "upsert_seconds": upsert_seconds,
        "words_p50": percentile(words, 50),
        "words_p95": percentile(words, 95),
        "store_mb": sum(f.stat().st_size for f in Path(store_home).rglob("*") if f.is_file()) / 2**20,
        "peak_rss_mb": peak_rss_mb(),
        "notes": corpus.notes,
    }


# -- phase 2: measure ------------------------------------------------------------------


def measure_phase(size: int, store_home: str, n_queries: int, rounds: int, answer: bool) -> dict:
    from assistant.api import Assistant
    from assistant.bm25 import BM25Index
    from assistant.embeddings import load_embeddings
    from assistant.passage_index import IndexCache
    from assistant.store import ChunkStore

    settings = _bench_settings(store_home)
    queries = [QUERIES[i % len(QUERIES)] for i in range(n_queries)]
    out: dict = {"size": size, "queries": n_queries, "rounds": rounds, "load_before": load_average()}
    rss0 = current_rss_mb()
    start = time.perf_counter()
    embeddings = load_embeddings(settings)
    embeddings.embed_query("opwarmen")
    out["model_load_seconds"] = time.perf_counter() - start
    rss_model = current_rss_mb()

    store = ChunkStore(settings)
    cache = IndexCache.for_settings(settings)
    shutil.rmtree(cache.folder, ignore_errors=True)
    start = time.perf_counter()
    ids = store.all_ids()
    out["ids_seconds"] = time.perf_counter() - start
    start = time.perf_counter()
    bot = Assistant(settings, store=store, embeddings=embeddings)  # no cache yet: every text fetched and tokenised
    out["assistant_seconds"] = time.perf_counter() - start
    start = time.perf_counter()
    bot = Assistant(settings, store=ChunkStore(settings), embeddings=embeddings)  # as every later start: the cache
    out["assistant_cached_seconds"] = time.perf_counter() - start
    out["cache_mb"] = sum(f.stat().st_size for f in cache.folder.iterdir()) / 2**20
    out["rss_after_startup_mb"] = current_rss_mb()
    out["rss_model_mb"] = rss_model - rss0
    out["rss_passages_and_bm25_mb"] = out["rss_after_startup_mb"] - rss_model
    assert len(ids) == len(bot.passages)
    index: BM25Index = bot.retriever.bm25
    out["bm25_terms"] = len(index.vocabulary)
    out["bm25_postings"] = int(index.matrix.nnz)
    out["bm25_arrays_mb"] = (
        index.matrix.data.nbytes + index.matrix.indices.nbytes + index.matrix.indptr.nbytes + index.idf.nbytes
    ) / 2**20
    out["count"] = len(bot.retriever.passages)

    retriever = bot.retriever
    k_bm25, k_dense = settings.bm25_k, settings.dense_k

    def run(measure: str, q: str, vector) -> None:
        if measure == "embed":
            embeddings.embed_query(q)
        elif measure == "bm25":
            retriever.bm25.top(q, k_bm25)
        elif measure == "chroma":  # what hybrid retrieval asks Chroma for
            store.dense_ids(vector, k_dense)
        elif measure == "chroma_texts":  # the same search returning texts and metadata (dense_search)
            store.dense_search(vector, k_dense)
        elif measure == "hybrid":
            retriever.forget_query_vectors()  # every question is new to a serving process
            bot.retrieve(q)
        else:
            retriever.forget_query_vectors()
            bot.ask(q)

    measures = [m for m, _ in MEASURES if answer or m != "ask"]
    # the first query opens the HNSW index: a cold start, reported apart
    start = time.perf_counter()
    bot.retrieve(queries[0])
    out["first_query_ms"] = (time.perf_counter() - start) * 1000
    vectors = {q: embeddings.embed_query(q) for q in dict.fromkeys(queries)}
    for q in queries[:5]:  # warm-up, not counted
        for m in measures:
            run(m, q, vectors[q])

    wall: dict[str, list[float]] = {m: [] for m in measures}
    cpu: dict[str, list[float]] = {m: [] for m in measures}
    for r in range(rounds):
        for qi, q in enumerate(queries):
            order = measures[(qi + r) % len(measures) :] + measures[: (qi + r) % len(measures)]  # rotate
            for m in order:
                c0, t0 = time.process_time(), time.perf_counter()
                run(m, q, vectors[q])
                wall[m].append((time.perf_counter() - t0) * 1000)
                cpu[m].append((time.process_time() - c0) * 1000)
    out["wall"] = {m: summary(v) for m, v in wall.items()}
    out["cpu_p50"] = {m: percentile(v, 50) for m, v in cpu.items()}
    out["samples"] = wall
    out["peak_rss_mb"] = peak_rss_mb()  # before tracemalloc, which costs memory itself
    out["load_after"] = load_average()

    import tracemalloc  # separate pass: tracemalloc slows everything down, so nothing here is timed

    tracemalloc.start()
    python_peak = {}
    for m in ("hybrid", "ask") if answer else ("hybrid",):
        peaks = []
        for q in queries[:TRACE_QUERIES]:
            base = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            run(m, q, vectors[q])
            peaks.append((tracemalloc.get_traced_memory()[1] - base) / 2**20)
        python_peak[m] = max(peaks)
    tracemalloc.stop()
    out["python_peak_per_query_mb"] = python_peak
    return out


# -- the command -----------------------------------------------------------------------


def _child(phase: str, args: dict) -> dict:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    proc = subprocess.run(
        [sys.executable, "-m", "evals.bench_retrieval", phase, json.dumps(args)],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise click.ClickException(f"{phase} phase failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _ms(x: float) -> str:
    return f"{x:8.1f}"


def report(builds: dict, results: dict) -> tuple[str, list[tuple]]:
    lines = []
    for size, res in results.items():
        b = builds[size]
        vectors = (
            "real sentence vectors from cache"
            if b["sentence_vectors_cached"]
            else f"real sentence vectors {b['sentence_embed_seconds']:.0f} s"
        )
        lines += [
            "",
            (
                f"== {size:,} chunks ({b['documents']:,} synthetic documents, "
                f"chunk words p50 {b['words_p50']:.0f} / p95 {b['words_p95']:.0f}) =="
            ),
            (
                f"build:   generate {b['generate_seconds']:.1f} s, upsert into Chroma {b['upsert_seconds']:.1f} s "
                f"({b['count'] / max(b['upsert_seconds'], 1e-9):,.0f} chunks/s), store on disk {b['store_mb']:,.0f} MB, "
                f"peak RSS {b['peak_rss_mb']:,.0f} MB; {vectors}"
            ),
            (
                f"startup: model {res['model_load_seconds']:.1f} s, passages + BM25 without a cache "
                f"{res['assistant_seconds']:.1f} s (the ids alone {res['ids_seconds']:.1f} s), from the data home's "
                f"cache {res['assistant_cached_seconds']:.1f} s (cache {res['cache_mb']:,.0f} MB) "
                f"({res['bm25_terms']:,} terms, {res['bm25_postings']:,} postings, arrays {res['bm25_arrays_mb']:.0f} MB; "
                f"RSS +{res['rss_passages_and_bm25_mb']:,.0f} MB for passages + BM25)"
            ),
            (
                f"memory:  RSS after startup {res['rss_after_startup_mb']:,.0f} MB "
                f"(model +{res['rss_model_mb']:,.0f} MB), peak RSS {res['peak_rss_mb']:,.0f} MB; "
                "Python peak per query (tracemalloc pass) "
                + ", ".join(f"{m} {v:.1f} MB" for m, v in res["python_peak_per_query_mb"].items())
            ),
            (
                f"load average {res['load_before']} -> {res['load_after']}; first (cold) query "
                f"{res['first_query_ms']:.0f} ms; {res['queries']} questions x {res['rounds']} rounds"
            ),
            f"{'measure':28s} {'p50 ms':>8s} {'p95 ms':>8s} {'max ms':>8s} {'cpu p50':>8s}",
        ]
        for key, label in MEASURES:
            if key in res["wall"]:
                w = res["wall"][key]
                lines.append(f"{label:28s} {_ms(w['p50'])} {_ms(w['p95'])} {_ms(w['max'])} {_ms(res['cpu_p50'][key])}")
        w = res["wall"]
        parts = w["embed"]["p50"] + w["bm25"]["p50"] + w["chroma"]["p50"]
        lines.append(
            f"ratios (p50): hybrid / embed_query {w['hybrid']['p50'] / w['embed']['p50']:.2f}x, "
            f"hybrid / (embed + bm25 + chroma) {w['hybrid']['p50'] / parts:.2f}x"
            + (f", answer / hybrid {w['ask']['p50'] / w['hybrid']['p50']:.2f}x" if "ask" in w else "")
        )
    verdicts = []
    for (measure, size), limit in TARGETS.items():
        if size in results and measure in results[size]["wall"]:
            p95 = results[size]["wall"][measure]["p95"]
            verdicts.append(
                (
                    f"{'retrieval' if measure == 'hybrid' else 'answer'} p95 @ {size:,}",
                    p95,
                    limit,
                    "PASS" if p95 <= limit else "FAIL",
                )
            )
    lines += ["", f"{'target':28s} {'p95 ms':>8s} {'limit':>8s}  result"]
    lines += [f"{name:28s} {_ms(p95)} {_ms(limit)}  {verdict}" for name, p95, limit, verdict in verdicts]
    return "\n".join(lines), verdicts


@click.command("retrieval")
@click.option("--sizes", default="10000,100000", show_default=True, help="Corpus sizes in chunks, comma-separated.")
@click.option(
    "--queries",
    "n_queries",
    type=click.IntRange(1),
    default=50,
    show_default=True,
    help=f"How many of the {len(QUERIES)} fixed questions.",
)
@click.option("--rounds", type=click.IntRange(1), default=2, show_default=True, help="Passes over the questions.")
@click.option(
    "--answer-sizes",
    default="10000",
    show_default=True,
    help="Sizes at which the full answer (ask) is timed too; 'all' for every size.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Synthetic corpus seed.")
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the temporary stores go (default: the system temp dir).",
)
@click.option("--keep", is_flag=True, help="Keep the stores after the run.")
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write every figure (and the raw samples) as JSON.",
)
def retrieval(sizes, n_queries, rounds, answer_sizes, seed, workdir, keep, json_path):
    """Retrieval and answer latency (p50/p95/max), memory and build times at 10k/100k synthetic chunks.

    Text is recombined from the shipped corpus; stored vectors are synthetic (mixes of
    real e5 sentence vectors); queries are embedded with the real model. Exit code 1
    when a target is missed.
    """
    size_list = [int(s.replace("_", "")) for s in sizes.split(",") if s.strip()]
    answer_at = (
        set(size_list)
        if answer_sizes.strip() == "all"
        else {int(s.replace("_", "")) for s in answer_sizes.split(",") if s.strip()}
    )
    from evals.provenance import SOURCE_ROOT, git_commit

    settings = _bench_settings()
    commit = git_commit(SOURCE_ROOT)
    click.echo(
        f"datalessen bench retrieval: sizes {size_list}, {n_queries} questions x {rounds} rounds, "
        f"{os.cpu_count()} cores, load average {load_average()}, torch threads "
        f"{settings.torch_threads or 'default'}, commit {commit or '?'}, model {settings.embedding_model}"
    )
    root = Path(tempfile.mkdtemp(prefix="datalessen-bench-", dir=workdir))
    cache_dir = settings.home / "bench-cache"
    builds, results = {}, {}
    try:
        for size in size_list:
            store_home = root / f"store-{size}"
            click.echo(f"[{size:,}] building the synthetic store in {store_home} ...")
            builds[size] = _child(
                "build", {"size": size, "store_home": str(store_home), "seed": seed, "cache_dir": str(cache_dir)}
            )
            click.echo(f"[{size:,}] built in {builds[size]['upsert_seconds']:.0f} s; measuring ...")
            results[size] = _child(
                "measure",
                {
                    "size": size,
                    "store_home": str(store_home),
                    "n_queries": n_queries,
                    "rounds": rounds,
                    "answer": size in answer_at,
                },
            )
            if not keep:
                shutil.rmtree(store_home, ignore_errors=True)
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    text, verdicts = report(builds, results)
    click.echo(text)
    if json_path:
        json_path.write_text(
            json.dumps(
                {
                    "builds": builds,
                    "results": results,
                    "date": time.strftime("%Y-%m-%d %H:%M"),
                    "cores": os.cpu_count(),
                    "commit": commit,
                    "torch_threads": settings.torch_threads,
                },
                indent=1,
            )
        )
    if any(v[3] == "FAIL" for v in verdicts):
        sys.exit(1)


def _main(argv: list[str]) -> None:
    from assistant.settings import quiet_offline_environment

    quiet_offline_environment()
    phase, args = argv[0], json.loads(argv[1])
    result = build_phase(**args) if phase == "build" else measure_phase(**args)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    _main(sys.argv[1:])
