"""Test files for the loaders: the real fixtures, and small PDFs written by hand.

The real documents live outside the repository (../shared/fixtures/real when the
repo is cloned next to `shared/`, or wherever DATALESSEN_FIXTURES points); tests
that need them skip with the reason when they are absent. Generated PDFs use the
standard Helvetica fonts, so every position, size and line break is known exactly.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest


def real_fixtures_dir() -> Path | None:
    candidates = []
    if os.environ.get("DATALESSEN_FIXTURES"):
        candidates.append(Path(os.environ["DATALESSEN_FIXTURES"]))
    candidates.append(Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "real")
    return next((c for c in candidates if c.is_dir()), None)


def real_fixture(name: str) -> Path:
    folder = real_fixtures_dir()
    if folder is None or not (folder / name).is_file():
        pytest.skip(f"real fixture {name} not found: set DATALESSEN_FIXTURES or put shared/fixtures/real beside the repository")
    return folder / name


# A text item: (text, x, top, size) with optional bold; top is measured from the page top, like pdfplumber.
def make_pdf(
    pages: list[list[tuple]],
    width: float = 595,
    height: float = 842,
    drawings: dict | None = None,
    info: dict | None = None,
    word_gap_em: float | None = None,
) -> bytes:
    """A valid PDF with the given text items per page; `drawings` maps page index to raw path operators.
    With `word_gap_em` no space glyph is printed: each word is moved on from the last by that share of
    the font size, as many PDF writers set text."""
    drawings = drawings or {}
    objects: list[bytes] = []
    n_pages = len(pages)
    # 1 catalog, 2 pages tree, 3 regular font, 4 bold font, then (page, content) pairs, then info
    page_ids = [5 + 2 * i for i in range(n_pages)]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    for base in ("Helvetica", "Helvetica-Bold"):
        objects.append(f"<< /Type /Font /Subtype /Type1 /BaseFont /{base} /Encoding /WinAnsiEncoding >>".encode())
    for index, items in enumerate(pages):
        ops = [drawings.get(index, "").encode()]
        for item in items:
            text, x, top, size = item[:4]
            font = "F2" if len(item) > 4 and item[4] else "F1"
            y = height - top - size * 0.8
            if word_gap_em is None:
                shown = b"(" + _pdf_string(text) + b") Tj"
            else:
                gap = f") {-round(word_gap_em * 1000)} (".encode()
                shown = b"[(" + gap.join(_pdf_string(word) for word in text.split()) + b")] TJ"
            ops.append(f"BT /{font} {size} Tf {x:.2f} {y:.2f} Td ".encode() + shown + b" ET")
        stream = b"\n".join(ops)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
            f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {page_ids[index] + 1} 0 R >>".encode()
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    trailer_info = ""
    if info:
        fields = " ".join(f"/{key} ({value})" for key, value in info.items())
        objects.append(f"<< {fields} >>".encode())
        trailer_info = f" /Info {len(objects)} 0 R"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{trailer_info} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _pdf_string(text: str) -> bytes:
    return text.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def report_pdf() -> bytes:
    """Three pages of a typical Dutch report: running header and footer, headings, a footnote,
    hyphenated line ends, a list, and a paragraph that runs on to the next page."""
    header = ("Datagedreven werken in gemeenten", 72, 30, 8)

    def footer(n):
        return (f"Pagina {n} van 3", 260, 800, 8)

    body = 10

    def lines(top, texts, x=72, pitch=13):
        return [(text, x, top + i * pitch, body) for i, text in enumerate(texts)]

    page1 = [
        header,
        footer(1),
        ("Slim vegen in Utrecht", 72, 80, 18, True),
        ("Aanleiding", 72, 120, 14, True),
        *lines(
            145,
            [
                "In veel gemeen-",
                "ten is de openbare ruimte een zorgpunt. De data-",
                "applicatie van Utrecht toont waar afval ligt in Noord-",
                "Holland en daarbuiten.",
            ],
        ),
        *lines(210, ["Het project verbeterde de werk-", "en gezinsbalans van veegploegen niet, maar wel de planning."]),
        ("1", 400, 222, 6),
        *lines(260, ["De aanpak bestond uit:"]),
        ("\u2022 sensoren op afvalbakken", 90, 276, body),
        ("\u2022 een dashboard voor de", 90, 289, body),
        ("planners", 100, 302, body),
        *lines(330, ["Na een jaar bleek dat de veegroutes korter werden en dat de"]),
        ("1", 72, 758, 5),
        ("Bron: jaarverslag Stadsbeheer 2020.", 76, 760, 8),
    ]
    page2 = [
        header,
        footer(2),
        *lines(80, ["bewoners minder klachten meldden over zwerfafval. Dit is de tweede zin."]),
        ("Resultaten", 72, 120, 14, True),
        *lines(145, ["Het aantal meldingen daalde met 20 procent."]),
    ]
    page3 = [
        header,
        footer(3),
        ("Lessen", 72, 80, 14, True),
        ("Samenwerking", 72, 105, 10, True),
        *lines(125, ["Werk samen met de veegploegen vanaf het begin."]),
    ]
    return make_pdf(
        [page1, page2, page3], info={"Title": "Slim vegen", "Author": "Team Data", "CreationDate": "D:20210315093000+01'00'"}
    )


def blank_pdf(password: str | None = None) -> bytes:
    """One empty page: a PDF without a text layer, like a scan; encrypted when a password is given."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write_zip_bomb_docx(path: Path, megabytes: int = 250) -> Path:
    """A DOCX whose image part is `megabytes` MB of zeros: about 1000x smaller packed than unpacked."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/image1.bin", "w", force_zip64=True) as entry:
            chunk = bytes(1 << 20)
            for _ in range(megabytes):
                entry.write(chunk)
    return path
