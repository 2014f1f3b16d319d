"""What a reader of the trainer sees and does, at phone and book widths, light and dark.

Each check trains a short session (lag 5, two seeds, 200 steps) and looks at the page the way
a reader does; ``test_each_view_check_fails_on_a_broken_page`` shows each check failing on a
page broken on purpose in the one way it guards against.
"""

from __future__ import annotations

import pytest
from trainer_checks import open_trainer

from whiteboard.viz.trainer import trainer

pytestmark = pytest.mark.browser

SHORT = {"models": ["rnn", "lstm"], "lag": 5, "seeds": 2, "steps": 200}
BOOK = "<div style='max-width:688px'>{}</div>"  # the width of the book's text column


def train_short(page, config=SHORT):
    return page.evaluate("(c) => document.querySelector('.wb-trainer').wbTrain(c)", config)


def check_fits_and_reads(page, width):
    """After training: nothing wider than the screen, no sideways scroll, all text >= 12 px,
    the panels side by side when the column is wide and stacked on a phone."""
    train_short(page)
    wide = page.evaluate("""w => Array.from(document.querySelectorAll(
        '.wb-trainer, .wb-trainer *')).filter(e => { const r = e.getBoundingClientRect();
        return r.width && (r.right > w + 0.5 || r.left < -0.5); }).map(e => e.tagName + '.' +
        (e.getAttribute('class') || ''))""", width)
    assert not wide, f"wider than the {width} px screen: {wide[:5]}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "sideways scroll"
    sizes = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.wb-trainer, .wb-trainer *')).filter(e => e.childNodes.length &&
        Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()))
        .map(e => parseFloat(getComputedStyle(e).fontSize))""")
    assert sizes and min(sizes) >= 12, f"text smaller than 12 px: {min(sizes)}"
    boxes = [page.locator(f".wb-tr-panel[data-model='{m}']").bounding_box()
             for m in ("rnn", "lstm")]
    if width <= 400:
        assert boxes[0]["y"] + boxes[0]["height"] <= boxes[1]["y"] + 1, "panels not stacked"
    else:
        assert boxes[0]["y"] == boxes[1]["y"], "panels not side by side"


def check_charts_drawn(page):
    """Every panel draws its accuracy lines (a line per seed, the mean, chance), its loss, its
    gradient heatmap and, for the LSTM, its forget gate; the heatmaps' legend is on the page."""
    train_short(page)
    for model in ("rnn", "lstm"):
        panel = f".wb-tr-panel[data-model='{model}']"
        paths = page.eval_on_selector_all(f"{panel} [data-chart='accuracy'] path",
                                          "ps => ps.map(p => [p.getAttribute('class'), "
                                          "p.getAttribute('d').length])")
        classes = sorted(c for c, n in paths if n > 10)
        assert classes == ["wb-tr-chance", "wb-tr-mean", "wb-tr-seed", "wb-tr-seed"], paths
        assert page.locator(f"{panel} [data-chart='loss'] path").count() == 2
        assert page.locator(f"{panel} [data-chart='grad'] image").count() == 1
    assert page.locator(".wb-tr-panel[data-model='lstm'] [data-chart='gate'] path").count() == 2
    legend = page.inner_text(".wb-tr-legend")
    assert "10" in legend and "largest value in that training step" in legend, legend


def check_keyboard(page):
    """By keyboard alone: Tab reaches the settings and Train; Enter on Train starts a session,
    Space on Pause pauses it and again resumes it; the focused control shows a ring."""
    page.focus(".wb-tr-lag")
    page.keyboard.press("Control+A")
    page.keyboard.type("5")
    order = []
    for _ in range(page.locator(".wb-trainer input, .wb-trainer button").count()):
        page.keyboard.press("Tab")
        order.append(page.evaluate("() => document.activeElement.className"))
        if "wb-tr-train" in order[-1]:
            break
    assert "wb-tr-train" in order[-1], f"Tab never reached Train: {order}"
    ring = page.evaluate("() => { const s = getComputedStyle(document.activeElement); "
                         "return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
    assert ring[0] != "none" and ring[1] >= 2, f"no visible focus ring: {ring}"
    page.keyboard.press("Enter")
    page.wait_for_selector(".wb-tr-panel")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert page.inner_text(".wb-tr-pause") == "Resume", "Space on Pause did not pause"
    assert page.inner_text(".wb-tr-status").startswith("Paused"), page.inner_text(".wb-tr-status")
    page.keyboard.press("Space")
    assert page.inner_text(".wb-tr-pause") == "Pause"
    page.click(".wb-tr-reset")


def check_responsive(page):
    """While five seeds of two models train, the page answers within 50 ms: a task queued on it
    waits no longer (all but the longest of 40 waits, which a machine shared with other
    programs may stretch), nor does the last redraw or a click on Pause until the status
    says so."""
    page.evaluate("(c) => { window.wbRun = document.querySelector('.wb-trainer').wbTrain(c); }",
                  {"models": ["rnn", "lstm"], "lag": 20, "seeds": 5, "steps": 3000})
    page.wait_for_timeout(1500)
    waits = page.evaluate("""async () => { const waits = [];
        for (let k = 0; k < 40; k++) { const t0 = performance.now();
          await new Promise(r => setTimeout(r, 0)); waits.push(performance.now() - t0);
          await new Promise(r => setTimeout(r, 25)); }
        return waits; }""")
    worst = sorted(waits)[-2]
    draw = page.evaluate("() => document.querySelector('.wb-trainer').wbLastDrawMs")
    click = page.evaluate("""() => { const t0 = performance.now();
        document.querySelector('.wb-tr-pause').click();
        const ok = document.querySelector('.wb-tr-status').textContent.startsWith('Paused');
        return ok ? performance.now() - t0 : 1e9; }""")
    page.click(".wb-tr-reset")
    assert worst <= 50, f"a task waited {worst:.0f} ms while training"
    assert draw is not None and draw <= 50, f"a redraw took {draw} ms"
    assert click <= 50, f"Pause answered after {click:.0f} ms"


def check_talk(page):
    """After training, the button opens a playground of the trained networks on the page:
    they answer a typed story, each with its why-this-answer bars."""
    train_short(page)
    page.click(".wb-tr-talk")
    page.wait_for_selector(".wb-tr-playground .wb-playground[data-ready]")
    page.fill(".wb-tr-playground .wb-pg-story", "Ana lives in Spain . she likes tea . she speaks")
    for model in ("rnn", "lstm"):
        panel = f".wb-tr-playground .wb-pg-panel[data-model='{model}']"
        answer = page.inner_text(f"{panel} .wb-pg-answer")
        assert "seed" in answer and ": " in answer, answer
        assert page.locator(f"{panel} .wb-pg-wy").count() == 11
    lstm = page.inner_text(".wb-tr-playground .wb-pg-panel[data-model='lstm'] .wb-pg-answer")
    language, p = lstm.split(": ")[1].split()
    assert language == "Spanish" and float(p) >= 0.9, f"the trained LSTM says {lstm!r}"


CHECKS = {"fits and reads": lambda page, width: check_fits_and_reads(page, width),
          "charts": lambda page, width: check_charts_drawn(page),
          "keyboard": lambda page, width: check_keyboard(page),
          "responsive": lambda page, width: check_responsive(page),
          "talk": lambda page, width: check_talk(page)}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("name", ["fits and reads", "charts", "keyboard", "talk"])
def test_the_trainer_passes_each_check(browser, tmp_path, name, width, scheme):
    page, problems = open_trainer(browser, BOOK.format(trainer().to_html()), tmp_path,
                                  viewport={"width": width, "height": 900}, color_scheme=scheme)
    try:
        CHECKS[name](page, width)
        assert not problems["errors"] and not problems["console"], problems
        assert not problems["external"], problems["external"]
    finally:
        page.close()


def test_the_page_stays_responsive_while_training(browser, tmp_path):
    page, problems = open_trainer(browser, trainer().to_html(), tmp_path)
    try:
        check_responsive(page)
        assert not problems["errors"] and not problems["console"], problems
    finally:
        page.close()


def test_without_workers_it_trains_on_the_page_in_slices(browser, tmp_path):
    """Where no worker can start, the page says so and trains on its own thread."""
    page, problems = open_trainer(browser, trainer().to_html(), tmp_path)
    try:
        page.evaluate("() => { window.Worker = undefined; }")
        result = train_short(page)
        assert "on this page's own thread" in page.inner_text(".wb-tr-status")
        assert [r["accuracy"] for r in result["models"]["lstm"]] == [1, 1], result
        assert not problems["errors"] and not problems["console"], problems
    finally:
        page.close()


def test_the_compact_copy_has_the_lag_seeds_and_two_charts(browser, tmp_path):
    page, problems = open_trainer(browser, trainer(compact=True).to_html(), tmp_path)
    try:
        assert page.locator(".wb-tr-steps, .wb-tr-lr, .wb-tr-model, .wb-tr-talk").count() == 0
        page.fill(".wb-tr-lag", "5")
        page.fill(".wb-tr-seeds", "1")
        page.click(".wb-tr-train")
        page.wait_for_selector(".wb-tr-results table", timeout=120_000)
        charts = page.eval_on_selector_all(".wb-tr-panel[data-model='lstm'] [data-chart]",
                                           "cs => cs.map(c => c.dataset.chart)")
        assert charts == ["accuracy", "grad"], charts
        assert not problems["errors"] and not problems["console"], problems
    finally:
        page.close()


# Pages broken on purpose: the check that must catch each, the width, and what is changed.
BROKEN = [
    ("fits and reads", 390, ".wb-tr-bar label{display:inline-flex;align-items:center;gap:.3em;"
     "max-width:100%;min-width:0}", ".wb-tr-bar label{display:inline-flex;white-space:nowrap;"
     "min-width:30em}"),
    ("fits and reads", 390, ".wb-tr-y,.wb-tr-x{font-size:max(12px,.8em)}",
     ".wb-tr-y,.wb-tr-x{font-size:.6em}"),
    ("charts", 1280, 'acc.push({cls: "mean", d:', 'acc.push({cls: "mean", d: "" &&'),
    ("keyboard", 1280, '<button type="button" class="wb-tr-train wb-tr-f">Train</button>',
     '<span class="wb-tr-train wb-tr-f">Train</span>'),
    ("responsive", 1280, "var WB_MAIN_SLICE_MS = 15;",
     "var WB_MAIN_SLICE_MS = 400; Worker = undefined;"),
    ("talk", 1280, "w: best.params};", "w: wbInitNet(tr.env, spec, wbRng(1))};"),
]


@pytest.mark.parametrize("name, width, old, new", BROKEN,
                         ids=[f"{b[0]}: {b[3][:24]}" for b in BROKEN])
def test_each_view_check_fails_on_a_broken_page(browser, tmp_path, name, width, old, new):
    html = BOOK.format(trainer().to_html())
    assert html.count(old) == 1, f"{old!r} is not in the page exactly once"
    page, _ = open_trainer(browser, html.replace(old, new), tmp_path,
                           viewport={"width": width, "height": 900})
    try:
        with pytest.raises(AssertionError):
            CHECKS[name](page, width)
    finally:
        page.close()
