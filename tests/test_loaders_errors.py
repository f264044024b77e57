"""Broken, hostile and unreadable files: each refused (or read) with a message naming file and reason."""

from __future__ import annotations

import zipfile

import pytest

from ingest.document import IngestError
from ingest.loaders import docx as docx_loader
from ingest.loaders import load_file
from tests.loader_files import blank_pdf, make_pdf, report_pdf, write_zip_bomb_docx


def refused(path) -> IngestError:
    with pytest.raises(IngestError) as caught:
        load_file(path)
    assert caught.value.path == str(path)
    assert str(path) in str(caught.value)
    return caught.value


# --- PDF ------------------------------------------------------------------------------------------


def test_truncated_pdf(tmp_path):
    path = tmp_path / "afgebroken.pdf"
    data = report_pdf()
    path.write_bytes(data[: len(data) // 2])
    assert refused(path).reason.startswith("not a readable PDF")


def test_pdf_that_is_not_a_pdf(tmp_path):
    path = tmp_path / "nep.pdf"
    path.write_bytes(b"<html>dit is geen pdf</html>")
    assert refused(path).reason == "not a readable PDF: no %PDF header (is it really a PDF?)"


def test_corrupt_pdf_body(tmp_path):
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    assert refused(path).reason.startswith("not a readable PDF")


def test_password_protected_pdf(tmp_path):
    path = tmp_path / "geheim.pdf"
    path.write_bytes(blank_pdf(password="geheim"))
    assert refused(path).reason == "PDF is password-protected"


def test_pdf_without_text_layer(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(blank_pdf())
    assert refused(path).reason == "no text layer (scanned PDF?); OCR is not done"


def test_pdf_with_only_a_picture(tmp_path):
    path = tmp_path / "figuur.pdf"
    path.write_bytes(make_pdf([[]], drawings={0: "0.5 g 72 300 400 300 re f"}))
    assert refused(path).reason == "no text layer (scanned PDF?); OCR is not done"


# --- DOCX -----------------------------------------------------------------------------------------


def test_docx_that_is_not_a_zip(tmp_path):
    path = tmp_path / "nep.docx"
    path.write_bytes(b"Dit is platte tekst met de verkeerde extensie.")
    assert refused(path).reason == "not a valid DOCX (not a zip archive)"


def test_zip_without_document_xml(tmp_path):
    path = tmp_path / "leeg.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/styles.xml", "<styles/>")
    assert refused(path).reason == "not a valid DOCX (no word/document.xml)"


def test_zip_bomb_docx(tmp_path):
    """250 MB of zeros packs into about 250 KB; the zip directory gives it away before unpacking."""
    path = write_zip_bomb_docx(tmp_path / "bom.docx")
    assert path.stat().st_size < 1_000_000
    assert refused(path).reason == "DOCX unpacks to 262 MB, above the 200 MB safety limit"


def test_zip_bomb_ratio(tmp_path, monkeypatch):
    monkeypatch.setattr(docx_loader, "RATIO_MIN_BYTES", 100_000)
    path = tmp_path / "ratio.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>" + " " * 2_000_000)
    reason = refused(path).reason
    assert reason.startswith("DOCX part word/document.xml unpacks") and "safety ratio of 200" in reason


def test_docx_with_broken_xml(tmp_path):
    path = tmp_path / "kapot.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("word/document.xml", "<w:document")
    assert refused(path).reason.startswith("not a valid DOCX (")


# --- HTML -----------------------------------------------------------------------------------------


def test_html_latin1_without_charset(tmp_path):
    path = tmp_path / "oud.html"
    path.write_bytes("<html><body><p>Co\u00f6peratie met \u00e9\u00e9n gemeente</p></body></html>".encode("latin-1"))
    doc = load_file(path)
    assert [b.text for b in doc.blocks] == ["Co\u00f6peratie met \u00e9\u00e9n gemeente"]
    assert "read as cp1252" in doc.warnings[0]


def test_html_script_and_event_handlers_never_become_text(tmp_path):
    path = tmp_path / "aanval.html"
    path.write_text(
        "<html><body><main><h1>Rapport</h1>"
        "<p>Voor<script>document.cookie='gestolen'</script>na.</p>"
        "<img src=x onerror=\"alert('xss')\"><svg onload=alert(2)><text>svg-tekst</text></svg>"
        "<iframe src=\"https://evil.example\">frame-tekst</iframe>"
        "<p>Letterlijk: &lt;script&gt;alert(1)&lt;/script&gt; en &lt;b&gt;vet&lt;/b&gt;</p>"
        "</main></body></html>",
        encoding="utf-8",
    )
    doc = load_file(path)
    texts = [b.text for b in doc.blocks]
    assert texts == ["Rapport", "Voorna.", "Letterlijk: <script>alert(1)</script> en <b>vet</b>"]
    joined = " ".join(texts)
    for leaked in ("cookie", "onerror", "alert('xss')", "svg-tekst", "frame-tekst", "evil.example"):
        assert leaked not in joined


def test_html_with_no_content(tmp_path):
    path = tmp_path / "leeg.html"
    path.write_text("<html><body><nav>Menu</nav><script>x()</script></body></html>", encoding="utf-8")
    assert refused(path).reason == "no text found in the document"
