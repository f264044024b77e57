"""The Evaluatie tab: evaluation reports for evaluators (any report folder, unseen sets first, every
question with its answer and gold key facts), and the feedback users gave."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import gradio as gr

from ui import render
from ui.access import may_upload
from ui.context import AppContext, export_dir, private_files, username
from ui.eval_report import ALL, FAILING, FILTERS, ROLE_LABELS, known_folders, open_reports, unseen_sets
from ui.feedback import ALL as ALL_READERS
from ui.feedback import reader_for


def _report_part(ctx: AppContext):
    """The report half of the tab: its components, and the handler that fills them from a folder."""

    def offered() -> list[str]:
        return known_folders(ctx.report_dir, Path(ctx.settings.home))

    def allowed(folder: str, request: gr.Request | None) -> str:
        folder = (folder or "").strip() or str(ctx.report_dir)
        # the offered folders are for everyone; another path on the server only for admins (the upload right)
        if folder not in offered() and not may_upload(ctx.app, username(request)):
            raise gr.Error("Alleen beheerders mogen een andere rapportmap openen.")
        return folder

    def details(folder, key, wanted):
        report = folder.report(key)
        if report is None:
            return "", "", ""
        markdown = report.markdown() or "*Dit rapport heeft geen report.md.*"
        return render.eval_questions_html(report, wanted or ALL), markdown, render.plots_html(report.plots)

    def open_folder(path, wanted, request: gr.Request):
        folder = open_reports(allowed(path, request))
        choices = [(f"{r.name} — {ROLE_LABELS.get(r.role, '')}", r.key) for r in folder.reports]
        first = folder.reports[0].key if folder.reports else None
        questions, markdown, plots = details(folder, first, wanted)
        overview = render.eval_overview_html(folder, unseen_sets())
        return overview, gr.update(choices=choices, value=first), questions, markdown, plots, first

    def show_questions(path, key, wanted, request: gr.Request):
        return details(open_reports(allowed(path, request)), key, wanted)

    def view(path, key, wanted, request: gr.Request | None) -> tuple[str, str]:
        """The overview and the questions of the folder, set and filter shown, read again."""
        folder = open_reports(allowed(path, request))
        return render.eval_overview_html(folder, unseen_sets()), details(folder, key, wanted)[0]

    gr.Markdown(
        "Een evaluatierapport van `datalessen eval`: eerst de ongeziene vragen (wat u bij nieuwe vragen mag "
        "verwachten), dan elke vraagset, en per vraag het antwoord en de gouden kernfeiten."
    )
    with gr.Row():
        folder = gr.Dropdown(
            offered(),
            value=str(ctx.report_dir),
            allow_custom_value=True,
            label="Rapportmap (een map van `datalessen eval --report MAP`)",
            scale=4,
            elem_id="rapportmap",
        )
        open_btn = gr.Button("Openen", scale=1, elem_id="open-rapport")
    overview = gr.HTML(elem_id="evaluatie-overzicht", js_on_load=None)
    with gr.Row():
        set_pick = gr.Dropdown([], label="Vraagset", scale=2, elem_id="vraagset")
        outcome_pick = gr.Dropdown(
            [(label, key) for key, label in FILTERS.items()], value=FAILING, label="Uitkomst", scale=2, elem_id="uitkomst"
        )
    questions = gr.HTML(elem_id="evaluatie-vragen", js_on_load=None)
    shown_set = gr.State(None)  # the set whose questions are shown, for a refresh (no API input of its own)
    with gr.Accordion("Het volledige rapport van deze vraagset", open=False):
        report_text = gr.Markdown(elem_id="evaluatierapport")
        plots = gr.HTML(js_on_load=None)

    opened = [overview, set_pick, questions, report_text, plots, shown_set]
    open_btn.click(open_folder, inputs=[folder, outcome_pick], outputs=opened, api_name="evaluation_report")
    chosen = {"inputs": [folder, set_pick, outcome_pick], "outputs": [questions, report_text, plots]}
    set_pick.input(show_questions, **chosen, api_name="evaluation_questions")
    set_pick.input(lambda key: key, inputs=set_pick, outputs=shown_set, api_visibility="private")
    outcome_pick.input(show_questions, **chosen, api_visibility="private")

    def attach(tab: gr.Tab) -> None:
        """Opening the tab opens the folder shown."""
        tab.select(open_folder, inputs=[folder, outcome_pick], outputs=opened, api_visibility="private")

    return SimpleNamespace(view=view, attach=attach, inputs=[folder, shown_set, outcome_pick], outputs=[overview, questions])


def build(ctx: AppContext) -> None:
    def feedback_view(request: gr.Request | None):
        """Feedback holds names and comments: a user sees their own, admins (or the local user) everyone's."""
        reader = reader_for(ctx.app, username(request))
        summary, records = ctx.feedback.summary(user=reader), ctx.feedback.list(limit=25, user=reader)
        return render.feedback_html(summary, records, everyone=reader is ALL_READERS)

    def evaluation_view(path, key, wanted, request: gr.Request):
        """Everything the tab shows, read again: the report overview and questions, and the feedback."""
        return *report.view(path, key, wanted, request), feedback_view(request)

    def export_feedback(request: gr.Request):
        stem = f"feedback-{datetime.now():%Y%m%d-%H%M%S}"
        reader = reader_for(ctx.app, username(request))
        csv_path, json_path = ctx.feedback.export(export_dir("feedback"), stem=stem, user=reader)
        return gr.update(value=private_files(csv_path, json_path), visible=True)

    with gr.Tab("Evaluatie", id="evaluatie") as eval_tab:
        refresh = gr.Button("Vernieuwen", size="sm")
        report = _report_part(ctx)
        gr.Markdown("### Feedback van gebruikers")
        fb_summary = gr.HTML(elem_id="feedback-overzicht", js_on_load=None)
        fb_export_btn = gr.Button("Feedback exporteren (CSV + JSON)")
        fb_files = gr.File(label="Feedback", file_count="multiple", interactive=False, visible=False)

    report.attach(eval_tab)
    refresh.click(evaluation_view, inputs=report.inputs, outputs=[*report.outputs, fb_summary], api_name="evaluation")
    eval_tab.select(feedback_view, outputs=fb_summary, api_visibility="private")
    fb_export_btn.click(export_feedback, outputs=fb_files, api_name="export_feedback")
