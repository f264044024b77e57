"""How the app looks: system fonts (nothing fetched from a CDN), its CSS, and the one script it runs."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

SYSTEM_FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono", "monospace"]
CSS = """
.bronnen, .lessen-tabel, .documenten-tabel, .document, .onbekend, .feedback-tabel { font-size: 0.95rem; }
.bron-kaart { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px;
  margin: 8px 0; background: var(--background-fill-primary); scroll-margin-top: 80px; }
.bron-kaart.actief { outline: 3px solid #c2410c; }
/* text colours are fixed, not the theme's "subdued" grey: contrast at least 4.5:1 on the card, light and dark */
.bron-nr, .bron-link { font-weight: 700; color: #9a3412; }
.bron-meta, .bron-bestand { color: #4b5563; font-size: 0.85rem; }
/* one selector per dark rule: Gradio rewrites only the first ".dark" of a rule when it scopes the CSS */
.dark .bron-nr { color: #fdba74; }
.dark .bron-link { color: #fdba74; }
.dark .bron-meta { color: #d1d5db; }
.dark .bron-bestand { color: #d1d5db; }
.bron-passage, .document-passage { white-space: pre-wrap; margin-top: 6px; line-height: 1.45; }
/* a source's web addresses are one long word: broken anywhere rather than run past the card's edge */
.bron-kaart, .document-passage, .sectie-weergave, .pagina-weergave, .eval-antwoord { overflow-wrap: anywhere; }
.bron-passage mark, .bron-citaat mark, .sectie-weergave mark { background: #fde68a; color: #111; padding: 0 2px;
  border-radius: 2px; }
.bron-vraag { margin: 14px 0 4px; font-size: 1rem; }
.bron-bekijk { margin-top: 8px; padding: 4px 10px; border: 1px solid #9a3412; border-radius: 6px; background: transparent;
  color: #9a3412; font-size: 0.85rem; cursor: pointer; }
.dark .bron-bekijk { border-color: #fdba74; color: #fdba74; }
.onthouding { border-left: 4px solid #b45309; background: #fff7ed; color: #7c2d12; padding: 8px 10px;
  margin: 6px 0; border-radius: 4px; }
.onthouding strong { color: inherit; }
.onthouding-label { display: inline-block; font-weight: 700; color: #9a3412; }
.dark .onthouding { background: #431407; color: #fed7aa; border-left-color: #fb923c; }
.dark .onthouding-label { color: #fdba74; }
.actieve-filters { margin: 4px 0; padding: 6px 10px; border-radius: 6px; background: #eff6ff; color: #1e3a8a; }
.dark .actieve-filters { background: #172554; color: #dbeafe; }
.filter-waarde { font-weight: 600; }
#vraag-hint p { margin: 2px 0; color: #92400e; font-weight: 600; }
#vraag-hint:not(:has(p)) { display: none; }
.dark #vraag-hint p { color: #fcd34d; }
.pagina-weergave img { width: 100%; height: auto; border: 1px solid var(--border-color-primary); }
.pagina-weergave figcaption { margin-bottom: 6px; }
.document-passage.geciteerd { border-left: 4px solid #b45309; padding-left: 8px; }
.terug-naar-antwoord { display: none; }
/* a long list of conversations scrolls inside the sidebar instead of running off the screen */
#gesprekslijst .wrap { max-height: 55vh; overflow-y: auto; flex-wrap: nowrap; flex-direction: column; }
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
/* a phone: the sources panel lies over the answer when a [n] is tapped, with a way back
   (Gradio prefixes every selector with its container, so the state is a class on the panel, not on body) */
@media (max-width: 767px) {
  #bronnen-kolom.bronnen-open { position: fixed; inset: 0; z-index: 1000; overflow-y: auto; margin: 0;
    padding: 12px; background: var(--background-fill-primary); }
  #bronnen-kolom.bronnen-open .terug-naar-antwoord { display: block; position: sticky; top: 0; z-index: 1; width: 100%;
    padding: 10px; border: 0; border-radius: 6px; background: #1e3a8a; color: #fff; font-weight: 700; }
  .lessen-tabel, .lessen-tabel tbody, .lessen-tabel tr, .lessen-tabel td { display: block; width: 100%; box-sizing: border-box; }
  .lessen-tabel thead { display: none; }
  .lessen-tabel td { border-width: 0 1px; overflow-wrap: anywhere; }
  .lessen-tabel tr { border-top: 2px solid var(--border-color-primary); border-bottom: 1px solid var(--border-color-primary); }
  .documenten-tabel, .feedback-tabel { display: block; overflow-x: auto; }
}
"""

# Gradio's own texts that its Dutch translation lacks (it falls back to English for these)
I18N_NL = {
    "chatbot": {"copy_message": "Bericht kopiëren", "copied_message": "Bericht gekopieerd", "complete": "Klaar"},
    "common": {
        "runs": "Uitvoeringen",
        "back_to_app": "App",
        "back_to_app_description": "Terug naar de app",
        "progress": "Voortgang",
        "run": "Uitvoeren",
    },
    "chat_interface": {"new_chat": "Nieuw gesprek", "conversation": "Gesprek", "chatbot": "Chatbot"},
}


def _gradio_core_module() -> str:
    """The file name of Gradio's frontend module that holds `changeLocale` (it is hashed per release)."""
    assets = Path(gr.__file__).parent / "templates" / "frontend" / "assets"
    found = sorted(assets.glob("core-*.js"))
    return found[0].name if found else ""


# The one script the app runs (Gradio injects it once the app has loaded):
# - a citation link [n] scrolls its source card into view and outlines it; on a phone the panel opens over
#   the answer, and "Terug naar het antwoord" closes it and returns to the link;
# - "copy" and the screen reader get the clean text of a message (its <!--kopie:...--> marker), not its markup;
# - Gradio's own texts are Dutch whatever the browser's language (its frontend picks the browser's).
HEAD = r"""
<script>
(function () {
  var lastLink = null;
  function phone() { return window.matchMedia("(max-width: 767px)").matches; }
  function panel() { return document.getElementById("bronnen-kolom"); }
  function closeSidebarOnPhone() {
    var bar = document.getElementById("gesprekken");
    if (phone() && bar && bar.classList.contains("open")) { bar.querySelector(".toggle-button").click(); }
  }
  // on a phone the conversations sidebar starts closed (it would cover the chat), and closes once one is picked
  var tries = 0;
  var waitForSidebar = setInterval(function () {
    tries += 1;
    if (document.getElementById("gesprekken") || tries > 100) { clearInterval(waitForSidebar); closeSidebarOnPhone(); }
  }, 100);
  document.addEventListener("click", function (event) {
    if (event.target && event.target.closest && event.target.closest("#gesprekslijst label")) {
      setTimeout(closeSidebarOnPhone, 300);
    }
    if (event.target && event.target.closest && event.target.closest("button.bron-bekijk")) {
      var waited = 0;  // the cited page opens at the top of the panel: bring it into view once it is there
      var waitForPage = setInterval(function () {
        var view = document.querySelector("#pagina .pagina-weergave, #pagina .sectie-weergave");
        waited += 1;
        if (view || waited > 100) {
          clearInterval(waitForPage);
          if (view) { document.getElementById("paginaweergave").scrollIntoView({block: "start"}); }
        }
      }, 100);
    }
    var back = event.target && event.target.closest ? event.target.closest(".terug-naar-antwoord") : null;
    if (back) {
      panel().classList.remove("bronnen-open");
      if (lastLink) { lastLink.scrollIntoView({block: "center"}); lastLink.focus(); }
      return;
    }
    var link = event.target && event.target.closest ? event.target.closest('a[href^="#bron-"]') : null;
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    event.preventDefault();
    event.stopPropagation();
    lastLink = link;
    if (phone()) { panel().classList.add("bronnen-open"); }
    target.scrollIntoView({behavior: phone() ? "auto" : "smooth", block: phone() ? "start" : "center"});
    document.querySelectorAll(".bron-kaart.actief").forEach(function (el) { el.classList.remove("actief"); });
    target.classList.add("actief");
  }, true);

  function cleanText(raw) {
    var match = /<!--kopie:([A-Za-z0-9+\/=]*)-->/.exec(raw || "");
    if (!match) { return null; }
    var bytes = Uint8Array.from(atob(match[1]), function (c) { return c.charCodeAt(0); });
    return new TextDecoder().decode(bytes);
  }
  if (navigator.clipboard && navigator.clipboard.writeText) {
    var write = navigator.clipboard.writeText.bind(navigator.clipboard);
    navigator.clipboard.writeText = function (text) {
      var clean = cleanText(text);
      return write(clean === null ? text : clean);
    };
  }
  // Gradio labels each bubble "<role>'s message: <its raw content>"; say "Vraag:" or "Antwoord:" and the text
  var LABELS = {"Toggle Sidebar": "Gesprekken tonen of verbergen", "Resize sidebar": "Breedte van de zijbalk"};
  function relabel(el) {
    var label = el.getAttribute("aria-label") || "";
    if (LABELS[label]) { el.setAttribute("aria-label", LABELS[label]); return; }
    var at = label.indexOf("'s message: ");
    if (at < 0) { return; }
    var role = label.slice(0, at);
    var clean = cleanText(label);
    if (clean === null) { clean = el.textContent.trim(); }
    el.setAttribute("aria-label", (role === "user" ? "Vraag: " : "Antwoord: ") + clean);
  }
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      if (change.type === "attributes") { relabel(change.target); return; }
      change.addedNodes.forEach(function (node) {
        if (node.nodeType !== 1) { return; }
        if (node.hasAttribute("aria-label")) { relabel(node); }
        node.querySelectorAll("[aria-label]").forEach(relabel);
      });
    });
  }).observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label"]});
  document.querySelectorAll("[aria-label]").forEach(relabel);

  var core = "CORE_MODULE";
  var entry = document.querySelector('script[src*="assets/index-"]');
  if (core && entry) {
    import(entry.src.replace(/[^\/]*$/, core)).then(function (m) {
      if (m.changeLocale) { m.changeLocale("nl"); }
    }).catch(function () {});
  }
})();
</script>
""".replace("CORE_MODULE", _gradio_core_module())


def i18n() -> gr.I18n:
    return gr.I18n(nl=I18N_NL)


def theme() -> gr.themes.Base:
    """System fonts only: nothing is fetched from a font CDN."""
    return gr.themes.Default(font=SYSTEM_FONTS, font_mono=MONO_FONTS)
