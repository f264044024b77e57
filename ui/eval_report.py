"""The newest evaluation report, for whoever wants to show it.

`datalessen eval` writes `evals/report/report.md` and its PNG plots, and the other
gold sets' reports in subfolders (`heldout/`, `test/`, ...); this module only reads
them back. No report yet -> None, and the caller says how to make one. The figures
of every set are shown side by side, because the tuning set alone flatters.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from importlib.resources import files
from pathlib import Path

DEFAULT_REPORT_DIR = Path(str(files("evals").joinpath("report")))  # the shipped reports
REPORT_NAME = "report.md"
_IMAGE_LINE = re.compile(r"^\s*!\[[^\]]*\]\([^)]*\)\s*$")


SET_ROLES = {
    "questions": "afstemming (tuning)",
    "heldout": "ontwikkeling",
    "heldout2": "ontwikkeling",
    "test": "ontwikkeling",
    "test2": "ongezien (test)",
}


@dataclass
class SetFigures:
    name: str
    questions: int
    recall_at_5: float | None
    abstention_f1: float | None
    key_fact_recall: float | None
    median_words: float | None


@dataclass
class EvalReport:
    path: Path
    markdown: str
    plots: list[Path] = field(default_factory=list)
    modified: datetime | None = None
    sets: list[SetFigures] = field(default_factory=list)

    def sets_markdown(self) -> str:
        """One row per gold set (hybrid): the unseen test set next to the sets the rules were tuned on."""
        if len(self.sets) < 2:
            return ""

        def show(value):
            return "–" if value is None else f"{value:.3f}".rstrip("0").rstrip(".")

        rows = [
            "| vraagset | rol | vragen | recall@5 | onthouding F1 | kernfeiten | mediaan woorden |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        rows += [
            f"| {s.name} | {SET_ROLES.get(s.name, '')} | {s.questions} | {show(s.recall_at_5)} | "
            f"{show(s.abstention_f1)} | {show(s.key_fact_recall)} | {show(s.median_words)} |"
            for s in self.sets
        ]
        return "## Alle vraagsets (hybrid)\n\n" + "\n".join(rows)

    def text_without_images(self) -> str:
        """The report with its image lines taken out (a viewer shows `plots` itself)."""
        return "\n".join(line for line in self.markdown.split("\n") if not _IMAGE_LINE.match(line)).strip()


def latest_report(report_dir: Path | str | None = None) -> EvalReport | None:
    folder = Path(report_dir) if report_dir is not None else DEFAULT_REPORT_DIR
    path = folder / REPORT_NAME
    if not path.is_file():
        return None
    markdown = path.read_text(encoding="utf-8", errors="replace")
    plots = sorted(p for p in folder.glob("*.png") if p.is_file())
    named = [("questions", folder / "report.json")] + [(p.parent.name, p) for p in sorted(folder.glob("*/report.json"))]
    sets = [figures for figures in (_set_figures(name, p) for name, p in named) if figures]
    return EvalReport(path=path, markdown=markdown, plots=plots, modified=datetime.fromtimestamp(path.stat().st_mtime), sets=sets)


def _set_figures(name: str, path: Path, variant: str = "hybrid") -> SetFigures | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        summary = data["summary"][variant]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return SetFigures(
        name=name,
        questions=int(data.get("questions", {}).get("total", 0)),
        recall_at_5=(summary.get("recall@5") or {}).get("mean"),
        abstention_f1=(summary.get("abstention") or {}).get("f1"),
        key_fact_recall=(summary.get("key_fact_recall") or {}).get("mean"),
        median_words=(summary.get("words") or {}).get("median"),
    )
