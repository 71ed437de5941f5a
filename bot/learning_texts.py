"""What the inbox's "Saran FAQ" page says, in the shop's language (issue 12)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from faq.impact import SideEffect

SARAN_PAGE_TEXTS: Mapping[str, Mapping[str, str]] = {
    "id": {
        "title": "Saran FAQ",
        "intro": "Pertanyaan pembeli yang belum dijawab bot, dikelompokkan. Terima untuk "
        "menambahkannya ke FAQ; bot langsung memakainya.",
        "none": "Belum ada saran. Bot menjawab semua pertanyaan yang tercatat.",
        "add_question": "Tambahkan sebagai pertanyaan dari “{entry}”",
        "new_entry": "Entri baru",
        "add_handoff_word": "Tambahkan ke kata untuk memanggil admin",
        "buyers": "{n} pembeli",
        "examples": "Ditanyakan juga:",
        "question": "Pertanyaan",
        "phrase": "Kata-kata",
        "answer": "Jawaban",
        "seller_answered": "Jawaban penjual dipakai sebagai draf.",
        "accept": "Terima",
        "dismiss": "Abaikan",
        "done": "✅ FAQ diperbarui ({entry}); bot sudah memakainya.",
        "already": "FAQ sudah berisi ini.",
        "dismissed": "Saran diabaikan; tidak akan muncul lagi.",
        "refused": "FAQ tidak diubah:",
        "need_answer": "Entri baru perlu jawaban: tulis jawabannya dulu, lalu Terima.",
        "gone": "Saran ini sudah tidak ada (sudah diterima atau diabaikan).",
        "pairs_title": "Entri yang sering tertukar",
        "pairs_intro": "Pembeli sering memilih di antara dua entri ini. Tulis pembedanya di "
        "pertanyaan atau judul masing-masing, supaya bot tidak bertanya balik.",
        "pair": "Pembeli sering bingung antara “{a}” dan “{b}”",
        "pair_undecided": "{n} pertanyaan mereka masih dijawab “maksudnya yang mana?” atau "
        "dengan entri yang lain.",
        "side": "{n} pembeli maksudnya “{entry}”",
        "side_words": "Pembeli yang maksudnya “{entry}” menulis: {words}",
        "unsure": "{n} pembeli bertanya dengan kata-kata yang cocok untuk keduanya, tanpa "
        "memilih.",
        "more_pairs": "… dan {n} pasangan lain.",
    },
    "ms": {
        "title": "Saran FAQ",
        "intro": "Soalan pembeli yang belum dijawab bot, dikumpulkan. Terima untuk "
        "menambahnya ke FAQ; bot terus menggunakannya.",
        "none": "Tiada cadangan. Bot menjawab semua soalan yang direkodkan.",
        "add_question": "Tambah sebagai soalan bagi “{entry}”",
        "new_entry": "Entri baharu",
        "add_handoff_word": "Tambah kepada perkataan untuk panggil admin",
        "buyers": "{n} pembeli",
        "examples": "Turut ditanya:",
        "question": "Soalan",
        "phrase": "Perkataan",
        "answer": "Jawapan",
        "seller_answered": "Jawapan penjual digunakan sebagai draf.",
        "accept": "Terima",
        "dismiss": "Abaikan",
        "done": "✅ FAQ dikemas kini ({entry}); bot sudah menggunakannya.",
        "already": "FAQ sudah mengandungi ini.",
        "dismissed": "Cadangan diabaikan; tidak akan muncul lagi.",
        "refused": "FAQ tidak diubah:",
        "need_answer": "Entri baharu perlu jawapan: tulis jawapannya dahulu, kemudian Terima.",
        "gone": "Cadangan ini sudah tiada (sudah diterima atau diabaikan).",
        "pairs_title": "Entri yang selalu tertukar",
        "pairs_intro": "Pembeli selalu memilih antara dua entri ini. Tulis perbezaannya dalam "
        "soalan atau tajuk setiap satu, supaya bot tidak bertanya semula.",
        "pair": "Pembeli selalu keliru antara “{a}” dan “{b}”",
        "pair_undecided": "{n} soalan mereka masih dijawab “yang mana satu?” atau dengan entri "
        "yang lain.",
        "side": "{n} pembeli maksudkan “{entry}”",
        "side_words": "Pembeli yang maksudkan “{entry}” menulis: {words}",
        "unsure": "{n} pembeli bertanya dengan perkataan yang sesuai untuk kedua-duanya, tanpa "
        "memilih.",
        "more_pairs": "… dan {n} pasangan lain.",
    },
    "en": {
        "title": "FAQ suggestions",
        "intro": "Buyers' questions the bot could not answer, grouped. Accept one to add it "
        "to the FAQ; the bot uses it right away.",
        "none": "No suggestions yet. The bot answered every recorded question.",
        "add_question": "Add as a question of “{entry}”",
        "new_entry": "New entry",
        "add_handoff_word": "Add to the ways of asking for a person",
        "buyers": "{n} buyers",
        "examples": "Also asked:",
        "question": "Question",
        "phrase": "Phrase",
        "answer": "Answer",
        "seller_answered": "A seller's answer is the draft.",
        "accept": "Accept",
        "dismiss": "Dismiss",
        "done": "✅ FAQ updated ({entry}); the bot uses it now.",
        "already": "The FAQ has this already.",
        "dismissed": "Dismissed; it will not be suggested again.",
        "refused": "The FAQ was not changed:",
        "need_answer": "A new entry needs an answer: write it first, then Accept.",
        "gone": "This suggestion is gone (accepted or dismissed already).",
        "pairs_title": "Entries buyers mix up",
        "pairs_intro": "Buyers keep choosing between these two entries. Write what sets them "
        "apart in each one's questions or title, so the bot stops asking which one.",
        "pair": "Buyers often mix up “{a}” and “{b}”",
        "pair_undecided": "{n} of their questions still get “which one?” or the other "
        "entry's answer.",
        "side": "{n} buyers meant “{entry}”",
        "side_words": "Buyers who meant “{entry}” write: {words}",
        "unsure": "{n} buyers asked in words that fit both and did not say which.",
        "more_pairs": "… and {n} more pairs.",
        # the same for one (``counted``)
        "buyers_one": "{n} buyer",
        "pair_undecided_one": "{n} of their questions still gets “which one?” or the other "
        "entry's answer.",
        "side_one": "{n} buyer meant “{entry}”",
        "unsure_one": "{n} buyer asked in words that fit both and did not say which.",
        "more_pairs_one": "… and {n} more pair.",
    },
}


def counted(texts: Mapping[str, str], key: str, n: int, **fields: str) -> str:
    """``texts[key]`` for ``n`` things: its ``_one`` form for one, where the language has
    one ("1 buyer", not "1 buyers")."""
    form = texts.get(f"{key}_one", texts[key]) if n == 1 else texts[key]
    return form.format(n=n, **fields)


def saran_texts(language: str | None) -> Mapping[str, str]:
    return SARAN_PAGE_TEXTS.get(language or "id", SARAN_PAGE_TEXTS["id"])


# What accepting a suggestion would undo (faq/impact.py), in the inbox page and /saran.
SIDE_EFFECT_TEXTS: Mapping[str, Mapping[str, str]] = {
    "id": {
        "careful": "Hati-hati: “{question}” sekarang dijawab dengan “{entry}”; "
        "setelah ini {then}.",
        "clarify": "bot akan bertanya balik",
        "fallback": "bot tidak akan memahaminya",
        "new entry": "bot akan menjawabnya dengan entri baru",
        "other": "bot akan menjawabnya dengan “{entry}”",
        "more": "… dan {n} pertanyaan lain juga berubah.",
        "unchecked": "Efek samping hanya diperiksa untuk {n} saran teratas.",
    },
    "ms": {
        "careful": "Berhati-hati: “{question}” kini dijawab dengan “{entry}”; selepas ini {then}.",
        "clarify": "bot akan bertanya semula",
        "fallback": "bot tidak akan memahaminya",
        "new entry": "bot akan menjawabnya dengan entri baharu",
        "other": "bot akan menjawabnya dengan “{entry}”",
        "more": "… dan {n} soalan lain juga berubah.",
        "unchecked": "Kesan sampingan hanya disemak untuk {n} cadangan teratas.",
    },
    "en": {
        "careful": "Careful: “{question}” is answered with “{entry}” today; after this {then}.",
        "clarify": "the bot will ask which one is meant",
        "fallback": "the bot will not understand it",
        "new entry": "the bot will answer it with the new entry",
        "other": "the bot will answer it with “{entry}”",
        "more": "… and {n} more questions change too.",
        "unchecked": "Side effects are checked for the top {n} suggestions only.",
    },
}
EFFECTS_SHOWN = 3  # side effects spelled out under one suggestion; the rest are counted
QUESTION_CHARS = 60  # a quoted question in a warning
_BECOMES = ("clarify", "fallback", "new entry")  # what SideEffect.becomes is when no entry id


def side_effect_lines(language: str | None, effects: Sequence[SideEffect]) -> list[str]:
    """One warning a side effect (at most ``EFFECTS_SHOWN``, then how many more)."""
    texts = side_effect_texts(language)
    lines = []
    for effect in effects[:EFFECTS_SHOWN]:
        if effect.becomes in _BECOMES:
            then = texts[effect.becomes]
        else:  # another entry's id
            then = texts["other"].format(entry=effect.becomes)
        question = " ".join(effect.question.split())
        if len(question) > QUESTION_CHARS:
            question = question[: QUESTION_CHARS - 1] + "…"
        lines.append(texts["careful"].format(question=question, entry=effect.entry_id, then=then))
    if len(effects) > EFFECTS_SHOWN:
        lines.append(texts["more"].format(n=len(effects) - EFFECTS_SHOWN))
    return lines


def side_effect_texts(language: str | None) -> Mapping[str, str]:
    return SIDE_EFFECT_TEXTS.get(language or "id", SIDE_EFFECT_TEXTS["id"])
