"""Matching a buyer's message against the FAQ: scores in [0, 1] and one decision rule."""

from __future__ import annotations

import copy
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from faq.model import FaqEntry
from faq.normalize import NUMBER, PLACE, Lexicon, Normalized, default_lexicon, normalize, stem
from faq.tiebreak import Phrasings, features

Decision = Literal["answer", "clarify", "fallback"]
_View = Literal["all", "own", "lean"]
_Scored = tuple[dict[str, float], npt.NDArray[np.float64]]  # key weights, row scores

_LOW_WEIGHT = 0.25  # function words, places and numbers: tie-breakers, not evidence
_REGION_WEIGHT = 0.6  # a region named: between a tie-breaker and a content word
_UNKNOWN_WEIGHT = 0.55  # a word no FAQ question uses: evidence the question is elsewhere
_TYPO_CUTOFF = 84.0  # rapidfuzz ratio to take an unknown word for a misspelt known one
_CHAR_SHARE = 0.15  # share of character-level similarity in the final score
_SHORTLIST = 8
_DECISION_CACHE = 4096
_RANKED = 5  # candidates a decision weighs
_ANSWER_COVER = 1.6  # an answer row counts as covered by this much matched weight
_ANSWER_SHARE = 0.8  # an answer row's score counts this much of a question's
_ANSWER_IDF = True  # answer words count in how common a word is
# Close entries told apart by their phrasings (``faq.tiebreak``): the chosen one's
# log-odds against each other close one, times the FAQ's richness, must reach this
# (e^3: 20 times likelier) ...
_TIE_LEAD = 3.0
# ... the richness counting at least this much: with ~3 questions an entry the model's
# pull towards the FAQ's frequencies keeps its log-odds small, and a lead of 6 is rare
# and safe (measured: 0.5 answered 74 more Bitext-3 questions right and none wrong; 0.7
# and 1.0 added wrong answers on Bitext-3 and CLINC-3)
_TIE_SPARSE = 0.5
# ... and the message must look like its phrasings more than like the FAQ's average
# question by this much (log-odds; measured: without it, more out-of-scope answers)
_TIE_FIT = 4.0


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The decision rule's knobs (see ``Matcher.decide``); defaults tuned in bench/."""

    answer: float = 0.66  # best score needed to answer without asking (~3 questions/entry)
    answer_rich: float = 0.60  # ... when entries have 10 or more questions each
    margin: float = 0.12  # ... and by how much it must beat the next entry
    margin_rich: float = 0.05  # ... when entries have 10 or more questions each
    clarify: float = 0.42  # below this nothing is close: fallback
    band: float = 0.15  # entries this close to the best are offered when clarifying
    lone_word: float = 0.75  # an answer resting on one content word alone needs this score


@dataclass(frozen=True, slots=True)
class Candidate:
    entry_id: str
    score: float
    evidence: frozenset[str] = frozenset()  # the message's content keys this entry knows
    unexplained: int = 0  # the message's content keys this entry does not know
    asked: int = 0  # how many of ``evidence`` the entry's questions use (not only its answer)
    # what the message says ("@batal") that this entry does not know but others ask about
    elsewhere: int = 0
    # how specific (IDF weight) the most specific of those ideas is, and the most specific
    # of the words this entry's questions share with the message: when another entry's
    # idea is the rarer one ("how soon can I *expect* my order"), it is what was asked
    elsewhere_weight: float = 0.0
    asked_weight: float = 0.0
    # how many of the unexplained keys are ideas of the vocabulary ("@salah"), not bare
    # words: a named idea that this entry does not know is something else asked
    unexplained_ideas: int = 0
    # which of ``evidence`` the entry's own questions use (``asked`` counts them)
    asks: frozenset[str] = frozenset()
    # which of ``evidence`` the entry's id names ("cara-simpan": how to store it)
    named: frozenset[str] = frozenset()

    @property
    def answer_only(self) -> bool:
        """Whether only the wording of its answer ties the message to this entry: neither
        its questions nor its name use a word of the message."""
        return not self.asked and not self.named

    @property
    def lone_word(self) -> bool:
        """Whether one word alone ties the message, which says more, to this entry."""
        return len(self.evidence) == 1 and self.unexplained > 0


@dataclass(frozen=True, slots=True)
class MatchResult:
    """What the matcher makes of one message."""

    decision: Decision
    candidates: tuple[Candidate, ...]  # best first
    options: tuple[str, ...] = ()  # entry ids to offer when clarifying
    # goods or services the message names that the FAQ never mentions ("@jahit"): it may
    # be about another trade
    foreign: frozenset[str] = frozenset()
    # answered by telling close entries apart by their phrasings (``Matcher._tie_break``);
    # the chosen entry comes first even when another scored higher
    tie_broken: bool = False

    @property
    def score(self) -> float:
        return self.candidates[0].score if self.candidates else 0.0

    @property
    def best(self) -> str | None:
        return self.candidates[0].entry_id if self.candidates else None


def _id_words(entry: FaqEntry) -> str:
    return entry.id.replace("-", " ").replace("_", " ")


def _answer_text(entry: FaqEntry) -> str:
    """The words of an entry's answer (every language) and its id."""
    parts = list(entry.answer.texts.values()) if entry.answer is not None else []
    parts.append(_id_words(entry))
    return " ".join(parts)


def _idf(entries: int, using: int) -> float:
    """How specific a key is that ``using`` of the FAQ's ``entries`` entries use (1: one)."""
    return math.log(1 + entries / using) / math.log(1 + entries) if entries > 1 else 1.0


def _replaced(
    items: Sequence[frozenset[str]], index: int, item: frozenset[str]
) -> list[frozenset[str]]:
    """A copy of ``items`` with ``item`` at ``index``."""
    return [*items[:index], item, *items[index + 1 :]]


def _siblings(together: Sequence[frozenset[str]], evidence: frozenset[str]) -> set[str]:
    """The keys that stand for one idea together with a key of ``evidence``."""
    return {k for group in together if group & evidence for k in group}


class Matcher:
    """An index over the FAQ questions.

    A message and each question become weighted key sets (see ``faq.normalize``). Keys
    are weighted by how few entries use them (IDF, scaled so that a key unique to one
    entry weighs 1), so "refund" counts for more than "order". The score of a question is
    the geometric mean of how much of the message it explains and how much of the question
    the message covers, blended with rapidfuzz's character similarity; an entry scores as
    its best question (for the entry the seller's own questions put first, also its best
    own question and best learned wording taken as one: ``_with_pair``). Scores therefore
    lie in [0, 1] and mean the same in any FAQ.
    """

    def __init__(
        self,
        entries: Sequence[FaqEntry],
        synonyms: Iterable[Sequence[str]] = (),
        slang: Mapping[str, str] | None = None,
        thresholds: Thresholds | None = None,
    ) -> None:
        self._decided: dict[tuple[str, tuple[str, ...]], MatchResult] = {}
        base = default_lexicon()
        self.lexicon: Lexicon = base.extended(synonyms, slang) if synonyms or slang else base
        self.thresholds = thresholds or Thresholds()
        self._ids = tuple(e.id for e in entries)
        self._index = {entry_id: i for i, entry_id in enumerate(self._ids)}
        normalized = [[normalize(q, self.lexicon) for q in entry.phrasings] for entry in entries]
        self._phrasings = Phrasings([features(n) for n in qs] for qs in normalized)
        # The answer and the id are evidence too ("BPOM" in an answer answers "ada izin
        # edar?"), but weaker than a question the seller wrote: one row per entry, scored
        # against at most a couple of its words and discounted.
        answers = [normalize(_answer_text(entry), self.lexicon) for entry in entries]
        entry_keys = [{k for n in qs for k in n.keys} for qs in normalized]
        # the seller's own questions (learned ones follow them in ``phrasings``)
        own_keys = [
            {k for n in qs[: len(entry.questions)] for k in n.keys}
            for qs, entry in zip(normalized, entries, strict=True)
        ]
        self._id_keys = [frozenset(normalize(_id_words(e), self.lexicon).keys) for e in entries]
        df: dict[str, int] = defaultdict(int)
        for keys, answer in zip(own_keys, answers, strict=True):
            for key in keys | set(answer.keys) if _ANSWER_IDF else keys:
                df[key] += 1
        # A learned question's words weigh as the seller's words do: a word it shares with
        # other entries does not become commoner (measured, bench/learn.py: learning the
        # buyers' wordings then lost none of gadget's held-out answers, and no longer
        # turned a tudung question into a wrong answer); a word only learned questions use
        # counts the entries that learned it.
        learned_df: dict[str, int] = defaultdict(int)
        for keys in entry_keys:
            for key in keys - df.keys():
                learned_df[key] += 1
        df.update(learned_df)
        n = max(len(entries), 1)
        self._idf = {k: _idf(n, d) for k, d in df.items()}
        self._entry_count = n
        self._learned_df = dict(learned_df)
        self._learned_only = frozenset(learned_df)
        # What a learned wording shares with other entries' own questions that the entry's
        # own questions, answer and id do not know ("butiknya" in an opening-hours question,
        # the boutique entry's word): another entry's idea, which the wording names beside
        # its own (the ``lean`` view, see ``_decide_ranked``)
        asked_by = {k for keys in own_keys for k in keys}
        self._asked_by = frozenset(asked_by)
        lean_keys = [
            keys - ((keys & asked_by) - own - set(answer.keys) - named)
            for keys, own, answer, named in zip(
                entry_keys, own_keys, answers, self._id_keys, strict=True
            )
        ]
        self._question_keys = [frozenset(keys) for keys in entry_keys]
        self._own_question_keys = [frozenset(keys) for keys in own_keys]
        # what some entry's own questions ask about (places aside: they only break ties;
        # learned wordings aside: a buyer's word learned under one entry is no idea of it
        # that makes another entry's answer a guess)
        self._asked_keys = frozenset(
            k for keys in own_keys for k in keys if k not in self.lexicon.place_keys
        )
        self._entry_keys = [
            frozenset(keys | set(answer.keys))
            for keys, answer in zip(entry_keys, answers, strict=True)
        ]
        self._own_entry_keys = [
            frozenset(keys | set(answer.keys))
            for keys, answer in zip(own_keys, answers, strict=True)
        ]
        self._lean_question_keys = [frozenset(keys) for keys in lean_keys]
        self._lean_entry_keys = [
            frozenset(keys | set(answer.keys))
            for keys, answer in zip(lean_keys, answers, strict=True)
        ]
        # One row per question, stored entry by entry (each entry's rows form one segment).
        self._question_text: list[str] = []
        self._row_weights: list[dict[str, float]] = []  # each row's keys and their weights
        question_total: list[float] = []
        question_entry: list[int] = []
        answer_rows: list[int] = []
        learned_rows: list[int] = []
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for index, (qs, entry) in enumerate(zip(normalized, entries, strict=True)):
            for position, norm in enumerate((*qs, answers[index])):
                is_answer = norm is answers[index]
                weights = {k: self._weight(k) for k in norm.keys}
                if is_answer:
                    weights = {k: w for k, w in weights.items() if w > _LOW_WEIGHT}
                if not weights:
                    continue
                if is_answer:
                    answer_rows.append(len(self._question_text))
                elif position >= len(entry.questions):
                    learned_rows.append(len(self._question_text))
                for key, weight in weights.items():
                    postings[key].append((len(self._question_text), weight))
                self._question_text.append(norm.text)
                self._row_weights.append(weights)
                total = math.fsum(weights.values())
                question_total.append(min(total, _ANSWER_COVER) if is_answer else total)
                question_entry.append(index)
        self._postings = {
            key: (np.array([q for q, _ in rows], np.int32), np.array([w for _, w in rows]))
            for key, rows in postings.items()
        }
        self._question_total = np.array(question_total)
        self._row_factor = np.ones(len(question_total))
        self._row_factor[answer_rows] = _ANSWER_SHARE
        self._learned_rows = np.array(learned_rows, np.int64)
        self._is_learned = np.zeros(len(question_total), bool)
        self._is_learned[learned_rows] = True
        self._is_own = ~self._is_learned  # the seller's own questions (not answer rows)
        self._is_own[answer_rows] = False
        self._is_answer = np.zeros(len(question_total), bool)
        self._is_answer[answer_rows] = True
        self._segments(np.array(question_entry, np.int64))
        # how richly the seller phrased the entries (learned questions aside: a few entries
        # that learn must not move every threshold of the FAQ)
        questions = sum(len(entry.questions) for entry in entries)
        richness = (questions / max(len(entries), 1) - 3) / 7
        self.richness = min(max(richness, 0.0), 1.0)  # 0 at ~3 questions an entry, 1 at 10+
        self.answer_at = self._slide(self.thresholds.answer, self.thresholds.answer_rich)
        self.margin = self._slide(self.thresholds.margin, self.thresholds.margin_rich)
        self._vocab_by_len: dict[int, list[str]] = defaultdict(list)
        for key in sorted(self._idf):  # sorted: a tie between two corrections goes the
            if not key.startswith("@"):  # same way in every process
                self._vocab_by_len[len(key)].append(key)
        # an everyday word ("tanggal", "buang") is a word of its own, not a misspelling of
        # the FAQ's nearest one ("tinggal", "uang")
        self._everyday = frozenset(stem(w) for w in self.lexicon.common) - self._idf.keys()
        self._correct = lru_cache(maxsize=50_000)(self._correct_uncached)

    def _segments(self, entry_of: npt.NDArray[np.int64]) -> None:
        """The rows' entries (in order) and the segments they form."""
        self._row_entry = entry_of
        self._segment_starts = np.flatnonzero(np.diff(entry_of, prepend=-1))
        self._segment_ends = np.append(self._segment_starts[1:], len(entry_of))
        self._segment_entry = entry_of[self._segment_starts]

    def with_learned(self, entry_id: str, text: str) -> Matcher:
        """This matcher with ``text`` learned under entry ``entry_id`` (after its learned
        wordings): the same as the matcher of the FAQ with that wording in the entry's
        ``learned:`` list, built in a fraction of the time.

        A learned wording changes neither the weights of the seller's words nor
        ``richness`` (both come from the seller's own questions and answers), so only what
        it adds is worked out: its row, its entry's key sets, the weight of the words only
        learned wordings use (and of the learned rows that use them), and the typo
        vocabulary when it brings new words. The rest is shared with this matcher, which
        stays as it is.
        """
        entry = self._index[entry_id]
        norm = normalize(text, self.lexicon)
        grown = copy.copy(self)
        grown._decided = {}
        grown._phrasings = self._phrasings.with_question(entry, features(norm))
        # the words only learned wordings use, counted by the entries that learned them
        keys = set(norm.keys)
        old = self._question_keys[entry]
        own_df = self._idf.keys() - self._learned_only
        counted = keys - own_df - old  # what this entry learns that no question of it used
        grown._learned_df = dict(self._learned_df)
        grown._idf = dict(self._idf)
        for key in counted:
            grown._learned_df[key] = grown._learned_df.get(key, 0) + 1
            grown._idf[key] = _idf(self._entry_count, grown._learned_df[key])
        grown._learned_only = self._learned_only | counted
        new_words = counted - self._idf.keys()
        reweighed = counted & self._learned_only
        # the entry's key sets (its answer's and id's keys are in its own entry keys, and
        # its own question keys in its lean keys: see ``__init__``)
        question = old | keys
        elsewhere = (
            (question & self._asked_by) - self._own_entry_keys[entry] - self._id_keys[entry]
        )
        lean = question - elsewhere
        grown._question_keys = _replaced(self._question_keys, entry, frozenset(question))
        grown._entry_keys = _replaced(
            self._entry_keys, entry, frozenset(question | self._own_entry_keys[entry])
        )
        grown._lean_question_keys = _replaced(self._lean_question_keys, entry, frozenset(lean))
        grown._lean_entry_keys = _replaced(
            self._lean_entry_keys, entry, frozenset(lean | self._own_entry_keys[entry])
        )
        # the rows that use a word whose weight changed: learned ones (the words of the
        # seller's questions and answers are counted as theirs, and keep their weights)
        grown._row_weights = list(self._row_weights)
        grown._question_total = self._question_total.copy()
        grown._postings = dict(self._postings)
        for key in sorted(reweighed):
            rows, _ = self._postings[key]
            weight = grown._weight(key)
            grown._postings[key] = (rows, np.full(len(rows), weight))
            for row in rows.tolist():
                weights = dict(grown._row_weights[row])
                weights[key] = weight
                grown._row_weights[row] = weights
                grown._question_total[row] = math.fsum(weights.values())
        row_weights = {k: grown._weight(k) for k in norm.keys}
        if row_weights:
            grown._add_row(entry, norm.text, row_weights)
        if new_words:
            grown._vocab_by_len = defaultdict(list, self._vocab_by_len)
            for key in sorted(new_words):
                if not key.startswith("@"):
                    size = len(key)
                    grown._vocab_by_len[size] = sorted((*grown._vocab_by_len.get(size, ()), key))
            grown._everyday = self._everyday - new_words
            grown._correct = lru_cache(maxsize=50_000)(grown._correct_uncached)
        return grown

    def _add_row(self, entry: int, text: str, weights: dict[str, float]) -> None:
        """A learned row for ``entry`` after its other questions' rows (``with_learned``,
        on a matcher of its own: the arrays are replaced, not changed in place)."""
        start = int(np.searchsorted(self._row_entry, entry, "left"))
        end = int(np.searchsorted(self._row_entry, entry, "right"))
        row = end - 1 if end > start and self._is_answer[end - 1] else end
        self._question_text = [*self._question_text[:row], text, *self._question_text[row:]]
        self._row_weights = [*self._row_weights[:row], weights, *self._row_weights[row:]]
        postings: dict[str, tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]] = {}
        for key, (rows, row_weights) in self._postings.items():
            after = int(np.searchsorted(rows, row))
            if key in weights:
                rows = np.concatenate((rows[:after], [row], rows[after:] + 1)).astype(np.int32)
                row_weights = np.insert(row_weights, after, weights[key])
            elif after < len(rows):
                rows = np.concatenate((rows[:after], rows[after:] + 1)).astype(np.int32)
            postings[key] = (rows, row_weights)
        for key in weights.keys() - self._postings.keys():
            postings[key] = (np.array([row], np.int32), np.array([weights[key]]))
        self._postings = postings
        self._question_total = np.insert(self._question_total, row, math.fsum(weights.values()))
        self._row_factor = np.insert(self._row_factor, row, 1.0)
        learned = self._learned_rows
        self._learned_rows = np.concatenate(
            (learned[learned < row], [row], learned[learned >= row] + 1)
        ).astype(np.int64)
        self._is_learned = np.insert(self._is_learned, row, True)
        self._is_own = np.insert(self._is_own, row, False)
        self._is_answer = np.insert(self._is_answer, row, False)
        self._segments(np.insert(self._row_entry, row, entry))

    def _slide(self, sparse: float, rich: float) -> float:
        """A threshold for this FAQ: the more ways each entry is phrased, the more a good
        score and a lead can be trusted (measured in bench/: at 10 phrasings an answer at
        0.60 is as safe as one at 0.66 with 3)."""
        return sparse - (sparse - min(rich, sparse)) * self.richness

    def _weight(self, key: str) -> float:
        if key in self.lexicon.place_keys and key != f"@{PLACE}":
            # a region ("Sabah/Sarawak" vs "Semenanjung") tells entries apart that differ
            # by it alone, but a place must not make a match by itself
            return _REGION_WEIGHT * self._idf.get(key, 1.0)
        if (
            key in self.lexicon.function_keys
            or key in self.lexicon.place_keys
            or key in (f"@{PLACE}", f"@{NUMBER}")
        ):
            return _LOW_WEIGHT * self._idf.get(key, 1.0)
        return self._idf.get(key, _UNKNOWN_WEIGHT)

    def _correct_uncached(self, key: str) -> str:
        """An unknown word taken for the FAQ word it most likely misspells, if any."""
        if key.startswith("@") or len(key) < 4 or key in self._everyday:
            return key
        pool = [w for size in range(len(key) - 2, len(key) + 3) for w in self._vocab_by_len[size]]
        found = process.extractOne(key, pool, scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF)
        return found[0] if found else key

    def query_weights(self, norm: Normalized) -> dict[str, float]:
        """The message's keys with their weights, misspellings corrected."""
        weights: dict[str, float] = {}
        for key in norm.keys:
            known = key if key in self._idf else self._correct(key)
            weights[known] = self._weight(known)
            if known in self._learned_only:
                # a word only learned wordings use weighs in a message as a word the FAQ
                # does not know: what one buyer said ("sage", a green, learned under
                # stock) must not make the other words of a message that names it ("warna
                # olive tu?") weigh less than before it was learned (measured,
                # bench/learn.py: the colour entry's hedged answer came back)
                weights[known] = min(weights[known], _UNKNOWN_WEIGHT)
        # sums and products in one order (math.fsum, sorted groups, keys sorted below):
        # sets iterate in an order that changes per process (string hashing), and a score
        # on a threshold must not be answered by one worker and asked back by another
        for group in sorted(norm.together, key=sorted):
            # one word, one idea: "hitam" (@warna, @hitam) weighs as much as its heaviest
            # key, not as two words (measured on Bitext/CLINC: 18 more right answers and
            # 7 fewer wrong ones over 5 splits)
            total = math.fsum(weights.get(k, 0.0) for k in group)
            top = max((weights.get(k, 0.0) for k in group), default=0.0)
            if total > top > 0:
                for k in group:
                    if k in weights:
                        weights[k] *= top / total
        return dict(sorted(weights.items()))

    def rank(self, text: str | Normalized, limit: int = 5) -> list[Candidate]:
        """The best-scoring entries for a message, best first."""
        norm = text if isinstance(text, Normalized) else normalize(text, self.lexicon)
        return self._rank(norm, limit, "all", self._score_rows(norm))

    def _rank(
        self, norm: Normalized, limit: int, view: _View, scored: _Scored | None
    ) -> list[Candidate]:
        """``rank`` with the learned wordings (``all``), without them (``own``: as the
        seller's questions and answers alone rank the entries), or scored with them but
        without the other entries' ideas they name as the entry's evidence (``lean``).
        ``scored``: the message's row scores (``_score_rows``), worked out once a decision."""
        if scored is None:
            return []
        query, scores = scored
        if view == "own":
            scores = scores.copy()
            scores[self._learned_rows] = 0.0
        per_entry = np.maximum.reduceat(scores, self._segment_starts)
        count = min(_SHORTLIST, len(per_entry))
        top = np.argpartition(-per_entry, count - 1)[:count]
        candidates = [
            self._candidate(norm, query, scores, int(segment), view)
            for segment in top
            if per_entry[segment] > 0
        ]
        candidates.sort(key=lambda c: (-c.score, c.entry_id))
        return candidates[:limit]

    def _score_rows(self, norm: Normalized) -> _Scored | None:
        """The message's key weights and each row's score (None: nothing to match)."""
        query = self.query_weights(norm)
        total = math.fsum(query.values())
        if total <= 0 or not self._question_text:
            return None
        n = len(self._question_text)
        ids, explained, covering, is_content = [], [], [], []
        for key, weight in query.items():
            posting = self._postings.get(key)
            if posting is None:
                continue
            qids, question_weights = posting
            ids.append(qids)
            explained.append(np.full(len(qids), weight))
            covering.append(question_weights)
            if key not in self.lexicon.function_keys:
                is_content.append(qids)
        if not is_content:
            return None
        hits = np.concatenate(ids)
        shared = np.bincount(hits, np.concatenate(explained), n)  # message weight explained
        covered = np.bincount(hits, np.concatenate(covering), n)  # question weight covered
        content = np.bincount(np.concatenate(is_content), minlength=n)  # content keys shared
        scores = np.sqrt(
            np.minimum(shared / total, 1.0) * np.minimum(covered / self._question_total, 1.0)
        )
        scores *= self._row_factor
        scores[content <= 0] = 0.0
        return query, scores

    def _segment_of(self, entry_id: str) -> int:
        """The segment of rows of an entry that has any."""
        return int(np.flatnonzero(self._segment_entry == self._index[entry_id])[0])

    def _with_pair(self, scored: _Scored, segment: int) -> _Scored:
        """The row scores with the best own question and the best learned wording of the
        entry of ``segment`` also scored as one question, when the message shares words
        with both: the better of the two rows then scores at least as the pair does.

        An entry scores as its best row, so a message that says what the seller's question
        asks ("masih ada stok?") with a buyer's words learned under the same entry ("yg
        warna midnight blue") found neither row enough alone. Only for the entry that the
        seller's own questions put first: the pair adds up evidence for what the seller's
        words already point to, and so never lifts another entry over it (measured,
        bench/learn.py: pairing every entry turned a hedged fast-charging answer into a
        "which one?" with the charger entry, whose learned "adaptor 20w ... ngecas" and
        own "charger ... samsung" together explained the message).
        """
        query, scores = scored
        start, end = int(self._segment_starts[segment]), int(self._segment_ends[segment])
        rows = scores[start:end]
        own_rows = np.where(self._is_own[start:end], rows, 0.0)
        learned_rows = np.where(self._is_learned[start:end], rows, 0.0)
        if own_rows.max(initial=0.0) <= 0 or learned_rows.max(initial=0.0) <= 0:
            return scored
        own, learned = start + int(own_rows.argmax()), start + int(learned_rows.argmax())
        better = learned if scores[learned] >= scores[own] else own
        paired = scores.copy()
        paired[better] = max(scores[better], self._pair_score(query, own, learned))
        return query, paired

    def _pair_score(self, query: Mapping[str, float], *rows: int) -> float:
        """The score of ``rows`` taken as one question, as ``_score_rows`` scores a row: the
        geometric mean of the share of the message's weight that a key of any of them
        explains and the share of their weights together that the message covers (each
        row's coverage, averaged by its weight)."""
        keys = set().union(*(self._row_weights[row] for row in rows))
        explained = math.fsum(w for k, w in query.items() if k in keys)
        covered = math.fsum(
            w for row in rows for k, w in self._row_weights[row].items() if k in query
        )
        size = math.fsum(float(self._question_total[row]) for row in rows)
        total = math.fsum(query.values())
        return math.sqrt(min(explained / total, 1.0) * min(covered / size, 1.0))

    def _candidate(
        self,
        norm: Normalized,
        query: Mapping[str, float],
        scores: npt.NDArray[np.float64],
        segment: int,
        view: _View,
    ) -> Candidate:
        """The entry of one segment of rows as a candidate for the message."""
        entry_keys, question_keys = {
            "all": (self._entry_keys, self._question_keys),
            "own": (self._own_entry_keys, self._own_question_keys),
            "lean": (self._lean_entry_keys, self._lean_question_keys),
        }[view]
        start, end = int(self._segment_starts[segment]), int(self._segment_ends[segment])
        qid = start + int(scores[start:end].argmax())
        score = float(scores[qid])
        entry = int(self._segment_entry[segment])
        chars = fuzz.token_set_ratio(norm.text, self._question_text[qid]) / 100.0
        blended = (1 - _CHAR_SHARE) * score + _CHAR_SHARE * chars * score**0.5
        content_keys = {k for k in query if k not in self.lexicon.function_keys}
        evidence = frozenset(content_keys & entry_keys[entry])
        asked = evidence & question_keys[entry]
        # a key that one word stands for together with an evidence key is that same
        # idea ("return policy": @retur explained, @refund with it), not another one
        said = content_keys - evidence - _siblings(norm.together, evidence)
        elsewhere = [k for k in said if k in self._asked_keys]
        return Candidate(
            self._ids[entry],
            round(min(blended, 1.0), 4),
            evidence,
            len(said),
            len(asked),
            len(elsewhere),
            max((query[k] for k in elsewhere), default=0.0),
            max((query[k] for k in asked), default=0.0),
            sum(k.startswith("@") and k not in self.lexicon.place_keys for k in said),
            frozenset(asked),
            evidence & self._id_keys[entry],
        )

    def decide(self, text: str | Normalized) -> MatchResult:
        """Answer when one entry is clearly best; clarify when the best are close or the
        confidence is middling; fall back when nothing is close.

        A confident wrong answer costs a sale, so answering needs a high score, a clear lead
        over the next entry, a word only the best entry knows, and — when a single word of a
        longer message ties it to the entry ("who is radiohead" -> who_made_you) — a higher
        score still (``lone_word``).
        """
        norm = text if isinstance(text, Normalized) else normalize(text, self.lexicon)
        key = (norm.text, norm.keys)
        cached = self._decided.get(key)
        if cached is None:
            cached = self._decide(norm)
            if len(self._decided) >= _DECISION_CACHE:
                self._decided.clear()  # buyers repeat a few questions; a rare reset is cheap
            self._decided[key] = cached
        return cached

    def _decide(self, norm: Normalized) -> MatchResult:
        result = self._decide_ranked(norm)
        foreign = frozenset(k for k in norm.keys if k in self.lexicon.things) - self._idf.keys()
        return replace(result, foreign=foreign) if foreign else result

    def _decide_ranked(self, norm: Normalized) -> MatchResult:
        scored = self._score_rows(norm)
        if scored is None:
            return self._decide_among(norm, ())  # nothing to match
        if not len(self._learned_rows):
            return self._decide_among(norm, tuple(self._rank(norm, _RANKED, "all", scored)))
        # Learned wordings raise their entry, but make no rival of it: the other entries
        # count as the seller's own questions rank them (a buyer's wording learned under
        # one entry names other entries' ideas too, and so turned other entries' answers
        # into questions asked back; bench/learn.py)
        own = self._rank(norm, _RANKED + 1, "own", scored)
        if own:
            scored = self._with_pair(scored, self._segment_of(own[0].entry_id))
        candidates = tuple(self._rank(norm, _RANKED, "all", scored))
        if not candidates:
            return self._decide_among(norm, candidates)
        best = candidates[0]
        rivals = tuple(c for c in own if c.entry_id != best.entry_id)
        result = self._decide_among(norm, (best, *rivals)[:_RANKED])
        if result.decision == "answer" or not own or own[0].entry_id == best.entry_id:
            return result
        # Only its learned wordings put it first, and not clearly: another entry's idea
        # that it knows through them alone does not make that entry its echo (the
        # boutique entry asked about "kedai" is a real choice beside an opening-hours
        # entry that learned "butiknya buka?")
        lean = self._candidate(norm, scored[0], scored[1], self._segment_of(best.entry_id), "lean")
        return self._decide_among(norm, (lean, *rivals)[:_RANKED])

    def _decide_among(self, norm: Normalized, candidates: tuple[Candidate, ...]) -> MatchResult:
        t = self.thresholds
        if not candidates or candidates[0].score < t.clarify:
            return MatchResult("fallback", candidates)
        top = candidates[0].score
        runner_up = candidates[1].score if len(candidates) > 1 else 0.0
        if (
            top >= self.answer_at
            and top - runner_up >= self.margin
            and (not candidates[0].lone_word or top >= t.lone_word)
            and self._distinct(candidates)
        ):
            return MatchResult("answer", candidates)
        chosen = self._tie_break(norm, candidates)
        if chosen is not None:
            rest = tuple(c for c in candidates if c is not chosen)
            return MatchResult("answer", (chosen, *rest), tie_broken=True)
        close = [c.entry_id for c in candidates if c.score >= max(t.clarify, top - t.band)][:3]
        if len(close) < 2 and not self._distinct(candidates):
            close = [c.entry_id for c in candidates if c.score >= t.clarify][:3]
        if len(close) < 2:
            close = [c.entry_id for c in candidates if c.score >= t.clarify * 0.75][:3]
        return MatchResult("clarify", candidates, tuple(close))

    def _tie_break(self, norm: Normalized, candidates: Sequence[Candidate]) -> Candidate | None:
        """Of the close entries that keep the best from being answered, the one whose
        phrasings taken together clearly fit the message better than each other's
        ("get my bill": the get-invoice entry's questions say "get" and "download", the
        check-invoice one's "check" and "see"), if any.

        Only for a good score (``answer_at``), with a lead that must be larger the fewer
        phrasings the entries have (``richness``), and only when the choice is well
        founded as an answer is: its questions use a word of the message (more than one,
        or a high score), the message names no idea that the close entries do not know
        ("close my *savings* account": none of them), every close rival shares a word of
        the message with it (rivals tied by other words are other readings, not twins),
        and the message looks like its phrasings at all, not only more than like the
        rival's.
        """
        t = self.thresholds
        best = candidates[0]
        weight = max(self.richness, _TIE_SPARSE)
        if best.score < self.answer_at:
            return None
        close = [
            c
            for c in candidates
            if c is best
            or c.score >= max(t.clarify, best.score - t.band)
            or self.asks_the_same(best, c)
        ]
        if len(close) < 2:
            return None
        message = features(norm)
        entries = [self._index[c.entry_id] for c in close]
        position, lead = self._phrasings.clear_winner(message, entries)
        chosen = close[position]
        well_founded = (
            chosen.score >= self.answer_at
            and chosen.asked > 0
            and (not chosen.lone_word or chosen.score >= t.lone_word)
            and chosen.unexplained_ideas == 0
            and all(chosen.evidence & c.evidence for c in close)
        )
        if (
            lead * weight < _TIE_LEAD
            or not well_founded
            or self._phrasings.fit(message, entries[position]) < _TIE_FIT
        ):
            return None
        return chosen

    def _distinct(self, candidates: Sequence[Candidate]) -> bool:
        """Whether the message says something that only the best entry knows of.

        When every word that ties the message to the best entry also ties it to a close
        rival, the lead comes from question length alone: ask rather than guess.
        """
        best = candidates[0]
        t = self.thresholds
        return all(
            not best.evidence <= rival.evidence
            for rival in candidates[1:]
            if rival.score >= max(t.clarify, best.score - t.band)
            or self.asks_the_same(best, rival)
        )

    def asks_the_same(self, best: Candidate, rival: Candidate) -> bool:
        """Whether a message that says one thing only ("pengiriman": shipping cost or
        shipping time?) is asked about by ``rival``'s own questions as much as by
        ``best``'s. Then a lead that comes from answer wording or question counts is no
        reason to pick one: ask."""
        t = self.thresholds
        return (
            len(best.evidence) == 1  # the message says one thing only ...
            and best.unexplained == 0
            and rival.score >= max(t.clarify, best.score - 2 * t.band)  # not far behind
            and best.evidence <= rival.evidence
            and rival.asked >= len(best.evidence) == best.asked
        )
