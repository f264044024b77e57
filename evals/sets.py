"""The shipped gold sets: their names, roles and gates, in one place.

Whoever shows figures needs to know which set they come from and how far to trust
them: a set the rules were tuned on flatters, a set nobody tuned for is the honest
estimate. `evals` owns the gold sets, so this table lives here and the app reads it.

    gold_set("test41").role       # "unseen"
    targets(gold_set("test41"))   # {"min": {...}, "max": {...}} from a thresholds file's [target]
    set_of_report(data, folder)   # which set a report.json was written for
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from evals.gate import DEFAULT_THRESHOLDS, load_thresholds

EVALS_DIR = Path(__file__).resolve().parent
GOLD_DIR = EVALS_DIR / "gold"

TUNING, DEVELOPMENT, UNSEEN = "tuning", "development", "unseen"
ROLE_ORDER = (UNSEEN, DEVELOPMENT, TUNING)  # the order a reader should see them in: least flattering first


@dataclass(frozen=True)
class GoldSet:
    name: str  # file stem in evals/gold/, and the folder of its report under evals/report/
    role: str  # TUNING: rules chosen on it; DEVELOPMENT: its failures were studied; UNSEEN: measured only
    corpus: str  # "shipped" (corpus/documenten) or "real" (the five documents of ../shared/fixtures/real)
    id_prefix: str  # the letters its ids start with (q001, h001, ...; two letters once all 26 are taken), see gold/FORMAT.md
    thresholds: str = ""  # its gate in evals/, when it has one

    @property
    def path(self) -> Path:
        return GOLD_DIR / f"{self.name}.jsonl"

    @property
    def thresholds_path(self) -> Path | None:
        return EVALS_DIR / self.thresholds if self.thresholds else None


SETS: tuple[GoldSet, ...] = (
    GoldSet("questions", TUNING, "shipped", "q", "thresholds.toml"),
    GoldSet("heldout", DEVELOPMENT, "shipped", "h", "thresholds-heldout.toml"),
    GoldSet("heldout2", DEVELOPMENT, "shipped", "t", "thresholds-heldout2.toml"),
    GoldSet("test", DEVELOPMENT, "shipped", "u", "thresholds-test.toml"),
    GoldSet("test2", DEVELOPMENT, "shipped", "v", "thresholds-test2.toml"),
    GoldSet("real", DEVELOPMENT, "real", "r"),
    # earlier unseen sets, each measured once and then replaced by a fresh one: development now
    GoldSet("test3", DEVELOPMENT, "shipped", "w"),
    GoldSet("real-test", DEVELOPMENT, "real", "x"),
    GoldSet("test4", DEVELOPMENT, "shipped", "y"),
    GoldSet("real-test2", DEVELOPMENT, "real", "z"),
    GoldSet("test5", DEVELOPMENT, "shipped", "a"),
    GoldSet("real-test3", DEVELOPMENT, "real", "b"),
    GoldSet("test6", DEVELOPMENT, "shipped", "c"),
    GoldSet("real-test4", DEVELOPMENT, "real", "d"),
    GoldSet("test7", DEVELOPMENT, "shipped", "e"),
    GoldSet("real-test5", DEVELOPMENT, "real", "f"),
    GoldSet("test8", DEVELOPMENT, "shipped", "g"),
    GoldSet("real-test6", DEVELOPMENT, "real", "k"),
    GoldSet("test9", DEVELOPMENT, "shipped", "m"),
    GoldSet("real-test7", DEVELOPMENT, "real", "n"),
    GoldSet("test10", DEVELOPMENT, "shipped", "o"),
    GoldSet("real-test8", DEVELOPMENT, "real", "p"),
    GoldSet("test11", DEVELOPMENT, "shipped", "i"),
    GoldSet("real-test9", DEVELOPMENT, "real", "j"),
    GoldSet("test12", DEVELOPMENT, "shipped", "l"),
    GoldSet("real-test10", DEVELOPMENT, "real", "s"),
    GoldSet("test13", DEVELOPMENT, "shipped", "aa"),
    GoldSet("real-test11", DEVELOPMENT, "real", "ab"),
    GoldSet("test14", DEVELOPMENT, "shipped", "ac"),
    GoldSet("real-test12", DEVELOPMENT, "real", "ad"),
    GoldSet("test15", DEVELOPMENT, "shipped", "ae"),
    GoldSet("real-test13", DEVELOPMENT, "real", "af"),
    GoldSet("test16", DEVELOPMENT, "shipped", "ag"),
    GoldSet("real-test14", DEVELOPMENT, "real", "ah"),
    GoldSet("test17", DEVELOPMENT, "shipped", "ai"),
    GoldSet("real-test15", DEVELOPMENT, "real", "aj"),
    GoldSet("test18", DEVELOPMENT, "shipped", "ak"),
    GoldSet("real-test16", DEVELOPMENT, "real", "al"),
    GoldSet("test19", DEVELOPMENT, "shipped", "am"),
    GoldSet("real-test17", DEVELOPMENT, "real", "an"),
    GoldSet("test20", DEVELOPMENT, "shipped", "ao"),
    GoldSet("real-test18", DEVELOPMENT, "real", "ap"),
    GoldSet("test21", DEVELOPMENT, "shipped", "aq"),
    GoldSet("real-test19", DEVELOPMENT, "real", "ar"),
    GoldSet("test22", DEVELOPMENT, "shipped", "as"),
    GoldSet("real-test20", DEVELOPMENT, "real", "at"),
    GoldSet("test23", DEVELOPMENT, "shipped", "au"),
    GoldSet("real-test21", DEVELOPMENT, "real", "av"),
    GoldSet("test24", DEVELOPMENT, "shipped", "aw"),
    GoldSet("real-test22", DEVELOPMENT, "real", "ax"),
    GoldSet("test25", DEVELOPMENT, "shipped", "ay"),
    GoldSet("real-test23", DEVELOPMENT, "real", "az"),
    GoldSet("test26", DEVELOPMENT, "shipped", "ba"),
    GoldSet("real-test24", DEVELOPMENT, "real", "bb"),
    GoldSet("test27", DEVELOPMENT, "shipped", "bc"),
    GoldSet("real-test25", DEVELOPMENT, "real", "bd"),
    GoldSet("test28", DEVELOPMENT, "shipped", "be"),
    GoldSet("real-test26", DEVELOPMENT, "real", "bf"),
    GoldSet("test29", DEVELOPMENT, "shipped", "bg"),
    GoldSet("real-test27", DEVELOPMENT, "real", "bh"),
    GoldSet("test30", DEVELOPMENT, "shipped", "bi"),
    GoldSet("real-test28", DEVELOPMENT, "real", "bj"),
    GoldSet("test31", DEVELOPMENT, "shipped", "bk"),
    GoldSet("real-test29", DEVELOPMENT, "real", "bl"),
    GoldSet("test32", DEVELOPMENT, "shipped", "bm"),
    GoldSet("real-test30", DEVELOPMENT, "real", "bn"),
    GoldSet("test33", DEVELOPMENT, "shipped", "bo"),
    GoldSet("real-test31", DEVELOPMENT, "real", "bp"),
    GoldSet("test34", DEVELOPMENT, "shipped", "bq"),
    GoldSet("real-test32", DEVELOPMENT, "real", "br"),
    GoldSet("test35", DEVELOPMENT, "shipped", "bs"),
    GoldSet("real-test33", DEVELOPMENT, "real", "bt"),
    GoldSet("test36", DEVELOPMENT, "shipped", "bu"),
    GoldSet("real-test34", DEVELOPMENT, "real", "bv"),
    GoldSet("test37", DEVELOPMENT, "shipped", "bw"),
    GoldSet("real-test35", DEVELOPMENT, "real", "bx"),
    GoldSet("test38", DEVELOPMENT, "shipped", "by"),
    GoldSet("real-test36", DEVELOPMENT, "real", "bz"),
    GoldSet("test39", DEVELOPMENT, "shipped", "ca"),
    GoldSet("real-test37", DEVELOPMENT, "real", "cb"),
    GoldSet("test40", DEVELOPMENT, "shipped", "cc"),
    GoldSet("real-test38", DEVELOPMENT, "real", "cd"),
    GoldSet("test41", UNSEEN, "shipped", "ce"),
    GoldSet("real-test39", UNSEEN, "real", "cf"),
)
BY_NAME = {s.name: s for s in SETS}


def gold_set(name: str | None) -> GoldSet | None:
    return BY_NAME.get(name or "")


def set_for_questions_file(path: Path | str) -> GoldSet | None:
    """The shipped set a questions file is, or None for an evaluator's own file."""
    path = Path(path).resolve()
    return next((s for s in SETS if s.path.resolve() == path), None)


def targets(gold: GoldSet | None) -> dict:
    """The project's targets ([target] of the set's thresholds file; the default file's for a set without one)."""
    path = gold.thresholds_path if gold is not None and gold.thresholds_path else DEFAULT_THRESHOLDS
    return load_thresholds(path)["target"]


def set_of_report(data: dict, folder: Path | str, *, shipped_root: Path | str | None = None) -> GoldSet | None:
    """Which set a report.json (`data`, read from `folder`) was written for.

    Reports name their set (`gold_set`) since the evaluator view exists; older ones are
    recognised by their folder (evals/report/<set>/) or, failing that, by their ids' letters."""
    if "gold_set" in data:
        return gold_set(data["gold_set"])
    folder = Path(folder)
    if folder.name in BY_NAME:
        return BY_NAME[folder.name]
    if shipped_root is not None and folder.resolve() == Path(shipped_root).resolve():
        return BY_NAME["questions"]
    prefixes = {re.match(r"[a-z]*", str(r.get("id", ""))).group(0) for r in data.get("records", [])}
    if len(prefixes) == 1:
        return next((s for s in SETS if s.id_prefix in prefixes), None)
    return None
