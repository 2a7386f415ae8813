"""Classes through the services: creating them, members and their re-entry codes,
the teacher's care of members, sessions run for a class, assignments and the
before/after check."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from quizapp.domain.live import SessionOptions
from quizapp.domain.nicknames import DenyList, NicknameError, fold
from quizapp.extensions import db
from quizapp.models import (
    Answer,
    Assignment,
    Attempt,
    AttemptItem,
    ClassMember,
    ClassSession,
    MemberAttempt,
    MemberPlayer,
    Player,
    PlayerAnswer,
    SchoolClass,
    SessionClass,
    User,
)
from quizapp.models.content import utcnow
from quizapp.services import classes
from quizapp.services import classroom as sessions
from quizapp.services import players as play
from quizapp.services.attempts import (
    find_attempt,
    published_versions,
    start_attempt,
    submit_answer,
)
from quizapp.services.classes import ClassError, normal_code, shown_code
from tests.answers import right_values
from tests.services.races import run_together

DENY = DenyList.of(["shit", "傻逼"])
#: The letters and digits of class links and re-entry codes.
CODE_LETTERS = re.compile("[23456789ABCDEFGHJKMNPQRSTUVWXYZ]+")


def make_teacher(name: str = "ms-li") -> User:
    """The teacher account ``name``, made the first time (a cheap hash: nobody logs in here)."""
    teacher = db.session.scalar(select(User).filter_by(name=name))
    if teacher is not None:
        return teacher
    teacher = User(name=name, role="teacher", password_hash="not-a-real-hash")
    db.session.add(teacher)
    db.session.commit()
    return teacher


def make_class(teacher: User | None = None, name: str = "Class 7A") -> SchoolClass:
    return classes.create_class(teacher or make_teacher(), name)


def make_member(school_class: SchoolClass, nickname: str = "Ann", **kwargs):
    """A new member and their re-entry code."""
    return classes.join(school_class, nickname, DENY, **kwargs)


def make_session(school_class: SchoolClass | None, count: int = 2, **kwargs) -> ClassSession:
    """A session in its lobby on the starter bank, run for ``school_class``."""
    teacher = school_class.teacher if school_class is not None else make_teacher("mr-wu")
    versions = published_versions(["starter"])[:count]
    return sessions.create_session(
        teacher, "Lesson", versions, SessionOptions(), school_class=school_class, **kwargs
    )


def make_study(school_class: SchoolClass, **kwargs) -> Assignment:
    return classes.create_study(school_class, "Starter at home", ["starter"], length=2, **kwargs)


def count_of(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def answer_in_session(session: ClassSession, player: Player) -> None:
    """The player answers the open question right."""
    content = play.item_at(session, session.position).question_version.content
    result = play.submit(session, player, session.position, 1, right_values(content), None)
    assert result.status == "recorded"


def answer_first_item(attempt: Attempt) -> None:
    """The learner answers the first question of the attempt."""
    item = attempt.items[0]
    submit_answer(attempt, 0, right_values(item.question_version.content), 2, 3000)


def set_created_at(attempt: Attempt, minutes_ago: int) -> None:
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id)
        .values(created_at=utcnow() - timedelta(minutes=minutes_ago))
    )
    db.session.commit()
    db.session.expire_all()


def every_value() -> list[str]:
    """Every value of every row of every table, as text."""
    values = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            values += [str(value) for value in row]
    return values


# Creating a class


def test_a_class_name_is_cleaned_and_cut_to_fit(app):
    with app.app_context():
        teacher = make_teacher()
        assert classes.create_class(teacher, "  Class \n 7A\t").name == "Class 7A"
        long = classes.create_class(teacher, "x" * 150)
        assert long.name == "x" * classes.CLASS_NAME_LENGTH


@pytest.mark.parametrize("name", ["", "   ", "\n\t", None])
def test_a_class_needs_a_name(app, name):
    with app.app_context():
        with pytest.raises(ClassError) as refused:
            classes.create_class(make_teacher(), name)
        assert refused.value.code == "no_name"
        assert count_of(SchoolClass) == 0


def test_the_same_form_sent_twice_creates_one_class(app):
    with app.app_context():
        teacher = make_teacher()
        first = classes.create_class(teacher, "Class 7A", request_token="form-1")
        again = classes.create_class(teacher, "Class 7A", request_token="form-1")
        assert again.id == first.id and count_of(SchoolClass) == 1
        other = classes.create_class(teacher, "Class 7A", request_token="form-2")
        assert other.id != first.id and count_of(SchoolClass) == 2


def test_another_teachers_request_token_does_not_give_their_class(app):
    with app.app_context():
        mine = classes.create_class(make_teacher("a"), "Mine", request_token="form-1")
        theirs = classes.create_class(make_teacher("b"), "Theirs", request_token="form-1")
        assert theirs.id != mine.id and theirs.name == "Theirs"
        assert theirs.teacher_id != mine.teacher_id


def test_class_links_and_public_ids_are_unique_and_random(app):
    with app.app_context():
        teacher = make_teacher()
        made = [make_class(teacher) for _ in range(20)]
        tokens = {school_class.join_token for school_class in made}
        public_ids = {school_class.public_id for school_class in made}
        assert len(tokens) == len(public_ids) == 20
        for school_class in made:
            assert len(school_class.join_token) == classes.JOIN_TOKEN_LENGTH
            assert CODE_LETTERS.fullmatch(school_class.join_token)
            assert re.fullmatch("[0-9a-f]{32}", school_class.public_id)


def test_a_teacher_cannot_reach_another_teachers_class(app):
    with app.app_context():
        mine, other = make_teacher("a"), make_teacher("b")
        school_class = make_class(mine)
        assert classes.teacher_class(mine, school_class.public_id).id == school_class.id
        assert classes.teacher_class(other, school_class.public_id) is None
        assert classes.teacher_class(mine, "0" * 32) is None
        assert [row.school_class.id for row in classes.teacher_classes(other)] == []


def test_a_class_link_is_found_in_any_case_and_spacing(app):
    with app.app_context():
        school_class = make_class()
        token = school_class.join_token
        for typed in (token, token.lower(), f" {token[:4].lower()}-{token[4:]} "):
            assert classes.class_by_join_token(typed).id == school_class.id
        assert classes.class_by_join_token(token[:-1]) is None
        assert classes.class_by_join_token("") is None


# Members


def test_a_member_joins_and_gets_a_re_entry_code(app):
    with app.app_context():
        school_class = make_class()
        member, code = make_member(school_class, "  Ann  ")
        assert member.nickname == "Ann" and member.nickname_key == fold("Ann")
        assert len(code) == classes.CODE_LENGTH and CODE_LETTERS.fullmatch(code)
        assert classes.reenter(school_class, code).id == member.id
        assert classes.member_by_token(school_class, member.token).id == member.id


def test_the_re_entry_code_is_stored_only_as_a_digest(app):
    with app.app_context():
        school_class = make_class()
        member, code = make_member(school_class)
        assert len(member.code_digest) == 64 and code not in member.code_digest
        stored = every_value()
        assert not [value for value in stored if code in value or shown_code(code) in value]


def test_a_code_typed_in_lower_case_with_a_dash_or_spaces_finds_the_member(app):
    with app.app_context():
        school_class = make_class()
        member, code = make_member(school_class)
        lower = code.lower()
        for typed in (f"{lower[:3]}-{lower[3:]}", f" {lower[:3]} {lower[3:]} ", shown_code(code)):
            assert classes.reenter(school_class, typed).id == member.id, typed
        assert normal_code(f"{lower[:3]} - {lower[3:]}") == code


def test_a_wrong_code_finds_nobody(app):
    with app.app_context():
        school_class, other_class = make_class(), make_class()
        _, code = make_member(school_class)
        _, other_code = make_member(other_class)
        wrong = "".join("2" if ch != "2" else "3" for ch in code)
        assert classes.reenter(school_class, wrong) is None
        assert classes.reenter(school_class, code[:-1]) is None
        assert classes.reenter(school_class, "") is None
        # A code is the class's own: another class's code finds nobody here.
        assert classes.reenter(other_class, code) is None
        assert classes.reenter(school_class, other_code) is None


@pytest.mark.parametrize("look_alike", ["Ann", "ann", "ＡＮＮ", "A nn"])
def test_a_nickname_in_use_in_the_class_is_taken(app, look_alike):
    with app.app_context():
        school_class = make_class()
        make_member(school_class, "Ann")
        with pytest.raises(NicknameError) as refused:
            make_member(school_class, look_alike)
        assert refused.value.code == "taken"
        assert count_of(ClassMember) == 1


def test_the_same_nickname_in_another_class_is_free(app):
    with app.app_context():
        teacher = make_teacher()
        make_member(make_class(teacher), "Ann")
        make_member(make_class(teacher), "Ann")
        assert count_of(ClassMember) == 2


def test_a_denied_nickname_is_refused(app):
    with app.app_context():
        school_class = make_class()
        with pytest.raises(NicknameError) as refused:
            make_member(school_class, "Shit happens")
        assert refused.value.code == "denied"
        assert count_of(ClassMember) == 0


def test_the_browsers_learner_key_becomes_the_members_unless_another_member_has_it(app):
    with app.app_context():
        school_class = make_class()
        first, _ = make_member(school_class, "Ann", learner_key="browser-1")
        assert first.learner_key == "browser-1"
        # A shared computer: the second student gets a key of their own.
        second, _ = make_member(school_class, "Bo", learner_key="browser-1")
        assert second.learner_key not in ("browser-1", "")
        without, _ = make_member(school_class, "Cy")
        assert without.learner_key and without.learner_key != second.learner_key


def test_a_new_code_replaces_the_old_one(app):
    with app.app_context():
        school_class = make_class()
        member, old = make_member(school_class)
        new = classes.new_code(member)
        assert new != old and CODE_LETTERS.fullmatch(new)
        assert classes.reenter(school_class, old) is None
        assert classes.reenter(school_class, new).id == member.id


def test_a_member_is_renamed_under_the_nickname_rules(app):
    with app.app_context():
        school_class = make_class()
        ann, _ = make_member(school_class, "Ann")
        make_member(school_class, "Bo")
        classes.rename(ann, "  Annie ", DENY)
        assert (ann.nickname, ann.nickname_key) == ("Annie", fold("Annie"))
        classes.rename(ann, "ANNIE", DENY)  # their own name in other letters
        assert ann.nickname == "ANNIE"
        for nickname, code in (("ｂｏ", "taken"), ("傻逼", "denied"), ("  ", "empty")):
            with pytest.raises(NicknameError) as refused:
                classes.rename(ann, nickname, DENY)
            assert refused.value.code == code
        db.session.rollback()
        assert db.session.get(ClassMember, ann.id).nickname == "ANNIE"


def test_member_of_finds_only_the_classs_own_members(app):
    with app.app_context():
        teacher = make_teacher()
        school_class, other_class = make_class(teacher), make_class(teacher)
        member, _ = make_member(other_class)
        assert classes.member_of(school_class, member.id) is None
        assert classes.member_of(other_class, member.id).id == member.id
        assert classes.member_by_token(school_class, member.token) is None


# Merging, removing, deleting members


def test_merging_moves_players_and_attempts_and_the_merged_member_is_gone(imported):
    with imported.app_context():
        school_class = make_class()
        into, into_code = make_member(school_class, "Ann")
        other, other_code = make_member(school_class, "Ann on a phone")
        session = make_session(school_class)
        player = play.join(session, "", DENY, member=other)
        only_theirs, earlier_theirs, earlier_mine = (
            make_study(school_class, request_token=f"study-{n}") for n in range(3)
        )
        moved = classes.start_assignment(other, only_theirs)
        theirs_first = classes.start_assignment(other, earlier_theirs)
        mine_later = classes.start_assignment(into, earlier_theirs)
        mine_first = classes.start_assignment(into, earlier_mine)
        theirs_later = classes.start_assignment(other, earlier_mine)
        set_created_at(theirs_first, 30)
        set_created_at(mine_later, 20)
        set_created_at(mine_first, 30)
        set_created_at(theirs_later, 20)
        attempts = count_of(Attempt)

        classes.merge(into, other)

        assert classes.member_of(school_class, other.id) is None
        assert count_of(ClassMember) == 1
        assert classes.member_player_ids(into) == [player.id]
        assert play.member_player(session, into).id == player.id
        links = classes.member_attempts(into)
        assert {links[a.id].attempt_id for a in (only_theirs, earlier_theirs, earlier_mine)} == {
            moved.id,
            theirs_first.id,
            mine_first.id,
        }
        assert links[earlier_theirs.id].attempt_id == theirs_first.id
        assert links[earlier_mine.id].attempt_id == mine_first.id
        assert count_of(MemberAttempt) == 3
        # The later attempt of each pair is kept, unlinked.
        assert count_of(Attempt) == attempts
        assert classes.reenter(school_class, other_code) is None
        assert classes.reenter(school_class, into_code).id == into.id
        assert into.nickname == "Ann"


def test_after_merging_the_member_can_continue_an_attempt_moved_to_them(imported):
    """A member's browsers take the member's learner key, and the study pages find an
    attempt by that key: an attempt moved by a merge must be found with it."""
    with imported.app_context():
        school_class = make_class()
        into, _ = make_member(school_class, "Ann")
        other, _ = make_member(school_class, "Ann on a phone")
        study = make_study(school_class)
        moved = classes.start_assignment(other, study)
        classes.merge(into, other)
        assert classes.start_assignment(into, study).id == moved.id
        assert find_attempt(moved.public_id, into.learner_key) is not None, (
            "BUG in services.classes.merge: the attempt moved to the merged-into member keeps"
            " the other entry's learner_key, so the member's browsers (which adopt"
            " into.learner_key) cannot open or continue it (study pages use find_attempt)"
        )


def test_a_member_is_not_merged_into_itself_or_another_classs_member(app):
    with app.app_context():
        teacher = make_teacher()
        school_class, other_class = make_class(teacher), make_class(teacher)
        ann, _ = make_member(school_class, "Ann")
        bo, _ = make_member(other_class, "Bo")
        for into, other in ((ann, ann), (ann, bo)):
            with pytest.raises(ClassError) as refused:
                classes.merge(into, other)
            assert refused.value.code == "not_mergeable"
        assert count_of(ClassMember) == 2


def test_removing_a_member_unlinks_them_and_keeps_their_answers(imported):
    with imported.app_context():
        school_class = make_class()
        member, code = make_member(school_class)
        session = make_session(school_class)
        player = play.join(session, "", DENY, member=member)
        sessions.start(session, session.revision)
        answer_in_session(session, player)
        attempt = classes.start_assignment(member, make_study(school_class))
        answer_first_item(attempt)

        classes.remove(member)

        assert count_of(ClassMember) == count_of(MemberPlayer) == count_of(MemberAttempt) == 0
        assert classes.reenter(school_class, code) is None
        assert db.session.get(Player, player.id) is not None
        assert count_of(PlayerAnswer) == 1
        assert db.session.get(Attempt, attempt.id) is not None
        assert count_of(Answer) == 1


def test_deleting_a_members_data_deletes_only_theirs(imported):
    with imported.app_context():
        school_class = make_class()
        gone, _ = make_member(school_class, "Ann", learner_key="ann-browser")
        kept, _ = make_member(school_class, "Bo")
        session = make_session(school_class)
        study = make_study(school_class)
        plain = make_session(None)  # a session without a class
        stranger = play.join(plain, "Cy", DENY)
        sessions.start(plain, plain.revision)
        answer_in_session(plain, stranger)
        for member in (gone, kept):
            player = play.join(session, "", DENY, member=member)
            if session.phase == "lobby":
                sessions.start(session, session.revision)
            answer_in_session(session, player)
            answer_first_item(classes.start_assignment(member, study))
        # Ann's own practice outside the class's assignments is not the class's.
        own = start_attempt("ann-browser", ["starter"], length=2)
        answer_first_item(own)
        gone_attempt = classes.member_attempts(gone)[study.id].attempt
        gone_player = play.member_player(session, gone)
        gone_items = len(gone_attempt.items)
        gone_attempt_id, gone_player_id = gone_attempt.id, gone_player.id
        tables = (ClassMember, MemberPlayer, MemberAttempt, Player, PlayerAnswer)
        tables += (Attempt, AttemptItem, Answer, SchoolClass, SessionClass, Assignment)
        before = {model.__name__: count_of(model) for model in tables}

        classes.delete_member_data(gone)

        after = {model.__name__: count_of(model) for model in tables}
        assert {name: before[name] - after[name] for name in before} == {
            "ClassMember": 1,
            "MemberPlayer": 1,
            "MemberAttempt": 1,
            "Player": 1,
            "PlayerAnswer": 1,
            "Attempt": 1,
            "AttemptItem": gone_items,
            "Answer": 1,
            "SchoolClass": 0,
            "SessionClass": 0,
            "Assignment": 0,
        }
        assert db.session.get(Player, gone_player_id) is None
        assert db.session.get(Attempt, gone_attempt_id) is None
        assert db.session.get(Attempt, own.id) is not None
        assert db.session.get(Player, stranger.id) is not None
        assert classes.member_attempts(kept)[study.id].attempt is not None
        assert play.member_player(session, kept) is not None


# Sessions run for a class


def test_a_session_created_for_a_class_is_linked_to_it(imported):
    with imported.app_context():
        school_class = make_class()
        session = make_session(school_class)
        plain = make_session(None)
        assert classes.class_of_session(session).id == school_class.id
        assert classes.class_of_session(plain) is None
        assert [s.id for s in classes.class_sessions(school_class)] == [session.id]
        (listing,) = classes.teacher_classes(school_class.teacher)
        assert listing.sessions == 1 and listing.members == 0


def test_a_session_is_not_run_for_another_teachers_class(imported):
    with imported.app_context():
        school_class = make_class(make_teacher("a"))
        versions = published_versions(["starter"])[:1]
        with pytest.raises(ValueError):
            sessions.create_session(
                make_teacher("b"), "Lesson", versions, SessionOptions(), school_class=school_class
            )
        assert count_of(ClassSession) == count_of(SessionClass) == 0


def test_a_member_is_one_player_on_every_browser(imported):
    with imported.app_context():
        school_class = make_class()
        member, _ = make_member(school_class, "Ann")
        session = make_session(school_class)
        first = play.join(session, "", DENY, member=member)
        # Another browser: no player token yet, a nickname typed anyhow.
        second = play.join(session, "Someone else", DENY, token=None, member=member)
        assert second.id == first.id and first.nickname == "Ann"
        assert count_of(Player) == count_of(MemberPlayer) == 1
        assert classes.members_of_players(session)[first.id].id == member.id


def test_two_members_are_two_players(imported):
    with imported.app_context():
        school_class = make_class()
        ann, _ = make_member(school_class, "Ann")
        bo, _ = make_member(school_class, "Bo")
        session = make_session(school_class)
        players = [play.join(session, "", DENY, member=member) for member in (ann, bo)]
        assert players[0].id != players[1].id
        assert [player.nickname for player in players] == ["Ann", "Bo"]
        linked = classes.members_of_players(session)
        assert {player_id: m.id for player_id, m in linked.items()} == {
            players[0].id: ann.id,
            players[1].id: bo.id,
        }


def test_a_removed_members_player_stays_removed(imported):
    with imported.app_context():
        school_class = make_class()
        member, _ = make_member(school_class)
        session = make_session(school_class)
        player = play.join(session, "", DENY, member=member)
        sessions.remove_player(session, player.id)
        with pytest.raises(play.JoinRefused) as refused:
            play.join(session, "", DENY, token=None, member=member)
        assert refused.value.code == "removed"
        assert count_of(Player) == 1


# Assignments


def test_a_study_assignment_keeps_its_settings_once_per_request_token(imported):
    with imported.app_context():
        school_class = make_class()
        study = classes.create_study(
            school_class,
            "  Home   work ",
            ["starter", "sora-limits", "starter"],
            length=5,
            mode="test",
            confidence=False,
            request_token="form-1",
        )
        again = classes.create_study(school_class, "Other", ["starter"], request_token="form-1")
        assert again.id == study.id and count_of(Assignment) == 1
        assert (study.kind, study.phase, study.title) == ("study", None, "Home work")
        assert study.settings == {
            "banks": ["sora-limits", "starter"],
            "length": 5,
            "mode": "test",
            "confidence": False,
        }
        assert [a.id for a in classes.class_assignments(school_class)] == [study.id]
        assert classes.assignment_of(school_class, study.public_id).id == study.id
        assert classes.assignment_of(make_class(), study.public_id) is None


def test_starting_an_assignment_twice_continues_the_same_attempt(imported):
    with imported.app_context():
        school_class = make_class()
        member, _ = make_member(school_class)
        study = classes.create_study(school_class, "Home", ["starter"], length=3, mode="test")
        first = classes.start_assignment(member, study)
        again = classes.start_assignment(member, study)
        assert again.id == first.id
        assert count_of(Attempt) == count_of(MemberAttempt) == 1
        assert first.learner_key == member.learner_key
        assert (first.mode, len(first.items)) == ("test", 3)
        assert classes.member_attempts(member)[study.id].form is None


def test_a_closed_assignment_not_started_cannot_be_started(imported):
    with imported.app_context():
        school_class = make_class()
        member, _ = make_member(school_class)
        study = make_study(school_class)
        classes.close_assignment(study)
        with pytest.raises(ClassError) as refused:
            classes.start_assignment(member, study)
        assert refused.value.code == "closed"
        assert count_of(Attempt) == 0
        classes.close_assignment(study, closed=False)  # opened again
        assert classes.start_assignment(member, study) is not None


def test_an_assignment_started_before_closing_continues(imported):
    with imported.app_context():
        school_class = make_class()
        member, _ = make_member(school_class)
        study = make_study(school_class)
        started = classes.start_assignment(member, study)
        classes.close_assignment(study)
        assert classes.start_assignment(member, study).id == started.id


def test_a_member_cannot_start_another_classs_assignment(imported):
    with imported.app_context():
        teacher = make_teacher()
        member, _ = make_member(make_class(teacher))
        study = make_study(make_class(teacher))
        with pytest.raises(ClassError) as refused:
            classes.start_assignment(member, study)
        assert refused.value.code == "not_yours"


# The before/after check


def test_the_form_banks_are_the_shipped_forms_a_and_b(imported):
    with imported.app_context():
        assert classes.form_banks() == {"A": "check-form-a", "B": "check-form-b"}


def test_a_check_needs_the_two_forms_imported(app):
    with app.app_context():
        with pytest.raises(ClassError) as refused:
            classes.create_check(make_class(), "before")
        assert refused.value.code == "no_forms"


def test_the_checks_phases_open_once_each_and_in_order(imported):
    with imported.app_context():
        school_class = make_class()
        for phase in ("after", "later"):
            with pytest.raises(ClassError) as refused:
                classes.create_check(school_class, phase)
            assert refused.value.code == "phase_order", phase
        classes.create_check(school_class, "before", counterbalanced=True)
        with pytest.raises(ClassError) as refused:
            classes.create_check(school_class, "before")
        assert refused.value.code == "phase_exists"
        with pytest.raises(ClassError) as refused:
            classes.create_check(school_class, "later")
        assert refused.value.code == "phase_order"
        after = classes.create_check(school_class, "after")
        later = classes.create_check(school_class, "later")
        # Counterbalancing is chosen with the check-in and kept by the later phases.
        assert after.settings == later.settings == {"counterbalanced": True}
        assert set(classes.check_phases(school_class)) == {"before", "after", "later"}
        with pytest.raises(ValueError):
            classes.create_check(school_class, "during")


def check_forms(assignment: Assignment, members: list[ClassMember]) -> list[str]:
    """The forms the members get, starting the phase one after another."""
    for member in members:
        classes.start_assignment(member, assignment)
    return [classes.member_attempts(member)[assignment.id].form for member in members]


def class_of(count: int) -> tuple[SchoolClass, list[ClassMember]]:
    school_class = make_class()
    return school_class, [make_member(school_class, f"Student {n}")[0] for n in range(count)]


def test_a_counterbalanced_check_in_gives_a_and_b_in_turn(imported):
    with imported.app_context():
        school_class, members = class_of(5)
        before = classes.create_check(school_class, "before", counterbalanced=True)
        assert check_forms(before, members) == ["A", "B", "A", "B", "A"]


def test_a_check_in_not_counterbalanced_gives_everyone_form_a(imported):
    with imported.app_context():
        school_class, members = class_of(3)
        before = classes.create_check(school_class, "before")
        assert check_forms(before, members) == ["A", "A", "A"]


@pytest.mark.parametrize("counterbalanced", [True, False])
def test_the_check_out_gives_each_member_the_form_not_taken(imported, counterbalanced):
    with imported.app_context():
        school_class, members = class_of(4)
        before = classes.create_check(school_class, "before", counterbalanced=counterbalanced)
        taken = check_forms(before, members)
        after = classes.create_check(school_class, "after")
        other = {"A": "B", "B": "A"}
        assert check_forms(after, members) == [other[form] for form in taken]


def test_the_delayed_recheck_gives_the_check_ins_form(imported):
    with imported.app_context():
        school_class, members = class_of(4)
        before = classes.create_check(school_class, "before", counterbalanced=True)
        taken = check_forms(before, members)
        check_forms(classes.create_check(school_class, "after"), members)
        assert check_forms(classes.create_check(school_class, "later"), members) == taken


def test_a_member_who_missed_the_check_in_takes_form_b_at_the_check_out(imported):
    with imported.app_context():
        school_class, (ann, newcomer) = class_of(2)
        before = classes.create_check(school_class, "before")
        check_forms(before, [ann])
        after = classes.create_check(school_class, "after")
        assert check_forms(after, [ann, newcomer]) == ["B", "B"]


def test_newcomers_at_a_counterbalanced_check_out_keep_the_halves_equal(imported):
    with imported.app_context():
        school_class, (ann, bo, cy, dee) = class_of(4)
        before = classes.create_check(school_class, "before", counterbalanced=True)
        assert check_forms(before, [ann]) == ["A"]
        after = classes.create_check(school_class, "after")
        # Ann takes B; the newcomers take A, A (now A = B = 1 before Cy), then B.
        assert check_forms(after, [ann, bo, cy, dee]) == ["B", "A", "A", "B"]


def test_a_check_attempt_is_a_test_with_confidence_over_the_whole_form(imported):
    with imported.app_context():
        school_class, (ann, bo) = class_of(2)
        before = classes.create_check(school_class, "before", counterbalanced=True)
        for member, slug in ((ann, "check-form-a"), (bo, "check-form-b")):
            attempt = classes.start_assignment(member, before)
            assert attempt.mode == "test" and attempt.confidence_enabled is True
            assert attempt.learner_key == member.learner_key
            form = {version.id for version in published_versions([slug])}
            assert {item.question_version_id for item in attempt.items} == form
            assert attempt.settings["banks"] == [slug]


# Two browsers at once


def test_one_member_starting_an_assignment_on_two_browsers_at_once_gets_one_link(imported):
    with imported.app_context():
        school_class = make_class()
        member, _ = make_member(school_class)
        study = make_study(school_class)
        member_id, study_id = member.id, study.id

    def prepare():
        return db.session.get(ClassMember, member_id), db.session.get(Assignment, study_id)

    def start(member, study):
        return classes.start_assignment(member, study).id

    started = run_together(imported, [(prepare, start), (prepare, start)])
    with imported.app_context():
        (link,) = db.session.scalars(select(MemberAttempt)).all()
        assert started == [link.attempt_id, link.attempt_id]
        assert link.member_id == member_id and link.assignment_id == study_id
