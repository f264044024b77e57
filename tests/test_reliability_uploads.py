"""Reliability (issue 14, items 6 and 8): uploads through the real app, bad ones by the score.

The app runs in-process (gradio's server on a free loopback port, hash embeddings so no model
loads) and is driven with gradio_client exactly as the browser calls it. What must hold: a long
name keeps its type; twenty bad files of thirteen kinds at once are each refused with a reason
and leave nothing in `uploads/` (nor in the store); a new version that fails to load puts the
earlier one back.
"""

from __future__ import annotations

import pytest

pytest.importorskip("gradio_client")
from gradio_client import Client, handle_file

from assistant.api import Assistant
from tests.loader_files import blank_pdf, report_pdf, write_zip_bomb_docx
from tests.ui_support import running_app
from ui.settings import AppSettings
from ui.uploads import upload_dir

pytestmark = pytest.mark.slow  # a real server


@pytest.fixture
def bot(fake_settings, fake_embeddings):
    return Assistant(fake_settings, embeddings=fake_embeddings)


GOOD = "# Kademuren\n\nIn Zwolle bewaken zevenendertig trillingssensoren sinds 2019 de kademuren.\n"


def bad_files(folder) -> list:
    """Twenty bad files of thirteen kinds, all with a suffix the app accepts (gradio itself refuses a batch
    that holds an unsupported type before the app sees it: `test_an_unsupported_type_refuses_the_batch`)."""
    folder.mkdir()
    files = {
        "leeg.md": b"",  # 1 empty
        "leeg.pdf": b"",
        "leeg.docx": b"",
        "corrupt.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 40,  # 2 corrupt PDF
        "afgebroken.pdf": report_pdf()[:1500],  # 3 truncated PDF
        "alleen-kop.pdf": b"%PDF-1.7\n",
        "geheim.pdf": blank_pdf(password="geheim"),  # 4 password
        "scan.pdf": blank_pdf(),  # 5 no text layer
        "nep.pdf": b"Dit is geen PDF maar tekst.",  # 6 wrong extension
        "nep.docx": b"Dit is platte tekst met de verkeerde extensie.",
        "binair.txt": b"MZ\x00\x00\x90\x00" * 50,  # 7 binary with NUL bytes
        "binair.md": b"\x00\x01\x02" * 100,
        "leeg.html": b"<html><head><script>alert(1)</script></head><body><nav>menu</nav></body></html>",  # 8 no content
        "leeg.htm": b"<html><body><form><input name=q></form></body></html>",
        "alleen-front-matter.md": b"---\ntitle: alleen front matter\n---\n",  # 9 nothing but front matter
        "groot.txt": b"woord " * 170_000,  # 10 above the app's limit (1 MB), below gradio's own (1 MiB)
        "spaties.md": b"   \n\n  \t \n",  # 11 whitespace only
        "spaties.txt": b"\n\n\n",
        "ongeldig.docx": b"PK\x05\x06" + b"\x00" * 18,  # 12 an empty zip as DOCX
    }
    paths = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    paths.append(write_zip_bomb_docx(folder / "bom.docx"))  # 13 a zip bomb: twenty files in all
    return paths


def test_twenty_bad_files_at_once_are_refused_and_leave_nothing_behind(tmp_path, bot):
    paths = bad_files(tmp_path / "slecht")
    good = tmp_path / "kademuren.md"
    good.write_text(GOOD, encoding="utf-8")
    assert len(paths) == 20
    with running_app(bot, app=AppSettings(max_upload_mb=1)) as url:
        client = Client(url, verbose=False)
        status, documents, *_ = client.predict([handle_file(str(p)) for p in [*paths, good]], api_name="/upload")
    lines = status.splitlines()
    assert "toegevoegd 1" in lines[0] and "kademuren.md" in documents
    refused = [line for line in lines if line.startswith(("MISLUKT", "GEWEIGERD"))]
    assert len(refused) == 20, status
    for path in paths:
        assert any(path.name.replace(" ", "_") in line for line in refused), f"{path.name} not named:\n{status}"
    assert sorted(p.name for p in upload_dir(bot.settings).iterdir()) == ["kademuren.md"]
    assert {d["document"] for d in bot.documents()} == {"kademuren.md"}


def test_a_long_name_keeps_its_type(tmp_path, bot):
    name = "Verslag van de werkgroep datagedreven werken in het sociaal domein " * 2 + "definitief.md"
    assert 120 < len(name) < 200  # gradio's own upload keeps names up to 200 bytes whole
    doc = tmp_path / name
    doc.write_text(GOOD, encoding="utf-8")
    with running_app(bot) as url:
        status, documents, *_ = Client(url, verbose=False).predict([handle_file(str(doc))], api_name="/upload")
    assert "toegevoegd 1" in status and "GEWEIGERD" not in status, status
    (stored,) = upload_dir(bot.settings).iterdir()
    assert stored.suffix == ".md" and len(stored.name) <= 120 and stored.name.startswith("Verslag van de werkgroep")


def test_a_new_version_that_fails_puts_the_earlier_one_back(tmp_path, bot):
    first = tmp_path / "v1" / "nota.md"
    first.parent.mkdir()
    first.write_text(GOOD, encoding="utf-8")
    broken = tmp_path / "v2" / "nota.md"
    broken.parent.mkdir()
    broken.write_bytes(b"\x00\x01 binair")
    with running_app(bot) as url:
        client = Client(url, verbose=False)
        status, *_ = client.predict([handle_file(str(first))], api_name="/upload")
        assert "toegevoegd 1" in status
        status, *_ = client.predict([handle_file(str(broken))], api_name="/upload")
        assert "MISLUKT" in status and "NUL" in status, status
    assert (upload_dir(bot.settings) / "nota.md").read_text(encoding="utf-8") == GOOD
    assert sorted(p.name for p in upload_dir(bot.settings).iterdir()) == ["nota.md"]
    assert any("zevenendertig trillingssensoren" in p.text for p in bot.passages)


def test_an_unsupported_type_refuses_the_batch(tmp_path, bot):
    exe = tmp_path / "programma.exe"
    exe.write_bytes(b"MZ\x90\x00")
    good = tmp_path / "kademuren.md"
    good.write_text(GOOD, encoding="utf-8")
    with running_app(bot) as url:
        with pytest.raises(Exception, match="Invalid file type"):  # noqa: B017 -- gradio's own check, in English
            Client(url, verbose=False).predict([handle_file(str(good)), handle_file(str(exe))], api_name="/upload")
    assert not upload_dir(bot.settings).exists() and bot.store.count() == 0
