"""The shipped list of place names: what it leaves out, and that the library reads it."""

from __future__ import annotations

from assistant.answer_types import PLACE_NAMES, places_in
from evals.place_names import HEADER, names


def test_the_list_keeps_names_and_leaves_out_codes_and_places_named_like_a_dutch_word():
    cities = {
        "1": {
            "countrycode": "NL",
            "name": "Utrecht",
            "population": 360_000,
            "alternatenames": ["UTC", "Gemeente Utrecht", "ユトレヒト"],
        },
        "2": {"countrycode": "BE", "name": "Lessen", "population": 18_000, "alternatenames": []},
        "3": {"countrycode": "NL", "name": "Ede", "population": 115_000, "alternatenames": []},
        "4": {"countrycode": "DE", "name": "Kleve", "population": 50_000, "alternatenames": []},
    }
    assert names(cities, frozenset({"lessen", "ede"})) == ["Ede", "Gemeente Utrecht", "Utrecht"]


def test_the_shipped_list_is_the_one_the_library_reads():
    lines = PLACE_NAMES.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER.splitlines()[0] and len(lines) > 5_000
    assert places_in("Van Maastricht tot Groningen en Gent") == {"Maastricht", "Groningen", "Gent"}
