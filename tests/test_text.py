"""How a text becomes search terms: diacritics folded, compounds with their parts, stop words and URLs out.

`fold` and `tokenize` are on every question's path (a store of 100,000 chunks tokenises every sentence of the
passages a question retrieves), so they take short cuts; these tests hold the short cuts to the plain
definitions, over the shipped corpus and over text of other scripts."""

from __future__ import annotations

import random
import unicodedata

from assistant.text import STOPWORDS, fold, stem, tokenize
from tests.conftest import PROJECT_ROOT


def plain_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def plain_tokenize(text: str) -> list[str]:
    import re

    tokens = []
    for word in re.findall(r"[\w]+(?:[-'][\w]+)*", plain_fold(re.sub(r"https?://\S+|www\.\S+", " ", text))):
        for part in [word] + (word.split("-") if "-" in word else []):
            part = part.strip("'")
            if (len(part) < 2 and not part.isdigit()) or part in STOPWORDS:
                continue
            tokens.append(stem(part))
    return tokens


def test_what_a_searcher_takes_for_the_same_word():
    assert fold("Eén ideeën, café, naïef, Ĳsselmeer") == "een ideeen, cafe, naief, ijsselmeer"
    assert fold("ﬁnanciën") == "financien"  # a ligature from a PDF reads as its letters
    assert fold("Ωμέγα 中文") == "ωμεγα 中文"  # other scripts keep their letters, lose only the marks
    compound = [stem(w) for w in ("wmo-voorspelmodel", "wmo", "voorspelmodel")]
    assert tokenize("De gemeente heeft één Wmo-voorspelmodel") == [stem("gemeente"), *compound]
    assert tokenize("zie https://www.utrecht.nl/slim-vegen en www.x.nl") == [stem("zie")]
    assert tokenize("a b 7 's-Hertogenbosch") == ["7", *map(stem, ["s-hertogenbosch", "hertogenbosch"])]


def test_the_short_cuts_give_what_the_plain_definitions_give():
    texts = [f.read_text(encoding="utf-8") for f in sorted((PROJECT_ROOT / "corpus" / "documenten").glob("*.md"))]
    texts += [line for text in texts for line in text.splitlines()]
    rnd = random.Random(7)
    alphabet = list("aeéëïöüçñ ÉĲĳ'-–„”«»ßﬁΩαβ中文😀1234-'") + ["e\u0301", "a\u0308", "\u0327c", "co-op", "www.y.nl/a"]
    texts += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 60))) for _ in range(3000)]
    for text in texts:
        assert fold(text) == plain_fold(text), text[:80]
        assert tokenize(text) == plain_tokenize(text), text[:80]
