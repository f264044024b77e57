"""Quality under many documents: the same gold questions with unrelated documents beside the corpus.

A user's store holds more than the report: other reports, policy pages, manuals. Whether the right
passages stay on top is measured by ingesting a folder of unrelated documents into a scratch copy of
the store (never the store itself) and scoring both. The scratch copy lives in the data home
(`distractors/<key>/`) and is reused while the store (its chunks and how its files were read), the
folders and the embedding are unchanged: ingesting thousands of pages takes minutes, scoring takes one.

    datalessen eval --distractors /usr/share/libreoffice/help/nl --distractors ../shared/fixtures/real
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np

from assistant.embeddings import embedding_identity
from ingest.manifest import Manifest, store_key

MAX_DROP = 0.03  # how much recall@5 and key-fact recall may fall with distractors 30x the corpus (issue 16)
WATCHED = ("recall@5", "key_fact_recall")
CHANCE_DRAWS = 2000  # random sets drawn per comparison: enough for a 95% range and p down to 1/2000


def _folder_signature(folders: list[Path]) -> str:
    digest = hashlib.sha256()
    for folder in sorted(Path(f).resolve() for f in folders):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            stat = path.stat()
            digest.update(f"{path}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _manifest_signature(settings, store) -> str:
    if not Path(settings.manifest_path).exists():
        return ""
    manifest = Manifest(Path(settings.manifest_path), store_key(store.location, settings.collection))
    try:
        return repr([(row.source, row.content_hash, row.signature) for row in manifest.rows()])
    finally:
        manifest.close()


def scratch_settings(settings, store, folders: list[Path]):
    """Settings for the scratch copy of the store with `folders` ingested beside it (key: what it holds)."""
    if settings.chroma_url:
        raise ValueError("--distractors copies an embedded store; with a Chroma server (chroma_url) it cannot make a copy")
    digest = hashlib.sha256()
    digest.update("\n".join(store.all_ids()).encode())
    digest.update(_folder_signature(folders).encode())
    digest.update(repr(sorted(embedding_identity(settings).items())).encode())
    # a loader revision or other chunking re-reads the store's files under the same chunk ids: the
    # manifest's signature per file says what the copy would hold
    digest.update(_manifest_signature(settings, store).encode())
    home = Path(settings.home) / "distractors" / digest.hexdigest()[:16]
    return settings.replace(home=home, embedding_model=settings.embedding_model), home


def prepare(settings, store, folders: list[Path], *, progress: bool = False, echo=print):
    """The scratch copy's settings, built (copy + ingest) unless a finished copy is there already."""
    from ingest.pipeline import Ingestor

    scratch, home = scratch_settings(settings, store, folders)
    done = home / "complete"
    if done.exists():
        echo(f"distractors: reusing {home}")
        return scratch
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    shutil.copytree(settings.store_dir, scratch.store_dir)
    if Path(settings.manifest_path).exists():
        shutil.copy2(settings.manifest_path, scratch.manifest_path)
    if Path(settings.model_dir).exists():
        (home / "models").symlink_to(Path(settings.model_dir).resolve(), target_is_directory=True)
    echo(f"distractors: ingesting {', '.join(str(f) for f in folders)} into a copy of the store ({home})")
    ingestor = Ingestor(scratch, progress=progress)
    try:
        report = ingestor.run([Path(f) for f in folders])
    finally:
        ingestor.close()
    echo("distractors: " + report.summary().replace("\n", "; "))
    done.write_text(report.summary(), encoding="utf-8")
    return scratch


def side_by_side(without: dict, with_: dict, *, corpus_chunks: int, total_chunks: int) -> tuple[str, list[str]]:
    """A Markdown table of every metric per variant without and with the distractors, and the watched drops
    that exceed MAX_DROP.

    Beside each change, its 95% interval over the questions (paired: each question with and without) and
    how many questions got worse and better: on a set of 24-50 questions one question moves a metric by
    0.02-0.04, and a reader should see whether a drop is one question or many."""
    from evals.gate import measured

    names = (
        "recall@5",
        "mrr",
        "ndcg@10",
        "section_hit@5",
        "citation_validity",
        "faithfulness",
        "key_fact_recall",
        "abstention_f1",
        "median_words",
    )
    ratio = (total_chunks - corpus_chunks) / max(corpus_chunks, 1)
    lines = [
        f"Distractors: {total_chunks - corpus_chunks:,} chunks beside the corpus' {corpus_chunks:,} ({ratio:.1f}x).",
        "",
        "| variant | metric | without | with | change | 95% interval | questions worse / better |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    over = []
    for variant in without["summary"]:
        if variant not in with_["summary"]:
            continue
        pairs = paired_records(without, with_, variant)
        for name in names:
            a, b = measured(without["summary"][variant], name), measured(with_["summary"][variant], name)
            if a is None or b is None:
                continue
            interval, worse, better = paired_change(pairs, name)
            shown = f"[{interval[0]:+.3f}, {interval[1]:+.3f}]" if interval else "–"
            moved = f"{worse} / {better}" if worse is not None else "–"
            lines.append(f"| {variant} | {name} | {a:.3f} | {b:.3f} | {b - a:+.3f} | {shown} | {moved} |")
            if name in WATCHED and a - b > MAX_DROP:
                over.append(f"{variant} {name} fell {a - b:.3f} (> {MAX_DROP})")
    return "\n".join(lines), over


def per_file_changes(without: dict, with_: dict, files: dict[str, set]) -> str:
    """Per question file (name -> its ids), the watched metrics without and with the distractors (the main
    variant): where the pooled change comes from. One set of 30-50 questions moves by 0.02-0.03 with a single
    answer, so the pooled figure is the steadier one; these show the spread."""
    from evals.run import main_variant, summaries_by_file

    variant = main_variant(with_["summary"])
    before, after = (summaries_by_file({**run, "variants": [variant]}, files) for run in (without, with_))
    lines = [
        f"Per questions file ({variant}):",
        "",
        "| file | questions | recall@5 without / with | change | key facts without / with | change |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, ids in files.items():
        cells = []
        for metric in WATCHED:
            a, b = (summary[name][variant].get(metric, {}).get("mean") for summary in (before, after))
            cells += ["–", "–"] if a is None or b is None else [f"{a:.3f} / {b:.3f}", f"{b - a:+.3f}"]
        lines.append(f"| {name} | {len(ids)} | " + " | ".join(cells) + " |")
    if len(files) > 1:
        pairs = paired_records(without, with_, variant)
        lines += ["", *(chance_line(metric, changes_by_file(pairs, files, metric)) for metric in WATCHED)]
    return "\n".join(lines)


def changes_by_file(pairs: list[tuple[dict, dict]], files: dict[str, set], metric: str) -> dict[str, list[float]]:
    """Per question file, each of its questions' change in `metric` (with minus without; questions it does
    not apply to, the unanswerable ones, left out)."""
    file_of = {qid: name for name, ids in files.items() for qid in ids}
    out: dict[str, list[float]] = {name: [] for name in files}
    for a, b in pairs:
        x, y = a["metrics"].get(metric), b["metrics"].get(metric)
        if x is not None and y is not None and a["id"] in file_of:
            out[file_of[a["id"]]].append(y - x)
    return {name: changes for name, changes in out.items() if changes}


def beyond_chance(changes: dict[str, list[float]], *, limit: float = MAX_DROP, draws: int = CHANCE_DRAWS, seed: int = 0) -> dict:
    """Whether the sets whose drop exceeds `limit` are more, or fall further, than their sizes explain.

    One question moves a set of 30 by 0.033, so some sets exceed 0.03 whenever any question does worse.
    The comparison deals the same question-level changes at random into sets of the same sizes: how many
    of those exceed the limit (median and 95% range), and for each set the share of random sets of its
    size that fall at least as far (one-sided p). A set is beyond chance when its p is under 0.05 divided
    by the number of sets (one test per set)."""
    rng = np.random.default_rng(seed)
    names = list(changes)
    sizes = [len(changes[n]) for n in names]
    pooled = np.concatenate([np.asarray(changes[n], dtype=float) for n in names])
    means = {n: float(np.mean(changes[n])) for n in names}
    observed = np.asarray([means[n] for n in names])
    starts = np.cumsum([0, *sizes])[:-1]
    counts = np.empty(draws)
    low = np.zeros(len(names))
    for i in range(draws):
        drawn = np.add.reduceat(rng.permutation(pooled), starts) / np.asarray(sizes)
        counts[i] = np.sum(drawn < -limit - 1e-12)
        low += drawn <= observed + 1e-12
    p = {n: float(low[i] / draws) for i, n in enumerate(names)}
    return {
        "sets": len(names),
        "over": sum(means[n] < -limit - 1e-12 for n in names),
        "chance": (float(np.median(counts)), float(np.percentile(counts, 2.5)), float(np.percentile(counts, 97.5))),
        "p": p,
        "means": means,
        "beyond": [n for n in names if p[n] < 0.05 / len(names)],
    }


def chance_line(metric: str, changes: dict[str, list[float]]) -> str:
    """One sentence: how many files exceed MAX_DROP against chance, and which file (if any) lies beyond it."""
    if len(changes) < 2:
        return f"{metric}: fewer than two question files to compare."
    found = beyond_chance(changes)
    median, low, high = found["chance"]
    worst = min(found["p"], key=lambda n: (found["p"][n], found["means"][n]))
    verdict = (
        "beyond chance: " + ", ".join(f"{n} ({found['means'][n]:+.3f}, p {found['p'][n]:.4f})" for n in found["beyond"])
        if found["beyond"]
        else f"no file beyond chance (lowest p: {worst} {found['means'][worst]:+.3f}, p {found['p'][worst]:.3f})"
    )
    return (
        f"{metric}: {found['over']} of {found['sets']} files fell more than {MAX_DROP}; the same questions' changes dealt "
        f"at random into files of the same sizes give {median:.0f} [95%: {low:.0f}-{high:.0f}] ({CHANCE_DRAWS} draws); "
        f"{verdict}, at p < 0.05 / {found['sets']}."
    )


def paired_records(without: dict, with_: dict, variant: str) -> list[tuple[dict, dict]]:
    """(record without, record with) of every question both runs asked in `variant`."""
    mine = {r["id"]: r for r in with_["records"] if r["variant"] == variant}
    return [(r, mine[r["id"]]) for r in without["records"] if r["variant"] == variant and r["id"] in mine]


def paired_change(pairs: list[tuple[dict, dict]], name: str) -> tuple[tuple[float, float] | None, int | None, int | None]:
    """The change's bootstrap interval (questions resampled as pairs) and the questions worse and better.
    A per-question metric compares values; abstention F1 compares decisions (a question now refused that
    should be answered, or the reverse, is worse); the median length has no per-question side."""
    from evals import metrics as m

    if name == "median_words":
        words = [(a["metrics"]["words"], b["metrics"]["words"]) for a, b in pairs]
        return m.bootstrap_ci(words, lambda s: float(np.median([y for _, y in s]) - np.median([x for x, _ in s]))), None, None
    if name == "abstention_f1":
        rows = [(not a["answerable"], a["metrics"]["abstained"], b["metrics"]["abstained"]) for a, b in pairs]

        def f1_change(sample: list) -> float:
            scores = [m.abstention_scores([r[0] for r in sample], [r[i] for r in sample])["f1"] for i in (1, 2)]
            return scores[1] - scores[0]

        right_before = {q: float(should == before) for q, (should, before, _) in enumerate(rows)}
        right_after = {q: float(should == after) for q, (should, _, after) in enumerate(rows)}
        decisions = m.paired_comparison(right_after, right_before)
        return m.bootstrap_ci(rows, f1_change), decisions["losses"], decisions["wins"]
    before = {a["id"]: a["metrics"].get(name) for a, _ in pairs}
    after = {b["id"]: b["metrics"].get(name) for _, b in pairs}
    change = m.paired_comparison(after, before)
    return change["ci"], change["losses"], change["wins"]
