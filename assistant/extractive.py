"""The offline answerer: the sentences that answer the question, quoted verbatim.

No generator runs offline here, so the answer is built from the sources' own
sentences: each scored by how much of the question it covers (terms weighted by
their rarity in the corpus, with the passage's title and section as context),
the best few kept without repeats, grouped by passage, each cited `[n]`. Nothing
but the fixed lead line is the assistant's own wording, so nothing a document
says can become the assistant's words. Below the evidence threshold it abstains,
and where the sources say the asked-for detail is not known (`assistant/unknowns.py`)
it says so, quoting them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from assistant.abstention import abstain, citation_for
from assistant.profile import CorpusProfile, load_profile
from assistant.question_focus import asked_value, focus_terms, holds_value
from assistant.schema import Answer, Passage
from assistant.settings import Settings
from assistant.text import related, split_sentences, tokenize
from assistant.unknowns import sources_deny

MAX_WORDS = 140
FOCUS_WEIGHT = 1.4  # the asked-for word against a topic word of the same rarity
VALUE_WINDOW = 0.8  # how much weaker than the best a sentence with the asked-for number or year may be
CROSS_LINGUAL_MARGIN = 0.01  # English questions' best dense score sits ~0.01 lower on the gold set
MIN_KNOWN_SHARE = 0.3  # of a Dutch question's term weight, in words the corpus uses (or their family)
LONG_SENTENCE = 40
LIST_ITEM_WORDS = 35  # a longer line after a list's lead-in is a paragraph, unless it opens with a short title
# 'Een vaardige projectleider en een gedreven innovatieteam – een datagedreven vernieuwing ...'
_ITEM_TITLE = re.compile(r"^([^–—:]{3,90}?)\s+[–—]\s+\S")
_LIST_QUESTION = re.compile(
    r"\b(welke|wat zijn|noem|opsomming|lijst|which|what are|list|name the)\b|\b(factoren|cases|lessen|thema|"
    r"risico|gemeenten|projecten|factors|lessons|themes|risks)\b",
    re.I,
)
_TRAILING_URL = re.compile(r"\s*[—–-]\s*<?https?://\S+$")
LEADS = {
    "nl": {
        "single": "Volgens de bronnen:",
        "list": "De bronnen noemen onder meer:",
        "unknown": "Dat staat niet in de beschikbare bronnen. Wat de bronnen er zelf over zeggen:",
    },
    "en": {
        "single": "According to the sources (quoted in Dutch):",
        "list": "The sources mention, among other things (quoted in Dutch):",
        "unknown": "The available sources do not say. What they state about it (in Dutch):",
    },
}


@dataclass
class Candidate:
    passage_index: int
    order: int
    sentence: str
    score: float
    tokens: frozenset
    line: int = 0
    item: bool = False  # a list line quoted because the sentence before it introduces the list


class ExtractiveAnswerer:
    backend_name = "extractive"

    def __init__(
        self,
        settings: Settings,
        term_weight: Callable[[str], float] | None = None,
        known_term: Callable[..., bool] | None = None,
        *,
        profile: CorpusProfile | None = None,
    ):
        self.settings = settings
        self.profile = profile if profile is not None else load_profile(settings)
        self.term_weight = term_weight or (lambda term: 1.0)
        self.known_term = known_term or (lambda term, family=True: True)  # (term, family) -> in the corpus?

    def evidence(self, question: str, passages: list[Passage], focus: list[str] = ()) -> list[Candidate]:
        """Every sentence of the passages, scored by the share of the question it covers.

        The asked-for words (`focus`: 'doel' in 'Wat is het doel van slim vegen?') weigh more than
        the topic words, which every sentence of the right passage shares through its title.
        """
        q_terms = list(dict.fromkeys(self.profile.query_terms(question, translated=True)))
        if not q_terms:
            return []
        weights = {t: self.term_weight(t) * (FOCUS_WEIGHT if t in focus else 1.0) for t in q_terms}
        total = sum(weights.values()) or 1.0
        candidates = []
        for pi, passage in enumerate(passages):
            context = set(tokenize(f"{passage.title} {passage.section}"))
            prior = 1.0 / (1.0 + 0.08 * pi)  # retrieval rank as a mild prior
            if self.profile.is_reference_section(passage.section):
                prior *= 0.85
            order = 0
            for line_no, line in enumerate(passage.text.split("\n")):
                for sentence in split_sentences(line):
                    sentence = quotable(sentence, self.profile)
                    tokens = frozenset(tokenize(sentence))
                    if len(sentence.split()) < 4 or not tokens or self.profile.is_pointer(sentence):
                        continue
                    coverage = sum(weights[t] * _match(t, tokens, context) for t in q_terms) / total
                    words = len(sentence.split())
                    if words > LONG_SENTENCE:  # a paragraph-long sentence is a poor quote
                        coverage *= LONG_SENTENCE / words
                    candidates.append(Candidate(pi, order, sentence.strip(), coverage * prior, tokens, line_no))
                    order += 1
        candidates.sort(key=lambda c: -c.score)
        return candidates

    def answer(self, question: str, passages: list[Passage], *, language: str = "nl", standalone_question: str = "") -> Answer:
        query = standalone_question or question
        candidates = self.evidence(query, passages, focus_terms(question))
        if (
            not candidates
            or candidates[0].score < self.settings.abstain_threshold
            or not self._on_topic(query, passages, language)
        ):
            return abstain(question, passages, language, standalone_question=query)
        is_list = bool(_LIST_QUESTION.search(query))
        chosen = self._select(candidates, is_list)
        # what is asked for is in the user's own words; the standalone form may carry an earlier question
        denial = sources_deny(question, candidates, passages)
        if denial is not None and denial not in chosen:
            chosen = _lead_with(denial, chosen)
        chosen += list_items_after(chosen, passages, self.profile)
        # the asked-for value must be in one of the quotes that best answer the question
        missing_value = asked_value(question) is not None and not any(holds_value(c.sentence, question) for c in chosen[:2])
        if missing_value and denial is None:  # a slightly weaker sentence with the asked value beats none
            valued = next(
                (c for c in candidates if c.score >= candidates[0].score * VALUE_WINDOW and holds_value(c.sentence, question)),
                None,
            )
            if valued is not None:
                chosen, missing_value = _lead_with(valued, chosen), False
        unknown = denial is not None or missing_value
        # group by passage in retrieval order, sentences in reading order
        by_passage: dict[int, list[Candidate]] = {}
        for c in sorted(chosen, key=lambda c: (c.passage_index, c.order)):
            by_passage.setdefault(c.passage_index, []).append(c)
        lead = LEADS.get(language, LEADS["nl"])["unknown" if unknown else ("list" if is_list else "single")]
        lines, citations = [lead], []
        for n, (pi, group) in enumerate(sorted(by_passage.items()), 1):
            citations.append(citation_for(n, passages[pi], [c.sentence for c in group]))
            for c in group:
                lines.append(f"{'  - ' if c.item else '- '}„{c.sentence}” [{n}]")
        return Answer(
            question=question,
            text="\n".join(lines),
            citations=citations,
            passages=passages,
            abstained=unknown,
            standalone_question=query,
            language=language,
            backend=self.backend_name,
        )

    def _on_topic(self, question: str, passages: list[Passage], language: str) -> bool:
        """Some passage is semantically close; keyword overlap alone lets 'Tour de France' answer 'France'.

        A Dutch question most of whose weight lies in words the corpus never uses ('ei', 'koken',
        'zacht') is about something else, however close e5's compressed scores look. An English
        question scores lower against Dutch passages; when the corpus uses every one of its words
        (so no lone keyword is carrying it), a slightly lower score still counts.
        """
        terms = list(dict.fromkeys(self.profile.query_terms(question, translated=True)))
        if language == "nl" and terms:
            weights = {t: self.term_weight(t) for t in terms}
            known = sum(w for t, w in weights.items() if self.known_term(t))
            if known < MIN_KNOWN_SHARE * sum(weights.values()):
                return False
        floor = self.settings.min_dense_similarity
        if floor <= 0:
            return True
        dense = [p.ranks.get("dense_score") for p in passages if p.ranks.get("dense_score")]
        if language == "en" and all(self.known_term(t, family=False) for t in terms):
            floor -= CROSS_LINGUAL_MARGIN
        return not dense or max(dense) >= floor

    def _select(self, candidates: list[Candidate], is_list: bool) -> list[Candidate]:
        best = candidates[0].score
        limit = self.settings.max_quotes + 1 if is_list else min(3, self.settings.max_quotes)
        floor = best * (0.45 if is_list else 0.6)
        per_passage = 2 if is_list else 3
        chosen: list[Candidate] = []
        words = 0
        counts: dict[int, int] = {}
        for c in candidates:
            if c.score < floor or len(chosen) >= limit:
                break
            if counts.get(c.passage_index, 0) >= per_passage:
                continue
            if any(_similar(c.tokens, other.tokens) for other in chosen):
                continue
            length = len(c.sentence.split())
            if chosen and words + length > MAX_WORDS:
                continue
            chosen.append(c)
            counts[c.passage_index] = counts.get(c.passage_index, 0) + 1
            words += length
        return chosen

    def stream(
        self, question: str, passages: list[Passage], *, language: str = "nl", standalone_question: str = ""
    ) -> Iterator[str | Answer]:
        """Line by line, then the Answer: the same interface as the LLM backends."""
        answer = self.answer(question, passages, language=language, standalone_question=standalone_question)
        for line in answer.text.split("\n"):
            yield line + "\n"
        yield answer


def _lead_with(first: Candidate, chosen: list[Candidate]) -> list[Candidate]:
    """`first` quoted first, the weakest chosen quote dropped so the answer stays as long."""
    return [first] + chosen[: max(1, len(chosen) - 1)]


def list_items_after(chosen: list[Candidate], passages: list[Passage], profile: CorpusProfile, most: int = 9) -> list[Candidate]:
    """A quoted sentence ending in ':' announces a list; quote the list too, item by item.

    So does a quoted sentence whose paragraph ends in ':' ('... negen thema's. Alleen de eerste twee
    zijn zichtbaar:'). A long item ('Titel – uitleg van veertig woorden') is quoted by its title.
    """
    items = []
    taken = {x.sentence for x in chosen}
    for c in chosen:
        lines = passages[c.passage_index].text.split("\n")
        if c.item or not (c.sentence.endswith(":") or lines[c.line].rstrip().endswith(":")):
            continue
        for offset, line in enumerate(lines[c.line + 1 : c.line + 1 + most], 1):
            line = quotable(line, profile)
            if line and (len(split_sentences(line)) > 1 or len(line.split()) > LIST_ITEM_WORDS):
                line = _ITEM_TITLE.match(line).group(1) if _ITEM_TITLE.match(line) else ""
            if not line or line.endswith(":"):
                break  # the list ended: a heading-like line or a paragraph follows
            if line in taken:
                continue
            taken.add(line)
            items.append(
                Candidate(c.passage_index, c.order + offset / 100, line, c.score, frozenset(), c.line + offset, item=True)
            )
    return items


def _match(term: str, tokens: frozenset, context: set) -> float:
    """1 for the word itself, less for its compound or derived forms, half for title/section context."""
    if term in tokens:
        return 1.0
    if any(related(term, t) for t in tokens):
        return 0.7
    if term in context or any(related(term, t) for t in context):
        return 0.5
    return 0.0


def quotable(sentence: str, profile: CorpusProfile) -> str:
    """The sentence without a label (the profile's) or trailing URL: still a verbatim substring, easier to read."""
    return _TRAILING_URL.sub("", profile.quotable(sentence.strip())).strip()


def _similar(a: frozenset, b: frozenset) -> bool:
    if not a or not b:
        return False
    return len(a & b) / len(a | b) > 0.6
