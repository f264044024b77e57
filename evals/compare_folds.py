"""Two cross-validations compared question by question: `datalessen compare-folds BEFORE AFTER`.

A change to the features or the composition is judged on the held-out answers of `train-ranker
--cv-records` (every question answered by a model that never saw it), run once on the code before and
once after. Pooled means of two runs hide which questions moved and how sure the difference is, and
a change that touches one corpus moves the other's key facts by up to ~0.005 through the refitted
rankers alone (docs/answering.md, fifty-seventh session); so per corpus: the change in key facts with
its paired bootstrap interval, the questions better and worse, abstention F1 with precision and recall,
and how many questions changed between answering and abstaining.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from assistant.answer_types import asks_list, question_type
from evals import metrics as m

REAL_FILE_SUFFIXES = (".pdf", ".docx")


def corpus_of(record: dict) -> str:
    """The corpus a held-out answer is about; records written before they named it are told by their
    fold (a real-document set, or a fold of real files)."""
    if record.get("corpus"):
        return record["corpus"]
    fold = record.get("fold", "")
    return "real" if fold.startswith("real") or any(s in fold for s in REAL_FILE_SUFFIXES) else "shipped"


def load_records(path: Path) -> dict[tuple[str, str, str], dict]:
    """(corpus, question id, variant) -> its held-out answer."""
    try:
        records = json.loads(Path(path).read_text(encoding="utf-8"))["records"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise click.ClickException(f"{path}: not the records of `train-ranker --cv-records` ({exc})") from exc
    return {(corpus_of(r), r["id"], r.get("variant", "")): r for r in records}


def compare(before: dict, after: dict) -> list[dict]:
    """One summary per corpus, over the questions both runs answered."""
    out = []
    for corpus in dict.fromkeys(key[0] for key in before):
        keys = [k for k in before if k[0] == corpus and k in after]
        if not keys:
            continue

        def facts(records, keys=keys):
            return {
                k: records[k]["metrics"].get("key_fact_recall")
                for k in keys
                if records[k]["answerable"] and records[k]["key_facts"]
            }

        def abstention(records, keys=keys):
            return m.abstention_scores(
                [not records[k]["answerable"] for k in keys], [bool(records[k]["metrics"]["abstained"]) for k in keys]
            )

        a, b = facts(before), facts(after)
        both = [k for k in a if a[k] is not None and b.get(k) is not None]
        out.append(
            {
                "corpus": corpus,
                "questions": len(keys),
                "key_facts": (m.mean_or_nan(a[k] for k in both), m.mean_or_nan(b[k] for k in both)),
                "paired": m.paired_comparison(b, a),
                "abstention": (abstention(before), abstention(after)),
                "switched": sum(1 for k in keys if before[k]["metrics"]["abstained"] != after[k]["metrics"]["abstained"]),
            }
        )
    return out


def kind_of(record: dict) -> str:
    """What the question asks for, as the answerer reads it; 'list' for every question answered by a list."""
    question = record.get("standalone_question") or record.get("question", "")
    kind = question_type(question)
    return "list" if asks_list(kind, question) else kind


def key_facts_by_kind(before: dict, after: dict, corpus: str) -> list[tuple[str, int, float, float]]:
    """(kind, answerable questions, key facts before, after) for one corpus, the largest change first."""
    rows = {}
    for key, a in before.items():
        b = after.get(key)
        if key[0] != corpus or b is None or not (a["answerable"] and a["key_facts"]):
            continue
        x, y = a["metrics"].get("key_fact_recall"), b["metrics"].get("key_fact_recall")
        if x is not None and y is not None:
            rows.setdefault(kind_of(a), []).append((float(x), float(y)))
    out = [(kind, len(v), m.mean_or_nan(x for x, _ in v), m.mean_or_nan(y for _, y in v)) for kind, v in rows.items()]
    return sorted(out, key=lambda row: -abs(row[3] - row[2]) * row[1])


def summary_line(row: dict) -> str:
    (kf_a, kf_b), p = row["key_facts"], row["paired"]
    low, high = p["ci"] or (float("nan"), float("nan"))
    diff = p["mean_diff"] if p["mean_diff"] is not None else float("nan")
    fa, fb = row["abstention"]
    return (
        f"{row['corpus']}: {row['questions']} questions; key facts {kf_a:.4f} -> {kf_b:.4f} "
        f"({diff:+.4f} [{low:+.4f}, {high:+.4f}], {p['wins']} better, {p['losses']} worse); "
        f"abstention F1 {fa['f1']:.3f} ({fa['precision']:.2f} / {fa['recall']:.2f}) -> "
        f"{fb['f1']:.3f} ({fb['precision']:.2f} / {fb['recall']:.2f}), {row['switched']} switched"
    )


@click.command("compare-folds")
@click.argument("before", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("after", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by-kind", is_flag=True, help="Also key facts per kind of question (what it asks for), largest change first.")
def compare_folds(before: Path, after: Path, by_kind: bool) -> None:
    """Held-out answers of two `train-ranker --cv-records` runs, BEFORE and AFTER a change, per corpus."""
    old, new = load_records(before), load_records(after)
    rows = compare(old, new)
    if not rows:
        raise click.ClickException(f"{before} and {after} share no question")
    for row in rows:
        click.echo(summary_line(row))
        if by_kind:
            for kind, n, x, y in key_facts_by_kind(old, new, row["corpus"]):
                click.echo(f"  {kind}: {n} questions, key facts {x:.3f} -> {y:.3f} ({y - x:+.3f})")


if __name__ == "__main__":
    compare_folds()
