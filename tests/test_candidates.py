"""The candidate sentences of a passage are kept between questions (`sentence_features._QuotableSentences`):
what is kept must never outlive what it was made from: a document ingested anew, or another corpus profile."""

from __future__ import annotations

from assistant.profile import EMPTY, CorpusProfile
from assistant.schema import Passage
from assistant.sentence_features import candidates

TEXT = "Het datateam telt zeven medewerkers sinds de start in 2021.\nZie het jaarverslag voor de volledige lijst van projecten."


def sentences(passage: Passage, profile: CorpusProfile = EMPTY) -> list[str]:
    return [c.sentence for c in candidates([passage], profile)]


def test_a_passage_asked_again_after_its_document_changed_gives_the_new_sentences():
    before = Passage("chunk-1", "doc", TEXT)
    assert sentences(before)[0] == "Het datateam telt zeven medewerkers sinds de start in 2021."
    after = Passage("chunk-1", "doc", TEXT.replace("zeven", "negen"))  # same chunk id, new text
    assert sentences(after)[0] == "Het datateam telt negen medewerkers sinds de start in 2021."


def test_each_profile_gets_its_own_reading_of_the_same_passage():
    passage = Passage("chunk-2", "doc", TEXT)
    pointing = CorpusProfile(pointer_openers=("zie",))
    assert len(sentences(passage)) == 2
    assert sentences(passage, pointing) == ["Het datateam telt zeven medewerkers sinds de start in 2021."]
    assert len(sentences(passage)) == 2  # and the empty profile's reading is not overwritten by it


def test_a_sentence_two_passages_share_is_a_candidate_once_with_orders_per_passage():
    first = Passage("a", "doc", TEXT)
    second = Passage("b", "doc", "Een tweede zin over het datateam en de projecten.\n" + TEXT.split("\n")[0])
    found = candidates([first, second], EMPTY)
    assert [(c.passage_index, c.order) for c in found] == [(0, 0), (0, 1), (1, 0)]


def test_word_families_found_through_buckets_are_those_of_asking_every_word():
    """A question's word families are looked up in buckets (`family_keys`), not by asking `related` of
    every word of its candidates; a word missed there would silently drop a match from every answer."""
    from pathlib import Path

    from assistant.sentence_features import _Families
    from assistant.text import related, tokenize

    corpus = Path(__file__).resolve().parents[1] / "corpus" / "documenten"
    # one pair for each of related's rules (prefix, first seven letters, last six, ge- + stem), as stems
    families_of_each_rule = ["onderzoek", "onderzoeker", "informatie", "informeren", "succesfactor", "kernfactor"]
    families_of_each_rule += ["gepresenteerd", "presentatie"]
    vocabulary = frozenset(families_of_each_rule).union(
        *(tokenize(f.read_text(encoding="utf-8")) for f in sorted(corpus.glob("*.md")))
    )
    terms = sorted(vocabulary)[::7] + families_of_each_rule
    assert len(vocabulary) > 2000
    families = _Families(terms, vocabulary)
    found = 0
    for term in terms:
        expected = frozenset(w for w in vocabulary if w != term and related(term, w))
        assert families.members[term] == expected, term
        found += bool(expected)
    assert found > 100  # the comparison is not between empty families
