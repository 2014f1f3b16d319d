"""What a reader of the playground must get, as checks on an open Playwright page.

Each ``check_*`` drives the page itself (types, picks, presses keys) and raises
AssertionError with a reason. ``test_playground_view.py`` runs them on the real playground
and on pages broken on purpose, where each one must fail.
"""

from __future__ import annotations

import base64
import re
import struct

import numpy as np

PANEL = ".wb-pg-panel[data-model='{}']"


def open_playground(browser, html, tmp_path, **kw):
    """Open ``html`` as a file page, with every non-file request aborted and recorded.

    Returns ``(page, errors, external)``: the page, its JavaScript errors and the external
    requests it tried.
    """
    path = tmp_path / "playground.html"
    path.write_text(f"<!doctype html><meta charset='utf-8'><body>{html}</body>")
    page = browser.new_page(**kw)
    errors, external = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
               else (external.append(r.request.url), r.abort()))
    page.goto(path.as_uri())
    page.wait_for_selector(".wb-playground[data-ready]")
    return page, errors, external


def run(page, text, overrides):
    """``root.wbRun(text, overrides)`` of the page's first playground."""
    return page.evaluate("([t, o]) => document.querySelector('.wb-playground').wbRun(t, o)",
                         [text, overrides])


def broken(html, old, new):
    """``html`` with its one ``old`` replaced by ``new``: a page broken on purpose."""
    assert html.count(old) == 1, f"{old!r} is not in the page exactly once"
    return html.replace(old, new)


def heatmap_pixels(page, selector):
    """The cells a heatmap shows, as an array (H, T, 3) of RGB bytes, read from its image.

    The page draws each heatmap as a 24-bit BMP (one pixel per cell) in a data URL.
    """
    href = page.eval_on_selector(selector, "s => { const i = s.querySelector('image'); "
                                           "return i ? i.getAttribute('href') : null; }")
    assert href, f"{selector} shows no cells"
    raw = base64.b64decode(href.split(",", 1)[1])
    offset, = struct.unpack_from("<I", raw, 10)
    width, height = struct.unpack_from("<ii", raw, 18)
    assert raw[:2] == b"BM" and struct.unpack_from("<H", raw, 28)[0] == 24
    rows, row_bytes = abs(height), (3 * width + 3) & ~3
    px = np.frombuffer(raw, np.uint8, rows * row_bytes, offset).reshape(rows, row_bytes)
    px = px[:, :3 * width].reshape(rows, width, 3)[:, :, ::-1]  # stored b, g, r
    return px if height < 0 else px[::-1]


def _rect_gap(a, b):
    """The distance between two boxes (0 when they touch or overlap)."""
    dx = max(b["x"] - (a["x"] + a["width"]), a["x"] - (b["x"] + b["width"]), 0)
    dy = max(b["y"] - (a["y"] + a["height"]), a["y"] - (b["y"] + b["height"]), 0)
    return (dx * dx + dy * dy) ** 0.5


def force(page, gate, value, word):
    """Force ``gate`` ("model|gate") to ``value`` from ``word``, counted from 1 as shown."""
    page.select_option(".wb-pg-gate", gate)
    page.select_option(".wb-pg-value", str(value))
    page.fill(".wb-pg-start", str(word))


def check_forced_heatmaps(page, story, model="story_lstm", gate="f", value=0, word=6):
    """Forcing ``gate`` from ``word`` shows the forced run's heatmaps under the trained ones:
    the same cells before that word, other cells from it on (the gate's own map in every
    column, the states in some)."""
    page.fill(".wb-pg-story", story)
    force(page, f"{model}|{gate}", value, word)
    tokens, start = run(page, story, {})["tokens"], word - 1
    panel = PANEL.format(model)
    blocks = page.eval_on_selector_all(f"{panel} .wb-pg-block", "bs => bs.map(b => "
                                       "[b.dataset.map, b.querySelector('.wb-pg-twin').hidden])")
    assert blocks and not any(hidden for _, hidden in blocks), "the forced run is not shown"
    for name, _ in blocks:
        trained = heatmap_pixels(page, f"{panel} .wb-pg-map[data-map='{name}'][data-run='trained']")
        forced = heatmap_pixels(page, f"{panel} .wb-pg-map[data-map='{name}'][data-run='forced']")
        assert trained.shape == forced.shape and trained.shape[1] == len(tokens), name
        assert np.array_equal(trained[:, :start], forced[:, :start]), \
            f"{name}: the forced run differs before word {word}"
        differs = [not np.array_equal(trained[:, t], forced[:, t])
                   for t in range(start, len(tokens))]
        if name == gate:
            assert all(differs), f"{name}: the forced gate looks unforced from word {word} on"
        elif name in ("c", "h"):
            assert any(differs), f"{name}: forcing {gate} changed nothing from word {word} on"
    label = page.inner_text(f"{panel} .wb-pg-twin-label")
    assert f"{gate} = {value} from word {word}" in label, label


def check_word_axes(page, story, every_word=True):
    """Under every heatmap: its words, each under its own column, none overlapping, the
    selected one among them (in bold); beside it, the unit axis from 0 to H - 1 (the book
    counts units from 0)."""
    page.fill(".wb-pg-story", story)
    tokens = run(page, story, {})["tokens"]
    T = len(tokens)
    # every label's box, from the text itself (an axis may hold its labels in any elements)
    axes = page.eval_on_selector_all(".wb-pg-block", """bs => bs.map(b => {
        const box = r => ({x: r.x, y: r.y, width: r.width, height: r.height});
        const axis = b.querySelector('.wb-pg-words'), words = [];
        const walk = document.createTreeWalker(axis, NodeFilter.SHOW_TEXT);
        for (let n = walk.nextNode(); n; n = walk.nextNode()) {
            let at = 0;
            for (const part of n.textContent.split(/\\n/)) {
                const word = part.trim();
                if (word) {
                    const r = document.createRange();
                    r.setStart(n, at + part.indexOf(word));
                    r.setEnd(n, at + part.indexOf(word) + word.length);
                    const bold = parseInt(getComputedStyle(n.parentElement).fontWeight) >= 600;
                    words.push([word, box(r.getBoundingClientRect()), bold]);
                }
                at += part.length + 1;
            }
        }
        return {map: box(b.querySelector('.wb-pg-map').getBoundingClientRect()),
                units: b.querySelector('.wb-pg-units').innerText.split(/\\s+/), words};
    })""")
    assert axes, "no heatmaps"
    for axis in axes:
        words, m = axis["words"], axis["map"]
        assert axis["units"] == ["0", "unit", "31"], f"unit axis reads {axis['units']}"
        assert words, "a heatmap without word labels"
        columns = []
        for text, box, _ in words:
            t = int((box["x"] + box["width"] / 2 - m["x"]) / m["width"] * T)
            assert 0 <= t < T and text == tokens[t], \
                f"{text!r} stands under column {t + 1}, which is {tokens[t] if t < T else None!r}"
            assert box["y"] >= m["y"] + m["height"] - 1, f"{text!r} is not under the heatmap"
            columns.append(t)
        if every_word:
            assert columns == list(range(T)), f"labelled columns: {columns}"
        assert [t for t, (*_, bold) in zip(columns, words, strict=True) if bold] == [T - 1], \
            "the selected word is not the one label in bold"
        for (a, ra, _), (b, rb, _) in zip(words, words[1:], strict=False):
            assert ra["x"] + ra["width"] <= rb["x"] + 0.5, f"labels {a!r} and {b!r} overlap"


def check_words_count_from_one(page, story):
    """The page numbers words from 1 (word 1 is the first); the "from word" field too, so
    word n of the page forces from wbRun's start n - 1."""
    page.fill(".wb-pg-story", story)
    tokens = run(page, story, {})["tokens"]
    T = len(tokens)
    assert page.inner_text(".wb-pg-word") == f"word {T} of {T}: \u201c{tokens[-1]}\u201d"
    assert page.input_value(".wb-pg-slider") == str(T)
    page.focus(".wb-pg-next")
    page.keyboard.press("Home")
    assert page.inner_text(".wb-pg-word") == f"word 1 of {T}: \u201c{tokens[0]}\u201d"
    assert page.input_value(".wb-pg-slider") == "1"
    force(page, "story_lstm|f", 0, 6)
    shown = page.inner_text(".wb-pg-start-word")
    assert shown == f"\u201c{tokens[5]}\u201d", f"from word 6 names {shown}, not word 6"
    assert "with f = 0 from word 6:" in page.inner_text(f"{PANEL.format('story_lstm')} "
                                                          ".wb-pg-answer")
    c_map = f"{PANEL.format('story_lstm')} [data-map='c']"
    shown = heatmap_pixels(page, f"{c_map}[data-run='forced']")
    trained = heatmap_pixels(page, f"{c_map}[data-run='trained']")
    assert np.array_equal(shown[:, :5], trained[:, :5]) and \
        not np.array_equal(shown[:, 5], trained[:, 5]), "word 6 is not wbRun's start 5"


def check_keys_step_from_the_root(page):
    """Tab reaches the playground itself, which shows a focus ring; there, and on a button,
    left/right/Home/End step through the words; in the story box they move the caret."""
    T = len(run(page, page.input_value(".wb-pg-story"), {})["tokens"])
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('wb-playground')"), \
        "Tab does not reach the playground itself"
    ring = page.evaluate("() => { const s = getComputedStyle(document.activeElement); "
                         "return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
    assert ring[0] != "none" and ring[1] >= 2, f"no visible focus ring: {ring}"
    for key, word in [("End", T), ("ArrowLeft", T - 1), ("ArrowLeft", T - 2), ("Home", 1),
                      ("ArrowLeft", 1), ("ArrowRight", 2)]:
        page.keyboard.press(key)
        assert page.input_value(".wb-pg-slider") == str(word), f"{key} did not go to {word}"
    page.focus(".wb-pg-distract")
    page.keyboard.press("ArrowRight")
    assert page.input_value(".wb-pg-slider") == "3", "arrow keys do nothing on a button"
    page.focus(".wb-pg-story")
    page.keyboard.press("ArrowLeft")
    assert page.input_value(".wb-pg-slider") == "3", "typing in the story steps the words"


def check_readout_next_to_the_cell(page, story):
    """Keyboard focus on a heatmap cell, and the pointer over one, show its exact value in
    an opaque box right next to that cell."""
    page.fill(".wb-pg-story", story)
    res = run(page, story, {})
    T = len(res["tokens"])
    panel = PANEL.format("story_lstm")
    page.focus(f"{panel} .wb-pg-map[data-map='c'][data-run='trained']")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    box = page.locator(".wb-pg-readout")
    assert box.is_visible(), "focus on a cell shows no value"
    text = box.inner_text()
    head = f"LSTM c, unit 2, word {T} \u201c{res['tokens'][-1]}\u201d: "
    assert text.startswith(head), text
    want = res["models"]["story_lstm"]["c"][T - 1][2]
    assert abs(float(text[len(head):]) - want) <= 1e-9 * max(1, abs(want)), text
    cell = page.locator(f"{panel} .wb-pg-map[data-map='c'][data-run='trained'] .wb-pg-cursor")
    gap = _rect_gap(box.bounding_box(), cell.bounding_box())
    assert gap <= 24, f"the value shows {gap:.0f} px away from its cell"
    alpha = page.eval_on_selector(".wb-pg-readout", "e => getComputedStyle(e).backgroundColor")
    assert not re.search(r"rgba\(.*,\s*0(\.\d+)?\)$", alpha), f"see-through readout: {alpha}"
    gru = page.locator(f"{PANEL.format('story_gru')} .wb-pg-map[data-map='h'][data-run='trained']")
    gru.scroll_into_view_if_needed()
    g = gru.bounding_box()
    x, y = g["x"] + g["width"] * 0.3, g["y"] + g["height"] * 0.6
    page.mouse.move(x, y)
    assert box.inner_text().startswith("GRU h, unit "), box.inner_text()
    gap = _rect_gap(box.bounding_box(), {"x": x, "y": y, "width": 0, "height": 0})
    assert gap <= 24, f"the value shows {gap:.0f} px away from the pointer"


def check_fits_the_screen(page, width):
    """With the longest gate picked, a forced run and a readout showing, nothing in the
    playground is wider than the screen and the page does not scroll sideways."""
    longest = max(page.eval_on_selector_all(".wb-pg-gate option", "os => os.map(o => o.value)"),
                  key=lambda v: len(page.inner_text(f".wb-pg-gate option[value='{v}']")))
    force(page, longest, 0, 3)
    page.focus(".wb-pg-map[data-run='trained']")
    wide = page.evaluate("""w => Array.from(document.querySelectorAll(
        '.wb-playground, .wb-playground *')).filter(e => { const r = e.getBoundingClientRect();
        return r.width && (r.right > w + 0.5 || r.left < -0.5); }).map(e => e.tagName + '.' +
        (e.getAttribute('class') || ''))""", width)
    assert not wide, f"wider than the {width} px screen: {wide[:5]}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "sideways scroll"


def text_sizes(page):
    """The font size in px of every element of the playground that holds text."""
    return page.evaluate("""() => Array.from(document.querySelectorAll(
        '.wb-playground, .wb-playground *')).filter(e => e.childNodes.length &&
        Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()))
        .map(e => parseFloat(getComputedStyle(e).fontSize))""")


def check_text_at_least_12px(page):
    sizes = text_sizes(page)
    assert sizes and min(sizes) >= 12, f"text smaller than 12 px: {min(sizes)}"


def check_long_story_scrolls_in_its_word_list(page, words=600):
    """A long story's words scroll in their own box: the heatmaps move down by at most 100 px
    against a short story, and the selected word (the last, then the first) stays in view."""
    def panels_top():
        return page.locator(".wb-pg-panels").bounding_box()["y"]

    page.fill(".wb-pg-story", "Alice lives in France . she speaks")
    short = panels_top()
    page.fill(".wb-pg-story", "Alice lives in France . " +
              "she likes to cook . " * ((words - 6) // 5) + "she speaks")
    moved = panels_top() - short
    assert moved <= 100, f"a {words}-word story pushes the heatmaps {moved:.0f} px down"
    page.locator(".wb-playground").focus()
    for key in ("End", "Home"):
        page.keyboard.press(key)
        box = page.locator(".wb-pg-tokens").bounding_box()
        word = page.locator(".wb-pg-tokens .wb-pg-on").bounding_box()
        assert box["y"] - 1 <= word["y"] and word["y"] + word["height"] <= box["y"] + \
            box["height"] + 1, f"after {key}, the selected word is out of the word list's view"


def check_start_past_the_end_forces_nothing(page, model="story_lstm", gate="f"):
    """A start word past the story's end is said to force nothing, and no answer or heatmap
    claims a forced run from it."""
    page.fill(".wb-pg-story", "Alice lives in France . she speaks")
    force(page, f"{model}|{gate}", 0, 99)
    answer = page.inner_text(f"{PANEL.format(model)} .wb-pg-answer")
    assert "word 99" not in answer, f"the answer claims a forced run: {answer!r}"
    note = page.inner_text(".wb-pg-start-word")
    assert "past the end" in note and "nothing is forced" in note, note
    twins = page.locator(f"{PANEL.format(model)} .wb-pg-twin:visible").count()
    assert twins == 0, f"{twins} forced heatmaps shown for a start past the end"
