"""The packages lean one way: assistant <- ingest <- evals <- ui (the web app and the CLI).

`assistant` (question -> Answer) imports only itself; `ingest` may use the library; `evals`
both; `ui` everything. A test reads every module's imports (also those inside functions),
so a shortcut the other way fails here, not in a newcomer's head.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

PACKAGES = ("assistant", "ingest", "evals", "ui")
ALLOWED = {
    "assistant": {"assistant"},
    "ingest": {"assistant", "ingest"},
    "evals": {"assistant", "ingest", "evals"},
    "ui": {"assistant", "ingest", "evals", "ui"},
}


def project_imports(path: Path) -> set[str]:
    """The project packages a module imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        found |= {name.split(".")[0] for name in names if name.split(".")[0] in PACKAGES}
    return found


def violations(root: Path) -> list[str]:
    out = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            for imported in sorted(project_imports(path) - ALLOWED[package]):
                out.append(f"{path.relative_to(root)} imports {imported}")
    return out


def test_imports_run_one_way():
    assert violations(PROJECT_ROOT) == []


def test_the_check_sees_an_import_against_the_direction(tmp_path):
    (tmp_path / "assistant").mkdir()
    (tmp_path / "assistant" / "api.py").write_text("def f():\n    from ingest.pipeline import Ingestor\n")
    for package in PACKAGES[1:]:
        (tmp_path / package).mkdir()
    assert violations(tmp_path) == ["assistant/api.py imports ingest"]


@pytest.mark.slow
def test_ask_loads_neither_the_web_app_nor_the_evaluation(corpus_settings, corpus_assistant):
    """`datalessen ask` in a fresh process: the answer comes, and gradio and evals were never imported."""
    script = (
        "import json, sys\n"
        "from click.testing import CliRunner\n"
        "from ui.cli import cli\n"
        "result = CliRunner().invoke(cli, ['ask', 'Wat is het doel van slim vegen in Utrecht?'], obj=None)\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'gradio', 'evals', 'matplotlib'})\n"
        "print(json.dumps({'exit': result.exit_code, 'output': result.output, 'loaded': loaded}))\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(corpus_settings.home),
        "PYTHONPATH": str(PROJECT_ROOT),
        "DATALESSEN_HOME": str(corpus_settings.home),
        "DATALESSEN_EMBEDDING_MODEL": corpus_settings.embedding_model,
    }
    proc = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["exit"] == 0 and "[1]" in result["output"]
    assert result["loaded"] == []
