"""Icons and empty states: drawn in the page, hidden from screen readers."""

import re

from tests.web.study_client import EN, Learner


def test_every_bank_card_has_its_icon_drawn_in_the_page(imported, client):
    page = client.get("/", headers=EN).get_data(as_text=True)
    cards = page.count('<li class="card">')
    icons = re.findall(r'<svg class="icon bank-icon"[^>]*aria-hidden="true"[^>]*>(.*?)</svg>', page)
    assert cards >= 7 and len(icons) == cards
    assert len(set(icons)) >= 7  # the shipped banks each have their own
    assert not re.search(r"<svg[^>]*>[^<]*<use|https?://(?!www\.w3\.org)", "".join(icons))


def test_progress_with_no_quiz_yet_says_so_with_a_picture(imported):
    page = Learner(imported).text("/study/progress")
    assert re.search(
        r'<p class="empty-state"><svg class="icon empty-icon"[^>]*aria-hidden="true"', page
    )
    assert "You have not taken a quiz in this browser yet." in page
