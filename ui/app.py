"""The datalessen web app (Gradio): a thin shell around `assistant.api.Assistant`.

    from ui.app import build_app, launch
    demo = build_app(assistant)     # a gr.Blocks, not started
    launch(assistant)               # host, port, auth, queue and upload limit from assistant.settings

Tabs: Chat (streaming answers, sources panel, filters, feedback, export),
Lessen (a theme across all cases, handout), Bronnen (documents, what is unknown,
read, upload), Evaluatie (latest report, feedback summary). Every handler has an
explicit `api_name`, so `gradio_client` calls stay stable. No retrieval or
answering logic lives here; all text from documents is escaped in `ui.render`.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from assistant.settings import quiet_offline_environment

quiet_offline_environment()  # before gradio is imported: analytics off from the start

import gradio as gr

from assistant.access import may_upload, parse_auth
from assistant.corpus_notes import unknowns
from assistant.eval_report import DEFAULT_REPORT_DIR, latest_report
from assistant.export import write_conversation, write_handout
from assistant.feedback import VERDICTS, FeedbackStore
from assistant.lessons import PRESETS, lessons
from assistant.profile import load_profile
from assistant.schema import Answer
from assistant.uploads import UPLOAD_SUFFIXES, accept_uploads
from ui import render

SYSTEM_FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono", "monospace"]
INTRO = (
    "## datalessen\n"
    "Vragen over het rapport *Datagedreven innovatie in gemeenten (2021): de lessen van 18 dataprojecten* "
    "(A&O fonds Gemeenten) en de cases. Elk antwoord bestaat uit letterlijke citaten met bronnummers [n]; "
    "staat iets niet in de bronnen, dan zegt de assistent dat. Alles draait op deze computer."
)

CSS = """
.bronnen, .lessen-tabel, .documenten-tabel, .document, .onbekend, .feedback-tabel { font-size: 0.95rem; }
.bron-kaart { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px;
  margin: 8px 0; background: var(--background-fill-primary); scroll-margin-top: 80px; }
.bron-kaart.actief { outline: 3px solid var(--color-accent); }
.bron-nr { font-weight: 700; color: var(--color-accent); }
.bron-meta, .bron-bestand { color: var(--body-text-color-subdued); font-size: 0.85rem; }
.bron-passage, .document-passage { white-space: pre-wrap; margin-top: 6px; line-height: 1.45; }
.bron-passage mark, .bron-citaat mark { background: #fde68a; color: #111; padding: 0 2px; border-radius: 2px; }
.bron-vraag { margin: 14px 0 4px; font-size: 1rem; }
.onthouding { border-left: 4px solid #d97706; background: #fff7ed; color: #7c2d12; padding: 8px 10px;
  margin: 6px 0; border-radius: 4px; }
.onthouding-label { display: inline-block; font-weight: 700; color: #b45309; }
.lessen-tabel, .documenten-tabel, .feedback-tabel { border-collapse: collapse; width: 100%; }
.lessen-tabel td, .lessen-tabel th, .documenten-tabel td, .documenten-tabel th, .feedback-tabel td,
.feedback-tabel th { border: 1px solid var(--border-color-primary); padding: 6px 8px; vertical-align: top;
  text-align: left; }
.les-leeg td { color: var(--body-text-color-subdued); }
.lessen-noot { font-style: italic; margin: 4px 0; }
.document-passage { border-bottom: 1px dashed var(--border-color-primary); padding-bottom: 6px; }
.eval-plots { display: flex; flex-wrap: wrap; gap: 12px; }
.eval-plot img { max-width: 560px; width: 100%; border: 1px solid var(--border-color-primary); }
.documenten-tabel { font-size: 0.85rem; }
.onbekend { border-left: 4px solid var(--color-accent); padding: 4px 12px; margin-top: 8px; }
"""

# a citation link [n] in the chat scrolls its source card into view and outlines it
HEAD = """
<script>
document.addEventListener("click", function (event) {
  var link = event.target && event.target.closest ? event.target.closest('a[href^="#bron-"]') : null;
  if (!link) { return; }
  var target = document.getElementById(link.getAttribute("href").slice(1));
  if (!target) { return; }
  event.preventDefault();
  event.stopPropagation();
  target.scrollIntoView({behavior: "smooth", block: "center"});
  document.querySelectorAll(".bron-kaart.actief").forEach(function (el) { el.classList.remove("actief"); });
  target.classList.add("actief");
}, true);
</script>
"""


def theme() -> gr.themes.Base:
    """System fonts only: nothing is fetched from a font CDN."""
    return gr.themes.Default(font=SYSTEM_FONTS, font_mono=MONO_FONTS)


def _export_dir(kind: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"datalessen-{kind}-"))


def _username(request: gr.Request | None) -> str:
    return (getattr(request, "username", None) or "") if request is not None else ""


def build_app(assistant, *, report_dir: Path | str | None = None) -> gr.Blocks:
    """The whole app for one assistant; `report_dir` is where `datalessen eval` writes (evals/report)."""
    settings = assistant.settings
    examples = load_profile(settings).examples  # the corpus profile's example questions
    feedback = FeedbackStore.for_settings(settings)
    report_dir = Path(report_dir) if report_dir is not None else DEFAULT_REPORT_DIR

    def facets_updates():
        choices = render.filter_choices(assistant.retriever.facets())
        return [gr.update(choices=choices[key], value="") for key in ("gemeente", "domein", "kind", "document")]

    # -- chat -------------------------------------------------------------------------------

    def feedback_choices(turns):
        return [(f"{i}. {q[:70]}", i) for i, (q, _) in enumerate(turns, 1)]

    def ask(question, gemeente, domein, kind, document, turns):
        question = (question or "").strip()
        turns = list(turns or [])
        if not question:
            raise gr.Error("Typ eerst een vraag.")
        filters = {k: v for k, v in (("gemeente", gemeente), ("domein", domein), ("kind", kind), ("document", document)) if v}
        history = [q for q, _ in turns]
        shown = render.chat_messages(turns) + [{"role": "user", "content": render.question_message(question)}]
        text, final = "", None
        try:
            for item in assistant.stream(question, history=history, filters=filters):
                if isinstance(item, Answer):
                    final = item
                    break
                text += item
                yield (
                    shown + [{"role": "assistant", "content": render.provisional_message(text)}],
                    gr.skip(),
                    gr.skip(),
                    gr.skip(),
                    gr.skip(),
                )
        except ValueError as exc:  # an unknown filter, an empty question after trimming
            raise gr.Error(str(exc)) from exc
        if final is None:
            raise gr.Error("Er kwam geen antwoord; probeer het opnieuw.")
        turns.append((question, final))
        yield (
            render.chat_messages(turns),
            render.sources_html(turns),
            turns,
            gr.update(choices=feedback_choices(turns), value=len(turns)),
            "",
        )

    def new_conversation():
        return (
            [],
            render.sources_html([]),
            [],
            gr.update(choices=[], value=None),
            "",
            gr.update(value=None, visible=False),
            "Nieuw gesprek gestart.",
        )

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
            row = feedback.add(answer, verdict, comment=comment or "", user=_username(request), settings=settings)
        except ValueError as exc:
            raise gr.Error(str(exc)) from exc
        return f"Dank u: oordeel '{verdict}' op antwoord {index} is opgeslagen (nr. {row}).", ""

    def export_conversation(turns):
        turns = list(turns or [])
        if not turns:
            raise gr.Error("Er is nog geen gesprek om te exporteren.")
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        md_path, json_path = write_conversation(turns, _export_dir("gesprek"), stem=f"gesprek-{stamp}")
        return gr.update(value=[str(md_path), str(json_path)], visible=True)

    # -- lessons ----------------------------------------------------------------------------

    def show_lessons(preset, free_text):
        theme_text = (free_text or "").strip() or (preset or "").strip()
        if not theme_text:
            raise gr.Error("Kies een thema of typ er zelf een.")
        rows = lessons(assistant, theme_text)
        md_path, docx_path = write_handout(theme_text, rows, _export_dir("lessen"))
        return render.lessons_html(theme_text, rows), gr.update(value=[str(md_path), str(docx_path)], visible=True)

    # -- sources ----------------------------------------------------------------------------

    def documents_view():
        """On page load: documents and filter choices as the store holds them now (uploads included)."""
        docs = assistant.documents()
        return (render.documents_html(docs), gr.update(choices=render.document_choices(docs)), *facets_updates())

    def read_document(doc_id):
        docs = {d["doc_id"]: d for d in assistant.documents()}
        doc = docs.get(doc_id or "")
        return render.document_html(doc, assistant.document_passages(doc_id) if doc else [])

    def upload(files, request: gr.Request):
        username = _username(request)
        if not may_upload(settings, username):
            raise gr.Error("Alleen beheerders mogen documenten toevoegen.")
        paths = [Path(f if isinstance(f, str) else getattr(f, "name", f)) for f in (files or [])]
        if not paths:
            raise gr.Error("Kies eerst een of meer bestanden.")
        result = accept_uploads(assistant, paths, username=username)
        docs = assistant.documents()
        return (
            result.summary(),
            render.documents_html(docs),
            gr.update(choices=render.document_choices(docs)),
            *facets_updates(),
            None,
        )

    # -- evaluation -------------------------------------------------------------------------

    def evaluation_view():
        report = latest_report(report_dir)
        if report is None:
            text = "Nog geen evaluatierapport; draai `datalessen eval`."
            plots = ""
        else:
            stamp = report.modified.strftime("%Y-%m-%d %H:%M") if report.modified else ""
            overview = report.sets_markdown()
            text = f"*Rapport van {stamp}*\n\n" + (overview + "\n\n" if overview else "") + report.text_without_images()
            plots = render.plots_html(report.plots)
        return text, plots, render.feedback_html(feedback.summary(), feedback.list(limit=25))

    def export_feedback():
        csv_path, json_path = feedback.export(_export_dir("feedback"), stem=f"feedback-{datetime.now():%Y%m%d-%H%M%S}")
        return gr.update(value=[str(csv_path), str(json_path)], visible=True)

    # -- layout -----------------------------------------------------------------------------

    choices = render.filter_choices(assistant.retriever.facets())
    docs = assistant.documents()
    with gr.Blocks(title="datalessen") as demo:
        turns_state = gr.State([])
        gr.Markdown(INTRO)
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"), gr.Row():
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

            with gr.Tab("Lessen", id="lessen"):
                gr.Markdown(
                    "Eén thema over alle cases naast elkaar, met letterlijke citaten; voor begeleiders "
                    "van een leersessie. Kies een succesfactor of thema, of typ er zelf een."
                )
                with gr.Row():
                    preset = gr.Dropdown(list(PRESETS), value=next(iter(PRESETS)), label="Thema", scale=2)
                    free = gr.Textbox(label="Of een eigen thema", placeholder="bijv. open data", scale=2)
                    lessons_btn = gr.Button("Toon lessen", variant="primary", scale=1, elem_id="toon-lessen")
                lessons_table = gr.HTML(elem_id="lessen-tabel", js_on_load=None)
                handout = gr.File(label="Hand-out (Markdown en Word)", file_count="multiple", interactive=False, visible=False)

            with gr.Tab("Bronnen", id="bronnen"):
                documents = gr.HTML(render.documents_html(docs), elem_id="documenten", js_on_load=None, max_height=460)
                gr.HTML(render.unknowns_html(unknowns(settings)), elem_id="onbekend", js_on_load=None)
                doc_pick = gr.Dropdown(render.document_choices(docs), label="Document lezen")
                document_view = gr.HTML(render.document_html(None, []), elem_id="document", js_on_load=None)
                gr.Markdown(
                    f"#### Document toevoegen\nPDF, Word (.docx), HTML, Markdown of tekst, ten hoogste "
                    f"{settings.max_upload_mb:g} MB per bestand."
                    + (" Alleen beheerders mogen documenten toevoegen." if parse_auth(settings.auth) else "")
                )
                upload_files = gr.File(
                    label="Bestanden", file_count="multiple", file_types=list(UPLOAD_SUFFIXES), type="filepath"
                )
                upload_btn = gr.Button("Inlezen", variant="primary", elem_id="inlezen")
                upload_status = gr.Textbox(label="Resultaat", lines=4, interactive=False)

            with gr.Tab("Evaluatie", id="evaluatie") as eval_tab:
                refresh = gr.Button("Vernieuwen", size="sm")
                eval_report = gr.Markdown(elem_id="evaluatierapport")
                eval_plots = gr.HTML(js_on_load=None)
                gr.Markdown("### Feedback van gebruikers")
                fb_summary = gr.HTML(elem_id="feedback-overzicht", js_on_load=None)
                fb_export_btn = gr.Button("Feedback exporteren (CSV + JSON)")
                fb_files = gr.File(label="Feedback", file_count="multiple", interactive=False, visible=False)

        # -- events -------------------------------------------------------------------------
        filters = [f_gemeente, f_domein, f_kind, f_document]
        ask_outputs = [chatbot, sources, turns_state, fb_turn, question]
        gr.on([send.click, question.submit], ask, inputs=[question, *filters, turns_state], outputs=ask_outputs, api_name="ask")
        for button, text in zip(example_buttons, examples):
            button.click(lambda t=text: t, outputs=question, api_visibility="private").then(
                ask, inputs=[question, *filters, turns_state], outputs=ask_outputs, api_visibility="private"
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
        lessons_btn.click(show_lessons, inputs=[preset, free], outputs=[lessons_table, handout], api_name="lessons")
        doc_pick.change(read_document, inputs=doc_pick, outputs=document_view, api_name="read_document")
        upload_btn.click(
            upload, inputs=upload_files, outputs=[upload_status, documents, doc_pick, *filters, upload_files], api_name="upload"
        )
        eval_outputs = [eval_report, eval_plots, fb_summary]
        refresh.click(evaluation_view, outputs=eval_outputs, api_name="evaluation")
        eval_tab.select(evaluation_view, outputs=eval_outputs, api_visibility="private")
        fb_export_btn.click(export_feedback, outputs=fb_files, api_name="export_feedback")
        demo.load(documents_view, outputs=[documents, doc_pick, *filters], api_name="documents")
    return demo


def launch_kwargs(settings) -> dict:
    """What `launch` passes to Gradio, from the settings alone (tests start the app with these too)."""
    auth = parse_auth(settings.auth)
    return {
        "server_name": settings.host,
        "server_port": int(settings.port),
        "auth": auth or None,
        "auth_message": "Log in om datalessen te gebruiken." if auth else None,
        "share": False,
        "max_file_size": f"{int(settings.max_upload_mb)}mb"
        if float(settings.max_upload_mb).is_integer()
        else f"{int(settings.max_upload_mb * 1000)}kb",
        "theme": theme(),
        "css": CSS,
        "head": HEAD,
        "footer_links": ["api", "settings"],
        "enable_monitoring": False,
        "ssr_mode": False,
        "mcp_server": False,
        "run_history": False,
        "show_error": True,
    }


def launch(assistant, **overrides):
    """Start the app and block (the `datalessen serve` command)."""
    settings = assistant.settings
    demo = build_app(assistant)
    demo.queue(default_concurrency_limit=int(settings.concurrency))
    return demo.launch(**{**launch_kwargs(settings), **overrides})
