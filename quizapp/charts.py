"""Geometry of the learning-report charts: scales, ticks, bins and coordinates.

The Jinja macros in ``templates/_charts.html`` draw SVG; every number they
draw with comes from here, so the arithmetic is plain Python that tests can
check without a browser. Nothing here knows about Flask except
:func:`init_app`, which makes this module the template global
``chart_geometry``.

Conventions:

- Every chart is drawn in a viewBox :data:`WIDTH` units wide. The SVG is
  scaled to its container, so a unit is about half a pixel on a 360 px phone:
  text is never smaller than :data:`SMALL` units.
- SVG's y axis points down. A :class:`Scale` maps data values to user units,
  so a y scale simply runs from the plot's bottom to its top.
- Text widths are estimated (no fonts on the server): a CJK character is one
  em wide, anything else :data:`LATIN_EM` of an em. The estimate errs wide,
  so labels that are thinned or cut by it do not overlap in a browser.
- Fractions (0..1) are shown as whole percentages on axes; tables give one
  decimal where the value has one.
"""

from __future__ import annotations

import math
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

#: The width of every chart's viewBox, in user units.
WIDTH = 640
#: Font sizes, in user units: tick and point labels, axis titles, highlights.
SMALL = 14
TEXT = 15
BIG = 17
#: An estimated width of a non-CJK character, in ems (generous: capitals and digits).
LATIN_EM = 0.62
#: The least space between two labels on one axis.
LABEL_GAP = 6

#: Colours that pass WCAG AA (4.5:1) on white and stay apart for colour-blind
#: readers. Meaning is always carried by shape, dash pattern or text as well.
BLUE = "#1f5fa8"
ORANGE = "#b35900"
GREY = "#5a6272"
#: Grid lines only: decoration, not information.
GRID = "#d5d9e0"

#: Dash patterns of the before/after slopes: up solid, down dashed, level dotted.
DASHES = {"up": "none", "down": "9 5", "level": "2 5"}
SLOPE_COLOURS = {"up": BLUE, "down": ORANGE, "level": GREY}

#: The "look at these" limits of the item map (Moodle's usual rules of thumb).
TOO_HARD_BELOW = 0.2
TOO_EASY_ABOVE = 0.9
WEAK_DISCRIMINATION_BELOW = 20

PERCENT_TICKS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
#: The item map's y ticks: the usual ones, and the "weak discrimination" limit.
DISCRIMINATION_TICKS = (-100, -50, 0, WEAK_DISCRIMINATION_BELOW, 50, 100)


# --- Numbers shown as text --------------------------------------------------


def number(value: float | None, digits: int = 1) -> str:
    """``value`` with at most ``digits`` decimals, no trailing zeros; "—" for None."""
    if value is None:
        return "—"
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def percent(fraction: float | None, digits: int = 1) -> str:
    """A fraction (0..1) as a percentage: ``0.456`` gives ``"45.6%"``; "—" for None."""
    return "—" if fraction is None else number(fraction * 100, digits) + "%"


def signed(value: float | None, digits: int = 1) -> str:
    """A change with its sign: ``"+5"``, ``"-2.5"``, ``"0"``; "—" for None."""
    if value is None:
        return "—"
    text = number(value, digits)
    return text if text.startswith("-") or text == "0" else "+" + text


# --- Text ----------------------------------------------------------------


def text_width(text: str, size: float = TEXT) -> float:
    """An estimate, on the wide side, of the width of ``text`` at font ``size``."""
    ems = 0.0
    for char in text:
        if unicodedata.combining(char):
            continue
        ems += 1.0 if unicodedata.east_asian_width(char) in ("W", "F") else LATIN_EM
    return ems * size


def clean_label(text: str) -> str:
    """``text`` on one line, without control or direction characters.

    Nicknames are typed by learners: a right-to-left override or a newline
    would scramble an SVG label (the table shows the name as typed).
    """
    kept = []
    for char in str(text):
        category = unicodedata.category(char)
        if category in ("Zl", "Zp") or char in "\t\n\r":
            kept.append(" ")
        elif category not in ("Cc", "Cf"):
            kept.append(char)
    return " ".join("".join(kept).split())


def ellipsize(text: str, max_width: float, size: float = TEXT) -> str:
    """``text`` cut with "…" so its estimated width is at most ``max_width``."""
    text = clean_label(text)
    if text_width(text, size) <= max_width:
        return text
    budget = max_width - text_width("…", size)
    kept: list[str] = []
    used = 0.0
    for char in text:
        used += text_width(char, size)
        if used > budget:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


# --- Scales and ticks ----------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """A linear map from data values (``low``..``high``) to user units (``start``..``end``)."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        if self.high == self.low:
            return round((self.start + self.end) / 2, 2)
        share = (value - self.low) / (self.high - self.low)
        return round(self.start + share * (self.end - self.start), 2)


@dataclass(frozen=True)
class Tick:
    """A tick on an axis: its value, position (x or y) and label; ``shown`` if labelled."""

    value: float
    position: float
    label: str
    shown: bool = True


def nice_step(span: float, target: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``target`` steps."""
    raw = span / max(target, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        step = multiple * magnitude
        if step >= raw * (1 - 1e-9):
            return step
    return 10 * magnitude  # pragma: no cover  (the loop always returns)


def nice_ticks(low: float, high: float, target: int = 5, integer: bool = False) -> list[float]:
    """Round tick values covering ``low``..``high`` (both included), about ``target`` steps.

    With ``integer`` (counts), the step is a whole number.
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("ticks need finite limits")
    low, high = min(low, high), max(low, high)
    if high == low:
        high = low + 1
    step = nice_step(high - low, target)
    if integer:
        step = max(1, math.ceil(step))
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    count = round((last - first) / step)
    return [_tidy(first + index * step) for index in range(count + 1)]


def _tidy(value: float) -> float:
    """Drop the float dust of repeated addition (0.30000000000000004)."""
    return round(value, 10) + 0.0


def label_stride(
    positions: Sequence[float], widths: Sequence[float], gap: float = LABEL_GAP
) -> int:
    """The smallest k such that labelling every k-th position leaves no overlap.

    ``widths`` are the labels' extents along the axis (their widths on an x
    axis, their heights on a y axis), centred on their positions.
    """
    count = len(positions)
    for stride in range(1, count + 1):
        if all(
            abs(positions[b] - positions[a]) >= (widths[a] + widths[b]) / 2 + gap
            for a, b in pairwise(range(0, count, stride))
        ):
            return stride
    return max(count, 1)


def x_ticks(values: Sequence[float], scale: Scale, labels: Sequence[str]) -> list[Tick]:
    """Ticks along an x axis; labels thinned to every k-th so none overlap."""
    positions = [scale(value) for value in values]
    stride = label_stride(positions, [text_width(label, SMALL) for label in labels])
    return _ticks(values, positions, labels, stride)


def y_ticks(values: Sequence[float], scale: Scale, labels: Sequence[str]) -> list[Tick]:
    """Ticks along a y axis; labels thinned to every k-th so none overlap."""
    positions = [scale(value) for value in values]
    stride = label_stride(positions, [SMALL] * len(values), gap=2)
    return _ticks(values, positions, labels, stride)


def _ticks(
    values: Sequence[float], positions: Sequence[float], labels: Sequence[str], stride: int
) -> list[Tick]:
    rows = zip(values, positions, labels, strict=True)
    return [Tick(*row, shown=index % stride == 0) for index, row in enumerate(rows)]


def percent_ticks(scale: Scale, along_x: bool) -> list[Tick]:
    """Ticks at 0, 20, …, 100 % of a 0..1 scale."""
    labels = [percent(value, 0) for value in PERCENT_TICKS]
    build = x_ticks if along_x else y_ticks
    return build(PERCENT_TICKS, scale, labels)


# --- The frame of a chart ----------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """A chart's viewBox and its plot area (``left``..``right``, ``top``..``bottom``)."""

    width: float
    height: float
    left: float
    top: float
    right: float
    bottom: float
    #: How far above the plot the y axis title sits (its baseline).
    title_gap: float = 12

    @property
    def view_box(self) -> str:
        return f"0 0 {number(self.width)} {number(self.height)}"

    @property
    def centre(self) -> float:
        """The middle of the plot, across: where the x axis title goes."""
        return round((self.left + self.right) / 2, 2)

    @property
    def x_title_y(self) -> float:
        """The baseline of the x axis title, under the tick labels."""
        return self.height - 10

    @property
    def tick_label_y(self) -> float:
        """The baseline of the x axis tick labels."""
        return self.bottom + SMALL + 8

    @property
    def y_title_y(self) -> float:
        """The baseline of the y axis title, written across above the plot."""
        return self.top - self.title_gap

    @property
    def y_title_x(self) -> float:
        """Where the y axis title starts: over the tick labels."""
        return max(8, self.left - 48)


def _clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return min(max(value, low), high)


def _field(entry: Any, name: str) -> Any:
    """A field of a dict or an object (the calibration levels may be either)."""
    if isinstance(entry, Mapping):
        return entry.get(name)
    return getattr(entry, name, None)


@dataclass(frozen=True)
class Box:
    """A label's estimated extent, to keep labels apart."""

    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box) -> bool:
        return not (
            self.right <= other.left
            or other.right <= self.left
            or self.bottom <= other.top
            or other.bottom <= self.top
        )

    def inside(self, frame: Frame) -> bool:
        """Within the plot area: clear of the axes' labels and titles."""
        return (
            self.left >= frame.left
            and self.top >= frame.top
            and self.right <= frame.right
            and self.bottom <= frame.bottom
        )


def text_box(text: str, x: float, baseline: float, anchor: str, size: float = SMALL) -> Box:
    """The estimated box of a text drawn at (``x``, ``baseline``) with ``anchor``."""
    width = text_width(text, size)
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return Box(left, baseline - size, left + width, baseline + size * 0.25)


@dataclass(frozen=True)
class Placement:
    """Where a point's label goes; ``shown`` is False when it fits nowhere."""

    x: float
    y: float
    anchor: str
    shown: bool


def place_label(
    text: str, candidates: Sequence[tuple[float, float, str]], taken: list[Box], frame: Frame
) -> Placement:
    """The first candidate (x, baseline, anchor) where ``text`` is inside the plot and
    overlaps no ``taken`` box.

    The chosen box is added to ``taken``. A label that fits nowhere is not
    drawn: the table under the chart gives every value.
    """
    for x, baseline, anchor in candidates:
        box = text_box(text, x, baseline, anchor)
        if box.inside(frame) and not any(box.overlaps(other) for other in taken):
            taken.append(box)
            return Placement(round(x, 2), round(baseline, 2), anchor, True)
    x, baseline, anchor = candidates[0]
    return Placement(x, baseline, anchor, False)


def spread(targets: Sequence[float], gap: float, low: float, high: float) -> list[float] | None:
    """Positions near ``targets``, at least ``gap`` apart, within ``low``..``high``.

    Used to stack the names at the right end of the before/after slopes. None
    when that many names cannot fit.
    """
    count = len(targets)
    if count == 0:
        return []
    if (count - 1) * gap > high - low:
        return None
    order = sorted(range(count), key=lambda index: targets[index])
    placed = [targets[index] for index in order]
    placed[0] = max(placed[0], low)
    for k in range(1, count):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    placed[-1] = min(placed[-1], high)
    for k in range(count - 2, -1, -1):
        placed[k] = min(placed[k], placed[k + 1] - gap)
    result = [0.0] * count
    for k, index in enumerate(order):
        result[index] = round(placed[k], 2)
    return result


def polyline(points: Iterable[tuple[float, float]]) -> str:
    """SVG ``points`` text: ``"x,y x,y …"``."""
    return " ".join(f"{number(x, 2)},{number(y, 2)}" for x, y in points)


# --- 1. Score distribution ---------------------------------------------------------


def score_bins(scores: Iterable[float], width: int = 10) -> list[tuple[str, int]]:
    """Scores (0..100) counted in bins ``width`` wide: "0–9", "10–19", …, "90–100".

    A bin holds the scores from its start up to (not including) the next
    bin's start; the last bin also holds 100. The labels name whole numbers,
    as scores usually are.
    """
    if not isinstance(width, int) or not 1 <= width <= 100:
        raise ValueError("the bin width is a whole number from 1 to 100")
    starts = list(range(0, 100, width))
    counts = [0] * len(starts)
    for score in scores:
        if not (isinstance(score, int | float) and 0 <= score <= 100):
            raise ValueError(f"a score is a number from 0 to 100, not {score!r}")
        counts[min(int(score // width), len(starts) - 1)] += 1
    labels = [f"{start}–{start + width - 1}" for start in starts[:-1]]
    last = starts[-1]
    labels.append(f"{last}–100" if last < 100 else "100")
    return list(zip(labels, counts, strict=True))


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float
    centre: float


@dataclass(frozen=True)
class Histogram:
    frame: Frame
    bars: tuple[Bar, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    #: The counts are written above the bars only when every one fits.
    show_counts: bool


def histogram(bins: Sequence[tuple[str, int]]) -> Histogram:
    """Bars for ``bins`` of (label, count); bar heights proportional to the counts."""
    # The y axis title goes higher than usual: the counts are written over the bars.
    frame = Frame(WIDTH, 360, 56, 56, WIDTH - 16, 300, title_gap=30)
    counts = [int(count) for _label, count in bins]
    tick_values = nice_ticks(0, max(counts, default=0) or 1, integer=True)
    y = Scale(0, tick_values[-1], frame.bottom, frame.top)
    slot = (frame.right - frame.left) / max(len(bins), 1)
    bars = []
    for index, (label, count) in enumerate(zip([str(b[0]) for b in bins], counts, strict=True)):
        top = y(count)
        bars.append(
            Bar(
                label=label,
                count=count,
                x=round(frame.left + index * slot + slot * 0.1, 2),
                y=top,
                width=round(slot * 0.8, 2),
                height=round(frame.bottom - top, 2),
                centre=round(frame.left + (index + 0.5) * slot, 2),
            )
        )
    label_ticks = x_ticks(
        [index + 0.5 for index in range(len(bars))],
        Scale(0, len(bars), frame.left, frame.right),
        [bar.label for bar in bars],
    )
    counts_fit = all(text_width(str(bar.count), SMALL) <= slot - 2 for bar in bars)
    return Histogram(
        frame=frame,
        bars=tuple(bars),
        x_ticks=tuple(label_ticks),
        y_ticks=tuple(y_ticks(tick_values, y, [number(v, 0) for v in tick_values])),
        show_counts=counts_fit,
    )


# --- 2. Calibration -----------------------------------------------------------------


@dataclass(frozen=True)
class LevelPoint:
    label: str
    stated: float
    accuracy: float | None
    answered: int
    #: Only for levels with an accuracy (the others are in the table only).
    x: float | None = None
    y: float | None = None
    radius: float | None = None
    placement: Placement | None = None
    #: The share right from which the level pays off (certainty-based
    #: marks), and where its mark is drawn; None when not given.
    break_even: float | None = None
    break_even_y: float | None = None


@dataclass(frozen=True)
class Calibration:
    frame: Frame
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    diagonal: tuple[float, float, float, float]
    #: Every level, in the caller's order (the table).
    levels: tuple[LevelPoint, ...]
    #: The levels with an accuracy, by stated probability (the plot).
    plotted: tuple[LevelPoint, ...]
    line: str
    #: Where the "too sure" and "not sure enough" halves are named.
    over_label: tuple[float, float]
    under_label: tuple[float, float]


MIN_RADIUS = 5.0
MAX_RADIUS = 14.0


def radius_for(answered: int, most: int) -> float:
    """A point's radius: its AREA grows with the number of answers behind it."""
    if most <= 0 or answered <= 0:
        return MIN_RADIUS
    return round(MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(answered / most), 2)


def calibration(levels: Iterable[Any]) -> Calibration:
    """Points at (stated probability, accuracy) for each confidence level, and the diagonal."""
    frame = Frame(WIDTH, 500, 64, 96, WIDTH - 24, 430)
    x = Scale(0, 1, frame.left, frame.right)
    y = Scale(0, 1, frame.bottom, frame.top)
    levels = list(levels)
    entries = [
        (
            clean_label(_field(level, "label") or ""),
            float(_field(level, "stated")),
            _field(level, "accuracy"),
            int(_field(level, "answered") or 0),
        )
        for level in levels
    ]
    break_even = {
        entry[1]: _field(level, "break_even") for entry, level in zip(entries, levels, strict=True)
    }
    most = max((answered for *_rest, answered in entries), default=0)
    table = tuple(LevelPoint(*entry, break_even=break_even[entry[1]]) for entry in entries)
    taken: list[Box] = []
    plotted = []
    for label, stated, accuracy, answered in sorted(
        (entry for entry in entries if entry[2] is not None), key=lambda entry: entry[1]
    ):
        px, py = x(_clamp(stated)), y(_clamp(float(accuracy)))
        r = radius_for(answered, most)
        # The point itself is kept clear of later labels.
        taken.append(Box(px - r, py - r, px + r, py + r))
        plotted.append((label, stated, float(accuracy), answered, px, py, r))
    points = []
    for label, stated, accuracy, answered, px, py, r in plotted:
        placement = place_label(
            label,
            [
                (px, py - r - 6, "middle"),
                (px, py + r + SMALL + 4, "middle"),
                (px + r + 6, py + SMALL * 0.35, "start"),
                (px - r - 6, py + SMALL * 0.35, "end"),
            ],
            taken,
            frame,
        )
        mark = break_even[stated]
        points.append(
            LevelPoint(
                label,
                stated,
                accuracy,
                answered,
                px,
                py,
                r,
                placement,
                mark,
                None if mark is None else y(_clamp(float(mark))),
            )
        )
    return Calibration(
        frame=frame,
        x_ticks=tuple(percent_ticks(x, along_x=True)),
        y_ticks=tuple(percent_ticks(y, along_x=False)),
        diagonal=(x(0), y(0), x(1), y(1)),
        levels=table,
        plotted=tuple(points),
        line=polyline((point.x, point.y) for point in points),
        # "Too sure" ends left of the lowest confidence level (stated at 50 %):
        # in the corner it met "very sure" when those answers were all wrong.
        over_label=(x(0.42), frame.bottom - 12),
        under_label=(frame.left + 8, frame.top + 20),
    )


# --- 3. Before and after --------------------------------------------------------------


@dataclass(frozen=True)
class Slope:
    name: str
    before: float | None
    after: float | None
    #: after - before, in percentage points; None when either is missing.
    change: float | None
    #: "up", "down" or "level"; None when not drawn.
    direction: str | None = None
    x1: float = 0.0
    y1: float = 0.0
    x2: float = 0.0
    y2: float = 0.0
    colour: str = GREY
    dash: str = "none"
    #: The name as drawn (cut with "…" when long), and its baseline; None when not drawn.
    short_name: str = ""
    label_y: float | None = None


@dataclass(frozen=True)
class BeforeAfter:
    frame: Frame
    y_ticks: tuple[Tick, ...]
    before_x: float
    after_x: float
    name_x: float
    #: Every row, in the caller's order (the table).
    rows: tuple[Slope, ...]
    #: The rows drawn: both values known.
    slopes: tuple[Slope, ...]
    mean: Slope | None
    counts: Mapping[str, int]
    #: False when there are too many names to write beside the slopes.
    names_shown: bool


def direction_of(before: float, after: float) -> str:
    """ "up", "down" or "level" (exactly equal scores)."""
    if math.isclose(before, after, abs_tol=1e-9):
        return "level"
    return "up" if after > before else "down"


def before_after(
    rows: Iterable[tuple[str, float | None, float | None]],
    mean: tuple[float | None, float | None] | None = None,
) -> BeforeAfter:
    """A slope per learner from the "before" score to the "after" score (percent)."""
    before_x, after_x = 140.0, 380.0
    # The plot ends at the "after" column; the names are written beyond it.
    frame = Frame(WIDTH, 430, 64, 90, after_x, 390)
    name_x = after_x + 14
    name_width = frame.width - name_x - 4
    y = Scale(0, 100, frame.bottom, frame.top)

    def slope(name: str, before: float | None, after: float | None) -> Slope:
        if before is None or after is None:
            return Slope(name, before, after, None)
        way = direction_of(before, after)
        return Slope(
            name=name,
            before=before,
            after=after,
            change=after - before,
            direction=way,
            x1=before_x,
            y1=y(_clamp(before, 0, 100)),
            x2=after_x,
            y2=y(_clamp(after, 0, 100)),
            colour=SLOPE_COLOURS[way],
            dash=DASHES[way],
            short_name=ellipsize(name, name_width, SMALL),
        )

    table = tuple(slope(str(name), before, after) for name, before, after in rows)
    drawn = [row for row in table if row.direction is not None]
    # A mean with a missing side (no pairs yet) is not drawn.
    has_mean = mean is not None and None not in mean
    mean_slope = slope("", *mean) if has_mean else None
    ends = [row.y2 for row in drawn] + ([mean_slope.y2] if mean_slope else [])
    # Names are centred on their line's end, SMALL + 3 apart, and drawn on their baseline.
    centres = spread(ends, SMALL + 3, frame.top, frame.bottom)
    names_shown = centres is not None
    if centres is not None:
        baselines = [round(centre + SMALL * 0.35, 2) for centre in centres]
        drawn = [
            replace(row, label_y=baseline) for row, baseline in zip(drawn, baselines, strict=False)
        ]
        if mean_slope is not None:
            mean_slope = replace(mean_slope, label_y=baselines[-1])
    counts = {way: sum(1 for row in drawn if row.direction == way) for way in DASHES}
    return BeforeAfter(
        frame=frame,
        y_ticks=tuple(
            y_ticks(list(range(0, 101, 20)), y, [f"{value}%" for value in range(0, 101, 20)])
        ),
        before_x=before_x,
        after_x=after_x,
        name_x=name_x,
        rows=table,
        slopes=tuple(drawn),
        mean=mean_slope,
        counts=counts,
        names_shown=names_shown,
    )


# --- 4. Item map ---------------------------------------------------------------------


@dataclass(frozen=True)
class ItemPoint:
    label: str
    facility: float | None
    discrimination: float | None
    flagged: bool
    href: str | None
    #: Only for items with both numbers (the others are in the table only).
    x: float | None = None
    y: float | None = None
    #: A flagged item is a triangle: its corners.
    triangle: str | None = None
    #: The label as drawn (cut with "…" when long), and where.
    short_label: str = ""
    placement: Placement | None = None


@dataclass(frozen=True)
class Zone:
    kind: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class ItemMap:
    frame: Frame
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    zones: tuple[Zone, ...]
    #: Every item, in the caller's order (the table).
    items: tuple[ItemPoint, ...]
    plotted: tuple[ItemPoint, ...]
    #: y of the zero line (discrimination 0).
    zero_y: float
    flagged_count: int


POINT_RADIUS = 6.0
#: A flagged item's triangle: about as much ink as the circle, a little more.
TRIANGLE = ((0.0, -9.0), (8.0, 4.5), (-8.0, 4.5))
#: The label text of an item is at most this wide in the plot.
ITEM_LABEL_WIDTH = 90.0


def _zone(kind: str, left: float, top: float, right: float, bottom: float) -> Zone:
    return Zone(kind, left, top, round(right - left, 2), round(bottom - top, 2))


def safe_href(href: str | None) -> str | None:
    """``href`` if it is a link within the site or to an http(s) address, else None.

    Autoescaping keeps the attribute closed, but not a ``javascript:`` URL out.
    """
    if not href:
        return None
    href = str(href)
    if href.startswith(("http://", "https://", "#", "?")) or (
        href.startswith("/") and not href.startswith("//")
    ):
        return href
    return None


def triangle_points(x: float, y: float) -> str:
    return polyline((x + dx, y + dy) for dx, dy in TRIANGLE)


def item_map(items: Iterable[tuple[str, float | None, float | None, bool, str | None]]) -> ItemMap:
    """A point per item at (facility, discrimination index), and the "look at these" zones."""
    frame = Frame(WIDTH, 500, 64, 120, WIDTH - 24, 440, title_gap=30)
    x = Scale(0, 1, frame.left, frame.right)
    y = Scale(-100, 100, frame.bottom, frame.top)
    zones = (
        _zone("too_hard", frame.left, frame.top, x(TOO_HARD_BELOW), frame.bottom),
        _zone("too_easy", x(TOO_EASY_ABOVE), frame.top, frame.right, frame.bottom),
        _zone("weak", frame.left, y(WEAK_DISCRIMINATION_BELOW), frame.right, frame.bottom),
    )
    points = [_item_point(entry, x, y) for entry in items]
    # Every point keeps a little room free, so no label hides a point.
    taken = [
        Box(point.x - 9, point.y - 9, point.x + 9, point.y + 9)
        for point in points
        if point.x is not None
    ]
    for index, point in enumerate(points):
        if point.x is None:
            continue
        short = ellipsize(point.label, ITEM_LABEL_WIDTH, SMALL)
        placement = place_label(
            short,
            [
                (point.x + 11, point.y + SMALL * 0.35, "start"),
                (point.x - 11, point.y + SMALL * 0.35, "end"),
                (point.x, point.y - 13, "middle"),
                (point.x, point.y + SMALL + 11, "middle"),
            ],
            taken,
            frame,
        )
        points[index] = replace(point, short_label=short, placement=placement)
    plotted = tuple(point for point in points if point.x is not None)
    return ItemMap(
        frame=frame,
        x_ticks=tuple(percent_ticks(x, along_x=True)),
        y_ticks=tuple(y_ticks(DISCRIMINATION_TICKS, y, [str(v) for v in DISCRIMINATION_TICKS])),
        zones=zones,
        items=tuple(points),
        plotted=plotted,
        zero_y=y(0),
        flagged_count=sum(1 for point in plotted if point.flagged),
    )


def _item_point(entry: Sequence[Any], x: Scale, y: Scale) -> ItemPoint:
    """An item's point; without a facility or a discrimination index, it is not plotted."""
    label, facility, discrimination, flagged, href = entry
    label, flagged, link = str(label), bool(flagged), safe_href(href)
    if facility is None or discrimination is None:
        return ItemPoint(label, facility, discrimination, flagged, link)
    px = x(_clamp(float(facility)))
    py = y(_clamp(float(discrimination), -100, 100))
    triangle = triangle_points(px, py) if flagged else None
    return ItemPoint(label, float(facility), float(discrimination), flagged, link, px, py, triangle)


# --- 5. ROC curve ------------------------------------------------------------------------


@dataclass(frozen=True)
class RocPoint:
    false_alarm: float
    hit: float
    x: float
    y: float


@dataclass(frozen=True)
class Roc:
    frame: Frame
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    points: tuple[RocPoint, ...]
    #: The curve from (0, 0) to (1, 1) through the points.
    curve: str
    #: The area under the curve, closed along the x axis.
    area: str
    diagonal: tuple[float, float, float, float]
    auc_label_at: tuple[float, float]


def roc(points: Iterable[tuple[float, float]]) -> Roc:
    """The ROC curve through (false-alarm rate, hit rate) points, on a square plot."""
    frame = Frame(WIDTH, 540, 140, 80, 540, 480)
    x = Scale(0, 1, frame.left, frame.right)
    y = Scale(0, 1, frame.bottom, frame.top)
    given = [
        RocPoint(float(fa), float(hit), x(_clamp(float(fa))), y(_clamp(float(hit))))
        for fa, hit in points
    ]
    path = [(point.x, point.y) for point in given]
    if not path or path[0] != (x(0), y(0)):
        path.insert(0, (x(0), y(0)))
    if path[-1] != (x(1), y(1)):
        path.append((x(1), y(1)))
    return Roc(
        frame=frame,
        x_ticks=tuple(percent_ticks(x, along_x=True)),
        y_ticks=tuple(percent_ticks(y, along_x=False)),
        points=tuple(given),
        curve=polyline(path),
        area=polyline([*path, (x(1), y(0)), (x(0), y(0))]),
        diagonal=(x(0), y(0), x(1), y(1)),
        auc_label_at=(x(0.7), y(0.12)),
    )


# --- 7. Sparklines: a trend beside its figures ---------------------------------------

#: A sparkline's box (user units; the CSS sets its size beside the text).
SPARK_WIDTH = 100
SPARK_HEIGHT = 24
SPARK_PAD = 3


@dataclass(frozen=True)
class Sparkline:
    """A small line of a few values, oldest first, on a fixed range: the
    picture of a trend whose figures are written beside it."""

    line: str
    last: tuple[float, float]
    #: The y of the range's zero where it is inside (a baseline), else None.
    zero_y: float | None
    view_box: str = f"0 0 {SPARK_WIDTH} {SPARK_HEIGHT}"


#: The least part of a sparkline's range its box shows: a fall from 20 to
#: 0 % is plain to see, and a change of a point or two does not look steep.
SPARK_LEAST_SPAN = 0.3


def sparkline(values: Sequence[float], low: float, high: float) -> Sparkline | None:
    """The sparkline of ``values`` within the range ``low``..``high`` (values
    outside it are drawn at its edge): the box shows the values' own span,
    widened to at least :data:`SPARK_LEAST_SPAN` of the range and kept
    inside it. None for fewer than two values."""
    if len(values) < 2 or high <= low:
        return None
    kept = [min(max(value, low), high) for value in values]
    least = SPARK_LEAST_SPAN * (high - low)
    bottom, top = min(kept), max(kept)
    if top - bottom < least:
        middle = (bottom + top) / 2
        bottom, top = middle - least / 2, middle + least / 2
        shift = max(0.0, low - bottom) - max(0.0, top - high)
        bottom, top = bottom + shift, top + shift
    x = Scale(0, len(values) - 1, SPARK_PAD, SPARK_WIDTH - SPARK_PAD)
    y = Scale(bottom, top, SPARK_HEIGHT - SPARK_PAD, SPARK_PAD)
    points = [(x(i), y(value)) for i, value in enumerate(kept)]
    zero = y(0) if bottom < 0 < top else None
    return Sparkline(polyline(points), points[-1], None if zero is None else round(zero, 2))


# --- Wiring ----------------------------------------------------------------------------


def init_app(app) -> None:
    """Make this module the template global ``chart_geometry`` (used by ``_charts.html``)."""
    app.jinja_env.globals["chart_geometry"] = sys.modules[__name__]
