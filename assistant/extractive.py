"""The offline answerer: the sentences that answer the question, quoted verbatim, the most likely first.

No generator runs offline here, so the answer is built from the sources' own sentences.
Every sentence of the retrieved passages is scored by a learned ranker
(`assistant/sentence_ranker.py`, features in `assistant/sentence_features.py`); the answer
quotes the best one first, then the next most likely ones while they stay likely and the
answer short, and the list that a quoted lead-in announces. Each quote is cited `[n]`
(consecutive quotes of one passage share a line and its number).
Nothing but the fixed lead line is the assistant's own wording, so nothing a document says
can become the assistant's words.

Whether to answer at all comes from the same model: a calibrated probability that some
sentence answers the question. Below its threshold the answer says the sources do not
answer; when the best sentences are the sources' own "this is not known", it quotes those
(and only those, so an abstention never quotes an answer to itself).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from assistant.abstention import abstain, citation_for
from assistant.answer_types import (
    asks_list,
    asks_near_moment,
    asks_several,
    counts_named,
    needs_amount,
    needs_date,
    needs_number,
    type_match,
)
from assistant.profile import CorpusProfile, load_profile
from assistant.schema import Answer, Passage
from assistant.sentence_features import (
    FEATURES,
    LONG_SENTENCE,
    Candidate,
    QuestionView,
    candidates,
    feature_matrix,
    one_sentence,
    question_vector_for,
    quotable,
    similarity_matrix,
)
from assistant.sentence_ranker import DEFAULT_MODEL, RankerModel, load_model, question_summary
from assistant.settings import Settings
from assistant.text import LIST_MARKER, detect_language

# answer composition, chosen on the held-out folds of the gold sets (docs/answering.md)
WORD_BUDGET = 70  # words of quoted sentences (the first always counts) within which more are added
# ... and for a list question or one that asks several things, whose answer one sentence rarely holds
MANY_WORD_BUDGET = 130
MANY_EXTRA_QUOTES = 2  # ... and may quote this many more sentences than `max_quotes`
MIN_SHARE = 0.15  # a further sentence must be at least this likely relative to the best
SIMILAR = 0.6  # token overlap (Jaccard) above which a sentence repeats one already quoted
UNKNOWN_QUOTES = 2  # the sources' own "not known" sentences quoted when abstaining
UNKNOWN_FIRST = True  # the best sentence saying "not known" makes the answer an unknown
MIN_KNOWN_SHARE = 0.3  # of a Dutch question's term weight, in words the corpus uses (or their family)
LIST_ITEM_WORDS = 35  # a longer line after a list's lead-in is a paragraph, unless it opens with a short title
# 'Een vaardige projectleider en een gedreven innovatieteam – een datagedreven vernieuwing ...'
_ITEM_TITLE = re.compile(r"^([^–—:]{3,90}?)\s+[–—]\s+\S")
LEADS = {
    "nl": {
        "single": "Volgens de bronnen{quoted}:",
        "list": "De bronnen noemen onder meer{quoted}:",
        "unknown": "Dat staat niet in de beschikbare bronnen. Wat de bronnen er zelf over zeggen{quoted}:",
        "differ": "Eén bron noemt dit onbekend{quoted}:",
        "elsewhere": "Wat een andere bron er het dichtst bij zegt{quoted}:",
    },
    "en": {
        "single": "According to the sources{quoted}:",
        "list": "The sources mention, among other things{quoted}:",
        "unknown": "The available sources do not say. What they state about it{quoted}:",
        "differ": "One source says this is not known{quoted}:",
        "elsewhere": "What another source says that comes closest{quoted}:",
    },
}
# the quotes are verbatim, so in the documents' language: said when it is not the question's
QUOTED_IN = {"nl": {"en": " (in het Engels geciteerd)"}, "en": {"nl": " (quoted in Dutch)"}}
_UNKNOWN_COLUMNS = (FEATURES.index("cue_unknown"), FEATURES.index("unknown_section"))
_TYPE_MATCH = FEATURES.index("type_match")
_NAMED_UNKNOWN_COLUMNS = tuple(FEATURES.index(f) for f in ("cue_unknown", "table_row", "unknown_section", "focus_hit"))
_COVERAGE_RELATIVE = FEATURES.index("coverage_relative")
# an abstention quotes a "not known" that names what is asked (`says_asked_unknown`) wherever it ranks, when it covers at
# least this share of what the best sentence covers
NAMED_UNKNOWN_COVERAGE = 0.5
# The number floor (`lacks_shape`) looks at the three best sentences: the answering one is often second or third.
# There was a coverage floor beside it (one of them had to cover a tenth of the question's weighted terms); with
# today's answerable model it refused more answerable questions than unanswerable ones, 22 to 7 over the
# development sets and 12 to 0 on the twenty-six sets the weights before had never seen, and taking it away
# raised key facts by 0.006 on both corpora, abstention F1 +0.010 / -0.003, beside all help pages +0.010 /
# +0.002 (docs/answering.md, forty-eighth session). Ranked by coverage (the lessons view) it stays.
BEST_SENTENCES = 3


@dataclass
class Ranking:
    """A question's candidate sentences, best first, and whether any of them answers it."""

    candidates: list[Candidate]
    answerable: float  # calibrated probability that some sentence answers the question
    threshold: float
    kind: str  # the question type (assistant/answer_types.py)
    known_share: float  # of the question's term weight, in words the corpus uses (or their family)
    best_similarity: float | None  # the closest sentence's e5 similarity, when the store has sentence vectors
    unknown: set = field(default_factory=set)  # ids of candidates that say something is not known
    names_asked: set = field(default_factory=set)  # of those, the ones that name what is asked (`NAMED_UNKNOWN_COVERAGE`)
    # a number question (not 'hoe vaak') none of whose three best sentences holds a number; a question after a
    # cost, a year or a date none of whose three best gives one: the learned probability weighs that absence
    # softly, and a sentence without a number never answers 'hoeveel' (`lacks_shape`)
    lacks_shape: bool = False
    roomy: bool = False  # a list question or one that asks several things: more words and quotes (`_select`)
    listing: bool = False  # the answer is a list (`asks_list`): the list a chosen item belongs to is quoted

    @property
    def answers(self) -> bool:
        return bool(self.candidates) and self.answerable >= self.threshold and not self.lacks_shape

    def says_unknown(self, candidate: Candidate) -> bool:
        return id(candidate) in self.unknown


def lacks_shape(view, best: list[Candidate], type_matches) -> bool:
    """The question needs a number (or, asking what something costs, an amount; asking in which year or on
    which date, a year or a date) that none of its best sentences holds."""
    if needs_amount(view.kind, view.text):
        return not any(c.cues.get("money") for c in best)
    if shape := needs_date(view.text):
        return not any(c.cues.get(shape) for c in best)
    return needs_number(view.kind, view.text) and not any(m > 0 for m in type_matches)


class ExtractiveAnswerer:
    backend_name = "extractive"
    streams = False  # `stream` yields the Answer alone

    def __init__(
        self,
        settings: Settings,
        term_weight: Callable[[str], float] | None = None,
        known_term: Callable[..., bool] | None = None,
        *,
        vocabulary_size: Callable[[], int] | None = None,
        crosses_language: Callable[[str], bool] | None = None,
        profile: CorpusProfile | None = None,
        model: RankerModel | None = None,
        question_vector: Callable[[str], np.ndarray] | None = None,
        sentence_vectors: Callable[[list[Passage]], dict] | None = None,
        by_coverage: bool = False,
        term_weights: Callable[[str], Callable[[str], float]] | None = None,
    ):
        self.settings = settings
        self.term_weight = term_weight or (lambda term: 1.0)
        # question -> term rarity in the documents nearest it (settings.rarity_nearest says why)
        self.term_weights = term_weights
        self.known_term = known_term or (lambda term, family=True: True)  # (term, family) -> in the corpus?
        self.vocabulary_size = vocabulary_size
        self.crosses_language = crosses_language or (lambda question: False)
        self.profile = profile if profile is not None else load_profile(settings)
        self._model = model
        # e5 vectors of the question and of the passages' sentences (stored at ingest): without them
        # the ranker without the similarity features is used
        self.question_vector = question_vector
        self.sentence_vectors = sentence_vectors
        # the lessons view asks "what does this case say about the theme": sentences ranked by how much of
        # the theme they cover, and no answer below `abstain_threshold`, instead of the model trained on
        # questions and their answers
        self.by_coverage = by_coverage

    @property
    def model(self) -> RankerModel:
        """The trained weights, read when first needed (training describes sentences before any exist)."""
        if self._model is None:
            self._model = load_model(self.settings.ranker_model or DEFAULT_MODEL)
        return self._model

    def describe(self, question: str, passages: list[Passage], *, language: str = "nl", standalone_question: str = ""):
        """The question's view, its candidate sentences and their features (training uses this too)."""
        query = standalone_question or question
        weight = self.term_weights(query) if self.term_weights is not None else self.term_weight
        view = QuestionView.of(question, query, self.profile, weight, self.known_term, language)
        cands = candidates(passages, self.profile)
        rows = feature_matrix(view, cands, passages, self.profile)
        similarity = None
        if cands and self.question_vector is not None and self.sentence_vectors is not None:
            vectors = self.sentence_vectors(passages)
            if vectors:
                vector = question_vector_for(question, query, self.question_vector)
                similarity = similarity_matrix(cands, passages, vector, vectors)
        return view, cands, rows, similarity

    def rank(self, question: str, passages: list[Passage], *, language: str = "nl", standalone_question: str = "") -> Ranking:
        """Every candidate sentence scored, best first, and the probability that one answers."""
        view, cands, rows, similarity = self.describe(
            question, passages, language=language, standalone_question=standalone_question
        )
        if self.by_coverage:
            scores, kind = coverage_scores(rows), "lexical"
        else:
            scores, kind = self.model.score(rows, similarity)
        unknown = rows[:, _UNKNOWN_COLUMNS].max(axis=1) if len(cands) else np.zeros(0)
        evidence = scores if self.by_coverage or not len(cands) else self.model.abstention_scores(rows, similarity)
        summary = question_summary(evidence, rows, similarity, unknown, view.english, view.known_share, view.kind)
        for c, s in zip(cands, scores):
            c.score = float(s)
        order = np.argsort(-scores, kind="stable") if len(cands) else []
        return Ranking(
            [cands[i] for i in order],
            1.0 if self.by_coverage else self.model.answerable_probability(summary, kind),
            0.5 if self.by_coverage else float(self.model.threshold[kind]),
            view.kind,
            view.known_share,
            float(similarity[:, 0].max()) if similarity is not None else None,
            {id(c) for c, u in zip(cands, unknown) if u},
            {id(c) for c, row in zip(cands, rows) if says_asked_unknown(row)},
            lacks_shape(view, [cands[i] for i in order[:BEST_SENTENCES]], rows[order[:BEST_SENTENCES], _TYPE_MATCH]),
            view.kind == "list" or asks_several(question) or asks_list(view.kind, question),
            asks_list(view.kind, question),
        )

    def answer(self, question: str, passages: list[Passage], *, language: str = "nl", standalone_question: str = "") -> Answer:
        query = standalone_question or question
        ranking = self.rank(question, passages, language=language, standalone_question=query)
        on_topic = self._on_topic(passages, ranking, language, query, question)
        answers = ranking.answers
        if UNKNOWN_FIRST and ranking.candidates and ranking.says_unknown(ranking.candidates[0]):
            answers = False  # the most likely answer is the sources' own "not known"
        if not (answers and on_topic and self._covered(ranking)):
            # the sources' own "not known" among the best sentences, or one that names what is asked wherever it
            # ranks, says it best; nothing else is quoted
            unknowns = [c for c in ranking.candidates[:3] if ranking.says_unknown(c) and self._about_it(c)]
            named = [c for c in ranking.candidates if id(c) in ranking.names_asked and self._about_it(c)][:1]
            unknowns += [c for c in named if all(c is not u for u in unknowns)]
            unknowns = unknowns[:UNKNOWN_QUOTES] if on_topic else []
            if unknowns:
                elsewhere = [] if self.by_coverage else said_elsewhere(ranking, unknowns, passages, self.profile)
                lead = "differ" if elsewhere else "unknown"
                return self._compose(question, query, passages, unknowns, language, lead, elsewhere)
            reason = "weak_evidence" if on_topic else "off_topic"
            return abstain(question, passages, language, standalone_question=query, reason=reason)
        chosen = self._within_budget(ranking, self._select(ranking), passages)
        return self._compose(question, query, passages, chosen, language, "list" if ranking.listing else "single")

    def _with_lists(self, ranking: Ranking, chosen: list[Candidate], passages: list[Passage]) -> list[Candidate]:
        """The chosen sentences with the lists they belong to or announce."""
        if ranking.listing:  # a list question quotes the list a chosen item belongs to
            chosen = with_lead_ins(chosen, ranking.candidates, passages)
            chosen = with_heading_lists(chosen, ranking.candidates, passages, self.profile)
        return with_list_items(chosen, passages, self.profile)

    def _within_budget(self, ranking: Ranking, chosen: list[Candidate], passages: list[Passage]) -> list[Candidate]:
        """The chosen sentences with their lists, the least likely sentences that bring no list left out while
        the whole is over the word budget. `_select` counts a list's lead-in, not its items: a list question's
        answer that quoted the list went on to 220-280 words of further sentences. Every development set
        answered: no key fact lost but one, 45 answers shorter (docs/answering.md)."""
        budget = MANY_WORD_BUDGET if ranking.roomy else WORD_BUDGET
        quoted = self._with_lists(ranking, chosen, passages)
        for c in reversed(chosen[1:]):
            if sum(len(x.sentence.split()) for x in quoted) <= budget:
                break
            if len(self._with_lists(ranking, [c], passages)) == 1:  # it brings no list
                chosen = [x for x in chosen if x is not c]
                quoted = self._with_lists(ranking, chosen, passages)
        return quoted

    def _compose(
        self,
        question: str,
        query: str,
        passages: list[Passage],
        chosen: list[Candidate],
        language: str,
        lead: str,
        elsewhere: list[Candidate] = (),
    ) -> Answer:
        """Quotes in the chosen order (a list item right after its lead-in), each passage one number;
        `elsewhere` below its own line (`said_elsewhere`).

        Consecutive quotes of one passage share a line and its [n]: the same bullet and number repeated
        on every line added words to read and nothing to trace (the median answer that quotes: 82 -> 80
        words, docs/answering.md)."""
        numbers: dict[int, int] = {}
        quotes: dict[int, list[str]] = {}
        lines = [lead_line(language, lead, [c.sentence for c in chosen])]
        for block, heading in ((chosen, None), (elsewhere, "elsewhere")):
            if heading and block:  # a blank line first: in Markdown a line right after a bullet continues it
                lines += ["", lead_line(language, heading, [c.sentence for c in block])]
            previous: Candidate | None = None
            for c in _reading_order(block):
                n = numbers.setdefault(c.passage_index, len(numbers) + 1)
                quotes.setdefault(c.passage_index, []).append(c.sentence)
                if _shares_line(previous, c):
                    lines[-1] = f"{lines[-1].removesuffix(f' [{n}]')} „{c.sentence}” [{n}]"
                else:
                    lines.append(f"{'  - ' if c.item else '- '}„{c.sentence}” [{n}]")
                previous = c
        citations = [citation_for(n, passages[pi], quotes[pi]) for pi, n in numbers.items()]
        unknown = lead in ("unknown", "differ")
        return Answer(
            question=question,
            text="\n".join(lines),
            citations=citations,
            passages=passages,
            abstained=unknown,
            abstention_reason=("sources_say_unknown" if lead == "unknown" else "sources_differ") if unknown else "",
            standalone_question=query,
            language=language,
            backend=self.backend_name,
        )

    def _on_topic(self, passages: list[Passage], ranking: Ranking, language: str, query: str = "", question: str = "") -> bool:
        """The question is about what the documents are about: not about a moment a day or so from now
        (tomorrow's weather, tonight's last train), which no document written before it holds, and above three
        general floors. Of the development sets' questions that name such a moment none is answerable (36
        gaps), yet the answerable model answered a third of them out of fold: an everyday question about a
        city the documents name scores like one about them (docs/answering.md).

        A Dutch question most of whose weight lies in words the corpus never uses ('ei', 'koken',
        'zacht') is about something else (an English one may use words only the glossary knows), where the
        corpus has words enough to tell (`off_topic_min_vocabulary`). Some sentence must be at least
        `min_sentence_similarity` close to it in e5 (with sentence vectors), and some passage at least
        `min_dense_similarity` (0: no floor)."""
        if asks_near_moment(question or query, query):
            return False
        if language == "nl" and ranking.known_share < MIN_KNOWN_SHARE and self._vocabulary_tells():
            if not self.crosses_language(query):
                return False
        if ranking.best_similarity is not None and ranking.best_similarity < self.settings.min_sentence_similarity:
            return False
        floor = self.settings.min_dense_similarity
        dense = [p.ranks.get("dense_score") for p in passages if p.ranks.get("dense_score")]
        return floor <= 0 or not dense or max(dense) >= floor

    def _vocabulary_tells(self) -> bool:
        """Whether the corpus uses words enough that a question in other words is about something else: one
        short document (a few hundred terms) lacks most words a question about it may use."""
        return self.vocabulary_size is None or self.vocabulary_size() >= self.settings.off_topic_min_vocabulary

    def _covered(self, ranking: Ranking) -> bool:
        """Ranked by coverage (the lessons view), the best sentence covers at least `abstain_threshold` of the
        theme: a floor the caller may raise. Ranked by the learned model, its answerable probability decides."""
        if not self.by_coverage or not ranking.candidates:
            return True
        return ranking.candidates[0].score >= self.settings.abstain_threshold

    def _about_it(self, candidate: Candidate) -> bool:
        """Ranked by coverage (the lessons view), an unknown is about the theme only above the floor."""
        return not self.by_coverage or candidate.score >= self.settings.abstain_threshold

    def _select(self, ranking: Ranking) -> list[Candidate]:
        """The best sentence, then the next ones while they are likely enough, new, and fit the budget."""
        best = ranking.candidates[0]
        chosen, words = [best], len(best.sentence.split())
        budget, most = (
            (MANY_WORD_BUDGET, self.settings.max_quotes + MANY_EXTRA_QUOTES)
            if ranking.roomy
            else (WORD_BUDGET, self.settings.max_quotes)
        )
        for c in ranking.candidates[1:]:
            if len(chosen) >= most or c.score < MIN_SHARE * best.score:
                break
            if ranking.says_unknown(c) or any(_similar(c.tokens, other.tokens) for other in chosen):
                continue
            length = len(c.sentence.split())
            if words + length > budget:
                continue
            chosen.append(c)
            words += length
        return chosen

    def stream(
        self, question: str, passages: list[Passage], *, language: str = "nl", standalone_question: str = ""
    ) -> Iterator[str | Answer]:
        """Only the Answer: it is complete in milliseconds, and streaming it line by line made the app send
        (and the browser redraw) the whole conversation once per line for nothing."""
        yield self.answer(question, passages, language=language, standalone_question=standalone_question)


def coverage_scores(rows: np.ndarray) -> np.ndarray:
    """Share of the question covered (title and section at half weight), a little less for a later
    passage and for a paragraph-long sentence: the lessons view's ranking of a case's sentences."""
    if not len(rows):
        return np.zeros(0)
    col = {name: i for i, name in enumerate(FEATURES)}
    words = np.expm1(rows[:, col["words"]])
    long_penalty = np.minimum(1.0, LONG_SENTENCE / np.maximum(words, 1.0))
    return rows[:, col["coverage_context"]] / (1.0 + 0.08 * rows[:, col["passage_rank"]]) * long_penalty


def says_asked_unknown(row: np.ndarray) -> bool:
    """The sentence says in prose that something is not known, holds the asked-for noun ('Geen verslag vermeldt
    welke *gemeente* het model bouwde' for 'welke gemeente ...') and covers `NAMED_UNKNOWN_COVERAGE` of what the
    best one covers. Not a table row (its "onbekend" is about one of its cells) nor an item under a "not known"
    heading (each names one detail, and such a list names its subject in nearly every item)."""
    unknown, table_row, unknown_section, focus_hit = (row[i] for i in _NAMED_UNKNOWN_COLUMNS)
    return bool(unknown > 0 and not table_row and not unknown_section and focus_hit > 0) and (
        row[_COVERAGE_RELATIVE] >= NAMED_UNKNOWN_COVERAGE
    )


def said_elsewhere(
    ranking: Ranking, unknowns: list[Candidate], passages: list[Passage], profile: CorpusProfile
) -> list[Candidate]:
    """The best-ranked sentence from another source than the quoted "not known" statements
    (`CorpusProfile.source_of`) that does not itself say so, has the shape of answer asked for (a year for
    'sinds wanneer') and at least `MIN_SHARE` of the first statement's score, or nothing.

    A source's "not known" speaks for that source. The shipped digest says "onbekend" of details that the
    report it summarises may give; with the report ingested beside it, the answer that said "not in the
    available sources" hid the report's sentence ranked second (docs/answering.md, fiftieth session). Which
    of the two is right the ranker cannot tell (the sentence beside a gap is as often a near miss), so both
    are quoted and the answer still abstains; "not in the available sources" is said only when no other
    source has a sentence above the floor. The digest's files are one source (its profile says so): what
    one calls unknown, the others do not answer."""
    silent = {profile.source_of(passages[c.passage_index]) for c in unknowns}
    best = unknowns[0].score
    for c in ranking.candidates:
        if ranking.says_unknown(c) or profile.source_of(passages[c.passage_index]) in silent or c.score < MIN_SHARE * best:
            continue
        if c.cues and type_match(ranking.kind, c.cues) == 0:
            continue
        return [c]
    return []


def lead_line(language: str, lead: str, quotes: list[str]) -> str:
    """The answer's first line in the question's language, naming the quotes' language where it differs."""
    language = language if language in LEADS else "nl"
    quoted = QUOTED_IN[language].get(detect_language(" ".join(quotes)), "")
    return LEADS[language][lead].format(quoted=quoted)


def _shares_line(previous: Candidate | None, current: Candidate) -> bool:
    """`current` continues `previous`'s line: the same passage, neither a list's item, and neither
    announces a list (a lead-in opens its own line, its items below it)."""
    return (
        previous is not None
        and previous.passage_index == current.passage_index
        and not previous.item
        and not current.item
        and not previous.sentence.endswith(":")
        and not current.sentence.endswith(":")
    )


def _reading_order(chosen: list[Candidate]) -> list[Candidate]:
    """Most likely first; a list's items follow their lead-in, in the order the source gives them."""
    items: dict[int, list[Candidate]] = {}
    for c in chosen:
        if c.item:
            items.setdefault(id(c.lead), []).append(c)
    out = []
    for c in chosen:
        if not c.item:
            out.append(c)
            out += sorted(items.get(id(c), []), key=lambda x: x.order)
    return out


def _one_sentence(line: str) -> bool:
    """The line is one sentence, its list marker ('3. ') not counted: a list item."""
    return one_sentence(LIST_MARKER.sub("", line, count=1))


def _list_like(line: str) -> bool:
    """One short sentence on a line of its own, no heading, table row or lead-in: what a list item looks like."""
    line = line.strip()
    if not line or line.startswith(("#", "|")) or line.endswith(":"):
        return False
    return _one_sentence(line) and len(line.split()) <= LIST_ITEM_WORDS


def counted_items(lines: list[str], at: int, most: int = 12) -> int:
    """How many list-like lines follow line `at` when it names that many things without a colon ('Er zijn 6
    belangrijke regels ...' above six one-sentence lines, as a DOCX or PDF gives a bulleted list); else 0.
    The count must match: a paragraph that mentions a number above some short lines announces nothing."""
    if (at > 0 and _list_like(lines[at - 1])) or (_list_like(lines[at]) and not lines[at].rstrip().endswith(".")):
        return 0  # a line announces as a statement of its own, not as one more line of a list ('F7: ... drie cases')
    run = 0
    for line in lines[at + 1 : at + 1 + most]:
        if not _list_like(line):
            break
        run += 1
    return run if run >= 3 and run in counts_named(lines[at]) else 0


def lead_in_line(lines: list[str], at: int, most: int = 9) -> int | None:
    """The line that announces the list line `at` belongs to: the nearest line above ending in ':' or
    naming as many things as the list has, with only list-like lines in between; None when `at` is no
    list item."""
    for above in range(at - 1, max(at - 1 - most, -1), -1):
        line = lines[above].strip()
        if line.endswith(":") or counted_items(lines, above):
            return above
        if not _list_like(line):
            return None
    return None


HEADING_LIST_WORDS = 60  # a list of short items its heading announces is quoted whole up to this many words


def heading_list(lines: list[str], at: int) -> tuple[int, int] | None:
    """The first and last line of the list line `at` belongs to when a heading announces it: three or more
    short list-like lines right under a heading line, no sentence in between (a heading naming roles over
    one role a line), at most `HEADING_LIST_WORDS` words in all; else None."""
    if not (0 <= at < len(lines)) or not _list_like(lines[at]):
        return None
    first = at
    while first > 0 and _list_like(lines[first - 1]):
        first -= 1
    last = at
    while last + 1 < len(lines) and _list_like(lines[last + 1]):
        last += 1
    if first == 0 or not lines[first - 1].startswith("#") or last - first < 2:
        return None
    return (first, last) if sum(len(line.split()) for line in lines[first : last + 1]) <= HEADING_LIST_WORDS else None


def list_item(lead: Candidate, line_no: int, text: str) -> Candidate:
    """A line of the list `lead` announces (or opens), quoted under it in the source's order."""
    order = lead.order + (line_no - lead.line) / 100
    return Candidate(lead.passage_index, order, text, frozenset(), line_no, item=True, lead=lead)


def with_heading_lists(
    chosen: list[Candidate], ranked: list[Candidate], passages: list[Passage], profile: CorpusProfile
) -> list[Candidate]:
    """A chosen item of a list that a heading announces (no sentence does, so `with_lead_ins` finds none)
    replaced by the list's first item, the others quoted after it in their order."""
    out: list[Candidate] = []
    quoted: set[tuple[int, int]] = set()
    for c in chosen:
        lines = passages[c.passage_index].text.split("\n")
        span = None if c.item else heading_list(lines, c.line)
        if span is None:
            if all(c is not x for x in out):
                out.append(c)
            continue
        if (c.passage_index, span[0]) in quoted:
            continue  # another item of a list already quoted
        quoted.add((c.passage_index, span[0]))
        first = next((x for x in ranked if x.passage_index == c.passage_index and x.line == span[0]), None)
        if first is None:
            out.append(c)
            continue
        out = [x for x in out if not (x.passage_index == c.passage_index and span[0] <= x.line <= span[1])]
        out.append(first)
        out += [
            list_item(first, line_no, text)
            for line_no in range(span[0] + 1, span[1] + 1)
            if (text := quotable(lines[line_no], profile))
        ]
    return out


def with_lead_ins(chosen: list[Candidate], ranked: list[Candidate], passages: list[Passage]) -> list[Candidate]:
    """Each chosen list item replaced by the sentence that announces its list (then quoted with the
    list, item by item, by `with_list_items`), so the answer gives the list rather than bits of it."""
    out: list[Candidate] = []
    announced: set[tuple[int, int]] = set()
    for c in chosen:
        lines = passages[c.passage_index].text.split("\n")
        item = c.line < len(lines) and _one_sentence(lines[c.line])
        lead = lead_in_line(lines, c.line) if item else None
        if lead is not None:
            if (c.passage_index, lead) in announced:
                continue  # an item of a list already announced
            count = 0 if lines[lead].rstrip().endswith(":") else counted_items(lines, lead)
            announcing = next(
                (
                    x
                    for x in ranked
                    if x.passage_index == c.passage_index
                    and x.line == lead
                    and (count in counts_named(x.sentence) if count else x.sentence.endswith(":"))
                ),
                None,
            )
            if announcing is not None:
                announced.add((c.passage_index, lead))
                c = announcing
        if all(c is not x for x in out):
            out.append(c)
    return out


def with_list_items(chosen: list[Candidate], passages: list[Passage], profile: CorpusProfile, most: int = 9) -> list[Candidate]:
    """The chosen sentences with the list each one announces, quoted item by item after it.

    A sentence ending in ':' announces a list; so does one whose paragraph ends in ':' ('... negen thema's.
    Alleen de eerste twee zijn zichtbaar:') and one that names as many things as follow it (`counted_items`).
    A long item ('Titel – uitleg van veertig woorden') is quoted by its title. A chosen sentence that is one
    of the list's items is quoted in its place in the list, not apart with a gap in the list; the list then
    stands where the first of them was chosen.
    """
    items: list[Candidate] = []
    taken = {x.sentence for x in chosen}
    absorbed: set[int] = set()
    place = {id(x): i for i, x in enumerate(chosen)}
    for c in chosen:
        if c.item or id(c) in absorbed:
            continue
        lines = passages[c.passage_index].text.split("\n")
        if c.sentence.endswith(":") or lines[c.line].rstrip().endswith(":"):
            length = most
        else:  # the sentence that names the count, not any sentence of its paragraph
            length = counted_items(lines, c.line)
            length = length if length in counts_named(c.sentence) else 0
        for offset, line in enumerate(lines[c.line + 1 : c.line + 1 + length], 1):
            line = quotable(line, profile)
            if line and (not _one_sentence(line) or len(line.split()) > LIST_ITEM_WORDS):
                line = _ITEM_TITLE.match(line).group(1) if _ITEM_TITLE.match(line) else ""
            if not line or line.endswith(":"):
                break  # the list ended: a heading-like line or a paragraph follows
            if line in taken:
                chosen_item = next(
                    (x for x in chosen if x is not c and x.passage_index == c.passage_index and x.sentence == line), None
                )
                if chosen_item is None or id(chosen_item) in absorbed or any(i.lead is chosen_item for i in items):
                    continue  # quoted already (an item of another list), or it announced a list of its own
                absorbed.add(id(chosen_item))
                place[id(c)] = min(place[id(c)], place[id(chosen_item)])
            taken.add(line)
            items.append(list_item(c, c.line + offset, line))
    kept = sorted((x for x in chosen if id(x) not in absorbed), key=lambda x: place[id(x)])
    return kept + items


def _similar(a: frozenset, b: frozenset) -> bool:
    if not a or not b:
        return False
    return len(a & b) / len(a | b) > SIMILAR


def build(context) -> ExtractiveAnswerer:
    """The `extractive` entry of `assistant.answerers.BACKENDS`."""
    arguments = {
        "term_weight": context.term_weight,
        "term_weights": context.term_weights,
        "known_term": context.known_term,
        "vocabulary_size": context.vocabulary_size,
        "crosses_language": context.crosses_language,
        "question_vector": context.question_vector,
        "sentence_vectors": context.sentence_vectors,
    }
    return ExtractiveAnswerer(context.settings, **(arguments | context.options))  # a caller's options win
