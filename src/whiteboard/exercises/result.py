"""What a checker returns: passed or not, and a message that names the mistake.

A :class:`CheckResult` is true when the submission passed, prints as one plain line, and
shows in Jupyter as a green tick or a red cross followed by the message.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

__all__ = ["CheckResult"]

_STYLE = {
    True: ("✓", "passed", "#1b5e20", "#e8f5e9"),
    False: ("✗", "failed", "#b71c1c", "#ffebee"),
}


@dataclass(frozen=True)
class CheckResult:
    """The verdict of a checker.

    Attributes:
        passed: True when the submission agrees with the reference on every probe.
        message: what was found, in words: on failure the mistake (or, when the mistake is
            not in the checker's catalogue, which output differs, by how much and where).
        checker: the checker's name, e.g. ``"check_lstm_step"``.
        mistakes: the catalogue keys of the mistakes diagnosed (empty when passed, or when
            the failure is not a catalogued mistake); meant for tests and for teachers who
            tally a class's submissions.
    """

    passed: bool
    message: str
    checker: str = "check"
    mistakes: tuple = ()

    def __bool__(self) -> bool:
        return bool(self.passed)

    def _headline(self) -> tuple[str, str, str, str]:
        mark, verdict, fg, bg = _STYLE[bool(self.passed)]
        return mark, f"{self.checker} {verdict}", fg, bg

    def __repr__(self) -> str:
        mark, head, _, _ = self._headline()
        return f"{mark} {head}: {self.message}"

    def _repr_markdown_(self) -> str:
        mark, head, _, _ = self._headline()
        body = self.message.replace("\n", "  \n")
        return f"**{mark} {head}.** {body}"

    def _repr_html_(self) -> str:
        mark, head, fg, bg = self._headline()
        body = html.escape(self.message).replace("\n", "<br>")
        return (
            f'<div class="wb-check" style="border-left: 4px solid {fg}; background: {bg}; '
            f'color: #212121; padding: 0.4em 0.8em; margin: 0.3em 0;">'
            f'<strong style="color: {fg};">{mark} {html.escape(head)}.</strong> {body}</div>'
        )
