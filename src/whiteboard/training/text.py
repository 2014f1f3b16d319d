"""The character text task: Python source read one character at a time, in windows.

**The corpus.**  The top-level ``.py`` modules of the running Python's standard library, a
fixed list (:data:`STDLIB_MODULES`), joined in that order: code written by people, which
ships with every Python under the PSF licence, so nothing is downloaded and no text is
committed.  :func:`stdlib_corpus` records the Python version, the list and a SHA-256 of the
text, since another Python gives another text.

**The alphabet.**  96 symbols (:data:`CHARS`): the newline and the printable ASCII
characters 32..126.  A tab becomes four spaces; any other character (a non-ASCII letter in
a docstring, say) becomes ``?``, and the corpus counts how many did.

**The held-out text.**  The chapter measures the networks on a text the project wrote and
froze (:func:`heldout_text`): a copy of a few of this package's own modules, stored as data,
so its numbers depend neither on the reader's Python nor on later edits of the package.

**Windows for truncated BPTT** (:func:`stream`).  The text is cut into B contiguous lanes
(:func:`lanes`) read side by side, a window the next T characters of every lane and their
targets one character further on (:class:`Window`).  Since lane b's window k + 1 continues
where its window k stopped, a network can carry its state from one window to the next.
"""

from __future__ import annotations

import hashlib
import platform
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from whiteboard.checks import as_rng, check_positive_int, check_text

__all__ = ["CHARS", "STDLIB_MODULES", "HELDOUT_SOURCES", "Corpus", "Window", "stdlib_corpus",
           "to_alphabet", "encode", "decode", "heldout_text", "stream", "lanes"]

CHARS = "\n" + "".join(chr(i) for i in range(32, 127))
_INDEX = {ch: i for i, ch in enumerate(CHARS)}

# Modules that are plain top-level .py files from Python 3.10 on (none of the batteries
# removed in 3.13, none that became packages, such as pathlib or zipfile), in this order.
STDLIB_MODULES = (
    "abc", "argparse", "ast", "base64", "bdb", "bisect", "calendar", "cmd", "code", "codecs",
    "codeop", "colorsys", "compileall", "configparser", "contextlib", "copy", "copyreg", "csv",
    "dataclasses", "datetime", "difflib", "dis", "enum", "filecmp", "fileinput", "fnmatch",
    "fractions", "ftplib", "functools", "genericpath", "getopt", "getpass", "gettext", "glob",
    "graphlib", "gzip", "hashlib", "heapq", "hmac", "inspect", "ipaddress", "keyword",
    "linecache", "locale", "lzma", "mailbox", "mimetypes", "modulefinder", "netrc", "ntpath",
    "numbers", "opcode", "operator", "optparse", "os", "pdb", "pickle", "pkgutil", "platform",
    "plistlib", "poplib", "posixpath", "pprint", "profile", "pstats", "pty", "py_compile",
    "pyclbr", "queue", "quopri", "random", "reprlib", "rlcompleter", "runpy", "sched",
    "secrets", "selectors", "shelve", "shlex", "shutil", "signal", "site", "smtplib", "socket",
    "socketserver", "ssl", "stat", "statistics", "string", "stringprep", "struct",
    "subprocess", "symtable", "sysconfig", "tabnanny", "tarfile", "tempfile", "textwrap",
    "threading", "timeit", "token", "tokenize", "trace", "traceback", "tracemalloc", "tty",
    "types", "typing", "uuid", "warnings", "wave", "weakref", "webbrowser", "zipapp",
    "zipimport",
)

# The held-out text is a frozen copy of these modules of this package as they stood at commit
# b2d232d, joined in this order like the corpus (each followed by one blank line).
HELDOUT_SOURCES = ("checks.py", "training/loop.py", "training/experiments.py", "__main__.py",
                   "board/runs.py", "viz/players.py")
_HELDOUT = Path(__file__).resolve().parent / "python_heldout.txt"


@dataclass(frozen=True, repr=False)
class Corpus:
    """A training text and where it came from.

    Attributes:
        text: the text, in the alphabet :data:`CHARS`.
        modules: the standard-library modules it joins, in order.
        python: the version of the Python whose library it is.
        sha256: the SHA-256 of ``text`` (UTF-8), hex.
        replaced: how many characters outside the alphabet became ``?``.
    """

    text: str
    modules: tuple
    python: str
    sha256: str
    replaced: int

    def describe(self) -> dict:
        """What a record keeps of the corpus: everything but the text itself."""
        return {"python": self.python, "modules": list(self.modules), "chars": len(self.text),
                "sha256": self.sha256, "replaced": self.replaced}

    def __repr__(self) -> str:
        return (f"Corpus({len(self.modules)} modules of Python {self.python}, "
                f"{len(self.text)} characters, sha256 {self.sha256[:12]}...)")


def to_alphabet(text: str) -> tuple[str, int]:
    """``(text in the alphabet, how many characters became ?)``; a tab becomes four spaces."""
    text = text.replace("\r\n", "\n").replace("\t", "    ")
    out = [ch if ch in _INDEX else "?" for ch in text]
    replaced = sum(1 for ch in text if ch not in _INDEX)
    return "".join(out), replaced


def stdlib_corpus(modules=STDLIB_MODULES, *, root=None) -> Corpus:
    """The training text: the source of ``modules`` from the standard library, joined.

    Each module's source is read as UTF-8, put in the alphabet (:func:`to_alphabet`) and
    followed by one blank line.  The same Python gives the same text, to the byte.

    Args:
        modules: module names, each a top-level ``NAME.py`` of the library.
        root: the library's folder (default: the running Python's, ``sysconfig``'s
            ``stdlib`` path).

    Raises:
        ValueError: ``modules`` is empty, or names a module that is not a ``.py`` file
            in ``root`` (the message names it, the folder and the Python version).
    """
    modules = tuple(modules)
    if not modules or not all(isinstance(m, str) and m for m in modules):
        raise ValueError(f"modules must be a non-empty list of module names, got {modules!r}")
    root = Path(sysconfig.get_paths()["stdlib"] if root is None else root)
    missing = [m for m in modules if not (root / f"{m}.py").is_file()]
    if missing:
        raise ValueError(
            f"the corpus needs the standard-library module(s) {', '.join(missing)} as .py "
            f"files, but {root} (Python {platform.python_version()}) has none such; give "
            "stdlib_corpus a list of modules this Python has")
    parts = [(root / f"{m}.py").read_text(encoding="utf-8") for m in modules]
    text, replaced = to_alphabet("".join(p.rstrip("\n") + "\n\n" for p in parts))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Corpus(text, modules, platform.python_version(), digest, replaced)


def encode(text: str) -> np.ndarray:
    """Character ids (N,) of ``text``, which must be in the alphabet (see :func:`to_alphabet`).

    Raises:
        TypeError: ``text`` is not a string.
        ValueError: a character is outside :data:`CHARS` (the message names the first).
    """
    check_text(text, "text")
    try:
        return np.fromiter((_INDEX[ch] for ch in text), dtype=np.int64, count=len(text))
    except KeyError as exc:
        raise ValueError(f"character {exc.args[0]!r} is not in the alphabet (newline and "
                         "ASCII 32..126); pass the text through to_alphabet first") from None


def decode(ids) -> str:
    """The text of character ids (any iterable of ints in ``0..95``)."""
    return "".join(CHARS[int(i)] for i in np.ravel(ids))


def heldout_text() -> str:
    """The held-out text the chapter measures on: a frozen copy of a few of this package's
    modules (:data:`HELDOUT_SOURCES`), in the alphabet, stored with the package."""
    return _HELDOUT.read_text(encoding="ascii")


@dataclass(frozen=True)
class Window:
    """One window of a stream.

    Attributes:
        x: (T, B) character ids, lane b in column b.
        y: (T, B) the next characters, ``y[t] = `` the character after ``x[t]``.
        first: the window starts its lanes (a new pass over the text): no state to carry.
    """

    x: np.ndarray
    y: np.ndarray
    first: bool


def lanes(ids: np.ndarray, batch: int, offset: int = 0) -> np.ndarray:
    """(B, L + 1) the text from ``offset`` cut into ``batch`` equal contiguous lanes.

    Lane b holds L + 1 characters, so that it gives L inputs and their L next characters;
    its last character is the first of lane b + 1.  What does not fill a lane is left out.
    """
    batch = check_positive_int(batch, "batch")
    ids = np.asarray(ids)[offset:]
    L = (len(ids) - 1) // batch
    if L < 1:
        raise ValueError(f"a text of {len(ids)} characters is too short for {batch} lanes")
    starts = np.arange(batch)[:, None] * L + np.arange(L + 1)
    return ids[starts]


def stream(ids, *, batch: int, window: int, rng=0) -> Iterator[Window]:
    """Windows of T = ``window`` characters from ``batch`` lanes, pass after pass, forever.

    Each pass draws the lanes' offset from ``rng`` (an int seed or a Generator) in
    ``0..window-1`` and yields every whole window of the lanes; a remainder shorter than a
    window is skipped.

    Raises:
        ValueError: the text is too short for one window in each lane.
    """
    window = check_positive_int(window, "window")
    rng = as_rng(rng)
    ids = np.asarray(ids)
    if (len(ids) - window) // batch < window:
        raise ValueError(f"a text of {len(ids)} characters is too short for {batch} lanes "
                         f"of a window of {window}")
    while True:
        L = lanes(ids, batch, int(rng.integers(window)))
        for k in range((L.shape[1] - 1) // window):
            chunk = L[:, k * window : (k + 1) * window + 1].T
            yield Window(np.ascontiguousarray(chunk[:-1]), np.ascontiguousarray(chunk[1:]),
                         k == 0)
