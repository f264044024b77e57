"""Bad files handed to the whole pipeline: each named with its reason, the good ones ingested, the store intact.

The loaders' own refusals are tested in test_loaders_errors.py; here the same kinds of
file sit in one folder with good files, after a first good ingest, and what matters is
what the run as a whole does: report, exit code, and a store that holds exactly what
it held before plus the good new files, with no piece of a failed one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from assistant.store import ChunkStore
from ingest.manifest import Manifest
from ingest.pipeline import Ingestor
from tests.fakes import HashEmbeddings, model_texts
from tests.loader_files import blank_pdf, report_pdf, write_zip_bomb_docx

GOOD_CORPUS_FILES = ("case-01-slim-vegen-utrecht.md", "case-06-huishoudboekje.md")
MAX_FILE_MB = 0.5  # the good files are all smaller; groot.txt is not


@pytest.fixture
def settings(fake_settings):
    return fake_settings.replace(max_file_mb=MAX_FILE_MB)


@pytest.fixture
def folder(tmp_path, settings) -> Path:
    """Good files of every format: two Markdown cases, a generated PDF and a generated DOCX."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in GOOD_CORPUS_FILES:
        shutil.copy(settings.corpus_dir / name, docs / name)
    (docs / "rapport.pdf").write_bytes(report_pdf())
    document = docx.Document()
    document.add_heading("Verslag wijkpeiling", level=1)
    document.add_paragraph("De respons in Noord was hoger dan in Zuid, vooral onder jongeren.")
    document.save(docs / "verslag.docx")
    return docs


def add_bad_files(folder: Path, elsewhere: Path) -> dict[str, str]:
    """Write every kind of bad file into `folder`; returns file name -> the reason the report must give."""
    (folder / "leeg.md").write_bytes(b"")
    (folder / "groot.txt").write_bytes(b"woord " * 100_000)
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    (folder / "geheim.pdf").write_bytes(blank_pdf(password="geheim"))
    (folder / "scan.pdf").write_bytes(blank_pdf())
    (folder / "nep.docx").write_bytes(b"Dit is platte tekst met de verkeerde extensie.")
    write_zip_bomb_docx(folder / "bom.docx")
    elsewhere.mkdir(exist_ok=True)
    (elsewhere / "salarissen.md").write_text("# Salarissen\n\nVertrouwelijk.\n", encoding="utf-8")
    (folder / "link.md").symlink_to(elsewhere / "salarissen.md")
    return {
        "leeg.md": "file is empty (0 bytes)",
        "groot.txt": "file is 0.6 MB, above the limit of 0.5 MB (setting max_file_mb)",
        "corrupt.pdf": "not a readable PDF",
        "geheim.pdf": "PDF is password-protected",
        "scan.pdf": "no text layer (scanned PDF?); OCR is not done",
        "nep.docx": "not a valid DOCX (not a zip archive)",
        "bom.docx": "DOCX unpacks to 262 MB, above the 200 MB safety limit",
        "link.md": f"symlink points outside the given folders (to {(elsewhere / 'salarissen.md').resolve()})",
    }


def add_cp1252_file(folder: Path) -> Path:
    path = folder / "oud.txt"
    path.write_bytes("Co\u00f6peratie met \u00e9\u00e9n gemeente \u2013 de wijkraad besliste mee.".encode("cp1252"))
    return path


def snapshot(settings) -> dict[str, tuple[str, dict]]:
    return {p.chunk_id: (p.text, p.metadata) for p in ChunkStore(settings).all_passages()}


def run(settings, paths, embeddings=None, **kwargs):
    return Ingestor(settings, store=ChunkStore(settings), embeddings=embeddings or HashEmbeddings()).run(paths, **kwargs)


def test_bad_files_fail_one_by_one_and_leave_the_store_intact(settings, folder, tmp_path):
    first = run(settings, [folder])
    assert first.ok and len(first.added) == 4, first.summary()
    before = snapshot(settings)
    good_sources = {str(p.resolve()) for p in folder.iterdir()}

    expected = add_bad_files(folder, tmp_path / "elders")
    cp1252 = add_cp1252_file(folder)
    unsupported = tmp_path / "los" / "tabel.xlsx"
    unsupported.parent.mkdir()
    unsupported.write_bytes(b"PK\x03\x04 geen echte spreadsheet")
    embeddings = HashEmbeddings()

    report = run(settings, [folder, unsupported], embeddings)

    failed = dict(report.failed)
    assert len(report.failed) == len(failed), "a file is reported once"
    expected_paths = {str(folder / name): reason for name, reason in expected.items()}
    expected_paths[str(unsupported)] = "unsupported file type '.xlsx'"
    assert set(failed) == set(expected_paths), report.summary()
    for path, reason in expected_paths.items():
        assert failed[path].startswith(reason), (path, failed[path])
    assert not report.ok
    assert report.skipped == []
    assert sorted(report.unchanged) == sorted(good_sources)
    assert report.added == [str(cp1252)]
    assert report.warnings == [(str(cp1252), "not valid UTF-8 (invalid start byte at byte 2); read as cp1252")]

    after = snapshot(settings)
    old = {chunk_id: value for chunk_id, value in after.items() if chunk_id in before}
    assert old == before, "chunks of files stored before are untouched"
    new = {chunk_id: value for chunk_id, value in after.items() if chunk_id not in before}
    assert {meta["source"] for _, meta in new.values()} == {str(cp1252)}
    assert embeddings.embedded_texts == model_texts(text for text, _ in new.values()), "only the new good file was embedded"
    assert any("Co\u00f6peratie met \u00e9\u00e9n gemeente \u2013" in text for text, _ in new.values())
    assert not {meta["source"] for _, meta in after.values()} & set(expected_paths), "no chunk of a failed file"
    manifest = Manifest(settings.manifest_path, f"{settings.store_dir}#{settings.collection}")
    assert {row.source for row in manifest.rows()} == good_sources | {str(cp1252)}
    assert {row.state for row in manifest.rows()} == {"done"}

    again = run(settings, [folder, unsupported], embeddings)
    assert dict(again.failed) == failed and again.embedded == 0, "failures are retried, cost nothing else"
    assert snapshot(settings) == after


def test_a_stored_file_that_turns_corrupt_keeps_its_last_good_version(settings, folder):
    run(settings, [folder])
    before = snapshot(settings)
    pdf = folder / "rapport.pdf"
    pdf.write_bytes(report_pdf()[:2000])
    report = run(settings, [folder])
    assert [path for path, _ in report.failed] == [str(pdf)]
    assert report.failed[0][1].startswith("not a readable PDF")
    assert snapshot(settings) == before


def test_an_unexpected_loader_error_fails_that_file_only(settings, folder, monkeypatch):
    from ingest.loaders import text

    real = text.load_markdown

    def flaky(path, data):
        if path.name == GOOD_CORPUS_FILES[0]:
            raise RuntimeError("parser bug")
        return real(path, data)

    monkeypatch.setattr(text, "load_markdown", flaky)
    report = run(settings, [folder])
    assert report.failed == [(str(folder / GOOD_CORPUS_FILES[0]), "could not be read (RuntimeError: parser bug)")]
    assert len(report.added) == 3
    assert {p.source for p in ChunkStore(settings).all_passages()} == {
        str(folder / n) for n in (GOOD_CORPUS_FILES[1], "rapport.pdf", "verslag.docx")
    }


def test_a_broken_symlink_is_named(settings, folder):
    (folder / "weg.md").symlink_to(folder / "bestaat-niet.md")
    report = run(settings, [folder])
    assert report.failed == [(str(folder / "weg.md"), f"broken symlink (to {folder / 'bestaat-niet.md'})")]
    assert len(report.added) == 4


def test_cli_exit_code_and_summary_name_every_failure(settings, folder, tmp_path, monkeypatch):
    import assistant.embeddings

    monkeypatch.setattr(assistant.embeddings, "load_embeddings", lambda _settings: HashEmbeddings())
    env = {"DATALESSEN_HOME": str(settings.home), "DATALESSEN_MAX_FILE_MB": str(MAX_FILE_MB)}
    from ui.cli import cli

    good = CliRunner().invoke(cli, ["ingest", "-q", str(folder)], env=env)
    assert good.exit_code == 0, good.output
    before = snapshot(settings)
    expected = add_bad_files(folder, tmp_path / "elders")

    result = CliRunner().invoke(cli, ["ingest", "-q", str(folder)], env=env)
    assert result.exit_code == 1, result.output
    assert f"mislukt {len(expected)}" in result.stdout and "ongewijzigd 4" in result.stdout
    for name, reason in expected.items():
        assert f"MISLUKT  {folder / name}: {reason}" in result.stdout
    assert snapshot(settings) == before
