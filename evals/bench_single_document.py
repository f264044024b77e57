"""`datalessen bench single-document`: does the answerer know when to answer in a store of one document?

A user who uploads one report asks about it, and about things it does not hold. The gold sets are
answered from the whole corpus; here each corpus document sits alone in a fresh store and gets
- every development question whose evidence lies in that document only (it should answer), and
- a fixed sample of questions about the other documents (it should abstain: this store does not hold
  them).
Per ranker model (the shipped one, or the files given with --model, all on the same stores and
retrievals): how many answerable questions were refused, how many of the others were answered, and
abstention precision, recall and F1 with "should abstain" as positive, as `datalessen eval` counts them.
The figures are in-sample for any model trained on these sets; they compare models, they do not
estimate quality on new questions.
"""

from __future__ import annotations

import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import click

from assistant.settings import Settings
from evals.sets import SETS, UNSEEN

OTHERS = 12  # questions about other documents asked in each single-document store
SEED = 7


@dataclass
class Tally:
    """Outcomes of one model: answerable questions refused, other documents' questions answered."""

    answerable: int = 0
    refused: int = 0
    others: int = 0
    answered_others: int = 0

    def add(self, should_answer: bool, answered: bool) -> None:
        if should_answer:
            self.answerable += 1
            self.refused += not answered
        else:
            self.others += 1
            self.answered_others += answered

    def abstention(self) -> dict[str, float]:
        """Precision, recall and F1 of abstaining, with 'should abstain' (another document's question) as positive."""
        hits = self.others - self.answered_others
        abstained = hits + self.refused
        precision = hits / abstained if abstained else 0.0
        recall = hits / self.others if self.others else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": precision, "recall": recall, "f1": f1}


def questions_by_document() -> dict[str, list]:
    """Every answerable question of the shipped corpus's development and tuning sets whose evidence is all
    in one document, by that document."""
    from evals.gold import load_questions

    by_document: dict[str, list] = {}
    for gold in SETS:
        if gold.corpus != "shipped" or gold.role == UNSEEN:
            continue
        for question in load_questions(gold.path, corpus_dir=None):
            documents = {e.document for e in question.evidence}
            if question.answerable and len(documents) == 1:
                by_document.setdefault(documents.pop(), []).append(question)
    return dict(sorted(by_document.items()))


def run(settings: Settings, models: dict, documents: int = 0, others: int = OTHERS, echo=click.echo) -> dict[str, Tally]:
    """Each document alone in a fresh store; every model answers the same retrievals there."""
    from assistant.api import Assistant
    from assistant.embeddings import load_embeddings
    from assistant.text import detect_language
    from ingest.pipeline import ingest_into

    by_document = questions_by_document()
    if documents:
        by_document = dict(list(by_document.items())[:documents])
    everything = [(name, q) for name, qs in questions_by_document().items() for q in qs]
    rng = random.Random(SEED)
    embeddings = load_embeddings(settings)
    tallies = {label: Tally() for label in models}
    with tempfile.TemporaryDirectory(prefix="bench-single-") as tmp:
        for index, (name, own) in enumerate(by_document.items()):
            started = time.perf_counter()
            alone = settings.replace(home=Path(tmp) / f"store-{index}", chroma_url="")
            report = ingest_into(Assistant(alone, embeddings=embeddings), [settings.corpus_dir / name])
            if not report.ok:
                raise click.ClickException(f"{name}: {report.summary()}")
            bot = Assistant(alone, embeddings=embeddings)
            answerers = {label: bot.extractive(model=model) for label, model in models.items()}
            asked = [(q, True) for q in own] + [(q, False) for q in rng.sample([q for n, q in everything if n != name], others)]
            for question, should_answer in asked:
                standalone = bot.standalone(question.question, list(question.history))
                passages = bot.retrieve(standalone, k=10)
                language = detect_language(question.question)
                for label, answerer in answerers.items():
                    answer = answerer.answer(question.question, passages, language=language, standalone_question=standalone)
                    tallies[label].add(should_answer, not answer.abstained)
            echo(f"  {name}: {len(own)} own questions, {others} about other documents ({time.perf_counter() - started:.0f} s)")
    return tallies


@click.command("single-document")
@click.option(
    "--model",
    "model_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A ranker model file to compare (several: side by side); default: the shipped model.",
)
@click.option("--documents", default=0, show_default=True, help="Only the first N documents (0: every one).")
@click.option("--others", default=OTHERS, show_default=True, help="Questions about other documents per store.")
def bench_single_document(model_files: tuple[Path, ...], documents: int, others: int) -> None:
    """Each corpus document alone in a store: its own questions answered, other documents' questions refused?"""
    from assistant.sentence_ranker import DEFAULT_MODEL, load_model

    files = list(model_files) or [DEFAULT_MODEL]
    models = {str(path): load_model(path) for path in files}
    tallies = run(Settings.load(), models, documents=documents, others=others)
    click.echo(f"{'model':<50} {'own refused':>12} {'others answered':>16} {'abstention P / R / F1':>24}")
    for label, tally in tallies.items():
        a = tally.abstention()
        click.echo(
            f"{label[-50:]:<50} {tally.refused:>5} / {tally.answerable:<5} {tally.answered_others:>8} / {tally.others:<6}"
            f" {a['precision']:>8.3f} / {a['recall']:.3f} / {a['f1']:.3f}"
        )
