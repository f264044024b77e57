"""The Chat tab: ask, follow up, read the cited passages and pages, give feedback, come back later.

Every finished turn is saved (`ui.conversations`) under the user's login name ("" without login),
so a reload reopens the open conversation (its id is kept in the browser's storage) and the
sidebar lists the earlier ones to reopen, rename, delete and search. The filters say on
screen when they narrow the answers; "Nieuw gesprek" clears them too.
"""

from __future__ import annotations

import hashlib
import inspect
import keyword
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import gradio as gr

from assistant.schema import Answer
from ui import render
from ui.context import AppContext, export_dir, private_files, username
from ui.export import write_conversation
from ui.feedback import VERDICTS
from ui.page_view import best_cited_page
from ui.suggestions import suggest

EMPTY_QUESTION = "Typ eerst een vraag in het vak hierboven."
EMPTY_QUESTION_HTML = f'<p role="status">{EMPTY_QUESTION}</p>'
NO_HINT = ""  # the hint under the question box holds a <p> when it says something (ui/style.py hides it otherwise)
STOP_LABEL = "Stop"

# the sources panel reports a click on a card's "Bekijk ..." button to the server (Gradio's gr.HTML trigger)
SOURCES_JS = """
element.addEventListener('click', function (event) {
  var button = event.target.closest ? event.target.closest('button.bron-bekijk') : null;
  if (!button) { return; }
  trigger('click', {turn: Number(button.dataset.turn), n: Number(button.dataset.n)});
});
"""


@dataclass
class ChatTab:
    filters: list  # the filter dropdowns, in `filter_labels` order: other tabs refresh their choices


def filter_labels(ctx: AppContext) -> dict[str, str]:
    """The chat's filters with their labels: one per facet of the corpus profile, then the document. The
    profile is read once, so this is the same set of dropdowns the app was built with."""
    return render.filter_labels(ctx.assistant.facet_labels())


def facets_updates(ctx: AppContext) -> list:
    """New choices for the filter dropdowns, from what the store holds now."""
    choices = render.filter_choices(ctx.assistant.facets())
    return [gr.update(choices=choices.get(key, []), value="") for key in filter_labels(ctx)]


def name_parameters(fn, names: list[str]):
    """`fn(request, *values)` with a signature that names each value: gradio's API lists an event's
    parameters by these names (the filters are the corpus profile's facets), not as param_1, param_2 ...
    Names that cannot be parameters leave `fn` as it is."""
    if len({"request", *names}) != len(names) + 1 or not all(n.isidentifier() and not keyword.iskeyword(n) for n in names):
        return fn
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    request = inspect.Parameter("request", kind, annotation=gr.Request)
    fn.__signature__ = inspect.Signature([request, *(inspect.Parameter(n, kind) for n in names)])
    return fn


def _feedback_choices(turns):
    return [(f"{i}. {q[:70]}", i) for i, (q, _) in enumerate(turns, 1)]


def _storage_secret(ctx: AppContext) -> str:
    """The key the browser's copy of the open conversation id is sealed with: stable across restarts of
    this installation, so a reload after a restart still reopens it (the id alone opens nothing: the
    server checks that the conversation is the user's own)."""
    return hashlib.sha256(f"datalessen|{Path(ctx.settings.home).resolve()}".encode()).hexdigest()[:32]


@dataclass
class Sidebar:
    """The saved conversations, beside every tab (a gr.Sidebar must stand outside gr.Tabs)."""

    search: gr.Textbox
    conversations: gr.Radio
    title: gr.Textbox
    rename: gr.Button
    delete: gr.Button
    status: gr.Markdown


def picked_option(evt: gr.SelectData) -> str:
    """A suggested follow-up under the last answer was clicked: it becomes the question."""
    return evt.value


def build_sidebar() -> Sidebar:
    """Lay out the sidebar; `build` wires its events."""
    with gr.Sidebar(label="Gesprekken", open=True, elem_id="gesprekken", width=300):
        gr.Markdown("### Uw gesprekken")
        search = gr.Textbox(label="Zoeken in gesprekken", placeholder="Woord uit een vraag of antwoord", elem_id="gesprek-zoeken")
        conversations = gr.Radio([], label="Eerdere gesprekken (nieuwste eerst)", elem_id="gesprekslijst")
        with gr.Accordion("Dit gesprek hernoemen of verwijderen", open=False, elem_id="gesprek-beheer"):
            title = gr.Textbox(label="Naam van dit gesprek", elem_id="gesprek-naam")
            with gr.Row():
                rename = gr.Button("Naam wijzigen", size="sm", elem_id="gesprek-hernoem")
                delete = gr.Button("Verwijderen", size="sm", variant="stop", elem_id="gesprek-verwijder")
        status = gr.Markdown(elem_id="gesprek-status")
    return Sidebar(search, conversations, title, rename, delete, status)


def build(ctx: AppContext, examples: tuple[str, ...], demo: gr.Blocks, sidebar: Sidebar) -> ChatTab:
    assistant = ctx.assistant
    store = ctx.conversations
    labels = filter_labels(ctx)  # gradio needs its components at build time: one dropdown each
    filter_keys = list(labels)

    def chosen_filters(values) -> dict[str, str]:
        return {k: v for k, v in zip(filter_keys, values) if v}

    def suggestions_for(turns) -> list[str]:
        if not turns:
            return []
        return suggest(turns[-1][1], assistant.document_passages, assistant.documents())

    def conversation_view(turns):
        """What the chat area shows for these turns: messages (with suggestions), sources, feedback choices."""
        choices = gr.update(choices=_feedback_choices(turns), value=len(turns) if turns else None)
        return render.chat_messages(turns, suggestions_for(turns)), render.sources_html(turns), choices

    def conversation_list(user: str, search: str = "", selected: str | None = None):
        items = store.list(user, search)
        ids = {c.id for c in items}
        return gr.update(choices=render.conversation_choices(items), value=selected if selected in ids else None)

    # -- asking ---------------------------------------------------------------------------

    def ask(request: gr.Request, question, *values):
        """`values`: one per filter dropdown, then the turns and the conversation id."""
        *filter_values, turns, cid = values
        asked_in = cid
        question = (question or "").strip()
        turns = list(turns or [])
        if not question:  # a hint beside the box, no error overlay over the chat
            yield (*[gr.skip()] * 8, EMPTY_QUESTION_HTML, gr.update(visible=False))
            return
        filters = chosen_filters(filter_values)
        history = [q for q, _ in turns]
        shown = None  # the conversation so far, rendered only when an answer streams (the extractive one does not)
        text, final, streamed = "", None, False
        try:
            for item in assistant.stream(question, history=history, filters=filters):
                if isinstance(item, Answer):
                    final = item
                    break
                text += item
                streamed = True
                if shown is None:
                    shown = render.chat_messages(turns) + [{"role": "user", "content": render.question_message(question)}]
                provisional = shown + [{"role": "assistant", "content": render.provisional_message(text)}]
                yield (provisional, *[gr.skip()] * 7, NO_HINT, gr.update(visible=True))
        except ValueError as exc:  # an unknown filter
            raise gr.Error(str(exc), title="Fout") from exc
        if final is None:
            raise gr.Error("Er kwam geen antwoord; probeer het opnieuw.", title="Fout")
        if final.abstained and not final.citations and filters:  # say why, or the user blames the corpus
            shown_filters = ", ".join(f"{labels[k].lower()} {v}" for k, v in filters.items())
            final.warnings.append(f"binnen de gekozen filters ({shown_filters}) staat geen passage; wis ze en vraag opnieuw.")
        user = username(request)
        saved = store.record(cid, user, question, final)  # in a new conversation when `cid` is not the user's
        cid = saved.cid
        turns.append((question, final))
        chat, sources, choices = conversation_view(turns)
        # the list is read again only when its order changes (measured: reading it after every answer cost
        # ~10% of the app's time with 20 sessions)
        # what did not change is sent as its plain value: Gradio handles a gr.skip() or gr.update() of a
        # component by building that component anew (measured: the list's skip alone ~1.5 ms per answer)
        listing = conversation_list(user, selected=cid) if saved.moved else cid
        same_cid = gr.skip() if cid == asked_in else cid  # a State's skip costs nothing
        stop_button = gr.update(visible=False) if streamed else STOP_LABEL
        yield chat, sources, turns, choices, "", same_cid, cid, listing, NO_HINT, stop_button

    def ask_once(request: gr.Request, question, *values):
        """`ask` in one reply, for an answerer that does not stream (the offline one): Gradio handles a
        generator with a second round through its queue and a second message to the browser after the
        last piece, which this spares every answer."""
        *_, last = ask(request, question, *values)
        return last

    asked = ask if getattr(assistant.answerer, "streams", True) else ask_once
    name_parameters(asked, ["question", *filter_keys, "turns", "cid"])

    def stopped(turns):
        """The stop button: the half-streamed text goes, the saved conversation stays as it was."""
        chat, _, _ = conversation_view(list(turns or []))
        note = '<p role="status">Gestopt: dit antwoord is niet bewaard.</p>'
        return chat, note, gr.update(visible=False)

    # -- conversations --------------------------------------------------------------------

    def cleared_filters():
        return [gr.update(value="") for _ in filter_keys]

    def new_conversation(request: gr.Request):
        empty_choices = gr.update(choices=[], value=None)
        hidden = gr.update(value=None, visible=False)
        listing = conversation_list(username(request))
        return (
            [],
            render.sources_html([]),
            [],
            empty_choices,
            "",
            hidden,
            "Nieuw gesprek gestart.",
            "",
            "",
            listing,
            "",
            *cleared_filters(),
            NO_HINT,
            gr.update(visible=False),
        )

    def open_conversation(cid, request: gr.Request):
        user = username(request)
        turns = store.turns(cid, user) if cid else None
        if turns is None:
            raise gr.Error("Dat gesprek bestaat niet (meer) of is niet van u.", title="Niet gevonden")
        chat, sources, choices = conversation_view(turns)
        title = store.get(cid, user).title
        return chat, sources, turns, choices, cid, cid, title, NO_HINT

    def restore(cid, request: gr.Request):
        """On page load: reopen the conversation this browser had open, if it is still the user's."""
        user = username(request)
        turns = store.turns(cid, user) if cid else None
        if turns is None:
            return [], render.sources_html([]), [], gr.update(choices=[], value=None), "", "", conversation_list(user), ""
        chat, sources, choices = conversation_view(turns)
        return chat, sources, turns, choices, cid, cid, conversation_list(user, selected=cid), store.get(cid, user).title

    def search_conversations(term, cid, request: gr.Request):
        return conversation_list(username(request), term or "", selected=cid)

    def rename_conversation(cid, title, search, request: gr.Request):
        user = username(request)
        if not cid:
            raise gr.Error("Open of begin eerst een gesprek.", title="Geen gesprek")
        try:
            renamed = store.rename(cid, user, title or "")
        except ValueError as exc:
            raise gr.Error(str(exc), title="Naam ontbreekt") from exc
        if not renamed:
            raise gr.Error("Dat gesprek bestaat niet (meer) of is niet van u.", title="Niet gevonden")
        return conversation_list(user, search or "", selected=cid), "Naam gewijzigd."

    def delete_conversation(cid, request: gr.Request):
        if not cid or not store.delete(cid, username(request)):
            raise gr.Error("Er is geen bewaard gesprek open om te verwijderen.", title="Geen gesprek")
        return (*new_conversation(request), "Gesprek verwijderd.")

    def conversations(search: str = "", request: gr.Request = None) -> list[dict]:
        """The user's saved conversations as data (newest first): id, title, date (UTC) and number of turns."""
        items = store.list(username(request), search or "")
        return [{"id": c.id, "title": c.title, "date": c.date, "turns": c.turns} for c in items]

    # -- the cited page -------------------------------------------------------------------

    def cited_view(turns, turn: int, n: int) -> str:
        turns = list(turns or [])
        if not 1 <= turn <= len(turns):
            raise gr.Error(f"Er is geen antwoord {turn} in dit gesprek.", title="Niet gevonden")
        citation = next((c for c in turns[turn - 1][1].citations if c.n == n), None)
        if citation is None:
            raise gr.Error(f"Antwoord {turn} heeft geen bron [{n}].", title="Niet gevonden")
        quotes = [q for q in (citation.quotes or [citation.quote]) if q]
        if render.is_pdf(citation) and Path(citation.source).is_file():
            image = best_cited_page(Path(citation.source), citation.page, quotes, Path(ctx.settings.home) / "paginas")
            if image is not None:
                return render.cited_page_html(citation, image.path.read_bytes(), image.page, image.pages, image.marks)
        section = [p for p in assistant.document_passages(citation.doc_id) if p.section == citation.section]
        return render.section_view_html(citation, section)

    def show_cited(turns, evt: gr.EventData):
        data = getattr(evt, "_data", None) or {}
        if "turn" not in data or "n" not in data:  # a click elsewhere in the panel
            return gr.skip(), gr.skip()
        return cited_view(turns, int(data["turn"]), int(data["n"])), gr.update(visible=True)

    def cited_page(conversation: str, turn: int, n: int, request: gr.Request) -> str:
        """The cited page (PDF) or section (other formats) of source [n] of answer `turn` of a saved conversation."""
        turns = store.turns(conversation, username(request))
        if turns is None:
            raise gr.Error("Dat gesprek bestaat niet (meer) of is niet van u.", title="Niet gevonden")
        return cited_view(turns, int(turn), int(n))

    # -- feedback and export --------------------------------------------------------------

    def give_feedback(turn, verdict, comment, turns, request: gr.Request):
        turns = list(turns or [])
        if not turns:
            raise gr.Error("Stel eerst een vraag; feedback hoort bij een antwoord.", title="Nog geen antwoord")
        try:
            index = int(turn) if turn not in (None, "") else len(turns)
        except (TypeError, ValueError):
            index = len(turns)
        if not 1 <= index <= len(turns):
            raise gr.Error(f"Er is geen antwoord {turn} in dit gesprek.", title="Niet gevonden")
        if not verdict:
            raise gr.Error("Kies eerst een oordeel.", title="Oordeel ontbreekt")
        _, answer = turns[index - 1]
        try:
            row = ctx.feedback.add(answer, verdict, comment=comment or "", user=username(request), settings=ctx.settings)
        except ValueError as exc:
            raise gr.Error(str(exc), title="Fout") from exc
        return f"Dank u: oordeel '{verdict}' op antwoord {index} is opgeslagen (nr. {row}).", ""

    def export_conversation(turns):
        turns = list(turns or [])
        if not turns:
            raise gr.Error("Er is nog geen gesprek om te exporteren.", title="Nog geen gesprek")
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        md_path, json_path = write_conversation(turns, export_dir("gesprek"), stem=f"gesprek-{stamp}")
        return gr.update(value=private_files(md_path, json_path), visible=True)

    def filter_status(*values):
        chosen = chosen_filters(values)
        facets = assistant.facets() if chosen.get(render.DOCUMENT_FILTER) else {}
        titles = dict(zip(facets.get("document", []), facets.get("document_titles", [])))
        html = render.active_filters_html(chosen, labels, titles)
        return gr.update(value=html, visible=bool(html)), gr.update(visible=bool(html))

    # -- layout ---------------------------------------------------------------------------

    choices = render.filter_choices(assistant.facets())
    conv_search, conv_list, conv_title = sidebar.search, sidebar.conversations, sidebar.title
    rename_btn, delete_btn, conv_status = sidebar.rename, sidebar.delete, sidebar.status
    with gr.Tab("Chat", id="chat"), gr.Row(elem_id="chat-rij"):
        # inside the tab: a component loose in gr.Tabs becomes a tab of its own
        turns_state = gr.State([])
        cid_state = gr.State("")
        stored_cid = gr.BrowserState("", storage_key="datalessen-open-gesprek", secret=_storage_secret(ctx))
        gr.api(cited_page, api_name="cited_page")
        gr.api(conversations, api_name="conversations")
        open_by_id = gr.Textbox(visible="hidden", label="Gesprek-id")
        with gr.Column(scale=3, min_width=320):
            chatbot = gr.Chatbot(
                label="Gesprek",
                height=520,
                buttons=["copy"],
                feedback_options=None,
                latex_delimiters=[],
                elem_id="chat",
                placeholder="Stel een vraag over het rapport of een van de cases, of kies een voorbeeld hieronder.",
            )
            filters_line = gr.HTML("", elem_id="actieve-filters", js_on_load=None, visible=False)
            reset_filters = gr.Button("Filters wissen", size="sm", visible=False, elem_id="filters-wissen")
            with gr.Row(equal_height=True):
                question = gr.Textbox(
                    label="Uw vraag",
                    placeholder="Bijv. Wat is het doel van slim vegen in Utrecht?",
                    scale=5,
                    elem_id="vraag",
                    lines=1,
                )
                send = gr.Button("Vraag", variant="primary", scale=1, min_width=90, elem_id="verstuur")
                stop = gr.Button(STOP_LABEL, variant="stop", scale=1, min_width=90, visible=False, elem_id="stop")
            # always "visible", hidden by the style sheet while it holds no message: every answer clears it with a
            # plain value, which Gradio sends as it is (a visibility change makes it build the component anew)
            hint = gr.HTML(NO_HINT, elem_id="vraag-hint", js_on_load=None)
            with gr.Row():
                example_buttons = [gr.Button(q, size="sm", elem_classes=["voorbeeld"]) for q in examples]
            with gr.Accordion("Filters", open=False, elem_id="filters"):
                facet_dropdowns = []
                facet_keys = [key for key in filter_keys if key != render.DOCUMENT_FILTER]
                if facet_keys:  # none without a corpus profile: then only the document
                    with gr.Row():
                        facet_dropdowns = [
                            gr.Dropdown(choices[key], value="", label=labels[key], elem_id=f"filter-{key}") for key in facet_keys
                        ]
                f_document = gr.Dropdown(
                    choices[render.DOCUMENT_FILTER], value="", label=labels[render.DOCUMENT_FILTER], elem_id="filter-document"
                )
            with gr.Row():
                new = gr.Button("Nieuw gesprek", elem_id="nieuw-gesprek")
                export_btn = gr.Button("Gesprek exporteren (Markdown + JSON)")
            export_files = gr.File(label="Export", file_count="multiple", interactive=False, visible=False)
            with gr.Accordion("Feedback op een antwoord", open=True):
                with gr.Row():
                    fb_turn = gr.Dropdown([], label="Antwoord", scale=2)
                    fb_verdict = gr.Radio(list(VERDICTS.values()), label="Oordeel", scale=3)
                fb_comment = gr.Textbox(label="Opmerking (optioneel)", lines=2)
                fb_send = gr.Button("Feedback versturen")
                fb_status = gr.Markdown()
        with gr.Column(scale=2, min_width=300, elem_id="bronnen-kolom"):
            gr.Markdown("### Bronnen")
            # the cited page or section opens at the top of the panel, over the list, until "terug"
            with gr.Column(visible=False, elem_id="paginaweergave") as page_panel:
                page_back = gr.Button("← Terug naar de bronnen", size="sm", elem_id="terug-naar-bronnen")
                page_view = gr.HTML("", elem_id="pagina", js_on_load=None, max_height=760)
            sources = gr.HTML(render.sources_html([]), elem_id="bronnen-paneel", js_on_load=SOURCES_JS, max_height=760)

    # -- events ---------------------------------------------------------------------------

    filters = [*facet_dropdowns, f_document]
    ask_inputs = [question, *filters, turns_state, cid_state]
    ask_outputs = [chatbot, sources, turns_state, fb_turn, question, cid_state, stored_cid, conv_list, hint, stop]
    # the stop button shows only while an answer streams: an answer that completes hides it itself, a stopped
    # one is hidden by `stopped`; only a failed one needs this (after every answer it cost a browser a second
    # trip through the queue)
    hide_stop = {"fn": lambda: gr.update(visible=False), "outputs": stop, "api_visibility": "private"}
    asking = gr.on([send.click, question.submit], asked, inputs=ask_inputs, outputs=ask_outputs, api_name="ask")
    asking.failure(**hide_stop)
    pending = [asking]
    for button, text in zip(example_buttons, examples):
        chosen = button.click(lambda t=text: t, outputs=question, api_visibility="private")
        pending.append(chosen.then(asked, inputs=ask_inputs, outputs=ask_outputs, api_visibility="private"))
        pending[-1].failure(**hide_stop)
    picked = chatbot.option_select(picked_option, outputs=question, api_visibility="private")
    pending.append(picked.then(asked, inputs=ask_inputs, outputs=ask_outputs, api_visibility="private"))
    pending[-1].failure(**hide_stop)
    # not queued: with every worker busy streaming, a queued stop waited for the answer it should stop
    stopping = stop.click(
        stopped, inputs=turns_state, outputs=[chatbot, hint, stop], cancels=pending, queue=False, api_visibility="private"
    )
    # a streamed piece already on its way can land after that reply and put the half text back (seen once in
    # CI, on a busy machine); a second pass through the queue travels the stream those pieces travel, after them
    stopping.then(stopped, inputs=turns_state, outputs=[chatbot, hint, stop], api_visibility="private")

    for dropdown in filters:
        dropdown.change(filter_status, inputs=filters, outputs=[filters_line, reset_filters], api_visibility="private")
    reset_filters.click(cleared_filters, outputs=filters, api_name="reset_filters")

    new_outputs = [chatbot, sources, turns_state, fb_turn, question, export_files, fb_status, cid_state, stored_cid]
    new_outputs += [conv_list, conv_title, *filters, hint, page_panel]
    new.click(new_conversation, outputs=new_outputs, api_name="new_conversation")
    chatbot.clear(new_conversation, outputs=new_outputs, api_visibility="private")

    opened = [chatbot, sources, turns_state, fb_turn, cid_state, stored_cid, conv_title, hint]
    conv_list.input(open_conversation, inputs=conv_list, outputs=opened, api_name="open_from_list", api_visibility="private")
    # the API opens by id, whatever this session's list holds (a Radio accepts only the choices it was sent)
    open_by_id.submit(open_conversation, inputs=open_by_id, outputs=opened, api_name="open_conversation")
    restored = [chatbot, sources, turns_state, fb_turn, cid_state, stored_cid, conv_list, conv_title]
    demo.load(restore, inputs=stored_cid, outputs=restored, api_visibility="private")
    conv_search.change(search_conversations, inputs=[conv_search, cid_state], outputs=conv_list, api_name="search_conversations")
    rename_btn.click(
        rename_conversation,
        inputs=[cid_state, conv_title, conv_search],
        outputs=[conv_list, conv_status],
        api_name="rename_conversation",
    )
    delete_btn.click(delete_conversation, inputs=cid_state, outputs=[*new_outputs, conv_status], api_name="delete_conversation")

    sources.click(show_cited, inputs=turns_state, outputs=[page_view, page_panel], api_visibility="private")
    page_back.click(lambda: gr.update(visible=False), outputs=page_panel, api_visibility="private")

    fb_send.click(
        give_feedback,
        inputs=[fb_turn, fb_verdict, fb_comment, turns_state],
        outputs=[fb_status, fb_comment],
        api_name="feedback",
    )
    export_btn.click(export_conversation, inputs=turns_state, outputs=export_files, api_name="export_conversation")
    return ChatTab(filters=filters)
