"""The Lessen tab: themes across the report and all cases, as one handout for a workshop."""

from __future__ import annotations

import gradio as gr

from ui import render
from ui.context import AppContext, export_dir, private_files
from ui.export import write_handout
from ui.lessons import PRESETS, split_themes, workshop


def build(ctx: AppContext) -> None:
    def show_lessons(presets, free_text):
        chosen = [presets] if isinstance(presets, str) else list(presets or [])
        themes = chosen + split_themes(free_text)
        if not themes:
            raise gr.Error("Kies een of meer thema's, of typ er zelf een.")
        lessons = workshop(ctx.assistant, themes)
        md_path, docx_path = write_handout(lessons, export_dir("lessen"))
        return render.lessons_html(lessons), gr.update(value=private_files(md_path, docx_path), visible=True)

    with gr.Tab("Lessen", id="lessen"):
        gr.Markdown(
            "Een of meer thema's: eerst wat het rapport (of het overzicht ervan) erover zegt, dan alle cases "
            "naast elkaar, met letterlijke citaten; voor begeleiders van een leersessie. Alle gekozen thema's "
            "komen in één hand-out."
        )
        with gr.Row():
            preset = gr.Dropdown(
                list(PRESETS), value=[next(iter(PRESETS))], multiselect=True, label="Thema's", scale=3, elem_id="themas"
            )
            free = gr.Textbox(label="Of eigen thema's (scheid met ;)", placeholder="bijv. open data; datakwaliteit", scale=2)
            lessons_btn = gr.Button("Toon lessen", variant="primary", scale=1, elem_id="toon-lessen")
        lessons_table = gr.HTML(elem_id="lessen-tabel", js_on_load=None)
        handout = gr.File(
            label="Hand-out (Markdown en Word)", file_count="multiple", interactive=False, visible=False, elem_id="hand-out"
        )
    lessons_btn.click(show_lessons, inputs=[preset, free], outputs=[lessons_table, handout], api_name="lessons")
