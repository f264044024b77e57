"""The Evaluatie tab: the latest evaluation report and the feedback users gave."""

from __future__ import annotations

from datetime import datetime

import gradio as gr

from ui import render
from ui.context import AppContext, export_dir, username
from ui.eval_report import latest_report
from ui.feedback import ALL, reader_for


def build(ctx: AppContext) -> None:
    def feedback_view(request: gr.Request | None):
        """Feedback holds names and comments: a user sees their own, admins (or the local user) everyone's."""
        reader = reader_for(ctx.app, username(request))
        summary, records = ctx.feedback.summary(user=reader), ctx.feedback.list(limit=25, user=reader)
        return render.feedback_html(summary, records, everyone=reader is ALL)

    def evaluation_view(request: gr.Request):
        report = latest_report(ctx.report_dir)
        if report is None:
            text = "Nog geen evaluatierapport; draai `datalessen eval`."
            plots = ""
        else:
            stamp = report.modified.strftime("%Y-%m-%d %H:%M") if report.modified else ""
            overview = report.sets_markdown()
            text = f"*Rapport van {stamp}*\n\n" + (overview + "\n\n" if overview else "") + report.text_without_images()
            plots = render.plots_html(report.plots)
        return text, plots, feedback_view(request)

    def export_feedback(request: gr.Request):
        stem = f"feedback-{datetime.now():%Y%m%d-%H%M%S}"
        reader = reader_for(ctx.app, username(request))
        csv_path, json_path = ctx.feedback.export(export_dir("feedback"), stem=stem, user=reader)
        return gr.update(value=[str(csv_path), str(json_path)], visible=True)

    with gr.Tab("Evaluatie", id="evaluatie") as eval_tab:
        refresh = gr.Button("Vernieuwen", size="sm")
        eval_report = gr.Markdown(elem_id="evaluatierapport")
        eval_plots = gr.HTML(js_on_load=None)
        gr.Markdown("### Feedback van gebruikers")
        fb_summary = gr.HTML(elem_id="feedback-overzicht", js_on_load=None)
        fb_export_btn = gr.Button("Feedback exporteren (CSV + JSON)")
        fb_files = gr.File(label="Feedback", file_count="multiple", interactive=False, visible=False)

    eval_outputs = [eval_report, eval_plots, fb_summary]
    refresh.click(evaluation_view, outputs=eval_outputs, api_name="evaluation")
    eval_tab.select(evaluation_view, outputs=eval_outputs, api_visibility="private")
    fb_export_btn.click(export_feedback, outputs=fb_files, api_name="export_feedback")
