"""Recognising what needs a person: closing a sale, asking for a human, being upset.

Patterns run over the slang-expanded text ("nak" is already "mau", "tf" is "transfer"),
so each is written once in plain Indonesian, Malay or English.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from faq.split import asks_by_words

_QTY = r"(\d{1,2}|satu|dua|tiga|empat|lima|one|two|three|sepasang|a pair|pairs?)"

# Acting on a purchase: ordering, giving the go-ahead. Inside a question about a policy
# ("kalau checkout sekarang sampai kapan?") these are questions, not closings.
_INTENT = [
    r"\bcheckout\b",
    r"\bcheck out\b",
    r"\b(saya|kami) (mau |ingin |jadi |akan |pengen |)(ambil(?! sendiri)|order|pesan|beli|"
    r"checkout|bayar|booking|book|keep|transfer|tempah|beli)\b",
    r"\b(mau|ingin|jadi|pengen) (order|pesan|beli|ambil(?! sendiri)|checkout|bayar|booking|keep|"
    r"tempah)\b",
    r"\b(order|pesan|beli|ambil|tempah|keep) " + _QTY + r"\b",
    r"\bambil (ya|deh|saja|satu|yang ini|ini)\b",
    r"\bikut (po|pre order|preorder|open order)\b",
    r"\b(place|make) (an |my )?order\b",
    r"\b(jadi|fix) (order|ambil|beli)\b",
    r"\b(order|pesan|beli) (sekarang|now)\b",
    r"\b(saya|kami) (mau |pakai |pilih |ambil |)cod\b",
    r"\bcod (ya|saja|deh)\b",
    r"\bi ?(ll|will|would like to|want to|d like to|wanna|am going to) (take|buy|order|purchase|"
    r"pay|checkout|get (it|one|two|\d))\b",
    r"\b(buy|order|take) (it|this|them|these) now\b",
]

# Paying, paid, bargaining, asking how to pay: a person whatever the phrasing.
_CLOSING = [
    r"\bhow (do|can|should|to) (i )?(pay|order|buy|purchase|checkout|place an order)\b",
    r"(?<!tidak punya )(?<!tidak ada )\b(nomor )?rekening\b",
    r"\bbukti (transfer|tf|bayar|pembayaran|bayaran)(nya)?\b",
    r"\btransfer (ke|di) (mana|bank|bca|bri|bni|mandiri|maybank|cimb)\b",
    r"\bsudah (transfer|bayar)\b",
    r"\b(sudah|baru) (saya |kami )?(transfer|bayar|bank in|banking|bank|tf|"
    r"kirim (uang|duit|wang))\b",
    r"\bbank in\b",
    r"\b(payment|transfer|bayaran|pembayaran) "
    r"(done|sent|made|completed|sudah|dah|selesai|berhasil)\b",
    r"\b(i |we )?(have |has |just |already )+"
    r"(paid|transferred|made (the |a )?payment|sent (the |a )?payment)\b",
    r"\b(i|we) (paid|transferred)\b",
    r"\b(resit|slip|screenshot|ss) (transfer|bayar|pembayaran|bayaran|payment|bank in)\b",
    r"\b(send|kirim|hantar|share) (resit|receipt|slip|bukti)\b",
    r"\b(harga|price) (last|akhir|mati|terakhir|nett|final)\b",
    # the total to pay, the name an order goes under: the buyer is ordering
    r"\btotal(nya)?( semua| semuanya| bayar| harga| belanja)?( jadi)? berapa\b",
    r"\bberapa total(nya)?\b|\bhow much (is it )?in total\b|\bwhat is the total\b",
    r"\batas nama\b",
    r"\b(discount|diskon|potongan|kurang|cheaper|murah)\b.{0,25}\b(if|kalau|jika|kalo)\b.{0,20}"
    r"\b(buy|pay|order|beli|bayar|ambil)\b.{0,12}\b(now|today|sekarang|hari ini|terus)\b",
    r"\b(borong|sapu) (semua|semuanya|habis|all)\b",
    r"\b(ok|oke) deal\b|^deal\b",
    r"\b(dp|down payment|uang muka|deposit)\b",
    r"\b(nego|negosiasi|harga pas|harga nett?|harga teman|harga temen)(nya)?\b",
    r"\b(bisa|boleh) (kurang|dikurangi|dikurangin|nego)\b",
    r"\bkurang(in|i)\b",
    r"\bkurang (sedikit|sikit|lagi|dong|boleh|bisa)\b",
    r"\bmurah(kan)? (sedikit|lagi)\b",
    r"\b(bagaimana|macam mana|cara) (mau |untuk |)"
    r"(bayar|pembayaran|order|pesan|beli|checkout|tempah)",
    r"\b(bayar|transfer) (ke|di) mana\b",
    # the same asked the other way round, in chat spelling: "bayarnya gimana?"
    r"\b(bayar|pembayaran|transfer)(nya)? (gimana|bagaimana|macam mana|camana)\b",
    r"\balamat (saya|pengiriman saya|kirim saya)\b",
    r"\bhow to pay\b",
    r"\bwhere (do|can|should) i (pay|transfer)\b",
    r"\bbank (account|details|transfer details)\b",
    r"\bpayment details\b",
    r"\b(best|last|final|lowest) price\b",
    r"\bcan you (lower|reduce|do better on) the price\b",
    r"\b(add|put) (it |this )?to (my )?cart\b",
]

# Asking for a person.
_PEOPLE = (
    r"(admin|cs|customer service|customer care|customer support|operator|agent|agen|manusia|"
    r"orang|human|person|seller|penjual|owner|pemilik|staff|someone|somebody|representative|"
    r"pegawai|petugas|boss|bos|tuan kedai|tuan punya kedai|tuan toko|"
    r"yang punya( usaha| toko| kedai| olshop| bisnis)?|orang betul|orang beneran)"
)
_HUMAN = [
    r"\b(ngobrol|mengobrol|ngomong|omong|bicara|berbicara|chat|hubungi|menghubungi|sambung|sambungkan|connect|talk|"
    r"speak|cakap|bercakap|berbual|sembang|panggil|panggilkan|panggilin|sambungin|hubungin|"
    r"hubungkan|call|transfer me)\b.{0,30}\b" + _PEOPLE + r"(nya)?\b",
    r"\b(minta|mau|ingin|need|want|please|tolong)\b.{0,12}\b(admin|cs|operator|agent|manusia|"
    r"human|person|orang asli|orang beneran|seller|penjual|owner|pemilik|staff)(nya)?\b",
    r"\b(orang benaran|orang asli|orang sungguhan|real person|real human|human agent|live agent|"
    r"live person|live chat|bukan bot|not a bot|no bot|manusia sungguhan)\b",
    r"^(admin|cs|operator|agent|human|manusia|customer service)$",
    r"^(admin|cs|operator|agent|human|manusia|customer service) "
    r"(please|pls|plz|dong|tolong|help)\b",
    r"\b(mau|ingin|want|need|prefer|lebih suka|maunya|nak)\b.{0,15}\b(sama|dengan|with|to) "
    r"(orang|manusia|a person|a human|someone real)\b",
    r"\b(ini|is this|are you|kamu|anda|awak)( yang membalas| replying)? (a |an )?(bot|robot|ai|"
    r"mesin|machine|auto reply|autoreply)\b",
    r"\b(bot|robot) (ke|kah|ya|ya\?|or)\b",
    # the owner's own number: "minta no wa ownernya", "boleh bagi no owner?"
    r"\b(nomor|no|nombor|contact|kontak) (wa |whatsapp |hp |telepon |telefon |phone )?"
    r"(owner|pemilik|bos|boss|tuan kedai|yang punya( usaha| toko| kedai)?)(nya)?\b",
    r"\b(telepon|telpon|telefon|call|video call|vc|voice call)\b.{0,25}"
    r"\b(bisa|boleh|can|saja|terus|langsung|directly|tidak)\b",
    r"\b(bisa|boleh|can (i|we)|mau|nak)\b.{0,10}\b(telepon|telpon|telefon|call|video call|vc)\b",
    r"\b(ngobrol|bicara|ngomong|bercakap|cakap|talk|speak)\b.{0,30}\b(langsung|directly|terus)\b",
    r"\b(tolong|minta|bisa|boleh|please) (panggil|panggilkan|panggilin)\b",
]

# Anger and disappointment: a person and an apology, never an argument.
_ANGRY = [
    r"\b(kecewa|mengecewakan|penipu|penipuan|nipu|menipu|tipu|ditipu|scam|scammer|bohong|"
    r"pembohong|kesal|kesel|marah|sebel|sebal|nyesel|menyesal|kapok|zonk|brengsek|bangsat|"
    r"anjing|anjir|goblok|bego|tolol|sialan|kampret|disappointed|disappointing|terrible|worst|"
    r"awful|horrible|ridiculous|unacceptable|fraud|angry|furious|pissed|useless|rubbish|lousy|"
    r"tak guna|teruk|hampa|geram|bengang|menyampah|tidak profesional|unprofessional|"
    r"tidak bertanggung jawab|lapor(kan)? polisi|laporkan|viral(kan)?)\b",
    r"\b(tidak|belum) (juga )?(sampai|datang|dikirim|diproses|dibalas|direspon)"
    r"(sampai|hingga|juga)?\b.{0,40}\b(sudah|padahal|udah|dari)\b",
    r"\b(mana|kapan) (barangnya|paketnya|pesanannya|uangnya)\b.{0,20}[!?]{2,}",
    r"\b(not|tidak|kurang) (happy|satisfied|puas)\b",
    r"\b(frustrating|frustrated|annoying|annoyed|fed up|sick of|serius la|seriously)\b",
    # no reply: "chat ga dibales", "dm tak reply", "no response", "cuma di-read"
    r"\b(tidak|belum|no|never|tiada)( juga| pun| di| ada)? (dibalas|balas|dibales|bales|direspon|"
    r"respon|response|respond|responded|reply|replied|balasan|jawab|dijawab|answer|answered)\b",
    r"\b(diread|read|dibaca|seen|di ?read) (saja|doang|sahaja|je|only)\b",
    # waiting too long: "sudah seminggu ... tidak gerak", "dah 3 hari tunggu"
    r"\bsudah\b.{0,20}\b(\d+|satu|dua|tiga|empat|lima|se|beberapa)? ?(hari|minggu|bulan|jam|"
    r"seminggu|sebulan|sejam|seharian|days|weeks|hours)\b.{0,40}\b(tidak|belum|tunggu|menunggu|"
    r"nunggu|gerak|bergerak|update|kabar)\b",
    r"\b(tunggu|menunggu|nunggu|waiting|waited)\b.{0,20}\b(\d+|se|satu|dua|tiga)? ?"
    r"(hari|minggu|bulan|days|weeks|seminggu|sebulan|lama)\b",
    r"\b(sudah|already) (\d+|dua|tiga|beberapa|many|several) (kali|times)\b.{0,30}\b(tanya|"
    r"ask|asked|chat|tidak|no|belum)\b",
    r"\b(tidak|belum) (gerak|bergerak|update|berubah|ada kabar)\b",
]
_UNHAPPY = [
    r"\b(rusak|cacat|sobek|robek|pecah|lecet|bocor|luntur|rosak|salah kirim|kirim salah|"
    r"tidak sesuai|kurang sesuai|"
    r"beda( banget| sekali| jauh)? (dengan|sama|dari) (yang (di|ada di) )?(foto|gambar)|"
    r"palsu|jelek|buruk|lambat|"
    r"lama (sekali|sangat|banget)|tidak berfungsi|tidak bisa dipakai|mati|hilang|"
    r"belum sampai|belum datang|tidak datang|tidak sampai|complain|komplain|keluhan|aduan|"
    r"broken|damaged|defective|wrong (item|size|colou?r)|not as described|late|missing|"
    r"never arrived|still not|"
    r"basi|berjamur|jamuran|bau( asam| busuk| aneh| tidak enak)?|cair|mencair|melempem|lembek|"
    r"keracunan|sakit perut|diare|muntah|thawed|leaking|leaked|spoiled|spoilt|rotten|expired|"
    r"mouldy|moldy|smells?|tercabut|terkoyak|koyak|lusuh|pudar|calar|kemek|pecah|kotor|dirty|"
    r"stained|noda|tidak lengkap|kurang lengkap|missing|wrong order|salah pesanan)\b",
    # what post-delivery complaints say (Tokopedia reviews, after slang expansion)
    r"\b(tidak|kurang) (oke|ok|bagus|rapi|rapih|rapat|teliti|kuat|aman|jelas|lengkap|"
    r"sejajar|nyala|dikirim|original|ori|asli|puas|puas hati)\b",
    r"\b(not satisfied|unsatisfied|dissatisfied|(barang|produk|unit)(nya)? (error|eror))\b",
    r"\b(tidak|kurang) (sama|kayak|seperti|mirip)( dengan| di| sama)? (gambar|foto|deskripsi)\b",
    r"\b(patah|penyok|penyot|copot|goresan|tergores|bolong|berlubang|reject|gosong|retak|"
    r"berantakan|murahan|melenceng|rugi|parah|tipis (banget|sekali)|kecil banget|"
    r"keluar asap|kurang \d+|salah (warna|ukuran|size|model|barang)|"
    r"(warna|ukuran|size|model) (nya )?salah|bukan (yang|yg) (saya )?(pesan|order|pilih))\b",
]
# Swearing alone: frustration, but the question may still be answerable.
_SWEARING = re.compile(r"\b(fuck|fucking|shit|damn|bloody|goddamn|wtf|anjir|anjay|asu|bgst)\b")


def _one(patterns: list[str]) -> re.Pattern[str]:
    """All patterns as one alternation: one scan of the message instead of many."""
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# A complaint word under a negation: "tidak pernah kecewa", "tidak ada yang cacat", "not
# disappointed". (A negated good word, "tidak sesuai", stays a complaint.)
_NEGATED = re.compile(
    r"\b(tidak|tak|bukan|jangan|never|not|no|nothing)( (pernah|terlalu|begitu|sampai|ada yang|"
    r"ada|bikin|buat|membuat|akan|gampang|mudah|at all|been|was|is|are))* (kecewa|mengecewakan|"
    r"marah|kesal|"
    r"kesel|menyesal|nyesel|kapok|rusak|cacat|lecet|luntur|jelek|buruk|lambat|pecah|bocor|"
    r"sobek|robek|palsu|hilang|lama|disappointed|disappointing|damaged|broken|late|bad)\b"
)
_CLOSING_RE = _one(_CLOSING)
_INTENT_RE = _one(_INTENT)
# A question about what would happen: "kalau pecah diganti?", "what if it arrives late?",
# "takut luntur": a policy question, not a closing or a complaint.
_HYPOTHETICAL = re.compile(
    r"\b(kalau|jika|jikalau|apabila|seandainya|andai|andaikan|misal|misalnya|sekiranya|kalaulah|"
    r"if|what if|in case|suppose|supposing|takut|khawatir|kuatir|risau|bimbang|worried|afraid|"
    r"nanti kalau|bakal|akan)\b"
)
# What buyers say about something that already happened to them.
_EXPERIENCED = re.compile(
    r"\b(sudah|kemarin|semalam|tadi|baru saja|padahal|sejak|received|arrived|got my|came|"
    r"dapat barang|terima barang|pesanan saya|barang saya|order saya|paket saya|my order|"
    r"my parcel|my package|i received|saya terima|setelah|selepas|after)\b"
)
# Openers and laughter: "mau tanya dong", "boleh tanya?", "wkwk", "can i ask something".
_OPENER = re.compile(
    r"^((saya )?(mau|ingin|boleh|bisa|can i|may i|i want to|i would like to|i have a|nak)"
    r"( tanya| bertanya| nanya| ask| question)|permisi( mau tanya)?|tanya|"
    r"(ha)+h?|(he)+h?|(hi)+h?|(wk)+w?|lol|lmao|haha\w*|hehe\w*|wkwk\w*|xixi\w*)"
    r"( sesuatu| sedikit| something| a question| boleh| bisa| tidak| ke| please| dong| deh| ya| "
    r"lah| sih| nih| dulu| saja)*$"
)
_HUMAN_RE = _one(_HUMAN)
_ANGRY_RE = _one(_ANGRY)
_UNHAPPY_RE = _one(_UNHAPPY)
_INFO_QUESTION = re.compile(
    r"\b(how|what|when|where|which|bagaimana|cara|kapan|bila|jam berapa|nomor|number|email|"
    r"di mana|apa)\b"
)


@dataclass(frozen=True, slots=True)
class Signals:
    """What a message says beyond its FAQ topic."""

    closing: bool = False
    human: bool = False
    angry: bool = False  # clearly upset: always a person
    unhappy: bool = False  # a problem or frustration: a person unless the FAQ answers it
    swearing: bool = False  # frustrated: a person rather than a second "I didn't get it"
    info_question: bool = False  # asks how/when/where: an FAQ may answer even a "contact" one
    never_mind: bool = False  # "ga jadi deh", "never mind": the buyer drops the question
    intent: bool = False  # says they want to buy; a closing unless it asks about a policy
    hypothetical: bool = False  # "kalau ...", "what if ...", "takut ...": asks what would happen
    question: bool = False  # asked as a question ("?", "bisa ... ga", "is it ...")
    experienced: bool = False  # tells of something that happened ("sudah", "kemarin")
    opener: bool = False  # "mau tanya dong", "wkwk": small talk before the real question

    @property
    def policy_question(self) -> bool:
        """Asks about a policy rather than acting on it or reporting a problem."""
        return self.hypothetical or (self.question and not self.experienced)

    def fired(self) -> tuple[str, ...]:
        """The names of the signals that fired, for explanations."""
        names = (
            "closing",
            "intent",
            "human",
            "angry",
            "unhappy",
            "swearing",
            "never_mind",
            "hypothetical",
            "question",
            "experienced",
            "opener",
        )
        return tuple(n for n in names if getattr(self, n))


@functools.lru_cache(maxsize=4096)  # a pure function of the text; buyers repeat themselves
def read_signals(text: str, raw: str = "") -> Signals:
    """Signals of a slang-expanded message; ``raw`` is the original, for shouting."""
    shouting = _shouting(raw)
    calm = _NEGATED.sub(" ", text)  # "gak pernah kecewa" is praise, not a complaint
    unhappy = bool(_UNHAPPY_RE.search(calm))
    stripped = text.strip()
    return Signals(
        intent=bool(_INTENT_RE.search(text)),
        hypothetical=bool(_HYPOTHETICAL.search(text)),
        # the one rule the clause splitter asks by (a question word first, a tag last)
        question="?" in raw or asks_by_words(stripped),
        experienced=bool(_EXPERIENCED.search(text)),
        opener=bool(_OPENER.match(stripped)),
        closing=bool(_CLOSING_RE.search(text)),
        human=bool(_HUMAN_RE.search(text)),
        angry=bool(_ANGRY_RE.search(calm)) or (shouting and unhappy),
        unhappy=unhappy or shouting,
        info_question=bool(_INFO_QUESTION.search(text)),
        swearing=bool(_SWEARING.search(text)),
        never_mind=bool(_NEVER_MIND.match(text)) or bool(_NO_THANKS.match(raw.lower().strip())),
    )


# The whole message only: "ga jadi kak" drops a question, "batal pesanan saya" does not.
_NEVER_MIND = re.compile(
    r"^(tidak (jadi|usah|apa apa)|batal|cancel|never ?mind|not now|tak payah|takpe)"
    r"( (deh|dulu|saja|lah|sih|ya|dong|kok|terima kasih|thanks|thank you|makasih))*$"
)
_NO_THANKS = re.compile(r"^(no|nope|nah)[ ,]*(thanks|thank you|thx)?[ .!]*$")


def _shouting(raw: str) -> bool:
    letters = [c for c in raw[:500] if c.isalpha()]
    caps = len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.7
    return caps or "!!!" in raw or "?!" in raw


_ORDINALS = {
    "1": 0,
    "satu": 0,
    "pertama": 0,
    "first": 0,
    "one": 0,
    "1st": 0,
    "atas": 0,
    "2": 1,
    "dua": 1,
    "kedua": 1,
    "second": 1,
    "two": 1,
    "2nd": 1,
    "3": 2,
    "tiga": 2,
    "ketiga": 2,
    "third": 2,
    "three": 2,
    "3rd": 2,
}
_ORDINAL_FILLER = frozenset(
    "yang nomor no number option pilihan opsi the ke yg nombor itu ini saja aja deh ya dong "
    "pilih choose pick i want mau please pls lah je ok oke i'll ill take".split()
)


def option_by_position(words: tuple[str, ...], count: int) -> int | None:
    """The option a reply like "2", "yang kedua", "nomor 1" or "the first" points at."""
    rest = [w for w in words if w not in _ORDINAL_FILLER]
    if len(rest) == 2 and rest[1] in ("one", "satu", "yang"):  # "the first one", "second one"
        rest = rest[:1]
    if len(rest) == 1 and rest[0] in _ORDINALS and _ORDINALS[rest[0]] < count:
        return _ORDINALS[rest[0]]
    if len(rest) == 1 and rest[0] in ("terakhir", "last") and count:
        return count - 1
    return None
