"""The Evaluatie tab: the latest evaluation report and the feedback users gave."""

from __future__ import annotations

from datetime import datetime

import gradio as gr

from ui import render
from ui.context import AppContext, export_dir, private_files
from ui.eval_report import latest_report


def build(ctx: AppContext) -> None:
    def evaluation_view():
        report = latest_report(ctx.report_dir)
        if report is None:
            text = "Nog geen evaluatierapport; draai `datalessen eval`."
            plots = ""
        else:
            stamp = report.modified.strftime("%Y-%m-%d %H:%M") if report.modified else ""
            overview = report.sets_markdown()
            text = f"*Rapport van {stamp}*\n\n" + (overview + "\n\n" if overview else "") + report.text_without_images()
            plots = render.plots_html(report.plots)
        return text, plots, render.feedback_html(ctx.feedback.summary(), ctx.feedback.list(limit=25))

    def export_feedback():
        stem = f"feedback-{datetime.now():%Y%m%d-%H%M%S}"
        csv_path, json_path = ctx.feedback.export(export_dir("feedback"), stem=stem)
        return gr.update(value=private_files(csv_path, json_path), visible=True)

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
