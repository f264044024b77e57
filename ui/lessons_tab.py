"""The Lessen tab: one theme across all cases, side by side, as a handout for a workshop."""

from __future__ import annotations

import gradio as gr

from ui import render
from ui.context import AppContext, export_dir, private_files
from ui.export import write_handout
from ui.lessons import PRESETS, lessons


def build(ctx: AppContext) -> None:
    def show_lessons(preset, free_text):
        theme_text = (free_text or "").strip() or (preset or "").strip()
        if not theme_text:
            raise gr.Error("Kies een thema of typ er zelf een.")
        rows = lessons(ctx.assistant, theme_text)
        md_path, docx_path = write_handout(theme_text, rows, export_dir("lessen"))
        return render.lessons_html(theme_text, rows), gr.update(value=private_files(md_path, docx_path), visible=True)

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
    lessons_btn.click(show_lessons, inputs=[preset, free], outputs=[lessons_table, handout], api_name="lessons")
