"""PDF via pdfplumber (MIT): physical page numbers on every block, print structure recovered.

pdfplumber is chosen over PyMuPDF for its licence (PyMuPDF is AGPL). Failures a
user can act on get their own message: a damaged file, a password, a scan
without a text layer (OCR is out of scope, so that is said rather than guessed).
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.psexceptions import PSEOF
from pdfplumber.utils.exceptions import PdfminerException

from ingest.document import IngestError, LoadedDocument, doc_id_for
from ingest.loaders.common import first_heading, put, stem_title
from ingest.loaders.hyphenation import LineJoiner
from ingest.loaders.pdf_layout import BlockBuilder, PageText, drop_furniture, split_footnotes
from ingest.loaders.pdf_lines import page_lines
from ingest.loaders.pdf_navigation import drop_navigation

NO_TEXT_LAYER = "no text layer (scanned PDF?); OCR is not done"
_DATE = re.compile(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Z+-])(\d{2})?'?(\d{2})?)?")


def load_pdf(path: Path, data: bytes) -> LoadedDocument:
    if b"%PDF-" not in data[:1024]:
        raise IngestError(path, "not a readable PDF: no %PDF header (is it really a PDF?)")
    warnings: list[str] = []
    pages, info = _read_pages(path, data, warnings)
    blocks = []
    if not any(page.lines for page in pages):
        warnings.insert(0, NO_TEXT_LAYER)
    else:
        silent = [str(page.number) for page in pages if not page.lines]
        if silent:
            warnings.append(
                f"page(s) {', '.join(silent)} have no text layer (scanned?); OCR is not done, their content is missing"
            )
        drop_furniture(pages)
        drop_navigation(pages)
        builder = BlockBuilder(pages, LineJoiner.for_lines([ln.text for p in pages for ln in p.lines]))
        for page in pages:
            split_footnotes(page, builder.body)
        blocks = builder.blocks()
    metadata = {"kind": "document"}
    put(metadata, "author", info.get("Author"))
    put(metadata, "subject", info.get("Subject"))
    put(metadata, "keywords", info.get("Keywords"))
    put(metadata, "created", _pdf_date(info.get("CreationDate")))
    put(metadata, "modified", _pdf_date(info.get("ModDate")))
    top_level = min((b.level for b in blocks if b.kind == "heading"), default=0)
    large_heading = next((b.text for b in blocks if b.kind == "heading" and b.level == top_level), "")
    title = _usable_title(info.get("Title")) or large_heading or first_heading(blocks) or stem_title(path)
    return LoadedDocument(
        doc_id=doc_id_for(data),
        source=str(path),
        title=title,
        metadata=metadata,
        blocks=blocks,
        warnings=warnings,
        pages=len(pages),
    )


def _read_pages(path: Path, data: bytes, warnings: list[str]) -> tuple[list[PageText], dict]:
    pages: list[PageText] = []
    unmapped = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            info = {k: _text(v) for k, v in (pdf.metadata or {}).items()}
            for number, page in enumerate(pdf.pages, start=1):
                try:
                    lines, bad = page_lines(page, number)
                except Exception as exc:  # noqa: BLE001 - one damaged page must not cost the others
                    warnings.append(f"page {number} could not be read ({type(exc).__name__}); skipped")
                    lines, bad = [], 0
                unmapped += bad
                pages.append(PageText(number=number, height=float(page.height), lines=lines))
                page.close()
    except PdfminerException as exc:
        raise _open_error(path, exc.args[0] if exc.args else exc) from exc
    except Exception as exc:
        raise _open_error(path, exc) from exc
    if unmapped:
        warnings.append(f"{unmapped} characters without a Unicode mapping were dropped (font without ToUnicode)")
    return pages, info


def _open_error(path: Path, exc: BaseException) -> IngestError:
    if isinstance(exc, PDFPasswordIncorrect):
        return IngestError(path, "PDF is password-protected")
    if isinstance(exc, PDFEncryptionError):
        return IngestError(path, f"PDF is encrypted with an unsupported method ({exc})")
    if isinstance(exc, PSEOF):
        return IngestError(path, "not a readable PDF: the file ends unexpectedly (truncated?)")
    return IngestError(path, f"not a readable PDF: {exc or type(exc).__name__}")


def _text(value) -> str:
    if isinstance(value, bytes):
        if value.startswith((b"\xfe\xff", b"\xff\xfe")):
            return value.decode("utf-16", errors="replace")
        return value.decode("latin-1")
    return value if isinstance(value, str) else str(value)


_PLACEHOLDER_TITLE = re.compile(r"^(about:|file:|https?://|untitled\b|naamloos\b|document\s*\d*$)", re.IGNORECASE)


def _usable_title(title: str | None) -> str:
    """A metadata title, unless it is a leftover from the authoring tool ("Microsoft Word - x.docx") or a
    placeholder: a page printed from a browser says "about:blank" or its URL, a new file "Untitled-1"."""
    title = " ".join((title or "").split())
    if not title or title.lower() in {"untitled", "title", "document"} or _PLACEHOLDER_TITLE.match(title):
        return ""
    if title.lower().startswith("microsoft word - ") or re.search(r"\.(docx?|pdf|odt|rtf|indd)$", title, re.IGNORECASE):
        return ""
    return title


def _pdf_date(value: str | None) -> datetime | None:
    match = _DATE.match(value or "")
    if not match:
        return None
    year, month, day, hour, minute, second, sign, tz_hours, tz_minutes = match.groups()
    tz = None
    if sign == "Z":
        tz = UTC
    elif sign:
        offset = timedelta(hours=int(tz_hours or 0), minutes=int(tz_minutes or 0))
        tz = timezone(offset if sign == "+" else -offset)
    try:
        return datetime(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=tz)
    except ValueError:
        return None
