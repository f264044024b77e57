"""How the app looks: system fonts (nothing fetched from a CDN), its CSS, and the one script it runs."""

from __future__ import annotations

import gradio as gr

SYSTEM_FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono", "monospace"]
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
.les-nothing td, .les-unknown td { color: var(--body-text-color-subdued); }
.lessen-noot { font-style: italic; margin: 4px 0; }
.lessen-thema { margin-bottom: 28px; }
.lessen-thema-kop { margin: 12px 0 2px; font-size: 1.15rem; }
.lessen-rapport tr.rapport-rij td:first-child { width: 22%; }
.lessen-tabel td:last-child { width: 62%; }
.lessen-opties { border-left: 4px solid var(--color-accent); padding: 4px 12px; margin-top: 10px; }
.document-passage { border-bottom: 1px dashed var(--border-color-primary); padding-bottom: 6px; }
.evaluatie-sets { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
.evaluatie-sets td, .evaluatie-sets th { border: 1px solid var(--border-color-primary); padding: 5px 7px;
  text-align: left; vertical-align: top; }
.evaluatie-sets tr.rol-unseen td:first-child { border-left: 4px solid #d97706; }
.doel-gehaald { background: #e6f4ea; color: #14532d; }
.doel-gemist { background: #fde8e8; color: #7f1d1d; font-weight: 600; }
.doel { display: block; font-size: 0.75rem; font-weight: 400; }
.ongezien { border-left: 4px solid #d97706; background: #fff7ed; color: #7c2d12; padding: 8px 12px;
  margin: 6px 0 10px; border-radius: 4px; }
.ongezien ul { margin: 4px 0 0 18px; }
.eval-vraag { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 6px 10px; margin: 6px 0; }
.eval-vraag summary { cursor: pointer; }
.eval-vraag[open] summary { margin-bottom: 6px; }
.eval-antwoord { white-space: pre-wrap; background: var(--background-fill-secondary); padding: 8px 10px;
  border-radius: 4px; line-height: 1.45; }
.uitkomst { display: inline-block; font-size: 0.8rem; font-weight: 600; padding: 1px 7px; margin-right: 4px;
  border-radius: 10px; background: #fde8e8; color: #7f1d1d; }
.uitkomst-correct { background: #e6f4ea; color: #14532d; }
.uitkomst-retrieval_miss { background: #e0e7ff; color: #312e81; }
.feit-ja { color: #14532d; font-weight: 600; }
.feit-nee { color: #b91c1c; font-weight: 600; }
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
