"""A killed ingest (power cut, OOM killer, Ctrl-\\) loses nothing and duplicates nothing: the next run repairs.

An ingest runs in a subprocess (tests/crash_ingest.py) with embeddings slowed to
0.2 s a batch and prints a line per batch; the test SIGKILLs it at a chosen line,
runs ingest again normally, and compares the store with a clean ingest of the same
files into another data home: the same chunk ids with the same texts and metadata,
every manifest row `done`, and only the chunks that were missing embedded again.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.manifest import Manifest
from ingest.pipeline import Ingestor
from tests.conftest import PROJECT_ROOT
from tests.fakes import HashEmbeddings, model_texts

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

QUERIES = ("slim vegen utrecht afval", "voorspelmodel schooluitval", "fundering woningen zaanstad")


def ingest(settings: Settings, paths: list[Path]):
    """A normal run in this process; returns the report and how many texts it sent to the model."""
    embeddings = HashEmbeddings()
    report = Ingestor(settings, store=ChunkStore(settings), embeddings=embeddings).run(paths)
    assert report.ok, report.summary()
    return report, embeddings.embedded_texts


def contents(settings: Settings) -> dict[str, tuple[str, dict]]:
    return {p.chunk_id: (p.text, p.metadata) for p in ChunkStore(settings).all_passages(incomplete=True)}


def manifest_states(settings: Settings) -> dict[str, str]:
    manifest = Manifest(settings.manifest_path, f"{settings.store_dir}#{settings.collection}")
    try:
        return {row.source: row.state for row in manifest.rows()}
    finally:
        manifest.close()


def dense_top(settings: Settings, k: int = 5) -> list[list[str]]:
    store, embeddings = ChunkStore(settings), HashEmbeddings()
    return [[p.chunk_id for p, _ in store.dense_search(embeddings.embed_query(q), k)] for q in QUERIES]


def kill_during(home: Path, paths: list[Path], after: str, times: int = 1, *flags: str) -> list[str]:
    """Start a slow ingest, SIGKILL it once `after` has opened `times` output lines; returns the lines read."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    command = [sys.executable, "-m", "tests.crash_ingest", str(home), *map(str, paths), *flags]
    proc = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    guard = threading.Timer(180, proc.kill)
    guard.start()
    lines: list[str] = []
    try:
        for line in proc.stdout:
            lines.append(line.strip())
            if line.startswith("done"):
                pytest.fail(f"the ingest finished before it could be killed: {lines}")
            if sum(seen.startswith(after) for seen in lines) >= times:
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(timeout=30)
    finally:
        guard.cancel()
        proc.kill()
        stderr = proc.stderr.read()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, f"not killed as planned; lines {lines}; stderr:\n{stderr[-3000:]}"
    return lines


@pytest.fixture
def folder(tmp_path) -> Path:
    docs = tmp_path / "docs"
    shutil.copytree(Settings().corpus_dir, docs)
    return docs


@pytest.fixture
def big_file(tmp_path) -> Path:
    """One long document (every corpus file's text after another): well over a hundred chunks."""
    docs = tmp_path / "groot"
    docs.mkdir()
    parts = [path.read_text(encoding="utf-8").split("\n---\n", 1)[-1] for path in sorted(Settings().corpus_dir.glob("*.md"))]
    (docs / "bundel.md").write_text("# Bundel\n\n" + "\n\n".join(parts), encoding="utf-8")
    return docs


def assert_repaired(settings: Settings, reference: Settings, killed_state: dict, rerun_embedded: int) -> None:
    expected = contents(reference)
    repaired = contents(settings)
    missing, extra = sorted(expected.keys() - repaired.keys()), sorted(repaired.keys() - expected.keys())
    assert not missing and not extra, f"missing {missing[:5]}, extra {extra[:5]}"
    assert repaired == expected
    assert set(manifest_states(settings).values()) == {"done"}
    assert manifest_states(settings).keys() == manifest_states(reference).keys()
    missing_texts = model_texts(text for chunk_id, (text, _) in expected.items() if chunk_id not in killed_state)
    assert rerun_embedded == missing_texts, "the second run embeds exactly the missing chunks (and their sentences)"
    assert dense_top(settings) == dense_top(reference)


def test_killed_between_files_and_batches(tmp_path, folder):
    reference = Settings(home=tmp_path / "reference")
    ingest(reference, [folder])
    settings = Settings(home=tmp_path / "home")

    lines = kill_during(settings.home, [folder], "embedded", 6)
    killed_state = contents(settings)
    assert 0 < len(killed_state) < len(contents(reference)), f"killed midway: {len(killed_state)} chunks; {lines}"
    assert "pending" in manifest_states(settings).values()

    report, embedded = ingest(settings, [folder])
    assert model_texts(text for chunk_id, (text, _) in contents(settings).items() if chunk_id not in killed_state) == embedded
    assert_repaired(settings, reference, killed_state, embedded)


def test_killed_inside_one_large_file(tmp_path, big_file):
    reference = Settings(home=tmp_path / "reference")
    ingest(reference, [big_file])
    total = len(contents(reference))
    assert total > 100
    settings = Settings(home=tmp_path / "home")

    kill_during(settings.home, [big_file], "embedded", 3)
    killed_state = contents(settings)
    assert 0 < len(killed_state) < total
    assert manifest_states(settings) == {str(big_file / "bundel.md"): "pending"}

    report, embedded = ingest(settings, [big_file])
    assert report.resumed == [str(big_file / "bundel.md")] and "hervat 1" in report.summary()
    assert 0 < embedded < model_texts(text for text, _ in contents(reference).values())
    assert_repaired(settings, reference, killed_state, embedded)

    again, embedded_again = ingest(settings, [big_file])
    assert again.unchanged == [str(big_file / "bundel.md")] and embedded_again == 0


def test_killed_after_upsert_before_stale_chunks_are_deleted(tmp_path, folder):
    settings = Settings(home=tmp_path / "home")
    ingest(settings, [folder])
    edited = folder / "case-03-datagedreven-audit-utrecht.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n\nNieuwe alinea over de audit in 2026.\n", encoding="utf-8")
    reference = Settings(home=tmp_path / "reference")
    ingest(reference, [folder])

    kill_during(settings.home, [folder], "deleting", 1, "--stall-delete")
    killed_state = contents(settings)
    of_edited = [meta for _, meta in killed_state.values() if meta["source"] == str(edited)]
    new_ids = {i for i, (_, meta) in contents(reference).items() if meta["source"] == str(edited)}
    assert new_ids <= killed_state.keys(), "killed after the new chunks were stored"
    assert len(of_edited) > len(new_ids), "and before the old ones were deleted"
    assert manifest_states(settings)[str(edited)] == "pending"

    report, embedded = ingest(settings, [folder])
    assert report.resumed == [str(edited)] and embedded == 0
    assert_repaired(settings, reference, killed_state, embedded)
