"""Jakarta verb forms and stemmer edge cases: a chat word meets the word it stands for."""

from __future__ import annotations

import pytest

from faq.normalize import default_lexicon, language_words, normalize, stem


@pytest.mark.parametrize(
    ("chat", "standard"),
    [
        ("ngirimin", "kirim"),  # ng- swallowed the k, -in for -kan
        ("ngurangin", "mengurangi"),  # ng- + kurang + -in
        ("dibekuin", "dibekukan"),  # di- + beku + -in
        ("dicairin", "dicairkan"),
        ("nyimpen", "menyimpan"),  # ny- swallowed the s; Jakarta "e" for "a"
        ("ngukus", "mengukus"),  # bare nasal, no suffix
        ("dijualin", "dijual"),
        ("dianter", "diantar"),  # di- before a chat spelling ("anter" = "antar")
    ],
)
def test_a_jakarta_verb_form_meets_its_standard_form(chat: str, standard: str) -> None:
    assert normalize(chat).keys == normalize(standard).keys


@pytest.mark.parametrize(
    "word",
    [
        "within",  # not with + -in
        "protein",
        "kering",  # dry: not ke- + "ring"
        "dishes",  # not di- + "shes" (she's)
        "margin",
    ],
)
def test_words_that_only_look_like_chat_verbs_stay_as_written(word: str) -> None:
    assert normalize(word).words == (word,)


@pytest.mark.parametrize(
    "forms",
    [
        ["pakai", "memakai", "dipakai", "pemakaian"],  # the root keeps its final "i"
        ["sesuai", "disesuaikan"],
        ["mulai", "dimulai"],
        ["sendiri", "tersendiri"],  # after a consonant too
    ],
)
def test_a_root_ending_in_vowel_and_i_keeps_it(forms: list[str]) -> None:
    assert {stem(w) for w in forms} == {forms[0]}


def test_a_real_i_suffix_is_still_taken_off() -> None:
    assert stem("menyukai") == "suka"
    assert stem("kurs") != stem("kursi")  # only an "i" the word ends in is given back


@pytest.mark.parametrize("word", ["paling", "banding", "miring"])
def test_an_indonesian_word_english_also_spells_is_indonesian(word: str) -> None:
    assert stem(word) == word  # not "pale", "band", "mire"


@pytest.mark.parametrize("word", ["kelas", "kulkas", "tulis", "ongkos", "habis", "gratis"])
def test_an_indonesian_word_ending_in_s_is_no_english_plural(word: str) -> None:
    assert stem(word) == word


@pytest.mark.parametrize(
    ("plural", "singular"),
    [("photos", "photo"), ("glasses", "glass"), ("cookies", "cookie"), ("prices", "price")],
)
def test_english_plurals_still_meet_their_singular(plural: str, singular: str) -> None:
    assert stem(plural) == stem(singular)


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("ada yang no sugar?", True),  # "no" before a word: without it
        ("no msg kan?", True),
        ("no rekening bca berapa", False),  # a number
        ("rumah saya no 12", False),
        ("no thanks", False),  # an answer, not a negation
        ("no", False),
    ],
)
def test_no_before_a_word_negates_it(text: str, negated: bool) -> None:
    assert ("@tidak" in normalize(text).keys) is negated


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        ("boleh bagi tracking no?", "boleh bagi tracking number?"),  # English word order
        ("send me your phone no", "send me your phone number"),
    ],
)
def test_no_after_what_is_numbered_is_its_number(text: str, same_as: str) -> None:
    assert normalize(text).keys == normalize(same_as).keys


@pytest.mark.parametrize(
    ("text", "owner"),
    [
        ("nak jumpa tuan kedai", True),
        ("bos tokonya ada?", True),
        ("kak tokonya di mana?", False),  # the buyer addresses the seller
        ("sis kedai buka pukul berapa?", False),
    ],
)
def test_only_a_boss_before_the_shop_is_its_owner(text: str, owner: bool) -> None:
    assert ("pemilik" in normalize(text).words) is owner


@pytest.mark.parametrize(
    ("text", "cost"),
    [
        ("kos pos ke sabah berapa?", True),  # a phrase keeps its meaning
        ("kos dia berapa tak?", True),  # Malay: the cost
        ("berapa kos?", True),  # no language marker: the listed idea
        ("aku anak kos, bisa kirim ke kosan ga?", False),  # Indonesian: a boarding house
        ("ga ada kompor di kos", False),
        ("mau cari kos yang dekat kampus", False),  # "mau": Indonesian chat
        ("kak ada info kos murah di KL ga?", False),  # a place is no language marker
    ],
)
def test_a_false_friend_takes_the_meaning_of_the_message_language(text: str, cost: bool) -> None:
    assert ("@biaya" in normalize(text).keys) is cost


@pytest.mark.parametrize(
    ("text", "free"),
    [
        ("pos percuma tak?", True),
        ("percuma beli kalau gampang rusak gitu", False),
        # "ni" leans Malay, but Indonesian chat writes it too: "udah" settles it
        ("percuma udah beli ni", False),
        ("dah beli ni, percuma tak ongkirnya?", True),  # "tak" is Malay only
    ],
)
def test_percuma_is_free_only_in_malay(text: str, free: bool) -> None:
    assert ("@gratis" in normalize(text).keys) is free


@pytest.mark.parametrize(
    ("text", "pick_up"),
    [
        ("bisa jemput di stasiun?", True),
        ("jemput datang rumah esok petang", False),  # Malay ("esok", "petang"): to invite
    ],
)
def test_jemput_is_picking_up_only_in_indonesian(text: str, pick_up: bool) -> None:
    assert ("@ambil" in normalize(text).keys) is pick_up


def test_the_false_friends_language_is_read_from_the_shared_chat_words() -> None:
    words = language_words()
    assert default_lexicon().markers == words.markers
    assert not words.markers["id"] & words.markers["ms"]
    assert not default_lexicon().senses.keys() & (words.markers["id"] | words.markers["ms"])
    leaning = words.leaning["id"] | words.leaning["ms"]
    assert not leaning & (words.markers["id"] | words.markers["ms"] | words.both)


@pytest.mark.parametrize(
    ("text", "idea"),
    [
        ("boleh bayar kat posmen?", "@cod"),  # listed as "bayar kat posmen"; "kat" -> "di"
        ("sy nak ambik sendiri", "@ambil"),  # listed as "ambik sendiri"; "ambik" -> "ambil"
    ],
)
def test_a_phrase_written_with_slang_is_found_after_the_slang_is_expanded(
    text: str, idea: str
) -> None:
    assert idea in normalize(text).keys


def test_a_phrase_read_through_slang_keeps_what_its_words_say() -> None:
    # "gratis ongkir" is listed as @gratis, but read "gratis ongkos kirim" says more
    assert {"@gratis", "@kirim", "@biaya"} <= set(normalize("ada gratis ongkir?").keys)


@pytest.mark.parametrize(
    ("words", "concept"),
    [
        (["makanan", "makan", "food", "eat"], "@makanan"),
        (["simpan", "penyimpanan", "storage", "ditaruh", "ditaro"], "@simpan"),
        (["renyah", "rangup", "crispy", "kriuk"], "@renyah"),
        (["level", "tahap", "tingkat"], "@level"),
        (["antar", "dianter", "hantar", "deliver"], "@kirim"),
        (["ironless", "non iron", "wrinkle free"], "@setrika"),
        (["maroon", "marun", "burgundy"], "@maroon"),
        (["ungu", "purple", "lilac"], "@ungu"),
        (["restok", "restock"], "@stok"),
        (["posmen", "postman"], "@kurir"),
        (["pakai", "guna", "use", "menggunakan"], "@pakai"),
        (["foto", "gambar", "picture", "pic"], "@foto"),
        (["labuh", "tutup dada", "cover chest"], "@labuh"),
        (["mesra", "friendly"], "@mesra"),
        (["jahitan", "stitching", "seam"], "@jahitan"),
        (["rumahan", "homemade", "buatan rumah"], "@rumahan"),
    ],
)
def test_everyday_shop_words_in_three_languages(words: list[str], concept: str) -> None:
    for word in words:
        assert concept in normalize(word).keys, word


@pytest.mark.parametrize("word", ["keep", "oren", "store"])
def test_a_word_with_two_shop_meanings_is_left_out(word: str) -> None:
    # "how long does it keep" (lasts) / "keep it in the freezer" (store); "oren": orange
    # or the marketplace's nickname; "store": a shop or to store
    assert "@simpan" not in normalize(word).keys
    assert "@oren" not in normalize(word).keys


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        ("warna dia lari tak?", "warna lari tak?"),  # Malay "warna dia" = its colour
        ("harga dia berapa?", "harganya berapa?"),
    ],
)
def test_malay_dia_after_a_noun_is_its(text: str, same_as: str) -> None:
    assert normalize(text).keys == normalize(same_as).keys


def test_dia_alone_is_still_a_pronoun() -> None:
    assert normalize("dia dah sampai ke?").words[0] == "dia"


@pytest.mark.parametrize(
    ("message", "question"),
    [
        ("can i refreeze it?", "boleh dibekukan ulang?"),  # freezing again, not freezing
        ("kotaknya kena bayar lagi ke?", "ada biaya tambahan?"),  # an extra charge
        ("how much is shipping to bali?", "ongkir ke bali berapa?"),
        ("bila buka tempahan?", "kapan buka pesanan?"),  # the order window opens
        ("bayar pas nyampe boleh?", "bisa cod?"),  # paying when it arrives
    ],
)
def test_a_buyer_phrase_meets_the_seller_phrase(message: str, question: str) -> None:
    message_keys = set(normalize(message).keys)
    question_keys = {k for k in normalize(question).keys if k not in {"@berapa", "@kapan"}}
    assert question_keys - {"@bisa", "@ada", "@kota"} <= message_keys


def test_a_garments_seams_are_not_the_tailoring_trade() -> None:
    assert "@jahit" not in normalize("jahitan bajunya kemas tak?").keys
    assert "@jahit" in normalize("ada kedai jahit dekat sini?").keys


@pytest.mark.parametrize(
    ("text", "idea"),
    [
        ("kalau simpan seminggu bakal basi ga?", "@awet"),  # asks how long it keeps
        ("risolnya udah basi pas sampai", "@basi"),  # reports that it spoiled
    ],
)
def test_will_it_spoil_asks_how_long_it_keeps(text: str, idea: str) -> None:
    assert idea in normalize(text).keys


def test_home_made_is_not_the_house() -> None:
    assert "rumah" not in normalize("dimsum rumahan ya?").keys  # made at home
    assert "rumah" in normalize("rumahnya di mana?").keys  # where the house is


def test_stocking_up_is_not_the_shops_stock() -> None:
    assert "@stok" not in normalize("beli 10 buat stok sebulan").keys
    assert "@stok" in normalize("stok masih ada?").keys


@pytest.mark.parametrize(
    ("chat", "standard"),
    [
        ("bb 70 muat?", "berat badan 70 muat?"),
        ("TB 160 BB 55", "tinggi badan 160 berat badan 55"),
        ("ld 96cm", "lingkar dada 96cm"),
        ("lp 80 pas ga", "lingkar pinggang 80 pas ga"),
    ],
)
def test_a_body_measure_before_its_number_is_that_measure(chat: str, standard: str) -> None:
    assert normalize(chat).keys == normalize(standard).keys


def test_without_a_number_the_same_letters_are_chat() -> None:
    assert normalize("makasih bb").keys != normalize("makasih berat badan").keys
