"""The Chat tab: ask, follow up, read the cited passages, give feedback, export the conversation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import gradio as gr

from assistant.schema import Answer
from ui import render
from ui.context import AppContext, export_dir, private_files, username
from ui.export import write_conversation
from ui.feedback import VERDICTS

FILTER_KEYS = ("gemeente", "domein", "kind", "document")


@dataclass
class ChatTab:
    filters: list  # the filter dropdowns, in FILTER_KEYS order: other tabs refresh their choices


def facets_updates(ctx: AppContext) -> list:
    """New choices for the filter dropdowns, from what the store holds now."""
    choices = render.filter_choices(ctx.assistant.facets())
    return [gr.update(choices=choices[key], value="") for key in FILTER_KEYS]


def _feedback_choices(turns):
    return [(f"{i}. {q[:70]}", i) for i, (q, _) in enumerate(turns, 1)]


def build(ctx: AppContext, examples: tuple[str, ...]) -> ChatTab:
    assistant = ctx.assistant

    def ask(question, gemeente, domein, kind, document, turns):
        question = (question or "").strip()
        turns = list(turns or [])
        if not question:
            raise gr.Error("Typ eerst een vraag.")
        filters = {k: v for k, v in zip(FILTER_KEYS, (gemeente, domein, kind, document)) if v}
        history = [q for q, _ in turns]
        shown = render.chat_messages(turns) + [{"role": "user", "content": render.question_message(question)}]
        text, final = "", None
        try:
            for item in assistant.stream(question, history=history, filters=filters):
                if isinstance(item, Answer):
                    final = item
                    break
                text += item
                provisional = shown + [{"role": "assistant", "content": render.provisional_message(text)}]
                yield provisional, gr.skip(), gr.skip(), gr.skip(), gr.skip()
        except ValueError as exc:  # an unknown filter, an empty question after trimming
            raise gr.Error(str(exc)) from exc
        if final is None:
            raise gr.Error("Er kwam geen antwoord; probeer het opnieuw.")
        turns.append((question, final))
        choices = gr.update(choices=_feedback_choices(turns), value=len(turns))
        yield render.chat_messages(turns), render.sources_html(turns), turns, choices, ""

    def new_conversation():
        empty_choices = gr.update(choices=[], value=None)
        hidden = gr.update(value=None, visible=False)
        return [], render.sources_html([]), [], empty_choices, "", hidden, "Nieuw gesprek gestart."

    def give_feedback(turn, verdict, comment, turns, request: gr.Request):
        turns = list(turns or [])
        if not turns:
            raise gr.Error("Stel eerst een vraag; feedback hoort bij een antwoord.")
        try:
            index = int(turn) if turn not in (None, "") else len(turns)
        except (TypeError, ValueError):
            index = len(turns)
        if not 1 <= index <= len(turns):
            raise gr.Error(f"Er is geen antwoord {turn} in dit gesprek.")
        if not verdict:
            raise gr.Error("Kies eerst een oordeel.")
        _, answer = turns[index - 1]
        try:
            row = ctx.feedback.add(answer, verdict, comment=comment or "", user=username(request), settings=ctx.settings)
        except ValueError as exc:
            raise gr.Error(str(exc)) from exc
        return f"Dank u: oordeel '{verdict}' op antwoord {index} is opgeslagen (nr. {row}).", ""

    def export_conversation(turns):
        turns = list(turns or [])
        if not turns:
            raise gr.Error("Er is nog geen gesprek om te exporteren.")
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        md_path, json_path = write_conversation(turns, export_dir("gesprek"), stem=f"gesprek-{stamp}")
        return gr.update(value=private_files(md_path, json_path), visible=True)

    choices = render.filter_choices(assistant.facets())
    with gr.Tab("Chat", id="chat"), gr.Row():
        turns_state = gr.State([])  # inside the tab: a component loose in gr.Tabs becomes a tab of its own
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                label="Gesprek",
                height=520,
                buttons=["copy"],
                feedback_options=None,
                latex_delimiters=[],
                elem_id="chat",
                placeholder="Stel een vraag over het rapport of een van de cases, of kies een voorbeeld hieronder.",
            )
            with gr.Row():
                question = gr.Textbox(
                    label="Uw vraag",
                    placeholder="Bijv. Wat is het doel van slim vegen in Utrecht?",
                    scale=5,
                    elem_id="vraag",
                    lines=1,
                )
                send = gr.Button("Vraag", variant="primary", scale=1, elem_id="verstuur")
            with gr.Row():
                example_buttons = [gr.Button(q, size="sm", elem_classes=["voorbeeld"]) for q in examples]
            with gr.Accordion("Filters", open=False):
                with gr.Row():
                    f_gemeente = gr.Dropdown(choices["gemeente"], value="", label="Gemeente")
                    f_domein = gr.Dropdown(choices["domein"], value="", label="Domein")
                    f_kind = gr.Dropdown(choices["kind"], value="", label="Soort document")
                f_document = gr.Dropdown(choices["document"], value="", label="Document")
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
        with gr.Column(scale=2):
            gr.Markdown("### Bronnen")
            sources = gr.HTML(render.sources_html([]), elem_id="bronnen-paneel", js_on_load=None, max_height=760)

    filters = [f_gemeente, f_domein, f_kind, f_document]
    ask_inputs = [question, *filters, turns_state]
    ask_outputs = [chatbot, sources, turns_state, fb_turn, question]
    gr.on([send.click, question.submit], ask, inputs=ask_inputs, outputs=ask_outputs, api_name="ask")
    for button, text in zip(example_buttons, examples):
        button.click(lambda t=text: t, outputs=question, api_visibility="private").then(
            ask, inputs=ask_inputs, outputs=ask_outputs, api_visibility="private"
        )
    new_outputs = [chatbot, sources, turns_state, fb_turn, question, export_files, fb_status]
    new.click(new_conversation, outputs=new_outputs, api_name="new_conversation")
    chatbot.clear(new_conversation, outputs=new_outputs, api_visibility="private")
    fb_send.click(
        give_feedback,
        inputs=[fb_turn, fb_verdict, fb_comment, turns_state],
        outputs=[fb_status, fb_comment],
        api_name="feedback",
    )
    export_btn.click(export_conversation, inputs=turns_state, outputs=export_files, api_name="export_conversation")
    return ChatTab(filters=filters)
