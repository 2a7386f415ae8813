"""Who may use the bank editor: every admin route for each kind of visitor, and CSRF.

The walks are driven by the application's URL map and checked against
:data:`ROUTES`, so a route added to the blueprint later fails these tests
until someone decides who may use it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import AuditEntry, Bank, Passage, Proposal, Question, QuestionVersion, User
from quizapp.services.proposals import digest as proposal_digest
from tests.conftest import dump, make_bank, make_question
from tests.web.classroom_client import Browser, Student, Teacher
from tests.web.editor_client import form_fields
from tests.web.study_client import hidden

#: Every route and method of the ``admin`` blueprint and who may use it:
#: "staff" (teachers may look, admins too), "admin" (admins only),
#: "propose" (teachers and admins write a proposal), "own" (a proposal's
#: author, and admins once it is submitted) or "author" (its author only).
#: Anyone else gets 404 on someone else's proposal: its id tells nothing.
ROUTES = {
    ("admin.index", "GET"): "staff",
    ("admin.new_bank", "GET"): "admin",
    ("admin.new_bank", "POST"): "admin",
    ("admin.bank", "GET"): "staff",
    ("admin.bank_analysis", "GET"): "staff",
    ("admin.bank_analysis_export", "GET"): "staff",
    ("admin.edit_bank", "GET"): "admin",
    ("admin.edit_bank", "POST"): "admin",
    ("admin.bank_status", "POST"): "admin",
    ("admin.audit", "GET"): "admin",
    ("admin.picker", "GET"): "staff",
    ("admin.quote", "GET"): "staff",
    ("admin.find", "GET"): "staff",
    ("admin.context", "GET"): "staff",
    ("admin.questions", "GET"): "staff",
    ("admin.new_question", "GET"): "admin",
    ("admin.new_question", "POST"): "admin",
    ("admin.edit_question", "GET"): "admin",
    ("admin.edit_question", "POST"): "admin",
    ("admin.question", "GET"): "staff",
    ("admin.version", "GET"): "staff",
    ("admin.question_history", "GET"): "staff",
    ("admin.restore", "POST"): "admin",
    ("admin.retire", "POST"): "admin",
    ("admin.unretire", "POST"): "admin",
    ("admin.upload", "GET"): "admin",
    ("admin.upload", "POST"): "admin",
    ("admin.confirm_upload", "POST"): "admin",
    ("admin.download_bank", "GET"): "staff",
    ("admin.download_all", "GET"): "staff",
    ("admin.bank_exchange", "GET"): "staff",
    ("admin.export_bank_as", "GET"): "staff",
    ("admin.csv_template", "GET"): "staff",
    ("admin.plan_bank_drafts", "POST"): "admin",
    ("admin.confirm_bank_drafts", "POST"): "admin",
    ("admin.propose_question", "GET"): "staff",
    ("admin.propose_question", "POST"): "propose",
    ("admin.propose_edit", "GET"): "staff",
    ("admin.propose_edit", "POST"): "propose",
    ("admin.edit_proposal", "GET"): "author",
    ("admin.edit_proposal", "POST"): "author",
    ("admin.submit_proposal", "POST"): "author",
    ("admin.withdraw_proposal", "POST"): "author",
    ("admin.delete_proposal", "POST"): "author",
    ("admin.proposals", "GET"): "admin",
    ("admin.my_proposals", "GET"): "staff",
    ("admin.proposal", "GET"): "own",
    ("admin.publish_proposal", "POST"): "admin",
    ("admin.decline_proposal", "POST"): "admin",
    ("admin.files", "GET"): "staff",
    ("admin.write_back_files", "GET"): "admin",
    ("admin.write_back_files", "POST"): "admin",
    ("admin.import_files", "GET"): "admin",
    ("admin.import_files", "POST"): "admin",
    ("admin.users", "GET"): "admin",
    ("admin.sign_out_user", "POST"): "admin",
    ("admin.unlock_user", "POST"): "admin",
}
#: What an admin's POST answers when it goes through (anything else is a redirect).
ADMIN_POST_STATUS = {
    "admin.upload": 200,
    "admin.write_back_files": 200,
    "admin.import_files": 200,
    "admin.plan_bank_drafts": 200,
}
SOURCE = "huanqiu-2024-02"
QUOTE = "一个人咬了一口饼干"


@dataclass
class Site:
    """The editor with one small bank, an admin, and the ids the routes need.

    ``proposal_id``: a new question ``p1`` that another teacher proposed.
    """

    app: object
    admin: Teacher
    question_id: int
    passage: tuple[int, int]
    proposal_id: int
    #: The proposing teacher's account, for the "sign out everywhere" button.
    author_id: int


@pytest.fixture
def site(app, runner, write_bank) -> Site:
    path = write_bank(make_bank(questions=[make_question()]))
    result = runner.invoke(args=["quiz", "import", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        question_id = db.session.scalar(select(Question.id))
        passage = db.session.execute(select(Passage.start, Passage.end)).one()
    author = Teacher.quick(app, "mr-wu")
    fields = form_fields(author.text(f"/admin/questions/{question_id}/propose"), "editor")
    proposed = author.post(
        "/admin/banks/test-bank/propose", {**fields, "key": "p1", "action": "submit"}
    )
    proposal_id = int(proposed.headers["Location"].rsplit("/", 1)[1])
    admin = Teacher.quick(app, "ada", "admin")
    with app.app_context():
        author_id = db.session.scalar(select(User.id).where(User.name == "mr-wu"))
    return Site(app, admin, question_id, tuple(passage), proposal_id, author_id)


def admin_rules(app) -> list:
    """The blueprint's rules, after checking that :data:`ROUTES` has every one of them."""
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")]
    found = {(rule.endpoint, method) for rule in rules for method in methods_of(rule)}
    assert found == set(ROUTES), (
        f"not in ROUTES: {sorted(found - set(ROUTES))}; gone: {sorted(set(ROUTES) - found)}"
    )
    return rules


def methods_of(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def path_of(rule, site: Site) -> str:
    values = {
        "slug": "test-bank",
        "question_id": site.question_id,
        "number": 1,
        "source_id": SOURCE,
        "proposal_id": site.proposal_id,
        "user_id": site.author_id,
        "kind": "items",
        "format_name": "gift",
    }
    values = {**(rule.defaults or {}), **values}  # a rule's own fixed values
    unknown = set(rule.arguments) - set(values)
    assert not unknown, f"{rule.rule}: give this test a value for {unknown}"
    path = rule.build({name: values[name] for name in rule.arguments})[1]
    start, end = site.passage
    query = {
        "admin.quote": f"?start={start}&end={end}",
        "admin.find": f"?q={QUOTE}",
        "admin.context": f"?exact={QUOTE}",
    }
    return path + query.get(rule.endpoint, "")


def main_part(page: str) -> str:
    return page[page.index("<main") :]


def upload_file(slug: str = "more-bank") -> dict:
    """A bank file to upload, as the multipart field ``files``."""
    raw = dump(make_bank(slug, [make_question(id="m1")])).encode("utf-8")
    return {"files": [(io.BytesIO(raw), f"{slug}.yaml")]}


def drafts_file() -> dict:
    """A file from another tool with one question, as the multipart field ``file``."""
    return {"file": (io.BytesIO(b"::d1:: Drafted from another tool? {T}\n"), "other.gift")}


def admin_form(endpoint: str, site: Site) -> dict:
    """What the admin's page would post to ``endpoint``, read now (CSRF token included)."""
    admin, question_id = site.admin, site.question_id
    with site.app.app_context():
        bank = db.session.scalar(select(Bank).filter_by(slug="test-bank"))
        revision = str(bank.revision)
        current = str(db.session.get(Question, question_id).current_version_id)
    token = hidden(admin.text("/admin/"), "csrf_token")
    if endpoint == "admin.new_bank":
        return {
            "csrf_token": token,
            "slug": "new-bank",
            "title_zh": "新题库",
            "title_en": "New bank",
            "description_zh": "说明",
            "description_en": "About it",
        }
    if endpoint == "admin.edit_bank":
        fields = form_fields(main_part(admin.text("/admin/banks/test-bank/edit")))
        return {**fields, "title_en": "Renamed bank"}
    if endpoint == "admin.bank_status":
        return {"csrf_token": token, "revision": revision}
    if endpoint in ("admin.edit_question", "admin.new_question"):
        fields = form_fields(admin.text(f"/admin/questions/{question_id}/edit"), "editor")
        fields["prompt_en"] = "What happened to the cookie, really?"
        if endpoint == "admin.new_question":
            fields["key"] = "q2"
        return {**fields, "action": "save"}
    if endpoint in ("admin.propose_edit", "admin.propose_question", "admin.edit_proposal"):
        fields = form_fields(admin.text(f"/admin/questions/{question_id}/propose"), "editor")
        fields["prompt_en"] = "What happened to the cookie, in the end?"
        if endpoint == "admin.propose_question":
            fields["key"] = "p2"
        return {**fields, "action": "submit"}
    if endpoint in ("admin.publish_proposal", "admin.decline_proposal"):
        with site.app.app_context():
            seen = proposal_digest(db.session.get(Proposal, site.proposal_id))
        return {"csrf_token": token, "seen": seen, "note": "Not this one."}
    if endpoint in (
        "admin.submit_proposal",
        "admin.withdraw_proposal",
        "admin.delete_proposal",
        "admin.sign_out_user",
        "admin.unlock_user",
    ):
        return {"csrf_token": token}
    if endpoint in ("admin.restore", "admin.retire", "admin.unretire"):
        return {"csrf_token": token, "base_version": current}
    if endpoint == "admin.upload":
        return {"csrf_token": token, **upload_file()}
    if endpoint in ("admin.write_back_files", "admin.import_files"):
        # Not the diff's fingerprint: the page comes back and nothing is written
        # (the questions folder here is the repository's own).
        return {"csrf_token": token, "plan": "not-the-diff-shown"}
    if endpoint == "admin.confirm_upload":
        page = admin.client.post("/admin/upload", data={"csrf_token": token, **upload_file()})
        assert page.status_code == 200
        return form_fields(page.get_data(as_text=True), "/admin/upload/confirm")
    if endpoint == "admin.plan_bank_drafts":
        return {"csrf_token": token, **drafts_file()}
    if endpoint == "admin.confirm_bank_drafts":
        page = admin.client.post(
            "/admin/banks/test-bank/drafts", data={"csrf_token": token, **drafts_file()}
        )
        assert page.status_code == 200
        return form_fields(page.get_data(as_text=True), "/admin/banks/test-bank/drafts/confirm")
    raise AssertionError(f"{endpoint}: add what its form posts to admin_form()")


def state(app) -> tuple:
    """Everything an admin route could change."""
    with app.app_context():
        return (
            db.session.execute(
                select(Bank.slug, Bank.status, Bank.revision, Bank.title).order_by(Bank.id)
            ).all(),
            db.session.execute(
                select(Question.id, Question.current_version_id, Question.live_version_id).order_by(
                    Question.id
                )
            ).all(),
            db.session.scalar(select(func.count()).select_from(QuestionVersion)),
            # A teacher's proposal is logged when submitted, but changes no bank.
            db.session.scalar(select(func.count()).where(AuditEntry.action.not_like("proposal.%"))),
            db.session.scalar(select(func.count()).select_from(Passage)),
            # "Sign out everywhere" replaces a session token.
            db.session.execute(
                select(User.name, User.session_token)
                .where(User.name.in_(("ada", "mr-wu")))
                .order_by(User.name)
            ).all(),
        )


def walk(visitor: Browser, site: Site, token: str) -> list[tuple]:
    """Every admin route, each method, as ``visitor``: (method, path, status, location)."""
    seen = []
    for rule in admin_rules(site.app):
        path = path_of(rule, site)
        for method in methods_of(rule):
            if method == "GET":
                response = visitor.get(path)
            else:
                data = {**admin_form(rule.endpoint, site), "csrf_token": token}
                response = visitor.post(path, data)
            location = urlsplit(response.headers.get("Location", "")).path
            seen.append((rule.endpoint, method, path, response.status_code, location))
    return seen


def sent_to_log_in(seen: list[tuple]) -> list[tuple]:
    """The visits that did not end in a redirect to the log-in page."""
    return [visit for visit in seen if visit[3] != 302 or visit[4] != "/auth/login"]


# Who may do what


def test_the_table_names_every_admin_route_and_method(app):
    # admin_rules fails on any route or method missing from ROUTES, or listed but gone.
    assert {rule.endpoint for rule in admin_rules(app)} == {key[0] for key in ROUTES}


def test_every_admin_route_sends_an_anonymous_visitor_to_log_in(site):
    before = state(site.app)
    visitor = Browser(site.app)
    token = hidden(visitor.text("/auth/login"), "csrf_token")
    assert sent_to_log_in(walk(visitor, site, token)) == []
    assert state(site.app) == before


def test_a_learner_who_studies_and_plays_is_still_sent_to_log_in(site):
    teacher = Teacher.quick(site.app, "ms-li")
    public_id = teacher.create(banks=("test-bank",))
    student = Student(site.app)
    assert student.join(teacher.code(public_id), "Ann").status_code == 302
    page = student.text("/study/start")
    started = student.post(
        "/study/start",
        {
            "csrf_token": hidden(page, "csrf_token"),
            "token": hidden(page, "token"),
            "banks": ["test-bank"],
            "length": "",
            "mode": "practice",
        },
    )
    assert started.status_code == 302 and student.client.get_cookie("learner") is not None
    before = state(site.app)
    token = hidden(student.text("/play/"), "csrf_token")
    assert sent_to_log_in(walk(student, site, token)) == []
    assert state(site.app) == before


#: What a teacher gets from each kind of route, on another teacher's proposal.
TEACHER_GETS = {"staff": 200, "propose": 302, "own": 404, "author": 404, "admin": 403}


def test_a_teacher_may_read_the_banks_and_propose_but_change_nothing(site):
    before = state(site.app)
    teacher = Teacher.quick(site.app, "ms-li")
    token = hidden(teacher.text("/admin/"), "csrf_token")
    problems = []
    for endpoint, method, path, status, _location in walk(teacher, site, token):
        expected = TEACHER_GETS[ROUTES[(endpoint, method)]]
        if status != expected:
            problems.append((method, path, status, expected))
    assert problems == []
    assert state(site.app) == before
    with site.app.app_context():
        proposed = select(Proposal.key).join(Proposal.author).where(User.name == "ms-li")
        assert sorted(db.session.scalars(proposed)) == ["p2", "q1"]


def test_the_read_only_pages_a_teacher_may_see_are_exactly_these():
    staff = {endpoint for (endpoint, _method), who in ROUTES.items() if who == "staff"}
    assert staff == {
        "admin.index",
        "admin.bank",
        "admin.bank_analysis",
        "admin.bank_analysis_export",
        "admin.questions",
        "admin.question",
        "admin.version",
        "admin.question_history",
        "admin.download_bank",
        "admin.download_all",
        "admin.bank_exchange",
        "admin.export_bank_as",
        "admin.csv_template",
        "admin.picker",
        "admin.quote",
        "admin.find",
        "admin.context",
        "admin.propose_question",
        "admin.propose_edit",
        "admin.my_proposals",
        "admin.files",
    }
    assert all(method == "GET" for (_endpoint, method), who in ROUTES.items() if who == "staff")


def test_an_admin_may_use_every_route(site):
    admin = site.admin
    token = hidden(admin.text("/admin/"), "csrf_token")
    problems = []
    for endpoint, method, path, status, location in walk(admin, site, token):
        expected = 200 if method == "GET" else ADMIN_POST_STATUS.get(endpoint, 302)
        if ROUTES[(endpoint, method)] == "author":
            expected = 404  # another teacher's proposal is theirs to change
        if status != expected or location == "/auth/login":
            problems.append((method, path, status, location))
    assert problems == []
    with site.app.app_context():
        banks = {bank.slug: bank for bank in db.session.scalars(select(Bank))}
        assert set(banks) == {"test-bank", "new-bank", "more-bank"}
        assert banks["test-bank"].status == "retired"
        assert banks["test-bank"].title["en"] == "Renamed bank"
        question = db.session.get(Question, site.question_id)
        # Edited (version 2), version 1 restored (3), retired (4) and brought back (5).
        assert question.current_version.number == 5
        assert question.current_version.status == "published"
        assert question.current_version.content["prompt"]["en"] == "What happened to the cookie?"
        keys = db.session.scalars(select(Question.key).order_by(Question.id)).all()
        # d1: brought in from another tool; p1: the other teacher's proposal, published.
        assert keys == ["q1", "d1", "q2", "p1", "m1"]


# CSRF: on in these tests, as in production


def test_csrf_protection_is_on_in_these_tests(app):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True


@pytest.mark.parametrize("token", [None, "made-up", "from-another-browser"])
def test_no_admin_form_is_accepted_without_its_token(site, token):
    before = state(site.app)
    teacher = Teacher.quick(site.app, "ms-li")
    posts = [
        (rule, method)
        for rule in admin_rules(site.app)
        for method in methods_of(rule)
        if method == "POST"
    ]
    assert len(posts) == 24
    problems = []
    for rule, _method in posts:
        data = admin_form(rule.endpoint, site)
        if token is None:
            del data["csrf_token"]
        elif token == "made-up":
            data["csrf_token"] = "made-up"
        else:
            data["csrf_token"] = hidden(teacher.text("/admin/"), "csrf_token")
        response = site.admin.post(path_of(rule, site), data)
        if response.status_code != 400:
            problems.append((rule.endpoint, response.status_code))
    assert problems == []
    assert state(site.app) == before


@pytest.mark.parametrize("visitor", ["anonymous", "teacher"])
def test_a_tokenless_post_to_the_question_form_shows_a_non_admin_no_editor(site, visitor):
    browser = Browser(site.app) if visitor == "anonymous" else Teacher.quick(site.app, "ms-li")
    data = admin_form("admin.edit_question", site)
    del data["csrf_token"]
    response = browser.post(f"/admin/questions/{site.question_id}/edit", data)
    page = response.get_data(as_text=True)
    assert response.status_code in (302, 400, 403)
    assert 'id="editor"' not in page and "Test bank" not in page
