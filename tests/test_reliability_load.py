"""Reliability (issue 14, the probe that held): load and hostile text through the real app.

- 20 and then 50 sessions at once (gradio_client, one thread each) ask five questions each in their
  own order: all 350 answers and source panels equal the ones the same app gave to one session
  asking alone (the app's queue runs two at a time; nothing may leak between sessions).
- XSS payloads in every field a user or a document controls (file name, front matter, headings,
  text, the question, a feedback comment, a lessons theme) come back escaped, never as markup.
"""

from __future__ import annotations

import random
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("gradio_client")
from gradio_client import Client, handle_file

from assistant.api import Assistant
from ingest.pipeline import ingest_into
from tests.ui_support import running_app

pytestmark = pytest.mark.slow  # a real server, many sessions

QUESTIONS = (
    "Wat is het doel van slim vegen in Utrecht?",
    "Welke succesfactoren noemt het rapport?",
    "Hoe werd de fundering van woningen in Zaanstad onderzocht?",
    "Welke lessen zijn er over opschaling?",
    "Hoeveel kost een kop koffie op Mars?",
)


def session_client(url: str) -> Client:
    """A session that waits as long as a browser would: the test checks what 50 sessions get, not how fast
    (a shared 2-core machine under other load took longer than httpx's 5 s default to answer some)."""
    return Client(url, verbose=False, httpx_kwargs={"timeout": 120})


def ask(client: Client, question: str) -> tuple[str, str]:
    chat, sources = client.predict(question, "", "", "", "", api_name="/ask")[:2]
    return str(chat[-1]["content"]), re.sub(r'id="vraag-\d+"', "", sources.split('<section class="bron-beurt"')[1])


@pytest.fixture(scope="module")
def corpus_app(tmp_path_factory):
    from assistant.settings import Settings
    from tests.fakes import HashEmbeddings

    settings = Settings(home=tmp_path_factory.mktemp("load-home"), min_dense_similarity=0.0)
    bot = Assistant(settings, embeddings=HashEmbeddings())
    assert ingest_into(bot, [settings.corpus_dir]).ok
    with running_app(bot) as url:
        yield bot, url


@pytest.mark.parametrize("sessions", [20, 50])
def test_concurrent_sessions_get_the_answers_one_session_gets(corpus_app, sessions):
    _, url = corpus_app
    alone = {}
    for question in QUESTIONS:
        alone[question] = ask(session_client(url), question)  # a new conversation for each: no history

    def one_session(seed: int) -> list[tuple[str, tuple[str, str]]]:
        order = list(QUESTIONS)
        random.Random(seed).shuffle(order)
        out = []
        for question in order:
            out.append((question, ask(session_client(url), question)))
        return out

    with ThreadPoolExecutor(max_workers=sessions) as pool:
        results = [pair for session in pool.map(one_session, range(sessions)) for pair in session]
    assert len(results) == sessions * len(QUESTIONS)
    different = [question for question, got in results if got != alone[question]]
    assert not different, f"{len(different)} of {len(results)} answers differ from the one asked alone: {different[:3]}"


PAYLOADS = ('<script>alert("x")</script>', '<img src=x onerror="alert(1)">', "javascript:alert(1)", '"><svg onload=alert(1)>')
MARKUP = re.compile(r"<script|<img src=x|<svg onload|onerror=\"alert", re.I)


def test_hostile_text_comes_back_escaped(corpus_app, tmp_path):
    bot, url = corpus_app
    payload = " ".join(PAYLOADS)
    doc = tmp_path / "kwaadaardig-img-onerror.md"
    doc.write_text(
        f'---\ntitle: "Titel {PAYLOADS[0]}"\ngemeente: "{PAYLOADS[1]}"\nkind: case\n---\n\n# Kop {PAYLOADS[3]}\n\n'
        f"Het waterschap Vechtstromen meet {payload} de dijken met glasvezel.\n",
        encoding="utf-8",
    )
    client = Client(url, verbose=False)
    try:
        status, documents, *_ = client.predict([handle_file(str(doc))], api_name="/upload")
        assert "toegevoegd 1" in status
        chat, sources = client.predict(f"Hoe meet Vechtstromen de dijken {payload}?", "", "", "", "", api_name="/ask")[:2]
        feedback, _ = client.predict(1, "juist", payload, api_name="/feedback")
        lessons, _ = client.predict("Opschaling", payload, api_name="/lessons")  # free text wins
        _, _, summary = client.predict(api_name="/evaluation")
        doc_id = next(d["doc_id"] for d in bot.documents() if d["document"] == doc.name)
        reading = client.predict(doc_id, api_name="/read_document")
        shown = {
            "documents": documents,
            "question": str(chat[0]["content"]),
            "answer": str(chat[-1]["content"]),
            "sources": sources,
            "feedback summary": summary,
            "lessons": lessons,
            "document": reading,
            "status": feedback,
        }
        assert "glasvezel" in sources and "&lt;script&gt;" in sources  # the text is there, escaped
        leaks = {name: MARKUP.findall(html) for name, html in shown.items() if MARKUP.search(html)}
        assert not leaks, leaks
    finally:
        from tests.ui_support import remove_uploads

        remove_uploads(bot)
