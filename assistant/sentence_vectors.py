"""Sentence vectors packed into a chunk's metadata: int8 per vector with its own scale, base64 text.

The sentence ranker compares the question with each sentence of the retrieved passages (e5); embedding
them at question time took seconds, so they are embedded at ingest. Kept in the chunk's own metadata they
are written and deleted with it (no second index to keep in step, none of an index's memory), at 386
bytes a sentence; the int8 rounding moves a cosine by under 0.01, far below what separates sentences.
"""

from __future__ import annotations

import base64
import struct

import numpy as np

SENTENCE_VECTORS = "sentence_vectors"  # the metadata key
_HEADER = struct.Struct("<HH")  # sentences, dimensions


def encode_vectors(vectors) -> str:
    rows = np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1) if len(vectors) else np.zeros((0, 0), np.float32)
    scale = np.abs(rows).max(axis=1, initial=0.0) if rows.size else np.zeros(len(rows), np.float32)
    scale = np.where(scale > 0, scale, 1.0).astype(np.float16)
    quantised = np.round(rows / scale.astype(np.float32)[:, None] * 127).astype(np.int8)
    raw = _HEADER.pack(*rows.shape) + scale.tobytes() + quantised.tobytes()
    return base64.b64encode(raw).decode("ascii")


def decode_vectors(text: str) -> np.ndarray | None:
    """The vectors again, normalised; None for a missing or damaged value (the ranker then goes without)."""
    try:
        raw = base64.b64decode(text or "", validate=True)
        n, d = _HEADER.unpack_from(raw)
        scale = np.frombuffer(raw, np.float16, n, _HEADER.size).astype(np.float32)
        quantised = np.frombuffer(raw, np.int8, n * d, _HEADER.size + 2 * n).reshape(n, d).astype(np.float32)
    except (ValueError, struct.error, TypeError):
        return None
    vectors = quantised * scale[:, None] / 127
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)
