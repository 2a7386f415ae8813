"""The bank editor through HTTP: saving versions, conflicts, validation, preview, drafts,
banks, search, and question text that must never become markup.

Most tests work on one small bank imported from a file; only pagination
needs the shipped banks.
"""

from __future__ import annotations

import html
import re
import threading
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from quizapp.admin import proposals as admin_proposals
from quizapp.admin import questions as admin_questions
from quizapp.admin.forms import LONG, SHORT
from quizapp.domain import anchoring, sources
from quizapp.extensions import db
from quizapp.models import AuditEntry, Bank, Question, QuestionVersion
from tests.conftest import make_bank, make_question
from tests.web.classroom_client import Browser, Teacher
from tests.web.editor_client import form_fields
from tests.web.study_client import EN, Learner

SOURCE = "huanqiu-2024-02"
OTHER_QUOTE = "学术界、商界、行政部门以及AI教授都很担心"
SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
THREAD_TIMEOUT = 30


@dataclass
class Desk:
    """The editor with one imported bank (``test-bank``, question ``q1``) and an admin."""

    app: object
    admin: Teacher
    question_id: int

    @property
    def edit_url(self) -> str:
        return f"/admin/questions/{self.question_id}/edit"

    def fields(self, browser: Browser | None = None) -> dict:
        """The edit form as ``browser`` (the admin by default) gets it now."""
        page = (browser or self.admin).text(self.edit_url)
        return form_fields(page, "editor")

    def post(self, fields: dict, action: str = "save", browser: Browser | None = None):
        return (browser or self.admin).post(self.edit_url, {**fields, "action": action})

    def save(self, browser: Browser | None = None, **changes):
        """Open the edit form, change ``changes``, and press Save."""
        return self.post({**self.fields(browser), **changes}, browser=browser)

    def versions(self) -> list[tuple]:
        """(number, status, origin, author, content) of every version, oldest first."""
        with self.app.app_context():
            rows = db.session.scalars(
                select(QuestionVersion)
                .filter_by(question_id=self.question_id)
                .order_by(QuestionVersion.number)
            )
            return [
                (v.number, v.status, v.origin, v.author.name if v.author else None, v.content)
                for v in rows
            ]


def import_banks(runner, write_bank, *documents) -> None:
    """Write each bank document to its own file and import them all with the CLI."""
    paths = [write_bank(document, f"{document['bank']}.yaml") for document in documents]
    result = runner.invoke(args=["quiz", "import", *map(str, paths)])
    assert result.exit_code == 0, result.output


def question_id(app, key: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Question.id).filter_by(key=key))


@pytest.fixture
def desk(app, runner, write_bank) -> Desk:
    import_banks(runner, write_bank, make_bank())
    return Desk(app, Teacher.quick(app, "ada", "admin"), question_id(app, "q1"))


def main_part(page: str) -> str:
    return page[page.index("<main") :]


def flashes(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="flash[^"]*"[^>]*>([^<]*)</p>', page)]


def followed(browser: Browser, response) -> str:
    """The page a redirect leads to."""
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return browser.text(response.headers["Location"])


def section(page: str, start: str) -> str:
    """The ``<section`` element whose opening tag contains ``start``."""
    begin = page.index(start)
    return page[begin : page.index("</section>", begin)]


# Saving, history and restore


def test_saving_an_edit_in_both_languages_makes_version_2_and_says_so(desk):
    response = desk.save(prompt_zh="饼干上发生了什么?", prompt_en="What happened to the biscuit?")
    assert response.headers["Location"] == f"/admin/questions/{desk.question_id}"
    assert "Saved as version 2." in flashes(followed(desk.admin, response))
    (_, *_rest), (number, status, origin, author, content) = desk.versions()
    assert (number, status, origin, author) == (2, "published", "editor", "ada")
    assert content["prompt"] == {"zh": "饼干上发生了什么?", "en": "What happened to the biscuit?"}


def test_the_history_lists_both_versions_with_their_authors_and_what_changed(desk):
    desk.save(prompt_zh="蛋糕怎么了?", prompt_en="What happened to the biscuit?")
    page = desk.admin.text(f"/admin/questions/{desk.question_id}/history")
    second = page[page.index('id="version-2"') : page.index('id="version-1"')]
    first = page[page.index('id="version-1"') :]
    assert "Version 2" in second and "ada" in second
    assert "Version 1" in first and "command line" in first  # imported by the CLI
    assert "<del>cookie</del><ins>biscuit</ins>" in second
    assert "<del>饼干</del><ins>蛋糕</ins><span>怎么了?</span>" in second


def test_restoring_version_1_makes_version_3_with_its_content(desk):
    desk.save(prompt_en="What happened to the biscuit?")
    history = desk.admin.text(f"/admin/questions/{desk.question_id}/history")
    action = f"/admin/questions/{desk.question_id}/versions/1/restore"
    response = desk.admin.post(action, form_fields(history, action))
    assert "Version 1 restored as version 3." in flashes(followed(desk.admin, response))
    first, _second, third = desk.versions()
    assert third[:4] == (3, "published", "restore", "ada")
    assert third[4] == first[4]


# Two admins, one question


@pytest.fixture
def rival(desk) -> Teacher:
    """A second admin, in another browser."""
    return Teacher.quick(desk.app, "bob", "admin")


def test_the_second_of_two_conflicting_saves_is_refused_and_keeps_its_text(desk, rival):
    theirs = desk.fields(rival)
    desk.save(prompt_en="What happened to the biscuit?")
    response = desk.post({**theirs, "prompt_en": "Bob typed this prompt."}, browser=rival)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert form_fields(page, "editor")["prompt_en"] == "Bob typed this prompt."
    conflict = section(page, '<section class="conflict')
    assert "ada saved version 2" in conflict
    assert "<del>cookie</del><ins>biscuit</ins>" in conflict
    assert [version[0] for version in desk.versions()] == [1, 2]


def test_saving_again_after_a_conflict_goes_over_the_other_version(desk, rival):
    theirs = desk.fields(rival)
    desk.save(prompt_en="What happened to the biscuit?")
    refused = desk.post({**theirs, "prompt_en": "Bob typed this prompt."}, browser=rival)
    again = desk.post(form_fields(refused.get_data(as_text=True), "editor"), browser=rival)
    assert "Saved as version 3." in flashes(followed(rival, again))
    versions = desk.versions()
    assert [version[0] for version in versions] == [1, 2, 3]
    assert versions[2][3] == "bob" and versions[2][4]["prompt"]["en"] == "Bob typed this prompt."


def test_a_double_click_on_save_makes_one_version(desk):
    fields = {**desk.fields(), "prompt_en": "What happened to the biscuit?"}
    first = desk.post(fields)
    second = desk.post(fields)
    assert first.status_code == 302 and second.status_code in (302, 409)
    versions = desk.versions()
    assert [version[0] for version in versions] == [1, 2]
    assert versions[0][4] != versions[1][4]


def test_two_saves_of_the_same_form_at_once_make_one_version(desk):
    fields = {**desk.fields(), "prompt_en": "What happened to the biscuit?"}
    twin = Browser(desk.app)
    twin.client.set_cookie("session", desk.admin.client.get_cookie("session").value)
    barrier = threading.Barrier(2, timeout=THREAD_TIMEOUT)
    statuses: list[int] = []

    def click(browser: Browser) -> None:
        barrier.wait()
        statuses.append(desk.post(fields, browser=browser).status_code)

    threads = [threading.Thread(target=click, args=(b,)) for b in (desk.admin, twin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT)
    assert sorted(statuses) in ([302, 302], [302, 409])
    assert [version[0] for version in desk.versions()] == [1, 2]


def test_a_stale_security_token_keeps_everything_typed_and_saves_nothing(desk):
    typed = {
        "prompt_zh": "饼干上发生了什么?",
        "prompt_en": "What happened to the biscuit?",
        "choices-0-text_en": "There was no bite mark at all",
        "choices-1-feedback_zh": "文章里没有这句话。",
        "explanation_en": "A limit OpenAI admits itself.",
        "sources-0-exact": OTHER_QUOTE,
    }
    response = desk.post({**desk.fields(), **typed, "csrf_token": "expired"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "security check expired" in page
    shown = form_fields(page, "editor")
    assert {name: shown[name] for name in typed} == typed
    assert len(desk.versions()) == 1


# Validation: each problem next to its field, in the bank format's words


def check_output(runner, write_bank, question: dict) -> str:
    """What ``flask quiz check`` says about a bank holding ``question``."""
    path = write_bank(make_bank("broken", [question]), "broken.yaml")
    result = runner.invoke(args=["quiz", "check", str(path)])
    assert result.exit_code == 1
    return result.output


def field_error(page: str, field_id: str) -> str:
    """The first error message shown under the input ``field_id``."""
    found = re.search(rf'<p class="field-error" id="{field_id}-error-1">([^<]*)</p>', page)
    assert found, f"no error under {field_id}"
    return html.unescape(found.group(1))


def test_an_empty_prompt_is_shown_next_to_its_field_in_the_bank_formats_words(
    desk, runner, write_bank
):
    response = desk.save(prompt_en="")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    message = field_error(page, "prompt_en")
    textarea = re.search(r"<textarea[^>]*\bid=\"prompt_en\"[^>]*>", page).group(0)
    assert 'aria-invalid="true"' in textarea and "prompt_en-error-1" in textarea
    output = check_output(runner, write_bank, make_question(prompt={"zh": "饼干怎么了?", "en": ""}))
    assert f"questions[0].prompt.en: {message}\n" in output
    assert len(desk.versions()) == 1


def test_a_quote_not_in_the_article_is_shown_under_the_quote(desk, runner, write_bank):
    quote = "这句话文章里根本没有。"
    response = desk.save(**{"sources-0-exact": quote})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    message = field_error(page, "sources-0-exact")
    textarea = re.search(r"<textarea[^>]*\bid=\"sources-0-exact\"[^>]*>", page).group(0)
    assert 'aria-invalid="true"' in textarea
    question = make_question(sources=[{"doc": SOURCE, "exact": quote}])
    del question["source"]
    output = check_output(runner, write_bank, question)
    assert f"questions[0].sources[0].exact: {message}\n" in output
    assert len(desk.versions()) == 1


def test_a_duplicate_choice_id_is_shown_under_that_choices_id(desk, runner, write_bank):
    response = desk.save(**{"choices-1-id": "a"})
    assert response.status_code == 422
    message = field_error(response.get_data(as_text=True), "choices-1-id")
    question = make_question()
    question["choices"][1]["id"] = "a"
    assert f"questions[0].choices[1].id: {message}\n" in check_output(runner, write_bank, question)


# Work on what was typed is bounded


@pytest.fixture
def forbid_processing(monkeypatch):
    """Call it to fail at once if a typed question is then read, anchored or searched for."""

    def refused(*args, **kwargs):
        raise AssertionError("processed")

    def forbid():
        monkeypatch.setattr(admin_questions, "raw_question", refused)
        monkeypatch.setattr(admin_proposals, "raw_question", refused)
        monkeypatch.setattr(sources, "locate", refused)
        monkeypatch.setattr(anchoring.fuzz, "partial_ratio_alignment", refused)

    return forbid


@pytest.mark.parametrize(
    ("name", "limit"),
    [("sources-0-exact", LONG), ("sources-0-prefix_text", SHORT), ("prompt_en", LONG)],
)
def test_an_input_over_its_limit_is_refused_before_anything_is_done_with_it(
    desk, forbid_processing, name, limit
):
    fields = desk.fields()
    forbid_processing()
    response = desk.post({**fields, name: "饼" * (limit + 1)}, action="check")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, name) == f"Field cannot be longer than {limit} characters."
    assert len(desk.versions()) == 1


def test_a_proposal_over_a_limit_is_refused_before_anything_is_done_with_it(
    desk, forbid_processing
):
    teacher = Teacher.quick(desk.app, "ms-li")
    url = f"/admin/questions/{desk.question_id}/propose"
    fields = form_fields(teacher.text(url), "editor")
    forbid_processing()
    response = teacher.post(
        url, {**fields, "sources-0-exact": "饼" * (LONG + 1), "action": "check"}
    )
    assert response.status_code == 422
    message = f"Field cannot be longer than {LONG} characters."
    assert field_error(response.get_data(as_text=True), "sources-0-exact") == message


def test_checking_a_quote_of_19000_characters_does_not_search_the_article(desk, monkeypatch):
    # It held a worker for 30 s: the closest-passage search grows with the quote's length.
    def refused(*args, **kwargs):
        raise AssertionError("searched")

    fields = desk.fields()
    monkeypatch.setattr(anchoring.fuzz, "partial_ratio_alignment", refused)
    quote = ("这句话文章里根本没有。" * 1_800)[:19_000]
    response = desk.post({**fields, "sources-0-exact": quote}, action="check")
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert field_error(page, "sources-0-exact") == "is 19000 characters; the limit is 2000"
    assert "it has 19,000 characters, too many to search for the closest passage" in page


# Choices and passages are added, removed and moved without saving


def choice_ids(fields: dict) -> list[str]:
    return [fields[f"choices-{i}-id"] for i in range(12) if f"choices-{i}-id" in fields]


def test_adding_a_choice_keeps_the_text_and_saves_nothing(desk):
    response = desk.post({**desk.fields(), "prompt_en": "Typed, not saved"}, "add_choice")
    assert response.status_code == 200
    fields = form_fields(response.get_data(as_text=True), "editor")
    assert choice_ids(fields) == ["a", "b", "c"]
    assert fields["choices-2-text_en"] == "" and fields["prompt_en"] == "Typed, not saved"
    assert len(desk.versions()) == 1


def test_removing_a_choice_saves_nothing(desk):
    added = form_fields(desk.post(desk.fields(), "add_choice").get_data(as_text=True), "editor")
    response = desk.post(added, "remove_choice-1")
    fields = form_fields(response.get_data(as_text=True), "editor")
    assert choice_ids(fields) == ["a", "c"]
    assert fields["choices-0-text_en"] == "No bite mark"
    assert len(desk.versions()) == 1


def test_moving_a_choice_down_and_up_saves_nothing(desk):
    down = desk.post(desk.fields(), "down_choice-0")
    fields = form_fields(down.get_data(as_text=True), "editor")
    assert choice_ids(fields) == ["b", "a"]
    assert fields["choices-1-correct"] == "y" and "choices-0-correct" not in fields
    up = desk.post(fields, "up_choice-1")
    assert choice_ids(form_fields(up.get_data(as_text=True), "editor")) == ["a", "b"]
    assert len(desk.versions()) == 1


def test_adding_and_removing_a_passage_saves_nothing(desk):
    added = desk.post(desk.fields(), "add_source")
    fields = form_fields(added.get_data(as_text=True), "editor")
    assert fields["sources-1-doc"] == SOURCE and fields["sources-1-exact"] == ""
    fields["sources-1-exact"] = OTHER_QUOTE
    removed = desk.post(fields, "remove_source-0")
    fields = form_fields(removed.get_data(as_text=True), "editor")
    assert fields["sources-0-exact"] == OTHER_QUOTE and "sources-1-exact" not in fields
    assert len(desk.versions()) == 1


def test_a_question_with_an_added_passage_saves_both_passages(desk):
    fields = form_fields(desk.post(desk.fields(), "add_source").get_data(as_text=True), "editor")
    response = desk.post({**fields, "sources-1-exact": OTHER_QUOTE})
    assert response.status_code == 302
    sources = desk.versions()[-1][4]["sources"]
    assert [source["exact"] for source in sources] == [
        "例如,一个人咬了一口饼干,但之后饼干可能没有咬痕。",
        OTHER_QUOTE,
    ]


# Preview: what a learner sees


PREVIEWED = {
    "zh": ("饼干怎么了?", "没有咬痕", "OpenAI 承认的局限。"),
    "en": ("What happened to the cookie?", "No bite mark", "A limit OpenAI admits."),
}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_preview_shows_the_question_as_a_learner_sees_it(desk, language):
    response = desk.post({**desk.fields(), "preview_language": language}, "preview")
    assert response.status_code == 200
    preview = section(response.get_data(as_text=True), '<section class="preview"')
    prompt, choice, explanation = PREVIEWED[language]
    assert prompt in preview and choice in preview
    assert explanation not in preview
    assert "correct" not in preview.lower() and "正确" not in preview
    assert len(desk.versions()) == 1


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_preview_with_an_answer_shows_the_feedback_page(desk, language):
    fields = {**desk.fields(), "preview_language": language, "answer": "b"}
    response = desk.post(fields, "preview")
    preview = section(response.get_data(as_text=True), '<section class="preview"')
    _prompt, _choice, explanation = PREVIEWED[language]
    assert explanation in preview
    assert "例如,一个人咬了一口饼干,但之后饼干可能没有咬痕。" in preview
    assert ("Not right." if language == "en" else "答错了") in preview
    assert len(desk.versions()) == 1


# Drafts and what learners get


def learner_prompt(app) -> str:
    """The English prompt a new learner's attempt on ``test-bank`` shows."""
    learner = Learner(app)
    public_id = learner.start(banks=("test-bank",))
    page = learner.text(f"/study/{public_id}/1")
    assert learner.content(public_id, 1)["prompt"]["en"] in page
    return learner.content(public_id, 1)["prompt"]["en"]


def test_a_draft_is_not_offered_to_learners(desk):
    response = desk.save(prompt_en="A draft prompt", status="draft")
    assert response.status_code == 302
    assert learner_prompt(desk.app) == "What happened to the cookie?"
    assert [version[1] for version in desk.versions()] == ["published", "draft"]


def test_publishing_offers_the_new_version_to_new_attempts(desk):
    desk.save(prompt_en="A draft prompt", status="draft")
    assert desk.save(status="published").status_code == 302
    assert learner_prompt(desk.app) == "A draft prompt"


def test_an_attempt_started_before_an_edit_keeps_its_version_to_the_results(desk):
    learner = Learner(desk.app)
    public_id = learner.start(banks=("test-bank",))
    desk.save(prompt_en="What happened to the biscuit?")
    assert learner_prompt(desk.app) == "What happened to the biscuit?"
    question = learner.text(f"/study/{public_id}/1")
    assert "What happened to the cookie?" in question and "biscuit" not in question
    assert learner.answer(public_id, 1, ["a"]).status_code == 302
    results = learner.text(f"/study/{public_id}/results")
    assert "What happened to the cookie?" in results and "biscuit" not in results


# New questions


def test_a_new_question_is_added_to_its_bank_as_a_draft_version_1(desk):
    url = "/admin/banks/test-bank/questions/new"
    fields = form_fields(desk.admin.text(url), "editor")
    assert fields["status"] == "draft" and choice_ids(fields) == ["a", "b"]
    fields.update(
        {
            "key": "q2",
            "prompt_zh": "谁很担心?",
            "prompt_en": "Who is worried?",
            "choices-0-text_zh": "学术界",
            "choices-0-text_en": "Academics",
            "choices-1-text_zh": "没有人",
            "choices-1-text_en": "Nobody",
            "explanation_zh": "文中说学术界很担心。",
            "explanation_en": "The article says academics worry.",
            "sources-0-doc": SOURCE,
            "sources-0-exact": OTHER_QUOTE,
        }
    )
    response = desk.admin.post(url, {**fields, "action": "save"})
    assert "Saved as version 1." in flashes(followed(desk.admin, response))
    with desk.app.app_context():
        question = db.session.scalar(select(Question).filter_by(key="q2"))
        assert response.headers["Location"] == f"/admin/questions/{question.id}"
        assert question.bank.slug == "test-bank" and question.live_version is None
        version = question.current_version
        assert (version.number, version.status, version.author.name) == (1, "draft", "ada")
        assert version.content["answer"] == "a"


def test_a_new_question_with_a_taken_id_is_refused_next_to_the_id(desk):
    url = "/admin/banks/test-bank/questions/new"
    fields = {**desk.fields(), "key": "q1"}
    response = desk.admin.post(url, {**fields, "action": "save"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "already in the bank" in field_error(page, "key")
    assert 'aria-invalid="true"' in re.search(r'<input[^>]*\bid="key"[^>]*>', page).group(0)
    with desk.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Question)) == 1


# Banks


def bank_form(browser: Browser, path: str) -> dict:
    return form_fields(main_part(browser.text(path)))


def bank_row(app, slug: str) -> Bank:
    with app.app_context():
        bank = db.session.scalar(select(Bank).filter_by(slug=slug))
        db.session.expunge(bank)
        return bank


def test_a_new_bank_is_created_empty_and_active(desk):
    fields = bank_form(desk.admin, "/admin/banks/new")
    fields.update(
        slug="new-bank",
        title_zh="新题库",
        title_en="New bank",
        description_zh="新的。",
        description_en="A new one.",
    )
    response = desk.admin.post("/admin/banks/new", fields)
    assert response.headers["Location"] == "/admin/banks/new-bank"
    assert "Bank created. Add its first question." in flashes(followed(desk.admin, response))
    bank = bank_row(desk.app, "new-bank")
    assert (bank.status, bank.title) == ("active", {"zh": "新题库", "en": "New bank"})
    with desk.app.app_context():
        entry = db.session.scalar(select(AuditEntry).filter_by(action="bank.create"))
        assert entry.actor.name == "ada" and entry.bank_id == bank.id
    assert "New bank" in desk.admin.text("/admin/")


def test_a_bank_id_already_taken_is_refused_next_to_the_id(desk):
    fields = bank_form(desk.admin, "/admin/banks/new")
    fields.update(
        slug="test-bank",
        title_zh="又一个",
        title_en="Another",
        description_zh="又",
        description_en="Again",
    )
    response = desk.admin.post("/admin/banks/new", fields)
    assert response.status_code == 422
    assert "exists already" in field_error(response.get_data(as_text=True), "slug")
    assert bank_row(desk.app, "test-bank").title["en"] == "Test bank"


def test_editing_a_bank_someone_else_just_saved_is_refused_with_their_text(desk, rival):
    path = "/admin/banks/test-bank/edit"
    theirs = bank_form(rival, path)
    mine = {**bank_form(desk.admin, path), "title_en": "Ada's title"}
    assert desk.admin.post(path, mine).status_code == 302
    response = rival.post(path, {**theirs, "title_en": "Bob's title"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    warning = html.unescape(
        page[page.index('<div class="form-error"') : page.index("<form", page.index("<main"))]
    )
    assert "Someone saved this bank while you were editing it" in warning
    assert "Ada's title" in warning
    assert form_fields(main_part(page))["title_en"] == "Bob's title"
    assert bank_row(desk.app, "test-bank").title["en"] == "Ada's title"


def offered_banks(app) -> list[str]:
    """The banks a learner may choose on the study start page."""
    page = Learner(app).text("/study/start")
    return re.findall(r'name="banks" id="bank-[^"]*" value="([^"]*)"', page)


def toggle_status(browser: Browser, slug: str):
    action = f"/admin/banks/{slug}/status"
    fields = form_fields(browser.text(f"/admin/banks/{slug}"), action)
    return browser.post(action, fields)


def test_a_retired_bank_is_no_longer_offered_to_learners(desk):
    assert offered_banks(desk.app) == ["test-bank"]
    response = toggle_status(desk.admin, "test-bank")
    assert "Bank retired: it is no longer offered to learners." in flashes(
        followed(desk.admin, response)
    )
    assert bank_row(desk.app, "test-bank").status == "retired"
    assert offered_banks(desk.app) == []


def test_a_retired_bank_can_be_made_active_again(desk):
    toggle_status(desk.admin, "test-bank")
    response = toggle_status(desk.admin, "test-bank")
    assert "Bank active again: its published questions are offered." in flashes(
        followed(desk.admin, response)
    )
    assert offered_banks(desk.app) == ["test-bank"]
    assert learner_prompt(desk.app) == "What happened to the cookie?"


# Finding questions


def make_true_false(**overrides) -> dict:
    """A true-or-false question citing another passage of the same report."""
    question = make_question(
        id="tf",
        type="true_false",
        difficulty=2,
        tags=["deepfake-cases"],
        status="draft",
        prompt={"zh": "学术界很担心。", "en": "Academics are worried."},
        answer=True,
        explanation={"zh": "文中这样说。", "en": "The report says so."},
        source={"doc": SOURCE, "exact": OTHER_QUOTE},
    )
    del question["choices"]
    question.update(overrides)
    return question


@pytest.fixture
def shelf(app, runner, write_bank) -> Teacher:
    """Two banks whose three questions differ in text, type, tag, difficulty and status."""
    hard = make_question(
        id="hard",
        difficulty=3,
        tags=["hype-vs-evidence"],
        status="retired",
        prompt={"zh": "谁说了算?", "en": "Who decides?"},
        source={"doc": SOURCE, "exact": OTHER_QUOTE},
        explanation={"zh": "看原文。", "en": "See the report."},
    )
    hard["choices"][1].pop("feedback")
    import_banks(
        runner,
        write_bank,
        make_bank("test-bank", [make_question(), make_true_false()]),
        make_bank("other-bank", [hard]),
    )
    return Teacher.quick(app, "ms-li")  # teachers may search too


def listed(browser: Browser, query: str = "") -> list[str]:
    """The question ids the list shows for ``query``, in order."""
    response = browser.get(f"/admin/questions{query}")
    assert response.status_code == 200
    return re.findall(r'<span class="meta">([a-z0-9_-]+) · ', response.get_data(as_text=True))


def test_the_list_without_a_search_shows_every_question(shelf):
    assert listed(shelf) == ["hard", "q1", "tf"]


@pytest.mark.parametrize(
    ("query", "found"),
    [("饼干", ["q1"]), ("学术界", ["hard", "tf"]), ("担心", ["hard", "tf"])],
)
def test_a_search_in_chinese_finds_the_questions_with_those_words(shelf, query, found):
    assert listed(shelf, f"?q={query}") == found


@pytest.mark.parametrize(("query", "found"), [("COOKIE", ["q1"]), ("academics are", ["tf"])])
def test_a_search_in_english_ignores_letter_case(shelf, query, found):
    assert listed(shelf, f"?q={query}") == found


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("bank=other-bank", ["hard"]),
        ("type=true_false", ["tf"]),
        ("tag=sora-limits", ["q1"]),
        ("difficulty=3", ["hard"]),
        ("status=draft", ["tf"]),
        ("status=retired&bank=test-bank", []),
    ],
)
def test_each_filter_narrows_the_list(shelf, query, found):
    assert listed(shelf, f"?{query}") == found


def test_the_list_of_the_shipped_banks_has_a_second_page(imported):
    browser = Teacher.quick(imported, "ms-li")
    first = listed(browser)
    page = browser.text("/admin/questions")
    assert len(first) == 25 and 'href="/admin/questions?page=2" rel="next"' in page
    second = listed(browser, "?page=2")
    assert len(second) == 25 and not set(first) & set(second)
    with imported.app_context():
        total = db.session.scalar(select(func.count()).select_from(Question))
    assert f"{total} questions found." in page


# Question text is text, never markup


EVIL_PROMPT = f"{SCRIPT} {IMAGE} Cookie?"


@pytest.fixture
def evil(desk) -> Desk:
    """``q1`` saved through the editor with markup in its prompt, choice and explanation."""
    changes = {
        "prompt_zh": f"{SCRIPT} {IMAGE} 饼干?",
        "prompt_en": EVIL_PROMPT,
        "choices-0-text_zh": f"{IMAGE} 没有咬痕",
        "choices-0-text_en": f"{IMAGE} No bite mark",
        "choices-1-feedback_en": f"{SCRIPT} no",
        "explanation_zh": f"{SCRIPT} 局限。",
        "explanation_en": f"{SCRIPT} {IMAGE} A limit.",
    }
    assert desk.save(**changes).status_code == 302
    return desk


def study_page(desk: Desk, answered: bool) -> str:
    learner = Learner(desk.app, EN)
    public_id = learner.start(banks=("test-bank",))
    if answered:
        assert learner.answer(public_id, 1, ["b"]).status_code == 302
    return learner.text(f"/study/{public_id}/1")


def projector(desk: Desk) -> str:
    teacher = Teacher.quick(desk.app, "ms-li")
    public_id = teacher.create(banks=("test-bank",))
    assert teacher.act(public_id, "start").status_code == 302
    return teacher.host(public_id)


PAGES = {
    "question list": lambda desk: desk.admin.text("/admin/questions"),
    "question page": lambda desk: desk.admin.text(f"/admin/questions/{desk.question_id}"),
    "history": lambda desk: desk.admin.text(f"/admin/questions/{desk.question_id}/history"),
    "preview": lambda desk: desk.post(
        {**desk.fields(), "preview_language": "en", "answer": "b"}, "preview"
    ).get_data(as_text=True),
    "study question": lambda desk: study_page(desk, answered=False),
    "study feedback": lambda desk: study_page(desk, answered=True),
    "classroom projector": projector,
}


@pytest.mark.parametrize("name", list(PAGES))
def test_markup_in_question_text_is_shown_as_text(evil, name):
    page = PAGES[name](evil)
    assert SCRIPT not in page and IMAGE not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
