"""The check that lists choice quizzes whose wrong picks get only "try again"."""

from __future__ import annotations

import nbformat
from quiz_feedback import stored_choice_quizzes, wrong_picks_without_feedback

from whiteboard.viz.quiz import ask, ask_number


def _notebook(tmp_path, *quizzes):
    nb = nbformat.v4.new_notebook()
    for quiz in quizzes:
        cell = nbformat.v4.new_code_cell("ask(...)")
        cell.outputs = [nbformat.v4.new_output(
            "execute_result", {"text/html": quiz.to_html(), "text/plain": repr(quiz)},
            execution_count=1)]
        nb.cells.append(cell)
    path = tmp_path / "quizzes.ipynb"
    nbformat.write(nb, path)
    return path


def test_it_lists_exactly_the_wrong_options_without_feedback(tmp_path):
    full = ask("Which gate forgets?", ["input", "forget", "output"], 1,
               wrong={0: "it writes.", 2: "it reads."})
    half = ask("Is h_{t-1} read?", ["yes", "no", "only by f"], 0, wrong={1: "it is."})
    number = ask_number("How many gates?", 3)
    path = _notebook(tmp_path, full, half, number)
    assert [q["question"] for q in stored_choice_quizzes(path)] == [
        "Which gate forgets?", "Is ht−1 read?"]
    assert wrong_picks_without_feedback([path]) == [
        "quizzes.ipynb, cell 1: 'Is ht−1 read?': no feedback for ['only by f']"]
    assert wrong_picks_without_feedback([_notebook(tmp_path, full, number)]) == []
