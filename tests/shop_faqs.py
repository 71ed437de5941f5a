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
