"""The FAQ as sellers write it: entries, per-language texts, and the loaded whole."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from faq.matcher import Matcher, Thresholds

Language = Literal["id", "ms", "en"]
LANGUAGES: tuple[Language, ...] = ("id", "ms", "en")


@dataclass(frozen=True, slots=True)
class Localized:
    """A text the seller wrote once, or once per language (first written = the default)."""

    texts: Mapping[str, str]

    @classmethod
    def plain(cls, text: str) -> Localized:
        return cls({"*": text})

    def get(self, language: str, fallback: str | None = None) -> str:
        """The text for ``language``, else for ``fallback``, else the first one written."""
        for lang in (language, fallback):
            if lang is not None and lang in self.texts:
                return self.texts[lang]
        return next(iter(self.texts.values()))


@dataclass(frozen=True, slots=True)
class FollowUpSkip:
    """When an entry's follow-up is not asked: the buyer's message already says it.

    ``kinds`` are built-in notions (``place``, ``size``, ``colour``, ``number``; see
    ``faq.followup``); ``words`` are the seller's own words or phrases, already folded.
    """

    kinds: tuple[str, ...] = ()
    words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FaqEntry:
    """One question-and-answer the seller wrote."""

    id: str
    questions: tuple[str, ...]
    answer: Localized | None = None
    follow_up: Localized | None = None
    handoff: bool = False
    line: int = 0
    titles: Localized | None = None  # the seller's button title(s); None = first question
    follow_up_unless: FollowUpSkip | None = None
    # buyers' wordings the seller accepted from the FAQ suggestions (``learned:``): matched
    # like questions, but they do not make a word commoner for the other entries
    learned: tuple[str, ...] = ()

    @property
    def phrasings(self) -> tuple[str, ...]:
        """Every way this entry is asked: the seller's questions, then the learned ones."""
        return (*self.questions, *self.learned)

    @property
    def title(self) -> str:
        """How the entry is named on a button: the seller's title (as first written), else
        its first question."""
        return self.titles.get("*") if self.titles is not None else self.questions[0]

    def title_for(self, language: str, fallback: str | None = None) -> str:
        """The button title for a buyer writing ``language``.

        The title written for ``language``, else for ``fallback`` (the shop's language),
        else a title written once for all languages, else the entry's first question.
        """
        if self.titles is not None:
            for lang in (language, fallback, "*"):
                if lang is not None and lang in self.titles.texts:
                    return self.titles.texts[lang]
        return self.questions[0]

    def names(self) -> tuple[str, ...]:
        """Every title a button for this entry may carry (to resolve a typed title)."""
        titles = tuple(self.titles.texts.values()) if self.titles is not None else ()
        return tuple(dict.fromkeys((*titles, self.questions[0])))


@dataclass(frozen=True)
class Faq:
    """A loaded, validated FAQ with its matcher; immutable, so it can be swapped atomically."""

    entries: tuple[FaqEntry, ...]
    source: str = "<memory>"
    synonyms: tuple[tuple[str, ...], ...] = ()
    slang: Mapping[str, str] = field(default_factory=dict)
    thresholds: Thresholds | None = field(default=None, compare=False)
    handoff_words: tuple[str, ...] = ()  # the seller's own ways of asking for a person
    matcher: Matcher = field(init=False, repr=False, compare=False)
    _by_id: Mapping[str, FaqEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        from faq.matcher import Matcher  # the index is built once, as part of the value

        object.__setattr__(self, "_by_id", {e.id: e for e in self.entries})
        object.__setattr__(
            self,
            "matcher",
            Matcher(self.entries, self.synonyms, self.slang, self.thresholds),
        )

    def get(self, entry_id: str) -> FaqEntry | None:
        return self._by_id.get(entry_id)

    def __len__(self) -> int:
        return len(self.entries)
