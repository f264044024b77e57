"""Saved conversations in the app's database: per user, in order, with the whole Answer back."""

from __future__ import annotations

import pytest

from assistant.schema import Answer, Citation, Passage
from ui.conversations import ConversationStore, Recorded, answer_from_json, answer_to_json
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


def test_an_answer_as_plain_data_is_what_asdict_gives_and_shares_nothing_with_it():
    from dataclasses import asdict

    answer = _answer("Wat is het doel?")
    answer.passages[0].metadata["tags"] = ["a", ("b", 1)]
    answer.warnings.append("let op")
    data = answer.to_dict()
    assert data == asdict(answer)
    data["passages"][0]["metadata"]["tags"][0] = "veranderd"
    data["citations"][0]["quotes"].append("erbij")
    data["warnings"].clear()
    assert answer.passages[0].metadata["tags"][0] == "a" and len(answer.citations[0].quotes) == 1 and answer.warnings


def test_turns_in_order_per_user(store):
    cid = store.record(None, "anna", "Wat is het doel van slim vegen in Utrecht?", _answer("eerste")).cid
    assert store.record(cid, "anna", "En welke risico's?", _answer("tweede", "iets over een datalek")).position == 2
    turns = store.turns(cid, "anna")
    assert [q for q, _ in turns] == ["Wat is het doel van slim vegen in Utrecht?", "En welke risico's?"]
    assert turns[1][1].text == "iets over een datalek" and turns[0][1].citations[0].page == "p. 3-4"
    # another user neither reads, extends, renames nor deletes it
    assert store.turns(cid, "bob") is None and store.get(cid, "bob") is None
    assert not store.rename(cid, "bob", "gekaapt") and not store.delete(cid, "bob")
    assert store.list("bob") == []
    (summary,) = store.list("anna")
    assert (summary.title, summary.turns) == ("Wat is het doel van slim vegen in Utrecht?", 2)
    assert len(summary.date) == 16


def test_list_search_rename_delete(store):
    first = store.record(None, "", "Welke succesfactoren noemt het rapport?", _answer("a", "zeer vaardige projectleiders")).cid
    second = store.record(None, "", "Wat doet Zaanstad tegen ondermijning?", _answer("b", "een data-applicatie")).cid
    assert [c.id for c in store.list("")] == [second, first]  # most recently used first
    assert [c.id for c in store.list("", search="ZAANSTAD")] == [second]  # the title, any case
    assert [c.id for c in store.list("", search="projectleiders")] == [first]  # the answers too
    assert store.list("", search="100%") == []  # LIKE wildcards are taken literally
    store.record(first, "", "En bij Utrecht?", _answer("c"))
    assert [c.id for c in store.list("")] == [first, second]
    assert store.rename(first, "", "  Succesfactoren   rapport ")
    assert store.get(first, "").title == "Succesfactoren rapport"
    with pytest.raises(ValueError):
        store.rename(first, "", "   ")
    assert store.delete(first, "")
    assert store.turns(first, "") is None and [c.id for c in store.list("")] == [second]


def test_two_stores_on_one_file_see_each_other(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    one, two = ConversationStore(Database(url)), ConversationStore(Database(url))
    cid = one.record(None, "anna", "vraag", _answer("vraag")).cid
    assert two.turns(cid, "anna")[0][0] == "vraag"


def test_record_appends_where_it_may_and_says_when_the_list_moves(store):
    """The chat's one call per answer: the turn lands in the asker's own conversation (or a new one), and the
    list is read again only when its order changed."""
    first = store.record(None, "anna", "Wat is het doel van slim vegen?", _answer("a"))
    assert first.moved and first.position == 1 and store.get(first.cid, "anna").title == "Wat is het doel van slim vegen?"
    again = store.record(first.cid, "anna", "En de risico's?", _answer("b"))
    assert again == Recorded(first.cid, 2, moved=False)  # already on top: the list keeps its order
    other = store.record("", "anna", "Wat doet Zaanstad?", _answer("c"))
    assert other.cid != first.cid and other.moved
    back = store.record(first.cid, "anna", "En in Utrecht?", _answer("d"))
    assert back == Recorded(first.cid, 3, moved=True)  # it was second: now it is on top
    assert [c.id for c in store.list("anna")] == [first.cid, other.cid]
    # bob's turn in anna's conversation starts bob's own; anna's stays as it was
    bobs = store.record(first.cid, "bob", "Mag ik meelezen?", _answer("e"))
    assert bobs.cid != first.cid and bobs.moved and bobs.position == 1
    asked = ["Wat is het doel van slim vegen?", "En de risico's?", "En in Utrecht?"]
    assert [q for q, _ in store.turns(first.cid, "anna")] == asked
    assert [c.id for c in store.list("bob")] == [bobs.cid]
    assert store.turns(first.cid, "anna")[2][1] == _answer("d")


def test_records_from_many_threads_and_two_stores_on_one_file(tmp_path):
    """Two answers saved at once (the app answers two at a time; two processes share one file) neither fail
    nor share a position."""
    import threading

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    stores = [ConversationStore(Database(url)), ConversationStore(Database(url))]
    cids = [stores[0].record(None, "", f"vraag {i}", _answer("x")).cid for i in range(4)]
    errors = []

    def asker(n: int) -> None:
        try:
            for j in range(15):
                stores[n % 2].record(cids[(n + j) % 4], "", f"vraag {n}.{j}", _answer("y"))
        except Exception as exc:  # noqa: BLE001 -- reported below
            errors.append(exc)

    threads = [threading.Thread(target=asker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    counts = {c.id: c.turns for c in stores[1].list("")}
    assert sorted(counts) == sorted(cids) and sum(counts.values()) == 4 + 6 * 15
    for cid in cids:
        assert len(stores[0].turns(cid, "")) == counts[cid]
