"""The real app on the real corpus, driven over HTTP with gradio_client as a browser would call it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("gradio_client")
from gradio_client import Client, handle_file

from tests.ui_support import remove_uploads, running_app
from ui.database import SQLITE_NAME

pytestmark = pytest.mark.slow
QUOTE = "voorspellen welke rijroutes voor de veegwagens het meest zinvol zijn"


@pytest.fixture(scope="module")
def app_url(corpus_assistant):
    with running_app(corpus_assistant) as url:
        yield url
    remove_uploads(corpus_assistant)


def _text(message: dict) -> str:
    content = message["content"]
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def _files(output) -> list[Path]:
    """A File output as the client returns it: paths, or an update that also makes the component visible."""
    if isinstance(output, dict):
        assert output.get("visible") is True
        output = output["value"]
    return [Path(p) for p in output]


def _ask(client, question, gemeente="", domein="", kind="", document=""):
    chat, sources, choice, box, _listing, _hint, _stop = client.predict(
        question, gemeente, domein, kind, document, api_name="/ask"
    )
    return chat, sources, choice, box


def test_ask_answers_with_citations_and_sources(app_url):
    client = Client(app_url, verbose=False)
    chat, sources, choice, box = _ask(client, "Wat is het doel van slim vegen in Utrecht?")
    assert [m["role"] for m in chat] == ["user", "assistant"]
    answer = _text(chat[-1])
    assert QUOTE in answer and 'href="#bron-1-' in answer  # [n] links to its source card
    assert 'id="bron-1-1"' in sources and "Case: Slim vegen – gemeente Utrecht" in sources
    assert f"<mark>Doel: {QUOTE}.</mark>" in sources  # the quote marked inside its passage
    assert choice["value"] == 1 and box == ""

    # a follow-up carries the earlier question as history: the same case is still found
    chat, sources, choice, _ = _ask(client, "En welke risico's wil men daarbij voorkomen?")
    assert len(chat) == 4 and choice["value"] == 2
    assert 'id="vraag-2"' in sources and "datalek" in _text(chat[-1])

    # a question the corpus cannot answer gets the abstention look
    chat, sources, _, _ = _ask(client, "Hoeveel kost een kop koffie op Mars?")
    assert "onthouding-label" in _text(chat[-1]) and 'class="onthouding"' in sources

    # "Nieuw gesprek" forgets the conversation
    chat, sources, choice, *_ = client.predict(api_name="/new_conversation")
    assert chat == [] and "bronnen-leeg" in sources


def _newest_files(sources: str) -> set[str]:
    """The file names on the source cards of the newest answer (the panel lists newest first)."""
    newest = sources.split('<section class="bron-beurt"')[1]
    return {part.split("</div>")[0] for part in newest.split('<div class="bron-bestand">')[1:]}


def test_filters_narrow_the_sources(app_url):
    client = Client(app_url, verbose=False)
    _, sources, _, _ = _ask(
        client, "Welke lessen zijn er over opschaling?", document="case-04-voorspelmodel-startkwalificatie-zhz.md"
    )
    assert _newest_files(sources) == {"case-04-voorspelmodel-startkwalificatie-zhz.md"}
    _, sources, _, _ = _ask(client, "Welke data gebruikt het model?", gemeente="Zaanstad", kind="case")
    files = _newest_files(sources)
    assert files and all("zaanstad" in f for f in files)


def test_feedback_is_stored(app_url, corpus_assistant):
    client = Client(app_url, verbose=False)
    _ask(client, "Wat is het doel van slim vegen in Utrecht?")
    status, comment = client.predict(1, "verkeerd bewijs", "bron [1] is de feitenlijst", api_name="/feedback")
    assert "opgeslagen" in status and comment == ""
    with sqlite3.connect(corpus_assistant.settings.home / SQLITE_NAME) as db:
        row = db.execute(
            "SELECT verdict, comment, question, answer_text, citations, settings FROM feedback WHERE comment = ?",
            ("bron [1] is de feitenlijst",),
        ).fetchone()
    verdict, _, question, answer_text, citations, settings = row
    assert verdict == "wrong_evidence" and question == "Wat is het doel van slim vegen in Utrecht?"
    assert QUOTE in answer_text and json.loads(citations)[0]["n"] == 1
    assert json.loads(settings)["backend"] == "extractive"
    _, _, summary = client.predict(api_name="/evaluation")
    assert "verkeerd bewijs" in summary
    csv_path, json_path = _files(client.predict(api_name="/export_feedback"))
    assert "bron [1] is de feitenlijst" in Path(csv_path).read_text(encoding="utf-8-sig")
    assert any(r["label"] == "verkeerd bewijs" for r in json.loads(Path(json_path).read_text(encoding="utf-8")))


def test_export_conversation(app_url):
    client = Client(app_url, verbose=False)
    _ask(client, "Wat is het doel van slim vegen in Utrecht?")
    paths = _files(client.predict(api_name="/export_conversation"))
    by_suffix = {p.suffix: p for p in paths}
    markdown = by_suffix[".md"].read_text(encoding="utf-8")
    assert "## Vraag 1: Wat is het doel van slim vegen in Utrecht?" in markdown and QUOTE in markdown
    data = json.loads(by_suffix[".json"].read_text(encoding="utf-8"))
    citation = data["turns"][0]["citations"][0]
    assert all(q in citation["passage_text"] for q in citation["quotes"])
    assert any(QUOTE in q for c in data["turns"][0]["citations"] for q in c["quotes"])


def test_lessons_table_and_handout(app_url):
    client = Client(app_url, verbose=False)
    table, files = client.predict(["Menselijke tussenkomst", "Opschaling"], "", api_name="/lessons")
    assert table.count('class="les-rij') == 26  # one row per case document, per theme
    assert table.count('class="rapport-rij') == 2  # the overview, before the cases of each theme
    assert 'data-case="case-01-slim-vegen-utrecht.md"' in table and "Geen passage over dit thema" in table
    by_suffix = {p.suffix: p for p in _files(files)}
    markdown = by_suffix[".md"].read_text(encoding="utf-8")
    assert "## Menselijke tussenkomst" in markdown and "## Opschaling" in markdown
    assert by_suffix[".docx"].stat().st_size > 0
    table, _ = client.predict([], "havengeld; open data", api_name="/lessons")  # themes of one's own
    assert "Thema: havengeld" in table and "Thema: open data" in table


def test_sources_tab_lists_and_reads_documents(app_url, corpus_assistant):
    client = Client(app_url, verbose=False)
    documents, _picker, *_ = client.predict(api_name="/documents")
    assert "case-01-slim-vegen-utrecht.md" in documents and "Bevestiging" in documents
    doc_id = next(d["doc_id"] for d in corpus_assistant.documents() if d["document"].startswith("case-01"))
    reading = client.predict(doc_id, api_name="/read_document")
    assert "Menselijke tussenkomst" in reading and reading.count('class="document-passage"') == len(
        corpus_assistant.document_passages(doc_id)
    )


def test_upload_then_ask_about_it(app_url, tmp_path):
    client = Client(app_url, verbose=False)
    doc = tmp_path / "kademuren-zwolle.md"
    doc.write_text(
        "---\ntitle: Kademuren Zwolle\nkind: context\ngemeente: Zwolle\n---\n\n# Kademuren Zwolle\n\n"
        "## Meten\n\nIn Zwolle bewaken zevenendertig trillingssensoren sinds 2019 de kademuren van de "
        "Thorbeckegracht.\n",
        encoding="utf-8",
    )
    status, documents, *_ = client.predict([handle_file(str(doc))], api_name="/upload")
    assert "toegevoegd 1" in status and "kademuren-zwolle.md" in documents
    _, sources, _, _ = _ask(client, "Hoeveel trillingssensoren bewaken de kademuren van de Thorbeckegracht?")
    assert "Kademuren Zwolle" in sources and "<mark>In Zwolle bewaken zevenendertig trillingssensoren" in sources
    status, *_ = client.predict([handle_file(str(doc))], api_name="/upload")  # same file again: unchanged
    assert "ongewijzigd 1" in status


def test_an_offline_answer_reaches_the_browser_in_one_message(app_url):
    """The offline answerer does not stream, so the browser gets the whole answer once, when it is done: no
    'generating' message followed by a second copy of it (each costs the server a round through its queue)."""
    import asyncio
    import json as jsonlib
    import uuid

    from evals.bench_serve import AskEndpoint, Browser

    async def messages(question: str) -> list[dict]:
        base = app_url.rstrip("/")
        browser = Browser(base)
        status, body = await browser.request("GET", "/config")
        endpoint = AskEndpoint(base, jsonlib.loads(await body.read()))
        session = uuid.uuid4().hex[:11]
        payload = jsonlib.dumps(endpoint.payload(question, session)).encode()
        status, body = await browser.request("POST", f"{endpoint.prefix}/queue/join", payload)
        event = jsonlib.loads(await body.read())["event_id"]
        status, body = await browser.request("GET", f"{endpoint.prefix}/queue/data?session_hash={session}")
        seen = []
        async for line in body.lines():
            if line.startswith(b"data:"):
                message = jsonlib.loads(line[5:])
                if message.get("event_id") == event:
                    seen.append(message)
                    if message.get("msg") == "process_completed":
                        body.writer.close()
                        break
        return seen

    seen = asyncio.run(messages("Wat is het doel van slim vegen in Utrecht?"))
    kinds = [m["msg"] for m in seen]
    assert "process_generating" not in kinds and kinds[-1] == "process_completed", kinds
    chat = seen[-1]["output"]["data"][0]
    assert seen[-1]["success"] and QUOTE in _text(chat[-1])
