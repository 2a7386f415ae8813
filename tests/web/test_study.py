"""Self-study through HTTP: the flow, the guarantees, and the bad inputs."""

import random
import re
from datetime import UTC, datetime

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Answer, Attempt, Bank, QuestionVersion
from quizapp.services.attempts import create_attempt, published_versions, start_attempt
from quizapp.services.banks import retire
from quizapp.study.timing import serializer as shown_serializer
from tests.answers import right_values, secrets_of, wrong_values
from tests.conftest import database_url
from tests.web.study_client import EN, Learner, hidden

ZH = {"Accept-Language": "zh-CN"}


def answers_stored(app) -> list[Answer]:
    with app.app_context():
        return list(db.session.scalars(select(Answer).order_by(Answer.id)))


def main_part(page: str) -> str:
    return page[page.index("<main") :]


def assert_reveals_nothing(page: str, content: dict, has_form: bool = True):
    # Random tokens (CSRF, the signed "shown" note) can contain a short answer
    # such as "FTC" by chance; they are checked for content elsewhere.
    main = re.sub(r'<input[^>]*type="hidden"[^>]*>', "", main_part(page))
    for secret in secrets_of(content):
        assert secret not in main, (content["prompt"]["en"], secret)
    markup = " ".join(re.findall(r"<[^>]+>", main))  # tags and attributes, not text
    # The keyboard's markers (static/study.js) say where the choices and the hint are.
    markup = re.sub(r" data-(answer-keys|key-hint|next)(?=[ >])", "", markup)
    assert "correct" not in markup.lower() and "data-" not in markup
    if not has_form:
        return
    blocks = re.findall(
        r'<div class="choice">\s*<input type="(?:radio|checkbox)" name="answer".*?</div>',
        main,
        re.S,
    )
    if content["type"] in ("single", "multiple"):
        assert len(blocks) == len(content["choices"])
        # Apart from the id, value, label and number, every choice is marked up alike.
        shapes = {
            re.sub(
                r'(id|value|for)="[^"]*"|<label[^>]*>.*?</label>|\s(required|checked)'
                r'|<span class="key key-hint" aria-hidden="true">\d</span>',  # its number
                "",
                block,
            )
            for block in blocks
        }
        assert len(shapes) == 1, shapes
    if content["type"] in ("numeric", "short_text"):
        assert 'name="answer" id="answer" value=""' in main


# Each mode once and each language once: the mode decides what is revealed,
# the language only which words say it (four full walks cost a minute a leg).
@pytest.mark.parametrize(
    ("mode", "headers"), [("practice", EN), ("test", ZH)], ids=["practice-en", "test-zh"]
)
def test_no_page_reveals_an_answer_before_it_is_given(imported, headers, mode):
    learner = Learner(imported, headers)
    learner.start(length="1", mode=mode)  # this browser's learner cookie
    with imported.app_context():
        # Every bank, the check's forms too (they are not offered on the start
        # page, but a class's check shows them through these same pages).
        banks = list(db.session.scalars(select(Bank.slug)))
        key = db.session.scalar(select(Attempt.learner_key))
        public_id = start_attempt(key, banks, mode=mode).public_id
    number = 1
    while True:
        page = learner.get(f"/study/{public_id}/{number}")
        if page.status_code == 404:
            break
        content = learner.content(public_id, number)
        assert_reveals_nothing(page.get_data(as_text=True), content)
        response = learner.answer(public_id, number, wrong_values(content))
        assert response.status_code == 302
        if mode == "test" and number % 7 == 1:  # back to it: the answer saved, no key
            again = learner.text(f"/study/{public_id}/{number}")
            assert_reveals_nothing(again, content, has_form=False)
            assert 'class="question-form study-form"' in again
        number += 1
    if mode == "test":  # nothing is marked before the test is submitted
        assert answers_stored(imported) == []
        check = learner.text(f"/study/{public_id}/check")
        assert "Every question is answered." in check or "每道题都已作答" in check
        assert learner.submit_test(public_id).headers["Location"].endswith("/results")
    assert number - 1 == len(answers_stored(imported)) >= 12


def test_a_practice_quiz_from_start_to_results(imported):
    learner = Learner(imported)
    public_id = learner.start(length="5")
    assert learner.get(f"/study/{public_id}").headers["Location"] == f"/study/{public_id}/1"
    for number in range(1, 6):
        content = learner.content(public_id, number)
        values = right_values(content) if number % 2 else wrong_values(content)
        response = learner.answer(public_id, number, values, confidence="3")
        assert response.headers["Location"] == f"/study/{public_id}/{number}"
        feedback = main_part(learner.text(response.headers["Location"]))
        assert ("Right." if number % 2 else "Not right.") in feedback
        assert str(escape(content["explanation"]["en"])) in feedback
        assert f"Certainty-based mark: {'+3' if number % 2 else '−6'}" in feedback
        for source in content["sources"]:
            assert source["exact"] in feedback
        assert "Reported by" in feedback and "Read it in the article" in feedback
        back = f"back=/study/{public_id}/{number}"  # "Back to the question" on the article
        assert re.search(
            rf'href="/sources/[a-z0-9-]+\?passage=\d+&amp;{back}#passage-\d+"', feedback
        )
        expected = "See your results" if number == 5 else "Next question"
        assert expected in feedback
    results = main_part(learner.text(f"/study/{public_id}/results"))
    assert "Score: 3 of 5 (60%)" in results
    assert "Certainty-based score: −3, −0.60 per question" in results  # true minus signs
    assert "When you said “very sure”, you were right 3 out of 5 times." in results
    assert "Retry the 2 questions I missed" in results
    assert results.count('class="review-item ') == 5


def test_feedback_is_in_chinese_with_the_quote_in_its_original(imported):
    learner = Learner(imported, ZH)
    public_id = learner.start(length="1")
    content = learner.content(public_id, 1)
    location = learner.answer(public_id, 1, right_values(content)).headers["Location"]
    feedback = learner.text(location)
    assert content["explanation"]["zh"] in feedback and content["explanation"]["en"] not in feedback
    assert f'<blockquote lang="zh-Hans">{content["sources"][0]["exact"]}</blockquote>' in feedback
    assert "来源：" in feedback and "在原文中阅读" in feedback


@pytest.fixture
def on_first_question(imported):
    """A learner on question 1 of 3: (learner, attempt id, its content, its form)."""
    learner = Learner(imported)
    public_id = learner.start(length="3")
    return learner, public_id, learner.content(public_id, 1), learner.form_for(public_id, 1)


def test_a_double_submit_records_one_answer_and_shows_the_same_result(imported, on_first_question):
    learner, public_id, content, form = on_first_question
    first = learner.answer(public_id, 1, right_values(content), form=form)
    second = learner.answer(public_id, 1, right_values(content), form=form)
    assert first.headers["Location"] == second.headers["Location"]
    assert len(answers_stored(imported)) == 1
    page = learner.text(second.headers["Location"])
    assert "Right." in page and "first answer stands" not in page


def test_a_changed_resubmission_keeps_the_first_answer_and_says_so(imported, on_first_question):
    learner, public_id, content, form = on_first_question
    learner.answer(public_id, 1, wrong_values(content), form=form)
    again = learner.answer(public_id, 1, right_values(content), confidence="3", form=form)
    page = learner.text(again.headers["Location"])
    assert "You had already answered this question; your first answer stands." in page
    assert "Not right." in page
    [stored] = answers_stored(imported)
    assert stored.fraction == 0 and stored.confidence == 2


def test_an_answer_to_a_question_that_is_not_current_is_refused_clearly(
    imported, on_first_question
):
    learner, public_id, _first, form = on_first_question
    content = learner.content(public_id, 3)
    response = learner.answer(public_id, 3, right_values(content), form=form)
    assert response.headers["Location"] == f"/study/{public_id}/1"
    page = learner.text(response.headers["Location"])
    assert "That answer was not recorded: question 3 is not the current question." in page
    assert answers_stored(imported) == []
    # Opening a later question sends the learner back to the current one.
    assert learner.get(f"/study/{public_id}/2").headers["Location"] == f"/study/{public_id}/1"


def test_a_missing_answer_or_confidence_is_asked_for_and_nothing_is_lost(imported):
    learner = Learner(imported)
    public_id = learner.start(length="2")
    content = learner.content(public_id, 1)
    missing = learner.answer(public_id, 1, [], confidence="3")
    assert missing.status_code == 422
    page = missing.get_data(as_text=True)
    assert "Choose or enter an answer first." in page and re.search(r'value="3"\s+checked', page)
    no_confidence = learner.answer(public_id, 1, right_values(content), confidence=None)
    assert no_confidence.status_code == 422
    assert "Say how sure you are." in no_confidence.get_data(as_text=True)
    assert answers_stored(imported) == []


def test_a_stale_form_shows_the_question_again_with_the_answer_filled_in(imported):
    learner = Learner(imported)
    public_id = learner.start(length="2")
    content = learner.content(public_id, 1)
    form = learner.form_for(public_id, 1)
    form["csrf_token"] = "expired-or-from-elsewhere"
    response = learner.answer(public_id, 1, right_values(content), confidence="3", form=form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "security check expired" in page and "still filled in" in page
    assert re.search(r'value="3"\s+checked', page)
    assert answers_stored(imported) == []
    retry = learner.answer(
        public_id,
        1,
        right_values(content),
        confidence="3",
        form={"csrf_token": hidden(page, "csrf_token"), "shown": hidden(page, "shown")},
    )
    assert retry.status_code == 302 and len(answers_stored(imported)) == 1


@pytest.mark.parametrize(
    "path", ["", "/1", "/results", "/retry"], ids=["attempt", "question", "results", "retry"]
)
def test_a_foreign_tampered_or_unknown_attempt_is_a_404(imported, path):
    owner = Learner(imported)
    public_id = owner.start(length="2")
    stranger = Learner(imported)
    stranger.start(length="1")  # a learner cookie of their own
    forged = Learner(imported)
    forged.client.set_cookie("learner", "somebody.forged-signature")
    for visitor in (stranger, forged):
        if path == "/retry":
            page = visitor.text("/study/start")
            status = visitor.post(
                f"/study/{public_id}/retry", {"csrf_token": hidden(page, "csrf_token")}
            ).status_code
        else:
            status = visitor.get(f"/study/{public_id}{path}").status_code
        assert status == 404
    tampered = public_id[:-1] + ("0" if public_id[-1] != "0" else "1")
    assert owner.get(f"/study/{tampered}{path if path != '/retry' else ''}").status_code == 404
    assert owner.get(f"/study/{public_id}/99").status_code == 404


def test_the_learner_cookie_is_signed_long_lived_and_only_set_on_starting(imported):
    learner = Learner(imported)
    assert "learner=" not in learner.get("/").headers.get("Set-Cookie", "")
    response = learner.post("/study/start", learner.start_form(length="5", confidence=False))
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("learner=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=31536000" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    with imported.app_context():
        key = db.session.scalar(select(Attempt.learner_key))
    assert value.startswith(key + ".") and value != key


def test_starting_twice_with_the_same_form_starts_one_attempt(imported):
    learner = Learner(imported)
    data = learner.start_form(length="5", confidence=False)
    first = learner.post("/study/start", data)
    second = learner.post("/study/start", data)
    assert first.headers["Location"] == second.headers["Location"]
    with imported.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_the_start_form_needs_a_bank(imported):
    learner = Learner(imported)
    page = learner.text("/study/start")
    response = learner.post(
        "/study/start",
        {"csrf_token": hidden(page, "csrf_token"), "length": "5", "mode": "practice"},
    )
    assert response.status_code == 422
    assert "Choose at least one bank." in response.get_data(as_text=True)


def test_test_mode_gives_feedback_only_at_the_end(imported):
    learner = Learner(imported)
    public_id = learner.start(length="2", mode="test")
    content = learner.content(public_id, 1)
    response = learner.answer(public_id, 1, right_values(content))
    assert response.headers["Location"] == f"/study/{public_id}/2"
    assert learner.get(f"/study/{public_id}/results").headers["Location"].endswith("/2")
    last = learner.answer(public_id, 2, right_values(learner.content(public_id, 2)))
    assert last.headers["Location"] == f"/study/{public_id}/check"
    assert answers_stored(imported) == []  # nothing marked yet
    assert learner.get(f"/study/{public_id}/results").headers["Location"].endswith("/check")
    assert learner.submit_test(public_id).headers["Location"] == f"/study/{public_id}/results"
    assert "Score: 2 of 2 (100%)" in learner.text(f"/study/{public_id}/results")
    assert str(escape(content["explanation"]["en"])) in learner.text(f"/study/{public_id}/1")


def test_without_confidence_there_is_no_confidence_question_and_marks_are_plain(imported):
    learner = Learner(imported)
    public_id = learner.start(length="1", confidence=False)
    assert 'name="confidence"' not in learner.text(f"/study/{public_id}/1")
    content = learner.content(public_id, 1)
    location = learner.answer(public_id, 1, right_values(content), confidence=None)
    assert "Mark: 1 of 1" in learner.text(location.headers["Location"])
    results = learner.text(f"/study/{public_id}/results")
    assert "Certainty-based" not in results and "Score: 1 of 1 (100%)" in results


def test_time_taken_is_measured_from_when_the_question_was_shown(imported):
    learner = Learner(imported)
    public_id = learner.start(length="2")
    note = learner.form_for(public_id, 1)["shown"]
    with imported.app_context():  # the note holds where and when, nothing else
        noted_id, position, shown_at = shown_serializer().loads(note)
    assert (noted_id, position) == (public_id, 0) and shown_at > 0
    content = learner.content(public_id, 1)
    learner.answer(public_id, 1, right_values(content))
    forged = {"csrf_token": learner.form_for(public_id, 2)["csrf_token"], "shown": "made-up"}
    learner.answer(public_id, 2, right_values(learner.content(public_id, 2)), form=forged)
    first, second = answers_stored(imported)
    assert 0 <= first.time_taken_ms < 60_000 and second.time_taken_ms is None


def test_closing_the_browser_and_coming_back_resumes_the_quiz(imported):
    learner = Learner(imported)
    public_id = learner.start(length="4")
    for number in (1, 2):
        learner.answer(public_id, number, right_values(learner.content(public_id, number)))
    learner.client.delete_cookie("session")  # the browser closed: session cookie gone
    home = learner.text("/")
    # Which quiz, and how far it got.
    title = "Getting started: Sora&#39;s limits and deepfakes"
    assert f"You have a quiz in progress: {title}, 2 of 4 answered." in home
    assert f'href="/study/{public_id}"' in home
    assert learner.get(f"/study/{public_id}").headers["Location"] == f"/study/{public_id}/3"
    progress = main_part(learner.text("/study/progress"))
    assert "2 / 4" in progress and "Continue" in progress


def test_retrying_the_missed_questions_starts_a_new_attempt_once(imported):
    learner = Learner(imported)
    public_id = learner.start(length="3")
    for number in (1, 2, 3):
        values = wrong_values if number == 2 else right_values
        learner.answer(public_id, number, values(learner.content(public_id, number)))
    page = learner.text(f"/study/{public_id}/results")
    data = {"csrf_token": hidden(page, "csrf_token"), "token": hidden(page, "token")}
    first = learner.post(f"/study/{public_id}/retry", data)
    second = learner.post(f"/study/{public_id}/retry", data)
    assert first.headers["Location"] == second.headers["Location"] != f"/study/{public_id}"
    again = first.headers["Location"].rsplit("/", 1)[1]
    assert learner.content(again, 1) == learner.content(public_id, 2)
    assert "(retry)" in learner.text("/study/progress")


def test_the_home_page_shows_the_last_score_on_each_bank(imported):
    learner = Learner(imported)
    public_id = learner.start(length="2")
    for number in (1, 2):
        learner.answer(public_id, number, right_values(learner.content(public_id, number)))
    assert "Your last score: 100%" in learner.text("/")
    assert "Your last score" not in Learner(imported).text("/")


def test_study_pages_work_without_javascript(imported):
    learner = Learner(imported)
    public_id = learner.start(length="1")
    content = learner.content(public_id, 1)
    pages = ["/", "/study/start", f"/study/{public_id}/1", "/study/progress"]
    learner.answer(public_id, 1, right_values(content))
    pages += [f"/study/{public_id}/1", f"/study/{public_id}/results"]
    for path in pages:
        page = learner.text(path)
        # At most the keyboard's shortcuts, which only add to plain forms and links.
        scripts = re.findall(r"<script[^>]*>", page)
        assert all(
            re.fullmatch(r'<script src="/static/study\.[0-9a-f]+\.js" defer>', s) for s in scripts
        ), scripts
        for form in re.findall(r"<form[^>]*>", page):
            assert 'method="post"' in form and "action=" in form


def test_times_are_shown_in_the_configured_time_zone(monkeypatch, app_factory, tmp_path):
    monkeypatch.setenv("QUIZ_TIMEZONE", "Asia/Shanghai")
    app = app_factory(database_url(tmp_path))
    with app.app_context():
        db.drop_all()
        db.create_all()
    assert app.test_cli_runner().invoke(args=["quiz", "import"]).exit_code == 0
    learner = Learner(app)
    learner.start(length="1")
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        attempt.created_at = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
        db.session.commit()
    assert "Mar 2, 2026, 7:30" in learner.text("/study/progress")  # 07:30 the next day in Shanghai


def test_starting_a_bank_whose_questions_were_all_withdrawn_says_so(imported):
    learner = Learner(imported)
    page = learner.text("/study/start")
    with imported.app_context():  # the starter withdrawn after the form was shown
        starter = db.session.scalar(select(Bank).where(Bank.slug == "starter"))
        for question in starter.questions:
            retire(question)
        db.session.commit()
    data = {"csrf_token": hidden(page, "csrf_token"), "token": hidden(page, "token")}
    response = learner.post("/study/start", dict(data, banks=["starter"], length="5", mode="test"))
    assert response.status_code == 422
    assert "These banks have no questions yet." in response.get_data(as_text=True)
    with imported.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_a_stale_form_elsewhere_gets_the_expired_form_page(imported):
    learner = Learner(imported)
    public_id = learner.start(length="1")
    learner.answer(public_id, 1, right_values(learner.content(public_id, 1)))
    response = learner.post(f"/study/{public_id}/retry", {"csrf_token": "stale", "token": "t"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def test_choice_values_are_opaque_per_attempt_and_a_bank_id_is_refused(imported):
    """The page does not send the bank's choice ids; each attempt's item has its
    own values, and a bank id posted instead is not an answer."""
    with imported.app_context():
        single = next(
            version
            for version in published_versions(["starter"])
            if version.content["type"] == "single"
        )
        ids = [choice["id"] for choice in single.content["choices"]]
    learner = Learner(imported)
    learner.start(length="1")  # this browser's learner cookie
    with imported.app_context():
        key = db.session.scalar(select(Attempt.learner_key))
        first, second = (
            create_attempt(
                key,
                [db.session.get(QuestionVersion, single.id)],
                mode="practice",
                confidence_enabled=True,
                settings={"banks": ["starter"]},
                request_token=None,
                rng=random.Random(seed),
            ).public_id
            for seed in (1, 2)
        )
    shown = {}
    for public_id in (first, second):
        page = learner.text(f"/study/{public_id}/1")
        values = re.findall(r'name="answer" id="answer-\d+" value="([^"]*)"', page)
        assert len(values) == len(ids) and not set(values) & set(ids)
        assert values == re.findall(  # the same on every load
            r'name="answer" id="answer-\d+" value="([^"]*)"', learner.text(f"/study/{public_id}/1")
        )
        shown[public_id] = set(values)
    assert not shown[first] & shown[second]
    refused = learner.post(
        f"/study/{first}/1",
        dict(learner.form_for(first, 1), answer=[single.content["answer"]], confidence="2"),
    )
    assert refused.status_code == 422
    assert "That answer is not one of the choices." in refused.get_data(as_text=True)
    # A value of the other attempt's page is no answer here either.
    borrowed = learner.form_values(second, 1, [single.content["answer"]])
    stolen = learner.post(
        f"/study/{first}/1", dict(learner.form_for(first, 1), answer=borrowed, confidence="2")
    )
    assert stolen.status_code == 422
    assert answers_stored(imported) == []
    right = learner.answer(first, 1, [single.content["answer"]])
    assert "Right." in learner.text(right.headers["Location"])


@pytest.mark.parametrize("headers", [EN, ZH])
def test_a_number_questions_hint_says_what_its_refusal_says(imported, headers):
    """The hint under the box and the message after a refused answer name the
    same accepted forms (digits or Chinese numerals, a unit allowed): the hint
    once said "in digits" while Chinese numerals were taken."""
    learner = Learner(imported, headers)
    public_id = learner.start()
    number = 1
    while learner.content(public_id, number)["type"] != "numeric":
        learner.answer(public_id, number, right_values(learner.content(public_id, number)))
        number += 1
    page = learner.text(f"/study/{public_id}/{number}")
    hint = re.search(r'<p class="hint" id="answer-hint">([^<]+)</p>', page).group(1)
    refused = learner.answer(public_id, number, ["about a minute"]).get_data(as_text=True)
    error = re.search(r'<p class="form-error" id="form-error" role="alert">([^<]+)</p>', refused)
    # "A number, such as 60: …" under the box; "Enter a number, such as 60: …" refused.
    forms = re.split(r"[,，]", hint, maxsplit=1)[1]
    assert "60" in forms and forms in error.group(1) and hint != error.group(1)
