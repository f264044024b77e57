"""Evaluation reports read back for an evaluator: each set's figures against the targets, every question.

`datalessen eval` writes report.md, report.json and PNG plots into a folder (the data
home's `evaluatie/`, or any `--report DIR`); the shipped reports (`evals/report`) hold the
tuning set at the root and the other sets in subfolders. Any such folder can be opened:
its root report and every `*/report.json` one level below. Which gold set a report is,
and how far to trust it, comes from `evals.sets`; the least flattering sets come first.

    folder = open_reports("evals/report")
    for report in folder.reports:
        print(report.name, report.role, report.date, [(f.label, f.value, f.met) for f in report.figures])
        failing = [r for r in report.records if outcome_matches(r, FAILING)]
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from evals.gate import EPSILON, measured
from evals.sets import DEVELOPMENT, ROLE_ORDER, SETS, TUNING, UNSEEN, GoldSet, set_of_report, targets

DEFAULT_REPORT_DIR = Path(str(files("evals").joinpath("report")))  # the shipped reports
REPORT_JSON, REPORT_MD = "report.json", "report.md"
MAIN_VARIANT = "hybrid"  # the product; the per-question view shows its answers
_IMAGE_LINE = re.compile(r"^\s*!\[[^\]]*\]\([^)]*\)\s*$")

ROLE_LABELS = {
    UNSEEN: "ongezien: wat nieuwe vragen opleveren",
    DEVELOPMENT: "ontwikkeling: fouten bestudeerd",
    TUNING: "afstemming: regels hierop gekozen",
    "": "eigen vragenset",
}
# the figures shown per set; those with a [target] in the thresholds files are flagged against it
FIGURES = (
    ("recall@5", "recall@5"),
    ("citation_validity", "citaties geldig"),
    ("faithfulness", "citaten letterlijk"),
    ("abstention_f1", "onthouding F1"),
    ("key_fact_recall", "kernfeiten"),
    ("median_words", "mediaan woorden"),
)

# what became of one question (hybrid), as an evaluator filters them
CORRECT, MISSED_FACTS, WRONGLY_ABSTAINED, SHOULD_ABSTAIN, RETRIEVAL_MISS = (
    "correct",
    "missed_facts",
    "wrongly_abstained",
    "should_abstain",
    "retrieval_miss",
)
OUTCOMES = {
    CORRECT: "juist",
    MISSED_FACTS: "kernfeiten gemist",
    WRONGLY_ABSTAINED: "onterecht onthouden",
    SHOULD_ABSTAIN: "had moeten onthouden",
    RETRIEVAL_MISS: "bewijs niet opgehaald",
}
ALL, FAILING = "all", "failing"
FILTERS = {ALL: "alle vragen", FAILING: "alle fouten (niet juist)", **OUTCOMES}


def outcomes(record: dict) -> list[str]:
    """'correct' (answered with every key fact, or rightly abstained), or what went wrong; a retrieval
    miss (no gold evidence in the top 5) is said beside the answer's outcome, as it is its likely cause."""
    m = record.get("metrics", {})
    abstained = bool(m.get("abstained"))
    if not record.get("answerable", True):
        return [CORRECT] if abstained else [SHOULD_ABSTAIN]
    found = m.get("key_facts_found") or []
    result = [WRONGLY_ABSTAINED] if abstained else ([] if all(found) else [MISSED_FACTS])
    if m.get("hit@5") == 0:
        result.append(RETRIEVAL_MISS)
    return result or [CORRECT]


def outcome_matches(record: dict, wanted: str) -> bool:
    found = outcomes(record)
    if wanted == ALL:
        return True
    if wanted == FAILING:
        return CORRECT not in found
    return wanted in found


@dataclass
class Figure:
    name: str
    label: str
    value: float | None
    bound: str = ""  # "min" or "max" when the project has a target for it
    target: float | None = None

    @property
    def met(self) -> bool | None:
        """Against the target: True, False, or None without a target (or a value)."""
        if self.target is None or self.value is None:
            return None
        return self.value >= self.target - EPSILON if self.bound == "min" else self.value <= self.target + EPSILON


def pooled_label(files: tuple[str, ...]) -> str:
    """'test21 + test22', or 'test21 … test32 (12 sets)' for many; 'eigen vragen' for none."""
    stems = [Path(f).stem for f in files]
    if not stems:
        return "eigen vragen"
    return " + ".join(stems) if len(stems) <= 3 else f"{stems[0]} … {stems[-1]} ({len(stems)} sets)"


@dataclass
class SetReport:
    folder: Path
    key: str  # the folder relative to the opened one ("." for its root): unique within it
    gold: GoldSet | None
    date: str
    commit: str
    questions: int
    figures: list[Figure]
    records: list[dict]  # the main variant's, one per question
    variant: str
    questions_file: str = ""
    questions_files: tuple[str, ...] = ()  # several files scored together (`eval --questions A --questions B`)

    @property
    def name(self) -> str:
        label = self.gold.name if self.gold else (Path(self.questions_file).stem or pooled_label(self.questions_files))
        return label if self.key in (".", label) else f"{self.key} ({label})"

    @property
    def role(self) -> str:
        return self.gold.role if self.gold else ""

    @property
    def missed_targets(self) -> list[Figure]:
        return [f for f in self.figures if f.met is False]

    def markdown(self) -> str:
        """The full report.md, without its image lines (the plots are shown beside it)."""
        path = self.folder / REPORT_MD
        if not path.is_file():
            return ""
        text = path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(line for line in text.split("\n") if not _IMAGE_LINE.match(line)).strip()

    @property
    def plots(self) -> list[Path]:
        return sorted(p for p in self.folder.glob("*.png") if p.is_file())

    def counts(self) -> dict[str, int]:
        tally = dict.fromkeys(OUTCOMES, 0)
        for r in self.records:
            for outcome in outcomes(r):
                tally[outcome] += 1
        return tally


@dataclass
class ReportFolder:
    path: Path
    reports: list[SetReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # report files that could not be read

    @property
    def unseen(self) -> list[SetReport]:
        return [r for r in self.reports if r.role == UNSEEN]

    def report(self, key: str | None) -> SetReport | None:
        return next((r for r in self.reports if r.key == key), self.reports[0] if self.reports else None)


def unseen_sets() -> list[str]:
    return [s.name for s in SETS if s.role == UNSEEN]


def open_reports(folder: Path | str) -> ReportFolder:
    """Every report in `folder` (its root and one level of subfolders), least flattering set first."""
    folder = Path(folder).expanduser()
    result = ReportFolder(path=folder)
    if not folder.is_dir():
        return result
    paths = [folder / REPORT_JSON] + sorted(folder.glob(f"*/{REPORT_JSON}"))
    for path in paths:
        if not path.is_file():
            continue
        try:
            result.reports.append(_read(path, folder))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            result.problems.append(f"{path}: {exc}")
    order = {role: i for i, role in enumerate(ROLE_ORDER)}
    # within a role the newest measurement first (a fresh unseen set is the current honest estimate), then by name
    result.reports.sort(key=lambda r: r.name)
    result.reports.sort(key=lambda r: r.date, reverse=True)
    result.reports.sort(key=lambda r: order.get(r.role, len(order)))
    return result


def _read(path: Path, root: Path) -> SetReport:
    data = json.loads(path.read_text(encoding="utf-8"))
    gold = set_of_report(data, path.parent, shipped_root=DEFAULT_REPORT_DIR)
    variants = data.get("variants") or list(data.get("summary", {}))
    variant = MAIN_VARIANT if MAIN_VARIANT in variants else variants[-1]
    summary = data["summary"][variant]
    goals = targets(gold)
    figures = []
    for name, label in FIGURES:
        bound = next((b for b in ("min", "max") if name in goals.get(b, {})), "")
        figures.append(Figure(name, label, measured(summary, name), bound, goals[bound][name] if bound else None))
    records = [r for r in data.get("records", []) if r.get("variant") == variant]
    report = SetReport(
        folder=path.parent,
        key=path.parent.relative_to(root).as_posix(),
        gold=gold,
        date=str(data.get("date", "")),
        commit=str(data.get("commit", ""))[:12],
        questions=int(data.get("questions", {}).get("total", len(records))),
        figures=figures,
        records=records,
        variant=variant,
        questions_file=str(data.get("questions_file", "")),
        questions_files=tuple(str(f) for f in data.get("questions_files") or ()),
    )
    _add_missing_key_facts(report)
    return report


def _add_missing_key_facts(report: SetReport) -> None:
    """Reports written before records carried their gold key facts: take them from the questions file,
    where it is still there and still asks the same question."""
    missing = [r for r in report.records if "key_facts" not in r and r.get("answerable")]
    if not missing:
        return
    source = Path(report.questions_file) if report.questions_file else (report.gold.path if report.gold else None)
    if source is None or not source.is_file():
        return
    gold = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        try:
            item = json.loads(line) if line.strip() else None
        except ValueError:
            continue
        if isinstance(item, dict):
            gold[item.get("id")] = item
    for r in missing:
        item = gold.get(r.get("id"))
        if item and item.get("question") == r.get("question"):
            r["key_facts"] = [f if isinstance(f, list) else [f] for f in item.get("key_facts", [])]


def known_folders(report_dir: Path, home: Path | None) -> list[str]:
    """The folders the app offers: the one it was started with, the shipped reports, the data home's."""
    candidates = [report_dir, DEFAULT_REPORT_DIR] + ([Path(home) / "evaluatie"] if home is not None else [])
    return list(dict.fromkeys(str(p) for p in candidates if p == report_dir or p.is_dir()))
