"""The Bronnen tab: which documents are in, what the corpus says it does not know, read one, upload more."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from ui import render
from ui.access import may_upload, parse_auth
from ui.chat_tab import ChatTab, facets_updates
from ui.context import AppContext, username
from ui.corpus_notes import unknowns
from ui.uploads import UPLOAD_SUFFIXES, accept_uploads


def build(ctx: AppContext, chat: ChatTab, demo: gr.Blocks) -> None:
    assistant = ctx.assistant

    def documents_view(request: gr.Request):
        """On page load: documents and filter choices as the store holds them now (uploads included); the
        upload field only for whoever may upload (gradio's upload route refuses the others: ui/access.py)."""
        docs = assistant.documents()
        return (
            render.documents_html(docs),
            gr.update(choices=render.document_choices(docs)),
            *facets_updates(ctx),
            gr.update(visible=may_upload(ctx.app, username(request))),
        )

    def read_document(doc_id):
        docs = {d["doc_id"]: d for d in assistant.documents()}
        doc = docs.get(doc_id or "")
        return render.document_html(doc, assistant.document_passages(doc_id) if doc else [])

    def upload(files, request: gr.Request):
        user = username(request)
        if not may_upload(ctx.app, user):
            raise gr.Error("Alleen beheerders mogen documenten toevoegen.")
        paths = [Path(f if isinstance(f, str) else getattr(f, "name", f)) for f in (files or [])]
        if not paths:
            raise gr.Error("Kies eerst een of meer bestanden.")
        result = accept_uploads(assistant, ctx.app, paths, username=user)
        docs = assistant.documents()
        document_choices = gr.update(choices=render.document_choices(docs))
        return result.summary(), render.documents_html(docs), document_choices, *facets_updates(ctx), None

    docs = assistant.documents()
    with gr.Tab("Bronnen", id="bronnen"):
        documents = gr.HTML(render.documents_html(docs), elem_id="documenten", js_on_load=None, max_height=460)
        gr.HTML(render.unknowns_html(unknowns(ctx.settings)), elem_id="onbekend", js_on_load=None)
        doc_pick = gr.Dropdown(render.document_choices(docs), label="Document lezen")
        document_view = gr.HTML(render.document_html(None, []), elem_id="document", js_on_load=None)
        with gr.Column(visible=not parse_auth(ctx.app.auth)) as upload_box:
            gr.Markdown(
                f"#### Document toevoegen\nPDF, Word (.docx), HTML, Markdown of tekst, ten hoogste "
                f"{ctx.app.max_upload_mb:g} MB per bestand."
                + (" Alleen beheerders mogen documenten toevoegen." if parse_auth(ctx.app.auth) else "")
            )
            upload_files = gr.File(label="Bestanden", file_count="multiple", file_types=list(UPLOAD_SUFFIXES), type="filepath")
            upload_btn = gr.Button("Inlezen", variant="primary", elem_id="inlezen")
            upload_status = gr.Textbox(label="Resultaat", lines=4, interactive=False)

    doc_pick.change(read_document, inputs=doc_pick, outputs=document_view, api_name="read_document")
    upload_btn.click(
        upload, inputs=upload_files, outputs=[upload_status, documents, doc_pick, *chat.filters, upload_files], api_name="upload"
    )
    demo.load(documents_view, outputs=[documents, doc_pick, *chat.filters, upload_box], api_name="documents")
