"""Saved conversations in the app's database: per user, in order, with the whole Answer back."""

from __future__ import annotations

import pytest

from assistant.schema import Answer, Citation, Passage
from ui.conversations import ConversationStore, answer_from_json, answer_to_json
from ui.database import Database


def _answer(question: str, text: str = "„Doel: voorspellen welke rijroutes zinvol zijn.” [1]") -> Answer:
    passage = Passage(
        chunk_id="c1",
        doc_id="d1",
        text="- Doel: voorspellen welke rijroutes zinvol zijn.",
        title="Case: Slim vegen",
        section="Case: Slim vegen > Aanpak en data",
        page_start=3,
        page_end=4,
        source="/tmp/slim-vegen.pdf",
        metadata={"gemeente": "Utrecht", "position": 2},
        score=0.5,
        ranks={"bm25": 1},
    )
    citation = Citation(
        n=1,
        chunk_id="c1",
        doc_id="d1",
        title="Case: Slim vegen",
        section="Aanpak en data",
        page="p. 3-4",
        quote="Doel: voorspellen welke rijroutes zinvol zijn.",
        score=0.5,
        source="/tmp/slim-vegen.pdf",
        passage_text=passage.text,
        quotes=["Doel: voorspellen welke rijroutes zinvol zijn."],
    )
    return Answer(question=question, text=text, citations=[citation], passages=[passage], standalone_question=question)


@pytest.fixture
def store(tmp_path) -> ConversationStore:
    return ConversationStore(Database(f"sqlite:///{tmp_path / 'db.sqlite'}"))


def test_answer_survives_json():
    answer = _answer("Wat is het doel?")
    again = answer_from_json(answer_to_json(answer))
    assert again == answer
    assert isinstance(again.citations[0], Citation) and again.passages[0].page_label == "p. 3-4"
    # a stored answer from an older version with a field that no longer exists still opens
    assert answer_from_json('{"question": "q", "text": "t", "verdwenen_veld": 1}').text == "t"


def test_turns_in_order_per_user(store):
    cid = store.create("anna", "Wat is het doel van slim vegen in Utrecht?")
    assert store.add_turn(cid, "anna", "Wat is het doel van slim vegen in Utrecht?", _answer("eerste")) == 1
    assert store.add_turn(cid, "anna", "En welke risico's?", _answer("tweede", "iets over een datalek")) == 2
    turns = store.turns(cid, "anna")
    assert [q for q, _ in turns] == ["Wat is het doel van slim vegen in Utrecht?", "En welke risico's?"]
    assert turns[1][1].text == "iets over een datalek" and turns[0][1].citations[0].page == "p. 3-4"
    # another user neither reads, extends, renames nor deletes it
    assert store.turns(cid, "bob") is None and store.get(cid, "bob") is None
    with pytest.raises(KeyError):
        store.add_turn(cid, "bob", "vraag", _answer("x"))
    assert not store.rename(cid, "bob", "gekaapt") and not store.delete(cid, "bob")
    assert store.list("bob") == []
    (summary,) = store.list("anna")
    assert (summary.title, summary.turns) == ("Wat is het doel van slim vegen in Utrecht?", 2)
    assert len(summary.date) == 16


def test_list_search_rename_delete(store):
    first = store.create("", "Welke succesfactoren noemt het rapport?")
    store.add_turn(first, "", "Welke succesfactoren noemt het rapport?", _answer("a", "zeer vaardige projectleiders"))
    second = store.create("", "Wat doet Zaanstad tegen ondermijning?")
    store.add_turn(second, "", "Wat doet Zaanstad tegen ondermijning?", _answer("b", "een data-applicatie"))
    assert [c.id for c in store.list("")] == [second, first]  # most recently used first
    assert store.latest_id("") == second and store.latest_id("bob") is None
    assert store.owns(first, "") and not store.owns(first, "bob") and not store.owns("", "")
    assert [c.id for c in store.list("", search="ZAANSTAD")] == [second]  # the title, any case
    assert [c.id for c in store.list("", search="projectleiders")] == [first]  # the answers too
    assert store.list("", search="100%") == []  # LIKE wildcards are taken literally
    store.add_turn(first, "", "En bij Utrecht?", _answer("c"))
    assert [c.id for c in store.list("")] == [first, second] and store.latest_id("") == first
    assert store.rename(first, "", "  Succesfactoren   rapport ")
    assert store.get(first, "").title == "Succesfactoren rapport"
    with pytest.raises(ValueError):
        store.rename(first, "", "   ")
    assert store.delete(first, "")
    assert store.turns(first, "") is None and [c.id for c in store.list("")] == [second]


def test_two_stores_on_one_file_see_each_other(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    one, two = ConversationStore(Database(url)), ConversationStore(Database(url))
    cid = one.create("anna", "vraag")
    one.add_turn(cid, "anna", "vraag", _answer("vraag"))
    assert two.turns(cid, "anna")[0][0] == "vraag"
