"""The source catalogue and the display layout of the copies."""

import shutil

import pytest

from quizapp.domain.display import lay_out
from quizapp.domain.sources import load_catalog
from tests.conftest import SEEDS


def visible(region) -> list[str]:
    return ["".join(span.text for span in paragraph.spans) for paragraph in region.paragraphs]


def test_the_catalogue_lists_all_five_seed_files(catalog):
    assert sorted(doc.file for doc in catalog.docs.values()) == sorted(
        path.name for path in SEEDS.glob("*.txt")
    )


@pytest.fixture
def seeds_copy(tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


def test_a_changed_seed_file_is_refused(seeds_copy):
    target = seeds_copy / "000_26dd7c6b29672394.txt"
    target.write_bytes(target.read_bytes().replace("安危".encode(), "安全".encode(), 1))
    _, problems = load_catalog(seeds_copy, 1 << 20)
    assert len(problems) == 1
    assert "sources[0].sha256: 000_26dd7c6b29672394.txt has changed" in problems[0].message
    assert problems[0].file.endswith("sources.yaml") and problems[0].line == 8


def test_an_article_boundary_that_is_not_unique_is_refused(seeds_copy):
    catalogue = seeds_copy / "sources.yaml"
    text = catalogue.read_text(encoding="utf-8")
    catalogue.write_text(
        text.replace(
            "article_end: {exact: 在数据要素市场繁荣和数据安危之间找平衡。}",
            "article_end: {exact: 盘和林}",
        ),
        encoding="utf-8",
    )
    _, problems = load_catalog(seeds_copy, 1 << 20)
    assert any("display.article_end.exact: quote found" in p.message for p in problems)


def test_a_missing_seed_file_is_refused(seeds_copy):
    (seeds_copy / "004_dd3fdb8d90d2e9cb.txt").unlink()
    _, problems = load_catalog(seeds_copy, 1 << 20)
    assert [p.message for p in problems] == [f"sources[4].file: no such file in {seeds_copy}"]


def layout(catalog, doc_id, passages=None):
    doc = catalog.get(doc_id)
    return doc, lay_out(doc.text, doc.display, passages or {})


def test_scraper_noise_is_hidden_but_the_sentences_it_was_glued_to_stay(catalog):
    _, shown = layout(catalog, "aitechreview-2024-03")
    article = visible(shown.region("article"))
    assert shown.hidden_noise > 100
    assert not any("H+ y5" in p or "p6 a" in p for p in article)
    assert any(p.startswith("Sora 冲击之下,无论是做技术还是做产品") for p in article)
    assert any(p.endswith("并声称会迎来行业洗牌。") for p in article)
    assert any(p.startswith("60 秒的视频长度") for p in article)


def test_sentences_broken_across_blank_lines_are_rejoined(catalog):
    _, shown = layout(catalog, "qingnianbao-2024")
    assert any(
        "两个字符之间没有模态意义上的连续\n\n性" not in p and "连续性。" in p.replace("\n", "")
        for p in visible(shown.region("article"))
    )
    assert "将改变影视传媒等行业" in visible(shown.region("article"))  # a heading stays alone


def test_unrelated_trailing_headlines_are_outside_the_article(catalog):
    _, shown = layout(catalog, "nandu-2024-02-20")
    assert visible(shown.region("article"))[-1] == "采写:实习生 陈奕帆 南都记者 吕虹"
    assert any("2026-03-07" in p for p in visible(shown.region("after")))


def test_cited_passages_are_cut_into_marked_spans(catalog):
    doc = catalog.get("21jingji-2024-02")
    start = doc.text.index("左右混淆")
    _, shown = layout(
        catalog, "21jingji-2024-02", {7: (start, start + 4), 8: (start + 2, start + 9)}
    )
    spans = [s for p in shown.region("article").paragraphs for s in p.spans if s.passages]
    assert [(s.text, s.passages) for s in spans] == [
        ("左右", (7,)),
        ("混淆", (7, 8)),
        (",人类在朝", (8,)),
    ]
    assert shown.region("article").passages == {7, 8}


def test_noise_inside_a_cited_passage_stays_visible(catalog):
    doc = catalog.get("aitechreview-2024-03")
    start = doc.text.index("9 H+ y5")
    _, shown = layout(catalog, "aitechreview-2024-03", {1: (start, start + 21)})
    assert any("9 H+ y5" in p for p in visible(shown.region("before")))
    assert shown.region("before").passages == {1}
