"""The brief's HTML in a real browser: Debian's Chromium driven by Playwright (its own browser download
cannot work offline). Skipped where Chromium or Playwright is missing, except under CI
(``BRIEF_REQUIRE_BROWSER=1``, set by ``.ci/run``, which installs them): there a missing browser fails."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import regex
from fake_translators import WordFake
from test_brief import SAMPLE, summarise_by_hand

from pipeline.brief import Brief
from pipeline.run import RunContext, run_document

CHROMIUM = os.environ.get("BRIEF_CHROMIUM", "/usr/bin/chromium")


def _need(what: str) -> None:
    if os.environ.get("BRIEF_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{what} is required here (BRIEF_REQUIRE_BROWSER=1); .ci/run installs it")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need("playwright (pip)")
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        _need(f"Chromium ({CHROMIUM}; apt-get install chromium fonts-noto-cjk)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def brief_page(browser, tmp_path_factory):
    document = run_document(SAMPLE.read_text(encoding="utf-8"), RunContext(translator=WordFake()),
                            stages=("translate", "figures"))
    document.path = str(SAMPLE)
    brief = Brief.from_document(summarise_by_hand(document))
    path = tmp_path_factory.mktemp("html") / "sample.brief.html"
    path.write_text(brief.to_html(), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    yield brief, page, requests, path
    page.close()


def test_nothing_is_fetched_but_the_file(brief_page):
    _, _, requests, path = brief_page
    assert requests == [path.as_uri()]


def test_both_columns_render(brief_page):
    brief, page, _, _ = brief_page
    rows = page.locator("table.parallel tbody tr")
    headings = sum(1 for s in brief.sections if s.heading_zh)
    assert rows.count() == len(brief.front) + sum(len(s.units) for s in brief.sections) + headings
    for index in (0, rows.count() // 2, rows.count() - 1):
        zh, en = rows.nth(index).locator('td[lang="zh-Hans"]'), rows.nth(index).locator('td[lang="en"]')
        assert zh.is_visible() and en.is_visible()
        assert zh.inner_text().strip() and en.inner_text().strip()
        # Side by side: the English column starts to the right of the Chinese one, on the same row.
        zh_box, en_box = zh.bounding_box(), en.bounding_box()
        assert en_box["x"] >= zh_box["x"] + zh_box["width"] - 1 and abs(en_box["y"] - zh_box["y"]) < 1


def test_key_figures_table_has_one_row_per_figure(brief_page):
    brief, page, _, _ = brief_page
    rows = page.locator("#key-figures table.figures tbody tr")
    assert rows.count() == len(brief.figures) > 0
    for number in (1, len(brief.figures)):
        row = page.locator(f"#figure-{number}")
        figure = brief.figures[number - 1]
        assert row.is_visible()
        cells = row.locator("td")
        assert cells.nth(1).inner_text() == figure.text
        assert cells.nth(3).inner_text().startswith(figure.verdict)  # status in words, not colour alone


def test_section_summaries_render(brief_page):
    brief, page, _, _ = brief_page
    items = page.locator("#sections .section-summary ul.summary li")
    assert items.count() == sum(len(s.summary) for s in brief.sections) > 0
    assert all(items.nth(i).is_visible() for i in range(items.count()))
    assert page.locator("#executive-summary li").count() == len(brief.executive_summary)


def test_qa_flags_are_visible_text(brief_page):
    brief, page, _, _ = brief_page
    flags = page.locator("table.parallel .flag")
    assert flags.count() == sum(len(u.flags) for s in brief.sections for u in s.units) + \
        sum(len(u.flags) for u in brief.front)
    assert flags.first.is_visible() and flags.first.inner_text().startswith("⚠ ")


def test_prints_to_pdf_with_a_page_per_part(brief_page, tmp_path):
    _, page, _, _ = brief_page
    pdf = page.pdf(format="A4")
    (tmp_path / "brief.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    assert len(regex.findall(rb"/Type\s*/Page(?!s)", pdf)) >= 5
    # In print, each part after the header (summary, sections, key figures, full text) starts a new page.
    page.emulate_media(media="print")
    try:
        breaks = page.eval_on_selector_all(".part", "parts => parts.map(p => getComputedStyle(p).breakBefore)")
    finally:
        page.emulate_media(media="screen")
    assert breaks[0] != "page" and breaks[1:] == ["page"] * 4
