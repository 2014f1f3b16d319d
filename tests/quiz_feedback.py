"""Which choice quizzes of the book answer a wrong pick with only "try again".

Each wrong option of a quiz can say why it is wrong (``ask(..., wrong={option: why})``); a
pick without its own feedback reads "Not quite — try again.". This reads the quizzes the
notebooks stored (as the page gets them) and lists every wrong option that has none:

    .venv/bin/python tests/quiz_feedback.py            # every notebook of book/
    .venv/bin/python tests/quiz_feedback.py book/05_lstm_math.ipynb

It exits with 1 when it lists any. ``make test`` does not run it on the book: the chapters'
feedback is still being written; ``tests/test_quiz_feedback.py`` shows that it finds them.
"""

from __future__ import annotations

import base64
import html
import json
import re
import sys
from pathlib import Path

from whiteboard.viz.quiz import _keystream

ROOT = Path(__file__).resolve().parent.parent
_QUIZ = re.compile(r'<fieldset class="wb-quiz" data-uid="([^"]+)" data-kind="(\w+)" '
                   r'data-key="([^"]+)"')
_LEGEND = re.compile(r"<legend[^>]*>(.*?)</legend>", re.S)
_OPTION = re.compile(r'<input type="radio"[^>]*> (.*?)</label>', re.S)


def stored_choice_quizzes(path: Path) -> list[dict]:
    """Every choice quiz a notebook shows: its cell, question, options and answer record."""
    found = []
    for index, cell in enumerate(json.loads(path.read_text())["cells"]):
        for out in cell.get("outputs", []):
            page = "".join(out.get("data", {}).get("text/html", ""))
            for m in _QUIZ.finditer(page):
                if m[2] != "choice":
                    continue
                rest = page[m.end():page.index("</fieldset>", m.end())]
                found.append({"cell": index, "question": _plain(_LEGEND.search(rest)[1]),
                              "options": [_plain(o) for o in _OPTION.findall(rest)],
                              "record": _reveal(m[1], m[3])})
    return found


def wrong_picks_without_feedback(paths) -> list[str]:
    """One line per choice quiz with a wrong option that gets only "try again"."""
    lines = []
    for path in paths:
        for quiz in stored_choice_quizzes(Path(path)):
            hints, right = quiz["record"]["h"], quiz["record"]["a"]
            bare = [quiz["options"][k] for k, hint in enumerate(hints)
                    if k != right and not hint.strip()]
            if bare:
                lines.append(f"{Path(path).name}, cell {quiz['cell']}: {quiz['question']!r}: "
                             f"no feedback for {bare}")
    return lines


def _reveal(uid: str, key: str) -> dict:
    data = base64.b64decode(key)
    return json.loads(bytes(a ^ b for a, b in zip(data, _keystream(uid, len(data)),
                                                  strict=True)).decode())


def _plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or sorted((ROOT / "book").glob("*.ipynb"))
    lines = wrong_picks_without_feedback(paths)
    print("\n".join(lines) or "every wrong option of every choice quiz has its feedback")
    print(f"{len(lines)} choice quizzes with a wrong option that gets only 'try again'")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
