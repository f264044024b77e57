"""The app answers several sessions at once: tokenising from many threads gives the stems one thread gives."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

import snowballstemmer

from assistant.text import stem


def test_stemming_from_many_threads_gives_the_same_stems():
    stems = ["gemeente", "voorspel", "opschal", "wijk", "kademuur", "veegwagen", "fundering", "hond"]
    endings = ["", "en", "ingen", "elijk", "heden", "tjes", "s", "de", "te", "baar"]
    words = [f"{a}{b}{e}" for a, b, e in itertools.product(stems, stems, endings)] * 3
    one = snowballstemmer.stemmer("dutch")
    expected = [one.stemWord(w) for w in words]
    for _ in range(3):
        stem.cache_clear()  # every word stemmed anew, many at once
        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(stem, words, chunksize=1)) == expected
