"""Quick questions: input validation, reproducible HTML, and the feedback in a real browser.

The browser checks (``check_*`` below) each raise AssertionError with a reason, like those in
``reader_checks.py``; every one is also run on a page broken on purpose to show it can fail.
"""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
from reader_checks import open_offline

from whiteboard.viz.quiz import Quiz, _keystream, ask, ask_number
from whiteboard.viz.quiz_text import raw_tex, readable_html


def gate_quiz(**kw) -> Quiz:
    return ask("Which gate decides what the cell forgets?", ["input", "forget", "output"],
               kw.pop("answer", "forget"),
               explain=kw.pop("explain", "f multiplies the old cell state c."),
               wrong=kw.pop("wrong", {0: "the input gate decides what is written."}), **kw)


def sigma_quiz(tolerance=0.01) -> Quiz:
    return ask_number("What is σ(0)?", 0.5, tolerance=tolerance, explain="σ(0) = 1/2.")


# ---- validation --------------------------------------------------------------------------


@pytest.mark.parametrize("call, error, match", [
    (lambda: ask("", ["a", "b"], 0), ValueError, "question must be a non-empty"),
    (lambda: ask(3, ["a", "b"], 0), TypeError, "question must be a string"),
    (lambda: ask("q?", [], 0), ValueError, "at least two choices, got 0"),
    (lambda: ask("q?", ["a"], 0), ValueError, "at least two choices, got 1"),
    (lambda: ask("q?", "ab", 0), TypeError, "options must be a list of strings, got str"),
    (lambda: ask("q?", 5, 0), TypeError, "options must be a list of strings"),
    (lambda: ask("q?", ["a", 2], 0), TypeError, r"options\[1\] must be a string"),
    (lambda: ask("q?", ["a", " "], 0), ValueError, r"options\[1\] must be a non-empty"),
    (lambda: ask("q?", ["a", "b", "a"], 0), ValueError, r"distinct, repeated: \['a'\]"),
    (lambda: ask("q?", ["a", "b"], 2), ValueError, "answer 2 is out of range.*0 to 1"),
    (lambda: ask("q?", ["a", "b"], -1), ValueError, "answer -1 is out of range"),
    (lambda: ask("q?", ["a", "b"], "c"), ValueError, "answer 'c' is not among the options"),
    (lambda: ask("q?", ["a", "b"], True), TypeError, "answer must be an option's index"),
    (lambda: ask("q?", ["a", "b"], 1.0), TypeError, "answer must be an option's index"),
    (lambda: ask("q?", ["a", "b"], 0, explain=None), TypeError, "explain must be a string"),
    (lambda: ask("q?", ["a", "b"], 0, wrong=["x"]), TypeError, "wrong must be a dict"),
    (lambda: ask("q?", ["a", "b"], 0, wrong={5: "x"}), ValueError, "wrong 5 is out of range"),
    (lambda: ask("q?", ["a", "b"], 0, wrong={"z": "x"}), ValueError, "'z' is not among"),
    (lambda: ask("q?", ["a", "b"], 0, wrong={"a": "x"}), ValueError, "for the right answer"),
    (lambda: ask("q?", ["a", "b"], 0, wrong={1: 7}), TypeError, r"wrong\[1\] must be a str"),
    (lambda: ask_number("", 1), ValueError, "question must be a non-empty"),
    (lambda: ask_number("q?", "3"), TypeError, "answer must be a real number, got str"),
    (lambda: ask_number("q?", True), TypeError, "answer must be a real number, got bool"),
    (lambda: ask_number("q?", 1j), TypeError, "answer must be a real number"),
    (lambda: ask_number("q?", float("nan")), ValueError, "answer must be finite, got nan"),
    (lambda: ask_number("q?", np.inf), ValueError, "answer must be finite, got inf"),
    (lambda: ask_number("q?", 1, tolerance=-0.1), ValueError, "tolerance must be >= 0"),
    (lambda: ask_number("q?", 1, tolerance=np.nan), ValueError, "tolerance must be finite"),
    (lambda: ask_number("q?", 1, tolerance="1"), TypeError, "tolerance must be a real"),
    (lambda: ask_number("q?", 1, unit=None), TypeError, "unit must be a string"),
])
def test_bad_input_is_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_numpy_numbers_and_option_strings_are_accepted():
    assert ask("q?", ["a", "b"], np.int64(1)).answer == 1
    assert ask_number("q?", np.float32(0.5), tolerance=np.int64(0)).answer == 0.5
    assert gate_quiz(answer=1).to_html() == gate_quiz(answer="forget").to_html()
    by_name = gate_quiz(wrong={"input": "the input gate decides what is written."})
    assert by_name.to_html() == gate_quiz().to_html()


# ---- the HTML ----------------------------------------------------------------------------


def test_html_is_reproducible_and_ids_follow_the_content():
    assert gate_quiz().to_html() == gate_quiz().to_html()
    assert sigma_quiz().to_html() == sigma_quiz().to_html()
    uids = {gate_quiz().uid, gate_quiz(explain="other").uid, gate_quiz(answer=2).uid,
            sigma_quiz().uid, sigma_quiz(0.1).uid}
    assert len(uids) == 5
    assert re.fullmatch(r"wbq[0-9a-f]{16}", gate_quiz().uid)
    assert gate_quiz()._repr_html_() == gate_quiz().to_html()


def test_choice_html_has_the_accessible_parts():
    html = gate_quiz().to_html()
    assert html.startswith('<fieldset class="wb-quiz"')
    assert html.count("<legend") == 1 and "Which gate decides what the cell forgets?" in html
    assert html.count('<input type="radio"') == 3 and html.count("<label") == 3
    assert '<button type="button" class="wb-quiz-check"' in html and ">Check</button>" in html
    assert 'aria-live="polite"' in html
    assert "font-size:max(12px,1em)" in html and "currentColor" in html
    assert html.count("<script>") == 1 and "src=" not in html and "http" not in html


def test_number_html_has_a_labelled_decimal_field():
    html = ask_number("How many gates?", 3, unit="gates").to_html()
    assert 'type="text"' in html and 'inputmode="decimal"' in html
    assert re.search(r"<label[^>]*>Your answer <input[^>]*> gates</label>", html)


def test_text_is_escaped():
    quiz = ask('Is <b>x</b> & "y" > 0?', ["<i>yes</i>", "no & never"], 1)
    html = quiz.to_html()
    assert "<b>" not in html and "<i>" not in html
    assert "Is &lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot; &gt; 0?" in html
    assert "&lt;i&gt;yes&lt;/i&gt;" in html and "no &amp; never" in html
    assert "&lt;script&gt;" in ask_number("<script>", 1, unit="<script>").to_html()


def test_answer_explanation_and_hints_are_out_of_plain_sight():
    quiz = gate_quiz(explain="Because the forget gate multiplies c.")
    html = quiz.to_html()
    assert "multiplies" not in html and "written" not in html
    number = ask_number("Steps?", 1234.5, explain="It takes 1234.5 steps.")
    assert "1234" not in number.to_html()
    # The script undoes the XOR with the same key stream; so does this mirror of it.
    for q in (quiz, number):
        record = _decoded(q)
        assert record["a"] == q.answer and record["e"] == q.explain


def test_plain_repr_shows_question_and_options_but_not_the_answer():
    text = repr(gate_quiz())
    assert text == ("Quiz: Which gate decides what the cell forgets?\n"
                    "  (a) input\n  (b) forget\n  (c) output")
    assert "multiplies" not in text
    assert repr(ask_number("How long?", 3, unit="steps")) == (
        "Quiz: How long?\n  [type a number in steps]")


def test_typed_notation_reaches_the_reader_as_readable_html():
    quiz = ask("What does ||W^k|| do, with h_{k-1} fixed?", ["it stays h_{k-1}", "3^k"], 0,
               explain="c_t = f_t * c_{t-1} + i_t * g_t.",
               wrong={1: "3^k is only a bound: ||W^k|| <= ||W||^k."})
    html = quiz.to_html()
    assert "‖W<sup>k</sup>‖" in html and "h<sub>k−1</sub>" in html and "3<sup>k</sup>" in html
    record = _decoded(quiz)
    assert record["e"] == ("c<sub>t</sub> = f<sub>t</sub> * c<sub>t−1</sub> + i<sub>t</sub> "
                           "* g<sub>t</sub>.")
    assert record["h"][1] == ("3<sup>k</sup> is only a bound: ‖W<sup>k</sup>‖ ≤ "
                              "‖W‖<sup>k</sup>.")
    assert repr(quiz).splitlines()[0] == "Quiz: What does ‖Wᵏ‖ do, with hₖ₋₁ fixed?"
    shown = re.sub(r"<[^>]+>", "", _without_script(html))
    assert not raw_tex(shown) and not any(raw_tex(x) for x in (record["e"], *record["h"]))


@pytest.mark.parametrize("typed, shown", [
    (r"$\lVert W \rVert_2 \le 3$", "‖W‖<sub>2</sub> ≤ 3"),
    (r"$\tilde{s}_t = \sigma(W h_{t-1})$", "s̃<sub>t</sub> = σ(W h<sub>t−1</sub>)"),
    (r"$\frac{1}{4}$ and $x^{2}$", "1/4 and x<sup>2</sup>"),
    ("story_rnn keeps its name, b_f = 3 gets a subscript", "story_rnn keeps its name, "
     "b<sub>f</sub> = 3 gets a subscript"),
    ("0.9^10 ≈ 0.35, e^{-x}", "0.9<sup>10</sup> ≈ 0.35, e<sup>−x</sup>"),
])
def test_tex_and_typed_notation_become_readable(typed, shown):
    assert readable_html(typed) == shown
    assert not raw_tex(re.sub(r"<[^>]+>", "", readable_html(typed)))


def test_raw_tex_finds_what_a_reader_would_see_as_tex():
    for raw in ("h_{k-1}", "c_t", "||W||", "a <= b", "3^k", r"\sigma", "$x$"):
        assert raw_tex(raw), raw
    assert raw_tex("story_rnn, net.parameters() and hₖ₋₁") == []


def test_an_unknown_tex_command_is_named():
    with pytest.raises(ValueError, match=r"TeX command \\foo.*known commands"):
        ask(r"Is $\foo$ a gate?", ["yes", "no"], 1)
    with pytest.raises(ValueError, match=r"\\bar"):
        ask_number("How many?", 3, hint=r"$\bar x$ and $\baz$")


def test_wrong_options_without_their_own_feedback_are_listed():
    assert gate_quiz().unexplained_wrong_options() == (2,)
    assert gate_quiz(wrong={0: "a", 2: "b"}).unexplained_wrong_options() == ()
    assert ask("q?", ["a", "b", "c"], 1).unexplained_wrong_options() == (0, 2)
    assert ask("q?", ["a", "b"], 1, wrong={0: "  "}).unexplained_wrong_options() == (0,)
    assert sigma_quiz().unexplained_wrong_options() == ()


def test_a_number_quiz_says_which_forms_it_reads():
    html = sigma_quiz().to_html()
    assert 'class="wb-quiz-forms"' in html and "4,480" in html and "1/2" in html


def _decoded(quiz) -> dict:
    data = base64.b64decode(re.search(r'data-key="([^"]+)"', quiz.to_html()).group(1))
    return json.loads(bytes(a ^ b for a, b in zip(data, _keystream(quiz.uid, len(data)),
                                                  strict=True)).decode())


# ---- in the browser ----------------------------------------------------------------------

PAGE = ('<!doctype html><html><head><meta charset="utf-8"><title>quiz</title></head>'
        '<body style="{style}"><main>{body}</main></body></html>')
DARK = "background:#111;color:#eee;font-size:10px"  # small on purpose: quizzes stay >= 12px


def open_page(browser, tmp_path, name, body, style=""):
    """Open ``body`` from a file:// URL; return (page, problems) with page errors and requests
    that would leave the machine (which are aborted), as the book's own reader checks do."""
    path = tmp_path / f"{name}.html"
    path.write_text(PAGE.format(style=style, body=body), encoding="utf-8")
    return open_offline(browser, path.as_uri())


def check_no_page_errors(problems, name):
    assert not problems["page_errors"], f"{name}: JavaScript errors: {problems['page_errors']}"
    assert not problems["external"], f"{name}: requests to the network: {problems['external']}"


def _expect(quiz, state, word, name, what):
    feedback = quiz.locator(".wb-quiz-feedback")
    got, text = feedback.get_attribute("data-state"), feedback.inner_text()
    assert got == state and word in text, (
        f"{name}: {what}: expected {word!r}, the feedback says {text!r} (state {got})")


def check_choice_quiz(quiz, right, wrong, name):
    """Choose a wrong option and Check, then the right one: "Not quite", then "Right"."""
    quiz.locator("label").nth(wrong).click()
    quiz.locator(".wb-quiz-check").click()
    _expect(quiz, "wrong", "Not quite", name, f"option {wrong}")
    quiz.locator("label").nth(right).click()
    quiz.locator(".wb-quiz-check").click()
    _expect(quiz, "right", "Right", name, f"option {right}")


def check_number_quiz(quiz, inside, outside, name):
    """A value outside the tolerance is "Not quite" (by Enter), one inside is "Right"."""
    field = quiz.locator("input.wb-quiz-input")
    field.fill(outside)
    field.press("Enter")
    _expect(quiz, "wrong", "Not quite", name, f"typed {outside!r}")
    field.fill(inside)
    quiz.locator(".wb-quiz-check").click()
    _expect(quiz, "right", "Right", name, f"typed {inside!r}")


def _focused(page):
    return page.evaluate("""() => { const e = document.activeElement;
        return [e.tagName.toLowerCase(), e.type || '', e.value || '', e.className || '',
                e.closest('.wb-quiz') ? e.closest('.wb-quiz').dataset.kind : '']; }""")


def check_keyboard(page, name):
    """Keyboard only, on a page with a choice quiz (right: option 1) and then a number quiz
    (right: 0.5): Tab, arrows, Space and Enter reach and work every control."""
    choice, number = page.locator(".wb-quiz").nth(0), page.locator(".wb-quiz").nth(1)
    key = page.keyboard
    key.press("Tab")
    assert _focused(page)[:3] == ["input", "radio", "0"], f"{name}: Tab: {_focused(page)}"
    key.press("Space")
    key.press("Tab")
    assert _focused(page)[0] == "button", f"{name}: Tab did not reach Check: {_focused(page)}"
    key.press("Enter")
    _expect(choice, "wrong", "Not quite", name, "keyboard: option 0, Enter on Check")
    key.press("Shift+Tab")
    key.press("ArrowDown")
    assert _focused(page)[:3] == ["input", "radio", "1"], f"{name}: arrow: {_focused(page)}"
    key.press("Tab")
    key.press("Space")
    _expect(choice, "right", "Right", name, "keyboard: option 1, Space on Check")
    key.press("Shift+Tab")
    key.press("ArrowDown")
    key.press("Enter")
    _expect(choice, "wrong", "Not quite", name, "keyboard: option 2, Enter on the radio")
    key.press("Tab")
    key.press("Tab")
    assert _focused(page)[1:2] == ["text"], f"{name}: Tab to the number: {_focused(page)}"
    key.type("0.9")
    key.press("Enter")
    _expect(number, "wrong", "Not quite", name, "keyboard: typed 0.9, Enter")
    key.press("Control+A")
    key.type("1/2")
    key.press("Enter")
    _expect(number, "right", "Right", name, "keyboard: typed 1/2, Enter")
    key.press("Tab")
    key.press("Space")
    _expect(number, "right", "Right", name, "keyboard: Space on Check")


def check_readable(page, name, body_colour="rgb(238, 238, 238)"):
    """Every piece of quiz text is at least 12 px and in the page's own colour."""
    styles = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.wb-quiz legend, .wb-quiz label, .wb-quiz button, .wb-quiz input[type=text],'
        + ' .wb-quiz-feedback')).map(e => { const s = getComputedStyle(e);
          return [e.tagName, parseFloat(s.fontSize), s.color]; })""")
    assert styles, f"{name}: no quiz text found"
    for tag, size, colour in styles:
        assert size >= 12, f"{name}: {tag} text is {size}px, less than 12px"
        assert colour == body_colour, f"{name}: {tag} is {colour}, not the page's {body_colour}"


def check_copies_independent(page, name):
    """Two copies of one choice quiz: each keeps its own choice and its own verdict."""
    first, second = page.locator(".wb-quiz").nth(0), page.locator(".wb-quiz").nth(1)
    check_choice_quiz(first, right=1, wrong=0, name=f"{name}, copy 1")
    check_choice_quiz(second, right=1, wrong=2, name=f"{name}, copy 2")
    first.locator("label").nth(0).click()
    assert second.locator("input").nth(1).is_checked(), (
        f"{name}: choosing in copy 1 unchose copy 2")
    _expect(second, "right", "Right", name, "copy 2 after a choice in copy 1")


def check_question_at_body_size(page, name):
    """The question (the legend) is no larger than the options' text."""
    sizes = page.evaluate("""() => Array.from(document.querySelectorAll('.wb-quiz')).map(q =>
        [parseFloat(getComputedStyle(q.querySelector('legend')).fontSize),
         parseFloat(getComputedStyle(q.querySelector('label')).fontSize)])""")
    for k, (question, body) in enumerate(sizes):
        assert question <= 1.05 * body, (
            f"{name}: quiz {k}'s question is {question}px, its options {body}px")


# The book theme's rule for a legend (Bootstrap's): heading size, floated across the box.
THEME_LEGEND = "<style>legend{float:left;width:100%;font-size:calc(1.275rem + .3vw)}</style>"


def _page_of(*quizzes):
    return "\n".join(q.to_html() for q in quizzes)


def _without_script(html):
    return re.sub(r"<script>.*?</script>", "", html, flags=re.S)


@pytest.mark.browser
def test_quizzes_answer_by_mouse_and_keyboard(browser, tmp_path):
    page, problems = open_page(browser, tmp_path, "good", _page_of(gate_quiz(), sigma_quiz()),
                               DARK)
    choice, number = page.locator(".wb-quiz").nth(0), page.locator(".wb-quiz").nth(1)
    assert choice.locator(".wb-quiz-feedback").inner_text() == ""
    choice.locator(".wb-quiz-check").click()
    _expect(choice, "empty", "Choose an option", "good", "Check with nothing chosen")
    check_choice_quiz(choice, right=1, wrong=0, name="good")
    choice.locator("label").nth(0).click()
    choice.locator(".wb-quiz-check").click()
    _expect(choice, "wrong", "the input gate decides what is written.", "good", "the hint")
    check_number_quiz(number, inside="0.505", outside="0.52", name="good")
    for typed in ("0,5", ".5", " 5e-1 ", "1/2", "0.495"):
        number.locator("input").fill(typed)
        number.locator("input").press("Enter")
        _expect(number, "right", "Right — σ(0) = 1/2.", "good", f"typed {typed!r}")
    number.locator("input").fill("half")
    number.locator("input").press("Enter")
    _expect(number, "invalid", "is not a number", "good", "typed 'half'")
    check_readable(page, "good")
    page.close()
    check_no_page_errors(problems, "good")
    page, problems = open_page(browser, tmp_path, "keys", _page_of(gate_quiz(), sigma_quiz()))
    check_keyboard(page, "keys")
    page.close()
    check_no_page_errors(problems, "keys")


@pytest.mark.browser
def test_thousands_and_readable_notation_in_the_page(browser, tmp_path):
    count = ask_number("How many numbers are in U, 32 × 140?", 4480, explain="32 × 140.")
    notation = ask("What does ||W^k|| do?", ["it stays h_{k-1}", "it grows like 3^k"], 0,
                   wrong={1: "3^k is only a bound: ||W^k|| <= ||W||^k."})
    page, problems = open_page(browser, tmp_path, "forms", THEME_LEGEND + _page_of(count,
                                                                                 notation))
    quiz = page.locator(".wb-quiz").nth(0)
    for typed in ("4,480", "4480", "4 480"):
        quiz.locator("input").fill(typed)
        quiz.locator("input").press("Enter")
        _expect(quiz, "right", "Right", "forms", f"typed {typed!r}")
    assert "4,480" in quiz.locator(".wb-quiz-forms").inner_text()
    check_question_at_body_size(page, "forms")
    quiz = page.locator(".wb-quiz").nth(1)
    quiz.locator("label").nth(1).click()
    quiz.locator(".wb-quiz-check").click()
    shown = quiz.inner_text()
    assert "‖Wk‖ ≤ ‖W‖k" in shown and "hk−1" in shown, shown
    assert not raw_tex(shown), f"raw TeX in the page: {raw_tex(shown)}"
    page.close()
    check_no_page_errors(problems, "forms")
    # The question without its own font: the theme's heading size.
    html = THEME_LEGEND + _page_of(notation).replace('style="font:inherit;', 'style="')
    page, _ = open_page(browser, tmp_path, "big", html)
    with pytest.raises(AssertionError, match="question is"):
        check_question_at_body_size(page, "big")
    page.close()


@pytest.mark.browser
def test_the_same_quiz_twice_on_a_page_works_twice(browser, tmp_path):
    page, problems = open_page(browser, tmp_path, "twice", _page_of(gate_quiz(), gate_quiz()))
    check_copies_independent(page, "twice")
    page.close()
    check_no_page_errors(problems, "twice")


@pytest.mark.browser
def test_each_check_fails_on_a_page_broken_on_purpose(browser, tmp_path):
    # No script: nothing answers, by mouse or by keyboard.
    html = _without_script(_page_of(gate_quiz(), sigma_quiz()))
    page, problems = open_page(browser, tmp_path, "noscript", html)
    with pytest.raises(AssertionError, match="expected 'Not quite'"):
        check_choice_quiz(page.locator(".wb-quiz").nth(0), right=1, wrong=0, name="noscript")
    with pytest.raises(AssertionError, match="expected 'Not quite'"):
        check_number_quiz(page.locator(".wb-quiz").nth(1), "0.5", "0.9", name="noscript")
    page.reload()
    with pytest.raises(AssertionError, match="keyboard"):
        check_keyboard(page, "noscript")
    page.close()
    check_no_page_errors(problems, "noscript")  # broken, but silently: only the checks see it

    # Check is a <div>: the mouse still works, the keyboard cannot reach it.
    html = _page_of(gate_quiz(), sigma_quiz()).replace(
        '<button type="button" class="wb-quiz-check"', '<div class="wb-quiz-check"').replace(
        "</button>", "</div>")
    page, _ = open_page(browser, tmp_path, "nobutton", html)
    check_choice_quiz(page.locator(".wb-quiz").nth(0), right=1, wrong=0, name="nobutton")
    page.reload()
    with pytest.raises(AssertionError, match="Tab did not reach Check"):
        check_keyboard(page, "nobutton")
    page.close()

    # A tolerance far too wide accepts a wrong value.
    page, _ = open_page(browser, tmp_path, "wide", sigma_quiz(tolerance=1.0).to_html())
    with pytest.raises(AssertionError, match="typed '0.9'"):
        check_number_quiz(page.locator(".wb-quiz"), "0.5", "0.9", name="wide")
    page.close()

    # Radios that share one name across copies: choosing in one copy unchooses the other.
    html = _page_of(gate_quiz(), gate_quiz()).replace(
        'radios[i].name = uid + "-" + seq;', "")
    page, _ = open_page(browser, tmp_path, "samename", html)
    with pytest.raises(AssertionError, match="unchose copy 2"):
        check_copies_independent(page, "samename")
    page.close()

    # Small text in a fixed dark colour: unreadable on a dark page.
    html = sigma_quiz().to_html().replace("font-size:max(12px,1em);color:inherit",
                                          "font-size:10px;color:#222")
    page, _ = open_page(browser, tmp_path, "small", html, DARK)
    with pytest.raises(AssertionError, match="less than 12px"):
        check_readable(page, "small")
    page.close()
    html = sigma_quiz().to_html().replace("color:inherit;border", "color:#222;border")
    page, _ = open_page(browser, tmp_path, "dim", html, DARK)
    with pytest.raises(AssertionError, match="not the page's"):
        check_readable(page, "dim")
    page.close()

    # A record the script cannot decode is a JavaScript error, and the error check sees it.
    html = re.sub(r'data-key="[^"]+"', 'data-key="!!"', gate_quiz().to_html())
    page, problems = open_page(browser, tmp_path, "badkey", html)
    page.close()
    with pytest.raises(AssertionError, match="JavaScript errors"):
        check_no_page_errors(problems, "badkey")
