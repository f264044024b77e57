"""The cited page itself: a PDF page rendered offline with the quoted words highlighted.

pypdfium2 (installed with pdfplumber) draws the page; pdfplumber gives every word's box,
and the quote's words are found on the page in order (a line-end hyphen or a different
spacing does not stop them matching). The image is cached in the data home
(`paginas/`), keyed by the file's content, the page and the quotes, so a second look is
instant and a changed file is drawn afresh.

    path = cited_page_png(Path("rapport.pdf"), 12, ["het quote"], cache_dir)  # PNG, or None
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from ingest.loaders.pdf_lines import WORD_GAP_EM  # the words of a page as ingest read them

SCALE = 1.6  # pixels per PDF point: an A4 page is ~950 px wide, sharp on a laptop, small enough to send
HIGHLIGHT = (253, 224, 71, 110)  # yellow, translucent: the words stay readable underneath
OUTLINE = (180, 83, 9, 255)
MIN_RUN = 3  # a run of at least this many of the quote's words in a row counts as the quote (or the whole quote)
_WORD = re.compile(r"[^\w]+", re.UNICODE)


@dataclass(frozen=True)
class PageImage:
    path: Path
    page: int  # 1-based
    pages: int  # in the document
    marks: int  # highlighted strokes (line runs of the quotes' words); 0 = the quote was not found on the page


def _norm(word: str) -> str:
    return _WORD.sub("", word).casefold()


def page_numbers(label: str) -> list[int]:
    """'p. 3' -> [3]; 'p. 3-4' -> [3, 4]; '' -> []."""
    numbers = [int(n) for n in re.findall(r"\d+", label or "")]
    if len(numbers) >= 2 and numbers[1] >= numbers[0]:
        return list(range(numbers[0], min(numbers[1], numbers[0] + 3) + 1))
    return numbers[:1]


def quote_boxes(words: list[dict], quotes: list[str]) -> list[tuple[float, float, float, float]]:
    """The boxes (x0, top, x1, bottom) of the page words that spell out one of the quotes, in runs."""
    tokens: list[str] = []
    owners: list[list[int]] = []  # token -> indexes of the page words it came from
    i = 0
    while i < len(words):
        text = words[i]["text"]
        # "voor-" at a line end and "spellen" on the next line are one word of the quote
        if text.endswith("-") and i + 1 < len(words) and words[i + 1]["top"] > words[i]["top"]:
            tokens.append(_norm(text + words[i + 1]["text"]))
            owners.append([i, i + 1])
            i += 2
            continue
        tokens.append(_norm(text))
        owners.append([i])
        i += 1
    marked: set[int] = set()
    for quote in quotes:
        wanted = [t for t in (_norm(w) for w in (quote or "").split()) if t]
        if not wanted:
            continue
        least = min(MIN_RUN, len(wanted))
        matcher = SequenceMatcher(None, tokens, wanted, autojunk=False)
        for block in matcher.get_matching_blocks():
            if block.size >= least:
                for t in range(block.a, block.a + block.size):
                    if tokens[t]:
                        marked.update(owners[t])
    return _line_runs([words[i] for i in sorted(marked)])


def _line_runs(words: list[dict]) -> list[tuple[float, float, float, float]]:
    """Neighbouring marked words on one line become one box, so a quote reads as one highlighted stroke."""
    runs: list[list[float]] = []
    for w in words:
        last = runs[-1] if runs else None
        same_line = last is not None and abs(w["top"] - last[1]) < 2 and 0 <= w["x0"] - last[2] < 30
        if same_line:
            last[2], last[3] = w["x1"], max(last[3], w["bottom"])
        else:
            runs.append([w["x0"], w["top"], w["x1"], w["bottom"]])
    return [tuple(run) for run in runs]


def _cache_key(pdf: Path, page: int, quotes: list[str]) -> str:
    digest = hashlib.sha256()
    with open(pdf, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    digest.update(f"|{page}|{SCALE}|".encode())
    digest.update("\x1f".join(quotes).encode("utf-8"))
    return digest.hexdigest()[:32]


def cited_page_png(pdf: Path, page: int, quotes: list[str], cache_dir: Path) -> PageImage | None:
    """Page `page` of `pdf` as a PNG with the quotes' words highlighted; None when there is no such page."""
    import pdfplumber
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    pdf = Path(pdf)
    if not pdf.is_file():
        return None
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / f"{_cache_key(pdf, page, quotes)}.png"
    marks_file = target.with_suffix(".txt")
    document = pdfium.PdfDocument(str(pdf))
    try:
        total = len(document)
        if not 1 <= page <= total:
            return None
        if target.is_file() and marks_file.is_file():
            return PageImage(target, page, total, int(marks_file.read_text() or 0))
        with pdfplumber.open(pdf) as plumber:
            plumbed = plumber.pages[page - 1]
            words = plumbed.extract_words(keep_blank_chars=False, use_text_flow=True, x_tolerance_ratio=WORD_GAP_EM)
            origin_x, origin_y = float(plumbed.bbox[0]), float(plumbed.bbox[1])
        boxes = quote_boxes(words, quotes)
        image = document[page - 1].render(scale=SCALE).to_pil().convert("RGBA")
    finally:
        document.close()
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for x0, top, x1, bottom in boxes:
        box = [
            (x0 - origin_x) * SCALE - 1,
            (top - origin_y) * SCALE - 1,
            (x1 - origin_x) * SCALE + 1,
            (bottom - origin_y) * SCALE + 1,
        ]
        draw.rectangle(box, fill=HIGHLIGHT)
        draw.line([(box[0], box[3]), (box[2], box[3])], fill=OUTLINE, width=2)
    Image.alpha_composite(image, overlay).convert("RGB").save(target, optimize=True)
    marks_file.write_text(str(len(boxes)))
    return PageImage(target, page, total, len(boxes))


def best_cited_page(pdf: Path, label: str, quotes: list[str], cache_dir: Path) -> PageImage | None:
    """Of the pages a citation spans ('p. 3-4'), the one where most of the quote was found."""
    best = None
    for number in page_numbers(label) or [1]:
        image = cited_page_png(pdf, number, quotes, cache_dir)
        if image is not None and (best is None or image.marks > best.marks):
            best = image
    return best
