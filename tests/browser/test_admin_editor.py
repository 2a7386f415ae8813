"""The bank editor in a real Chromium: edit, pick a passage, preview, save, restore.

The server holds one small bank (one question citing the Global Times
article), imported through ``flask quiz import`` like the shipped ones,
so each test starts quickly from a known question. Passages are picked
with the real mouse: the test finds where the words are drawn and drags
across them, and the page must turn that selection into the quote.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Question
from tests.browser.editor_site import Site
from tests.conftest import dump, make_bank, make_question
from tests.web.classroom_client import PASSWORD, make_user

ARTICLE = "huanqiu-2024-02"
OLD_PROMPT = make_question()["prompt"]
NEW_PROMPT = {"zh": "饼干上少了什么?", "en": "What was missing from the cookie?"}
# "朋友(Friend)圈" occurs twice in the article; the mouse picks the second one,
# which the one character before it ("这条朋友(Friend)圈") tells apart.
REPEATED = "朋友(Friend)圈"
SECOND_ONE = "这条朋友(Friend)圈"


@pytest.fixture
def site(editor_site):
    """The one-question bank, imported and served."""
    return editor_site


def current_content(app, question_id: int) -> tuple[int, dict]:
    """The question's latest version: (number, content)."""
    with app.app_context():
        version = db.session.get(Question, question_id).current_version
        return version.number, version.content


# --- pages -------------------------------------------------------------------


def admin_page(new_page, site: Site, name: str = "admin-ada"):
    """A new browser context in which admin ``name`` has logged in through the form."""
    return staff_page(new_page, site, name, "admin")


def staff_page(new_page, site: Site, name: str, role: str):
    """A new browser context in which ``name`` (a ``role``) has logged in through the form."""
    make_user(site.app, name, role)
    page = new_page()
    page.goto(site.base + "/auth/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))
    return page


def open_picker(page):
    """Open the passage picker of the first passage and wait for its article."""
    page.get_by_role("button", name="Pick the passage in the article").click()
    expect(page.locator("#picker")).to_be_visible()
    expect(page.locator("#picker-article span[data-start]").first).to_be_visible()


# Where the ``nth`` occurrence of ``needle`` in a piece of the article is
# drawn: a point just inside its first character and one just inside its
# last, in the viewport's coordinates.
POINTS_OF_WORDS = """(span, [needle, nth]) => {
  const text = span.firstChild;
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.data.indexOf(needle, at + 1);
  const range = document.createRange();
  range.setStart(text, at); range.setEnd(text, at + 1);
  const first = range.getClientRects()[0];
  range.setStart(text, at + needle.length - 1); range.setEnd(text, at + needle.length);
  const last = range.getClientRects()[0];
  return {x1: first.left + 1, y1: (first.top + first.bottom) / 2,
          x2: last.right - 1, y2: (last.top + last.bottom) / 2};
}"""


def drag_across(page, span, needle: str, nth: int) -> str:
    """Select the ``nth`` occurrence of ``needle`` in ``span`` by dragging the mouse
    over it; return the text the browser then has selected."""
    span.evaluate("el => el.scrollIntoView({block: 'center'})")
    points = span.evaluate(POINTS_OF_WORDS, [needle, nth])
    # Both ends must be on the article, not under the picker's sticky bar.
    hit = "([x, y]) => document.elementFromPoint(x, y).closest('#picker-article') !== null"
    for x, y in ((points["x1"], points["y1"]), (points["x2"], points["y2"])):
        assert page.evaluate(hit, [x, y]), f"the words at {x}, {y} are covered"
    page.mouse.move(points["x1"], points["y1"])
    page.mouse.down()
    page.mouse.move(points["x2"], points["y2"], steps=10)
    page.mouse.up()
    return page.evaluate("window.getSelection().toString()")


# The text of a diff entry without its deletions (after) and without its
# insertions (before).
DIFF_SIDES = """dd => {
  const keep = (skip) => Array.from(dd.children)
    .filter(piece => piece.tagName !== skip).map(piece => piece.textContent).join("");
  return {before: keep("INS"), after: keep("DEL")};
}"""


def diff_of(page, scope: str, field: str) -> dict:
    """The before and after text of ``field`` (named as the editor's form names
    it: "Prompt (Chinese)") in the diff inside ``scope``."""
    term = page.locator(f"{scope} dl.diff dt", has_text=field)
    return term.locator("xpath=following-sibling::dd[1]").evaluate(DIFF_SIDES, timeout=5_000)


def preview_as(page, language: str) -> None:
    """Choose the preview language and press "Preview as a learner"."""
    page.get_by_label("Preview in").select_option(language)
    page.get_by_role("button", name="Preview as a learner").click()
    expect(page.locator("#preview")).to_be_visible()


def answer_in_preview(page, choice_text: str) -> None:
    """Answer the previewed question with the choice labelled ``choice_text``."""
    preview = page.locator("#preview")
    preview.get_by_label(choice_text).check()
    preview.locator("button[value=preview]").click()
    expect(page.locator("#preview .verdict")).to_be_visible()


def assert_no_axe_violations(axe_check, page, step: str) -> None:
    """axe-core finds nothing on the page, whatever the impact."""
    violations = axe_check(page, step)["violations"]
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}" for v in violations
    ]
    assert found == [], f"axe on {step} ({page.url}):\n" + "\n".join(found)


# --- tests -------------------------------------------------------------------


@pytest.mark.both_databases
def test_an_admin_edits_picks_a_passage_with_the_mouse_previews_saves_and_restores(
    site, catalog, new_page, snap
):
    page = admin_page(new_page, site)
    page.goto(site.edit_url())

    # Both languages of the prompt.
    page.get_by_label("Prompt (Chinese)").fill(NEW_PROMPT["zh"])
    page.get_by_label("Prompt (English)").fill(NEW_PROMPT["en"])

    # The passage, selected in the article with the mouse.
    open_picker(page)
    use = page.get_by_role("button", name="Use the selection")
    expect(use).to_be_disabled()
    span = page.locator("#picker-article span[data-start]", has_text=SECOND_ONE)
    selected = drag_across(page, span, REPEATED, 1)
    assert selected == REPEATED
    snap(page, "picker-selection")
    expect(use).to_be_enabled()
    use.click()
    expect(page.locator("#picker")).to_be_hidden()

    quote = page.locator("#sources-0-exact")
    expect(quote).to_have_value(selected)
    expect(quote).to_be_focused()
    # The quote repeats, so the least context that picks the second one is filled in.
    prefix = page.locator("#sources-0-prefix_text")
    suffix = page.locator("#sources-0-suffix_text")
    expect(prefix).to_have_value("条")
    expect(suffix).to_have_value("")
    expect(prefix).to_be_visible()  # the <details> holding it was opened
    text = catalog.get(ARTICLE).text
    assert text.count(selected) == 2
    assert text.count("条" + selected) == 1
    context = page.locator('[data-context="0"]')
    expect(context.locator("mark.target")).to_have_text(selected)
    expect(context).to_contain_text(SECOND_ONE)
    snap(page, "picked")

    # The learner's view in Chinese, answered right.
    preview_as(page, "zh")
    expect(page.locator("#preview .learner-preview")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("#preview .prompt")).to_have_text(NEW_PROMPT["zh"])
    answer_in_preview(page, "没有咬痕")
    expect(page.locator("#preview .verdict")).to_have_class(re.compile("verdict-right"))
    expect(page.locator("#preview blockquote")).to_have_text(selected)
    snap(page, "preview-zh")
    # ... and in English, answered wrong: the chosen choice's feedback shows.
    preview_as(page, "en")
    expect(page.locator("#preview .prompt")).to_have_text(NEW_PROMPT["en"])
    answer_in_preview(page, "It became a cake")
    expect(page.locator("#preview .verdict")).to_have_class(re.compile("verdict-wrong"))
    expect(page.locator("#preview")).to_contain_text("The article says no such thing.")
    snap(page, "preview-en")
    # Previews kept everything typed and picked.
    expect(page.get_by_label("Prompt (Chinese)")).to_have_value(NEW_PROMPT["zh"])
    expect(quote).to_have_value(selected)

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("Saved as version 2.")
    expect(page.locator("h1")).to_have_text(NEW_PROMPT["en"])
    number, content = current_content(site.app, site.question_id)
    assert number == 2
    assert content["prompt"] == NEW_PROMPT
    assert content["sources"] == [{"doc": ARTICLE, "exact": REPEATED, "prefix": "条"}]

    # The history: version 2 by this admin, with what changed.
    page.get_by_role("link", name="History").click()
    entry = page.locator("#version-2")
    expect(entry.locator(".meta")).to_contain_text("admin-ada")
    expect(entry.locator(".meta")).to_contain_text("edited")
    expect(entry.locator("ins").first).to_be_visible()
    assert diff_of(page, "#version-2", "Prompt (English)") == {
        "before": OLD_PROMPT["en"],
        "after": NEW_PROMPT["en"],
    }
    assert diff_of(page, "#version-2", "Prompt (Chinese)") == {
        "before": OLD_PROMPT["zh"],
        "after": NEW_PROMPT["zh"],
    }
    snap(page, "history")

    # Restoring version 1 makes version 3, with the old prompt.
    page.get_by_role("button", name="Restore version 1").click()
    expect(page.locator(".flash")).to_contain_text("Version 1 restored as version 3.")
    expect(page.locator("#version-3 .meta")).to_contain_text("restored")
    page.locator("p.meta a").first.click()
    expect(page.locator("h1")).to_have_text(OLD_PROMPT["en"])
    expect(page.locator("main")).to_contain_text("version 3 of 3")
    expect(page.locator('main p[lang="zh-Hans"]').first).to_have_text(OLD_PROMPT["zh"])
    number, content = current_content(site.app, site.question_id)
    assert (number, content["prompt"]) == (3, OLD_PROMPT)


def test_the_picker_finds_a_passage_by_search_and_fills_it_in_by_keyboard(site, new_page):
    page = admin_page(new_page, site)
    page.goto(site.edit_url())
    opener = page.get_by_role("button", name="Pick the passage in the article")
    opener.focus()
    page.keyboard.press("Enter")
    search = page.get_by_label("Search the article")
    expect(search).to_be_focused()

    page.keyboard.type("强烈的‘Sora焦虑’")
    results = page.locator("#picker-results li")
    expect(results).to_have_count(1)
    expect(results.locator("mark")).to_have_text("强烈的‘Sora焦虑’")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Use this")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("#picker")).to_be_hidden()
    quote = page.get_by_label("Quote")
    expect(quote).to_have_value("强烈的‘Sora焦虑’")
    expect(quote).to_be_focused()
    expect(page.locator('[data-context="0"] mark.target')).to_have_text("强烈的‘Sora焦虑’")


def test_a_second_admins_save_over_a_newer_version_is_refused_and_keeps_their_text(site, new_page):
    ada = admin_page(new_page, site, "admin-ada")
    bo = admin_page(new_page, site, "admin-bo")
    ada.goto(site.edit_url())
    bo.goto(site.edit_url())

    ada.get_by_label("Prompt (English)").fill("Ada's prompt")
    ada.get_by_role("button", name="Save", exact=True).click()
    expect(ada.locator(".flash")).to_contain_text("Saved as version 2.")

    bo.get_by_label("Prompt (English)").fill("Bo's prompt")
    with bo.expect_response(lambda response: response.request.method == "POST") as posted:
        bo.get_by_role("button", name="Save", exact=True).click()
    assert posted.value.status == 409
    conflict = bo.locator("section.conflict")
    expect(conflict.get_by_role("heading")).to_have_text(
        "Not saved: someone else saved this question first"
    )
    expect(conflict).to_contain_text("admin-ada saved version 2")
    assert diff_of(bo, "section.conflict", "Prompt (English)") == {
        "before": OLD_PROMPT["en"],
        "after": "Ada's prompt",
    }
    expect(bo.get_by_label("Prompt (English)")).to_have_value("Bo's prompt")
    number, content = current_content(site.app, site.question_id)
    assert (number, content["prompt"]["en"]) == (2, "Ada's prompt")


def test_choosing_a_type_shows_only_that_types_answer_fields(site, new_page):
    page = admin_page(new_page, site)
    page.goto(site.edit_url())
    choices = page.locator("fieldset#choices")
    truth = page.get_by_label("The statement is")
    number = page.get_by_label("Right number")
    expect(choices).to_be_visible()
    expect(truth).to_be_hidden()
    expect(number).to_be_hidden()

    page.get_by_label("Type", exact=True).select_option("true_false")
    expect(choices).to_be_hidden()
    expect(truth).to_be_visible()
    expect(page.get_by_label("Feedback after a wrong answer (English)")).to_be_visible()

    page.get_by_label("Type", exact=True).select_option("numeric")
    expect(truth).to_be_hidden()
    expect(number).to_be_visible()

    page.get_by_label("Type", exact=True).select_option("single")
    expect(choices).to_be_visible()
    expect(number).to_be_hidden()
    expect(page.get_by_label("Feedback after a wrong answer (English)")).to_be_hidden()


def test_the_editors_pages_pass_the_accessibility_check_with_no_violations(
    site, new_page, axe_check
):
    page = admin_page(new_page, site)
    page.goto(site.base + "/admin/")
    assert_no_axe_violations(axe_check, page, "bank-index")
    page.goto(site.base + "/admin/questions")
    assert_no_axe_violations(axe_check, page, "question-list")
    page.goto(site.base + "/admin/upload")
    assert_no_axe_violations(axe_check, page, "upload")
    page.goto(site.base + f"/admin/questions/{site.question_id}/history")
    assert_no_axe_violations(axe_check, page, "history")

    page.goto(site.edit_url())
    assert_no_axe_violations(axe_check, page, "edit")
    open_picker(page)
    assert_no_axe_violations(axe_check, page, "picker")
    page.get_by_role("button", name="Close").click()
    preview_as(page, "en")
    answer_in_preview(page, "No bite mark")
    assert_no_axe_violations(axe_check, page, "edit-preview")


def upload(page, site: Site, path):
    """Choose ``path`` in the upload form and have it checked; return the page."""
    page.goto(site.base + "/admin/upload")
    page.get_by_label("Bank files (YAML)").set_input_files(str(path))
    page.get_by_role("button", name="Check the files").click()
    return page


def test_an_admin_uploads_a_bank_file_reads_the_plan_and_confirms_it(new_page, site, tmp_path):
    changed = make_bank(questions=[make_question(difficulty=2), make_question(id="q2")])
    path = tmp_path / "test-bank.yaml"
    path.write_text(dump(changed), encoding="utf-8")
    page = upload(admin_page(new_page, site), site, path)
    plan = page.locator("section.notice")
    expect(plan).to_contain_text("Added: 1")
    expect(plan).to_contain_text("Changed: 1")
    expect(plan).to_contain_text("test-bank/q2")
    assert current_content(site.app, site.question_id)[0] == 1  # nothing written yet
    page.get_by_role("button", name="Import these changes").click()
    expect(page.locator(".flash-success")).to_contain_text("1 added, 1 changed")
    number, content = current_content(site.app, site.question_id)
    assert (number, content["difficulty"]) == (2, 2)


def test_a_broken_upload_shows_each_problem_with_its_line_and_imports_nothing(
    new_page, site, tmp_path
):
    path = tmp_path / "broken.yaml"
    path.write_text(dump(make_bank(questions=[make_question(difficulty=7)])), encoding="utf-8")
    page = upload(admin_page(new_page, site), site, path)
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("nothing was imported")
    expect(problems).to_contain_text(re.compile(r"broken\.yaml:\d+:\d+: .*difficulty"))
    assert current_content(site.app, site.question_id)[0] == 1


def test_an_admin_creates_a_bank_and_its_first_question(new_page, site):
    page = admin_page(new_page, site)
    page.goto(site.base + "/admin/banks/new")
    page.get_by_label("Bank id").fill("fresh")
    page.get_by_label("Title (Chinese)").fill("新题库")
    page.get_by_label("Title (English)").fill("A fresh bank")
    page.get_by_label("Description (Chinese)").fill("说明。")
    page.get_by_label("Description (English)").fill("About it.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-success")).to_contain_text("Bank created")
    page.get_by_role("link", name="Add a question").click()
    page.get_by_label("Question id").fill("first")
    question = make_question()
    page.get_by_label("Prompt (Chinese)").fill(question["prompt"]["zh"])
    page.get_by_label("Prompt (English)").fill(question["prompt"]["en"])
    for index, choice in enumerate(question["choices"]):
        page.locator(f"#choices-{index}-text_zh").fill(choice["text"]["zh"])
        page.locator(f"#choices-{index}-text_en").fill(choice["text"]["en"])
    page.get_by_label("Explanation (Chinese)").fill(question["explanation"]["zh"])
    page.get_by_label("Explanation (English)").fill(question["explanation"]["en"])
    page.locator("#sources-0-doc").select_option(question["source"]["doc"])
    page.locator("#sources-0-exact").fill(question["source"]["exact"])
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("Saved as version 1.")
    with site.app.app_context():
        created = db.session.scalar(select(Question).where(Question.key == "first"))
        assert created.bank.slug == "fresh"
        assert created.current_version.status == "draft"
