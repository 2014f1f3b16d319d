r"""Quiz text as a reader should see it: the notation people type, made readable.

Questions, options and feedback are written as plain text, with the book's notation the way
one types it: ``h_{k-1}``, ``c_t``, ``||W^k|| <= ||W||^k``, ``0.9^10``, or TeX between
dollars (``$\lVert W \rVert_2 \le 3$``). :func:`readable_html` turns that into HTML that
reads the same in the built book and in Jupyter, with no MathJax: sub- and superscripts
become ``<sub>`` and ``<sup>``, ``||`` the norm bar ‖, ``<=``, ``>=`` and ``!=`` ≤ ≥ ≠, TeX
commands their symbols (``\odot`` ⊙, ``\sigma`` σ, ``\tilde{s}`` s̃ ...), and a minus in a
sub- or superscript −. Everything else is escaped. :func:`readable_text` is the same in plain
Unicode, for the text form of a quiz.

A subscript needs a one-letter name before it (``h_t``, ``b_f``), so a code name such as
``story_rnn`` stays as it is. :func:`raw_tex` finds what a reader would still see as TeX in
a text; the tests run it on every quiz of the book.
"""

from __future__ import annotations

import html
import re

__all__ = ["readable_html", "readable_text", "raw_tex", "TEX_SYMBOLS"]

# TeX commands -> what a reader sees. Commands with an argument are in _TEX_ARGUMENT.
TEX_SYMBOLS = {
    "odot": "⊙", "otimes": "⊗", "cdot": "·", "times": "×", "circ": "∘", "pm": "±",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈",
    "sim": "∼", "equiv": "≡", "propto": "∝", "to": "→", "rightarrow": "→",
    "leftarrow": "←", "mapsto": "↦", "in": "∈", "infty": "∞", "partial": "∂",
    "nabla": "∇", "sum": "Σ", "prod": "∏", "sqrt": "√", "lVert": "‖", "rVert": "‖",
    "Vert": "‖", "|": "‖", "lvert": "|", "rvert": "|", "ldots": "…", "dots": "…",
    "cdots": "⋯", "tanh": "tanh", "exp": "exp", "log": "log", "ln": "ln", "max": "max",
    "min": "min", "det": "det", "diag": "diag", "top": "⊤", "{": "\x00", "}": "\x01",
    ",": "\u2009", ";": " ", " ": " ", "quad": "  ", "qquad": "    ", "left": "",
    "right": "", "big": "", "Big": "",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε",
    "varepsilon": "ε", "zeta": "ζ", "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ",
    "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ",
    "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ",
    "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ",
    "Psi": "Ψ", "Omega": "Ω",
}
_ACCENT = {"tilde": "\u0303", "hat": "\u0302", "bar": "\u0304", "dot": "\u0307",
           "vec": "\u20d7"}
_PLAIN_ARGUMENT = ("text", "mathrm", "operatorname", "mathit", "mathbf", "boldsymbol", "bm")
_BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ"}
_OPERATORS = {"||": "‖", "<=": "≤", ">=": "≥", "!=": "≠"}

_GROUP = r"\{((?:[^{}]|\{[^{}]*\})*)\}"  # {...}, with one level of braces inside
_SCRIPT = re.compile(r"(?P<mark>[_^])(?:" + _GROUP + r"|(?P<token>-?[\w′]+))")
_COMMAND = re.compile(r"\\(?P<name>[A-Za-z]+|[,;| {}])")
_RAW = re.compile(r"\\[A-Za-z]+|\\[,;|{}]|(?<![\w.])[A-Za-z]_[\w{]|[\^$]|_\{|\|\||<=|>=|!=")

_SUB = dict(zip("0123456789+−=()aehijklmnoprstuvx",
                "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))
_SUP = dict(zip("0123456789+−=()abcdefghijklmnoprstuvwxyzTW",
                "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᵀᵂ", strict=True))


def readable_html(text: str) -> str:
    """``text`` as escaped HTML with its notation made readable (see the module)."""
    return "".join(html.escape(s) if kind == "text" else f"<{kind}>{html.escape(s)}</{kind}>"
                   for kind, s in _pieces(text))


def readable_text(text: str) -> str:
    """``text`` with its notation in plain Unicode: ``h_{k-1}`` -> ``hₖ₋₁``, and
    ``x_(…)`` / ``x^(…)`` where Unicode has no small letter for every character."""
    out = []
    for kind, s in _pieces(text):
        table = {"sub": _SUB, "sup": _SUP}.get(kind)
        if table is None:
            out.append(s)
        elif all(c in table for c in s):
            out.append("".join(table[c] for c in s))
        else:
            out.append(("_(" if kind == "sub" else "^(") + s + ")")
    return "".join(out)


def raw_tex(text: str) -> list[str]:
    """The bits of ``text`` (as the reader sees it) that read as raw TeX: a backslash
    command, a ``_`` after a one-letter name, ``^``, ``$``, ``||``, ``<=``, ``>=``, ``!=``."""
    return _RAW.findall(text)


def _pieces(text: str) -> list[tuple[str, str]]:
    """``text`` as ("text" | "sub" | "sup", string) pieces, the notation resolved."""
    if not isinstance(text, str):
        raise TypeError(f"quiz text must be a string, got {type(text).__name__}")
    pieces: list[tuple[str, str]] = []
    for k, part in enumerate(text.split("$")):
        math = k % 2 == 1
        pieces += _scripts(_commands(part) if math else _operators(part), math)
    return _joined(pieces)


def _operators(s: str) -> str:
    for typed, symbol in _OPERATORS.items():
        s = s.replace(typed, symbol)
    return s


def _commands(s: str) -> str:
    """TeX commands (between dollars, or anywhere) as their symbols; an unknown one is an
    error that names the known ones, so no raw command ever reaches a reader."""
    s = re.sub(r"\\frac" + _GROUP + _GROUP, lambda m: f"{_atom(m[1])}/{_atom(m[2])}", s)
    s = re.sub(r"\\mathbb\{(\w)\}", lambda m: _BLACKBOARD.get(m[1], m[1]), s)
    s = re.sub(r"\\(" + "|".join(_PLAIN_ARGUMENT) + r")" + _GROUP, lambda m: m[2], s)
    s = re.sub(r"\\(" + "|".join(_ACCENT) + r")\{?(\w)\}?",
               lambda m: m[2] + _ACCENT[m[1]], s)

    def symbol(m):
        name = m["name"]
        if name not in TEX_SYMBOLS:
            raise ValueError(f"quiz text uses the TeX command \\{name}, which it cannot show "
                             f"without MathJax; known commands: {sorted(TEX_SYMBOLS)}")
        return TEX_SYMBOLS[name]

    # Inner spaces of a norm or an absolute value show nothing, as in TeX.
    s = re.sub(r"(\\(?:lVert|lvert|left\S))\s+", r"\1{}", s)
    s = re.sub(r"\s+(\\(?:rVert|rvert|right\S))", r"\1", s)
    return _operators(_COMMAND.sub(symbol, s))


def _atom(s: str) -> str:
    """``s`` as one operand of a slash: in parentheses unless it is one number or name."""
    return s if re.fullmatch(r"[\w.]+", s) else f"({s})"


def _scripts(s: str, math: bool) -> list[tuple[str, str]]:
    """Split ``s`` at sub- and superscripts. Outside dollars a subscript needs a one-letter
    name before it (``h_t``, not ``story_rnn``); a superscript may follow anything."""
    pieces, at = [], 0
    for m in _SCRIPT.finditer(s):
        before = s[:m.start()]
        if m["mark"] == "_" and not math and not re.search(r"(?<![\w.])[^\W\d_]$", before):
            continue
        if not before or before[-1].isspace():
            continue
        script = m[2] if m[2] is not None else m["token"]
        pieces += [("text", s[at:m.start()]),
                   ("sub" if m["mark"] == "_" else "sup", script.replace("-", "−"))]
        at = m.end()
    pieces.append(("text", s[at:]))
    if math:  # TeX's grouping braces show nothing; \{ and \} are braces
        pieces = [(kind, _braces(t)) for kind, t in pieces]
    return pieces


def _braces(s: str) -> str:
    return s.replace("{", "").replace("}", "").replace("\x00", "{").replace("\x01", "}")


def _joined(pieces):
    out = []
    for kind, s in pieces:
        if not s:
            continue
        if out and out[-1][0] == kind == "text":
            out[-1] = ("text", out[-1][1] + s)
        else:
            out.append((kind, s))
    return out
