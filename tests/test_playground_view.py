"""What the playground shows and how it answers the keyboard, at phone and book widths.

Each check of ``playground_checks`` passes on the playground and fails on a page broken on
purpose in the one way it guards against (``test_each_check_fails_on_a_broken_page``).
"""

from __future__ import annotations

import pytest
from playground_checks import (
    PANEL,
    broken,
    check_fits_the_screen,
    check_forced_heatmaps,
    check_keys_step_from_the_root,
    check_long_story_scrolls_in_its_word_list,
    check_readout_next_to_the_cell,
    check_start_past_the_end_forces_nothing,
    check_text_at_least_12px,
    check_word_axes,
    check_words_count_from_one,
    open_playground,
    run,
)

from whiteboard.training.story import LECTURE_STORY, make_stories, story_vocab
from whiteboard.viz.playground import MODELS, playground

pytestmark = pytest.mark.browser

LONG = " ".join(story_vocab()[i] for i in make_stories(1, 56, rng=1).x[:, 0])  # 60 words
BOOK = "<div style='max-width:688px'>{}</div>"  # the playground's width in the built book

CHECKS = {
    "forced heatmaps": lambda page, width: check_forced_heatmaps(page, LECTURE_STORY),
    "word axes": lambda page, width: check_word_axes(page, LECTURE_STORY),
    "word axes, 60 words": lambda page, width: check_word_axes(page, LONG, every_word=False),
    "words from 1": lambda page, width: check_words_count_from_one(page, LECTURE_STORY),
    "keys on the root": lambda page, width: check_keys_step_from_the_root(page),
    "readout by the cell": lambda page, width: check_readout_next_to_the_cell(page,
                                                                              LECTURE_STORY),
    "fits the screen": lambda page, width: check_fits_the_screen(page, width),
    "text >= 12 px": lambda page, width: check_text_at_least_12px(page),
    "long story": lambda page, width: check_long_story_scrolls_in_its_word_list(page),
    "start past the end": lambda page, width: check_start_past_the_end_forces_nothing(page),
}

# Pages broken on purpose: the check that must catch each, the width to open it at, and what
# is changed.
BROKEN = [
    ("forced heatmaps", 1280, "wbMapSvg(f.run[map.name]",
     "wbMapSvg(pg.state.res.models[m.name][map.name]"),
    ("word axes", 1280, "((sel % every + 0.5) / T", "((sel % every + 1.5) / T"),
    ("word axes", 1280, "lines.push(t === sel ?", "lines.push(t === sel + 1 ?"),
    ("word axes, 60 words", 1280, "var every = Math.max(1, Math.ceil(", "var every = 1 || (("),
    ("words from 1", 1280, "function wbWordIndex(n) { return n - 1; }",
     "function wbWordIndex(n) { return n; }"),
    ("keys on the root", 1280, 'data-uid="{}" tabindex="0"', 'data-uid="{}"'),
    ("readout by the cell", 1280, 'box.style.top = (y + 6) + "px";', 'box.style.top = "0";'),
    ("fits the screen", 400, ".4em;max-width:100%;min-width:0}", ".4em}"),
    ("text >= 12 px", 390, ".wb-pg-readout{font-size:max(12px,.8em)}",
     ".wb-pg-readout{font-size:.6em}"),
    ("long story", 390, "max-height:6em;overflow-y:auto;", ""),
    ("long story", 1280, "wbScrollTo(pg.ui.tokens, now);", ""),
    ("start past the end", 1280, "if (f && f.ov.start >= T) {", "if (f && f.ov.start < 0) {"),
]


@pytest.mark.parametrize("width", [1280, 400, 390])
@pytest.mark.parametrize("name", CHECKS)
def test_the_playground_passes_each_check(browser, tmp_path, name, width):
    page, errors, _ = open_playground(browser, playground().to_html(), tmp_path,
                                      viewport={"width": width, "height": 900})
    try:
        CHECKS[name](page, width)
        assert not errors
    finally:
        page.close()


@pytest.mark.parametrize("name, width, old, new", BROKEN,
                         ids=[f"{b[0]}: {b[3][:24]}" for b in BROKEN])
def test_each_check_fails_on_a_broken_page(browser, tmp_path, name, width, old, new):
    pg = playground()
    html = broken(pg.to_html(), old.replace("{}", pg.uid), new.replace("{}", pg.uid))
    page, _, _ = open_playground(browser, html, tmp_path, viewport={"width": width,
                                                                    "height": 900})
    try:
        with pytest.raises(AssertionError):
            CHECKS[name](page, width)
    finally:
        page.close()


def test_at_book_width_two_models_sit_side_by_side(browser, tmp_path):
    page, errors, _ = open_playground(browser, BOOK.format(playground().to_html()), tmp_path,
                                      viewport={"width": 1280, "height": 900})
    try:
        boxes = [page.locator(PANEL.format(n)).bounding_box() for n in MODELS]
        assert boxes[0]["y"] == boxes[1]["y"] and boxes[0]["x"] < boxes[1]["x"]
        assert boxes[2]["y"] > boxes[0]["y"]
        # a model alone in its row spreads its heatmaps over the width instead
        maps = [page.locator(f"{PANEL.format(MODELS[2])} .wb-pg-block").nth(k).bounding_box()
                for k in range(2)]
        assert maps[0]["y"] == maps[1]["y"] and maps[0]["x"] < maps[1]["x"]
        assert not errors
    finally:
        page.close()


def test_a_forced_run_equals_wbrun_from_the_word_before(browser, tmp_path):
    """The forced answer the page prints is wbRun's, with start one less than the field."""
    page, errors, _ = open_playground(browser, playground().to_html(), tmp_path)
    try:
        page.select_option(".wb-pg-gate", "story_lstm|f")
        page.fill(".wb-pg-start", "6")
        forced = run(page, LECTURE_STORY, {"story_lstm": [{"gate": "f", "value": 0,
                                                           "start": 5}]})
        p = forced["models"]["story_lstm"]["probs"][-1]
        answer = page.inner_text(f"{PANEL.format('story_lstm')} .wb-pg-answer")
        assert answer.endswith(f"from word 6: French {max(p):.2f}"), answer
        assert not errors
    finally:
        page.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_book_theme_leaves_the_playground_readable(browser, site, width):
    """In the built book, the theme's styles for labels, legends and figures neither shrink
    the story box nor blow up the headings, and nothing leaves the screen."""
    from reader_checks import check_no_errors_or_missing_files, open_offline

    page, problems = open_offline(browser, f"{site}/book/playground.html")
    try:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_selector(".wb-playground[data-ready]")
        root, story = (page.locator(s).bounding_box() for s in (".wb-playground", ".wb-pg-story"))
        assert story["width"] >= 0.85 * root["width"], f"story box {story['width']:.0f} px wide"
        sizes = page.evaluate("() => ['.wb-playground', '.wb-pg-force legend'].map(s => "
                              "getComputedStyle(document.querySelector(s)).fontSize)")
        assert sizes[0] == sizes[1], f"the legend's text is {sizes[1]}, the rest {sizes[0]}"
        check_text_at_least_12px(page)
        check_fits_the_screen(page, width)
        check_no_errors_or_missing_files(problems, "book/playground")
    finally:
        page.close()
