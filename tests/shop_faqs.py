"""Small FAQs several test modules share."""

# A courier question ("pakai ekspedisi apa?", answered with 'kurir') one wording away from
# the shipping-time entry: learning "kirim pakai apa?" for 'lama-kirim' would make the bot
# ask back on it (what `faq.impact` warns about).
COURIERS = """faqs:
  - id: kurir
    questions: [ada JNE?, pakai ekspedisi apa?]
    answer: Kami kirim pakai JNE dan J&T kak.
  - id: lama-kirim
    questions: [berapa lama sampainya?, estimasi tiba berapa hari?]
    answer: Sampai 2-3 hari kerja kak.
  - id: ongkir
    questions: [berapa ongkirnya?]
    answer: Ongkir mulai Rp9.000 kak.
"""
# Twin entries: asking for an invoice and checking one, and the opening hours of two days.
# "cek invoice", "invoice nya dong kak", "jam buka toko kak" land on both of a pair
# ("which one?"); "status invoice", "kirim invoice", "buka sabtu?" are answered.
TWINS = """faqs:
  - id: minta-invoice
    questions: [bisa minta invoice?, tolong kirim invoice ke email]
    answer: Invoice kami kirim ke email kakak setelah pembayaran.
  - id: cek-invoice
    questions: [status invoice saya gimana?, invoice saya sudah lunas?]
    answer: Status invoice ada di halaman pesanan kak.
  - id: jam-sabtu
    questions: [jam buka toko hari sabtu]
    answer: Sabtu buka jam 09.00 sampai 15.00.
  - id: jam-minggu
    questions: [jam buka toko hari minggu]
    answer: Minggu buka jam 10.00 sampai 14.00.
  - id: ongkir
    questions: [berapa ongkirnya?]
    answer: Ongkir mulai Rp9.000 kak.
"""
