"""Follow-up questions become standalone before retrieval, over several turns."""

from __future__ import annotations

import pytest

from assistant.api import Assistant
from assistant.conversation import condense, focus, is_follow_up
from assistant.store import ChunkStore
from ingest.pipeline import ingest_into
from tests.llm_fakes import ScriptedOpenAI


@pytest.mark.parametrize(
    "question, history, expected_parts, absent",
    [
        ("En bij Zaanstad?", ["Welke lessen trekt Utrecht uit slim vegen?"], ["Zaanstad", "slim vegen"], ["Utrecht"]),
        (
            "Wordt het ook buiten Utrecht gebruikt?",
            ["Hoe werkt het Huishoudboekje van de gemeente Utrecht?", "Hoeveel Utrechters gebruikten het in 2020?"],
            ["Utrechters", "buiten Utrecht"],
            [],
        ),
        (
            "Welke les trokken de betrokkenen eruit?",
            ["Hoe werkte de simulatie van bezoekersstromen in Utrecht?"],
            ["simulatie van bezoekersstromen", "les"],
            [],
        ),
        (
            "And who built it?",
            ["What data does the school dropout model in Zuid-Holland Zuid use?"],
            ["Zuid-Holland Zuid", "who built it"],
            [],
        ),
        # long follow-ups that still point back: a split 'eraan', 'dat soort', 'zo'n'
        (
            "En met hoeveel gemeenten werd er in 2021 aan doorgewerkt?",
            ["Waarvoor gebruiken gemeenten de uitkomsten van het Wmo-voorspelmodel?"],
            ["Wmo-voorspelmodel", "2021"],
            [],
        ),
        (
            "En in hoeveel van dat soort regio's is het land opgedeeld?",
            ["Hoe is de aanpak van voortijdig schoolverlaten in Zuid-Holland Zuid georganiseerd?"],
            ["voortijdig schoolverlaten", "regio's"],
            [],
        ),
        (
            "Kan zo'n model ook in andere regio's worden gebruikt?",
            ["Hoe werkt het voorspelmodel startkwalificatie?"],
            ["voorspelmodel startkwalificatie", "andere regio's"],
            [],
        ),
    ],
)
def test_follow_ups_carry_the_subject(question, history, expected_parts, absent):
    standalone = condense(question, history)
    for part in expected_parts:
        assert part in standalone, standalone
    for part in absent:
        assert part not in standalone, standalone


def test_three_turns_chain_through_the_middle_one():
    history = ["Hoe werkt het Huishoudboekje van de gemeente Utrecht?", "Wie ontwikkelde het?"]
    assert "Huishoudboekje" in condense("En wanneer begon dat?", history)


def test_a_middle_turn_that_says_het_still_points_back():
    history = ["Wat is het Huishoudboekje?", "Hoeveel Utrechters gebruikten het in 2020?"]
    assert "Huishoudboekje" in condense("Wordt het ook buiten Utrecht gebruikt?", history)


def test_het_before_a_closing_participle_points_back():
    assert "slim vegen" in condense("Welk bedrijf heeft het gebouwd?", ["Wat doet slim vegen in Utrecht?"])
    assert not is_follow_up("Wie heeft het rapport geschreven?")


def test_standalone_questions_are_left_alone():
    history = ["Welke succesfactoren noemt het rapport?"]
    assert condense("Wat is het doel van slim vegen in Utrecht?", history) == "Wat is het doel van slim vegen in Utrecht?"
    assert (
        condense("En welke vragen laat het onderzoek volgens de onderzoekers open?", history)
        == "Welke vragen laat het onderzoek volgens de onderzoekers open?"
    )
    assert not is_follow_up("Welke cases uit Utrecht zitten in het onderzoek?")
    # an 'er' that points at nothing earlier
    assert (
        condense("En hoeveel panden staan er in Zaanstad op een slechte fundering?", history)
        == "Hoeveel panden staan er in Zaanstad op een slechte fundering?"
    )


def test_what_users_say_about_themselves_is_not_searched():
    assert focus("Ik bereid een workshop voor. Wat blijkt het meest bepalend?") == "Wat blijkt het meest bepalend?"
    assert focus("Voor wie is het rapport bedoeld? Ik ben beleidsadviseur.") == "Voor wie is het rapport bedoeld?"
    # ... unless the question leans on what the user just said
    told = "Ik zie rode en groene panden op de Zaanse funderingskaart. Wat betekenen die kleuren?"
    assert focus(told) == told
    riool = "Wij vervangen het riool in een oude wijk. Hoe pakt Zaanstad zulke werkzaamheden aan?"
    assert focus(riool) == riool


def test_conversation_through_the_assistant_with_an_llm_backend(fake_settings, fake_embeddings, tmp_path):
    """With an LLM configured, the LLM rewrites the follow-up and writes the answer; citations are checked."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "vegen.md").write_text(
        "---\ntitle: Slim vegen\nkind: case\ngemeente: Utrecht\n---\n\n# Slim vegen\n\n"
        "Slim vegen voorspelt welke routes voor de veegwagens het meest zinvol zijn.\n",
        encoding="utf-8",
    )
    with ScriptedOpenAI() as server:
        settings = fake_settings.replace(answer_backend="openai", llm_base_url=f"{server.url}/v1", llm_model="test")
        bot = Assistant(settings, store=ChunkStore(settings), embeddings=fake_embeddings)
        ingest_into(bot, [docs])
        server.queue.append("Wat voorspelt slim vegen in Utrecht?")  # the rewrite
        server.queue.append("Slim vegen voorspelt de zinvolste routes voor veegwagens [1]. Ook iets anders [7].")
        answer = bot.ask("En wat voorspelt het?", history=["Wat doet Utrecht met slim vegen?"])
    assert answer.standalone_question == "Wat voorspelt slim vegen in Utrecht?"
    assert answer.backend == "openai" and not answer.abstained
    assert "[1]" in answer.text and "[7]" not in answer.text
    assert any("[7]" in w for w in answer.warnings)
    assert answer.citations[0].title == "Slim vegen"


@pytest.mark.parametrize(
    ("question", "previous"),
    [
        ("Waarom beginnen de cijfers daarin pas in 2016?", "Wat meet de monitor sociaal domein?"),
        ("Wat veranderde hierdoor?", "Wanneer startte het voorspelmodel?"),
        ("Waar begint hij elk traject mee?", "Wie leidt het project slim vegen?"),
        ("Wat was haar rol?", "Wie is de projectleider in Zaanstad?"),
        ("What did he build?", "Who led the Zaanstad project?"),
    ],
)
def test_every_pronoun_and_pronominal_adverb_points_back(question, previous):
    assert condense(question, [previous]).startswith(previous.rstrip("?"))


@pytest.mark.parametrize(
    ("question", "previous"),
    [
        # 'die/dat' before a noun, after a preposition, an auxiliary or the opening verb: at any length
        (
            "Is dat programma ooit door een extern bureau geëvalueerd, en wat waren de conclusies?",
            "Wat doet het wijkprogramma in Tilburg?",
        ),
        ("Hoeveel bewoners hebben zich sinds de start in die app aangemeld?", "Hoe meldt Leiden overlast van ratten?"),
        ("Welke afdeling zat achter dat dashboard?", "Welke dashboards gebruikt Breda?"),
        ("Do any of those partners pay for the platform themselves?", "Which partners joined the Breda platform?"),
        # the pronoun 'dat' after an auxiliary, in a follow-up that says 'En' and is long enough to stand alone
        ("En hoe is dat bij jongeren veranderd sinds de pandemie?", "Hoeveel inwoners helpen hun buren?"),
        # 'daar-' and the particle 'dan' in the first clause, at any length
        (
            "Hoe vaak worden daar nieuwe meetgegevens aan toegevoegd, en door welke dienst?",
            "Wat toont het luchtkwaliteitsportaal van Eindhoven?",
        ),
        ("Wie betaalt dan de kosten van het onderhoud van de sensoren?", "Hoe werken de parkeersensoren in Delft?"),
        # 'het' as an object or subject, and an ordinal whose list came before
        ("Sinds wanneer mag iedereen het gebruiken?", "Wat is de open dataset van Groningen?"),
        ("Voor wie is het juist niet geschikt?", "Hoe werkt de schuldhulpapp van Almere?"),
        ("Wat houdt het tweede principe in?", "Welke principes staan in de datastrategie van Delft?"),
    ],
)
def test_pointers_in_longer_follow_ups_carry_the_subject(question, previous):
    assert is_follow_up(question)
    assert condense(question, [previous]).startswith(previous.rstrip("?"))


@pytest.mark.parametrize(
    "question",
    [
        "Welke gemeenten die met sensoren werken, delen de gegevens openbaar?",  # the relative 'die'
        "Klopt het dat gemeenten elk algoritme moeten registreren?",  # the conjunction 'dat'
        "Waarom is dit onderzoek gedaan, en door wie?",  # 'dit': the document at hand
        "Met welke gegevens werkte de audit in Breda en wat heeft die audit opgeleverd?",  # points within itself
        "Zijn inwoners van kleine gemeenten tevredener over hun gemeente dan die van grote?",  # comparative 'dan'
        "Hebben jongeren minder vertrouwen in de overheid dan ouderen?",
        "Wat is het derde thema van de negen thema's in het rapport?",  # the list follows the ordinal
    ],
)
def test_standalone_questions_with_pointer_words_stay_standalone(question):
    assert not is_follow_up(question)
    assert condense(question, ["Hoe werkt het wijkprogramma in Tilburg?"]) == question
