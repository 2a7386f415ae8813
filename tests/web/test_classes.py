"""Classes through HTTP: the teacher's class pages, students joining a class
and coming back on another browser, class sessions, assignments and the
before/after check.

The access checks walk the application's URL map, so a class route added
later is checked without anyone remembering to list it here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import (
    Answer,
    Assignment,
    Attempt,
    ClassMember,
    MemberAttempt,
    MemberPlayer,
    Player,
    PlayerAnswer,
    SchoolClass,
)
from tests.answers import right_values, wrong_values
from tests.conftest import QUESTIONS, database_url, shipped_bank_size
from tests.web.classroom_client import Browser, Student, Teacher
from tests.web.study_client import Learner, form_values, hidden

#: The class routes as of this writing: the URL map must still have them all.
KNOWN_ENDPOINTS = {
    "classes.index",
    "classes.detail",
    "classes.qr_code",
    "classes.report",
    "classes.rename_member",
    "classes.new_code",
    "classes.merge_member",
    "classes.remove_member",
    "classes.export_member",
    "classes.delete_member",
    "classes.new_assignment",
    "classes.close_assignment",
    "classes.reopen_assignment",
    "classes.open_check",
    "classes.join",
    "classes.my_code",
    "classes.start_assignment",
    "classes.leave",
}
#: A re-entry code as a page shows it.
CODE = re.compile(r'<p class="join-code"[^>]*>([A-Z0-9]{3}-[A-Z0-9]{3})</p>')


def says(page: str, message: str) -> bool:
    """Whether ``page`` shows ``message`` (as the template escapes it)."""
    return str(escape(message)) in page


def query(app, statement):
    with app.app_context():
        return db.session.execute(statement).all()


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


class ClassTeacher(Teacher):
    """A teacher driving the class pages."""

    def new_class(self, name: str = "Year 9 B") -> str:
        """Create a class through the form; return its public id."""
        page = self.text("/classes/")
        response = self.post(
            "/classes/",
            {
                "csrf_token": hidden(page, "csrf_token"),
                "token": hidden(page, "token"),
                "name": name,
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return response.headers["Location"].rsplit("/", 1)[1]

    def join_token(self, class_id: str) -> str:
        (row,) = query(
            self.app, select(SchoolClass.join_token).where(SchoolClass.public_id == class_id)
        )
        return row[0]

    def member_id(self, nickname: str) -> int:
        (row,) = query(self.app, select(ClassMember.id).where(ClassMember.nickname == nickname))
        return row[0]

    def member_action(self, class_id: str, action: str, member_id: int, **fields):
        """Press a member's button (rename, code, merge, remove, delete)."""
        page = self.text(f"/classes/{class_id}")
        data = {"csrf_token": hidden(page, "csrf_token"), **fields}
        return self.post(f"/classes/{class_id}/members/{member_id}/{action}", data)

    def create_for(self, class_id: str, **options) -> str:
        """A live session for the class (through the new-session form); its public id."""
        return self.create(school_class=class_id, **options)

    def assign(self, class_id: str, banks=("starter",), length="", mode="practice") -> str:
        """Set self-study; return the new assignment's public id."""
        page = self.text(f"/classes/{class_id}")
        data = {
            "csrf_token": hidden(page, "csrf_token"),
            "token": re.search(r'name="token" type="hidden" value="([^"]*)"', page).group(1),
            "title": "Homework",
            "banks": list(banks),
            "length": length,
            "mode": mode,
            "confidence": "y",
        }
        response = self.post(f"/classes/{class_id}/assignments", data)
        assert response.status_code == 302, response.get_data(as_text=True)
        rows = query(self.app, select(Assignment.public_id).order_by(Assignment.id.desc()))
        return rows[0][0]

    def open_check(self, class_id: str, phase: str, counterbalanced: bool = False):
        page = self.text(f"/classes/{class_id}")
        offered = f"/check/{phase}" in page
        form = page[page.index(f"/check/{phase}") :] if offered else ""
        data = {
            "csrf_token": hidden(page, "csrf_token"),
            "token": hidden(form, "token") if offered else "",
        }
        if counterbalanced:
            data["counterbalanced"] = "y"
        return self.post(f"/classes/{class_id}/check/{phase}", data)


class Pupil(Student):
    """A student's browser, in classes and sessions."""

    def join_class(self, token: str, nickname: str, next_path: str = ""):
        page = self.text(f"/c/{token}")
        return self.post(
            f"/c/{token}",
            {"csrf_token": hidden(page, "csrf_token"), "nickname": nickname, "next": next_path},
        )

    def joined(self, token: str, nickname: str) -> str:
        """Join the class; return the re-entry code shown once."""
        response = self.join_class(token, nickname)
        assert response.status_code == 302, response.get_data(as_text=True)
        page = self.text(response.headers["Location"])
        return CODE.search(page).group(1)

    def reenter(self, token: str, code: str, next_path: str = ""):
        page = self.text(f"/c/{token}")
        return self.post(
            f"/c/{token}",
            {"csrf_token": hidden(page, "csrf_token"), "reentry_code": code, "next": next_path},
        )

    def start(self, token: str, assignment_id: str):
        page = self.text(f"/c/{token}")
        form = page[page.index(f"/assignments/{assignment_id}/start") :]
        return self.post(
            f"/c/{token}/assignments/{assignment_id}/start",
            {"csrf_token": hidden(page, "csrf_token"), "token": hidden(form, "token")},
        )

    def join_as_member(self, code: str):
        page = self.text(f"/play/{code}")
        response = self.post("/play/", {"csrf_token": hidden(page, "csrf_token"), "code": code})
        if response.status_code == 302:
            self.public_id = response.headers["Location"].rstrip("/").rsplit("/", 1)[1]
        return response


@dataclass
class Site:
    """A teacher's class with one member, and another teacher."""

    owner: ClassTeacher
    other: ClassTeacher
    class_id: str
    token: str
    ann: Pupil
    ann_code: str


def make_site(app) -> Site:
    owner = ClassTeacher.quick(app, "ms-li")
    other = ClassTeacher.quick(app, "mr-wang")
    class_id = owner.new_class()
    token = owner.join_token(class_id)
    ann = Pupil(app)
    code = ann.joined(token, "Ann")
    return Site(owner, other, class_id, token, ann, code)


@pytest.fixture
def site(app, runner) -> Site:
    result = runner.invoke(args=["quiz", "import", str(QUESTIONS / "starter.yaml")])
    assert result.exit_code == 0, result.output
    return make_site(app)


@pytest.fixture
def checked(app, runner) -> Site:
    """The site with the two forms of the before/after check imported too."""
    for name in ("starter", "check-form-a", "check-form-b"):
        result = runner.invoke(args=["quiz", "import", str(QUESTIONS / f"{name}.yaml")])
        assert result.exit_code == 0, result.output
    return make_site(app)


# Access: log-in, ownership, CSRF


def class_rules(app) -> list:
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("classes.")]
    assert {rule.endpoint for rule in rules} >= KNOWN_ENDPOINTS
    return rules


def path_of(rule, site: Site, ids: dict) -> str:
    values = {"class_id": site.class_id, "code": site.token, "kind": "items", **ids}
    values = {**(rule.defaults or {}), **values}  # a rule's own fixed values
    unknown = set(rule.arguments) - set(values)
    assert not unknown, f"{rule.rule}: give this test a value for {unknown}"
    return rule.build({name: values[name] for name in rule.arguments})[1]


def site_ids(site: Site) -> dict:
    assignment = site.owner.assign(site.class_id)
    return {
        "member_id": site.owner.member_id("Ann"),
        "assignment_id": assignment,
        "phase": "before",
    }


def database_state(app) -> tuple:
    """Everything a class route could change."""
    counts = tuple(count(app, model) for model in (SchoolClass, Assignment, MemberAttempt, Attempt))
    members = query(app, select(ClassMember.nickname, ClassMember.code_digest))
    closed = query(app, select(Assignment.closed_at))
    return counts, members, closed


def test_every_class_route_of_a_teacher_is_not_found_for_another_teacher(app, site):
    ids = site_ids(site)
    before = database_state(app)
    token = hidden(site.other.text("/classes/"), "csrf_token")
    problems = []
    for rule in class_rules(app):
        if "class_id" not in rule.arguments:
            continue
        path = path_of(rule, site, ids)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = site.other.get(path)
            else:
                data = {"csrf_token": token, "nickname": "Mallory", "into": ids["member_id"]}
                response = site.other.post(path, data)
            if response.status_code != 404:
                problems.append((method, path, response.status_code))
    assert problems == []
    assert database_state(app) == before


def test_every_teacher_route_of_classes_sends_an_anonymous_visitor_to_log_in(app, site):
    ids = site_ids(site)
    before = database_state(app)
    visitor = Browser(app)
    token = hidden(visitor.text("/auth/login"), "csrf_token")
    problems = []
    for rule in class_rules(app):
        if not rule.rule.startswith("/classes/"):
            continue
        path = path_of(rule, site, ids)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = visitor.get(path)
            else:
                response = visitor.post(path, {"csrf_token": token, "name": "Mine"})
            location = urlsplit(response.headers.get("Location", ""))
            if response.status_code != 302 or location.path != "/auth/login":
                problems.append((method, path, response.status_code))
    assert problems == []
    assert database_state(app) == before


def test_every_post_of_classes_is_refused_without_its_csrf_token(app, site):
    ids = site_ids(site)
    before = database_state(app)
    problems = []
    for rule in class_rules(app):
        if "POST" not in rule.methods:
            continue
        path = path_of(rule, site, ids)
        for browser in (site.owner, site.ann):
            fields = {"name": "Another", "nickname": "Bo", "reentry_code": site.ann_code}
            response = browser.post(path, {**fields, "csrf_token": "forged"})
            if response.status_code != 400:
                problems.append((path, response.status_code))
    assert problems == []
    assert database_state(app) == before


def test_the_teachers_own_class_pages_all_answer(app, site):
    ids = site_ids(site)
    for rule in class_rules(app):
        if rule.rule.startswith("/classes/") and "GET" in rule.methods:
            response = site.owner.get(path_of(rule, site, ids))
            assert response.status_code == 200, rule.rule


# Creating a class


def test_a_teacher_creates_a_class_and_a_double_submit_creates_one(app, site):
    page = site.owner.text("/classes/")
    data = {"csrf_token": hidden(page, "csrf_token"), "token": hidden(page, "token"), "name": "7 A"}
    first = site.owner.post("/classes/", data)
    second = site.owner.post("/classes/", data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(app, SchoolClass, SchoolClass.name == "7 A") == 1
    listing = site.owner.text("/classes/")
    assert "7 A" in listing and "Year 9 B" in listing
    assert "7 A" not in site.other.text("/classes/")


def test_a_class_without_a_name_is_refused_with_a_message(app, site):
    page = site.owner.text("/classes/")
    response = site.owner.post(
        "/classes/",
        {"csrf_token": hidden(page, "csrf_token"), "token": hidden(page, "token"), "name": "  "},
    )
    assert response.status_code == 422
    assert 'aria-describedby="name-hint name-error"' in response.get_data(as_text=True)
    assert count(app, SchoolClass) == 1


def test_the_class_page_shows_the_link_its_qr_code_and_the_token(site):
    page = site.owner.text(f"/classes/{site.class_id}")
    assert f"http://localhost/c/{site.token}" in page
    assert f">{site.token}</p>" in page
    qr = site.owner.get(f"/classes/{site.class_id}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert 'href="/classes/' + site.class_id + '/report"' in page


# Joining a class and coming back


def test_a_student_joins_and_sees_their_code_once(site):
    home = site.ann.text(f"/c/{site.token}")
    assert says(home, "You are Ann.")
    assert site.ann_code not in home  # only on its own page, when asked
    shown = site.ann.text(f"/c/{site.token}/code")
    assert CODE.search(shown).group(1) == site.ann_code


def test_another_browser_with_the_code_in_lower_case_without_a_dash_is_the_same_member(app, site):
    phone = Pupil(app)
    typed = site.ann_code.replace("-", "").lower()
    response = phone.reenter(site.token, typed)
    assert response.status_code == 302
    assert says(phone.text(f"/c/{site.token}"), "You are Ann.")
    assert count(app, ClassMember) == 1
    # The phone can show the code again, as typed on it.
    assert CODE.search(phone.text(f"/c/{site.token}/code")).group(1) == site.ann_code


def test_a_wrong_code_is_refused_with_a_message(app, site):
    phone = Pupil(app)
    response = phone.reenter(site.token, "ZZZ-ZZZ" if site.ann_code != "ZZZ-ZZZ" else "YYY-YYY")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert says(page, "That code is not right.") and 'id="reentry_code-error"' in page
    assert "You are Ann" not in phone.text(f"/c/{site.token}")


def test_wrong_codes_and_wrong_class_links_are_counted_against_the_address(app_factory, tmp_path):
    app = app_factory(database_url(tmp_path), QUIZ_THROTTLE=True, QUIZ_LIMIT_JOIN_CODE="3/hour")
    with app.app_context():
        db.drop_all()
        db.create_all()
    site = make_site(app)
    guesser = Pupil(app)
    page = guesser.text(f"/c/{site.token}")
    for guess in ("AAA-AAA", "BBB-BBB"):
        data = {"csrf_token": hidden(page, "csrf_token"), "reentry_code": guess}
        assert guesser.post(f"/c/{site.token}", data).status_code == 422
    assert guesser.get("/c/WRONGTOK").status_code == 404
    data = {"csrf_token": hidden(page, "csrf_token"), "reentry_code": site.ann_code}
    assert guesser.post(f"/c/{site.token}", data).status_code == 429


def test_a_nickname_is_checked_like_a_session_nickname(app, site):
    bo = Pupil(app)
    taken = bo.join_class(site.token, "ANN")
    assert taken.status_code == 422
    assert says(taken.get_data(as_text=True), "Someone in this class already has that nickname.")
    long = bo.join_class(site.token, "x" * 30)
    assert long.status_code == 422 and 'id="nickname-error"' in long.get_data(as_text=True)
    assert count(app, ClassMember) == 1


def test_a_nickname_with_markup_is_shown_as_text(app, site):
    nickname = "<script>x</script>"
    response = Pupil(app).join_class(site.token, nickname)
    if response.status_code == 302:  # the word list may allow it: then it is escaped
        page = site.owner.text(f"/classes/{site.class_id}")
        assert nickname not in page and str(escape(nickname)) in page
    else:
        assert nickname not in response.get_data(as_text=True)


def test_a_member_leaves_the_class_on_this_device_and_comes_back_with_the_code(app, site):
    page = site.ann.text(f"/c/{site.token}")
    response = site.ann.post(f"/c/{site.token}/leave", {"csrf_token": hidden(page, "csrf_token")})
    assert response.status_code == 302
    assert "learner=;" in response.headers.get("Set-Cookie", "") or any(
        "learner=" in header and "Expires=Thu, 01 Jan 1970" in header
        for header in response.headers.getlist("Set-Cookie")
    )
    again = site.ann.text(f"/c/{site.token}")
    assert says(again, "You left the class on this device.")
    assert 'name="reentry_code"' in again and count(app, ClassMember) == 1
    assert site.ann.reenter(site.token, site.ann_code).status_code == 302
    assert says(site.ann.text(f"/c/{site.token}"), "You are Ann.")


def test_an_unknown_class_link_is_not_found(site):
    assert site.ann.get("/c/ABCDEFGH").status_code == 404
    assert site.ann.get("/c/x").status_code == 404
    assert site.ann.get("/c/ABCDEFGH/code").status_code == 404


def test_next_after_joining_stays_on_this_site(app, site):
    bo = Pupil(app)
    response = bo.join_class(site.token, "Bo", next_path="https://evil.example/")
    location = urlsplit(response.headers["Location"])
    assert not location.netloc
    welcome = bo.text(response.headers["Location"])
    assert "evil.example" not in welcome


# Live sessions for a class


@pytest.fixture
def lesson(site):
    """A teacher-paced starter session for the class: (public id, code)."""
    public_id = site.owner.create_for(site.class_id)
    return public_id, site.owner.code(public_id)


def test_the_new_session_form_preselects_the_class_and_the_host_page_names_it(site, lesson):
    form = site.owner.text(f"/classroom/new?class={site.class_id}")
    assert re.search(rf'<option selected value="{site.class_id}">', form)
    assert '<option selected value="">' in site.owner.text("/classroom/new")
    host = site.owner.host(lesson[0])
    assert f'href="/classes/{site.class_id}"' in host and "Year 9 B" in host
    results = site.owner.text(f"/classroom/{lesson[0]}/results")
    assert f'href="/classes/{site.class_id}"' in results
    assert lesson[0] in site.owner.text(f"/classes/{site.class_id}")


def test_another_teachers_class_cannot_be_chosen_for_a_session(app, site):
    page = site.other.text("/classroom/new")
    assert site.class_id not in page
    with pytest.raises(AssertionError):
        site.other.create(school_class=site.class_id)


def test_a_member_joins_with_one_button_and_another_browser_of_theirs_is_the_same_player(
    app, site, lesson
):
    public_id, code = lesson
    page = site.ann.text(f"/play/{code}")
    assert says(page, "Join as Ann") and 'name="nickname"' not in page
    assert site.ann.join_as_member(code).status_code == 302
    phone = Pupil(app)
    phone.reenter(site.token, site.ann_code)
    assert phone.join_as_member(code).status_code == 302
    assert site.owner.players(public_id)[0].nickname == "Ann"
    assert len(site.owner.players(public_id)) == 1
    site.owner.act(public_id, "start")
    values = right_values(site.owner.content(public_id, 0))
    assert phone.answer(values).status_code == 302
    # The first browser is the player who answered: its answer is a repeat.
    assert len(site.owner.answers(public_id)) == 1
    form = site.ann.form() if 'name="position"' in site.ann.page() else None
    assert form is None  # no question to answer: it is answered
    assert len(site.owner.answers(public_id)) == 1


def test_a_non_member_is_sent_to_the_class_page_and_back(app, site, lesson):
    _public_id, code = lesson
    bo = Pupil(app)
    response = bo.get(f"/play/{code}")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == f"/c/{site.token}"
    assert parse_qs(location.query)["next"] == [f"/play/{code}"]
    joined = bo.join_class(site.token, "Bo", next_path=f"/play/{code}")
    welcome = bo.text(joined.headers["Location"])
    assert f'href="/play/{code}"' in welcome
    assert says(bo.text(f"/play/{code}"), "Join as Bo")
    # The code typed in the plain form sends a non-member to the class too.
    cy = Pupil(app)
    assert urlsplit(cy.join(code, "Cy").headers["Location"]).path == f"/c/{site.token}"
    assert len(site.owner.players(lesson[0])) == 0


def test_a_removed_member_is_no_member_for_the_classes_sessions(app, site, lesson):
    _public_id, code = lesson
    site.owner.member_action(site.class_id, "remove", site.owner.member_id("Ann"))
    response = site.ann.get(f"/play/{code}")
    assert urlsplit(response.headers["Location"]).path == f"/c/{site.token}"
    assert 'name="reentry_code"' in site.ann.text(f"/c/{site.token}")


def test_run_again_keeps_the_class(app, site, lesson):
    public_id, _code = lesson
    page = site.owner.text(f"/classroom/{public_id}/results")
    response = site.owner.post(
        f"/classroom/{public_id}/again",
        {"csrf_token": hidden(page, "csrf_token"), "token": hidden(page, "token")},
    )
    again = response.headers["Location"].rsplit("/", 1)[1]
    assert f'href="/classes/{site.class_id}"' in site.owner.host(again)


def test_the_class_home_offers_the_classes_live_sessions(site, lesson):
    home = site.ann.text(f"/c/{site.token}")
    assert f'action="/play/{lesson[1]}"' in home


# Looking after members


def test_a_teacher_renames_a_member(app, site):
    response = site.owner.member_action(
        site.class_id, "rename", site.owner.member_id("Ann"), nickname="Anna"
    )
    assert response.status_code == 302
    assert says(site.ann.text(f"/c/{site.token}"), "You are Anna.")


def test_a_rename_to_a_taken_nickname_is_a_message_on_the_page(app, site):
    Pupil(app).joined(site.token, "Bo")
    response = site.owner.member_action(
        site.class_id, "rename", site.owner.member_id("Bo"), nickname="ann"
    )
    page = response.get_data(as_text=True)
    member_id = site.owner.member_id("Bo")
    assert response.status_code == 422
    assert f'id="rename-{member_id}-error"' in page and says(page, "already has that nickname")


def test_a_new_code_is_shown_once_and_the_old_one_stops_working(app, site):
    response = site.owner.member_action(site.class_id, "code", site.owner.member_id("Ann"))
    assert response.status_code == 302
    page = site.owner.text(f"/classes/{site.class_id}")
    new_code = CODE.search(page).group(1)
    assert new_code != site.ann_code
    assert CODE.search(site.owner.text(f"/classes/{site.class_id}")) is None  # once
    assert Pupil(app).reenter(site.token, site.ann_code).status_code == 422
    assert Pupil(app).reenter(site.token, new_code).status_code == 302
    # Ann's own browser no longer shows the old code.
    assert site.ann_code not in site.ann.text(f"/c/{site.token}/code")


def test_a_teacher_merges_two_members_who_are_one_student(app, site, lesson):
    public_id, code = lesson
    bo = Pupil(app)
    bo.joined(site.token, "Bo")
    bo.join_as_member(code)
    ann_id, bo_id = site.owner.member_id("Ann"), site.owner.member_id("Bo")
    response = site.owner.member_action(site.class_id, "merge", bo_id, into=ann_id)
    assert response.status_code == 302
    assert count(app, ClassMember) == 1
    (player,) = site.owner.players(public_id)
    assert query(
        app, select(MemberPlayer.member_id).where(MemberPlayer.player_id == player.id)
    ) == [(ann_id,)]
    # The same form again: Bo is gone; a clear message, not a 500.
    stale = site.owner.member_action(site.class_id, "merge", bo_id, into=ann_id)
    assert stale.status_code == 404
    assert says(stale.get_data(as_text=True), "That student is no longer in this class")


def test_merging_into_a_member_gone_meanwhile_is_a_message(app, site):
    Pupil(app).joined(site.token, "Bo")
    response = site.owner.member_action(
        site.class_id, "merge", site.owner.member_id("Ann"), into="999999"
    )
    assert response.status_code == 422 and count(app, ClassMember) == 2


def test_removing_a_member_keeps_their_answers(app, site, lesson):
    public_id, code = lesson
    site.ann.join_as_member(code)
    site.owner.act(public_id, "start")
    site.ann.answer(right_values(site.owner.content(public_id, 0)))
    response = site.owner.member_action(site.class_id, "remove", site.owner.member_id("Ann"))
    assert response.status_code == 302
    assert count(app, ClassMember) == count(app, MemberPlayer) == 0
    assert count(app, PlayerAnswer) == 1 and count(app, Player) == 1


def test_the_export_holds_the_members_answers(app, site, lesson):
    public_id, code = lesson
    site.ann.join_as_member(code)
    site.owner.act(public_id, "start")
    content = site.owner.content(public_id, 0)
    site.ann.answer(right_values(content))
    assignment = site.owner.assign(site.class_id, length="2")
    attempt = site.ann.start(site.token, assignment).headers["Location"].rsplit("/", 1)[1]
    study = Pupil(app)
    study.client = site.ann.client
    page = study.text(f"/study/{attempt}/1")
    shown = hidden(page, "shown")
    with app.app_context():
        item_content = (
            db.session.scalar(select(Attempt).where(Attempt.public_id == attempt))
            .items[0]
            .question_version.content
        )
    study.post(
        f"/study/{attempt}/1",
        {
            "csrf_token": hidden(page, "csrf_token"),
            "shown": shown,
            "answer": form_values(app, attempt, 1, item_content, right_values(item_content)),
            "confidence": "2",
        },
    )
    response = site.owner.get(
        f"/classes/{site.class_id}/members/{site.owner.member_id('Ann')}/export"
    )
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["member"]["nickname"] == "Ann" and data["class"] == "Year 9 B"
    (session,) = data["sessions"]
    (answer,) = session["answers"]
    assert answer["right"] is True and answer["question"] and answer["version"] >= 1
    assert {"response", "confidence", "points", "time_taken_ms", "answered_at", "bank"} <= set(
        answer
    )
    # Times in UTC with their offset, whatever the database hands back.
    assert answer["answered_at"].endswith("+00:00")
    assert data["member"]["joined_at"].endswith("+00:00")
    (work,) = data["assignments"]
    assert work["assignment"] == "Homework" and work["questions"] == 2
    assert len(work["answers"]) == 1 and work["answers"][0]["right"] is True


def test_deleting_a_members_data_asks_first_and_leaves_no_rows(app, site, lesson):
    public_id, code = lesson
    site.ann.join_as_member(code)
    site.owner.act(public_id, "start")
    site.ann.answer(right_values(site.owner.content(public_id, 0)))
    assignment = site.owner.assign(site.class_id)
    site.ann.start(site.token, assignment)
    member_id = site.owner.member_id("Ann")
    confirm = site.owner.text(f"/classes/{site.class_id}/members/{member_id}/delete")
    assert says(confirm, "This cannot be undone.")
    response = site.owner.post(
        f"/classes/{site.class_id}/members/{member_id}/delete",
        {"csrf_token": hidden(confirm, "csrf_token")},
    )
    assert response.status_code == 302
    for model in (ClassMember, MemberPlayer, MemberAttempt, Player, PlayerAnswer, Attempt, Answer):
        assert count(app, model) == 0, model.__name__


@pytest.mark.parametrize(
    "path",
    [
        "/classes/{class_id}/members/999999/export",
        "/classes/{class_id}/members/999999/delete",
        "/classes/0123456789abcdef0123456789abcdef",
        "/classes/{class_id}/assignments/nope/close",
        "/classes/{class_id}/check/never",
    ],
)
def test_unknown_ids_are_not_found(site, path):
    url = path.format(class_id=site.class_id)
    page = site.owner.text(f"/classes/{site.class_id}")
    if url.endswith(("/close", "/never")):
        response = site.owner.post(url, {"csrf_token": hidden(page, "csrf_token")})
    else:
        response = site.owner.get(url)
    assert response.status_code == 404


def test_a_students_unknown_assignment_is_not_found(site):
    page = site.ann.text(f"/c/{site.token}")
    response = site.ann.post(
        f"/c/{site.token}/assignments/nope/start", {"csrf_token": hidden(page, "csrf_token")}
    )
    assert response.status_code == 404


# Assignments


def test_an_assignment_started_on_one_browser_continues_on_another(app, site):
    assignment = site.owner.assign(site.class_id)
    first = site.ann.start(site.token, assignment)
    assert first.status_code == 302 and first.headers["Location"].startswith("/study/")
    attempt = first.headers["Location"].rsplit("/", 1)[1]
    assert site.ann.get(f"/study/{attempt}").status_code == 302
    phone = Pupil(app)
    phone.reenter(site.token, site.ann_code)
    home = phone.text(f"/c/{site.token}")
    assert says(home, "Continue")
    again = phone.start(site.token, assignment)
    assert again.headers["Location"] == first.headers["Location"]
    assert phone.get(f"/study/{attempt}").status_code == 302  # the phone may open it
    assert count(app, Attempt) == 1
    page = site.owner.text(f"/classes/{site.class_id}")
    assert "1 started, 0 finished" in page


def test_a_closed_assignment_is_not_offered_to_a_member_who_has_not_started(app, site):
    assignment = site.owner.assign(site.class_id)
    page = site.owner.text(f"/classes/{site.class_id}")
    response = site.owner.post(
        f"/classes/{site.class_id}/assignments/{assignment}/close",
        {"csrf_token": hidden(page, "csrf_token")},
    )
    assert response.status_code == 302
    home = site.ann.text(f"/c/{site.token}")
    assert f"/assignments/{assignment}/start" not in home
    refused = site.ann.post(
        f"/c/{site.token}/assignments/{assignment}/start",
        {"csrf_token": hidden(home, "csrf_token"), "token": "t"},
    )
    assert refused.status_code == 422 and says(refused.get_data(as_text=True), "closed")
    assert count(app, Attempt) == 0


def test_a_non_member_starting_an_assignment_is_sent_to_the_class_page(app, site):
    assignment = site.owner.assign(site.class_id)
    bo = Pupil(app)
    page = bo.text(f"/c/{site.token}")
    response = bo.post(
        f"/c/{site.token}/assignments/{assignment}/start",
        {"csrf_token": hidden(page, "csrf_token")},
    )
    assert response.status_code == 302 and count(app, Attempt) == 0


# The before/after check


def form_taken(app, member_nickname: str, phase: str) -> str:
    rows = query(
        app,
        select(MemberAttempt.form)
        .join(ClassMember, ClassMember.id == MemberAttempt.member_id)
        .join(Assignment, Assignment.id == MemberAttempt.assignment_id)
        .where(ClassMember.nickname == member_nickname, Assignment.phase == phase),
    )
    return rows[0][0]


def test_a_counterbalanced_check_in_gives_a_and_b_in_turn_and_the_check_out_the_other(app, checked):
    site = checked
    assert site.owner.open_check(site.class_id, "after").status_code == 422  # not in order
    assert site.owner.open_check(site.class_id, "before", counterbalanced=True).status_code == 302
    (before,) = query(app, select(Assignment.public_id).where(Assignment.phase == "before"))
    pupils = {"Ann": site.ann}
    for name in ("Bo", "Cy", "Di"):
        pupils[name] = Pupil(app)
        pupils[name].joined(site.token, name)
    for name in ("Ann", "Bo", "Cy", "Di"):
        assert pupils[name].start(site.token, before[0]).status_code == 302
    assert [form_taken(app, n, "before") for n in ("Ann", "Bo", "Cy", "Di")] == ["A", "B", "A", "B"]
    assert site.owner.open_check(site.class_id, "after").status_code == 302
    (after,) = query(app, select(Assignment.public_id).where(Assignment.phase == "after"))
    for name in ("Ann", "Bo"):
        assert pupils[name].start(site.token, after[0]).status_code == 302
    assert [form_taken(app, n, "after") for n in ("Ann", "Bo")] == ["B", "A"]
    page = site.owner.text(f"/classes/{site.class_id}")
    assert "form A: 2, form B: 2" in page and "form A: 1, form B: 1" in page


def test_a_check_in_without_counterbalancing_gives_everyone_form_a(app, checked):
    site = checked
    assert site.owner.open_check(site.class_id, "before").status_code == 302
    (before,) = query(app, select(Assignment.public_id).where(Assignment.phase == "before"))
    bo = Pupil(app)
    bo.joined(site.token, "Bo")
    site.ann.start(site.token, before[0])
    bo.start(site.token, before[0])
    assert [form_taken(app, n, "before") for n in ("Ann", "Bo")] == ["A", "A"]
    home = site.ann.text(f"/c/{site.token}")
    assert says(home, "Check-in")


def test_without_the_forms_the_check_says_so(app, site):
    page = site.owner.text(f"/classes/{site.class_id}")
    assert says(page, "needs its two parallel forms")
    response = site.owner.open_check(site.class_id, "before") if "/check/before" in page else None
    assert response is None


def test_a_finished_check_shows_the_score_but_not_the_answers_and_cannot_be_retried(app, checked):
    site = checked
    site.owner.open_check(site.class_id, "before")
    (before,) = query(app, select(Assignment.public_id).where(Assignment.phase == "before"))
    location = site.ann.start(site.token, before[0]).headers["Location"]
    attempt = location.rstrip("/").rsplit("/", 1)[1]
    learner = Learner(app)
    learner.client = site.ann.client
    for number in range(1, shipped_bank_size("check-form-a") + 1):
        content = learner.content(attempt, number)
        learner.answer(attempt, number, wrong_values(content), confidence="3")
    assert learner.submit_test(attempt).headers["Location"].endswith("/results")  # a test
    results = learner.text(f"/study/{attempt}/results")
    assert "Score: 0 of" in results
    assert "the answers stay hidden" in results
    assert "Every question" not in results and "Retry" not in results
    first = learner.content(attempt, 1)
    for source in first["sources"]:  # the passage that decides the key, nowhere
        assert source["exact"] not in learner.text(f"/study/{attempt}/1")
    retry = learner.post(f"/study/{attempt}/retry", {"csrf_token": hidden(results, "csrf_token")})
    assert retry.status_code == 302
    assert count(app, Attempt) == 1  # no second attempt started


def test_the_forms_of_the_check_are_not_offered_for_practice_sessions_or_assignments(app, checked):
    site = checked
    pages = [
        site.ann.text("/"),
        site.ann.text("/study/start"),
        site.owner.text("/classroom/new"),
        site.owner.text(f"/classes/{site.class_id}"),
    ]
    for page in pages:
        assert 'value="check-form-a"' not in page and "check-form-b" not in page
    learner = Learner(app)
    form = learner.start_form(banks=("check-form-a",))
    assert learner.post("/study/start", form).status_code == 422


def test_a_member_sees_only_their_own_work_and_none_of_the_teachers_pages(app, site):
    assignment = site.owner.assign(site.class_id, length="2")
    ann_attempt = site.ann.start(site.token, assignment).headers["Location"]
    learner = Learner(app)
    learner.client = site.ann.client
    public_id = ann_attempt.rsplit("/", 1)[1]
    for number in (1, 2):
        learner.answer(public_id, number, right_values(learner.content(public_id, number)))
    bo = Pupil(app)
    bo.joined(site.token, "Bo")
    home = bo.text(f"/c/{site.token}")
    # Nothing of Ann's, not even her score (in the text: random ids may hold "100").
    text = re.sub(r"<[^>]+>", " ", home)
    assert "Ann" not in home and "100" not in text
    assert bo.get(ann_attempt).status_code == 404
    assert bo.get(f"{ann_attempt}/results").status_code == 404
    for path in (f"/classes/{site.class_id}", f"/classes/{site.class_id}/report"):
        response = bo.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert bo.get(f"/classes/{site.class_id}/report/learners.csv").status_code == 302
