"""The learned sentence ranker: its stored weights, and how an answer is composed from its scores.

Composition and abstention are checked with hand-made weights (so a test says what it checks,
whatever the trained weights are); the shipped weights with realistic passages.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from assistant.extractive import MANY_WORD_BUDGET, WORD_BUDGET, ExtractiveAnswerer
from assistant.profile import EMPTY
from assistant.schema import Passage
from assistant.sentence_features import FEATURES, SIMILARITY_FEATURES
from assistant.sentence_ranker import ANSWERABLE_FEATURES, DEFAULT_MODEL, Logistic, RankerModel, load_model, question_summary
from assistant.settings import Settings
from assistant.text import tokenize
from evals.sets import SETS, UNSEEN

SETTINGS = Settings(min_dense_similarity=0.0, min_sentence_similarity=0.0)


def logistic(features, weights: dict, intercept: float = 0.0) -> Logistic:
    n = len(features)
    coef = np.asarray([weights.get(f, 0.0) for f in features])
    return Logistic(tuple(features), np.zeros(n), np.ones(n), coef, intercept)


def hand_made(answerable: bool, **weights) -> RankerModel:
    """Sentences scored by the given feature weights; 'does any sentence answer' fixed to yes or no."""
    ranker = {"coverage": 8.0, "cue_unknown": 0.0, **weights}
    bias = 5.0 if answerable else -5.0
    return RankerModel(
        {
            "similarity": logistic(FEATURES + SIMILARITY_FEATURES, ranker, -4.0),
            "lexical": logistic(FEATURES, ranker, -4.0),
        },
        {k: logistic(ANSWERABLE_FEATURES, {}, bias) for k in ("similarity", "lexical")},
        {"similarity": 0.5, "lexical": 0.5},
        {},
    )


def passages(*texts: str, title: str = "Slim vegen", section: str = "Aanpak") -> list[Passage]:
    return [Passage(chunk_id=f"c{i}", doc_id=f"d{i}", text=t, title=title, section=section) for i, t in enumerate(texts)]


def quotes(answer) -> list[str]:
    return re.findall(r"„([^”]*)”", answer.text)


def answerer(model: RankerModel) -> ExtractiveAnswerer:
    return ExtractiveAnswerer(SETTINGS, profile=EMPTY, model=model)


def test_the_shipped_weights_load_with_their_feature_list_and_data_hash():
    model = load_model(DEFAULT_MODEL)
    assert model.rankers["lexical"].features == FEATURES
    assert model.rankers["similarity"].features == FEATURES + SIMILARITY_FEATURES
    assert model.answerable["similarity"].features == ANSWERABLE_FEATURES
    assert re.fullmatch(r"[0-9a-f]{64}", model.training["data_sha256"])
    assert set(model.training["gold_sha256"]) >= {"questions", "heldout", "heldout2", "test", "test2"}
    assert {"real", "real-test", "real-test2"} <= set(model.training["sets"])  # both corpora teach it
    assert not {s.name for s in SETS if s.role == UNSEEN} & set(model.training["sets"])  # never the unseen sets
    assert all(0 < t < 1 for t in model.threshold.values())


def test_weights_for_other_features_are_refused(tmp_path):
    data = load_model(DEFAULT_MODEL).to_dict()
    data["rankers"]["lexical"]["features"] = data["rankers"]["lexical"]["features"][:-1]
    with pytest.raises(ValueError, match="retrain"):
        RankerModel.from_dict(data)


def test_abstention_reads_the_balanced_rankers_and_an_older_model_file_still_loads():
    model = load_model(DEFAULT_MODEL)
    assert set(model.abstention_rankers) == {"lexical", "similarity"}
    assert model.abstention_rankers["similarity"].features == FEATURES + SIMILARITY_FEATURES
    rows = np.random.default_rng(0).normal(size=(6, len(FEATURES)))
    similarity = np.random.default_rng(1).normal(size=(6, len(SIMILARITY_FEATURES)))
    quoted, _ = model.score(rows, similarity)
    assert not np.allclose(model.abstention_scores(rows, similarity), quoted), "two different rankers"
    again = RankerModel.from_dict(model.to_dict())
    assert np.allclose(again.abstention_scores(rows, similarity), model.abstention_scores(rows, similarity))
    older = model.to_dict()
    del older["abstention_rankers"]  # written before the balanced rankers: its answerable model read `score`
    old = RankerModel.from_dict(older)
    assert np.allclose(old.abstention_scores(rows, None), old.score(rows, None)[0])
    older["abstention_rankers"] = {k: dict(v) for k, v in model.to_dict()["abstention_rankers"].items()}
    older["abstention_rankers"]["lexical"]["features"] = older["abstention_rankers"]["lexical"]["features"][:-1]
    with pytest.raises(ValueError, match="retrain"):
        RankerModel.from_dict(older)


def test_the_answerable_model_sees_how_far_the_closest_sentence_of_the_asked_shape_lies_behind():
    """'Hoeveel kost ...?': sentences about the cost that name no amount are closest; the one with a number
    lies behind. That gap is what separates a question the documents leave out from one they answer."""
    rows = np.zeros((3, len(FEATURES)))
    similarity = np.zeros((3, len(SIMILARITY_FEATURES)))
    similarity[:, 0] = [0.91, 0.88, 0.84]
    gap = ANSWERABLE_FEATURES.index("typed_similarity_gap")

    def summary(type_match, sims=similarity):
        rows[:, FEATURES.index("type_match")] = type_match
        return question_summary(np.array([0.9, 0.5, 0.2]), rows, sims, np.zeros(3), False, 1.0)[gap]

    assert summary([0, 0, 1]) == pytest.approx(0.84 - 0.91)  # only the farthest gives a number
    assert summary([1, 0, 1]) == pytest.approx(0.0)  # the closest one does
    assert summary([0, 0, 0]) == pytest.approx(-0.2)  # none does
    assert summary([0.5, 0.5, 0.5]) == pytest.approx(0.0)  # a question that asks for no particular shape
    assert summary([0, 0, 1], None) == 0.0  # without sentence vectors nothing is known


def test_the_answerable_model_sees_whether_a_sentence_giving_the_asked_share_holds_the_rarest_term():
    """'Welk percentage van de 75-plussers ...?': a share of another group does not answer it. The features come
    from the answerer's own code; rarity is given (75-plussers rarest), so the test says what it checks."""
    rare = {"75-plusser": 4.0, "75": 3.0, "plusser": 3.0}
    shaped, terms = ANSWERABLE_FEATURES.index("shaped_rarest"), ANSWERABLE_FEATURES.index("question_terms")
    question = "Welk percentage van de 75-plussers had veel vertrouwen in de gemeente?"

    def summary(*texts):
        solver = ExtractiveAnswerer(SETTINGS, lambda term: rare.get(term, 1.0), profile=EMPTY, model=hand_made(True))
        _, cands, rows, _ = solver.describe(question, passages(*texts, title="Vertrouwen", section="Ouderen"))
        return question_summary(np.linspace(0.9, 0.1, len(cands)), rows, None, np.zeros(len(cands)), False, 1.0)

    other_group = summary(
        "Van de jongeren had 31% veel vertrouwen in de gemeente.",
        "Het vertrouwen van 75-plussers in de gemeente nam af.",
    )
    answered = summary(
        "Van de 75-plussers had 27% veel vertrouwen in de gemeente.",
        "Het vertrouwen van jongeren in de gemeente nam toe.",
    )
    assert other_group[shaped] < 0.5 < answered[shaped] == pytest.approx(1.0)
    assert other_group[terms] == answered[terms] >= 4  # percentag, 75-plusser, vertrouw, gemeente, ...


def test_what_a_sentence_covers_beyond_its_title_is_a_feature_and_the_answerable_model_reads_the_best_of_it():
    """In a protocol titled "Burgerpeiling" every sentence is about the Burgerpeiling: a sentence that only names
    it covers nothing of what is asked, one about the questionnaires and publication covers most of it. The
    rows come from the answerer's own code, with the words' rarity given so the test says what it checks."""
    rare = {tokenize("Burgerpeiling")[0]: 3.0}  # the other words weigh 1
    question = "Hoeveel vragenlijsten zijn minimaal nodig om de Burgerpeiling te publiceren?"
    solver = ExtractiveAnswerer(SETTINGS, lambda term: rare.get(term, 1.0), profile=EMPTY, model=hand_made(True))
    outside, best = FEATURES.index("coverage_outside"), ANSWERABLE_FEATURES.index("top3_outside")

    def described(*texts, title="Burgerpeiling Waar staat je gemeente"):
        _, cands, rows, _ = solver.describe(question, passages(*texts, title=title, section="Opzet onderzoek"))
        return {c.sentence: rows[i, outside] for i, c in enumerate(cands)}, rows

    values, rows = described(
        "De Burgerpeiling wordt elk jaar door veel gemeenten gehouden.",
        "Voor publicatie zijn minimaal 475 afgeronde vragenlijsten nodig.",
    )
    assert values["De Burgerpeiling wordt elk jaar door veel gemeenten gehouden."] == 0.0
    assert values["Voor publicatie zijn minimaal 475 afgeronde vragenlijsten nodig."] > 0.8
    # without the title the name is part of what is asked, and a sentence naming it covers some of it
    untitled, _ = described("De Burgerpeiling wordt elk jaar door veel gemeenten gehouden.", title="Protocol")
    assert 0.0 < untitled["De Burgerpeiling wordt elk jaar door veel gemeenten gehouden."] < 0.5
    # a title that holds every word of the question leaves nothing to tell its sentences apart by
    whole, _ = described("Een zin over iets anders.", title="Hoeveel vragenlijsten minimaal nodig Burgerpeiling publiceren")
    assert set(whole.values()) == {1.0}
    # nor does one that holds all but the words that say what kind of answer is asked ('wat *houdt* ... in')
    framed = passages("Een zin over iets anders.", title="Burgerpeiling")
    assert solver.describe("Wat houdt de Burgerpeiling in?", framed)[2][:, outside].tolist() == [1.0]

    def summary(scores):
        return question_summary(np.asarray(scores), rows, None, np.zeros(len(scores)), False, 1.0)[best]

    assert summary([0.9, 0.1]) == pytest.approx(rows[:, outside].max())  # both in the top three
    assert summary([0.9, 0.1]) > 0.8


def test_a_logistic_is_the_standardised_sigmoid_and_survives_json():
    model = Logistic(("a", "b"), np.array([1.0, 0.0]), np.array([2.0, 1.0]), np.array([1.0, -1.0]), 0.5)
    x = np.array([[3.0, 1.0]])
    assert model.probability(x)[0] == pytest.approx(1 / (1 + np.exp(-((3 - 1) / 2 * 1 - 1 + 0.5))))
    again = Logistic.from_dict(model.to_dict())
    assert again.probability(x)[0] == pytest.approx(model.probability(x)[0])


def test_the_answer_leads_with_the_most_likely_sentence_not_the_first_in_reading_order():
    answer = answerer(hand_made(True)).answer(
        "Welke rijroutes voorspelt het algoritme voor de veegwagens?",
        passages(
            "Utrecht werkt sinds 2018 aan schonere straten.",
            "De gemeente meldt dit in het register. Het algoritme voorspelt de rijroutes voor de veegwagens.",
        ),
    )
    assert not answer.abstained
    assert quotes(answer)[0] == "Het algoritme voorspelt de rijroutes voor de veegwagens."
    assert answer.text.split("\n")[1].endswith("[1]") and answer.citations[0].chunk_id == "c1"


def test_further_quotes_stay_within_the_word_budget_and_do_not_repeat():
    filler = [f"Over de veegwagens in wijk {i} staat het volgende in het verslag van dat jaar." for i in range(12)]
    answer = answerer(hand_made(True)).answer(
        "Wat doen de veegwagens?", passages(*filler, "Over de veegwagens staat het volgende.")
    )
    words = sum(len(q.split()) for q in quotes(answer))
    assert len(quotes(answer)) >= 2 and words <= WORD_BUDGET
    assert len(set(quotes(answer))) == len(quotes(answer))
    for c in answer.citations:
        for quote in c.quotes:
            assert quote in c.passage_text


@pytest.mark.parametrize(
    "question",
    ["Wat doen de veegwagens in de wijken, en wie rijdt ermee?", "Welke veegwagens rijden in de wijken?"],
)
def test_a_question_asking_several_things_or_a_list_may_quote_more(question):
    """One sentence rarely answers it all: a larger budget, while a single question keeps the short one."""
    facts = [
        "De veegwagens rijden in de wijken vooral op dinsdag en vrijdag, volgens het rooster van de gemeente.",
        "In de oudere wijken kiezen de chauffeurs van de veegwagens zelf een route langs smalle straten.",
        "Nieuwe veegwagens verbruiken minder brandstof en maken in de wijken veel minder lawaai dan vroeger.",
        "Bewoners van de wijken melden zwerfafval via een app, waarna de veegwagens sneller langskomen.",
        "Elke ochtend controleert een ploegleider of de veegwagens in alle wijken volgens planning zijn vertrokken.",
        "Bij gladheid worden de veegwagens uit de wijken gehaald en staan strooiwagens klaar voor de hoofdwegen.",
    ]
    single = answerer(hand_made(True)).answer("Wat doen de veegwagens in de wijken?", passages(*facts))
    several = answerer(hand_made(True)).answer(question, passages(*facts))
    assert sum(len(q.split()) for q in quotes(single)) <= WORD_BUDGET
    assert WORD_BUDGET < sum(len(q.split()) for q in quotes(several)) <= MANY_WORD_BUDGET
    assert len(quotes(several)) > SETTINGS.max_quotes  # and more quotes than a single question may have


def test_consecutive_quotes_of_one_passage_share_a_line_and_its_number():
    answer = answerer(hand_made(True)).answer(
        "Wat doen de veegwagens in Utrecht?",
        passages(
            "De veegwagens rijden in Utrecht elke ochtend. De veegwagens volgen in Utrecht een voorspelde route.",
            "Over de veegwagens in Utrecht is verder weinig bekend gemaakt.",
        ),
    )
    lines = answer.text.split("\n")[1:]
    assert len(quotes(answer)) == 3 and len(lines) == 2, answer.text
    assert re.fullmatch(r"- „[^”]+” „[^”]+” \[1\]", lines[0]) and re.fullmatch(r"- „[^”]+” \[2\]", lines[1])
    assert [len(c.quotes) for c in answer.citations] == [2, 1]  # each quote is still traced to its passage
    listed = answerer(hand_made(True)).answer(
        "Welke succesfactoren leidden tot resultaat, en wat moet het management projecten geven?",
        passages(
            "Het management moet projecten ruimte en budget geven.\nDeze succesfactoren leidden tot resultaat:\n"
            "vaardige projectleiders;\nmultidisciplinaire innovatieteams;"
        ),
    )
    assert listed.text.split("\n")[1:4] == [  # a lead-in opens its own line, its items below it
        "- „Het management moet projecten ruimte en budget geven.” [1]",
        "- „Deze succesfactoren leidden tot resultaat:” [1]",
        "  - „vaardige projectleiders;” [1]",
    ]


# a PDF or DOCX keeps its list's numbers as text
_NUMBERED = (
    "Uit de analyse komen verschillende factoren naar voren, in volgorde van belangrijkheid:\n"
    "1. Betrouwbaarheid: inwoners verwachten dat de gemeente doet wat ze belooft.\n"
    "2. Luisteren naar inwoners: inwoners willen dat hun stem wordt gehoord.\n"
    "3. Flexibele houding: de gemeente wijkt zo nodig af van standaardprocedures.\n"
    "Daarna volgt de waardering van de gemeente."
)


@pytest.mark.parametrize(
    "text, question",
    [
        (
            "Het onderzoek noemt deze succesfactoren:\n"
            "vaardige projectleiders;\nmultidisciplinaire innovatieteams;\nleren van de markt.\n"
            "Daarna volgen de thema's.",
            "Welke succesfactoren noemt het onderzoek, zoals projectleiders?",
        ),
        # a PDF or DOCX keeps its list's numbers as text, and the sentence splitter takes '2.' for a sentence:
        # the item was then no list item, and a quoted lead-in was followed by none of its items
        pytest.param(
            _NUMBERED,
            "Welke factoren zijn belangrijk, zoals betrouwbaarheid?",
            id="numbered as a PDF keeps it",
        ),
        # 'wat zijn de ...' asks for a list as 'welke' does, though its wh-word makes it a 'define' question
        pytest.param(
            _NUMBERED,
            "Wat zijn de drie pijlers, zoals betrouwbaarheid?",
            id="what are the three",
        ),
    ],
)
def test_a_list_question_quotes_the_list_a_chosen_item_belongs_to(text, question):
    answer = answerer(hand_made(True)).answer(question, passages(text))
    lead_in_and_items = text.split("\n")[:4]
    assert quotes(answer)[:4] == lead_in_and_items, answer.text
    assert f"  - „{lead_in_and_items[1]}”" in answer.text  # items indented under their lead-in
    for c in answer.citations:
        for quote in c.quotes:
            assert quote in c.passage_text


def test_a_quoted_list_counts_against_the_word_budget_and_crowds_out_further_sentences():
    """The list is the answer: sentences that bring no list are left out while the whole is over the budget
    (a list question quoted its list and then 220-280 words more)."""
    names = ["Betrouwbaarheid", "Luisteren", "Flexibiliteit", "Samenwerking", "Consequent zijn"]
    lead_in = "Deze factoren wegen volgens de peiling het zwaarst voor vertrouwen:"
    others = [f"Ook in wijk {i} wegen volgens de peiling andere factoren mee voor het vertrouwen." for i in range(6)]
    question = "Wat zijn de factoren die het zwaarst wegen voor vertrouwen?"
    for tail, most_others in (
        ("inwoners verwachten dat de gemeente op dit punt duidelijk en eerlijk handelt.", 2),
        (
            "inwoners verwachten van de gemeente dat zij op dit punt duidelijk, eerlijk en voorspelbaar handelt, ook "
            "wanneer de omstandigheden in de buurt snel veranderen en het vertrouwen onder druk staat.",
            0,  # the list alone is over the budget: kept whole, nothing more
        ),
    ):
        items = [f"{i}. {name}: {tail}" for i, name in enumerate(names, 1)]
        answer = answerer(hand_made(True)).answer(question, passages(lead_in + "\n" + "\n".join(items), *others))
        assert quotes(answer)[:6] == [lead_in, *items], answer.text  # the list whole, under its lead-in
        assert len(quotes(answer)) - 6 <= most_others, answer.text
        if most_others:
            assert sum(len(q.split()) for q in quotes(answer)) <= MANY_WORD_BUDGET, answer.text


# a list a heading announces: no sentence does, so without the heading as its lead-in only the items that
# scored were quoted (the Arnhem plan's "Nieuwe rollen ..." over seven roles, read as items since pdf7)
_ROLES = "Programma- en lijnmanagers\nProduct-eigenaar\nData-analist\nData-ontwikkelaar"


def test_a_list_its_heading_announces_is_quoted_whole_for_a_list_question():
    text = "##### Nieuwe rollen in de organisatie\n" + _ROLES + "\nDeze rollen worden hierna beschreven."
    answer = answerer(hand_made(True)).answer("Welke rollen zijn er, zoals de product-eigenaar?", passages(text))
    assert quotes(answer)[:4] == _ROLES.split("\n"), answer.text
    for item in _ROLES.split("\n")[1:]:
        assert f"  - „{item}” [1]" in answer.text.split("\n"), answer.text


@pytest.mark.parametrize(
    "question",
    [
        "Met wat voor rollen werkt de organisatie, zoals de product-eigenaar?",
        "Wie werken er allemaal in de organisatie, zoals de product-eigenaar?",
    ],
)
def test_a_question_after_which_kinds_or_all_of_them_gets_the_whole_list(question):
    """'Wat voor' asks which kinds, as 'welke' does, and 'allemaal' asks for every one: a list question."""
    text = "##### Nieuwe rollen in de organisatie\n" + _ROLES + "\nDeze rollen worden hierna beschreven."
    answer = answerer(hand_made(True)).answer(question, passages(text))
    for item in _ROLES.split("\n")[1:]:
        assert f"  - „{item}” [1]" in answer.text.split("\n"), answer.text


def test_long_lines_under_a_heading_are_no_announced_list():
    """Lines of over a sentence's worth of words are paragraphs, not a list of short items to quote whole."""
    text = "##### Rollen\n" + "\n".join(
        f"De {role.lower()} werkt elke week met de afdelingen aan de vragen die de raad en het college stellen over de stad."
        for role in _ROLES.split("\n")
    )
    answer = answerer(hand_made(True)).answer("Welke rollen zijn er, zoals de product-eigenaar?", passages(text))
    assert "  - „" not in answer.text, answer.text


# a DOCX or PDF bulleted list loses its bullets, and its lead-in often ends in a full stop, not a colon: the
# count it names ('6 belangrijke regels') and as many list-like lines below it make it a list
_COUNTED_RULES = "Bewaar gegevens niet langer dan nodig;\nVerzamel alleen wat nodig is;\nZorg dat niemand herkenbaar is"


@pytest.mark.parametrize(
    "text, question, lead_in",
    [
        (
            "Er gelden drie belangrijke regels.\n" + _COUNTED_RULES,
            "Welke regels gelden er, zoals bewaren?",
            "Er gelden drie belangrijke regels.",
        ),
        (
            "De peiling verzamelt geen herleidbare gegevens. Er zijn 3 belangrijke regels die gelden bij het verwerken van "
            "persoonsgegevens. Onderstaande regels zijn niet nieuw.\n" + _COUNTED_RULES,
            "Welke regels gelden bij het verwerken van persoonsgegevens?",
            "Er zijn 3 belangrijke regels die gelden bij het verwerken van persoonsgegevens.",
        ),
    ],
)
def test_a_list_announced_by_its_count_is_quoted_whole(text, question, lead_in):
    answer = answerer(hand_made(True)).answer(question, passages(text))
    assert lead_in in quotes(answer), answer.text
    for item in _COUNTED_RULES.split("\n"):
        assert f"  - „{item}” [1]" in answer.text.split("\n"), answer.text


@pytest.mark.parametrize(
    "text",
    [
        # the count does not match the lines below it
        "Het team had 4 medewerkers in dienst en begon in 2019. Het werkte twee jaar aan de regels.\n" + _COUNTED_RULES,
        # the line is itself one of a list's lines
        "Wie gegevens bewaart, volgt regels.\nEr gelden drie belangrijke regels.\n" + _COUNTED_RULES,
    ],
)
def test_a_number_above_short_lines_is_no_list_of_its_own(text):
    answer = answerer(hand_made(True)).answer("Hoeveel regels gelden er, en hoeveel medewerkers had het team?", passages(text))
    assert not [line for line in answer.text.split("\n") if line.startswith("  - ")], answer.text


@pytest.mark.parametrize(
    "question",
    [
        "Hoe lang bewaar je gegevens?",  # the lead-in and the first item score alike
        "Mag je gegevens langer bewaren dan nodig?",  # the item is the best sentence: the list takes its place
    ],
)
def test_a_chosen_sentence_that_is_an_item_of_a_quoted_list_is_quoted_in_its_place(question):
    # not a list question: one of the list's items is chosen on its own, its lead-in too
    text = "Bij het bewaren van gegevens gelden drie regels:\n" + _COUNTED_RULES
    answer = answerer(hand_made(True)).answer(question, passages(text))
    lines = answer.text.split("\n")
    assert lines[1] == "- „Bij het bewaren van gegevens gelden drie regels:” [1]", answer.text
    assert lines[2:] == [f"  - „{item}” [1]" for item in _COUNTED_RULES.split("\n")], answer.text


def test_a_long_list_item_is_quoted_by_its_title():
    long_item = (
        "Alleen de eerste twee thema's zijn zichtbaar:\n"
        "Een vaardige projectleider – " + "een vernieuwing komt pas tot een goed einde met iemand die het trekt " * 3 + "\n"
        "Ruimte en budget van het management."
    )
    answer = answerer(hand_made(True)).answer("Welke thema's zijn zichtbaar?", passages(long_item))
    assert "Een vaardige projectleider" in quotes(answer)


def test_an_abstention_quotes_only_the_sources_own_unknowns_so_it_never_contradicts_itself():
    model = hand_made(False, cue_unknown=3.0)
    answer = answerer(model).answer(
        "Welke gemeente bouwde het funderingsmodel?",
        passages(
            "Het funderingsmodel voorspelt welke panden een slechte fundering hebben.",
            "Welke gemeente het funderingsmodel bouwde, is niet bekend.",
        ),
    )
    assert answer.abstained
    assert answer.text.startswith("Dat staat niet in de beschikbare bronnen. Wat de bronnen er zelf over zeggen:")
    assert quotes(answer) == ["Welke gemeente het funderingsmodel bouwde, is niet bekend."]


NAMED_QUESTION = "Welke gemeente bouwde het funderingsmodel?"
NAMED_UNKNOWN = "Platform31 noemt het funderingsmodel als case, maar geen bron noemt de gemeente."
ABOUT_THE_MODEL = (
    "Het funderingsmodel voorspelt welke panden een slechte fundering hebben.",
    "Het funderingsmodel gebruikt gegevens uit het kadaster.",
    "Het funderingsmodel draaide in 2019 voor het eerst.",
)


def test_an_abstention_quotes_a_not_known_that_names_what_is_asked_wherever_it_ranks():
    """Ranked below the three best (the ranker weighs "not known" down), the source's own statement that the
    gemeente is not named is what an abstention quotes, not the closest passages; a "not known" about something
    else, a table row whose "onbekend" is about one of its cells, an item under a "not known" heading and a "not
    known" that shares little more than the noun with the question are not."""
    model = hand_made(False, cue_unknown=-10.0, unknown_section=-10.0)
    answer = answerer(model).answer(NAMED_QUESTION, passages(*ABOUT_THE_MODEL, NAMED_UNKNOWN))
    assert answer.abstained
    assert answer.text.startswith("Dat staat niet in de beschikbare bronnen. Wat de bronnen er zelf over zeggen:")
    assert quotes(answer) == [NAMED_UNKNOWN]
    for text, section in (
        ("Geen bron noemt de kosten van het funderingsmodel.", "Aanpak"),
        ("| Funderingsmodel | onbekend | gemeente Zaanstad |", "Aanpak"),
        ("welke gemeente het funderingsmodel bouwde, is niet bekend;", "Wat niet bekend is"),
    ):
        last = Passage(chunk_id="c9", doc_id="d9", text=text, title="Slim vegen", section=section)
        other = answerer(model).answer(NAMED_QUESTION, [*passages(*ABOUT_THE_MODEL), last])
        assert other.abstained and other.text.startswith("Dat staat niet in de beschikbare bronnen. De passages"), text
    # under half of what the best sentence covers (it holds every word of the question): about something else
    about = passages(*ABOUT_THE_MODEL, "De gemeente bouwde het funderingsmodel met een extern bureau.")
    low = Passage(chunk_id="c9", doc_id="d9", text="Welke gemeente de subsidie gaf, is niet bekend.", title="Slim vegen")
    other = answerer(model).answer(NAMED_QUESTION, [*about, low])
    assert other.abstained and other.text.startswith("Dat staat niet in de beschikbare bronnen. De passages")


def test_without_an_unknown_an_abstention_shows_the_closest_passages():
    answer = answerer(hand_made(False)).answer("Wie won de Tour?", passages("De Tour de France startte in 2015 in Utrecht."))
    assert answer.abstained and answer.text.startswith("Dat staat niet in de beschikbare bronnen. De passages")
    assert answer.citations and answer.citations[0].chunk_id == "c0"


def test_a_long_question_whose_answer_shares_few_of_its_words_is_answered_when_the_model_says_so():
    """No floor on how much of the question a sentence repeats: a long question's answer covers little of it
    (here one word in thirteen), and such a floor refused more answerable questions than unanswerable ones."""
    question = (
        "Hoe werkt het huishoudboekje in de praktijk voor deelnemers met flinke schulden, "
        "en wie betaalt uiteindelijk de begeleiding door vrijwilligers van de wijkteams in Utrecht?"
    )
    answer = answerer(hand_made(True)).answer(question, passages("Het huishoudboekje staat open voor iedereen."))
    assert not answer.abstained, answer.text
    assert quotes(answer) == ["Het huishoudboekje staat open voor iedereen."]
    refused = answerer(hand_made(False)).answer(question, passages("Het huishoudboekje staat open voor iedereen."))
    assert refused.abstained  # the answerable model still decides


def test_a_dutch_question_in_words_the_corpus_never_uses_is_off_topic():
    bot = ExtractiveAnswerer(
        SETTINGS, known_term=lambda term, family=True: term == "utrecht", profile=EMPTY, model=hand_made(True)
    )
    answer = bot.answer("Hoe lang moet een zacht ei koken in Utrecht?", passages("Utrecht kookt een ei zacht in zes minuten."))
    assert answer.abstained


def test_one_short_document_lacks_words_enough_to_call_a_question_about_something_else():
    """A store of one short document uses a few hundred terms: a question about it in other words is not
    off-topic there, while over a corpus with a large vocabulary the same share of unknown words is."""
    question = "Welke les trekt Kampen uit de metingen?"
    found = passages("Een les uit Kampen: deel de meetgegevens elke ochtend met de waterschappen.")

    def answer(vocabulary: int):
        bot = ExtractiveAnswerer(
            SETTINGS,
            known_term=lambda term, family=True: term == "kamp",
            vocabulary_size=lambda: vocabulary,
            profile=EMPTY,
            model=hand_made(True),
        )
        return bot.answer(question, found)

    small, large = answer(300), answer(SETTINGS.off_topic_min_vocabulary)
    assert not small.abstained and "waterschappen" in small.text
    assert large.abstained and large.abstention_reason == "off_topic"


def test_the_trained_ranker_puts_the_goal_first_when_asked_for_the_goal():
    """The shipped weights on a case's own sentences (no sentence vectors: the lexical ranker)."""
    bot = ExtractiveAnswerer(SETTINGS, profile=EMPTY)
    ranking = bot.rank(
        "Wat is het doel van slim vegen in Utrecht?",
        passages(
            "Parell noemt Slim vegen als eerste van vijf voorbeeldcases.\n"
            "Doel: voorspellen welke rijroutes voor de veegwagens het meest zinvol zijn.\n"
            "Medewerkers kunnen van de voorgestelde route afwijken.",
            "Slim vegen hoorde met twee andere cases tot de best scorende.",
            title="Case: Slim vegen – gemeente Utrecht",
            section="Case: Slim vegen – gemeente Utrecht > Aanpak en data",
        ),
    )
    assert ranking.candidates[0].sentence.startswith("Doel: voorspellen welke rijroutes")


def test_a_footnote_reference_in_a_source_never_reads_as_a_citation():
    answer = answerer(hand_made(True)).answer(
        "Hoe stabiel bleef het vertrouwen in de gemeente?",
        passages("Tot de pandemie bleef het vertrouwen in de gemeente stabiel op 18%[3]. Daarna steeg het aandeel."),
    )
    assert "„Tot de pandemie bleef het vertrouwen in de gemeente stabiel op 18%” [1]" in answer.text
    assert "[3]" not in answer.text


def test_the_features_do_not_move_when_every_word_becomes_rarer():
    """Unrelated documents joining the store make every corpus word rarer by about the same factor.
    The features must not move with it, or the learned weights stop meaning what they meant (the
    absolute matched weight per word once shifted answers and abstentions under distractors)."""
    from assistant.sentence_features import QuestionView, candidates, feature_matrix

    passages = [
        Passage(
            "c1",
            "kampen",
            "De gemeente Kampen meet het waterpeil van de IJssel met zeven boeien langs de kade. "
            "Een les uit Kampen: deel de meetgegevens elke ochtend met de waterschappen.",
            title="Waterpeil Kampen",
            section="Meten",
            score=0.03,
            ranks={"bm25": 1, "dense": 2, "bm25_score": 7.5, "dense_score": 0.84},
        ),
        Passage(
            "c2",
            "zwolle",
            "Zwolle bewaakt de kademuren met trillingssensoren sinds 2019.",
            title="Kademuren Zwolle",
            section="Meten",
            score=0.02,
            ranks={"bm25": 2, "dense": 1, "bm25_score": 3.1, "dense_score": 0.85},
        ),
    ]
    rarity = {"boei": 4.0, "waterpeil": 3.0, "kampen": 2.5, "meet": 0.7}

    def rows(scale: float) -> np.ndarray:
        def weight(term: str) -> float:
            return scale * next((w for stem, w in rarity.items() if term.startswith(stem)), 1.0)

        view = QuestionView.of("Met hoeveel boeien meet Kampen het waterpeil?", "", EMPTY, weight, lambda t, family=True: True)
        return feature_matrix(view, candidates(passages, EMPTY), passages, EMPTY)

    plain, rarer = rows(1.0), rows(3.0)
    assert plain.shape[0] >= 3 and plain[:, FEATURES.index("coverage")].max() > 0
    np.testing.assert_allclose(rarer, plain, rtol=1e-5, atol=1e-6)


def test_a_which_question_asking_for_several_prefers_a_sentence_that_lists_them():
    """'list_enumerates' is 1 for a sentence listing three or more things when the question asks 'welke ...',
    0 for one that does not, and 0.5 (no such question) for every sentence of another question."""
    from assistant.sentence_features import QuestionView, candidates, feature_matrix

    texts = [
        "Buren helpen het vaakst met een oogje in het zeil, boodschappen, vervoer of kleine klusjes.",
        "Burenhulp neemt toe in kleine gemeenten sinds de pandemie.",
    ]
    found = passages(*texts, title="Burenhulp", section="Vormen")
    column = FEATURES.index("list_enumerates")

    def values(question: str) -> list[float]:
        view = QuestionView.of(question, "", EMPTY, lambda t: 1.0, lambda t, family=True: True)
        cands = candidates(found, EMPTY)
        assert [c.sentence for c in cands] == texts
        return list(feature_matrix(view, cands, found, EMPTY)[:, column])

    assert values("Bij welke vormen van burenhulp helpen buren het meest?") == [1.0, 0.0]
    assert values("Waarom neemt burenhulp toe?") == [0.5, 0.5]


def test_a_sentence_that_is_itself_a_question_is_marked():
    """'asks' is 1 for a source's own question (a heading such as 'Wat is een datateam?', a survey item),
    which shares the user's words but answers nothing, and 0 for the sentence after it."""
    from assistant.sentence_features import QuestionView, candidates, feature_matrix

    texts = ["Wat is een datateam?", "Een datateam is een groep analisten die dashboards bouwt.", "Klopt dat (toch?)"]
    found = passages(*texts, title="Datateam", section="Rollen")
    view = QuestionView.of("Wat is een datateam?", "", EMPTY, lambda t: 1.0, lambda t, family=True: True)
    cands = candidates(found, EMPTY)
    assert [c.sentence for c in cands] == texts
    assert list(feature_matrix(view, cands, found, EMPTY)[:, FEATURES.index("asks")]) == [1.0, 0.0, 1.0]


def test_a_sentence_knows_how_well_its_neighbours_match_the_question():
    """An answer often continues the sentence that holds the question's words ('... nieuwe rollen
    ontstaan. Zoals die van product-eigenaar, ...'): 'previous_relative' and 'next_relative' carry the
    neighbours' relative coverage, within one passage only."""
    from assistant.sentence_features import QuestionView, candidates, feature_matrix

    found = [
        Passage(
            chunk_id="c0",
            doc_id="d0",
            text=(
                "Bij de bouw van het datateam zijn nieuwe rollen ontstaan. "
                "Zoals die van product-eigenaar, data-analist en data-ontwikkelaar."
            ),
            title="Plan",
            section="Aanpak",
        ),
        Passage(chunk_id="c1", doc_id="d1", text="Het weer was wisselend in de zomer.", title="Weer", section="Zomer"),
    ]
    view = QuestionView.of("Welke nieuwe rollen zijn ontstaan?", "", EMPTY, lambda t: 1.0, lambda t, family=True: True)
    cands = candidates(found, EMPTY)
    rows = feature_matrix(view, cands, found, EMPTY)
    previous, following = rows[:, FEATURES.index("previous_relative")], rows[:, FEATURES.index("next_relative")]
    assert [c.passage_index for c in cands] == [0, 0, 1]
    assert previous[0] == 0.0 and previous[1] == 1.0  # the list follows the best-matching sentence
    assert following[0] == rows[1, FEATURES.index("coverage_relative")] < 1.0
    assert previous[2] == 0.0 and following[1] == 0.0  # another passage is no neighbour


def test_a_follow_up_s_own_words_outweigh_the_subject_it_carries():
    """'Wie bouwde het?' after a question about a model: the sentence that answers the earlier question
    shares the carried subject's words, the one that answers this one only the user's own. Read as one
    long question, the earlier answer covered four times as much and was quoted again."""
    from assistant.conversation import condense
    from assistant.sentence_features import QuestionView, candidates, feature_matrix

    earlier = "Welke gegevens gebruikt het voorspelmodel voor schooluitval?"
    question = "Wie bouwde het?"
    standalone = condense(question, [earlier])
    assert "schooluitval" in standalone  # the subject is carried ...
    found = passages(
        "Het voorspelmodel voor schooluitval gebruikt gegevens van DUO zonder persoonskenmerken.",
        "Een databureau bouwde het samen met de regio.",
        title="Model",
        section="Aanpak",
    )
    view = QuestionView.of(question, standalone, EMPTY, lambda t: 1.0, lambda t, family=True: True)
    assert max(view.weights.values()) == 1.0 and min(view.weights.values()) < 0.5  # ... at a lower weight
    as_one_question = QuestionView.of(standalone, standalone, EMPTY, lambda t: 1.0, lambda t, family=True: True)
    cands = candidates(found, EMPTY)
    earlier_answer, this_answer = feature_matrix(view, cands, found, EMPTY)[:, FEATURES.index("coverage")]
    before_earlier, before_this = feature_matrix(as_one_question, cands, found, EMPTY)[:, FEATURES.index("coverage")]
    assert before_this / before_earlier <= 0.25
    assert this_answer / earlier_answer >= 0.8
    alone = QuestionView.of(earlier, "", EMPTY, lambda t: 1.0, lambda t, family=True: True)
    assert set(alone.weights.values()) == {1.0}  # a question that stands alone keeps every word's weight


def test_a_follow_up_s_sentences_are_compared_with_its_own_words_too():
    """e5 puts the standalone question ('Hoeveel Utrechters ... — Wordt het ook buiten Utrecht gebruikt?')
    closest to the sentence that answered the earlier question; a follow-up's sentences are compared with
    the mean of that vector and the one of the user's own words, so the sentence close to what the user
    now asks can come first. A question that stands alone is compared with its own vector only."""
    from assistant.sentence_features import OWN_WORDS_SHARE

    standalone = "Hoeveel Utrechters gebruikten het Huishoudboekje — Wordt het ook buiten Utrecht gebruikt?"
    own = "Wordt het ook buiten Utrecht gebruikt?"
    axes = {standalone: np.array([1.0, 0.0]), own: np.array([0.0, 1.0])}
    found = passages(
        "Honderd Utrechters gebruikten het Huishoudboekje.", "Ook Rotterdam en Schiedam gebruiken het Huishoudboekje."
    )
    # the earlier answer lies along the standalone question, the new one a little off the user's own words
    vectors = {"c0": np.array([[1.0, 0.0]]), "c1": np.array([[0.1, 0.995]])}
    bot = ExtractiveAnswerer(
        SETTINGS,
        profile=EMPTY,
        model=hand_made(True, coverage=0.0, similarity=20.0),
        question_vector=lambda text: axes[text],
        sentence_vectors=lambda found: vectors,
    )
    assert 0 < OWN_WORDS_SHARE < 1
    _, _, _, alone = bot.describe(standalone, found)
    assert list(alone[:, 0]) == pytest.approx([1.0, 0.1])  # read as one question, the earlier answer wins
    _, _, _, follow_up = bot.describe(own, found, standalone_question=standalone)
    assert follow_up[1, 0] > follow_up[0, 0]
    answer = bot.answer(own, found, standalone_question=standalone)
    assert quotes(answer)[0] == found[1].text, answer.text


def test_the_answerable_model_knows_what_kind_of_answer_is_asked_for():
    """The same evidence answers a why-question more often than a 'welke gemeente' one: the kind reaches the
    model from the answerer (a model that reads only the kind decides here), and the shipped one learned it."""
    weighs_kind = hand_made(True)
    weighs_kind.answerable["lexical"] = logistic(ANSWERABLE_FEATURES, {"kind_name": -10.0}, 5.0)
    text = "Zaanstad en Utrecht deden mee omdat zij al een datateam hadden."
    solver = answerer(weighs_kind)
    assert solver.rank("Welke gemeente deed mee met het datateam?", passages(text)).kind == "name"
    assert solver.answer("Welke gemeente deed mee met het datateam?", passages(text)).abstained
    assert not solver.answer("Waarom deed de gemeente mee met het datateam?", passages(text)).abstained

    shipped = load_model(DEFAULT_MODEL)
    rows = np.random.default_rng(2).random((4, len(FEATURES)))
    scores = np.array([0.6, 0.3, 0.2, 0.1])

    def probability(kind):
        return shipped.answerable_probability(question_summary(scores, rows, None, np.zeros(4), False, 1.0, kind), "lexical")

    assert probability("name") < probability("why")


def test_a_question_after_a_municipality_reads_whether_a_sentence_names_a_place():
    """The answerer's own features: a place answers 'welke gemeente', a capitalised survey name does not, and the
    answerable model sees whether any of the best three gives one (a survey naming no town answers no such question)."""
    solver = answerer(hand_made(True))
    column, top3 = FEATURES.index("gives_asked"), ANSWERABLE_FEATURES.index("top3_gives_asked")
    texts = ("In Amersfoort vertrouwen inwoners de gemeente het meest.", "De Burgerpeiling van VNG meet het vertrouwen.")

    def described(question, *texts):
        _, cands, rows, _ = solver.describe(question, passages(*texts, title="Vertrouwen", section="Uitkomsten"))
        summary = question_summary(np.linspace(0.9, 0.1, len(cands)), rows, None, np.zeros(len(cands)), False, 1.0)
        return {c.sentence: float(row[column]) for c, row in zip(cands, rows)}, summary[top3]

    given, best3 = described("Welke gemeente heeft het meeste vertrouwen van haar inwoners?", *texts)
    assert given == {texts[0]: 1.0, texts[1]: 0.0} and best3 == 1.0
    assert described("Welke gemeente heeft het meeste vertrouwen van haar inwoners?", texts[1])[1] == 0.0
    assert set(described("Hoe meet de gemeente het vertrouwen?", *texts)[0].values()) == {0.5}  # not asked
