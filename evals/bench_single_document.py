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
from dataclasses import dataclass, field
from pathlib import Path

import click

from assistant.settings import Settings
from evals.metrics import abstention_scores
from evals.sets import SETS, UNSEEN

OTHERS = 12  # questions about other documents asked in each single-document store
SEED = 7


@dataclass
class Tally:
    """Outcomes of one model, question by question: should it have abstained, and did it."""

    should_abstain: list[bool] = field(default_factory=list)
    abstained: list[bool] = field(default_factory=list)

    def add(self, should_answer: bool, answered: bool) -> None:
        self.should_abstain.append(not should_answer)
        self.abstained.append(not answered)

    @property
    def answerable(self) -> int:
        return self.should_abstain.count(False)

    @property
    def refused(self) -> int:
        return sum(a and not s for s, a in zip(self.should_abstain, self.abstained))

    @property
    def others(self) -> int:
        return self.should_abstain.count(True)

    @property
    def answered_others(self) -> int:
        return sum(s and not a for s, a in zip(self.should_abstain, self.abstained))

    def abstention(self) -> dict[str, float]:
        """Precision, recall and F1 of abstaining, counted as `datalessen eval` counts them."""
        return abstention_scores(self.should_abstain, self.abstained)


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

    every_document = questions_by_document()
    everything = [(name, q) for name, qs in every_document.items() for q in qs]
    by_document = dict(list(every_document.items())[:documents]) if documents else every_document
    rng = random.Random(SEED)
    embeddings = load_embeddings(settings)
    tallies = {label: Tally() for label in models}
    with tempfile.TemporaryDirectory(prefix="bench-single-") as tmp:
        for index, (name, own) in enumerate(by_document.items()):
            started = time.perf_counter()
            alone = settings.replace(home=Path(tmp) / f"store-{index}", chroma_url="")
            bot = Assistant(alone, embeddings=embeddings)
            report = ingest_into(bot, [settings.corpus_dir / name])  # and the assistant sees it
            if not report.ok:
                raise click.ClickException(f"{name}: {report.summary()}")
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
