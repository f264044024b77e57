"""What the library knows about one particular corpus, read from a profile file beside it.

The library answers over any Dutch or English documents; what only holds for the shipped
digest (an English->Dutch glossary for its subjects, its "F1:" fact labels and "Feiten en
bronnen" lists, its "Zie ...md" pointers, its facets and example questions, the report's
"Opties voor acties" sections, which of its files are one source) lives in
`corpus/profile.toml`, named by the setting `corpus_profile`. An empty setting means no
profile: every field below then has its empty default and the library still works.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.settings import Settings
from assistant.text import fold, stem, tokenize

# sections that list sources in any document; a profile may name more
GENERAL_REFERENCE_SECTIONS = ("bronnen", "literatuur", "referenties", "bronvermelding", "references", "bibliography", "sources")
# filters the library has of its own: a facet may not take their names
RESERVED_FACETS = ("document", "doc_id", "document_titles")
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def is_field_name(name) -> bool:
    """A metadata field a filter may name: letters, digits and underscores."""
    return isinstance(name, str) and bool(_FIELD_NAME.fullmatch(name))


@dataclass(frozen=True)
class CorpusProfile:
    path: str = ""
    glossary: dict[str, str] = field(default_factory=dict)  # English word -> Dutch word, for questions only
    query_stopwords: frozenset[str] = frozenset()  # stems every question about this corpus carries
    across_documents: re.Pattern | None = None  # a question that asks across the documents
    spread_kind: str = ""  # documents of this `kind` are capped when a question asks across them
    quote_prefixes: re.Pattern | None = None  # a label before a sentence that is not part of it
    pointer_openers: tuple[str, ...] = ()  # a sentence opening so points elsewhere, says nothing
    reference_sections: re.Pattern = field(default_factory=lambda: _ends_with(GENERAL_REFERENCE_SECTIONS))
    facets: dict[str, str] = field(default_factory=dict)  # metadata field -> label, offered as filters in this order
    examples: tuple[str, ...] = ()
    notes_file: str = ""  # beside the documents folder
    unknown_heading: str = ""
    action_headings: re.Pattern | None = None  # a section listing options for action (the app's lessons view)
    # documents of these kinds are one source: what one of them says is not known, none of them says
    # (`source_of`); without a profile every document is a source of its own
    one_source_kinds: frozenset[str] = frozenset()

    def expand_query(self, text: str) -> str:
        """The question with the Dutch word after each English word the glossary knows: added, not
        replaced, so a Dutch word that looks English ('map', 'room') still matches itself."""
        if not self.glossary:
            return text
        added = [self.glossary[w] for w in re.findall(r"[\w'-]+", fold(text)) if w in self.glossary]
        return f"{text} {' '.join(added)}" if added else text

    def translate(self, text: str) -> str:
        """The question with each English word the glossary knows replaced by its Dutch word."""
        if not self.glossary:
            return text
        return re.sub(r"[\w'-]+", lambda m: self.glossary.get(fold(m.group(0)), m.group(0)), text)

    def query_terms(self, text: str, *, translated: bool = False) -> list[str]:
        """A question's search terms: stems of the expanded (or `translated`) question, less the corpus'
        own stopwords."""
        text = self.translate(text) if translated else self.expand_query(text)
        return [t for t in tokenize(text) if t not in self.query_stopwords]

    def quotable(self, sentence: str) -> str:
        """The sentence without a label before it ('F1: '): still a verbatim substring."""
        return self.quote_prefixes.sub("", sentence, count=1) if self.quote_prefixes else sentence

    def is_pointer(self, sentence: str) -> bool:
        words = fold(sentence).split()
        return any(words[: len(o.split())] == o.split() for o in self.pointer_openers) if words else False

    def is_reference_section(self, section: str) -> bool:
        return bool(self.reference_sections.search(section))

    def asks_across_documents(self, question: str) -> bool:
        return bool(self.across_documents and self.across_documents.search(question))

    def source_of(self, passage) -> str:
        """Which source a passage speaks for: its document, or the corpus when the profile names its kind."""
        kind = str(passage.metadata.get("kind", ""))
        return f"kind:{','.join(sorted(self.one_source_kinds))}" if kind in self.one_source_kinds else passage.doc_id


def _ends_with(names) -> re.Pattern:
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\s*$", re.I)


EMPTY = CorpusProfile()


def load_profile(settings: Settings) -> CorpusProfile:
    path = str(settings.corpus_profile or "").strip()
    if not path:
        return EMPTY
    file = Path(path).expanduser()
    if not file.is_file():
        raise FileNotFoundError(f"corpus profile {file} not found (setting corpus_profile; empty = no profile)")
    return _load(str(file.resolve()), file.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _load(path: str, _mtime: int) -> CorpusProfile:
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    query, layout, notes = data.get("query", {}), data.get("layout", {}), data.get("notes", {})
    across = query.get("across_documents") or []
    prefixes = layout.get("quote_prefixes") or []
    return CorpusProfile(
        path=path,
        glossary={fold(k): str(v) for k, v in data.get("glossary", {}).items()},
        query_stopwords=frozenset(stem(fold(w)) for w in query.get("stopwords", [])),
        across_documents=re.compile(r"\b(?:" + "|".join(across) + r")\b", re.I) if across else None,
        spread_kind=str(query.get("spread_kind", "")),
        quote_prefixes=re.compile(r"^(?:" + "|".join(prefixes) + r")") if prefixes else None,
        pointer_openers=tuple(fold(o) for o in layout.get("pointer_openers", [])),
        reference_sections=_ends_with(GENERAL_REFERENCE_SECTIONS + tuple(layout.get("reference_sections", []))),
        facets=_facets(path, data.get("facets", {})),
        examples=tuple(data.get("ui", {}).get("examples", [])),
        notes_file=str(notes.get("file", "")),
        unknown_heading=str(notes.get("unknown_heading", "")),
        action_headings=_any_of(data.get("lessons", {}).get("action_headings", [])),
        one_source_kinds=frozenset(str(k) for k in data.get("sources", {}).get("one_source_kinds", [])),
    )


def _any_of(patterns) -> re.Pattern | None:
    return re.compile(r"(?:" + "|".join(patterns) + r")", re.I) if patterns else None


def _facets(path: str, table: dict) -> dict[str, str]:
    facets = {str(k): str(v) for k, v in table.items()}
    wrong = [k for k in facets if not is_field_name(k) or k in RESERVED_FACETS]
    if wrong:
        raise ValueError(
            f"corpus profile {path}: facet(s) {wrong} cannot be filters; a facet is a metadata field name "
            f"(letters, digits, _) other than {', '.join(RESERVED_FACETS)}"
        )
    return facets
