"""Other tools' formats in the editor: downloads, and files brought in as drafts."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Question
from tests.web.classroom_client import Teacher
from tests.web.editor_client import form_fields
from tests.web.study_client import hidden
from tests.web.test_admin_transfer import text_of

CONFIRM = "/admin/banks/starter/drafts/confirm"
GIFT = b"""// two questions we can take, and one we cannot
::capital:: Which city is the capital of France? {
  =Paris#Right.
  ~Lyon#No, that is another city.
}

::essay:: Say what you think of Sora. {}

::sure:: Sora was shown in February 2024. {T}
"""


@pytest.fixture
def admin(imported):
    return Teacher.quick(imported, "ada", "admin")


def bring_in(client, slug: str, name: str, body: bytes, fmt: str = ""):
    page = client.text(f"/admin/banks/{slug}/exchange")
    return client.post(
        f"/admin/banks/{slug}/drafts",
        {"csrf_token": hidden(page, "csrf_token"), "format": fmt, "file": (io.BytesIO(body), name)},
    )


def drafts(app, slug: str) -> dict[str, dict]:
    with app.app_context():
        from quizapp.models import Bank

        bank = db.session.scalar(select(Bank).filter_by(slug=slug))
        return {
            q.key: q.current_version.content
            for q in bank.questions
            if q.current_version.status == "draft"
        }


def test_each_format_downloads_with_links_and_what_it_leaves_out_listed(imported, admin):
    page = admin.text("/admin/banks/reading-sources/exchange")
    for name in ("gift", "moodle-xml", "qti21", "aiken", "csv"):
        assert f'href="/admin/banks/reading-sources/export/{name}"' in page
    # The day-of-month numeric questions have no GIFT, Moodle or QTI form: listed, with why.
    assert "2 questions left out" in page
    assert "</code> (A number): " in page  # each named with its type in words, and why
    gift = admin.get("/admin/banks/starter/export/gift")
    assert gift.status_code == 200
    assert gift.headers["Content-Disposition"] == 'attachment; filename="starter.gift.txt"'
    text = gift.get_data(as_text=True)
    assert "::cookie-bite::" in text
    # The cited passage links back to the source viewer, as an absolute address.
    assert re.search(
        r"https?\\://localhost/sources/huanqiu-2024-02\?passage\\=\d+\\#passage-\d+", text
    )
    qti = admin.get("/admin/banks/starter/export/qti21")
    assert qti.headers["Content-Type"] == "application/zip"
    assert "imsmanifest.xml" in zipfile.ZipFile(io.BytesIO(qti.get_data())).namelist()
    assert admin.get("/admin/banks/starter/export/yaml2").status_code == 404
    assert admin.get("/admin/banks/no-such-bank/exchange").status_code == 404
    template = admin.get("/admin/csv-template.csv")
    assert template.get_data().startswith(b"\xef\xbb\xbfid,type,")


def test_a_teacher_downloads_but_only_an_admin_brings_questions_in(imported, admin):
    teacher = Teacher.quick(imported, "tom", "teacher")
    assert teacher.get("/admin/banks/starter/export/csv").status_code == 200
    page = teacher.text("/admin/banks/starter/exchange")
    assert "Bring in questions" not in page
    refused = teacher.post(
        "/admin/banks/starter/drafts",
        {"csrf_token": hidden(page, "csrf_token"), "file": (io.BytesIO(GIFT), "q.gift")},
    )
    assert refused.status_code == 403
    anonymous = imported.test_client()
    assert anonymous.get("/admin/banks/starter/export/csv").status_code in (302, 401)
    assert drafts(imported, "starter") == {}


def test_a_gift_file_comes_in_as_drafts_after_its_plan_is_confirmed(imported, admin):
    planned = bring_in(admin, "starter", "quiz.gift", GIFT)
    page = text_of(planned)
    assert planned.status_code == 200, page
    assert "2 drafts will be added" in page
    assert "quiz.gift:7</code> essay" in page  # listed at its line, not dropped silently
    assert "2 drafts are written in one language" in page
    assert drafts(imported, "starter") == {}  # nothing yet
    confirmed = admin.post(
        "/admin/banks/starter/drafts/confirm",
        form_fields(page, CONFIRM),
    )
    assert confirmed.status_code == 302, text_of(confirmed)
    added = drafts(imported, "starter")
    assert set(added) == {"capital", "sure"}
    capital = added["capital"]
    assert capital["type"] == "single" and capital["sources"] == []
    assert capital["prompt"]["en"] == "Which city is the capital of France?"
    assert [c["text"]["en"] for c in capital["choices"]] == ["Paris", "Lyon"]
    assert added["sure"]["answer"] is True
    # A draft is published only with a passage cited: the editor says so.
    with imported.app_context():
        number = db.session.scalar(select(Question.id).filter_by(key="capital"))
    fields = form_fields(admin.text(f"/admin/questions/{number}/edit"), "editor")
    refused = admin.post(
        f"/admin/questions/{number}/edit", {**fields, "status": "published", "action": "save"}
    )
    assert refused.status_code == 422
    assert "only a draft may be without one" in text_of(refused)
    assert drafts(imported, "starter").keys() == {"capital", "sure"}
    # Its page says what it still lacks; the other pages of a draft open too.
    shown = admin.text(f"/admin/questions/{number}")
    assert "No passage cited yet" in shown and "No explanation yet" in shown
    assert admin.get(f"/admin/questions/{number}/history").status_code == 200
    # Cited but English only, it stays a draft until translated.
    cited = {
        **fields,
        "status": "published",
        "explanation_zh": "巴黎是法国首都。",
        "explanation_en": "Paris is the capital.",
        "sources-0-doc": "huanqiu-2024-02",
        "sources-0-exact": "例如,一个人咬了一口饼干,但之后饼干可能没有咬痕。",
        "action": "save",
    }
    untranslated = admin.post(f"/admin/questions/{number}/edit", cited)
    assert untranslated.status_code == 422
    assert "has no Chinese: translate it first" in text_of(untranslated)
    translated = admin.post(
        f"/admin/questions/{number}/edit", {**cited, "prompt_zh": "法国的首都是哪座城市？"}
    )
    assert translated.status_code == 302, text_of(translated)
    assert "capital" not in drafts(imported, "starter")  # published now


def test_a_file_with_a_problem_adds_nothing_and_says_where(imported, admin):
    broken = GIFT + b"\n::open:: Never closed {=a ~b\n"
    response = bring_in(admin, "starter", "broken.gift", broken)
    page = text_of(response)
    assert response.status_code == 422
    assert "1 problem: nothing will be added" in page
    assert re.search(r"broken\.gift:1[12]:\d+: ", page), page
    assert "Add these drafts" not in page
    unknown = bring_in(admin, "starter", "notes.bin", b"\x00\x01")
    assert unknown.status_code == 422  # not a file type it takes
    empty = bring_in(admin, "starter", "empty.gift", b"")
    assert empty.status_code == 422
    assert "no questions found in this file" in text_of(empty)
    assert drafts(imported, "starter") == {}


def test_a_confirmation_of_a_plan_that_changed_meanwhile_is_refused(imported, admin):
    page = text_of(bring_in(admin, "starter", "quiz.gift", GIFT))
    fields = form_fields(page, CONFIRM)
    # Another admin brings the same file in first: the ids are taken now.
    assert admin.post("/admin/banks/starter/drafts/confirm", fields).status_code == 302
    again = admin.post("/admin/banks/starter/drafts/confirm", fields)
    assert again.status_code == 409
    # What it would add now: nothing, the bank has both questions already.
    page = text_of(again)
    assert "2 questions are in the bank already: not added again" in page
    assert "Nothing new to add." in page
    assert set(drafts(imported, "starter")) == {"capital", "sure"}
    # Bringing the same file in again finds them too.
    page = text_of(bring_in(admin, "starter", "quiz.gift", GIFT))
    assert "2 questions are in the bank already" in page
    tampered = admin.post("/admin/banks/starter/drafts/confirm", fields | {"packed": "not base64!"})
    assert tampered.status_code == 400
