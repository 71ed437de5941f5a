"""Telling close entries apart by how each one is phrased as a whole.

The matcher scores an entry as its best single question. When two entries are close
("check my invoice" / "get my invoice") that best question often shares every word of
the message with both, and the matcher asks back. An entry written with many phrasings
says more than its best one: which words its questions use often and which they never
use ("download", "get" for getting an invoice; "check", "see" for looking one up).

``Phrasings`` keeps, per entry, in how many of its questions each word occurs, and
compares two entries on a message by the log-odds of a Bernoulli naive Bayes model: a
word most of one entry's questions use and few of the other's counts for the first, a
word the message lacks that most of one entry's questions use counts against it. Each
entry's frequencies are pulled towards the whole FAQ's, as if it had ``_PRIOR`` more
questions phrased like the average one, so an entry with three questions says little
(its log-odds stay small) and one with thirty says much.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

from faq.normalize import Normalized, stem

_PRIOR = 10.0  # pseudo-questions phrased like the FAQ's average one, added to each entry


def features(norm: Normalized) -> frozenset[str]:
    """What a message or question is made of for telling entries apart: the stems of its
    words as written (after slang), function words included ("get" vs "check" an invoice,
    "edit" vs "change to" an account), not the matcher's keys, which join such words into
    one idea on purpose (measured: keys, or keys and words, told Bitext's twin intents
    apart less well)."""
    return frozenset(stem(w) for w in norm.words if not w.isdigit())


class Phrasings:
    """Per entry (by position), a Bernoulli model of its questions' words.

    An entry with ``n`` questions, ``c`` of which use a word that a share ``b`` of all
    the FAQ's questions use, uses it with probability ``(c + _PRIOR * b) / (n + _PRIOR)``.
    A message's log-likelihood sums, over the FAQ's words, the log of that probability
    for the words it has and of its complement for the words it lacks; kept as the
    likelihood of a message with no word plus a gain per word it has, one costs a few
    look-ups per word of the message. Words no question uses say nothing.
    """

    def __init__(self, entries: Iterable[Sequence[frozenset[str]]]) -> None:
        sizes: list[int] = []
        counts: list[Counter[str]] = []
        overall: Counter[str] = Counter()
        for questions in entries:
            sizes.append(len(questions))
            counts.append(Counter(f for q in questions for f in q))
            overall.update(counts[-1])
        self._setup(sizes, counts, overall)

    def _setup(self, sizes: list[int], counts: list[Counter[str]], overall: Counter[str]) -> None:
        total = sum(sizes)
        self._sizes, self._counts, self._overall = sizes, counts, overall
        self._background = {f: (c + 0.5) / (total + 1) for f, c in overall.items()}
        # the share of the background an entry of each size keeps for a word it never uses
        self._unseen = {n: _PRIOR / (n + _PRIOR) for n in set(sizes)}
        self._none_by_size = {
            n: math.fsum(math.log1p(-k * b) for b in self._background.values())
            for n, k in self._unseen.items()
        }
        # each entry's log-likelihood of a message that has no word, and what each word it
        # has adds: worked out for an entry when first compared
        self._models: dict[int, tuple[float, dict[str, float]]] = {}
        self._background_none = math.fsum(math.log1p(-b) for b in self._background.values())

    def with_question(self, entry: int, question: frozenset[str]) -> Phrasings:
        """These phrasings with one more question for ``entry`` (as if built with it): every
        entry's model moves with the FAQ's frequencies, so they are worked out anew, each
        when first compared."""
        grown = Phrasings.__new__(Phrasings)
        sizes, counts, overall = list(self._sizes), list(self._counts), self._overall.copy()
        sizes[entry] += 1
        counts[entry] = counts[entry] + Counter(question)
        overall.update(question)
        grown._setup(sizes, counts, overall)
        return grown

    def _model(self, entry: int) -> tuple[float, dict[str, float]]:
        found = self._models.get(entry)
        if found is None:
            n = self._sizes[entry]
            none, gain, k = self._none_by_size[n], {}, self._unseen[n]
            for word, c in sorted(self._counts[entry].items()):
                b = self._background[word]
                p = (c + _PRIOR * b) / (n + _PRIOR)
                none += math.log1p(-p) - math.log1p(-k * b)
                gain[word] = math.log(p) - math.log1p(-p)
            found = self._models[entry] = (none, gain)
        return found

    def log_likelihood(self, message: frozenset[str], entry: int) -> float:
        """The log-likelihood of the message's words under ``entry``'s questions."""
        none, gain = self._model(entry)
        k = self._unseen[self._sizes[entry]]
        terms = [none]
        for word in message:
            known = gain.get(word)
            if known is None:
                b = self._background.get(word)
                if b is None:
                    continue
                known = math.log(k * b) - math.log1p(-k * b)
            terms.append(known)
        return math.fsum(terms)  # the same in every process, whatever the set's order

    def log_odds(self, message: frozenset[str], a: int, b: int) -> float:
        """How much likelier ``a``'s questions make the message than ``b``'s (natural
        log; positive: ``a``)."""
        return self.log_likelihood(message, a) - self.log_likelihood(message, b)

    def fit(self, message: frozenset[str], entry: int) -> float:
        """How much likelier ``entry``'s questions make the message than the FAQ's
        questions taken together (natural log): whether the message looks like this
        entry's phrasings at all, not only more than like a rival's."""
        terms = [self._background_none]
        for word in message:
            b = self._background.get(word)
            if b is not None:
                terms.append(math.log(b) - math.log1p(-b))
        return self.log_likelihood(message, entry) - math.fsum(terms)

    def clear_winner(self, message: frozenset[str], entries: Sequence[int]) -> tuple[int, float]:
        """The position in ``entries`` of the one the message fits best, and by how much
        (log-odds) it beats the next best."""
        likelihoods = [self.log_likelihood(message, e) for e in entries]
        best = max(range(len(entries)), key=likelihoods.__getitem__)
        rest = [x for i, x in enumerate(likelihoods) if i != best]
        return best, likelihoods[best] - max(rest, default=-math.inf)
