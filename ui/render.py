"""HTML and Markdown for the app, built from library objects; no Gradio here.

Every piece of document text, title or metadata goes through `esc` (html.escape)
before it reaches the page: a document that contains `<script>` shows those
characters, it never runs them. The only markup is the markup written here.
"""

from __future__ import annotations

import base64
import re
from html import escape

from assistant.schema import Answer, Citation
from ui.eval_report import FILTERS, OUTCOMES, ROLE_LABELS, outcome_matches, outcomes
from ui.lessons import NOT_THE_REPORT

CITE = re.compile(r"\[(\d{1,3})\]")
QUOTED = re.compile(r"\u201e[^\u201d]*\u201d")  # „…”: the words of a source
# characters Markdown would act on inside a chat message; < > & are already entities
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}~|$])")
NO_ANSWER_LABEL = "Niet (volledig) gevonden in de bronnen"


def esc(value) -> str:
    return escape("" if value is None else str(value), quote=True)


def md_text(text: str) -> str:
    """Plain text that a Markdown renderer shows exactly as written (no HTML, no emphasis, no links)."""
    return _MD_SPECIAL.sub(r"\\\1", esc(text))


def cite_id(turn: int, n: int) -> str:
    return f"bron-{turn}-{n}"


def _linked(text: str, turn: int, numbers: set[int]) -> str:
    """Escaped text with each known [n] turned into a link to its source card; a [n] inside a quote „…”
    is the source's own text (a footnote, a reference) and stays text."""
    quoted = [m.span() for m in QUOTED.finditer(text)]
    out, last = [], 0
    for match in CITE.finditer(text):
        n = int(match.group(1))
        if n not in numbers or any(start < match.start() < end for start, end in quoted):
            continue
        out.append(md_text(text[last : match.start()]))
        out.append(f'<a class="bron-link" href="#{cite_id(turn, n)}" title="Toon bron {n}">[{n}]</a>')
        last = match.end()
    out.append(md_text(text[last:]))
    return "".join(out)


def answer_message(answer: Answer, turn: int) -> str:
    """The chat bubble for a final answer: its text, [n] linking to the sources panel, and (hidden) the
    clean text that the copy button puts on the clipboard (see `copy_marker`)."""
    numbers = {c.n for c in answer.citations}
    lines = [_linked(line, turn, numbers) for line in answer.text.split("\n")]
    body = "\n".join(lines)
    parts = []
    if answer.abstained:
        parts.append(f'<span class="onthouding-label">⚠ {NO_ANSWER_LABEL}</span>')
    parts.append(body)
    if answer.citations:
        where = "de dichtstbijzijnde passages" if answer.abstained else "de bronnen met de citaten"
        parts.append(f"<small>Klik op een [n] om {where} te zien (paneel Bronnen).</small>")
    for warning in answer.warnings:
        parts.append(f"<small>Let op: {md_text(warning)}</small>")
    return "\n\n".join(parts) + copy_marker(answer_plain_text(answer))


def _source_line(c: Citation) -> str:
    where = " — ".join(part for part in (section_label(c.section, c.title), c.page) if part)
    return f"[{c.n}] {c.title}" + (f" — {where}" if where else "")


def answer_plain_text(answer: Answer) -> str:
    """What "copy" gives: the answer as written, with its [n], then the list of sources; no markup."""
    lines = []
    if answer.abstained:
        lines += [NO_ANSWER_LABEL + ".", ""]
    lines.append(answer.text.strip())
    if answer.citations:
        lines += ["", "Dichtstbijzijnde passages:" if answer.abstained else "Bronnen:"]
        lines += [_source_line(c) for c in answer.citations]
    for warning in answer.warnings:
        lines += ["", f"Let op: {warning}"]
    return "\n".join(lines)


COPY_MARKER = re.compile(r"<!--kopie:([A-Za-z0-9+/=]*)-->")


def copy_marker(text: str) -> str:
    """The clean text of a message, base64 in an HTML comment: never shown, but the page script
    (`ui.style.HEAD`) hands it to the clipboard and the screen reader instead of the bubble's markup."""
    return f"<!--kopie:{base64.b64encode(text.encode('utf-8')).decode('ascii')}-->"


def provisional_message(text: str) -> str:
    """What streams in before the checked answer replaces it."""
    return "<small>Voorlopig antwoord; de bronnen worden gecontroleerd…</small>\n\n" + md_text(text) + copy_marker(text)


def question_message(question: str) -> str:
    return md_text(question) + copy_marker(question)


def chat_messages(turns: list[tuple[str, Answer]], suggestions: list[str] | None = None) -> list[dict]:
    """The conversation for gr.Chatbot; `suggestions` become buttons under the last answer."""
    messages = []
    for i, (question, answer) in enumerate(turns, 1):
        messages.append({"role": "user", "content": question_message(question)})
        messages.append({"role": "assistant", "content": answer_message(answer, i)})
    if messages and suggestions:
        messages[-1]["options"] = [{"value": q, "label": q} for q in suggestions]
    return messages


# -- sources ---------------------------------------------------------------------------------


def highlight(passage: str, quotes: list[str]) -> str:
    """The passage, escaped, with every verbatim occurrence of each quote wrapped in <mark>."""
    spans = []
    for quote in quotes:
        quote = (quote or "").strip()
        if not quote:
            continue
        start = passage.find(quote)
        while start != -1:
            spans.append((start, start + len(quote)))
            start = passage.find(quote, start + len(quote))
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, last = [], 0
    for start, end in merged:
        out.append(esc(passage[last:start]))
        out.append(f"<mark>{esc(passage[start:end])}</mark>")
        last = end
    out.append(esc(passage[last:]))
    return "".join(out)


def section_label(section: str, title: str) -> str:
    """'Titel > Aanpak en data' -> 'Aanpak en data': the card shows the title already."""
    if title and section == title:
        return ""
    prefix = f"{title} > "
    return section[len(prefix) :] if title and section.startswith(prefix) else section


def is_pdf(c: Citation) -> bool:
    return (c.source or "").lower().endswith(".pdf")


def citation_card(c: Citation, turn: int) -> str:
    quotes = [q for q in (c.quotes or [c.quote]) if q]
    passage = c.passage_text or ""
    found = [q for q in quotes if q in passage]
    body = highlight(passage, found) if passage else ""
    missing = [q for q in quotes if q not in found]
    extra = "".join(f'<p class="bron-citaat"><mark>{esc(q)}</mark></p>' for q in missing)
    meta = " · ".join(esc(part) for part in (section_label(c.section, c.title), c.page) if part)
    document = esc(c.source.rsplit("/", 1)[-1]) if c.source else ""
    return (
        f'<article class="bron-kaart" id="{cite_id(turn, c.n)}">'
        f'<header><span class="bron-nr">[{c.n}]</span> <strong class="bron-titel">{esc(c.title)}</strong></header>'
        + (f'<div class="bron-meta">{meta}</div>' if meta else "")
        + (f'<div class="bron-bestand">{document}</div>' if document else "")
        + f'<div class="bron-passage">{body}</div>{extra}'
        + f'<button type="button" class="bron-bekijk" data-turn="{turn}" data-n="{c.n}">{view_label(c)}</button>'
        + "</article>"
    )


def view_label(c: Citation) -> str:
    """The card's button: the page itself for a PDF, the passage in its section for other formats."""
    if is_pdf(c) and c.page:
        return f"Bekijk {esc(c.page.replace('p. ', 'pagina '))} in de PDF"
    return "Bekijk de passage in haar sectie"


# shown on a phone only, when the panel lies over the answer (`ui.style`: body.bronnen-open)
BACK_TO_ANSWER = '<button type="button" class="terug-naar-antwoord">← Terug naar het antwoord</button>'


def sources_html(turns: list[tuple[str, Answer]]) -> str:
    """Every answer's sources, newest first; each card's id is bron-<turn>-<n>."""
    if not turns:
        return (
            '<div class="bronnen-leeg">Hier verschijnen de bronnen van elk antwoord: titel, sectie, '
            "pagina en het citaat gemarkeerd in zijn passage.</div>"
        )
    blocks = [BACK_TO_ANSWER]
    for turn in range(len(turns), 0, -1):
        question, answer = turns[turn - 1]
        head = f'<h3 class="bron-vraag">Vraag {turn}: {esc(question)}</h3>'
        banner = ""
        if answer.abstained:
            banner = (
                f'<div class="onthouding"><strong>{NO_ANSWER_LABEL}.</strong> '
                + (
                    "Hieronder de passages die het dichtst in de buurt komen; controleer zelf of ze uw vraag beantwoorden."
                    if answer.citations
                    else "Er zijn geen passages die in de buurt komen."
                )
                + "</div>"
            )
        cards = "".join(citation_card(c, turn) for c in answer.citations)
        blocks.append(f'<section class="bron-beurt" id="vraag-{turn}">{head}{banner}{cards}</section>')
    return '<div class="bronnen">' + "".join(blocks) + "</div>"


# -- lessons ---------------------------------------------------------------------------------


def short_section(section: str, most: int = 2) -> str:
    """'Titel > Hoofdstuk > Deel > Opties' -> 'Deel > Opties': the document's own heading (its title
    in other words) left out, and only the innermost levels, so a printed source line stays one line."""
    parts = [p for p in (section or "").split(" > ") if p.strip()]
    if len(parts) > 1:
        parts = parts[1:]
    return " > ".join(parts[-most:])


def source_where(c: Citation) -> str:
    """Where a quote is: section (without the title shown beside it), page, file."""
    file = c.source.replace("\\", "/").rsplit("/", 1)[-1] if c.source else ""
    return " · ".join(part for part in (short_section(section_label(c.section, c.title)), c.page, file) if part)


def _lesson_cell(r) -> str:
    quotes = "".join(f'<li>„{esc(q)}” <span class="bron-nr">[{n}]</span></li>' for q, n in r.quotes)
    said = f"<ul>{quotes}</ul>" if quotes else ""
    if r.note:
        said = f'<p class="lessen-noot">{esc(r.note)}</p>' + said
    sources = "".join(f'<div class="bron-meta">[{c.n}] {esc(source_where(c))}</div>' for c in r.citations)
    return said + sources


def lessons_html(themes: list) -> str:
    """Per theme: what the report-level documents say, then the cases side by side, then the
    theme's own 'opties voor acties' where a source has them. `themes`: `ui.lessons.ThemeLessons`."""
    if not themes:
        return '<div class="lessen-leeg">Kies een thema.</div>'
    parts = []
    for t in themes:
        head = f'<h3 class="lessen-thema-kop">Thema: {esc(t.theme)}</h3><p class="lessen-kop">{esc(t.count_sentence())}'
        if not t.report_ingested:
            head += f' <span class="lessen-noot">{esc(NOT_THE_REPORT)}</span>'
        head += " Elk citaat staat letterlijk in de bron.</p>"
        report = "".join(
            f'<tr class="rapport-rij les-{esc(r.status)}" data-document="{esc(r.document)}">'
            f"<td><strong>{esc(r.title)}</strong></td><td>{_lesson_cell(r)}</td></tr>"
            for r in t.report_rows
        )
        report_table = (
            '<h4>Wat het rapport en het overzicht zeggen</h4><table class="lessen-tabel lessen-rapport"><thead><tr>'
            f"<th>Document</th><th>Wat de bron zegt</th></tr></thead><tbody>{report}</tbody></table>"
            if report
            else '<p class="lessen-noot">Er is geen rapport of overzicht ingelezen.</p>'
        )
        cases = "".join(
            f'<tr class="les-rij les-{esc(r.status)}" data-case="{esc(r.document)}">'
            f"<td><strong>{esc(r.title)}</strong></td><td>{esc(r.gemeente)}</td><td>{_lesson_cell(r)}</td></tr>"
            for r in t.case_rows
        )
        case_table = (
            '<h4>De cases</h4><table class="lessen-tabel"><thead><tr><th>Case</th><th>Gemeente</th>'
            f"<th>Wat de bronnen zeggen</th></tr></thead><tbody>{cases}</tbody></table>"
            if cases
            else '<div class="lessen-leeg">Er zijn geen case-documenten ingelezen.</div>'
        )
        options = "".join(
            f'<div class="lessen-opties"><strong>Opties voor acties</strong> — {esc(r.title)}{_lesson_cell(r)}</div>'
            for r in t.options
        )
        parts.append(
            f'<section class="lessen-thema" data-thema="{esc(t.theme)}">{head}{report_table}{case_table}{options}</section>'
        )
    return "".join(parts)


# -- documents -------------------------------------------------------------------------------


DOC_COLUMNS = (
    ("title", "Titel"),
    ("kind", "Soort"),
    ("gemeente", "Gemeente"),
    ("domein", "Domein"),
    ("bevestiging", "Bevestiging"),
    ("chunks", "Chunks"),
    ("document", "Bestand"),
)


def documents_html(docs: list[dict]) -> str:
    if not docs:
        return (
            '<div class="documenten-leeg">Nog geen documenten ingelezen. Voeg er hieronder een toe, of draai '
            "<code>datalessen ingest</code>.</div>"
        )
    head = "".join(f"<th>{label}</th>" for _, label in DOC_COLUMNS)
    rows = "".join("<tr>" + "".join(f"<td>{esc(d.get(key, ''))}</td>" for key, _ in DOC_COLUMNS) + "</tr>" for d in docs)
    total = sum(int(d.get("chunks", 0)) for d in docs)
    return (
        f'<p>{len(docs)} documenten, {total} passages (chunks).</p>'
        f'<table class="documenten-tabel"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    )


def document_html(doc: dict | None, passages: list) -> str:
    if doc is None:
        return '<div class="document-leeg">Kies een document om het te lezen.</div>'
    meta = " · ".join(esc(f"{label}: {doc[key]}") for key, label in DOC_COLUMNS[1:5] if doc.get(key))
    parts = [f'<h3 class="document-titel">{esc(doc.get("title", ""))}</h3>', f'<p class="bron-meta">{meta}</p>']
    section = None
    for p in passages:
        if p.section != section:
            section = p.section
            label = section_label(section, doc.get("title", ""))
            if label:
                parts.append(f'<h4 class="document-sectie">{esc(label)}</h4>')
        page = f'<span class="bron-meta">{esc(p.page_label)}</span>' if p.page_label else ""
        parts.append(f'<div class="document-passage">{page}{esc(p.text)}</div>')
    return '<div class="document">' + "".join(parts) + "</div>"


def document_choices(docs: list[dict]) -> list[tuple[str, str]]:
    return [(f"{d.get('title') or d.get('document')} ({d.get('document', '')})", d["doc_id"]) for d in docs]


DOCUMENT_FILTER = "document"  # the library's own filter, beside the facets the corpus profile names
ALL_CHOICE = "Alle"  # a facet dropdown's empty choice; the labels are the profile's, so no plural of them is known


def filter_labels(facet_labels: dict[str, str]) -> dict[str, str]:
    """Every filter the chat offers with its label: the corpus profile's facets (in its order), then the document."""
    return {**facet_labels, DOCUMENT_FILTER: "Document"}


def is_facet_name(value: str) -> bool:
    """A value a filter can offer: a name ('Utrecht', 'meerdere'), not a remark about the metadata such as
    'niet bevestigd in bronnen over het rapport'."""
    words = value.split()
    return bool(words) and len(words) <= 4 and words[0].casefold() not in {"niet", "onbekend", "geen"}


def filter_choices(facets: dict) -> dict[str, list[tuple[str, str]]]:
    """Dropdown choices per filter, as `Assistant.facets()` lists them (the profile's facets, then the
    document); the empty value means 'all'."""
    titles = dict(zip(facets.get(DOCUMENT_FILTER, []), facets.get("document_titles", [])))
    choices = {
        key: [(ALL_CHOICE, "")] + [(v, v) for v in values if is_facet_name(v)]
        for key, values in facets.items()
        if key not in (DOCUMENT_FILTER, "document_titles")
    }
    documents = [(f"{titles.get(d) or d} ({d})", d) for d in facets.get(DOCUMENT_FILTER, [])]
    choices[DOCUMENT_FILTER] = [("Alle documenten", "")] + documents
    return choices


def active_filters_html(filters: dict[str, str], labels: dict[str, str], titles: dict[str, str] | None = None) -> str:
    """One line that says which filters narrow the answers (empty when none do); `labels` as `filter_labels`."""
    titles = titles or {}
    shown = []
    for key, value in filters.items():
        if value:
            name = titles.get(value, value) if key == DOCUMENT_FILTER else value
            shown.append(f'<span class="filter-waarde">{esc(labels.get(key, key))}: {esc(name)}</span>')
    if not shown:
        return ""
    return '<p class="actieve-filters" role="status">Antwoorden alleen uit: ' + " · ".join(shown) + "</p>"


# -- saved conversations and the cited page ------------------------------------------------


def conversation_choices(summaries) -> list[tuple[str, str]]:
    """'Wat is het doel van slim vegen? · 2026-05-20 14:03' per saved conversation, newest first."""
    return [(f"{c.title} · {c.date}", c.id) for c in summaries]


def cited_page_html(c: Citation, image_png: bytes, page: int, pages: int, marks: int) -> str:
    """A rendered PDF page, inline, with what it shows said in words."""
    data = base64.b64encode(image_png).decode("ascii")
    found = (
        "het citaat is geel gemarkeerd."
        if marks
        else "het citaat is op deze pagina niet letterlijk teruggevonden (staat het op de volgende?)."
    )
    return (
        f'<figure class="pagina-weergave" data-n="{c.n}"><figcaption><strong>[{c.n}] {esc(c.title)}</strong><br>'
        f"Pagina {page} van {pages}; {found}</figcaption>"
        f'<img src="data:image/png;base64,{data}" alt="Pagina {page} van {esc(c.title)}, met het citaat gemarkeerd">'
        "</figure>"
    )


def section_view_html(c: Citation, passages: list) -> str:
    """For a source that is not a PDF: the whole section the quote comes from, the quote marked."""
    quotes = [q for q in (c.quotes or [c.quote]) if q]
    label = section_label(c.section, c.title) or c.title
    parts = [
        f'<div class="sectie-weergave" data-n="{c.n}"><p><strong>[{c.n}] {esc(c.title)}</strong><br>Sectie: {esc(label)}</p>'
    ]
    shown = False
    for p in passages:
        body = highlight(p.text, [q for q in quotes if q in p.text])
        cited = " geciteerd" if p.chunk_id == c.chunk_id else ""
        shown = shown or bool(cited)
        page = f'<span class="bron-meta">{esc(p.page_label)}</span> ' if p.page_label else ""
        parts.append(f'<div class="document-passage{cited}">{page}{body}</div>')
    if not shown:  # the store changed since: show at least the passage that was quoted
        parts.append(f'<div class="document-passage geciteerd">{highlight(c.passage_text or "", quotes)}</div>')
    return "".join(parts) + "</div>"


# -- small Markdown (the digest's list) -----------------------------------------------------


_CODE = re.compile(r"`([^`]+)`")


def simple_markdown_html(text: str) -> str:
    """Paragraphs and '-' lists, with `code`; everything else escaped. Enough for the digest."""
    out, items, para = [], [], []

    def flush():
        if items:
            out.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            items.clear()
        if para:
            out.append(f"<p>{' '.join(para)}</p>")
            para.clear()

    for line in text.split("\n"):
        stripped = line.strip()
        inline = _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", esc(stripped.lstrip("-* ").strip()))
        if not stripped:
            flush()
        elif stripped.startswith(("- ", "* ")):
            if para:
                flush()
            items.append(inline)
        elif stripped.startswith("#"):
            flush()
            out.append(f"<h4>{esc(stripped.lstrip('#').strip())}</h4>")
        elif items:
            items[-1] += " " + inline
        else:
            para.append(inline)
    flush()
    return "".join(out)


def unknowns_html(markdown: str | None) -> str:
    if not markdown:
        return '<div class="onbekend-leeg">Het corpus heeft geen lijst "Wat nog onbekend is".</div>'
    return (
        '<div class="onbekend"><p><strong>Wat de bronnen (nog) niet vertellen</strong> — volgens '
        "<code>BRONNEN-DIGEST.md</code> van het corpus. Vragen hierover beantwoordt de assistent met "
        "'staat niet in de beschikbare bronnen', tenzij een document dat u zelf toevoegt (het rapport) er iets "
        "over zegt: dan citeert hij beide.</p>" + simple_markdown_html(markdown) + "</div>"
    )


# -- evaluation ------------------------------------------------------------------------------


def plots_html(paths: list) -> str:
    """PNG plots inline as data: URIs, so no file needs to be served."""
    figures = []
    for path in paths:
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        figures.append(
            f'<figure class="eval-plot"><img alt="{esc(path.stem)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{esc(path.name)}</figcaption></figure>"
        )
    return '<div class="eval-plots">' + "".join(figures) + "</div>" if figures else ""


def figure_value(f) -> str:
    """A figure as the overview shows it: words to at most one decimal (a median of 80.5 is over a target
    of 80 and must not read as 80), shares to three."""
    if f.value is None:
        return "–"
    return f"{round(f.value, 1):g}" if f.name == "median_words" else f"{f.value:.3f}"


def _figure(f) -> str:
    value = figure_value(f)
    if f.met is None:
        return f"<td>{value}</td>"
    sign = "≥" if f.bound == "min" else "≤"
    verdict = "doel gehaald" if f.met else "onder doel" if f.bound == "min" else "boven doel"
    return (
        f'<td class="{"doel-gehaald" if f.met else "doel-gemist"}">{value}'
        f'<small class="doel">{verdict} ({sign} {f.target:g})</small></td>'
    )


def eval_overview_html(folder, unseen_names: list[str]) -> str:
    """The sets side by side, unseen first, every figure with a target flagged against it, one date
    per report (the date it was measured). `folder`: `ui.eval_report.ReportFolder`."""
    where = f'<p class="bron-meta">Map: <code>{esc(folder.path)}</code></p>'
    problems = "".join(f'<p class="onthouding">Niet te lezen: {esc(p)}</p>' for p in folder.problems)
    if not folder.reports:
        return (
            f'{where}{problems}<div class="evaluatie-leeg">Geen evaluatierapport (<code>report.json</code>) in deze map. '
            "Maak er een met <code>datalessen eval --report MAP</code>, of kies een andere map.</div>"
        )
    if folder.unseen:
        lines = []
        for r in folder.unseen:
            missed = ", ".join(
                f"{esc(f.label)} {figure_value(f)} (doel {'≥' if f.bound == 'min' else '≤'} {f.target:g})"
                for f in r.missed_targets
            )
            verdict = f"doelen niet gehaald: {missed}" if missed else "alle doelen gehaald"
            lines.append(f"<li><strong>{esc(r.name)}</strong> ({r.questions} vragen, {esc(r.date)}): {verdict}</li>")
        head = (
            '<div class="ongezien"><strong>Ongeziene vragen</strong> — de cijfers die u bij nieuwe vragen mag '
            f"verwachten:<ul>{''.join(lines)}</ul></div>"
        )
    else:
        head = (
            '<div class="ongezien ongezien-ontbreekt"><strong>Geen rapport van een ongeziene set</strong> ('
            + esc(", ".join(unseen_names))
            + ") in deze map. Alle cijfers hieronder komen van sets waarop de regels zijn afgestemd of waarvan de "
            "fouten zijn bestudeerd: bij nieuwe vragen vallen ze lager uit.</div>"
        )
    labels = "".join(f"<th>{esc(f.label)}</th>" for f in folder.reports[0].figures)
    rows = "".join(
        f'<tr class="set-rij rol-{esc(r.role or "eigen")}" data-set="{esc(r.key)}"><td><strong>{esc(r.name)}</strong></td>'
        f"<td>{esc(ROLE_LABELS.get(r.role, ''))}</td><td>{esc(r.date)}</td><td>{r.questions}</td>"
        + "".join(_figure(f) for f in r.figures)
        + "</tr>"
        for r in folder.reports
    )
    table = (
        '<table class="evaluatie-sets"><thead><tr><th>vraagset</th><th>rol</th><th>gemeten</th><th>vragen</th>'
        f"{labels}</tr></thead><tbody>{rows}</tbody></table>"
        f'<p class="bron-meta">Variant {esc(folder.reports[0].variant)}; doelen uit de <code>[target]</code>-tabellen '
        "van <code>evals/thresholds*.toml</code>.</p>"
    )
    return where + problems + head + table


def _facts_html(record: dict) -> str:
    if not record.get("answerable", True):
        return "<p>Geen: deze vraag is niet uit de bronnen te beantwoorden; verwacht is dat het antwoord dat zegt.</p>"
    facts = record.get("key_facts")
    found = record.get("metrics", {}).get("key_facts_found") or []
    if facts is None:
        return f"<p>Dit rapport noemt de kernfeiten zelf niet; {sum(found)} van {len(found)} staan in het antwoord.</p>"
    items = []
    for i, fact in enumerate(facts):
        alternatives = fact if isinstance(fact, list) else [fact]
        hit = i < len(found) and found[i]
        text = esc(alternatives[0]) + (
            f' <span class="bron-meta">(of: {esc(", ".join(alternatives[1:]))})</span>' if len(alternatives) > 1 else ""
        )
        mark = '<span class="feit-ja">in het antwoord</span>' if hit else '<span class="feit-nee">ontbreekt</span>'
        items.append(f"<li>{text} — {mark}</li>")
    return f'<ul class="kernfeiten">{"".join(items)}</ul>'


def _question_html(record: dict) -> str:
    found = outcomes(record)
    badges = "".join(f'<span class="uitkomst uitkomst-{o}">{esc(OUTCOMES[o])}</span>' for o in found)
    history = record.get("history") or []
    asked = esc(record.get("question", "")) + (
        f' <span class="bron-meta">(na: {esc(" → ".join(history))})</span>' if history else ""
    )
    m = record.get("metrics", {})
    standalone = record.get("standalone_question") or ""
    ranks = record.get("relevant_ranks") or []
    retrieval = (
        "–"
        if not record.get("answerable", True)
        else (f"ja, eerst op plaats {ranks[0]}" if m.get("hit@5") else "nee: geen gouden bewijs in de top 5")
    )
    cited = sorted({c.get("document", "") for c in record.get("citations", []) if c.get("document")})
    should = "ja" if not record.get("answerable", True) else "nee"
    body = (
        (f"<p><strong>Zelfstandig gezocht als:</strong> {esc(standalone)}</p>" if standalone and history else "")
        + f'<p><strong>Antwoord</strong> ({m.get("words", 0)} woorden; onthouden: '
        f"{'ja' if m.get('abstained') else 'nee'}, verwacht: {should})</p>"
        f'<div class="eval-antwoord">{esc(record.get("answer", ""))}</div>'
        f"<p><strong>Gouden kernfeiten</strong></p>{_facts_html(record)}"
        f"<p><strong>Bewijs opgehaald:</strong> {retrieval}"
        + (f" · <strong>geciteerd:</strong> {esc(', '.join(cited))}" if cited else "")
        + "</p>"
    )
    return (
        f'<details class="eval-vraag" data-id="{esc(record.get("id", ""))}" data-uitkomst="{" ".join(found)}">'
        f'<summary>{badges} <code>{esc(record.get("id", ""))}</code> {asked}</summary>{body}</details>'
    )


def eval_questions_html(report, wanted: str) -> str:
    """Every question of one report that matches the filter, each opening to its answer and gold facts."""
    if report is None:
        return ""
    counts = report.counts()
    tally = " · ".join(f"{esc(OUTCOMES[o])}: {n}" for o, n in counts.items())
    chosen = [r for r in report.records if outcome_matches(r, wanted)]
    head = (
        f'<p class="eval-telling"><strong>{esc(report.name)}</strong> ({esc(ROLE_LABELS.get(report.role, ""))}), '
        f"{len(report.records)} vragen — {tally}. Getoond ({esc(FILTERS.get(wanted, wanted))}): {len(chosen)}.</p>"
    )
    if not report.records:
        return head + "<p>Dit rapport bevat geen antwoorden per vraag.</p>"
    if not chosen:
        return head + "<p>Geen vragen met deze uitkomst.</p>"
    return head + '<div class="eval-vragen">' + "".join(_question_html(r) for r in chosen) + "</div>"


def feedback_html(summary: dict, records: list, *, everyone: bool = True) -> str:
    """Counts and the latest rows; `everyone` says whether they are all users' or only the reader's own."""
    total = summary.get("totaal", 0)
    scope = "" if everyone else '<p class="feedback-bereik">Alleen uw eigen feedback; beheerders zien die van iedereen.</p>'
    counts = "".join(f"<tr><td>{esc(label)}</td><td>{count}</td></tr>" for label, count in summary.items() if label != "totaal")
    table = (
        f'<table class="feedback-tabel"><thead><tr><th>Oordeel</th><th>Aantal</th></tr></thead>'
        f"<tbody>{counts}<tr><td><strong>totaal</strong></td><td><strong>{total}</strong></td></tr></tbody>"
        "</table>"
    )
    if not records:
        return scope + table + "<p>Nog geen feedback gegeven.</p>"
    rows = "".join(
        f"<tr><td>{esc(r.created_at)}</td><td>{esc(r.user)}</td><td>{esc(r.label)}</td><td>{esc(r.question)}</td>"
        f"<td>{esc(r.comment)}</td></tr>"
        for r in records
    )
    return (
        scope + table + "<p>Laatste feedback:</p>"
        '<table class="feedback-tabel"><thead><tr><th>Wanneer (UTC)</th><th>Gebruiker</th><th>Oordeel</th>'
        f"<th>Vraag</th><th>Opmerking</th></tr></thead><tbody>{rows}</tbody></table>"
    )
