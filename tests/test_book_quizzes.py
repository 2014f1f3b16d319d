"""The quick questions of every chapter answer in the built HTML book, with no kernel.

Each chapter page must carry at least two quizzes (``whiteboard.viz.quiz``), and each must
say "Not quite" to a wrong answer and "Right" to the right one, with its question at body
size and no raw TeX (``h_{k-1}``, ``||W||``) in what the reader sees. The checks themselves
are shown to fail on pages broken on purpose in ``tests/test_quiz.py``.
"""

from __future__ import annotations

import base64
import json

import pytest
from book_pages import chapter_notebooks
from reader_checks import check_no_errors_or_missing_files, open_offline
from test_quiz import check_choice_quiz, check_number_quiz, check_question_at_body_size

from whiteboard.viz.quiz import _keystream
from whiteboard.viz.quiz_text import raw_tex

pytestmark = pytest.mark.browser

CHAPTERS = [f"book/{p.stem}" for p in chapter_notebooks()]


def _record(quiz):
    """The answer record the page's script decodes (the same XOR of the same key stream)."""
    uid = quiz.get_attribute("data-uid")
    data = base64.b64decode(quiz.get_attribute("data-key"))
    return json.loads(bytes(a ^ b for a, b in zip(data, _keystream(uid, len(data)),
                                                    strict=True)).decode())


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_chapter_asks_at_least_two_questions_that_answer(browser, site, name):
    page, problems = open_offline(browser, f"{site}/{name}.html")
    try:
        quizzes = page.locator("fieldset.wb-quiz")
        assert quizzes.count() >= 2, f"{name}: {quizzes.count()} quick questions, expected >= 2"
        for k in range(quizzes.count()):
            quiz = quizzes.nth(k)
            quiz.scroll_into_view_if_needed()
            answer = _record(quiz)["a"]
            if quiz.locator("input.wb-quiz-input").count():
                check_number_quiz(quiz, repr(answer), repr(answer + 1000), f"{name} #{k}")
            else:
                n = quiz.locator("input[type=radio]").count()
                wrong = next(j for j in range(n) if j != answer)
                check_choice_quiz(quiz, int(answer), wrong, f"{name} #{k}")
            for shown in (quiz.locator("legend").inner_text(), quiz.inner_text()):
                assert not raw_tex(shown), f"{name} #{k}: raw TeX {raw_tex(shown)} in {shown!r}"
        check_question_at_body_size(page, name)
        check_no_errors_or_missing_files(problems, name)
    finally:
        page.close()
