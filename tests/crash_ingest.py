"""An ingest slow enough to be killed at a chosen moment: run by test_ingest_crash.py in a subprocess.

    python -m tests.crash_ingest HOME PATH... [--batch N] [--delay S] [--stall-delete] [--chroma-url URL]

It prints one line per event and flushes, so the parent can SIGKILL it right after
a given one: `embedded <n texts>` after each embedding batch (then the batch is
upserted while the next one sleeps `--delay`), `deleting <n ids>` just before stale
chunks are deleted (with `--stall-delete` it then waits there for a minute), and
`done <json report>` at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from assistant.settings import Settings
from assistant.store import ChunkStore
from tests.fakes import HashEmbeddings


class SlowEmbeddings(HashEmbeddings):
    def __init__(self, delay: float):
        super().__init__()
        self.delay = delay

    def embed_documents(self, texts):
        time.sleep(self.delay)
        vectors = super().embed_documents(texts)
        print(f"embedded {len(texts)}", flush=True)
        return vectors


class AnnouncingStore(ChunkStore):
    stall = 0.0

    def delete_ids(self, ids):
        if ids:
            print(f"deleting {len(ids)}", flush=True)
            time.sleep(self.stall)
        super().delete_ids(ids)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("home", type=Path)
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--stall-delete", action="store_true")
    parser.add_argument("--chroma-url", default="")
    args = parser.parse_args(argv)

    from ingest import pipeline

    pipeline.EMBED_BATCH = args.batch
    settings = Settings(home=args.home, chroma_url=args.chroma_url)
    store = AnnouncingStore(settings)
    store.stall = 60.0 if args.stall_delete else 0.0
    report = pipeline.Ingestor(settings, store=store, embeddings=SlowEmbeddings(args.delay)).run(args.paths)
    print("done " + json.dumps({"embedded": report.embedded, "failed": report.failed}), flush=True)
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
