"""The seller's own handoff words (``handoff_words:`` in the FAQ): phrases that mean "a person"."""

from __future__ import annotations

from faq.model import Faq
from faq.normalize import normalize


def says_handoff_word(text: str, faq: Faq) -> bool:
    """Whether the message holds one of the seller's handoff words, as whole words, after
    the same slang expansion both sides get ("org admin" matches "orang admin").

    ``flows.faq.decide`` counts it as a request for a person.
    """
    if not faq.handoff_words:
        return False
    lexicon = faq.matcher.lexicon
    said = f" {normalize(text, lexicon).text} "
    for phrase in faq.handoff_words:
        wanted = normalize(phrase, lexicon).text
        if wanted and f" {wanted} " in said:
            return True
    return False
