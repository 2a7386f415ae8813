"""Hostile input found by the attack run of issue 20: each gets a clear 4xx
or the page it asked for, never a 500, and no redirect leaves the site.

The fuzz suite (tests/fuzz/) generates inputs like these over every route;
these are the findings themselves, one test each.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from quizapp.domain.numbers import MAX_INTEGER, whole_number, whole_number_or
from quizapp.urls import safe_next
from tests.web.classroom_client import Student, Teacher
from tests.web.study_client import EN, Learner, hidden

BEYOND_64_BITS = str(2**63)
UNICODE_DIGITS = ("²", "٣", "５", "①")


# -- one reading of numbers ---------------------------------------------------


@pytest.mark.parametrize("text", ["0", "7", "0042", str(MAX_INTEGER)])
def test_a_whole_number_is_ascii_digits_within_the_databases_integers(text):
    assert whole_number(text) == int(text)


@pytest.mark.parametrize(
    "text",
    [
        *UNICODE_DIGITS,
        "",
        " 3",
        "+3",
        "-3",
        "3_000",
        "3.0",
        str(MAX_INTEGER + 1),
        BEYOND_64_BITS,
        "9" * 5000,
        None,
    ],
)
def test_anything_else_is_not_a_number(text):
    with pytest.raises(ValueError):
        whole_number(text)
    assert whole_number_or(text, "default") == "default"


# -- redirects stay on the site -----------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "/\t/evil.com",
        "/\n/evil.com",
        "\t//evil.com",
        "/\r\n/evil.com",
        "/\\evil.com",
        "\\/evil.com",
        "https://evil.com/",
        "javascript:alert(1)",
        " //evil.com",
        "/\x00/evil.com",
        "evil.com",
    ],
)
def test_safe_next_refuses_every_way_out_of_the_site(target):
    assert safe_next(target) == "/"


@pytest.mark.parametrize(
    ("target", "expected"),
    [("/classroom/", "/classroom/"), ("/study/start?x=1", "/study/start?x=1"), ("/a\tb", "/ab")],
)
def test_safe_next_keeps_paths_of_the_site_as_the_browser_reads_them(target, expected):
    assert safe_next(target) == expected


def _same_site(location: str) -> bool:
    # What a browser does with the header: tabs and newlines dropped, "\\" a slash.
    cleaned = location.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    parts = urlsplit(cleaned)
    return not parts.scheme and not parts.netloc and cleaned.startswith("/")


@pytest.mark.parametrize("raw_next", ["/%09/evil.com", "/%0a/evil.com", "%2F%2Fevil.com"])
def test_logging_in_with_a_next_that_leaves_the_site_goes_home(teacher, raw_next):
    teacher.client.post("/auth/logout", data={"csrf_token": _csrf(teacher, "/classroom/")})
    page = teacher.text(f"/auth/login?next={raw_next}")
    response = teacher.post(
        "/auth/login",
        {
            "csrf_token": hidden(page, "csrf_token"),
            "next": hidden(page, "next"),
            "name": teacher.name,
            "password": "correct horse battery",
        },
    )
    assert response.status_code == 302
    assert _same_site(response.headers["Location"]), response.headers["Location"]


def _csrf(browser, path: str) -> str:
    return hidden(browser.text(path), "csrf_token")


def test_the_language_switch_on_a_404_page_does_not_redirect_off_the_site(client):
    page = client.get("/%09/evil.com", headers=EN)
    assert page.status_code == 404
    text = page.get_data(as_text=True)
    response = client.post(
        "/language",
        data={"csrf_token": hidden(text, "csrf_token"), "next": hidden(text, "next"), "zh": "1"},
    )
    assert response.status_code == 302
    assert _same_site(response.headers["Location"]), response.headers["Location"]


def test_a_newline_in_next_is_not_a_server_error(client):
    page = client.get("/", headers=EN).get_data(as_text=True)
    response = client.post(
        "/language",
        data={"csrf_token": hidden(page, "csrf_token"), "next": "/\r\nSet-Cookie: x=1", "zh": "1"},
    )
    assert response.status_code == 302
    assert "\n" not in response.headers["Location"]
    assert "x=1" not in response.headers.get("Set-Cookie", "")


# -- numbers in paths and queries ---------------------------------------------


@pytest.fixture
def admin(app, imported):
    return Teacher.quick(app, name="root", role="admin")


@pytest.mark.parametrize("number", [BEYOND_64_BITS, str(MAX_INTEGER + 1), "9" * 40])
def test_huge_numbers_in_paths_are_not_found(admin, number):
    for path in (
        f"/admin/questions/{number}",
        f"/admin/questions/{number}/history",
        f"/admin/questions/1/versions/{number}",
        f"/admin/proposals/{number}",
    ):
        assert admin.get(path).status_code == 404, path


@pytest.mark.parametrize("number", [BEYOND_64_BITS, *UNICODE_DIGITS])
def test_odd_numbers_in_queries_fall_back_to_the_default(admin, number):
    assert admin.get(f"/admin/questions?page={number}").status_code == 200
    assert admin.get(f"/admin/questions?difficulty={number}").status_code == 200
    assert admin.get(f"/admin/audit?page={number}").status_code == 200
    source = admin.text("/sources/").split('href="/sources/', 2)[1].split('"', 1)[0]
    assert admin.get(f"/sources/{source}?passage={number}").status_code == 200


def test_a_study_answer_with_a_unicode_digit_confidence_is_refused_not_a_crash(app, imported):
    learner = Learner(app)
    public_id = learner.start(length="2")
    page = learner.text(f"/study/{public_id}/1")
    content = learner.content(public_id, 1)
    values = [content["choices"][0]["id"]] if "choices" in content else ["x"]
    response = learner.post(
        f"/study/{public_id}/1",
        {"csrf_token": hidden(page, "csrf_token"), "answer": values, "confidence": "²"},
    )
    assert response.status_code < 500
    assert learner.get("/study/start?length=²").status_code == 200


# -- the live session -----------------------------------------------------------


@pytest.fixture
def live(app, teacher):
    """A teacher-paced session with one student, its first question open."""
    public_id = teacher.create()
    student = Student(app)
    student.join(teacher.code(public_id), "Eve")
    teacher.act(public_id, "start")
    return teacher, student, public_id


@pytest.mark.parametrize("position", [*UNICODE_DIGITS, BEYOND_64_BITS])
def test_odd_positions_and_revisions_are_not_server_errors(live, position):
    teacher, student, public_id = live
    form = student.form()
    response = student.answer(["a"], form={**form, "position": position})
    assert response.status_code < 500
    response = student.answer(["a"], form={**form, "round": position, "confidence": position})
    assert response.status_code < 500
    page = teacher.host(public_id)
    response = teacher.post(
        f"/classroom/{public_id}/control",
        {"csrf_token": hidden(page, "csrf_token"), "action": "close", "revision": position},
    )
    assert response.status_code < 500
    assert student.get(f"/play/s/{public_id}/{position}").status_code == 404


@pytest.mark.parametrize("etag", ['"\xb2"', '"' + "9" * 5000 + '"', '"٣"', "W/" + BEYOND_64_BITS])
def test_odd_etags_on_polls_are_answered_with_the_security_headers(live, etag):
    _, student, public_id = live
    for path in (f"/play/s/{public_id}/state?wait=1", f"/play/s/{public_id}?part=live&wait=1"):
        response = student.get(path, headers={"If-None-Match": etag})
        assert response.status_code == 200, path
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_empty_answer_for_an_upcoming_question_does_not_show_it(live):
    teacher, student, public_id = live
    upcoming = teacher.content(public_id, 1)
    form = student.form()
    response = student.answer([], form={**form, "position": "1"})
    assert response.status_code in (302, 303)
    shown = student.get(response.headers["Location"]).get_data(as_text=True)
    assert upcoming["prompt"]["en"] not in shown
    # The open question's own empty answer still gets its clear message, on its page.
    response = student.answer([], form=form)
    assert response.status_code == 422
    assert teacher.content(public_id, 0)["prompt"]["en"] in response.get_data(as_text=True)


# -- CSV files open safely in a spreadsheet -------------------------------------


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-6", "-6"),
        ("-0.5", "-0.5"),
        ("40%", "40%"),
        ("Eve", "Eve"),
        ("a=b", "a=b"),
        (3, 3),
    ],
)
def test_a_cell_that_would_be_a_formula_is_written_as_text(cell, written):
    from quizapp.domain.spreadsheet import safe_cell

    assert safe_cell(cell) == written


def test_nicknames_that_look_like_formulas_reach_the_csv_as_text(live):
    import csv
    import io

    teacher, _, public_id = live
    app = teacher.app
    names = ["=cmd|' /C calc'!A0", "+SUM(1;2)", "@SUM(A1)", "-1+2"]
    for name in names:
        assert Student(app).join(teacher.code(public_id), name).status_code == 302
    teacher.act(public_id, "finish")
    response = teacher.get(f"/classroom/{public_id}/students.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True)[1:])))
    nicknames = [row[0] for row in rows[1:]]
    for name in names:
        assert "'" + name in nicknames
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_a_form_part_without_a_name_is_a_bad_request(client):
    body = b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n"
    for path in ("/play/", "/language", "/auth/login"):
        response = client.post(path, data=body, content_type="multipart/form-data; boundary=b")
        assert response.status_code == 400, path


def test_a_json_body_is_a_bad_request_not_a_form(app, imported):
    learner = Learner(app)
    public_id = learner.start(length="2")
    form = learner.form_for(public_id, 1)
    for body in ("{not json", '{"answer": "a"}'):
        response = learner.client.post(
            f"/study/{public_id}/1", data=body, content_type="application/json", headers=EN
        )
        assert response.status_code == 400
    response = learner.client.post(
        f"/study/{public_id}/1", data={**form, "answer": "a"}, headers=EN
    )
    assert response.status_code < 500


@pytest.mark.parametrize(
    "path",
    ["/sources/%00", "/play/s/%00", "/study/%00/results", "/classroom/%00/results", "/?q=%00"],
)
def test_a_nul_character_in_an_address_is_a_bad_request(client, path):
    # PostgreSQL refuses NUL in text: it must never reach a query.
    assert client.get(path, headers=EN).status_code == 400


def test_a_nul_character_in_a_form_is_a_bad_request(app, client):
    page = client.get("/auth/login", headers=EN).get_data(as_text=True)
    response = client.post(
        "/auth/login",
        data={"csrf_token": hidden(page, "csrf_token"), "name": "\x00", "password": "x"},
        headers=EN,
    )
    assert response.status_code == 400


def test_a_one_time_token_longer_than_its_column_is_refused(app, imported):
    learner = Learner(app)
    response = learner.post("/study/start", {**learner.start_form(), "token": "t" * 65})
    assert response.status_code == 422
