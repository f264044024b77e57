"""The evaluation written down: report.md, a self-contained report.html, report.json and PNG plots.

Both text formats are rendered from the same list of blocks, so they cannot say
different things. The HTML inlines its CSS and its plots (base64), so it can be
mailed or archived as one file. The UI shows report.md and the PNGs beside it.
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from evals.gate import gate_rows
from evals.run import main_variant

SHOWN_SETTINGS = (
    "embedding_model",
    "chunk_size",
    "chunk_overlap",
    "bm25_k",
    "dense_k",
    "rrf_k",
    "top_k",
    "answer_backend",
    "llm_model",
    "max_quotes",
    "abstain_threshold",
    "chroma_url",
    "collection",
)
RETRIEVAL_METRICS = ("recall@1", "recall@3", "recall@5", "recall@10", "mrr", "ndcg@10", "section_hit@5")
ANSWER_METRICS = (
    "citation_validity",
    "faithfulness",
    "citation_precision",
    "citation_precision_doc",
    "key_fact_recall",
    "abstention_f1",
)
LABELS = {
    "citation_precision_doc": "citation precision (doc)",
    "abstention_f1": "abstention F1",
    "faithfulness": "quote faithfulness",
    "key_fact_recall": "key-fact recall",
}
COLORS = {"bm25": "#8c6d31", "dense": "#6b6ecf", "hybrid": "#2b8a3e", "naive": "#9e9e9e"}


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    classes: list[list[str]] | None = None  # per cell, for HTML colouring


@dataclass
class Image:
    path: Path
    alt: str


def metric_value(summary: dict, name: str) -> tuple[float | None, tuple | None]:
    """A summary's value and interval for a metric name (abstention F1 and lengths live elsewhere)."""
    if name == "abstention_f1":
        return summary["abstention"].get("f1"), summary["abstention"].get("f1_ci")
    if name == "median_words":
        return summary["words"]["median"], summary["words"].get("median_ci")
    if name == "p90_words":
        return summary["words"]["p90"], None
    entry = summary.get(name) or {}
    return entry.get("mean"), entry.get("ci")


def fmt(value, ci=None, digits: int = 3) -> str:
    if value is None:
        return "–"
    text = f"{value:.{digits}f}" if isinstance(value, float) else str(value)
    if ci:
        text += f" [{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]"
    return text


# --------------------------------------------------------------------------- plots


def plot_metrics(results: dict, names: tuple[str, ...], path: Path, title: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    variants = results["variants"]
    names = tuple(n for n in names if any(metric_value(results["summary"][v], n)[0] is not None for v in variants))
    width = 0.8 / max(len(variants), 1)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.3 * len(names) + 2), 3.8), dpi=110)
    x = np.arange(len(names))
    for i, variant in enumerate(variants):
        values, lower, upper = [], [], []
        for name in names:
            value, ci = metric_value(results["summary"][variant], name)
            value = value if value is not None else 0.0
            values.append(value)
            lower.append(value - ci[0] if ci else 0.0)
            upper.append(ci[1] - value if ci else 0.0)
        ax.bar(
            x + (i - (len(variants) - 1) / 2) * width,
            values,
            width,
            label=variant,
            color=COLORS.get(variant),
            yerr=[np.maximum(lower, 0), np.maximum(upper, 0)],
            capsize=2,
            error_kw={"elinewidth": 0.8},
        )
    ax.set_xticks(x, [LABELS.get(n, n) for n in names], rotation=20, ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_title(title, fontsize=10, pad=24)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, ncol=len(variants), loc="lower center", bbox_to_anchor=(0.5, 1.06), frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_lengths(results: dict, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    variants = results["variants"]
    fig, ax = plt.subplots(figsize=(6, 3.4), dpi=110)
    data = [[r["metrics"]["words"] for r in results["records"] if r["variant"] == v] for v in variants]
    ax.boxplot(data, showfliers=True, whis=(10, 90))
    ax.set_xticks(range(1, len(variants) + 1), variants)
    limit = results.get("gate", {}).get("thresholds", {}).get("max", {}).get("median_words")
    if limit:
        ax.axhline(limit, color="#c92a2a", linestyle="--", linewidth=1, label=f"median limit {limit:g}")
        ax.legend(fontsize=8)
    ax.set_ylabel("words per answer")
    ax.set_title("Answer length (box: quartiles, whiskers: p10–p90)", fontsize=10)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


# --------------------------------------------------------------------------- content


def build_blocks(results: dict, images: list[Image], *, commit: str, date: str) -> list:
    variants = results["variants"]
    gate = results.get("gate", {})
    blocks: list = [
        ("h1", "Evaluatie datalessen"),
        (
            "p",
            f"Date: {date} · commit: `{commit or 'unknown'}` · corpus: "
            f"{results['corpus']['documents']} documents, {results['corpus']['chunks']} chunks · "
            f"questions: {results['questions']['total']} ({results['questions']['answerable']} "
            f"answerable, {results['questions']['unanswerable']} unanswerable, "
            f"{results['questions']['followups']} follow-ups) · retrieval cut-off k = {results['k']}",
        ),
    ]

    if gate:
        status = "PASS" if not gate["failures"] else "FAIL"
        blocks += [
            ("h2", f"Gate ({gate['variant']}): {status}"),
            Table(
                ["metric", "threshold", "measured", "result"],
                gate["rows"],
                [["", "", "", "pass" if row[3] == "pass" else "fail"] for row in gate["rows"]],
            ),
        ]
        for failure in gate["failures"]:
            blocks.append(("li", failure))
        targets = gate.get("target_rows", [])
        if targets:
            missed = [row[0] for row in targets if row[3] != "pass"]
            blocks += [
                ("h2", "Project targets: " + ("all met" if not missed else "NOT met: " + ", ".join(missed))),
                (
                    "p",
                    "The gate above guards against regressions; these are the figures the project asked "
                    "for. A target that is not met is open work, not a pass.",
                ),
                Table(
                    ["metric", "target", "measured", "result"],
                    [row[:3] + ["met" if row[3] == "pass" else "not met"] for row in targets],
                    [["", "", "", "pass" if row[3] == "pass" else "fail"] for row in targets],
                ),
            ]

    blocks += [("h2", "Retrieval (answerable questions, mean [95% bootstrap CI])")]
    rows = [
        [name] + [fmt(*metric_value(results["summary"][v], name)) for v in variants]
        for name in (*RETRIEVAL_METRICS, "page_hit@5")
    ]
    rows.append(
        ["characters in top 5"] + [fmt(*metric_value(results["summary"][v], "context_chars@5"), digits=0) for v in variants]
    )
    blocks.append(Table(["metric"] + variants, rows))
    blocks.append(("h2", "Answers"))
    rows = [
        [LABELS.get(name, name)] + [fmt(*metric_value(results["summary"][v], name)) for v in variants] for name in ANSWER_METRICS
    ]
    rows.append(
        ["abstention precision / recall"]
        + [
            f"{results['summary'][v]['abstention']['precision']:.3f} / {results['summary'][v]['abstention']['recall']:.3f}"
            for v in variants
        ]
    )
    rows.append(
        ["words: median [CI] / p90"]
        + [
            f"{fmt(*metric_value(results['summary'][v], 'median_words'), digits=0)} / "
            f"{fmt(results['summary'][v]['words']['p90'], digits=0)}"
            for v in variants
        ]
    )
    rows.append(["run time (s)"] + [fmt(results["timing_s"].get(v), digits=1) for v in variants])
    blocks.append(Table(["metric"] + variants, rows))
    blocks.append(
        (
            "p",
            "Citation validity and quote faithfulness: all answers (abstentions show the closest "
            "passages, quoted too). Citation precision: share of an answer's citations whose chunk "
            "holds gold evidence (doc: comes from an evidence document), answered answerable questions "
            "only. Key-fact recall: answerable questions, in the answer text as shown. Abstention: "
            "positive class = should abstain (answerable = false).",
        )
    )
    blocks += retrieval_kept_blocks(results)
    blocks += per_file_blocks(results)
    for image in images:
        blocks.append(image)

    if results.get("comparisons"):
        blocks.append(("h2", "Paired comparisons (per question; difference = first − second)"))
        rows = []
        for pair, by_metric in results["comparisons"].items():
            for metric, c in by_metric.items():
                rows.append(
                    [pair, metric, str(c["n"]), fmt(c["mean_diff"], c["ci"]), f"{c['wins']} / {c['ties']} / {c['losses']}"]
                )
        blocks.append(Table(["comparison", "metric", "n", "mean difference [95% CI]", "wins / ties / losses"], rows))

    blocks += [
        ("h2", "Settings"),
        Table(["setting", "value"], [[k, str(results["settings"].get(k, ""))] for k in SHOWN_SETTINGS]),
        (
            "p",
            "Variants: bm25, dense and hybrid are `Assistant.ask(mode=..., k=10)` (follow-ups condensed "
            "with their history); naive is LangChain's `RecursiveCharacterTextSplitter()` at its defaults "
            "over the raw files + Chroma with the same embeddings + `similarity_search(question, k=10)`, "
            "then the same extractive answerer. Its chunks are about four times larger than the store's, "
            "which flatters its recall@k. A chunk is relevant when it comes from the evidence document and "
            "holds the evidence quote (whitespace and Markdown aside), or a head or tail of it of at least "
            "60% of its words (a quote cut by a chunk boundary).",
        ),
    ]
    if results.get("data_errors"):
        blocks.append(("h2", f"Gold data errors ({len(results['data_errors'])})"))
        blocks += [("li", e) for e in results["data_errors"]]
    for note in results.get("notes", []):
        blocks.append(("li", note))

    blocks.append(("h2", "Per question"))
    blocks.append(
        (
            "p",
            "hit@5: some top-5 chunk holds gold evidence (✓/✗; – for unanswerable). Abstain: should "
            f"abstain / per variant ({', '.join(variants)}) A = abstained, · = answered. "
            "Facts and words: hybrid" + ("" if "hybrid" in variants else f" (here: {variants[-1]})") + ".",
        )
    )
    blocks.append(outcome_table(results))
    return blocks


def per_file_blocks(results: dict) -> list:
    """Several question files scored together: each file's own figures beside the pooled ones above."""
    files = results.get("per_file") or []
    if not files:
        return []
    variants = results["variants"]
    variant = main_variant(variants)
    rows = []
    for f in files:
        summary = f["summary"][variant]
        abstention = summary["abstention"]
        rows.append(
            [
                f["name"],
                str(f["questions"]),
                fmt(metric_value(summary, "recall@5")[0]),
                fmt(metric_value(summary, "key_fact_recall")[0]),
                fmt(metric_value(summary, "top3_passages_key_facts")[0]),
                f"{fmt(abstention.get('f1'))} "
                f"({fmt(abstention.get('precision'), digits=2)} / {fmt(abstention.get('recall'), digits=2)})",
                fmt(summary["words"]["median"], digits=0),
            ]
        )
    return [
        ("h2", f"Per questions file ({variant}; the figures above pool all {len(files)})"),
        Table(
            ["file", "questions", "recall@5", "key facts", "top-3 passages' key facts", "abstention F1 (P / R)", "median words"],
            rows,
        ),
    ]


BASELINE_ROWS = (
    ("the answer", "key_fact_recall", "words"),
    ("full text of the top-1 passage", "top1_passage_key_facts", "top1_passage_words"),
    ("full text of the top-3 passages", "top3_passages_key_facts", "top3_passages_words"),
    ("best 3 sentences of the top 10 (ceiling)", "best3_sentences_key_facts", None),
)


def retrieval_kept_blocks(results: dict) -> list:
    """The answer's key facts beside what retrieval handed it: shows how much of it the answer keeps."""
    variants = results["variants"]
    summaries = {v: results["summary"][v] for v in variants}
    if not any((summaries[v].get("top3_passages_key_facts") or {}).get("mean") is not None for v in variants):
        return []
    rows = []
    for label, metric, words in BASELINE_ROWS:
        row = [label]
        for v in variants:
            value, ci = metric_value(summaries[v], metric)
            median = (summaries[v].get(words) or {}).get("median") if words else None
            row.append(fmt(value, ci) + ("" if median is None else f" · {median:.0f} words"))
        rows.append(row)
    ratio = ["answer / top-3 passages"]
    for v in variants:
        answer, top3 = metric_value(summaries[v], "key_fact_recall")[0], metric_value(summaries[v], "top3_passages_key_facts")[0]
        ratio.append(fmt(answer / top3) if answer is not None and top3 else "–")
    rows.append(ratio)
    return [
        ("h2", "What the answer keeps of what retrieval found (key-fact recall, answerable questions)"),
        Table(["shown to the user"] + variants, rows),
        (
            "p",
            "The same key-fact match as the answer's, on the full text of the top-ranked passages and on "
            "the three sentences of the top 10 that together hold the most key facts (sentences split as "
            "the answerer splits them). Words: median per question (the answer's: all questions).",
        ),
    ]


def outcome_table(results: dict) -> Table:
    variants = results["variants"]
    main = main_variant(variants)
    by_key = {(r["id"], r["variant"]): r for r in results["records"]}
    ids = list(dict.fromkeys(r["id"] for r in results["records"]))
    headers = ["id", "type", "question"] + [f"hit@5 {v}" for v in variants] + ["abstain: should / did", "facts", "words"]
    rows, classes = [], []
    for qid in ids:
        first = by_key[(qid, variants[0])]
        row = [
            qid,
            first["type"] + (" (en)" if first["language"] == "en" else ""),
            first["question"] + (f" (after: {' → '.join(first['history'])})" if first["history"] else ""),
        ]
        cls = ["", "", ""]
        for v in variants:
            hit = by_key[(qid, v)]["metrics"].get("hit@5")
            row.append("–" if hit is None else ("✓" if hit else "✗"))
            cls.append("" if hit is None else ("pass" if hit else "fail"))
        should = not first["answerable"]
        did = "".join("A" if by_key[(qid, v)]["metrics"]["abstained"] else "·" for v in variants)
        row.append(f"{'yes' if should else 'no'} / {did}")
        main_did = by_key[(qid, main)]["metrics"]["abstained"]
        cls.append("pass" if main_did == should else "fail")
        found = by_key[(qid, main)]["metrics"].get("key_facts_found")
        row.append(f"{sum(found)}/{len(found)}" if found else "–")
        cls.append("" if not found else ("pass" if all(found) else "fail" if not any(found) else "part"))
        row.append(str(by_key[(qid, main)]["metrics"]["words"]))
        cls.append("")
        rows.append(row)
        classes.append(cls)
    return Table(headers, rows, classes)


# --------------------------------------------------------------------------- rendering


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(blocks: list) -> str:
    out: list[str] = []
    for block in blocks:
        if not (isinstance(block, tuple) and block[0] == "li") and out and out[-1].startswith("- "):
            out.append("")  # end a list before anything else
        if isinstance(block, Table):
            out += ["| " + " | ".join(map(_md_cell, block.headers)) + " |", "|" + "|".join("---" for _ in block.headers) + "|"]
            out += ["| " + " | ".join(map(_md_cell, row)) + " |" for row in block.rows]
            out.append("")
        elif isinstance(block, Image):
            out += [f"![{block.alt}]({block.path.name})", ""]
        else:
            kind, text = block
            prefix = {"h1": "# ", "h2": "## ", "li": "- ", "p": ""}[kind]
            out.append(prefix + text)
            if kind != "li":
                out.append("")
    return "\n".join(out).rstrip() + "\n"


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;
color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3;position:sticky;top:0}
td.pass{background:#e6f4ea}td.fail{background:#fde8e8}td.part{background:#fff4d6}
img{max-width:100%;display:block;margin:1rem 0}code{background:#f3f3f3;padding:0 .2rem}
"""


def _inline_html(text: str) -> str:
    parts = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def render_html(blocks: list, title: str = "Evaluatie datalessen") -> str:
    body: list[str] = []
    in_list = False
    for block in blocks:
        is_li = isinstance(block, tuple) and block[0] == "li"
        if in_list and not is_li:
            body.append("</ul>")
            in_list = False
        if isinstance(block, Table):
            head = "".join(f"<th>{html.escape(h)}</th>" for h in block.headers)
            rows = []
            for i, row in enumerate(block.rows):
                cls = block.classes[i] if block.classes else [""] * len(row)
                rows.append(
                    "<tr>"
                    + "".join(
                        f'<td class="{c}">{html.escape(str(v))}</td>' if c else f"<td>{html.escape(str(v))}</td>"
                        for v, c in zip(row, cls)
                    )
                    + "</tr>"
                )
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
        elif isinstance(block, Image):
            data = base64.b64encode(block.path.read_bytes()).decode("ascii")
            body.append(f'<img alt="{html.escape(block.alt)}" src="data:image/png;base64,{data}">')
        else:
            kind, text = block
            if kind == "li":
                if not in_list:
                    body.append("<ul>")
                    in_list = True
                body.append(f"<li>{_inline_html(text)}</li>")
            else:
                body.append(f"<{kind}>{_inline_html(text)}</{kind}>")
    if in_list:
        body.append("</ul>")
    return (
        f'<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def write_report(
    results: dict,
    out_dir: Path,
    *,
    commit: str = "",
    date: str | None = None,
    thresholds: dict | None = None,
    failures: list[str] | None = None,
    gold_set: str | None = None,
    questions_file: Path | str | None = None,
    questions_files: list[str] | None = None,
) -> dict[str, Path]:
    """All report files into `out_dir`; returns their paths by kind. `gold_set` names the shipped set
    the questions are ("" for an evaluator's own file or several files), so a viewer knows how far to trust
    the figures; `questions_files`: the files scored together."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    date = date or datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    results = dict(results)
    if thresholds is not None:
        variant = thresholds.get("variant", "hybrid")
        results["gate"] = {
            "variant": variant,
            "thresholds": thresholds,
            "failures": list(failures or []),
            "rows": gate_rows(results, thresholds),
            "target_rows": gate_rows(results, thresholds, "target"),
        }
    images = [
        Image(
            plot_metrics(results, RETRIEVAL_METRICS, out_dir / "retrieval.png", "Retrieval (mean, 95% CI)"),
            "Retrieval metrics per variant",
        ),
        Image(
            plot_metrics(results, ANSWER_METRICS, out_dir / "answers.png", "Answers (mean, 95% CI)"), "Answer metrics per variant"
        ),
        Image(plot_lengths(results, out_dir / "lengths.png"), "Answer length per variant"),
    ]
    blocks = build_blocks(results, images, commit=commit, date=date)
    paths = {"md": out_dir / "report.md", "html": out_dir / "report.html", "json": out_dir / "report.json"}
    paths["md"].write_text(render_markdown(blocks), encoding="utf-8")
    paths["html"].write_text(render_html(blocks), encoding="utf-8")
    meta = {"date": date, "commit": commit}
    if gold_set is not None:
        meta["gold_set"] = gold_set
    if questions_file is not None:
        meta["questions_file"] = str(questions_file)
    if questions_files:
        meta["questions_files"] = list(questions_files)
    paths["json"].write_text(json.dumps({**meta, **results}, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    paths.update({image.path.stem: image.path for image in images})
    return paths
