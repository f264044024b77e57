"""The answer's framing follows the language the question is asked in."""

import pytest

from assistant.text import detect_language

CASES = [
    # Dutch 'of' ('or') is no English word here
    ("Hoeveel kilometers of uren bespaart Utrecht per jaar?", "nl"),
    ("Hoeveel bewoners willen helpen met boodschappen of vervoer?", "nl"),
    ("Geef drie voorbeelden van datagedreven werken.", "nl"),
    ("Is er een dashboard voor de wijken?", "nl"),
    # a quoted title keeps its own language and does not decide the question's
    ("Wat betekent 'data-driven decision making' in dit rapport?", "nl"),
    ("Which partners joined 'De stad als dagelijks evenement' in Utrecht?", "en"),
    ("Have other ports adopted Utrecht's 'Havenmeester van de Toekomst' approach?", "en"),
    # a request without a question word
    ("Could you give me a recipe for pea soup?", "en"),
    ("What's the budget of the pilot?", "en"),
    ("Is there a dashboard for the neighbourhoods?", "en"),
    # nothing tells: Dutch first
    ("Utrecht slim vegen", "nl"),
]


@pytest.mark.parametrize("question, language", CASES)
def test_the_question_s_language_is_told_by_its_function_words(question, language):
    assert detect_language(question) == language
