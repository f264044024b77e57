"""What kind of answer a question asks for, and which sentences have that shape: general grammar only."""

from __future__ import annotations

import pytest

from assistant.answer_types import (
    asking_terms,
    asks_list,
    asks_near_moment,
    asks_place,
    asks_quantity,
    asks_several,
    counted_terms,
    counts_named,
    enumerates,
    focus_terms,
    gives_place,
    gives_quantity,
    needs_amount,
    needs_date,
    needs_number,
    places_in,
    question_type,
    says_unknown,
    section_says_unknown,
    sentence_cues,
    type_match,
)
from assistant.sentence_features import CUES
from assistant.text import tokenize


@pytest.mark.parametrize(
    "question, kind",
    [
        ("Hoeveel interviews hebben de onderzoekers afgenomen?", "number"),
        ("Kun je me vertellen hoeveel jongeren jaarlijks uitvallen?", "number"),
        ("How many buildings stand on old foundations?", "number"),
        ("Hoe nauwkeurig voorspelt het model?", "number"),
        ("Wat kost een abonnement per jaar?", "number"),
        # what something costs, the verb at the end of the clause or after an auxiliary
        ("Wat heeft het bouwen van het model gekost?", "number"),
        ("En wat gaat de nieuwe versie kosten?", "number"),
        ("What did the pilot cost?", "number"),
        # what someone pays, whoever it is paid to
        ("Wat moet een gemeente aan de leverancier betalen voor een licentie?", "number"),
        ("What does a municipality pay to take part?", "number"),
        # costs that another verb acts on are not what something costs
        ("Wat doet een papieren vragenlijst met de respons en de kosten?", "define"),
        ("In welk jaar organiseerde de VVSG het webinar?", "when"),
        ("Sinds wanneer draait PortMobile?", "when"),
        ("Wie bouwde het model?", "who"),
        ("And who built it?", "who"),
        ("Welke gemeente voerde de case uit?", "name"),
        ("Which municipality ran the case?", "name"),
        ("Waarom is opschalen zo moeilijk?", "why"),
        ("Wat is een startkwalificatie?", "define"),
        ("Wat houdt de case Slim vegen in?", "define"),
        ("Welke succesfactoren noemt het rapport?", "list"),
        ("Is Enschede een van de cases?", "yes_no"),
        ("En bij Zaanstad?", "other"),
        # a definition asked in other words, and its plural
        ("Wat houden de drie fasen in?", "define"),
        ("Wat verstaat de nota onder een datagedreven organisatie?", "define"),
        ("Wat bedoelen de onderzoekers met opschalen?", "define"),
        ("Wat wordt er bedoeld met een datalab?", "define"),
        ("What's a data steward?", "define"),
        ("What's the reason the pilot stopped?", "why"),  # the contraction, as 'what is the reason'
        # which kinds of thing: as 'welke'; in which way: as 'hoe'
        ("Bij wat voor soort projecten lukt opschalen?", "list"),
        ("What kind of support do the teams get?", "list"),
        ("Op wat voor manier worden inwoners betrokken?", "how"),
        ("Wat moet een wijkteam allemaal regelen?", "list"),
    ],
)
def test_question_type_from_its_wh_word(question, kind):
    assert question_type(question) == kind


@pytest.mark.parametrize(
    "question, kind, focus",
    [
        # the statement before the question says why it is asked; the question says what answers it
        ("Ik bereid een workshop voor over waarom projecten slagen. Welke kernfactoren zijn er?", "list", "kernfactoren"),
        ("Onze havendienst wil digitaliseren. Met welk systeem werkt de haven?", "list", "systeem"),
        ("Ik moet uitleggen hoe het werkt. Wie bouwde het model?", "who", ""),
        # two questions: the kind of the first, as before; an abbreviation does not end a sentence
        ("Is Enschede een van de cases? Welke gemeente voerde hem uit?", "yes_no", "gemeente"),
        ("Wat is het doel van o.a. Slim vegen?", "define", "doel"),
    ],
)
def test_the_kind_is_read_from_the_question_not_the_context_before_it(question, kind, focus):
    assert question_type(question) == kind
    assert focus_terms(question) == (tokenize(focus)[:1] if focus else [])


@pytest.mark.parametrize(
    "question, kind",
    [
        ("Waar gaat het derde hoofdstuk over?", "define"),
        ("Waarover gaat de nota?", "define"),
        ("Waardoor liep de pilot vertraging op?", "why"),
        ("Waar hangt het draagvlak vooral van af?", "other"),
        ("Waarmee begon het team?", "other"),
        ("Waar is de teamleider verantwoordelijk voor?", "other"),
        ("Waar werd de pilot uitgevoerd?", "where"),
        ("Waar komen de gegevens vandaan?", "where"),
        ("Waar staat het kantoor van de afdeling in Arnhem?", "where"),
    ],
)
def test_waar_with_a_preposition_asks_about_a_thing_not_a_place(question, kind):
    """Dutch joins 'waar' and a preposition ('waarover') or splits them around the clause ('Waar gaat het
    over?'): typed as a place question, the answer was looked for among locations."""
    assert question_type(question) == kind


def test_the_asked_for_noun_follows_the_wh_word():
    assert focus_terms("Welke gemeente voerde de Wmo-case uit?") == tokenize("gemeente")
    assert focus_terms("Hoeveel interviews hebben de onderzoekers afgenomen?") == tokenize("interviews")
    assert focus_terms("Wat is het doel van slim vegen?") == tokenize("doel")
    assert focus_terms("Wie bouwde het?") == []


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("Wat houdt de case Slim vegen in?", "houdt"),
        ("En wat doet het algoritme daar?", "doet"),
        ("Hoe vaak wordt het dataplatform bijgewerkt?", "vaak"),
        ("Welke gemeente voerde de Wmo-case uit?", "gemeente"),
        ("Kun je me zeggen hoe vaak de gegevens worden ververst?", "vaak"),  # after a polite opener
        ("What does the algorithm do?", "does"),
        ("Wat kostte het model?", ""),  # what is asked after is the cost
        ("Hoeveel vragenlijsten zijn nodig?", ""),
        ("Is het project geëvalueerd?", ""),
        ("Waarmee is het programma begonnen?", "waarmee"),  # 'waar' and a preposition ask about a thing
        ("En waarvoor zijn bewoners het minst bereid?", "waarvoor"),
        ("Waar hing het succes van de projecten van af?", "af"),
    ],
)
def test_the_words_that_say_what_kind_of_answer_is_asked(question, words):
    """They frame the question: a sentence that answers it need not hold them, so what a sentence covers of the
    rest of the question (`coverage_outside`) leaves them out; a cost's verb is what is asked, and stays."""
    assert asking_terms(question) == frozenset(tokenize(words))


def test_sentence_cues_are_shapes_of_answers():
    question = "Hoeveel interviews hebben de onderzoekers voor de 18 cases afgenomen?"
    assert sentence_cues("Er werden 25.000 jongeren geteld.", question)["number"] == 1.0
    assert sentence_cues("Onbekend: aantal interviews voor de 18 cases.", question)["number"] == 0.0  # 18 is the question's
    assert sentence_cues("Woonvisie sinds 2015.", question)["number"] == 0.0  # a year is no count
    assert sentence_cues("Woonvisie sinds 2015.", question)["year"] == 1.0
    assert sentence_cues("Het webinar was op 27 september.")["date"] == 1.0
    assert sentence_cues("Het model is gebouwd door Ynformed.")["name"] == 1.0
    assert sentence_cues("Utrecht begon ermee.")["name"] == 0.0  # the capital that opens a sentence is no name
    assert sentence_cues("Dat kwam doordat de data ontbraken.")["reason"] == 1.0
    assert sentence_cues("Doel: voorspellen welke rijroutes het meest zinvol zijn.")["define"] == 1.0
    assert sentence_cues("Utrecht trok 2 miljoen euro uit.")["money"] == 1.0
    assert type_match("number", sentence_cues("Er werden 25.000 jongeren geteld.")) == 1.0
    assert type_match("number", sentence_cues("Er werden veel jongeren geteld.")) == 0.0
    assert type_match("list", sentence_cues("Er werden veel jongeren geteld.")) == 0.5


@pytest.mark.parametrize(
    "sentence, moment",
    [
        ("Als de netto respons na drie weken onder de 500 ligt, is een herinneringsbrief verplicht.", True),
        ("Publicatie vindt plaats in de tweede week van de maand (op donderdag of vrijdag).", True),
        ("Het dataplatform wordt gevoed met een nachtelijke verversing van gegevensbronnen.", True),
        ("Aanleveren voor dinsdag resulteert in publicatie binnen 10 werkdagen.", True),
        ("Respondenten moeten minimaal twee en een half weken de tijd krijgen.", True),
        ("The results are published within ten working days.", True),
        ("Utrecht trok 2 miljoen euro per jaar uit.", False),  # what a year costs, not when
        ("Dit is een keten die bij iedere wijziging afgestemd dient te worden.", False),
        ("De gemeente werkt samen met het onderzoeksbureau.", False),
    ],
)
def test_a_wanneer_question_about_a_procedure_is_answered_by_a_moment_or_a_period(sentence, moment):
    cues = sentence_cues(sentence, "Wanneer is een herinneringsbrief verplicht?")
    assert type_match("when", cues) == float(moment)
    assert cues["date"] == 0.0  # the date cue the ranker reads stays a calendar date
    assert "time" not in CUES  # only the type match of a 'wanneer' question reads it


def test_a_question_after_when_something_began_is_not_answered_by_a_period():
    since = "Sinds wanneer draait het strooimodel?"
    assert type_match("when", sentence_cues("De raad vergadert elke maand.", since)) == 0.0
    assert type_match("when", sentence_cues("Het model draait sinds de winter van 2019.", since)) == 1.0
    assert type_match("when", sentence_cues("De raad vergadert elke maand.", "Wanneer vergadert de raad?")) == 1.0


@pytest.mark.parametrize(
    "sentence, number",
    [
        ("Tweederde van de inwoners hielp een buur.", 1.0),
        ("Driekwart van de gemeenten doet mee.", 1.0),
        ("Ten municipalities joined the pilot.", 1.0),
        ("Ten behoeve van het ondersteunen van beslissingen.", 0.0),  # Dutch 'ten' is a preposition
        ("Het team is ten minste een keer bijeengekomen.", 0.0),
        ("Ten slotte volgt de evaluatie.", 0.0),
    ],
)
def test_fractions_are_numbers_and_dutch_ten_is_not(sentence, number):
    assert sentence_cues(sentence, "Hoeveel?")["number"] == number


def test_only_a_number_answers_how_many_but_how_often_has_words_too():
    assert needs_number("number", "Hoeveel medewerkers krijgt het data-team?")
    assert needs_number("number", "How many spectators were expected?")
    assert not needs_number("number", "Hoe vaak wordt het dataplatform ververst?")  # 'nachtelijk' answers it
    assert not needs_number("who", "Wie bouwde het model?")


def test_a_question_after_the_year_or_the_date_needs_one():
    assert needs_date("In welk jaar begon de pilot?") == "year"
    assert needs_date("Since which year has the model been used?") == "year"
    assert needs_date("Op welke datum verscheen het verslag?") == "date"
    assert needs_date("Wanneer begon de pilot?") == ""  # 'wanneer' is also 'als': a condition answers it
    assert needs_date("Welke jaarverslagen noemt het rapport?") == ""


def test_only_an_amount_answers_what_something_costs():
    assert needs_amount("number", "Wat heeft het bouwen van het model gekost?")
    assert needs_amount("number", "Hoeveel geld trekt de gemeente jaarlijks uit?")
    assert needs_amount("number", "How much money was set aside?")
    assert not needs_amount("number", "Hoeveel medewerkers krijgt het data-team?")
    paying = "Wat moet een gemeente aan de leverancier betalen voor een licentie?"
    assert needs_amount(question_type(paying), paying)
    bills = "Welke rekeningen betaalt de gemeente voor deelnemers?"  # which bills: a list, not an amount
    assert not needs_amount(question_type(bills), bills)
    heed = "What should a municipality pay attention to in a first data project?"  # an idiom, not a payment
    assert question_type(heed) != "number" and not needs_amount(question_type(heed), heed)


@pytest.mark.parametrize(
    "sentence",
    [
        "Onbekend: welke databronnen de applicatie precies koppelt.",
        "Welke gemeente dat was, is niet bekend.",
        "De gemeente wordt in geen enkele bron genoemd.",
        "Het aantal deelnemers is niet genoemd.",
        "Er zijn geen gegevens over de kosten.",
        "Dat staat niet in het verslag.",
        "The number of participants is unknown.",
        "The budget was not mentioned in the report.",
        # what a search of the sources did not find, and what nothing is known about
        "Over de kosten van het project is niets bekend.",
        "Er is geen openbare vermelding van een evaluatie.",
        "Er zijn geen resultaten over het bereik gevonden in de geraadpleegde bronnen.",
        "Nothing is known about the budget.",
    ],
)
def test_a_source_saying_it_does_not_know_is_recognised_by_general_markers(sentence):
    assert says_unknown(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Zaanstad koppelt de databronnen in één applicatie.",
        "De haven is bekend om haar binnenvaart.",
        "Het team koppelde de meldingen niet met de hand maar automatisch.",
        # a finding, not a gap in the sources
        "Bij de controle van 2019 werden geen fouten gevonden.",
        # a marker in one clause of a long sentence is not what the sentence says
        "Verspreiding: het fonds biedt het onderzoek als download aan, Overheid360 berichtte erover op 30 november, "
        "iBestuur en ITexecutive publiceerden een bericht, Parell schreef een blog en de VVSG organiseerde een "
        "webinar op 27 september (het jaartal staat niet in het fragment), met downloadbare presentaties.",
    ],
)
def test_other_sentences_are_not_taken_for_unknowns(sentence):
    assert not says_unknown(sentence)


def test_a_section_about_gaps_makes_its_lines_unknowns():
    assert section_says_unknown("Case: Slim vegen > Wat niet bekend is")
    assert section_says_unknown("Plan > Open vragen")
    assert not section_says_unknown("Case: Slim vegen > Aanpak en data")
    assert not section_says_unknown("Wat niet bekend is > Aanpak")  # only the last heading counts


def _gives(sentence: str, question: str) -> bool:
    assert asks_quantity(question_type(question), question)
    return gives_quantity(sentence, question)


@pytest.mark.parametrize(
    "question, sentence, gives",
    [
        # the number must count the asked-for noun (or a word of its family), not something else
        ("Hoeveel fte telt het team?", "Het team telt sinds de start 12 fte.", True),
        ("Hoeveel fte telt het team?", "Het team levert binnen 10 werkdagen een rapport op.", False),
        ("Hoeveel fte telt het team?", "Het team telt 6 rollen.", False),  # the verb is not what it counts
        ("Uit hoeveel deelmodellen bestaat het?", "| 15 | Voorspelmodel | 2021 |", False),  # only the same head
        ("Hoeveel gemeenten deden mee?", "In totaal deden 42 gemeenten mee aan de proef.", True),
        ("Hoeveel gemeenten deden mee?", "Twaalf van de veertig deelnemende gemeenten stopten.", True),
        ("Hoeveel gemeenten deden in 2022 mee?", "In 2022 deden veel gemeenten mee.", False),  # the year is given
        ("How many inspectors does the city employ?", "The city employs 35 inspectors.", True),
        # numbers written as words, as Dutch joins them: units before tens, hundreds and thousands in one word
        ("Hoeveel sensoren bewaken de kade?", "Zevenendertig sensoren bewaken sinds 2019 de kade.", True),
        ("Hoeveel sensoren bewaken de kade?", "Er hangen tweeënveertig sensoren aan de kademuur.", True),
        ("Hoeveel woningen zijn gecontroleerd?", "Er zijn driehonderdvijftig woningen gecontroleerd.", True),
        ("How many sensors watch the quay?", "Twenty-seven sensors watch the quay.", True),
        ("Hoeveel sensoren bewaken de kade?", "De zevende sensor hangt aan de kade.", False),  # an ordinal
        # 'hoeveel ingevulde vragenlijsten': either word may stand beside the number
        ("Hoeveel ingevulde vragenlijsten zijn nodig?", "Er zijn minimaal 400 vragenlijsten nodig.", True),
        # 'eigen' qualifies what is counted, as an inflected adjective does
        ("Hoeveel eigen vragen mogen we toevoegen?", "Gemeenten voegen meestal 5 vragen toe.", True),
        ("Hoeveel eigen vragen mogen we toevoegen?", "Gemeenten voegen 5 modules toe.", False),
        # how often: every period a document may name, by day, night or hour too
        ("Hoe vaak wordt het dataplatform ververst?", "Het platform krijgt een nachtelijke verversing.", True),
        ("Hoe vaak wordt het dataplatform ververst?", "De gegevens worden elk uur bijgewerkt.", True),
        ("How often is the data refreshed?", "The data is refreshed nightly.", True),
        ("Hoe vaak wordt het dataplatform ververst?", "De gegevens worden 's nachts bijgewerkt.", True),
        ("Hoe vaak wordt het dataplatform ververst?", "Het platform is in 2019 voor het eerst ververst.", False),
        # a question about cost is answered by an amount, a percentage question by a share
        ("Wat kost een abonnement per jaar?", "Een abonnement kost € 120 per jaar.", True),
        ("Wat kost een abonnement per jaar?", "Een abonnement loopt 12 maanden en is goedkoper dan losse kaarten.", False),
        ("Welk percentage van de inwoners doet mee?", "Ruim 35% van de inwoners vulde de vragenlijst in.", True),
        ("Welk percentage van de inwoners doet mee?", "De vragenlijst telt 40 vragen voor inwoners.", False),
    ],
)
def test_a_quantity_question_is_answered_by_the_quantity_it_names(question, sentence, gives):
    assert _gives(sentence, question) is gives


@pytest.mark.parametrize(
    "question",
    [
        "Hoeveel mag ik er zelf aan toevoegen?",
        "Hoeveel heeft Den Haag per jaar bespaard?",
        "How many does VNG recommend at most?",
    ],
)
def test_a_verb_after_hoeveel_names_nothing_the_number_must_stand_beside(question):
    # else 'mag', 'Den' or 'VNG' would be what a number must count, and a sentence with the number, which
    # never puts it beside them, would read as not giving it
    assert counted_terms(question) == ()
    assert not asks_quantity("number", question)


@pytest.mark.parametrize(
    "question, asks",
    [
        ("Welke gemeente voerde slim vegen uit?", True),
        ("In welke gemeenten helpen buren elkaar het vaakst?", True),
        ("Which municipality was behind the case?", True),
        ("Welke steden deden mee, en wanneer?", True),
        ("Welke organisatie bouwde het model?", False),  # a name, but not a place's
        ("Wat doet de gemeente met de uitkomsten?", False),
        ("Welke plaats heeft de case in het rapport?", False),  # a place in a text, not a town
    ],
)
def test_a_question_after_which_municipality_or_city_asks_for_a_place(question, asks):
    assert asks_place(question) is asks


@pytest.mark.parametrize(
    "text, places",
    [
        ("Utrecht reserveerde jaarlijks 2 miljoen euro.", {"Utrecht"}),
        ("Een aanpak uit Den Haag, later ook in Hoek van Holland.", {"Den Haag", "Hoek van Holland"}),
        ("Het Utrechtse programma en Zaanstad's aanpak", {"Utrecht", "Zaanstad"}),
        ("De gemeente Súdwest-Fryslân doet mee.", {"Súdwest-Fryslân"}),  # named after 'gemeente'
        # capitals that are no place: a survey, an organisation, a word opening a sentence that is also a village
        ("Een Burgerpeiling van VNG meet het vertrouwen in de gemeente.", set()),
        ("Werken met data vraagt Lessen uit de praktijk.", set()),
    ],
)
def test_places_are_the_listed_dutch_and_belgian_places_a_text_names(text, places):
    assert places_in(text) == places


def test_a_place_question_is_answered_by_a_place_it_does_not_name_itself():
    question = "Welke gemeente naast Utrecht werkt met slim vegen?"
    assert gives_place("Ook Amersfoort werkt sinds 2020 met slim vegen.", question)
    assert not gives_place("Utrecht werkt sinds 2020 met slim vegen.", question)
    assert not gives_place("Volgens de Burgerpeiling scoren grote gemeenten lager.", question)


def test_only_number_questions_that_name_what_they_count_ask_for_a_quantity():
    assert not asks_quantity(question_type("Hoe groot is het team?"), "Hoe groot is het team?")
    assert not asks_quantity(question_type("Wie bouwde het model?"), "Wie bouwde het model?")


@pytest.mark.parametrize(
    "question, sentence, gives",
    [
        # 'hoe vaak' is answered by how often, not by a number of something else or the word 'vaak'
        ("Hoe vaak wordt de peiling gehouden?", "Gemeenten houden de peiling om de twee jaar.", True),
        ("Hoe vaak wordt de peiling gehouden?", "De peiling wordt jaarlijks in het voorjaar gehouden.", True),
        ("Hoe vaak wordt de peiling gehouden?", "Het team komt twee keer per maand bijeen over de peiling.", True),
        ("Hoe vaak wordt de peiling gehouden?", "Vaak houden gemeenten de peiling samen met een bureau.", False),
        ("Hoe vaak wordt de peiling gehouden?", "De peiling telt 40 vragen en 3 open vragen.", False),
        ("Hoe vaak wordt de peiling gehouden?", "Het was voor de peiling een goed jaar.", False),
        # an ordinal says when, not how often; a count of times in a period says how often
        ("Hoe vaak wordt de peiling gehouden?", "De peiling werd voor de eerste keer in 2019 gehouden.", False),
        ("Hoe vaak wordt de peiling gehouden?", "De peiling wordt enkele keren per jaar gehouden.", True),
        ("Hoe vaak wordt de peiling gehouden?", "De peiling wordt één keer in het jaar gehouden.", True),
        ("How often is the survey held?", "The survey was held for the first time in 2019.", False),
        ("How often is the survey held?", "The survey is held three times a year.", True),
        ("Om de hoeveel jaar wordt het model herzien?", "Het model wordt eens in de vier jaar herzien.", True),
        ("How often is the survey held?", "Municipalities hold the survey every two years.", True),
        ("How often is the survey held?", "The survey has 40 questions.", False),
    ],
)
def test_a_how_often_question_is_answered_by_a_frequency(question, sentence, gives):
    assert _gives(sentence, question) is gives


@pytest.mark.parametrize(
    "sentence, lists",
    [
        ("Mensen helpen vaak, zoals met een oogje in het zeil (61%), boodschappen (40%) of vervoer (30%).", True),
        ("De data-analist verzamelt gegevens, bouwt dashboards, traint modellen en adviseert het bestuur.", True),
        ("Toegang; opslag; beheer en beveiliging.", True),
        ("Utrecht, Zaanstad, Amsterdam, Dordrecht and Rotterdam took part.", True),
        ("Dit komt doordat deze hulp minder vaak nodig is, maar ook omdat mensen niet graag langdurig helpen.", False),
        ("Het model voorspelt per wijk de vraag naar Wmo-voorzieningen.", False),
        ("In 2014 bood, volgens de peiling, nauwelijks de helft burenhulp.", False),
    ],
)
def test_a_sentence_that_lists_three_or_more_things(sentence, lists):
    assert enumerates(sentence) is lists


@pytest.mark.parametrize(
    "text, counts",
    [
        ("Er zijn 6 belangrijke regels die gelden", {6}),
        ("Platform31 noemt vijf kernfactoren.", {5}),
        ("The report gives three main steps.", {3}),
        ("bericht van 4 april 2017", set()),  # a date counts nothing
        ("één op de drie was slecht", set()),
        ("een van de 18 cases", set()),  # more than a list of lines holds
        ("in 2 jaar", set()),
    ],
)
def test_the_numbers_a_line_counts_things_with(text, counts):
    assert counts_named(text) == counts


@pytest.mark.parametrize(
    "question, several",
    [
        ("Wanneer is het datateam gestart, en wie heeft het plan geschreven?", True),
        ("Hoe heette die toets? En welke waarden speelden een rol?", True),
        ("What does the model predict, and which data does it use?", True),
        ("Welke gemeenten en provincies deden mee?", False),  # one thing asked of two kinds
        ("Ik bereid een workshop voor. Welke kernfactoren noemt het rapport?", False),  # a statement, then one ask
        ("Wat is een startkwalificatie?", False),
    ],
)
def test_a_question_asking_several_things(question, several):
    assert asks_several(question) is several


@pytest.mark.parametrize(
    "question, listing",
    [
        ("Welke succesfactoren noemt het rapport?", True),
        ("Wat zijn volgens de analyse de drie belangrijkste pijlers voor vertrouwen?", True),
        ("What are the four theme areas of the questionnaire?", True),
        ("Ik geef een workshop. Wat waren de belangrijkste lessen van het project?", True),  # after a statement
        ("Wat is een startkwalificatie?", False),
        ("Wat zijn de kosten van het model?", False),  # a price: a number question
        ("Waarom zijn de twee gemeenten gestopt?", False),
        # 'wat voor' asks which kinds, as 'welke' does; 'allemaal' asks for every one of them
        ("Met wat voor gegevens werkt het model?", True),
        ("What kinds of data does the model use?", True),
        ("Wat doet een wijkteam allemaal?", True),
        ("Waar is de teamleider allemaal verantwoordelijk voor?", True),
        ("Wie deden er allemaal mee aan de pilot?", True),
        ("Hoeveel gemeenten deden er allemaal mee?", False),  # a count
        ("Waarom hebben vrijwel alle oude huizen allemaal scheuren?", False),  # 'allemaal' as 'nearly all'
    ],
)
def test_a_question_whose_answer_is_a_list(question, listing):
    """'Wat zijn de ...' asks after several things of a kind though its wh-word makes it a 'define' question."""
    assert asks_list(question_type(question), question) is listing


@pytest.mark.parametrize(
    "question, near",
    [
        ("Gaat het morgenmiddag hagelen in Zaanstad?", True),
        ("Is het gemeentehuis overmorgen open?", True),
        ("Welke film draait er vanavond in Arnhem?", True),
        ("Wat besloot de raad gisteravond?", True),
        ("Wie speelt er komend weekend in het stadion?", True),
        ("Is the library open tomorrow?", True),
        ("What did the council decide last week?", True),
        ("Wat doet het team nu met de voorspellingen?", False),  # the state a document describes
        ("Hoe gebruiken gemeenten vandaag de dag data?", False),
        ("Rijden de veegwagens in de morgen of in de middag?", False),  # a morning, not tomorrow
        ("Goedemorgen, wie leidde het project?", False),
        ("Hoeveel weken duurde de pilot?", False),
        # a user's own plans before what is asked
        ("Ik geef morgen een workshop. Welke lessen kan ik gebruiken?", False),
        ("Morgen heb ik overleg met de wethouder, wat zijn de succesfactoren?", False),
        ("For my talk next week: who carried out the study?", False),
        ("Wordt het morgen droog? Ik wil buiten een workshop houden.", True),
        # a question before the comma is no preamble
        ("Wordt het morgen droog in Utrecht, wat denk je?", True),
        ("Is it going to rain tomorrow, what do you think?", True),
    ],
)
def test_a_question_about_a_moment_a_day_or_so_from_now(question, near):
    """Tomorrow's weather or tonight's train: what no document written before the question can hold."""
    assert asks_near_moment(question) is near


@pytest.mark.parametrize(
    "follow_up, near",
    [
        ("En in Amersfoort?", True),  # asks nothing by itself: still tomorrow's weather
        ("En overmorgen?", True),
        ("En hoe zit het met slim vegen daar?", False),  # a question of its own about Utrecht
        ("Wat doet de gemeente daar met data?", False),
    ],
)
def test_a_follow_up_inherits_the_moment_only_when_it_asks_nothing_by_itself(follow_up, near):
    standalone = f"Wordt het morgen droog in Utrecht — {follow_up}"  # what `condense` makes of it
    assert asks_near_moment(follow_up, standalone) is near
