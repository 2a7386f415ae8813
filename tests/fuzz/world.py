"""The prepared database the fuzzer sends its requests to, and who sends them.

One application on one database (SQLite, or PostgreSQL on the PostgreSQL
leg) with the shipped banks imported, a teacher and an admin, classroom
sessions in every phase (and a student-paced one) with a student playing
in each, a study attempt with an answer, a class (the student its member,
with a self-study assignment they started, the check-in, and a live
session for the class they joined), a proposal, a question with two
versions, a bank file changed on disk, and an upload's confirmation
form. Throttling is on, its counters reset before each test. Each test
starts from this state (:meth:`World.start_over`); a request that changed
it leaves it changed for the next requests of its test only.

The fuzzer's requests come from four roles, each a
snapshot of a browser's cookies and its CSRF token: a fresh test client
per request starts from the snapshot, so a request that logs out or
changes a cookie does not change who the next request comes from.

The forms the fuzzer fills in are read from the pages themselves
(:meth:`World.discover`): every GET route is fetched with existing ids by
every role and each ``<form>`` is filed under the endpoint it posts to.
New routes and fields are picked up without changing the suite.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select, text
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect, Rule

from quizapp.extensions import db
from quizapp.i18n import LANGUAGE_COOKIE
from quizapp.learners import COOKIE as LEARNER_COOKIE
from quizapp.models import (
    Assignment,
    Bank,
    ClassMember,
    ClassSession,
    Player,
    Proposal,
    Question,
    QuestionVersion,
    SchoolClass,
    Source,
    User,
)
from tests.conftest import dump, make_bank
from tests.fuzz.forms import PageForm, read_forms
from tests.web.classroom_client import Student, Teacher
from tests.web.editor_client import form_fields
from tests.web.study_client import Learner, hidden

#: Who sends the fuzzer's requests. The student is both a learner (a study
#: attempt in the learner cookie) and a player in every session.
ROLES = ("anonymous", "student", "teacher", "admin")
#: Tables that a refused request may legitimately change: throttling
#: counts refused attempts (a wrong password is a 422 that counts).
CHANGED_BY_REFUSALS = frozenset({"rate_limit_counter"})
#: The first word of a statement that may write.
WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "REPLACE", "WITH", "MERGE")
#: Rule arguments: ``<converter:name>`` or ``<name>``.
ARGUMENT = re.compile(r"<(?:(?P<converter>[a-zA-Z_]\w*)(?:\([^)]*\))?:)?(?P<name>\w+)>")
#: URLs fetched per GET route and role when reading forms.
DISCOVERY_URLS_PER_ROUTE = 8


@dataclass
class Role:
    """A browser's state: its cookies and the CSRF token its pages carry."""

    name: str
    cookies: dict[str, str]
    csrf: str


@dataclass(repr=False)
class World:
    """The application, its prepared state, the roles, and what the pages showed."""

    app: Flask
    roles: dict[str, Role] = field(default_factory=dict)
    #: Existing values per URL argument name (``question_id``, ``public_id``...).
    ids: dict[str, list[str]] = field(default_factory=dict)
    #: Forms that POST, by endpoint; GET forms (their fields are query parameters).
    forms: dict[str, list[PageForm]] = field(default_factory=lambda: defaultdict(list))
    query_forms: dict[str, list[PageForm]] = field(default_factory=lambda: defaultdict(list))
    #: ``(endpoint, method, role)`` that got past the role check with existing ids:
    #: a page shown, or a form to post (the fuzzer sends more requests there).
    reachable: set[tuple[str, str, str]] = field(default_factory=set)
    #: Named values the findings' examples refer to (``{live}``, ``{source}``...).
    named: dict[str, str] = field(default_factory=dict)
    #: Statements that may have written (see :meth:`watch_writes`).
    writes: int = 0
    _snapshot: dict[str, list[dict]] | None = None
    _pristine: dict[str, str] | None = None
    _writes_kept: int = 0
    #: The fingerprint of the database now, when known (None: to be read again).
    _known: dict[str, str] | None = None

    def __repr__(self) -> str:
        return f"World({self.app.config['SQLALCHEMY_DATABASE_URI']})"

    def _repr_pretty_(self, printer, _cycle) -> None:
        printer.text(repr(self))

    # Requests

    def client(self, role: str) -> FlaskClient:
        """A fresh browser holding ``role``'s cookies."""
        client = self.app.test_client()
        for name, value in self.roles[role].cookies.items():
            client.set_cookie(name, value)
        return client

    # The database's state

    def watch_writes(self) -> None:
        """Count the statements that may write, so that a request that wrote
        nothing needs no fingerprint (most refused requests write nothing)."""

        def counted(_conn, _cursor, statement, _parameters, _context, _many):
            head = statement.lstrip()[:9].upper()
            if head.startswith(WRITES) and not any(t in statement for t in CHANGED_BY_REFUSALS):
                self.writes += 1

        with self.app.app_context():
            for engine in db.engines.values():
                event.listen(engine, "before_cursor_execute", counted)

    def before(self) -> dict[str, str] | None:
        """The fingerprint before a request (read again only after a write)."""
        if self._known is None:
            self._known = self.fingerprint()
        return self._known

    def after(self, wrote: bool, refused: bool) -> list[str]:
        """The tables a request changed, when it was refused and may have written."""
        if not wrote:
            return []
        if not refused:
            self._known = None
            return []
        before, self._known = self._known, self.fingerprint()
        return sorted(name for name in self._known if self._known[name] != before.get(name))

    def start_over(self) -> None:
        """Back to the prepared state, if any request may have changed it; and the
        throttling counters back as prepared (refused requests count, unseen)."""
        with self.app.app_context():
            for table in db.metadata.sorted_tables:
                if table.name in CHANGED_BY_REFUSALS:
                    db.session.execute(table.delete())
                    if self._snapshot[table.name]:
                        db.session.execute(table.insert(), self._snapshot[table.name])
            db.session.commit()
        if self.writes != self._writes_kept:
            self.restore()
        self._writes_kept = self.writes
        self._known = self._pristine

    def tables(self):
        return [t for t in db.metadata.sorted_tables if t.name not in CHANGED_BY_REFUSALS]

    def fingerprint(self) -> dict[str, str]:
        """Per table, a hash of every row in key order (cheap: the database is small)."""
        prints = {}
        with self.app.app_context():
            for table in self.tables():
                rows = db.session.execute(select(table).order_by(*table.primary_key.columns))
                digest = hashlib.blake2b(digest_size=16)
                count = 0
                for row in rows:
                    digest.update(repr(tuple(row)).encode())
                    count += 1
                prints[table.name] = f"{count}:{digest.hexdigest()}"
            db.session.rollback()
        return prints

    def keep(self) -> None:
        """Remember the prepared state, to go back to it (:meth:`restore`)."""
        with self.app.app_context():
            self._snapshot = {
                table.name: [dict(row) for row in db.session.execute(select(table)).mappings()]
                for table in db.metadata.sorted_tables
            }
            db.session.rollback()
        self._pristine = self.fingerprint()

    def restore(self) -> bool:
        """Put the prepared state back if requests changed it; whether they had.

        Rows go back with their ids, so the roles' cookies (a user's
        session token, a player's token) are valid again. Foreign keys
        declared ``use_alter`` (a question's current version) form a cycle:
        those columns are written after every row is back.
        """
        if self.fingerprint() == self._pristine:
            return False
        tables = db.metadata.sorted_tables
        with self.app.app_context():
            if db.engine.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    if cyclic := _cyclic(table):
                        db.session.execute(table.update().values(dict.fromkeys(cyclic)))
                for table in reversed(tables):
                    db.session.execute(table.delete())
            later = []
            for table in tables:
                rows = self._snapshot[table.name]
                cyclic = _cyclic(table)
                if rows:
                    db.session.execute(
                        table.insert(), [{**row, **dict.fromkeys(cyclic)} for row in rows]
                    )
                if cyclic:
                    later.append((table, cyclic, rows))
            for table, cyclic, rows in later:
                keys = [column.name for column in table.primary_key.columns]
                for row in rows:
                    if any(row[name] is not None for name in cyclic):
                        where = [table.c[key] == row[key] for key in keys]
                        db.session.execute(
                            table.update().where(*where).values({n: row[n] for n in cyclic})
                        )
            if db.engine.dialect.name == "postgresql":
                _continue_sequences(tables)
            db.session.commit()
        assert self.fingerprint() == self._pristine, "restoring the prepared database failed"
        return True

    # What the forms look like

    def discover(self) -> None:
        """Read every form of every page that GET routes show each role."""
        adapter = self.app.url_map.bind("localhost")
        for role in ROLES:
            client = self.client(role)
            for rule in self.app.url_map.iter_rules():
                if "GET" not in rule.methods:
                    continue
                for url in itertools.islice(self.valid_urls(rule), DISCOVERY_URLS_PER_ROUTE):
                    try:
                        response = client.get(url)
                    except Exception:
                        continue
                    if response.status_code != 200:
                        continue
                    # A form's page answers its own POST too (the login page, a join code's).
                    self.reachable.update((rule.endpoint, m, role) for m in rule.methods)
                    if response.mimetype == "text/html":
                        self.file_forms(adapter, response.get_data(as_text=True), url, role)

    def file_forms(self, adapter, page: str, url: str, role: str) -> None:
        """File each form of ``page`` under the endpoint it sends to."""
        for form in read_forms(page, f"http://localhost{url}"):
            try:
                endpoint, _args = adapter.match(form.path, method=form.method)
            except (HTTPException, RequestRedirect):
                continue
            self.reachable.add((endpoint, form.method, role))
            form.fields = [(name, value) for name, value in form.fields if name != "csrf_token"]
            filed = self.forms if form.method == "POST" else self.query_forms
            known = filed[endpoint]
            if all(_shape(other) != _shape(form) for other in known) and len(known) < 12:
                known.append(form)

    def known(self, rule: Rule, name: str) -> list[str]:
        """Existing values for argument ``name`` of ``rule`` (its blueprint's kind first)."""
        blueprint = rule.endpoint.partition(".")[0]
        return self.ids.get(f"{blueprint}.{name}") or self.ids.get(name, [])

    def valid_urls(self, rule: Rule):
        """URLs of ``rule`` with existing values for its arguments."""
        arguments = [match["name"] for match in ARGUMENT.finditer(rule.rule)]
        choices = [self.known(rule, name) or ["1"] for name in arguments]
        # Every value of every argument first, then the other combinations.
        widest = max((len(values) for values in choices), default=1)
        diagonal = [tuple(v[i % len(v)] for v in choices) for i in range(widest)]
        rest = (c for c in itertools.product(*choices) if c not in diagonal)
        for values in itertools.chain(diagonal, rest):
            url = rule.rule
            for match, value in zip(ARGUMENT.finditer(rule.rule), values, strict=True):
                url = url.replace(match.group(0), value, 1)
            yield url


def _cyclic(table) -> list[str]:
    """The columns of ``table`` whose foreign key closes a cycle (``use_alter``)."""
    return [
        column.name for column in table.columns if any(k.use_alter for k in column.foreign_keys)
    ]


def _shape(form: PageForm) -> tuple:
    return (form.path.count("/"), tuple(form.fields), tuple(form.buttons), tuple(form.files))


def _continue_sequences(tables) -> None:
    """After TRUNCATE ... RESTART IDENTITY, start each id sequence above the rows put back."""
    for table in tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (
                column.autoincrement == "auto" and column.type.python_type is int
            ):
                db.session.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence(:t, :c),"
                        f' COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1,'
                        " false) WHERE pg_get_serial_sequence(:t, :c) IS NOT NULL"
                    ),
                    {"t": f'"{table.name}"', "c": column.name},
                )


def _cookies(client: FlaskClient, app: Flask) -> dict[str, str]:
    names = (app.config["SESSION_COOKIE_NAME"], LEARNER_COOKIE, LANGUAGE_COOKIE)
    return {name: cookie.value for name in names if (cookie := client.get_cookie(name))}


def _role(name: str, client: FlaskClient, app: Flask) -> Role:
    page = client.get("/study/start").get_data(as_text=True)
    return Role(name, _cookies(client, app), hidden(page, "csrf_token"))


def prepare(app: Flask) -> World:
    """Fill the database and make the roles (see the module's docstring)."""
    result = app.test_cli_runner().invoke(args=["quiz", "import"])
    assert result.exit_code == 0, result.output
    world = World(app)
    teacher = Teacher.quick(app, "fuzz-teacher", "teacher")
    admin = Teacher.quick(app, "fuzz-admin", "admin")
    student = Student(app)

    phases = {}
    for phase, actions in {
        "lobby": (),
        "open": ("start",),
        "voted": ("start", "discuss"),
        "closed": ("start", "close"),
        "board": ("start", "close", "next"),
        "finished": ("start", "close", "finish"),
    }.items():
        public_id = teacher.create(title=f"fuzz {phase}", scoreboard="y", approve_names="y")
        student.join(teacher.code(public_id), f"kid {phase}")
        for action in actions:
            if action in ("close", "discuss"):
                order = student.choice_order()
                if order:
                    student.answer(order[:1], confidence="2")
            teacher.act(public_id, action)
        phases[phase] = public_id
    paced = teacher.create(title="fuzz paced", pacing="student")
    student.join(teacher.code(paced), "kid paced")
    teacher.act(paced, "start")
    phases["paced"] = paced

    learner = Learner(app)
    learner.client = student.client
    attempt = learner.start()
    page = learner.text(f"/study/{attempt}/1")
    offered = re.findall(r'name="answer"[^>]* value="([^"]*)"', page)
    learner.answer(attempt, 1, offered[:1] or ["1"])

    phases["class"] = _school_class(teacher, student)

    with app.app_context():
        question_id = db.session.scalar(select(Question.id).order_by(Question.id))
    # A proposal, and a second version (an old one to restore, a bank file to write back).
    url = f"/admin/questions/{question_id}/propose"
    fields = form_fields(teacher.text(url), "editor")
    teacher.post(url, {**fields, "prompt_en": "A proposed prompt.", "action": "submit"})
    url = f"/admin/questions/{question_id}/edit"
    fields = form_fields(admin.text(url), "editor")
    admin.post(url, {**fields, "prompt_en": "An edited prompt.", "action": "save"})
    # A bank file changed on disk since the import (a change to import).
    starter = app.config["QUIZ_QUESTIONS_DIR"] / "starter.yaml"
    starter.write_text(starter.read_text("utf-8").replace("A dozen", "Twelve", 1), "utf-8")

    world.roles = {
        "anonymous": _role("anonymous", app.test_client(), app),
        "student": _role("student", student.client, app),
        "teacher": _role("teacher", teacher.client, app),
        "admin": _role("admin", admin.client, app),
    }
    world.ids = _ids(app, phases, attempt)
    world.named = {
        **{f"session_{phase}": public_id for phase, public_id in phases.items()},
        "attempt": attempt,
        "source": world.ids["source_id"][0],
        "question": world.ids["question_id"][0],
        "bank": world.ids["slug"][0],
    }
    world.discover()
    # The confirmation of an upload is only shown after one.
    upload_page = world.client("admin").post(
        "/admin/upload",
        data={
            "csrf_token": world.roles["admin"].csrf,
            "files": (io.BytesIO(dump(make_bank("fuzz-upload")).encode()), "fuzz.yaml"),
        },
    )
    world.file_forms(
        app.url_map.bind("localhost"), upload_page.get_data(as_text=True), "/admin/upload", "admin"
    )
    world.keep()
    world.watch_writes()
    return world


def _school_class(teacher: Teacher, student: Student) -> str:
    """A class with the student as a member (joined after their study
    attempt, so the member is the same learner) and another member; a
    self-study assignment the student started, the check-in, and a live
    session for the class the student joined. Returns the session's public id."""
    page = teacher.text("/classes/")
    created = teacher.post(
        "/classes/",
        {"csrf_token": hidden(page, "csrf_token"), "token": hidden(page, "token"), "name": "fuzz"},
    )
    class_id = created.headers["Location"].rsplit("/", 1)[1]
    page = teacher.text(f"/classes/{class_id}")
    teacher.post(
        f"/classes/{class_id}/assignments",
        {
            "csrf_token": hidden(page, "csrf_token"),
            "token": re.search(r'name="token" type="hidden" value="([^"]*)"', page).group(1),
            "banks": ["starter"],
            "length": "3",
            "mode": "practice",
        },
    )
    page = teacher.text(f"/classes/{class_id}")
    form = page[page.index("/check/before") :]
    teacher.post(
        f"/classes/{class_id}/check/before",
        {"csrf_token": hidden(page, "csrf_token"), "token": hidden(form, "token")},
    )
    with teacher.app.app_context():
        token = db.session.scalar(select(SchoolClass.join_token))
        study = db.session.scalar(select(Assignment.public_id).where(Assignment.kind == "study"))
    for member, nickname in ((student, "kid"), (Student(teacher.app), "kid 2")):
        page = member.text(f"/c/{token}")
        member.post(f"/c/{token}", {"csrf_token": hidden(page, "csrf_token"), "nickname": nickname})
    page = student.text(f"/c/{token}")
    form = page[page.index(f"/assignments/{study}/start") :]
    student.post(
        f"/c/{token}/assignments/{study}/start",
        {"csrf_token": hidden(page, "csrf_token"), "token": hidden(form, "token")},
    )
    session = teacher.create(title="fuzz class", school_class=class_id)
    page = student.text(f"/play/{teacher.code(session)}")
    student.post(
        "/play/", {"csrf_token": hidden(page, "csrf_token"), "code": teacher.code(session)}
    )
    return session


def _ids(app: Flask, phases: dict[str, str], attempt: str) -> dict[str, list[str]]:
    with app.app_context():

        def ids(column, limit=3) -> list[str]:
            values = list(db.session.scalars(select(column).order_by(column).limit(limit)))
            return [str(value) for value in values]

        questions = ids(Question.id) + ids(Question.id.desc(), 1)
        sessions = list(phases.values())
        codes = list(
            db.session.scalars(
                select(ClassSession.code).where(
                    ClassSession.public_id.in_(sessions), ClassSession.code.is_not(None)
                )
            )
        )
        return {
            "question_id": questions,
            "number": ["1", "2", "3"],
            "proposal_id": ids(Proposal.id),
            "player_id": ids(Player.id, 5),
            "public_id": [*sessions, attempt],
            # Where an argument names one kind of row (see World.known).
            "play.public_id": sessions,
            "classroom.public_id": sessions,
            "study.public_id": [attempt],
            "slug": ids(Bank.slug, 10),
            "source_id": ids(Source.id, 2),
            "code": codes,
            "filename": ["style.css", "live.js", "favicon.svg"],
            "version_id": ids(QuestionVersion.id),
            "user_id": ids(User.id),
            "class_id": ids(SchoolClass.public_id),
            "classes.code": ids(SchoolClass.join_token),
            "member_id": ids(ClassMember.id),
            "assignment_id": ids(Assignment.public_id),
            "phase": ["before", "after", "later"],
        }
