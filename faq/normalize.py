"""Chat-text normaliser: slang, honorifics, stretched letters and shop vocabulary to match keys."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import snowballstemmer
import yaml

_MAX_CHARS = 2000  # matching looks at the start of a message; 100 KB pastes stay cheap
_MAX_PHRASE = 4  # longest multi-word lexicon phrase, in tokens
_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\w+")
_STRETCH = re.compile(r"([^\W\d])\1{2,}")  # "bangettt" -> "banget"
_APOSTROPHE = re.compile(r"(?<=\w)['’`](?=\w)")
_NON_WORD = re.compile(r"[^\w&]+")
_REDUPLICATION = re.compile(r"\b(\w{2,})-\1\b")  # "baju-baju" -> "baju"
_DIGIT_ALPHA = re.compile(r"(?<=\d)(?=[^\W\d])|(?<=[^\W\d])(?=\d)")

# IndoCollex rows that are wrong for shop chat (see faq/lexicon/SOURCES.md).
_INDOCOLLEX_SKIP = frozenset(
    {"tf", "jb", "japri", "ok", "hehe", "bro", "ko", "bang", "co", "cs", "admin", "ori", "kw"}
)

FUNCTION = "function"
PLACE = "kota"
NUMBER = "angka"


@dataclass(frozen=True, slots=True)
class Normalized:
    """One message after normalisation.

    Attributes:
        text: the cleaned, slang-expanded text without honorifics (for fuzzy comparison).
        words: the words of ``text``.
        keys: match keys: concept names ("@kirim") or word stems, in order.
        small_talk: which small-talk kinds the message consists of only
            ("greeting", "thanks", "goodbye"), empty when it carries anything else.
        together: the key sets that one word or phrase stands for ("return policy":
            @retur and @refund; "hitam": @warna and @hitam): one idea, not several.
    """

    text: str
    words: tuple[str, ...]
    keys: tuple[str, ...]
    small_talk: frozenset[str] = frozenset()
    together: tuple[frozenset[str], ...] = ()


@dataclass(frozen=True)
class Lexicon:
    """The vocabulary the normaliser works with; extendable by the seller."""

    slang: Mapping[str, tuple[str, ...]]
    concepts: Mapping[tuple[str, ...], tuple[str, ...]]  # phrase (words) -> concept keys
    function_keys: frozenset[str]
    stopwords: frozenset[str]
    honorifics: frozenset[str]
    small_talk: Mapping[tuple[str, ...], str]  # phrase -> greeting | thanks | goodbye
    # places and their regions ("ke Kuching": the Sabah/Sarawak entry): tie-breakers
    place_keys: frozenset[str] = frozenset({"@" + PLACE})
    # every word of the vocabulary's phrases, to undo chat spellings ("luputt", "adminnya")
    known: frozenset[str] = frozenset()
    common: frozenset[str] = frozenset()  # everyday words: not taken for a concept's stem
    things: frozenset[str] = frozenset()  # concept keys of goods and services a shop sells
    # false friends ("kos": cost in Malay, a boarding house in Indonesian): the languages
    # in which a word is no idea of the vocabulary, and the words that tell them apart
    senses: Mapping[str, frozenset[str]] = field(default_factory=dict)
    markers: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Buyers repeat a few messages ("halo kak", "brp ongkir?"): normalising is a pure
    # function of the text and this lexicon, so results are remembered (bounded).
    memo: dict[str, Normalized] = field(default_factory=dict, compare=False, repr=False)

    def extended(
        self, synonyms: Iterable[Sequence[str]] = (), slang: Mapping[str, str] | None = None
    ) -> Lexicon:
        """A copy with the seller's own synonym groups and slang words added."""
        new_slang = dict(self.slang)
        for informal, normal in (slang or {}).items():
            new_slang[fold(informal)] = tuple(fold(normal).split())
        concepts = dict(self.concepts)
        for group in synonyms:
            phrases = [tuple(fold(w).split()) for w in group if fold(w)]
            if not phrases:
                continue
            known = next((concepts[p] for p in phrases if p in concepts), None)
            keys = known or ("@" + "_".join(phrases[0]),)
            for phrase in phrases:
                concepts[phrase] = keys
        lexicon = Lexicon(
            slang=new_slang,
            concepts=_with_stem_forms(concepts, self.common),
            function_keys=self.function_keys,
            stopwords=self.stopwords,
            honorifics=self.honorifics,
            small_talk=self.small_talk,
            place_keys=self.place_keys,
            known=self.known | {w for phrase in concepts for w in phrase},
            common=self.common,
            things=self.things,
            senses=self.senses,
            markers=self.markers,
        )
        return replace(lexicon, concepts=_with_chat_forms(lexicon, (slang or {}).keys()))


def _with_stem_forms(
    concepts: Mapping[tuple[str, ...], tuple[str, ...]],
    common: frozenset[str] = frozenset(),
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Let single-word concept entries also match through their stems, unless the stem is
    a word of its own ("pakaian" -> "pakai" = use, "buatan" -> "buat", "akikah" -> "aki")."""
    result = dict(concepts)
    for phrase, keys in concepts.items():
        if len(phrase) == 1:
            root = stem(phrase[0])
            if root == phrase[0] or (len(root) >= 4 and root not in common):
                result.setdefault((root,), keys)
    return result


_STEMMERS: dict[str, Any] = {}


def stem(word: str) -> str:
    """A language-neutral stem: the Indonesian stemmer, then the English one.

    Both sides of a comparison go through the same function, so an odd stem of a foreign
    word is harmless; what matters is that "pengiriman"/"dikirim"/"kirim" and
    "deliveries"/"delivery" meet. Three guards keep a word from being cut into another
    one: an English word the Indonesian stemmer would change ("meeting" -> "ete",
    "discount" -> "count") is stemmed as English only; a root the vocabulary knows whose
    first letters look like a prefix ("keringat", "pelosok", "sekolah") is kept, also
    inside its derived forms ("keringatan"); and the English stemmer leaves an "-ing"
    ending alone unless the word is English ("banding", "kuning" are Indonesian roots).
    """
    return _stem(word)


def _stemmers() -> tuple[Any, Any]:
    if not _STEMMERS:
        _STEMMERS["id"] = snowballstemmer.stemmer("indonesian")
        _STEMMERS["en"] = snowballstemmer.stemmer("english")
    return _STEMMERS["id"], _STEMMERS["en"]


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    if len(word) <= 3 or not word.isalpha():
        return word
    indonesian, english = _stemmers()
    guards = _stem_guards()
    if word in guards.english:
        stemmed: str = english.stemWord(word)
        return stemmed if len(stemmed) >= 3 else word
    stemmed = indonesian.stemWord(word)
    root = _known_root(word, stemmed, guards.roots)
    if root is not None:
        return root
    restored = _nasal_root(word, stemmed, guards.attested)
    if restored != stemmed:
        return _stem(restored)  # as the root itself is stemmed ("memakai" = "pakai")
    if _final_i_root(word, stemmed, guards.words):
        return stemmed + "i"
    if not stemmed.endswith("ing") or stemmed in guards.english:
        stemmed = _english_stem(stemmed, english.stemWord(stemmed), guards)
    return stemmed if len(stemmed) >= 3 else word


def _final_i_root(word: str, stemmed: str, words: frozenset[str]) -> bool:
    """Whether the Indonesian stemmer took the suffix "-i" off a root that ends in it
    ("pakai" -> "paka", "sesuai" -> "sesua", "dipakai" -> "paka", "sendiri" -> "sendir"):
    the vocabulary knows the root with its "i" and not the cut form. A real "-i" suffix
    leaves a known root ("menyukai" -> "suka", "mengikuti" -> "ikut"), and only an "i"
    the word ends in is given back ("kurs" is no "kursi")."""
    return (
        len(stemmed) >= 3
        and word.endswith("i")
        and stemmed not in words
        and stemmed + "i" in words
    )


def _english_stem(word: str, stemmed: str, guards: _StemGuards) -> str:
    """The English stemmer's ``stemmed`` for ``word``, unless it took a final "s" off an
    Indonesian or Malay root: a word the vocabulary knows as written, ending in a vowel
    and "s", whose English stem or singular it does not know ("kelas", "kulkas", "tulis",
    "ongkos" keep their "s"; "photos", "ideas", "glasses", "cookies", "tips" are plurals)."""
    if (
        word[-2:] in ("as", "is", "os", "us")
        and stemmed != word
        and word in guards.words
        and word not in guards.english
        and stemmed not in guards.words
        and word[:-1] not in guards.words  # "ideas": "idea"
    ):
        return word
    return stemmed


def _known_root(word: str, stemmed: str, roots: Mapping[str, tuple[str, ...]]) -> str | None:
    """The shortest known root that the Indonesian stemmer cut to ``stemmed`` and that
    ``word`` contains ("keringatan" -> "keringat"), if any."""
    return next((r for r in roots.get(stemmed, ()) if r in word), None)


# meN-/peN- drop the first letter of a root that starts with k, t, p or s ("kirim" ->
# "mengirim", "tukar" -> "penukaran", "pakai" -> "pemakaian", "simpan" -> "penyimpanan");
# the Indonesian stemmer cuts the prefix but does not put the letter back ("irim")
_NASAL = (("ng", "k"), ("ny", "s"), ("n", "t"), ("m", "p"))


def _nasal_root(word: str, stemmed: str, attested: frozenset[str]) -> str:
    """``stemmed`` with the letter a nasal prefix dropped put back, when the vocabulary
    knows the word that makes ("pengiriman" -> "irim" -> "kirim")."""
    if not stemmed or stemmed[0] not in "aeiou":
        return stemmed
    prefix = word[: word.find(stemmed)]
    if not prefix.startswith(("me", "pe")):
        return stemmed
    for nasal, letter in _NASAL:
        if prefix.endswith(nasal):
            restored = letter + stemmed
            return restored if restored in attested else stemmed
    return stemmed


@dataclass(frozen=True, slots=True)
class _StemGuards:
    english: frozenset[str]  # English words the Indonesian-first stemming would get wrong
    # known words the Indonesian stemmer cuts into something the vocabulary does not
    # know ("keringat" -> "ringat"): roots, by their cut form, shortest first
    roots: Mapping[str, tuple[str, ...]]
    # the vocabulary's words and their Indonesian stems: what a restored root must be
    attested: frozenset[str]
    words: frozenset[str] = frozenset()  # the vocabulary's words as written


_PARTICLES = frozenset({"lah", "kah", "tah", "pun"})


@lru_cache(maxsize=1)
def _stem_guards() -> _StemGuards:
    english = frozenset(
        line.strip()
        for line in _read_text("english_words.txt").splitlines()
        if line.strip() and not line.startswith("#")
    )
    vocabulary = _vocabulary()
    words = vocabulary.words
    indonesian, _ = _stemmers()
    cuts: dict[str, str] = {w: indonesian.stemWord(w) for w in words if w.isalpha()}
    attested = words | frozenset(cuts.values())
    roots: dict[str, list[str]] = {}
    for word in sorted(cuts, key=lambda w: (len(w), w)):
        if len(word) <= 3 or word in english:
            continue
        cut = cuts[word]
        if _nasal_root(word, cut, attested) != cut:
            continue
        # only a prefix or a particle cut off: a derivational suffix ("tempahan" ->
        # "tempah") is a real derivation even when its root is not listed
        cut_prefix = word.endswith(cut)
        cut_particle = word.startswith(cut) and word[len(cut) :] in _PARTICLES
        if cut != word and cut not in words and (cut_prefix or cut_particle):
            roots.setdefault(cut, []).append(word)
    return _StemGuards(
        english, {cut: tuple(found) for cut, found in roots.items()}, attested, words
    )


def fold(text: str) -> str:
    """Unicode-fold and lower-case; keep letters, digits and single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _APOSTROPHE.sub("", text)
    text = _REDUPLICATION.sub(r"\1", text)
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    text = _STRETCH.sub(r"\1", text)
    text = _DIGIT_ALPHA.sub(" ", text)
    return " ".join(_NON_WORD.sub(" ", text).replace("_", " ").split())


def _read_text(name: str) -> str:
    return resources.files("faq.lexicon").joinpath(name).read_text(encoding="utf-8")


def _read_tsv(name: str) -> dict[str, tuple[str, ...]]:
    pairs: dict[str, tuple[str, ...]] = {}
    for line in _read_text(name).splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        informal, normal = line.split("\t", 1)
        key = fold(informal)
        if key and " " not in key:
            pairs[key] = tuple(fold(normal).split())
    return pairs


@dataclass(frozen=True)
class _Vocabulary:
    """The built-in word lists, read once (before any stem is taken)."""

    data: Mapping[str, Any]  # concepts.yaml
    slang: Mapping[str, tuple[str, ...]]
    concepts: Mapping[tuple[str, ...], tuple[str, ...]]  # phrase -> concept keys
    regions: Mapping[str, Any]
    stopwords: frozenset[str]
    common: frozenset[str]
    own_slang: frozenset[str] = frozenset()  # slang.tsv's words (not IndoCollex's)

    @property
    def words(self) -> frozenset[str]:
        """Every word the vocabulary knows as written (not slang spellings)."""
        return frozenset(w for phrase in self.concepts for w in phrase) | self.common


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    slang = {k: v for k, v in _read_tsv("indocollex.tsv").items() if k not in _INDOCOLLEX_SKIP}
    # IndoCollex also "translates" English words; keep only rows that shorten or respell.
    slang = {
        k: v
        for k, v in slang.items()
        if not (len(v) == 1 and v[0].isascii() and k.isalpha() and len(k) > len(v[0]) + 3)
    }
    own_slang = _read_tsv("slang.tsv")
    slang.update(own_slang)
    data = yaml.safe_load(_read_text("concepts.yaml"))
    # Japri's own words win over IndoCollex, which also rewrites English ("it" -> "itu").
    own_words = {
        fold(str(w))
        for kind in ("stopwords", "greetings", "thanks", "goodbyes")
        for w in data[kind]
    }
    own_words.update(fold(str(w)) for group in data["concepts"].values() for w in group)
    own_words.update(fold(str(w)) for group in data["function_words"].values() for w in group)
    shop = yaml.safe_load(_read_text("shop_concepts.yaml"))
    own_words.update(fold(str(w)) for group in shop.values() for w in group if " " not in str(w))
    for word in own_words:
        if word in slang and word not in own_slang:
            del slang[word]

    concepts: dict[tuple[str, ...], tuple[str, ...]] = {}

    def add(phrase: str, keys: tuple[str, ...]) -> None:
        words = tuple(fold(str(phrase)).split())
        if words:
            old = concepts.get(words, ())
            concepts[words] = old + tuple(k for k in keys if k not in old)

    for name, words in {**data["concepts"], **data["function_words"]}.items():
        for word in words:
            add(word, ("@" + name,))
    # The broad cross-language vocabulary: a phrase already listed keeps its meaning.
    for name, words in yaml.safe_load(_read_text("shop_concepts.yaml")).items():
        for word in words:
            if tuple(fold(str(word)).split()) not in concepts:
                add(word, ("@" + name,))
    for names, words in data["compounds"].items():
        for word in words:
            add(word, tuple("@" + n for n in names.split()))
    for word in data["places"]:
        add(word, ("@" + PLACE,))
    regions = yaml.safe_load(_read_text("regions.yaml"))
    for region, places in regions.items():
        for word in places:
            add(word, ("@" + PLACE, "@" + region))

    # everyday words (what slang expands to, and filler): a concept's stem that is one of
    # them is a different word ("pakaian" -> "pakai")
    stopwords = frozenset(fold(str(w)) for w in data["stopwords"])
    common = frozenset(w for normal in slang.values() for w in normal) | stopwords
    return _Vocabulary(data, slang, concepts, regions, stopwords, common, frozenset(own_slang))


@dataclass(frozen=True, slots=True)
class LanguageWords:
    """The chat words that tell Indonesian, Malay and English apart (languages.yaml): the
    one list the normaliser reads a false friend's language from and the engine guesses
    the reply language with (``flows.language``)."""

    markers: Mapping[str, frozenset[str]]  # "id", "ms": words only that language uses in chat
    # "id", "ms": words mostly that language's in chat, which the other writes too: they
    # count for the reply language, never for a false friend's meaning
    leaning: Mapping[str, frozenset[str]]
    both: frozenset[str]  # Indonesian and Malay alike: not English, but neither one
    english: frozenset[str]


@lru_cache(maxsize=1)
def language_words() -> LanguageWords:
    """Japri's built-in language words (faq/lexicon/languages.yaml), folded."""
    data = yaml.safe_load(_read_text("languages.yaml"))

    def words(listed: str) -> frozenset[str]:
        return frozenset(fold(w) for w in listed.split())

    return LanguageWords(
        markers={lang: words(listed) for lang, listed in data["markers"].items()},
        leaning={lang: words(listed) for lang, listed in data["leaning"].items()},
        both=words(data["both"]),
        english=words(data["en"]),
    )


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """Japri's built-in lexicon (IndoCollex + Japri's own slang and shop vocabulary)."""
    vocabulary = _vocabulary()
    data, concepts, common = vocabulary.data, vocabulary.concepts, vocabulary.common
    senses = yaml.safe_load(_read_text("senses.yaml"))
    small_talk: dict[tuple[str, ...], str] = {}
    for kind, key in (("greetings", "greeting"), ("thanks", "thanks"), ("goodbyes", "goodbye")):
        for word in data[kind]:
            small_talk[tuple(fold(str(word)).split())] = key

    lexicon = Lexicon(
        slang=vocabulary.slang,
        concepts=_with_stem_forms(concepts, common),
        function_keys=frozenset("@" + n for n in data["function"]),
        stopwords=vocabulary.stopwords,
        honorifics=frozenset(fold(str(w)) for w in data["honorifics"]),
        small_talk=small_talk,
        place_keys=frozenset({"@" + PLACE, *("@" + r for r in vocabulary.regions)}),
        known=frozenset(w for phrase in concepts for w in phrase),
        common=common,
        things=frozenset("@" + n for n in data["things"]),
        senses={fold(w): frozenset(langs) for w, langs in senses["senses"].items()},
        markers=language_words().markers,
    )
    return replace(lexicon, concepts=_with_chat_forms(lexicon, vocabulary.own_slang))


def _with_chat_forms(
    lexicon: Lexicon, own: Iterable[str]
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """The concepts, with each phrase also as a message reads after slang expansion:
    messages are matched once their slang is expanded, so "bayar kat posmen" must also be
    listed as "bayar di posmen", "ambik sendiri" as "ambil sendiri". Only for Japri's own
    and the seller's slang (IndoCollex also "translates" English: "up" -> "atas"), only
    when its words alone do not already say the phrase's ideas ("no pork" read "tidak
    pork" is @tidak @halal anyway, "gratis ongkir" read "gratis ongkos kirim" says more
    than the phrase's @gratis), and only phrases of several words: a single word that
    is itself slang is looked up before it is expanded."""
    concepts = dict(lexicon.concepts)
    own = frozenset(fold(w) for w in own) | _vocabulary().own_slang
    for phrase, keys in lexicon.concepts.items():
        if len(phrase) < 2 or any(w in lexicon.slang and w not in own for w in phrase):
            continue
        read = expand_slang(" ".join(phrase), lexicon)
        if len(read) < 2 or read == phrase or read in concepts:
            continue
        if not set(keys) <= set(_normalize(" ".join(read), lexicon).keys):
            concepts[read] = keys
    return concepts


def expand_slang(text: str, lexicon: Lexicon) -> tuple[str, ...]:
    """Fold the text and replace slang words; honorifics are dropped."""
    words: list[str] = []
    raw = fold(_URL.sub(" ", text[:_MAX_CHARS])).split()
    skip = False
    for index, word in enumerate(raw):
        if skip:
            skip = False
            continue
        if word in lexicon.honorifics:
            if word in _BOSSES and index + 1 < len(raw) and raw[index + 1] in _OWNED:
                # "tuan kedai", "bos toko" (but "kak, tokonya di mana?" asks for the shop)
                words.append("pemilik")
                skip = True
            continue
        if word == "no" and index > 0 and raw[index - 1] in _NUMBERED:
            words.append("number")  # English order: "tracking no", "phone no"
            continue
        if word == "no" and not _numbered(raw, index):
            # "no pork", "no reply": "no" before a word negates it; a bare "no" (an answer,
            # "no thanks") stays itself
            after = raw[index + 1] if index + 1 < len(raw) else ""
            negates = (
                after
                and after not in lexicon.stopwords
                and not any(phrase[0] == after for phrase in lexicon.small_talk)
            )
            words.append("tidak" if negates else word)
            continue
        measure = _BODY_MEASURES.get(word)
        if measure and index + 1 < len(raw) and raw[index + 1][:1].isdigit():
            words.extend(measure)  # "BB 70", "tb 160cm": a body measure, not "sayang"
            continue
        if word == "dia" and words and words[-1] not in lexicon.stopwords:
            continue  # Malay "warna dia" = "warnanya": its, so "warna dia lari" = "warna lari"
        words.extend(lexicon.slang.get(word) or _chat_form(word, lexicon))
    return tuple(words)


# Sizes are asked with body measures, shortened before their number: "BB 70", "TB 160",
# "LD 96 cm" (berat / tinggi badan, lingkar dada / pinggang). Alone, "bb" is chat for
# "sayang" (IndoCollex) and "tb" for "tiba".
_BODY_MEASURES = {
    "bb": ("berat", "badan"),
    "tb": ("tinggi", "badan"),
    "ld": ("lingkar", "dada"),
    "lp": ("lingkar", "pinggang"),
}


def _chat_form(word: str, lexicon: Lexicon) -> tuple[str, ...]:
    """A word that is no slang entry, in the vocabulary's spelling: a chat spelling of a
    known word undone (see ``_without_nya``), else a Jakarta verb form reduced to the
    root the vocabulary knows (see ``_colloquial_root``)."""
    spelled = _without_nya(word, lexicon)
    if spelled != word or word in lexicon.known or word in lexicon.common:
        return (spelled,)
    return _colloquial_root(word, lexicon) or (word,)


# Jakarta chat builds verbs with a bare nasal prefix and the suffix "-in" where standard
# Indonesian has meN- and -kan/-i: "ngurangin" = mengurangi, "nyimpen" = menyimpan,
# "dibekuin" = dibekukan. The nasal swallows the root's first k, s, c, t or p, as meN-
# does ("ngurangin" <- kurang, "nyobain" <- coba); "nge-" goes before a root that keeps
# its letters ("ngecas"). (prefix, letters it may have swallowed)
_CHAT_PREFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("nge", ("",)),
    ("ng", ("", "k")),
    ("ny", ("s", "c")),
    ("di", ("",)),
    ("ke", ("",)),
    ("m", ("p",)),
    ("n", ("t",)),
    ("", ("",)),
)
# without "-in" only these mark a chat verb: Jakarta's bare nasal (the standard meN- and
# di-/ke- forms are the stemmer's), or di-/ke- before a chat spelling ("dianter", "kepake")
_BARE_PREFIXES = frozenset({"nge", "ng", "ny", "di", "ke"})


def _colloquial_root(word: str, lexicon: Lexicon) -> tuple[str, ...] | None:
    """The root of a Jakarta verb form the vocabulary does not know as a whole, when the
    vocabulary knows the root: "ngurangin" -> "kurang", "dibekuin" -> "beku", "nyobain"
    -> "coba", "dianter" -> "antar" (a slang root is expanded). A root must be a content
    word of 4+ letters: "within" is not "with" + "-in"."""
    if len(word) < 5 or not word.isalpha():
        return None
    if word.endswith("nya") and len(word) > 7:
        word = word[:-3]
    suffixed = word.endswith("in") and len(word) >= 6
    for prefix, letters in _CHAT_PREFIXES:
        if not word.startswith(prefix):
            continue
        rest = word[len(prefix) :]
        stems = [rest[:-2]] if suffixed else []
        if prefix in _BARE_PREFIXES:
            stems.append(rest)
        for body in stems:
            for letter in letters:
                # di-/ke- before a known root are the stemmer's ("kering" is no ke- + ring)
                slang_only = not suffixed and prefix in ("di", "ke")
                root = _chat_root(letter + body, lexicon, suffixed, slang_only)
                if root is not None:
                    return root
    return None


def _chat_root(
    root: str, lexicon: Lexicon, suffixed: bool, slang_only: bool
) -> tuple[str, ...] | None:
    """``root`` as the vocabulary writes it, if it is a content word it knows. Without the
    "-in" a slang root must be a respelling ("anter" = "antar", "pake" = "pakai"), not a
    translation of an English word ("dishes" is not di- + "shes" = "she's")."""
    if len(root) < 4 or root in lexicon.stopwords:
        return None
    standard = _standard_vowel(root, lexicon)  # "nyimpen" -> "simpen" -> "simpan"
    if not slang_only and (standard in lexicon.known or standard in lexicon.common):
        return (standard,)
    normal = lexicon.slang.get(root)
    if normal and (suffixed or (len(normal) == 1 and normal[0][:2] == root[:2])):
        return normal
    return None
    if root in lexicon.slang:
        return lexicon.slang[root]
    if slang_only:
        return None
    standard = _standard_vowel(root, lexicon)  # "nyimpen" -> "simpen" -> "simpan"
    if standard in lexicon.known or standard in lexicon.common:
        return (standard,)
    return None


def _without_nya(word: str, lexicon: Lexicon) -> str:
    """A chat spelling of a word the vocabulary knows, undone so phrases and signals see
    the word itself: the possessive suffix ("adminnya" -> "admin", "transfernya") and a
    doubled last letter ("luputt" -> "luput", "tokoo" -> "toko")."""
    if word in lexicon.known:
        return word
    if len(word) > 5 and word.endswith("nya"):
        base = word[:-3]
        if base in lexicon.known or base in lexicon.slang or base in lexicon.stopwords:
            return base
    if len(word) > 3 and word[-1] == word[-2] and word[:-1] in lexicon.known:
        return word[:-1]
    return _standard_vowel(word, lexicon)


_LAST_E = re.compile(r"^([a-z]*[aiou][a-z]*?|[a-z]*[^aeiou]e[^aeiou]+)e([^aeiou]+)$")


def _standard_vowel(word: str, lexicon: Lexicon) -> str:
    """Jakarta chat writes the last syllable's "a" as "e" ("keringet", "dateng", "pesen",
    "males"): the standard spelling, when the vocabulary knows it and not the
    chat one."""
    if len(word) < 5 or word in lexicon.common:
        return word
    found = _LAST_E.match(word)
    if found is None:
        return word
    standard = f"{found.group(1)}a{found.group(2)}"
    return standard if standard in lexicon.known or standard in lexicon.common else word


# After a form of address for a boss these name the shop's owner: "tuan kedai", "bos
# toko"; after "kak", "sis" or "min" the buyer addresses the seller and asks about the shop.
_BOSSES = frozenset("tuan puan encik bos boss bosku juragan pak bapak bu ibu".split())
_OWNED = frozenset("kedai toko butik kedainya tokonya butiknya olshop usaha".split())

# What shop chat numbers with "no" (Indonesian and Malay "no rek", "no hp", "no tel";
# English "phone no", "tracking no"): accounts, phones, parcels, orders, documents, and
# the people one calls
_NUMBERED = frozenset(
    "rek rekening norek hp hape handphone wa whatsapp telp telpon telepon tlp tel telefon "
    "fon phone contact resi tracking parcel pesanan order invoice inv ref rujukan antrian "
    "antrean akun akaun acc account ktp ic va kad card siri serial admin owner cs seller "
    "penjual kurir posmen toko kedai pirt bpom reg registrasi sertifikat sijil".split()
)


def _numbered(raw: Sequence[str], index: int) -> bool:
    """Whether the "no" at ``index`` is a number ("no rek", "no 5"), not the English
    "no"."""
    after = raw[index + 1] if index + 1 < len(raw) else ""
    return after in _NUMBERED or after.isdigit()


def normalize(text: str, lexicon: Lexicon | None = None) -> Normalized:
    """Turn a buyer's message (or an FAQ question) into match keys."""
    lex = lexicon or default_lexicon()
    known = lex.memo.get(text)
    if known is None:
        known = _normalize(text, lex)
        if len(lex.memo) >= _MEMO_SIZE:
            lex.memo.clear()
        lex.memo[text] = known
    return known


_MEMO_SIZE = 8192


def _language(text: str, markers: Mapping[str, frozenset[str]]) -> str | None:
    """The one language whose chat markers the message uses, if only one's ("gak", "aja"
    are Indonesian; "tak", "nak" Malay)."""
    if not markers:
        return None
    words = set(fold(text[:_MAX_CHARS]).split())
    found = [lang for lang, marks in markers.items() if words & marks]
    return found[0] if len(found) == 1 else None


def _normalize(text: str, lex: Lexicon) -> Normalized:
    words = expand_slang(text, lex)
    language = _language(text, lex.markers) if lex.senses.keys() & set(words) else None
    keys: list[str] = []
    together: set[frozenset[str]] = set()
    talk: set[str] = set()
    content = False
    i = 0
    while i < len(words):
        span, matched = _longest_phrase(words, i, lex.small_talk)
        if matched is not None and not _longest_phrase(words, i, lex.concepts)[0] > span:
            talk.add(matched)
            i += span
            continue
        span, concept = _longest_phrase(words, i, lex.concepts)
        if span == 1 and language in lex.senses.get(words[i], ()):
            keys.append(words[i])  # a false friend: "no kompor di kos" is no cost
            content = True
            i += 1
            continue
        if concept is not None:
            keys.extend(concept)
            if len(concept) > 1:
                together.add(frozenset(concept))
            content = content or any(k not in lex.function_keys for k in concept)
            i += span
            continue
        word = words[i]
        i += 1
        if word in lex.stopwords:
            continue
        if word.isdigit():
            if len(word) <= 4:  # sizes, quantities; longer runs are order or phone numbers
                keys.append("@" + NUMBER)
            continue
        stemmed = stem(word)
        concept = lex.concepts.get((stemmed,))
        if concept is not None:
            keys.extend(concept)
            if len(concept) > 1:
                together.add(frozenset(concept))
            content = content or any(k not in lex.function_keys for k in concept)
        elif len(word) > 1:
            keys.append(stemmed)
            content = True
    small_talk = frozenset(talk) if not content else frozenset()
    return Normalized(
        text=" ".join(words),
        words=words,
        keys=tuple(keys),
        small_talk=small_talk,
        together=tuple(sorted(together, key=sorted)),
    )


def _longest_phrase(
    words: Sequence[str], start: int, table: Mapping[tuple[str, ...], Any]
) -> tuple[int, Any]:
    for span in range(min(_MAX_PHRASE, len(words) - start), 0, -1):
        found = table.get(tuple(words[start : start + span]))
        if found is not None:
            return span, found
    return 0, None
