"""Run the gold questions through the assistant's variants and score every answer.

Variants: `bm25`, `dense`, `hybrid` (the product: `Assistant.ask(mode=...)`, follow-ups
condensed with their history) and `naive`, the LangChain tutorial pipeline over the
same files: `RecursiveCharacterTextSplitter()` at its defaults on the raw file text,
Chroma with the same embeddings, `similarity_search(question, k=10)`, no follow-up
condensation, then the same extractive answerer. Every component of the product
has to beat that to earn its place.

One `ask(..., k=10)` per question and variant gives both the retrieval metrics (its
`answer.passages` are the ranked top 10) and the answer metrics.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from assistant.schema import Answer, Passage
from assistant.text import detect_language, passage_sentences
from evals import metrics as m
from evals.gold import EvidenceMap, EvidenceMatcher, Question, passage_document

VARIANTS = ("bm25", "dense", "hybrid", "naive")
RETRIEVAL_K = 10
TEXT_SUFFIXES = {".md", ".markdown", ".txt"}  # what a naive TextLoader reads
SECRET_SETTINGS = ("llm_api_key", "auth")

# the per-question metrics summarised as means with bootstrap intervals, and who they apply to
RETRIEVAL_METRICS = (
    "recall@1",
    "recall@3",
    "recall@5",
    "recall@10",
    "mrr",
    "ndcg@10",
    "section_hit@5",
    "page_hit@5",
    "context_chars@5",
)  # the last: how much text the top 5 hands the answerer
ANSWER_METRICS = ("citation_validity", "faithfulness", "citation_precision", "citation_precision_doc", "key_fact_recall")
# what retrieval hands the answerer, scored like an answer: the full text of the top 1 and top 3
# passages, and the best 3 sentences of the top 10 (the most an answer of three quotes could hold)
BASELINE_METRICS = ("top1_passage_key_facts", "top3_passages_key_facts", "best3_sentences_key_facts")


# --------------------------------------------------------------------------- the naive baseline


def naive_text(path: Path) -> str | None:
    """A file's text as the LangChain tutorials' loaders give it: TextLoader's whole file (front matter
    and all), PyPDFLoader's page texts (pypdf), Docx2txt's paragraphs; None for anything else."""
    suffix = path.suffix.lower()
    if not path.is_file():
        return None
    if suffix in TEXT_SUFFIXES:
        return path.read_text(encoding="utf-8")
    if suffix == ".pdf":
        from pypdf import PdfReader

        return "\n\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    if suffix == ".docx":
        import docx

        return "\n\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    return None


class NaiveBaseline:
    """The LangChain tutorial pipeline, built in a temporary Chroma over the store's source files."""

    def __init__(self, assistant, paths: list[Path]):
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from assistant.settings import quiet_offline_environment

        quiet_offline_environment()
        self.assistant = assistant
        self.skipped: list[str] = []
        self.passages: dict[str, Passage] = {}
        splitter = RecursiveCharacterTextSplitter()
        for path in sorted(paths):
            raw = naive_text(path)
            if raw is None:
                self.skipped.append(path.name)
                continue
            for i, (chunk, start) in enumerate(_with_offsets(raw, splitter.split_text(raw))):
                sections = sections_spanned(raw, start, start + len(chunk))
                chunk_id = f"naive-{path.name}-{i:04d}"
                self.passages[chunk_id] = Passage(
                    chunk_id=chunk_id,
                    doc_id=path.name,
                    text=chunk,
                    title=path.name,
                    section=sections[0] if sections else "",
                    source=str(path),
                    metadata={"document": path.name, "source": str(path), "sections": sections},
                )
        self._dir = tempfile.mkdtemp(prefix="datalessen-naive-")
        self.store = Chroma(collection_name="naive", embedding_function=assistant.embeddings, persist_directory=self._dir)
        ids = list(self.passages)
        if ids:
            self.store.add_texts([self.passages[i].text for i in ids], metadatas=[{"chunk_id": i} for i in ids], ids=ids)

    @classmethod
    def from_assistant(cls, assistant) -> "NaiveBaseline":
        sources = {Path(p.source) for p in assistant.passages if p.source}
        return cls(assistant, sorted(sources))

    def retrieve(self, question: str, k: int = RETRIEVAL_K) -> list[Passage]:
        docs = self.store.similarity_search(question, k=k)
        return [self.passages[d.metadata.get("chunk_id") or d.id] for d in docs]

    def ask(self, question: str, k: int = RETRIEVAL_K) -> Answer:
        passages = self.retrieve(question, k)
        return self.assistant.answerer.answer(question, passages, language=detect_language(question))

    def close(self) -> None:
        try:
            self.store.delete_collection()
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)


def _with_offsets(raw: str, chunks: list[str]):
    """Each chunk with where it starts in the file (the splitter keeps text verbatim, overlapping)."""
    cursor = 0
    for chunk in chunks:
        start = raw.find(chunk, cursor)
        if start < 0:
            start = raw.find(chunk)
        yield chunk, max(start, 0)
        cursor = max(start, 0) + 1


def sections_spanned(raw: str, start: int, end: int) -> list[str]:
    """Section paths (as the project's loader names them) in force anywhere in raw[start:end],
    so that section hit@5 can be judged for chunks that know nothing of sections."""
    from ingest.loaders.markdown import HEADING, inline_text

    body_start = 0
    match = re.match(r"^---\s*\n(.*?)\n---\s*(?:\n|$)", raw, re.S)
    if match:
        body_start = match.end()
    path: list[tuple[int, str]] = []
    current = ""
    spanned: list[str] = []
    offset, in_code = 0, False
    for line in raw.splitlines(keepends=True):
        line_start, offset = offset, offset + len(line)
        if line_start >= end:
            break
        if line_start < body_start:
            continue
        if line.strip().startswith("```"):
            in_code = not in_code
        heading = None if in_code else HEADING.match(line.rstrip())
        if heading:
            level, title = len(heading.group(1)), inline_text(heading.group(2))
            path = [(lvl, t) for lvl, t in path if lvl < level] + [(level, title)]
            current = " > ".join(t for _, t in path)
        if offset > start and current and current not in spanned:
            spanned.append(current)
    return spanned


# --------------------------------------------------------------------------- scoring one answer


def locations(passage: Passage, kind: str) -> set:
    doc = passage_document(passage)
    if kind == "section":
        names = passage.metadata.get("sections") or [passage.section]
        return {(doc, s) for s in names}
    if passage.page_start is None:
        return set()
    last = passage.page_end if passage.page_end is not None else passage.page_start
    return {(doc, page) for page in range(int(passage.page_start), int(last) + 1)}


def score(
    question: Question, variant: str, answer: Answer, matcher: EvidenceMatcher, evidence: EvidenceMap, k: int = RETRIEVAL_K
) -> dict:
    """One per-question record: what was retrieved and answered, and every metric that applies."""
    passages = answer.passages[:k]
    hits = [{i for i, ev in enumerate(question.evidence) if matcher.relevant(ev, p)} for p in passages]
    by_id = {p.chunk_id: p for p in answer.passages}
    words = m.word_count(answer.text)
    metrics: dict = {
        "words": words,
        "abstained": bool(answer.abstained),
        "context_chars@5": sum(len(p.text) for p in passages[:5]),
    }
    metrics["citation_validity"] = float(
        m.citation_validity(answer.text, [c.n for c in answer.citations], [c.chunk_id for c in answer.citations], by_id)
    )
    metrics["faithfulness"] = m.quote_faithfulness(
        (quote, by_id[c.chunk_id].text if c.chunk_id in by_id else c.passage_text)
        for c in answer.citations
        for quote in (c.quotes or [c.quote])
    )
    record = {
        "id": question.id,
        "variant": variant,
        "question": question.question,
        "type": question.type,
        "language": question.language,
        "history": list(question.history),
        "answerable": question.answerable,
        "key_facts": list(question.key_facts),  # gold: what a correct answer must contain (alternatives in a list)
        "retrieved": [p.chunk_id for p in passages],
        "retrieved_documents": [passage_document(p) for p in passages],
        "relevant_ranks": [rank for rank, found in enumerate(hits, 1) if found],
        "evidence_first_ranks": m.first_ranks(hits, len(question.evidence)),
        "standalone_question": answer.standalone_question,
        "answer": answer.text,
        "citations": [
            {
                "n": c.n,
                "chunk_id": c.chunk_id,
                "document": passage_document(by_id[c.chunk_id]) if c.chunk_id in by_id else c.doc_id,
                "quotes": list(c.quotes or [c.quote]),
            }
            for c in answer.citations
        ],
        "metrics": metrics,
    }
    if not question.answerable:
        return record
    n = len(question.evidence)
    for cut in (1, 3, 5, 10):
        metrics[f"recall@{cut}"] = m.recall_at_k(hits, n, cut)
    metrics["hit@5"] = float(any(hits[:5]))
    metrics["mrr"] = m.reciprocal_rank(hits)
    metrics["ndcg@10"] = m.ndcg_at_k(hits, n, 10)
    for kind in ("section", "page"):
        top = [locations(p, kind) for p in passages[:5]]
        wanted = [evidence.sections(ev) if kind == "section" else evidence.pages(ev) for ev in question.evidence]
        metrics[f"{kind}_hit@5"] = m.location_hit(top, wanted)
    metrics["key_fact_recall"] = m.key_fact_recall(question.key_facts, answer.text)
    metrics["key_facts_found"] = [m.fact_found(f, answer.text) for f in question.key_facts]
    texts = [p.text for p in passages]
    metrics["top1_passage_key_facts"] = m.key_fact_recall(question.key_facts, "\n".join(texts[:1]))
    metrics["top3_passages_key_facts"] = m.key_fact_recall(question.key_facts, "\n".join(texts[:3]))
    metrics["best3_sentences_key_facts"] = m.best_sentences_recall(
        question.key_facts, (s for text in texts for s in passage_sentences(text)), 3
    )
    metrics["top1_passage_words"] = m.word_count("\n".join(texts[:1]))
    metrics["top3_passages_words"] = m.word_count("\n".join(texts[:3]))
    if not answer.abstained:
        cited = [by_id.get(c.chunk_id) for c in answer.citations]
        metrics["citation_precision"] = m.share(
            p is not None and any(matcher.relevant(ev, p) for ev in question.evidence) for p in cited
        )
        documents = {ev.document for ev in question.evidence}
        metrics["citation_precision_doc"] = m.share(p is not None and passage_document(p) in documents for p in cited)
    return record


# --------------------------------------------------------------------------- summaries


def main_variant(variants) -> str:
    """The variant a report leads with: the product's (hybrid) when it was run."""
    variants = list(variants)
    return "hybrid" if "hybrid" in variants else variants[-1]


def summaries_by_file(results: dict, files: dict[str, set]) -> dict[str, dict]:
    """Per question file (name -> its ids), its own summary per variant: how far pooled sets differ."""
    return {
        name: {v: summarize([r for r in results["records"] if r["variant"] == v and r["id"] in ids]) for v in results["variants"]}
        for name, ids in files.items()
    }


def summarize(records: list[dict]) -> dict:
    """Per metric: mean, 95% bootstrap interval and n; lengths as median/p90; abstention P/R/F1."""
    out: dict = {}
    for name in RETRIEVAL_METRICS + ANSWER_METRICS + BASELINE_METRICS:
        values = [r["metrics"][name] for r in records if r["metrics"].get(name) is not None]
        out[name] = {"mean": sum(values) / len(values) if values else None, "ci": m.bootstrap_ci(values), "n": len(values)}
    words = [r["metrics"]["words"] for r in records]
    stats = m.length_stats(words)
    out["words"] = {**stats, "median_ci": m.bootstrap_ci(words, _median), "n": len(words)}
    for name in ("top1_passage_words", "top3_passages_words"):
        out[name] = m.length_stats([r["metrics"][name] for r in records if name in r["metrics"]])
    pairs = [(not r["answerable"], r["metrics"]["abstained"]) for r in records]
    abst = m.abstention_scores([s for s, _ in pairs], [a for _, a in pairs]) if pairs else {}
    out["abstention"] = {**abst, "f1_ci": m.bootstrap_ci(pairs, _f1), "n": len(pairs)}
    return out


def _median(values: list) -> float:
    return m.length_stats(values)["median"]


def _f1(pairs: list) -> float:
    return m.abstention_scores([s for s, _ in pairs], [a for _, a in pairs])["f1"]


PAIRED_METRICS = ("recall@5", "mrr", "ndcg@10", "key_fact_recall", "abstention_correct")


def compare(records: list[dict], base: str = "hybrid") -> dict:
    """`base` against each other variant, per question, on the main metrics."""
    by_variant: dict[str, dict[str, dict]] = {}
    for r in records:
        values = dict(r["metrics"])
        values["abstention_correct"] = float(values["abstained"] == (not r["answerable"]))
        by_variant.setdefault(r["variant"], {})[r["id"]] = values
    if base not in by_variant:
        return {}
    out = {}
    for other in by_variant:
        if other == base:
            continue
        out[f"{base} vs {other}"] = {
            metric: m.paired_comparison(
                {q: v.get(metric) for q, v in by_variant[base].items()}, {q: v.get(metric) for q, v in by_variant[other].items()}
            )
            for metric in PAIRED_METRICS
        }
    return out


# --------------------------------------------------------------------------- the run


def settings_used(settings) -> dict:
    values = {k: (str(v) if isinstance(v, Path) else v) for k, v in dataclasses.asdict(settings).items()}
    for key in SECRET_SETTINGS:
        if values.get(key):
            values[key] = "***"
    return values


def evaluate(
    assistant,
    questions: list[Question],
    variants=VARIANTS,
    *,
    k: int = RETRIEVAL_K,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict:
    """Every question through every variant; per-question records plus per-variant summaries."""
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        raise ValueError(f"unknown variant(s) {sorted(unknown)}; choose from {', '.join(VARIANTS)}")
    matcher = EvidenceMatcher()
    evidence = matcher.locate(questions, assistant.passages)
    records: list[dict] = []
    timing: dict[str, float] = {}
    notes: list[str] = []
    for variant in variants:
        started = time.perf_counter()
        naive = NaiveBaseline.from_assistant(assistant) if variant == "naive" else None
        if naive is not None and naive.skipped:
            notes.append(f"naive baseline: skipped non-text or missing files: {', '.join(naive.skipped)}")
        try:
            for i, q in enumerate(questions, 1):
                if naive is not None:
                    answer = naive.ask(q.question, k)
                else:
                    answer = assistant.ask(q.question, history=list(q.history), mode=variant, k=k)
                records.append(score(q, variant, answer, matcher, evidence, k))
                if progress:
                    progress(variant, i, len(questions))
        finally:
            if naive is not None:
                notes.append(f"naive baseline: {len(naive.passages)} chunks")
                naive.close()
        timing[variant] = round(time.perf_counter() - started, 1)
    docs = {passage_document(p) for p in assistant.passages}
    return {
        "variants": list(variants),
        "k": k,
        "corpus": {"documents": len(docs), "chunks": len(assistant.passages)},
        "settings": settings_used(assistant.settings),
        "questions": {
            "total": len(questions),
            "answerable": sum(q.answerable for q in questions),
            "unanswerable": sum(not q.answerable for q in questions),
            "followups": sum(q.type == "followup" for q in questions),
        },
        "data_errors": evidence.data_errors,
        "notes": notes,
        "timing_s": timing,
        "summary": {v: summarize([r for r in records if r["variant"] == v]) for v in variants},
        "comparisons": compare(records),
        "records": records,
    }
