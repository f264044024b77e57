"""The newest evaluation report, for whoever wants to show it.

`datalessen eval` writes `evals/report/report.md` and its PNG plots; this module
only reads them back. No report yet -> None, and the caller says how to make one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from assistant.settings import PROJECT_ROOT

DEFAULT_REPORT_DIR = PROJECT_ROOT / "evals" / "report"
REPORT_NAME = "report.md"
_IMAGE_LINE = re.compile(r"^\s*!\[[^\]]*\]\([^)]*\)\s*$")


@dataclass
class EvalReport:
    path: Path
    markdown: str
    plots: list[Path] = field(default_factory=list)
    modified: datetime | None = None

    def text_without_images(self) -> str:
        """The report with its image lines taken out (a viewer shows `plots` itself)."""
        return "\n".join(line for line in self.markdown.split("\n") if not _IMAGE_LINE.match(line)).strip()


def latest_report(report_dir: Path | str | None = None) -> EvalReport | None:
    folder = Path(report_dir) if report_dir is not None else DEFAULT_REPORT_DIR
    path = folder / REPORT_NAME
    if not path.is_file():
        return None
    markdown = path.read_text(encoding="utf-8", errors="replace")
    plots = sorted(p for p in folder.rglob("*.png") if p.is_file())
    return EvalReport(path=path, markdown=markdown, plots=plots,
                      modified=datetime.fromtimestamp(path.stat().st_mtime))
