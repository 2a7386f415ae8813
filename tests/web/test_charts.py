"""The SVG charts of the learning reports: geometry, accessibility, escaping.

Each macro of ``templates/_charts.html`` is rendered inside the app and its
output parsed as XML (it is written to be well-formed). The geometry is
checked against the axes as drawn: a value's position is read off the
rendered tick labels, not recomputed with the code under test.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest
from flask import render_template_string
from hypothesis import given
from hypothesis import strategies as st

from quizapp import charts, create_app
from quizapp.extensions import db
from tests.conftest import QUESTIONS, SEEDS
from tests.web.test_results import finished

MACROS = "histogram, calibration_curve, before_after, item_map, roc_curve"

BINS = [("0–9", 0), ("10–19", 2), ("20–29", 5), ("30–39", 1), ("40–49", 0)]
LEVELS = [
    {"label": "C=1", "stated": 1 / 3, "accuracy": 0.5, "answered": 10},
    {"label": "C=2", "stated": 0.67, "accuracy": 0.6, "answered": 40},
    {"label": "C=3", "stated": 0.8, "accuracy": None, "answered": 0},
]
ROWS = [("Ann", 40, 70), ("Bo", 80, 60), ("Cy", 50, 50)]
ITEMS = [
    ("Q1", 0.5, 0, False, "/admin/questions/1"),
    ("Q2", 0.1, 10, True, None),
    ("Q3", 0.95, None, False, None),
    ("Q4", 0.75, 100, False, None),
]
ROC_POINTS = [(0.0, 0.0), (0.1, 0.5), (0.3, 0.8), (1.0, 1.0)]


# --- Rendering and reading ---------------------------------------------------------


@pytest.fixture(scope="module")
def chart_app(tmp_path_factory):
    """One application for the module, built like ``app`` in tests/conftest.py.

    The charts read no table; building (and compiling the templates of) an
    application per test would take most of this module's time.
    """
    folder = tmp_path_factory.mktemp("charts")
    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'test.sqlite3'}",
            "QUIZ_QUESTIONS_DIR": QUESTIONS,
            "QUIZ_SEEDS_DIR": SEEDS,
        },
        instance_path=str(folder / "instance"),
    )
    with application.app_context():
        db.create_all()
    if "chart_geometry" not in application.jinja_env.globals:
        # Until create_app calls charts.init_app.
        charts.init_app(application)
    yield application
    with application.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def render(chart_app):
    """Render macro calls (Jinja source) with ``values``; return the HTML."""

    def go(source: str, **values) -> str:
        with chart_app.test_request_context(headers={"Accept-Language": "en"}):
            return render_template_string(
                f'{{% from "_charts.html" import {MACROS} %}}{source}', **values
            )

    return go


def parse(html: str) -> ET.Element:
    """The output as XML: it must be well-formed."""
    return ET.fromstring(f"<root>{html}</root>")


def one(root: ET.Element, path: str) -> ET.Element:
    found = root.findall(path)
    assert len(found) == 1, (path, len(found))
    return found[0]


def part(svg: ET.Element, name: str) -> ET.Element:
    return one(svg, f".//*[@data-part='{name}']")


def num(element: ET.Element, attribute: str) -> float:
    return float(element.get(attribute))


def inherited(svg: ET.Element, element: ET.Element, attribute: str) -> str | None:
    """An attribute's value on ``element`` or its nearest ancestor that has it."""
    parents = {child: parent for parent in svg.iter() for child in parent}
    while element is not None:
        if element.get(attribute) is not None:
            return element.get(attribute)
        element = parents.get(element)
    return None


def axis(svg: ET.Element, name: str, low: str, high: str) -> tuple[float, float]:
    """The positions of the tick labelled ``low`` and the one labelled ``high``."""
    group = part(svg, name)
    ticks = {text.text: text for text in group.iter("text")}
    if name == "x-ticks":
        return num(ticks[low], "x"), num(ticks[high], "x")
    # A y tick's label is drawn on a baseline 0.35 em under the tick.
    shift = 0.35 * float(group.get("font-size"))
    return num(ticks[low], "y") - shift, num(ticks[high], "y") - shift


def along(ends: tuple[float, float], share: float) -> float:
    return ends[0] + share * (ends[1] - ends[0])


def own_text(element: ET.Element) -> str:
    """An element's text without its children's (a label without its tooltip)."""
    return (element.text or "") + "".join(child.tail or "" for child in element)


def table_rows(root: ET.Element) -> list[list[str]]:
    """The cells' text of the table body (and foot), row by row."""
    rows = []
    for section in ("tbody", "tfoot"):
        for row in root.iterfind(f".//table/{section}/tr"):
            rows.append(["".join(cell.itertext()) for cell in row])
    return rows


def check_wiring(root: ET.Element, chart_id: str, title: str, desc: str, role: str = "img"):
    """The figure's structure: a named SVG, a caption, the numbers in a table."""
    figure = one(root, "figure")
    assert figure.get("class") == "chart"
    svg = one(figure, "svg")
    assert svg.get("role") == role
    assert svg.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert svg[0].tag == "title" and svg[0].get("id") == f"{chart_id}-title"
    assert svg[0].text == title
    assert svg[1].tag == "desc" and svg[1].get("id") == f"{chart_id}-desc"
    assert svg[1].text == desc
    # Scales to its container: a viewBox about 640 wide, no fixed size.
    assert re.fullmatch(r"0 0 640 \d+", svg.get("viewBox"))
    assert svg.get("width") == "100%" and svg.get("height") is None
    assert title in "".join(one(figure, "figcaption").itertext())
    details = one(figure, "details")
    assert one(details, "summary").text == "The numbers"
    one(details, ".//table")
    return svg


def check_text(svg: ET.Element) -> None:
    """All text is at least 12 units high, and no two labels of an axis overlap."""
    for text in svg.iter("text"):
        assert float(inherited(svg, text, "font-size")) >= 12, text.text
    for name in ("x-ticks", "y-ticks"):
        found = svg.findall(f".//*[@data-part='{name}']")
        if not found:
            continue
        size = float(found[0].get("font-size"))
        anchor = found[0].get("text-anchor")
        boxes = [
            charts.text_box(text.text, num(text, "x"), num(text, "y"), anchor, size)
            for text in found[0].iter("text")
        ]
        for index, box in enumerate(boxes):
            assert not any(box.overlaps(other) for other in boxes[index + 1 :])


def check_clean(html: str) -> None:
    """No inline style (the CSP forbids it) and no script."""
    assert "style=" not in html
    assert "<style" not in html
    assert "<script" not in html.lower()
    assert "javascript:" not in html.lower()


# --- 1. Histogram --------------------------------------------------------------------


def test_histogram_bars_are_proportional_to_counts(render):
    html = render(
        '{{ histogram("scores", "Scores", "Most scored 20 to 29.", bins, "Score", "Learners") }}',
        bins=BINS,
    )
    check_clean(html)
    root = parse(html)
    svg = check_wiring(root, "scores", "Scores", "Most scored 20 to 29.")
    check_text(svg)
    bars = part(svg, "bars").findall("rect")
    assert len(bars) == len(BINS)
    zero, top = axis(svg, "y-ticks", "0", "5")  # counts up to 5: ticks 0, 1, …, 5
    for rect, (_label, count) in zip(bars, BINS, strict=True):
        assert num(rect, "height") == pytest.approx((zero - top) * count / 5, abs=0.05)
        assert num(rect, "y") + num(rect, "height") == pytest.approx(zero, abs=0.05)
    assert len({rect.get("width") for rect in bars}) == 1
    xs = [num(rect, "x") for rect in bars]
    assert xs == sorted(xs)
    # Every bin is labelled under its bar, and its count written over it.
    labels = [text.text for text in part(svg, "x-ticks").iter("text")]
    assert labels == [label for label, _count in BINS]
    assert [text.text for text in part(svg, "counts").iter("text")] == [
        str(count) for _label, count in BINS
    ]
    assert part(svg, "x-title").text == "Score" and part(svg, "y-title").text == "Learners"
    assert table_rows(root) == [[label, str(count)] for label, count in BINS]


def test_histogram_thins_crowded_labels(render):
    html = render(
        '{{ histogram("h", "T", "D", bins, "Score", "Learners") }}',
        bins=charts.score_bins([1] * 12 + [50, 99], width=2),
    )
    svg = parse(html).find(".//svg")
    check_text(svg)
    shown = list(part(svg, "x-ticks").iter("text"))
    assert 1 < len(shown) < 50
    assert len(part(svg, "bars").findall("rect")) == 50
    # A count of 12 does not fit over a thin bar: the counts are in the table only.
    assert not svg.findall(".//*[@data-part='counts']")
    assert len(table_rows(parse(html))) == 50


def test_histogram_empty(render):
    html = render('{{ histogram("h", "Scores", "D", [], "Score", "Learners") }}')
    root = parse(html)
    assert root.find(".//svg") is None and root.find(".//table") is None
    assert one(root, ".//p").text == "No data yet."
    assert "Scores" in "".join(one(root, ".//figcaption").itertext())
    said = render(
        '{{ histogram("h", "Scores", "D", [], "Score", "Learners", empty="Nobody yet.") }}'
    )
    assert one(parse(said), ".//p").text == "Nobody yet."
    # Bins that are all empty: nothing to draw, but the zeros are listed.
    zeros = parse(
        render(
            '{{ histogram("h", "T", "D", bins, "Score", "Learners") }}',
            bins=charts.score_bins([]),
        )
    )
    assert zeros.find(".//svg") is None and len(table_rows(zeros)) == 10


# --- 2. Calibration ------------------------------------------------------------------


def test_calibration_points_sit_at_stated_and_accuracy(render):
    html = render(
        '{{ calibration_curve("cal", "Calibration", "Right less often than claimed.",'
        ' levels, "Claimed", "Right") }}',
        levels=LEVELS,
    )
    check_clean(html)
    root = parse(html)
    svg = check_wiring(root, "cal", "Calibration", "Right less often than claimed.")
    check_text(svg)
    x_ends = axis(svg, "x-ticks", "0%", "100%")
    y_ends = axis(svg, "y-ticks", "0%", "100%")
    circles = part(svg, "points").findall("circle")
    plotted = [level for level in LEVELS if level["accuracy"] is not None]
    assert len(circles) == len(plotted)
    for circle, level in zip(circles, plotted, strict=True):
        assert num(circle, "cx") == pytest.approx(along(x_ends, level["stated"]), abs=0.05)
        assert num(circle, "cy") == pytest.approx(along(y_ends, level["accuracy"]), abs=0.05)
    # More answers, a bigger point.
    assert num(circles[1], "r") > num(circles[0], "r")
    # The line joins the points; the diagonal runs from (0, 0) to (100 %, 100 %).
    line = part(svg, "line").get("points").split()
    assert line == [
        f"{charts.number(float(c.get('cx')), 2)},{charts.number(float(c.get('cy')), 2)}"
        for c in circles
    ]
    diagonal = part(svg, "diagonal")
    assert (num(diagonal, "x1"), num(diagonal, "y1")) == pytest.approx((x_ends[0], y_ends[0]))
    assert (num(diagonal, "x2"), num(diagonal, "y2")) == pytest.approx((x_ends[1], y_ends[1]))
    assert [text.text for text in part(svg, "labels").iter("text")] == ["C=1", "C=2"]
    # The level without an accuracy is in the table, with a dash.
    assert table_rows(root) == [
        ["C=1", "33.3%", "50%", "10"],
        ["C=2", "67%", "60%", "40"],
        ["C=3", "80%", "—", "0"],
    ]


def test_calibration_accepts_objects_and_escapes_labels(render):
    class Level:
        def __init__(self, label, stated, accuracy, answered):
            self.label, self.stated, self.accuracy, self.answered = (
                label,
                stated,
                accuracy,
                answered,
            )

    html = render(
        '{{ calibration_curve("c", "T", "D", levels, "Claimed", "Right") }}',
        levels=[Level("<b>sure</b>", 0.5, 0.5, 3)],
    )
    check_clean(html)
    assert "<b>" not in html and "&lt;b&gt;sure&lt;/b&gt;" in html
    circle = one(parse(html), ".//*[@data-part='points']/circle")
    svg = parse(html).find(".//svg")
    assert num(circle, "cx") == pytest.approx(along(axis(svg, "x-ticks", "0%", "100%"), 0.5))


def test_calibration_empty(render):
    for levels in ([], [{"label": "C=1", "stated": 0.5, "accuracy": None, "answered": 0}]):
        root = parse(
            render(
                '{{ calibration_curve("c", "T", "D", levels, "Claimed", "Right") }}',
                levels=levels,
            )
        )
        assert root.find(".//svg") is None
        assert one(root, ".//p").text == "No data yet."


# --- 3. Before and after -------------------------------------------------------------


def test_before_after_slopes_encode_scores_and_direction(render):
    html = render(
        '{{ before_after("ba", "Before and after", "Two of three went up or stayed.", rows,'
        ' "Before", "After", "Score", mean=(56.7, 60)) }}',
        rows=ROWS,
    )
    check_clean(html)
    root = parse(html)
    svg = check_wiring(root, "ba", "Before and after", "Two of three went up or stayed.")
    check_text(svg)
    y_ends = axis(svg, "y-ticks", "0%", "100%")
    columns = part(svg, "columns").findall("line")
    before_x, after_x = num(columns[0], "x1"), num(columns[1], "x1")
    lines = part(svg, "slopes").findall("line")
    assert len(lines) == len(ROWS)
    for line, (_name, before, after) in zip(lines, ROWS, strict=True):
        assert (num(line, "x1"), num(line, "x2")) == (before_x, after_x)
        assert num(line, "y1") == pytest.approx(along(y_ends, before / 100), abs=0.05)
        assert num(line, "y2") == pytest.approx(along(y_ends, after / 100), abs=0.05)
    assert [line.get("data-direction") for line in lines] == ["up", "down", "level"]
    # Up, down and level differ in colour AND in dash pattern.
    assert len({line.get("stroke") for line in lines}) == 3
    assert len({line.get("stroke-dasharray") for line in lines}) == 3
    mean = one(part(svg, "mean"), "line")
    assert float(mean.get("stroke-width")) > float(inherited(svg, lines[0], "stroke-width"))
    assert num(mean, "y1") == pytest.approx(along(y_ends, 0.567), abs=0.05)
    names = [own_text(text) for text in part(svg, "names").iter("text")]
    assert names == ["Ann", "Bo", "Cy", "Mean"]
    assert [t.text for t in part(svg, "column-labels").iter("text")] == ["Before", "After"]
    assert table_rows(root) == [
        ["Ann", "40%", "70%", "+30"],
        ["Bo", "80%", "60%", "-20"],
        ["Cy", "50%", "50%", "0"],
        ["Mean", "56.7%", "60%", "+3.3"],
    ]
    legend = "".join(part(svg, "legend").itertext())
    assert "Went up: 1" in legend and "Went down: 1" in legend and "Stayed the same: 1" in legend


def test_before_after_names_are_escaped_cut_and_kept_apart(render):
    long_name = "Ninjaturtle-of-the-north" * 3
    rows = [("<script>alert(1)</script>", 50, 60), (long_name, 50, 61), ("Bo", 50, 62)]
    html = render('{{ before_after("ba", "T", "D", rows, "Before", "After", "Score") }}', rows=rows)
    check_clean(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    root = parse(html)
    svg = root.find(".//svg")
    labels = part(svg, "names").findall("text")
    drawn = [own_text(label) for label in labels]
    assert drawn[0] == "<script>alert(1)</script>"  # parsed back from its escaped form
    assert drawn[1].endswith("…") and len(drawn[1]) < len(long_name)
    assert one(labels[1], "title").text == long_name  # whole in the tooltip
    assert [row[0] for row in table_rows(root)] == [name for name, *_scores in rows]
    # Ends 1 % apart: the names are pushed apart so they do not overlap.
    baselines = sorted(num(label, "y") for label in labels)
    assert all(b - a >= charts.SMALL for a, b in pairwise(baselines))
    # The cut name stays inside the viewBox.
    box = charts.text_box(drawn[1], num(labels[1], "x"), num(labels[1], "y"), "start")
    assert box.right <= 640


def test_before_after_too_many_names_go_to_the_table(render):
    rows = [(f"Learner {n}", n, 100 - n) for n in range(40)]
    html = render('{{ before_after("ba", "T", "D", rows, "Before", "After", "Score") }}', rows=rows)
    root = parse(html)
    svg = root.find(".//svg")
    assert len(part(svg, "slopes").findall("line")) == 40
    assert not svg.findall(".//*[@data-part='names']")
    assert "table" in "".join(one(root, ".//figcaption").itertext())
    assert len(table_rows(root)) == 40


def test_before_after_missing_scores_and_empty(render):
    html = render(
        '{{ before_after("ba", "T", "D", rows, "Before", "After", "Score") }}',
        rows=[("Ann", None, 70), ("Bo", 20, 30)],
    )
    root = parse(html)
    assert len(part(root.find(".//svg"), "slopes").findall("line")) == 1
    assert table_rows(root)[0] == ["Ann", "—", "70%", "—"]
    no_mean = parse(
        render(
            '{{ before_after("ba", "T", "D", rows, "Before", "After", "Score", (none, none)) }}',
            rows=[("Bo", 20, 30)],
        )
    )
    assert no_mean.find(".//*[@data-part='mean']") is None and no_mean.find(".//tfoot") is None
    empty = parse(
        render(
            '{{ before_after("ba", "T", "D", [], "Before", "After", "Score", empty="No pairs.") }}'
        )
    )
    assert empty.find(".//svg") is None and one(empty, ".//p").text == "No pairs."


# --- 4. Item map ---------------------------------------------------------------------


def test_item_map_points_zones_and_links(render):
    html = render(
        '{{ item_map("items", "Questions", "Two questions need a look.", items,'
        ' "Facility", "Discrimination") }}',
        items=ITEMS,
    )
    check_clean(html)
    root = parse(html)
    # A chart with links is a group: links inside an image would be hidden.
    svg = check_wiring(root, "items", "Questions", "Two questions need a look.", role="group")
    check_text(svg)
    x_ends = axis(svg, "x-ticks", "0%", "100%")
    y_ends = axis(svg, "y-ticks", "-100", "100")
    points = part(svg, "points")
    # Q1 (facility 0.5, discrimination 0): mid-axis, on the zero line; it links.
    link = one(points, "a")
    assert link.get("href") == "/admin/questions/1"
    assert one(link, "title").text.startswith("Q1")
    marker = link.findall("circle")[-1]
    assert num(marker, "cx") == pytest.approx((x_ends[0] + x_ends[1]) / 2, abs=0.05)
    assert num(marker, "cy") == pytest.approx(num(part(svg, "zero"), "y1"), abs=0.05)
    assert num(marker, "cy") == pytest.approx(along(y_ends, 0.5), abs=0.05)
    # Q2 is flagged: a triangle, in another colour, centred on its point.
    triangle = one(points, ".//polygon")
    corners = [tuple(map(float, pair.split(","))) for pair in triangle.get("points").split()]
    centre_x = sum(x for x, _y in corners) / 3
    centre_y = sum(y for _x, y in corners) / 3
    assert centre_x == pytest.approx(along(x_ends, 0.1), abs=0.05)
    assert centre_y == pytest.approx(along(y_ends, (10 + 100) / 200), abs=0.05)
    assert triangle.get("fill") != marker.get("fill")
    # Q3 has no discrimination index: not plotted, but in the table.
    titles = ["".join(title.itertext()) for title in points.iter("title")]
    assert len(titles) == 3 and not any(title.startswith("Q3") for title in titles)
    assert table_rows(root) == [
        ["Q1", "50%", "0", "No"],
        ["Q2", "10%", "10", "Yes"],
        ["Q3", "95%", "—", "No"],
        ["Q4", "75%", "100", "No"],
    ]
    assert one(root, ".//table//a").get("href") == "/admin/questions/1"
    # The zones: facility under 20 %, over 90 %, and discrimination under 20.
    zones = {rect.get("data-zone"): rect for rect in part(svg, "zones").findall("rect")}
    hard, easy, weak = zones["too_hard"], zones["too_easy"], zones["weak"]
    assert num(hard, "x") == pytest.approx(x_ends[0])
    assert num(hard, "x") + num(hard, "width") == pytest.approx(along(x_ends, 0.2), abs=0.05)
    assert num(easy, "x") == pytest.approx(along(x_ends, 0.9), abs=0.05)
    assert num(easy, "x") + num(easy, "width") == pytest.approx(x_ends[1], abs=0.05)
    assert num(weak, "y") == pytest.approx(along(y_ends, 120 / 200), abs=0.05)
    assert num(weak, "y") + num(weak, "height") == pytest.approx(y_ends[0], abs=0.05)
    assert part(svg, "zones").get("fill") == "url(#items-hatch)"
    one(svg, ".//pattern[@id='items-hatch']")


def test_item_map_without_links_is_an_image_and_refuses_script_urls(render):
    items = [("<i>Q</i>", 0.5, 50, False, "javascript:alert(1)")]
    html = render('{{ item_map("m", "T", "D", items, "Facility", "Discrimination") }}', items=items)
    check_clean(html)
    assert "<i>" not in html and "&lt;i&gt;Q&lt;/i&gt;" in html
    root = parse(html)
    assert one(root, ".//svg").get("role") == "img"
    assert root.find(".//a") is None


def test_item_map_empty(render):
    root = parse(render('{{ item_map("m", "T", "D", [], "Facility", "Discrimination") }}'))
    assert root.find(".//svg") is None and root.find(".//table") is None
    # Items but none with a discrimination index: nothing drawn, the table kept.
    only_table = parse(
        render(
            '{{ item_map("m", "T", "D", items, "Facility", "Discrimination") }}',
            items=[("Q1", 0.4, None, False, None)],
        )
    )
    assert only_table.find(".//svg") is None
    assert table_rows(only_table) == [["Q1", "40%", "—", "No"]]


# --- 5. ROC curve --------------------------------------------------------------------


def test_roc_curve_points_area_and_diagonal(render):
    html = render(
        '{{ roc_curve("roc", "Telling real from fake", "Better than guessing.", points,'
        ' "Area: 0.82", "False alarms", "Hits") }}',
        points=[(0.1, 0.5), (0.3, 0.8)],
    )
    check_clean(html)
    root = parse(html)
    svg = check_wiring(root, "roc", "Telling real from fake", "Better than guessing.")
    check_text(svg)
    x_ends = axis(svg, "x-ticks", "0%", "100%")
    y_ends = axis(svg, "y-ticks", "0%", "100%")
    circles = part(svg, "points").findall("circle")
    for circle, (false_alarm, hit) in zip(circles, [(0.1, 0.5), (0.3, 0.8)], strict=True):
        assert num(circle, "cx") == pytest.approx(along(x_ends, false_alarm), abs=0.05)
        assert num(circle, "cy") == pytest.approx(along(y_ends, hit), abs=0.05)

    def corners(name):
        pairs = part(svg, name).get("points").split()
        return [tuple(float(v) for v in pair.split(",")) for pair in pairs]

    curve = corners("curve")
    # The curve runs from (0, 0) to (1, 1) even when the caller left them out.
    assert curve[0] == pytest.approx((x_ends[0], y_ends[0]))
    assert curve[-1] == pytest.approx((x_ends[1], y_ends[1]))
    assert len(curve) == 4
    # The area is the curve closed along the x axis.
    area = corners("area")
    assert area[: len(curve)] == curve
    assert area[len(curve) :] == [
        pytest.approx((x_ends[1], y_ends[0])),
        pytest.approx((x_ends[0], y_ends[0])),
    ]
    diagonal = part(svg, "diagonal")
    assert (num(diagonal, "x2"), num(diagonal, "y2")) == pytest.approx((x_ends[1], y_ends[1]))
    # The plot is square: the diagonal is the chance line at 45 degrees.
    assert x_ends[1] - x_ends[0] == pytest.approx(y_ends[0] - y_ends[1])
    assert part(svg, "auc").text == "Area: 0.82"
    assert "Area: 0.82" in "".join(one(root, ".//figcaption").itertext())
    assert table_rows(root) == [["10%", "50%"], ["30%", "80%"]]


def test_roc_curve_empty(render):
    root = parse(render('{{ roc_curve("r", "T", "D", [], "Area", "False alarms", "Hits") }}'))
    assert root.find(".//svg") is None and one(root, ".//p").text == "No data yet."


# --- All charts on one page ----------------------------------------------------------------


def test_charts_on_one_page_have_unique_ids(render):
    html = render(
        '{{ histogram("a", "T", "D", bins, "X", "Y") }}'
        '{{ calibration_curve("b", "T", "D", levels, "X", "Y") }}'
        '{{ before_after("c", "T", "D", rows, "B", "A", "Y", mean=(50, 60)) }}'
        '{{ item_map("d", "T", "D", items, "X", "Y") }}'
        '{{ item_map("e", "T", "D", items, "X", "Y") }}'
        '{{ roc_curve("f", "T", "D", points, "Area", "X", "Y") }}',
        bins=BINS,
        levels=LEVELS,
        rows=ROWS,
        items=ITEMS,
        points=ROC_POINTS,
    )
    check_clean(html)
    root = parse(html)
    ids = [element.get("id") for element in root.iter() if element.get("id")]
    assert len(ids) == len(set(ids))
    # Every reference (aria-labelledby, url(#…)) points into its own figure.
    for figure in root.iter("figure"):
        own = {element.get("id") for element in figure.iter() if element.get("id")}
        for element in figure.iter():
            for name in element.get("aria-labelledby", "").split():
                assert name in own
            for value in element.attrib.values():
                for target in re.findall(r"url\(#([^)]+)\)", value):
                    assert target in own
        check_text(figure.find(".//svg"))


# --- charts.py ------------------------------------------------------------------------


def test_score_bins_count_scores_into_tens():
    bins = charts.score_bins([0, 9, 9.5, 10, 55, 90, 99.5, 100])
    assert [label for label, _count in bins] == [
        "0–9",
        "10–19",
        "20–29",
        "30–39",
        "40–49",
        "50–59",
        "60–69",
        "70–79",
        "80–89",
        "90–100",
    ]
    assert [count for _label, count in bins] == [3, 1, 0, 0, 0, 1, 0, 0, 0, 3]
    assert charts.score_bins([]) == [(label, 0) for label, _count in bins]


def test_score_bins_other_widths():
    assert charts.score_bins([19.9, 20, 100], width=20) == [
        ("0–19", 1),
        ("20–39", 1),
        ("40–59", 0),
        ("60–79", 0),
        ("80–100", 1),
    ]
    # 30 does not divide 100: the last bin runs from 90 to 100.
    assert [label for label, _ in charts.score_bins([], width=30)][-1] == "90–100"
    assert charts.score_bins([0, 100], width=100) == [("0–100", 2)]


@pytest.mark.parametrize(
    "scores, width", [([-1], 10), ([101], 10), ([math.nan], 10), ([], 0), ([], 2.5)]
)
def test_score_bins_refuse_what_is_not_a_score(scores, width):
    with pytest.raises(ValueError):
        charts.score_bins(scores, width)


def test_nice_ticks():
    assert charts.nice_ticks(0, 7, integer=True) == [0, 2, 4, 6, 8]
    assert charts.nice_ticks(0, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1]
    assert charts.nice_ticks(0, 100) == [0, 20, 40, 60, 80, 100]
    assert charts.nice_ticks(-100, 100) == [-100, -50, 0, 50, 100]
    assert charts.nice_ticks(3, 47) == [0, 10, 20, 30, 40, 50]
    assert charts.nice_ticks(0, 0, integer=True) == [0, 1]
    assert charts.nice_ticks(0, 1, integer=True) == [0, 1]
    with pytest.raises(ValueError):
        charts.nice_ticks(0, math.inf)


@given(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.floats(1e-3, 1e6, allow_nan=False),
    st.booleans(),
)
def test_nice_ticks_cover_the_range_in_even_round_steps(low, span, integer):
    ticks = charts.nice_ticks(low, low + span, integer=integer)
    step = ticks[1] - ticks[0]
    # Within a hair: a limit a billionth of a step past a round value is not worth a tick.
    assert ticks[0] <= low + step * 1e-6 and ticks[-1] >= low + span - step * 1e-6
    gaps = [b - a for a, b in pairwise(ticks)]
    assert all(gap == pytest.approx(step, rel=1e-6, abs=1e-9) for gap in gaps)
    assert 2 <= len(ticks) <= 12
    mantissa = step / 10 ** math.floor(math.log10(step))
    # Measured between two ticks near 400,000, a step of 0.0005 carries the
    # values' rounding (ten decimals): a millionth of it, not a wrong step.
    assert any(math.isclose(mantissa, m, rel_tol=1e-5) for m in (1, 2, 5, 10)), step


def test_scale_maps_linearly_and_flips_for_y():
    x = charts.Scale(0, 1, 64, 616)
    assert (x(0), x(0.5), x(1)) == (64, 340, 616)
    y = charts.Scale(-100, 100, 440, 120)
    assert (y(-100), y(0), y(100)) == (440, 280, 120)
    assert charts.Scale(5, 5, 0, 10)(5) == 5


def test_text_width_counts_cjk_as_wide():
    assert charts.text_width("语文", 10) == 20
    assert charts.text_width("ab", 10) == pytest.approx(2 * charts.LATIN_EM * 10)
    assert charts.text_width("e\u0301", 10) == pytest.approx(charts.LATIN_EM * 10)


def test_ellipsize_and_clean_label():
    assert charts.ellipsize("Ann", 100) == "Ann"
    cut = charts.ellipsize("小明" * 20, 100)
    assert cut.endswith("…") and charts.text_width(cut) <= 100
    assert charts.ellipsize("a\u202ebc\nd", 500) == "abc d"
    assert charts.clean_label(" two\u2028lines\t ") == "two lines"


def test_label_stride_thins_until_labels_fit():
    assert charts.label_stride([0, 50, 100], [40, 40, 40]) == 1
    assert charts.label_stride([0, 30, 60, 90], [40, 40, 40, 40]) == 2
    assert charts.label_stride([], []) == 1


def test_spread_keeps_labels_apart_in_bounds_and_order():
    assert charts.spread([], 10, 0, 100) == []
    placed = charts.spread([50, 52, 51, 0, 100], 10, 0, 100)
    order = sorted(range(5), key=lambda index: [50, 52, 51, 0, 100][index])
    ordered = [placed[index] for index in order]
    assert ordered == sorted(ordered)
    assert all(b - a >= 10 - 1e-9 for a, b in pairwise(ordered))
    assert min(placed) >= 0 and max(placed) <= 100
    assert charts.spread([1] * 12, 10, 0, 100) is None


def test_place_label_avoids_taken_boxes():
    frame = charts.Frame(640, 400, 50, 50, 600, 350)
    taken = [charts.Box(90, 80, 130, 110)]
    first = charts.place_label("Label", [(100, 100, "start"), (200, 100, "start")], taken, frame)
    assert first.shown and first.x == 200
    nowhere = charts.place_label("Label", [(100, 100, "start")], taken, frame)
    assert not nowhere.shown


def test_number_formats():
    assert charts.number(3.0) == "3"
    assert charts.number(2.75, 1) == "2.8"
    assert charts.number(-0.01) == "0"
    assert charts.number(None) == "—"
    assert charts.percent(0.456) == "45.6%"
    assert charts.percent(1) == "100%"
    assert charts.percent(None) == "—"
    assert charts.signed(5) == "+5" and charts.signed(-2.5) == "-2.5" and charts.signed(0) == "0"


def test_direction_and_radius():
    assert charts.direction_of(40, 70) == "up"
    assert charts.direction_of(70, 40) == "down"
    assert charts.direction_of(50, 50.0) == "level"
    radii = [charts.radius_for(n, 100) for n in (0, 1, 25, 100)]
    assert radii == sorted(radii) and radii[-1] == charts.MAX_RADIUS
    assert charts.radius_for(0, 0) == charts.MIN_RADIUS


def test_safe_href():
    assert charts.safe_href("/admin/questions/3") == "/admin/questions/3"
    assert charts.safe_href("https://example.org/q") == "https://example.org/q"
    assert charts.safe_href("#q3") == "#q3"
    for bad in ("javascript:alert(1)", "//evil.example", "data:text/html,x", "", None):
        assert charts.safe_href(bad) is None


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("colour", [charts.BLUE, charts.ORANGE, charts.GREY])
def test_colours_pass_wcag_aa_on_white(colour):
    assert 1.05 / (relative_luminance(colour) + 0.05) >= 4.5


def test_the_calibration_marks_where_each_level_pays_off_when_told():
    levels = [
        {"label": "not sure", "stated": 0.5, "accuracy": 0.5, "answered": 2, "break_even": 0.0},
        {"label": "fairly", "stated": 0.75, "accuracy": 0.6, "answered": 5, "break_even": 2 / 3},
        {"label": "very", "stated": 0.9, "accuracy": None, "answered": 0, "break_even": 0.8},
    ]
    g = charts.calibration(levels)
    y = charts.Scale(0, 1, g.frame.bottom, g.frame.top)
    assert [(p.break_even, p.break_even_y) for p in g.plotted] == [
        (0.0, y(0.0)),
        (2 / 3, y(2 / 3)),
    ]
    assert [level.break_even for level in g.levels] == [0.0, 2 / 3, 0.8]  # the table's column
    unmarked = charts.calibration([{**level, "break_even": None} for level in levels])
    assert all(p.break_even is None and p.break_even_y is None for p in unmarked.plotted)


def test_a_learners_results_draw_the_break_even_marks(imported):
    learner, public_id = finished(imported)
    page = learner.text(f"/study/{public_id}/results")
    marks = re.search(r'<g data-part="break-even"[^>]*>(.*?)</g>', page, re.S).group(1)
    assert marks.count("<line") >= 2  # a level per confidence used: 1 and 3 at least
    assert "Pays off from" in page


def test_a_sparkline_spans_its_box_oldest_left_and_keeps_to_its_range():
    line = charts.sparkline([0, 50, 100], 0, 100)
    points = [tuple(float(v) for v in pair.split(",")) for pair in line.line.split()]
    assert [x for x, _y in points] == [charts.SPARK_PAD, 50, charts.SPARK_WIDTH - charts.SPARK_PAD]
    # Higher is better, so higher on the page (SVG's y grows downwards).
    assert (
        points[0][1] == charts.SPARK_HEIGHT - charts.SPARK_PAD and points[2][1] == charts.SPARK_PAD
    )
    assert line.last == points[-1] and line.zero_y is None
    # Certainty-based marks (−6..3): a baseline at 0, a value out of range at the edge.
    marks = charts.sparkline([-9, 3], -6, 3)
    assert marks.zero_y is not None and marks.line.startswith(
        f"{charts.SPARK_PAD},{charts.SPARK_HEIGHT - charts.SPARK_PAD}"
    )
    assert charts.sparkline([80], 0, 100) is None
    # A small fall is drawn on its own span, widened to 30 % of the range (0..30):
    # 20 → 0 takes two thirds of the height (on 0..100 it took a fifth).
    fall = charts.sparkline([20, 17, 0], 0, 100)
    ys = [float(pair.split(",")[1]) for pair in fall.line.split()]
    inner = charts.SPARK_HEIGHT - 2 * charts.SPARK_PAD
    assert ys[2] == charts.SPARK_HEIGHT - charts.SPARK_PAD and ys[2] - ys[0] == inner * 2 / 3
    flat = charts.sparkline([98, 100], 0, 100)  # near the top: the range shifts down
    ys = [float(pair.split(",")[1]) for pair in flat.line.split()]
    assert ys[1] == charts.SPARK_PAD and ys[0] - ys[1] < 2


def test_the_too_sure_label_stays_clear_of_every_level_and_under_the_diagonal():
    """All answers wrong put every level's label on the bottom edge, where
    "Too sure" once sat in the corner under "very sure"."""
    levels = [
        {"label": label, "stated": stated, "accuracy": 0.0, "answered": 3}
        for label, stated in (("not sure", 0.5), ("fairly sure", 0.73), ("very sure", 0.9))
    ]
    g = charts.calibration(levels)
    y = charts.Scale(0, 1, g.frame.bottom, g.frame.top)
    label_x, label_y = g.over_label  # the text ends there (anchored at its end)
    words = 10 * charts.SMALL * 0.6  # "Not sure enough"-sized text at most
    assert all(label_x < p.placement.x - words / 2 for p in g.plotted)  # labels centred on points
    assert all(label_x < p.x - p.radius for p in g.plotted)
    # Its top left corner (where the diagonal is lowest along it) is under the diagonal.
    left_share = (label_x - words - g.frame.left) / (g.frame.right - g.frame.left)
    assert label_y - charts.SMALL > y(max(left_share, 0.0))
