"""multilingual-e5-small as int8 through ONNX Runtime: the fast embedding path.

Ingest is bound by the fp32 model; on this project's 2-core machines the int8
path ingested 2.7x as many chunks per CPU-second (3.0x wall) and embedded a query
in a quarter of the time, with dense recall@5 within 0.01 of fp32 on the gold sets
(docs/benchmarks.md). It is built once, offline, from the fp32 sentence-transformers
folder (`e5_model.ensure_model`) into a folder beside it:

1. export the BERT encoder to ONNX with PyTorch's TorchScript exporter and eager
   attention, a graph whose attention ONNX Runtime's BERT fusions recognise (all 12
   layers here); the default dynamo exporter would need `onnxscript` besides `onnx`;
2. fuse it (`onnxruntime.transformers`: Attention, EmbedLayerNormalization,
   SkipLayerNormalization, BiasGelu): about 1.5x before any quantisation;
3. quantise the weights to int8 per output channel, activations at run time
   (dynamic), all but three feed-forward output projections (`FP32_LAYERS`):
   per-tensor weight scales gave cosine 0.985 to fp32 on the corpus chunks,
   per-channel 0.997, per-channel with those three in fp32 0.999;
4. check the result against the fp32 model on fixed Dutch sentences and refuse to
   finish below `MIN_COSINE`.

Like the fp32 build it works in a temporary folder and renames it into place with
the marker written last, so an interrupted build is rebuilt, never half used.
`E5Int8Embeddings` then reproduces what sentence-transformers does around the
model (prompt, truncation at 512 tokens, mean pooling, normalisation), so its
vectors stand in for the fp32 ones.
"""

from __future__ import annotations

import json
import logging
import shutil
import warnings
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.e5_model import atomic_folder

MARKER = "datalessen-e5-int8.json"  # written last: a folder without it is an interrupted build
MODEL_FILE = "model.onnx"
MAX_TOKENS = 512  # sentence-transformers' max_seq_length for e5
MIN_COSINE = 0.99  # per check text; measured 0.9985-0.9989; CLS pooling gives 0.88-0.90, swapped prefixes 0.93-0.98
QUANTISED_OPS = ["MatMul", "Attention", "EmbedLayerNormalization"]
# Kept fp32: the feed-forward output projections of these layers. Their input (GELU output) has
# outliers that one per-tensor activation scale cannot carry: quantising layer 4's alone took the
# mean cosine to fp32 over the corpus from 0.9992 to 0.9976 and the dense top-10 overlap with fp32
# from 0.94 to 0.89; keeping 0, 4 and 5 in fp32 gives 0.9990 and 0.93 for 7 % of the speed.
FP32_LAYERS = (0, 4, 5)

# The build's self-check: prefixed as in use, Dutch, short and long.
CHECK_TEXTS = (
    "query: Hoe plant de gemeente Utrecht de routes van de veegwagens?",
    "query: Welke succesfactoren noemt het rapport?",
    "passage: In Zaanstad staan veel woningen op houten palen die door paalrot kunnen verzakken.",
    "passage: De Dienst Gezondheid & Jeugd voorspelt welke jongeren zonder startkwalificatie van school gaan. "
    "Het model gebruikt gegevens over verzuim, schoolwissels en eerdere zorg, en de uitkomst gaat naar de "
    "leerplichtambtenaar, die zelf beslist of en hoe hij contact opneemt.",
)


def int8_folder(fp32_folder: Path, model_dir: Path) -> Path:
    return Path(model_dir) / f"{Path(fp32_folder).name}-int8"


def convertible(fp32_folder: Path) -> bool:
    """A local sentence-transformers folder of a BERT encoder with mean pooling: what `convert` can build from."""
    folder = Path(fp32_folder)
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        pooling = next(m for m in modules if m["type"].endswith("Pooling"))
        pooling_config = json.loads((folder / pooling["path"] / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, StopIteration, KeyError):
        return False
    return (
        config.get("model_type") == "bert"
        and (folder / "tokenizer.json").is_file()
        and bool(pooling_config.get("pooling_mode_mean_tokens"))
        and any(m["type"].endswith("Normalize") for m in modules)
    )


def ensure_int8_model(fp32_folder: Path, model_dir: Path) -> Path:
    """The int8 folder for `fp32_folder`, building it on first use (and again if the fp32 weights changed)."""
    target = int8_folder(fp32_folder, model_dir)
    # also the build beside the fp32 folder: a model named by its path (another data home's) comes with
    # that home's int8 build, which a read-only or small data home could not make again
    for folder in (target, int8_folder(fp32_folder, Path(fp32_folder).parent)):
        marker = folder / MARKER
        if marker.is_file() and json.loads(marker.read_text(encoding="utf-8")).get("source") == _source_id(fp32_folder):
            return folder
    return convert(fp32_folder, target)


def _source_id(fp32_folder: Path) -> dict:
    weights = Path(fp32_folder) / "model.safetensors"
    return {"folder": str(Path(fp32_folder).resolve()), "weights_bytes": weights.stat().st_size if weights.exists() else 0}


def convert(fp32_folder: Path, out_dir: Path) -> Path:
    """Export, fuse, quantise and check; atomic, so a crash leaves no half model."""
    import onnxruntime

    fp32_folder, out_dir = Path(fp32_folder), Path(out_dir)
    if not convertible(fp32_folder):
        raise ValueError(f"{fp32_folder}: not a BERT sentence-transformers folder with mean pooling (use fp32)")
    with atomic_folder(out_dir) as work:
        exported, fused = work / "exported.onnx", work / "fused.onnx"
        config = _export(fp32_folder, exported)
        fusions = _fuse(exported, fused, config)
        exported.unlink()
        _quantise(fused, work / MODEL_FILE)
        fused.unlink()
        shutil.copy(fp32_folder / "tokenizer.json", work / "tokenizer.json")
        cosines = _check(fp32_folder, work)
        if min(cosines) < MIN_COSINE:
            raise RuntimeError(
                f"the int8 model differs from fp32 (cosine {min(cosines):.4f} < {MIN_COSINE} on the check texts): "
                "set DATALESSEN_EMBEDDING_PRECISION=fp32"
            )
        marker = {
            "source": _source_id(fp32_folder),
            "onnxruntime": onnxruntime.__version__,
            "quantisation": {
                "weights": "int8 per channel",
                "activations": "dynamic uint8",
                "ops": QUANTISED_OPS,
                "fp32_ffn_output_layers": list(FP32_LAYERS),
            },
            "fusions": {k: v for k, v in fusions.items() if v},
            "check_cosines": [round(c, 5) for c in cosines],
        }
        (work / MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
    return out_dir


def _export(fp32_folder: Path, path: Path) -> dict:
    import torch
    from transformers import BertModel

    model = BertModel.from_pretrained(str(fp32_folder), attn_implementation="eager").eval()

    class Encoder(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    ids = torch.tensor([[0, 100, 200, 2], [0, 5, 2, 1]])
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and tracer notes
        torch.onnx.export(
            Encoder(model).eval(),
            (ids, mask, torch.zeros_like(ids)),
            str(path),
            dynamo=False,
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes={name: {0: "batch", 1: "tokens"} for name in [*names, "last_hidden_state"]},
            opset_version=17,
        )
    return {"heads": model.config.num_attention_heads, "hidden": model.config.hidden_size}


def _fuse(source: Path, target: Path, config: dict) -> dict:
    from onnxruntime.transformers.optimizer import optimize_model

    optimised = optimize_model(
        str(source), model_type="bert", num_heads=config["heads"], hidden_size=config["hidden"], opt_level=0
    )
    optimised.save_model_to_file(str(target))
    return optimised.get_fused_operator_statistics()


def _quantise(source: Path, target: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(source), load_external_data=False).graph
    kept = [f"/bert/encoder/layer.{layer}/output/dense/MatMul" for layer in FP32_LAYERS]
    missing = set(kept) - {node.name for node in graph.node}
    if missing:  # the exporter named them otherwise: quantising them would silently cost quality
        raise RuntimeError(f"nodes to keep in fp32 not found in the exported graph: {sorted(missing)}")
    logging.disable(logging.WARNING)  # "consider pre-processing": that is step 2, which it does not see
    try:
        quantize_dynamic(
            str(source),
            str(target),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=QUANTISED_OPS,
            nodes_to_exclude=kept,
            # the fused contrib ops carry no inferred output types; their outputs are all float
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    finally:
        logging.disable(logging.NOTSET)


def _check(fp32_folder: Path, int8_dir: Path) -> list[float]:
    """Cosine of each check text between the fp32 sentence-transformers model and the int8 folder."""
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(fp32_folder), device="cpu").encode(list(CHECK_TEXTS), normalize_embeddings=True)
    candidate = E5Int8Embeddings(int8_dir, query_prefix="", passage_prefix="").encode(list(CHECK_TEXTS), batch=False)
    return [float(c) for c in (reference * candidate).sum(axis=1)]


def session_options(threads: int):
    """One intra-op thread for queries (no pool, nothing spinning); `threads` (0 = one per core) for batches."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3
    return options


class E5Int8Embeddings(Embeddings):
    """A LangChain `Embeddings` over the int8 folder: `passage: ` for documents, `query: ` for queries.

    Two ONNX Runtime sessions over one model file: queries run on one intra-op thread
    (a ~20 ms query must not wait on threads fighting for a busy machine's cores), batches
    on `batch_threads` (0 = one per core); the batch session is opened on first use, so a
    process that only answers questions never holds it.

    Each text runs alone. Dynamic quantisation picks one activation scale per tensor, so
    in a padded batch a text's vector would depend on its neighbours (cosine 0.996-0.998 to
    the same text alone): ingest would not be reproducible. Alone costs less, too: no padding,
    27 against 17 chunks per CPU-second for batches of 32 on the corpus.
    """

    def __init__(self, folder: Path, *, query_prefix: str, passage_prefix: str, batch_threads: int = 0):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.folder = Path(folder)
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix
        self.batch_threads = batch_threads
        self._tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._ort = ort
        self.query_session = ort.InferenceSession(
            str(self.folder / MODEL_FILE), session_options(1), providers=["CPUExecutionProvider"]
        )
        self._batch_session = None

    @property
    def batch_session(self):
        if self._batch_session is None:
            self._batch_session = self._ort.InferenceSession(
                str(self.folder / MODEL_FILE), session_options(self.batch_threads), providers=["CPUExecutionProvider"]
            )
        return self._batch_session

    def embed_query(self, text: str) -> list[float]:
        return self.encode([self.query_prefix + text.replace("\n", " ")], batch=False)[0].tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode([self.passage_prefix + t.replace("\n", " ") for t in texts]).tolist()

    def encode(self, texts: list[str], batch: bool = True) -> np.ndarray:
        """Unit vectors for `texts` as given (prefixes included), as sentence-transformers makes them."""
        session = self.batch_session if batch else self.query_session
        return np.array([self._run(session, text) for text in texts], dtype=np.float32)

    def _run(self, session, text: str) -> np.ndarray:
        ids = np.array([self._tokenizer.encode(text).ids], dtype=np.int64)
        ones = np.ones_like(ids)
        hidden = session.run(None, {"input_ids": ids, "attention_mask": ones, "token_type_ids": np.zeros_like(ids)})[0]
        pooled = hidden[0].mean(axis=0)  # mean pooling: every token is real, nothing is padded
        return pooled / max(float(np.linalg.norm(pooled)), 1e-12)
