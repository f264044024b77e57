"""What recent questions needed, kept for the next ones: one small thread-safe LRU for the library's caches
(query vectors, decoded sentence vectors, a passage's sentences and their term counts)."""

from __future__ import annotations

import threading
from collections import OrderedDict

from assistant.schema import Passage


class Recent:
    """The `size` most recently used items; `get` gives None for one not (or no longer) kept."""

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


def passage_key(p: Passage) -> tuple:
    """A chunk's id with what anything kept about it was made from: a file ingested anew keeps its chunk
    ids, and its new text then misses the cache instead of reading what was kept of the old one."""
    return (p.chunk_id, hash((p.text, p.section, p.title)))
