"""What a question asks for decides whether a source's 'onbekend' answers it."""

from __future__ import annotations

from assistant.question_focus import (
    answered_by_unknowns,
    asked_value,
    focus_phrase,
    focus_terms,
    has_number,
    holds_value,
)
from assistant.text import tokenize
from assistant.unknowns import names_as_unknown


def test_focus_is_the_asked_for_noun_not_the_topic():
    assert focus_terms("Welke gemeente voerde de Wmo-case uit?") == tokenize("gemeente")
    assert focus_terms("Hoeveel interviews hebben de onderzoekers afgenomen?") == tokenize("interviews")
    assert focus_terms("Welke twee andere toekomstperspectieven schetst het rapport?") == tokenize("toekomstperspectieven")
    assert focus_terms("Which municipality ran the case?") == tokenize("municipality")
    assert focus_terms("Wat is het derde thema van de negen thema's?") == tokenize("thema")
    assert focus_terms("Wat is een startkwalificatie?") == []
    assert focus_terms("Welke deelnemende organisaties zijn geen gemeente?") == tokenize("organisaties")
    assert focus_terms("Who is the Huishoudboekje not intended for?") == []  # the topic, not the asked-for
    assert focus_phrase("Welke andere gemeenten gebruiken het algoritme?") == "andere gemeenten"
    assert focus_phrase("Welke gemeente voerde slim vegen uit?") == ""
    assert focus_phrase("Welke twee andere toekomstperspectieven schetst het rapport?") == "andere toekomstperspectieven"
    assert focus_phrase("Welke concrete opties geeft het rapport?") == "concrete opties"
    assert focus_terms("In hoeveel van dat soort regio's is het land verdeeld?") == tokenize("regio's")


def test_questions_that_ask_for_a_value_need_a_new_one():
    assert asked_value("Hoeveel jongeren verlaten jaarlijks het onderwijs?") == "number"
    assert asked_value("How many buildings stand on old foundations?") == "number"
    assert asked_value("Hoeveel geld trok Utrecht uit?") == "money"
    assert asked_value("In welk jaar was het webinar?") == "year"
    assert asked_value("Sinds wanneer draait PortMobile?") == "date"
    assert asked_value("Wanneer noemen de onderzoekers een innovatie succesvol?") is None  # a condition, not a time
    assert asked_value("Welke gemeente voerde slim vegen uit?") is None
    # a value word inside a clause asks for nothing; one that opens a (sub)question does
    assert asked_value("Waarom kon Utrecht niet uitrekenen hoeveel mensen er per m² passen?") is None
    assert asked_value("Wat deed Dordrecht met een check op hoe vaak hondentoiletten gebruikt werden?") is None
    assert asked_value("Om hoeveel schoolverlaters ging het in 2021?") == "number"
    assert asked_value("Roughly how many vessels pass through Utrecht?") == "number"
    assert asked_value("Wie bouwde het model, en hoeveel kostte het?") == "money"
    assert asked_value("Kun je me vertellen hoeveel jongeren jaarlijks uitvallen?") == "number"
    assert asked_value("Can you tell me how many buildings stand on old foundations?") == "number"
    question = "Hoeveel interviews hebben de onderzoekers voor de 18 cases afgenomen?"
    assert not has_number("Onbekend: aantal interviews voor de 18 cases.", question)  # 18 came from the question
    assert not has_number("Woonvisie sinds 2015.", question)  # a year is not a count
    assert not has_number("Een diploma op mbo-2-niveau, sinds 1 mei 2023 Doorstroompunt geheten.", question)
    assert has_number("Er werden 25.000 jongeren geteld.", question)
    assert has_number("In 2020 gebruikten ongeveer honderd Utrechters het.", question)
    assert holds_value("Het OCD maakte een halfjaarlijkse monitor.", "Hoe vaak verschijnt de monitor?")
    accuracy = "Hoe nauwkeurig voorspelt het model?"
    assert not holds_value("Er staan 10.000 panden op een oude fundering.", accuracy)
    assert holds_value("De voorspelkracht verbeterde met 33%.", accuracy)
    money = "Hoeveel geld trok Utrecht jaarlijks uit?"
    assert not holds_value("Utrecht startte 5 projecten.", money)
    assert not holds_value("Jaarlijks komen ruim 3 miljoen mensen naar evenementen.", money)
    both = "Sinds wanneer heeft Zaanstad een team ondermijning, en hoeveel kwekerijen zijn er opgerold?"
    assert holds_value("Het college meldde negentien ontmantelde hennepkwekerijen.", both)  # one of the two
    assert holds_value("Utrecht zette elk jaar 2 miljoen euro apart.", money)
    year = "In welk jaar organiseerde de VVSG het webinar?"
    assert not holds_value("Het webinar was op 27 september.", year)
    assert holds_value("Het webinar was op 27 september 2022.", year)


def test_questions_about_what_is_known_and_yes_no_questions_are_answered_by_unknowns():
    assert answered_by_unknowns("Welke thema's uit het rapport zijn bekend?")
    assert answered_by_unknowns("Is Enschede een van de 18 cases?")
    assert answered_by_unknowns("Does the report name Enschede?")
    assert not answered_by_unknowns("Welke gemeente voerde de case uit?")


def test_the_unknown_must_be_the_asked_for_thing():
    gemeente = tokenize("gemeente")
    assert names_as_unknown(
        "Platform31 noemt de Wmo als onderwerp, maar geen geraadpleegde bron noemt de gemeente.", "Aanleiding", gemeente
    )
    assert not names_as_unknown(
        "Welke lessen het rapport uit deze case trekt en of slim vegen door andere "
        "gemeenten is overgenomen, is in de beschikbare bronnen niet te vinden.",
        "Aanleiding",
        gemeente,
    )
    # in a list of unknowns the head of the item counts, a word at its tail does not
    assert names_as_unknown("welke gemeente de rapportcase betreft;", "Wat niet bekend is", gemeente)
    assert not names_as_unknown(
        "wat het datagedreven deel was, wanneer het liep, wat het opleverde, welke lessen "
        "het rapport trekt en of andere gemeenten het overnamen.",
        "Wat niet bekend is",
        gemeente,
    )
    # the sources' own word for the same thing: a case's 'organisatie' is the gemeente asked for
    assert names_as_unknown("de naam en organisatie van 7 van de 18 cases;", "Wat niet bekend is", gemeente)
    # in a table row, the cell under the asked-for column
    header = "| # | Case / onderwerp | Organisatie | Domein | Status in de bronnen |"
    assert names_as_unknown(
        "| 16 | Schuldhulpverlening: 'digitaal luisteren' | onbekend | sociaal | alleen onderwerp |", "Domeinen", gemeente, header
    )
    assert not names_as_unknown(
        "| 10 | Havenmeester van de Toekomst | Gemeente Utrecht | onbekend | bevestigd |", "Domeinen", gemeente, header
    )  # the domain is unknown, not the gemeente
    assert not names_as_unknown("| 16 | Schuldhulpverlening | onbekend | sociaal |", "Domeinen", gemeente)


def _answer(question, texts):
    from assistant.extractive import ExtractiveAnswerer
    from assistant.schema import Passage
    from assistant.settings import Settings

    passages = [
        Passage(chunk_id=f"c{i}", doc_id=f"d{i}", text=text, title="Huishoudboekje", section="Gebruik")
        for i, text in enumerate(texts)
    ]
    return ExtractiveAnswerer(Settings(min_dense_similarity=0.0)).answer(question, passages)


def test_a_number_question_quotes_the_sentence_with_the_number_or_says_it_is_unknown():
    question = "Hoeveel Utrechters gebruikten het Huishoudboekje?"
    counted = _answer(
        question,
        [
            "Utrechters gebruikten het Huishoudboekje om hun vaste lasten te betalen.",
            "In 2020 gebruikten ongeveer honderd Utrechters het Huishoudboekje.",
        ],
    )
    assert not counted.abstained and "honderd" in counted.text
    uncounted = _answer(question, ["Utrechters gebruikten het Huishoudboekje om hun vaste lasten te betalen."])
    assert uncounted.abstained
    assert uncounted.text.startswith("Dat staat niet in de beschikbare bronnen. Wat de bronnen er zelf over zeggen:")
    assert "vaste lasten" in uncounted.text  # the closest quote is still shown


def _answer_in(question, items):
    """Answer over passages given as (section, text) pairs."""
    from assistant.extractive import ExtractiveAnswerer
    from assistant.schema import Passage
    from assistant.settings import Settings

    passages = [
        Passage(chunk_id=f"c{i}", doc_id=f"d{i}", text=text, title="Overzicht", section=section)
        for i, (section, text) in enumerate(items)
    ]
    return ExtractiveAnswerer(Settings(min_dense_similarity=0.0)).answer(question, passages)


def test_an_unknown_about_something_else_does_not_override_a_sentence_naming_the_asked_for_thing():
    question = "Welke organisaties in de lijst van deelnemende cases zijn geen gemeente?"
    gap = ("Wat niet bekend is", "drie van de acht deelnemende gemeenten in de lijst van cases;")  # scores best
    named = ("Cases", "Twee organisaties in de cases zijn geen gemeente: de Dienst Jeugd en de GR.")
    assert not _answer_in(question, [gap, named]).abstained
    assert _answer_in(question, [gap]).abstained


def test_sources_that_do_not_make_a_link_say_it_is_unknown():
    from assistant.unknowns import says_unknown

    assert says_unknown(
        "Adviesbureau Shintō Labs noemt Zaanstad als klant, maar de geraadpleegde fragmenten "
        "koppelen het bureau niet aan deze applicatie."
    )
    assert says_unknown("Dat ligt voor de hand, maar die koppeling maakt de bron zelf niet.")
    assert says_unknown("De naam maakt een verband aannemelijk, maar geen bron legt het.")
    assert not says_unknown("Zaanstad koppelt de databronnen in één applicatie.")
    assert not says_unknown("Het team koppelde de meldingen niet met de hand maar automatisch.")
