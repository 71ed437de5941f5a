"""Lessons from misses: what the FAQ did not answer, with personal data masked."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

LESSON_VERSION = 1
How = Literal["tap", "number", "words"]
_HOWS: tuple[How, ...] = ("tap", "number", "words")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# JP-2412-0007, INV/2024/XII/0001, ORD-99812: letters, then a separator and 3+ digits.
_ORDER = re.compile(
    r"\b[A-Za-z]{2,6}(?:[-/][A-Za-z0-9]+)*[-/]\d{3,}[A-Za-z0-9]*(?:[-/][A-Za-z0-9]+)*"
)
_HASH_NUMBER = re.compile(r"#\s?\d{3,}\b")
# A run of digits with spaces, dots or dashes inside: phone numbers are written that way.
_DIGITS_SPACED = re.compile(r"(?<![A-Za-z0-9])\+?\d[\d .-]{6,}\d")
_PHONE_START = re.compile(r"^\+?(?:62|60|0)")
_LONG_RUN = re.compile(r"\b[A-Za-z]{0,4}\d{8,}\b")  # accounts, tracking and ID numbers
# "a.n. dinda", "atas nama sari", "a/n budi": the name a transfer or parcel is under.
_ON_BEHALF = re.compile(r"(?i)(\ba\.\s?n\.?|\ba/n|\batas nama)\s+[^\W\d_]+")

EMAIL, ORDER, PHONE, NUMBER, NAME = "[email]", "[order]", "[phone]", "[number]", "[name]"


def mask(text: str) -> str:
    """The text with phone numbers, e-mails, order numbers, long digit runs and the name
    after "a.n."/"atas nama" masked.

    Prices and sizes ("150.000", "XL 42") stay: they are part of the question. Masking is
    idempotent, so a lesson read back from the store masks to itself.
    """
    text = _EMAIL.sub(EMAIL, text)
    text = _ORDER.sub(ORDER, text)
    text = _HASH_NUMBER.sub(ORDER, text)
    text = _DIGITS_SPACED.sub(_phone_or_number, text)
    text = _LONG_RUN.sub(NUMBER, text)
    return _ON_BEHALF.sub(lambda m: f"{m.group(1)} {NAME}", text)


def _phone_or_number(match: re.Match[str]) -> str:
    span = match.group(0)
    digits = sum(ch.isdigit() for ch in span)
    if digits >= 9 and _PHONE_START.match(span):
        return PHONE
    longest = max(len(run) for run in re.findall(r"\d+", span))
    if digits >= 8 and longest >= 4:
        return NUMBER  # an account or ID number written in groups
    return span  # "150.000", "38 39 40 41": prices, sizes and counts are kept


def buyer_key(buyer_id: str, salt: str) -> str:
    """An opaque per-shop key for a buyer, so lessons count buyers without naming them."""
    return hmac.new(salt.encode(), buyer_id.encode(), hashlib.sha256).hexdigest()[:16]


def _masked(obj: object, name: str) -> None:
    object.__setattr__(obj, name, mask(getattr(obj, name)))


@dataclass(frozen=True, slots=True)
class Fallback:
    """The bot said it did not understand ``text``."""

    text: str
    at: float
    buyer: str | None = field(default=None, compare=False)  # buyer_key(), never an id

    def __post_init__(self) -> None:
        _masked(self, "text")

    @property
    def question(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Clarified:
    """The bot asked "which one?" for ``text`` (or did not understand it and showed the
    nearest topics) and the buyer picked ``picked_id``."""

    text: str
    options: tuple[str, ...]
    picked_id: str
    how: How
    at: float
    buyer: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        _masked(self, "text")
        object.__setattr__(self, "options", tuple(self.options))

    @property
    def question(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Corrected:
    """After a hedged answer (``hedged_id``) to ``text`` the buyer said "bukan ini";
    ``then_id`` is the entry that did answer it, if any."""

    text: str
    hedged_id: str
    then_id: str | None
    at: float
    buyer: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        _masked(self, "text")

    @property
    def question(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class HandedOff:
    """A seller answered ``text`` by hand; ``resembles_id`` is the FAQ entry whose answer
    the seller's resembles (see ``faq.suggest.resembling``)."""

    text: str
    seller_answer: str
    resembles_id: str | None
    at: float
    buyer: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        _masked(self, "text")
        _masked(self, "seller_answer")

    @property
    def question(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class AskedForPerson:
    """After the bot fell back on ``after_text`` the buyer asked for a person (tapped
    "talk to a person" or got one): the words may be a handoff phrase the bot missed."""

    after_text: str
    at: float
    buyer: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        _masked(self, "after_text")

    @property
    def question(self) -> str:
        return self.after_text


Lesson: TypeAlias = Fallback | Clarified | Corrected | HandedOff | AskedForPerson

_KINDS: dict[type[Any], str] = {
    Fallback: "fallback",
    Clarified: "clarified",
    Corrected: "corrected",
    HandedOff: "handed_off",
    AskedForPerson: "asked_for_person",
}


class LessonFormatError(ValueError):
    """A stored lesson that cannot be read back."""


def kind_of(lesson: Lesson) -> str:
    return _KINDS[type(lesson)]


def to_dict(lesson: Lesson) -> dict[str, Any]:
    """A JSON-ready dict: ``{"v": 1, "kind": ..., <fields>}`` (no buyer key when absent)."""
    data: dict[str, Any] = {"v": LESSON_VERSION, "kind": kind_of(lesson)}
    for name in lesson.__slots__:
        value = getattr(lesson, name)
        if name == "buyer" and value is None:
            continue
        data[name] = list(value) if isinstance(value, tuple) else value
    return data


def from_dict(data: Mapping[str, Any]) -> Lesson:
    """Read a lesson written by ``to_dict`` (this or an older version).

    Raises:
        LessonFormatError: unknown version or kind, or a missing/ill-typed field.
    """
    version = data.get("v")
    if version != LESSON_VERSION:
        raise LessonFormatError(f"lesson version {version!r} is not {LESSON_VERSION}")
    kind = data.get("kind")
    try:
        at = float(data["at"])
        buyer = _opt_str(data.get("buyer"))
        if kind == "fallback":
            return Fallback(_str(data["text"]), at, buyer)
        if kind == "clarified":
            how = data["how"]
            if how not in _HOWS:
                raise LessonFormatError(f"clarified lesson: 'how' must be one of {_HOWS}")
            options = tuple(_str(o) for o in data["options"])
            return Clarified(_str(data["text"]), options, _str(data["picked_id"]), how, at, buyer)
        if kind == "corrected":
            then = _opt_str(data.get("then_id"))
            return Corrected(_str(data["text"]), _str(data["hedged_id"]), then, at, buyer)
        if kind == "handed_off":
            resembles = _opt_str(data.get("resembles_id"))
            answer = _str(data["seller_answer"])
            return HandedOff(_str(data["text"]), answer, resembles, at, buyer)
        if kind == "asked_for_person":
            return AskedForPerson(_str(data["after_text"]), at, buyer)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, LessonFormatError):
            raise
        raise LessonFormatError(f"{kind} lesson: bad or missing field: {exc}") from None
    raise LessonFormatError(f"unknown lesson kind {kind!r}")


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _opt_str(value: Any) -> str | None:
    return None if value is None else _str(value)
