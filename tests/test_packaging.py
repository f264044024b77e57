"""An installed package finds its own corpus, gold sets and reports: no default points into a source checkout."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow


def test_installed_wheel_defaults_point_into_the_package(tmp_path):
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(PROJECT_ROOT)], check=True)
    wheel = next(wheels.glob("datalessen-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)], check=True)
    script = (
        "import json\n"
        "from assistant.settings import Settings\n"
        "from evals.gold import DEFAULT_QUESTIONS\n"
        "from ui.eval_report import DEFAULT_REPORT_DIR\n"
        "import assistant\n"
        "s = Settings.load({'DATALESSEN_HOME': '/nonexistent-home'})\n"
        "print(json.dumps({'package': assistant.__file__, 'corpus': str(s.corpus_dir),\n"
        "  'documents': len(list(s.corpus_dir.glob('*.md'))), 'questions': str(DEFAULT_QUESTIONS),\n"
        "  'questions_exist': DEFAULT_QUESTIONS.is_file(), 'report': (DEFAULT_REPORT_DIR / 'report.md').is_file()}))\n"
    )
    # run from an empty folder with only the installed copy on the path: nothing of the checkout is reachable
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(site), "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r})\n" + script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = json.loads(proc.stdout)
    assert found["package"].startswith(str(site))
    assert found["corpus"].startswith(str(site)) and found["documents"] == 20
    assert found["questions"].startswith(str(site)) and found["questions_exist"] and found["report"]
