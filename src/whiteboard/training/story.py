"""The story task: country → language stories with a controlled lag, seeded.

The generator takes ``rng`` (a ``numpy.random.Generator`` or an int seed) and nothing in
this module touches global random state, so the same seed always gives the same batch.
Sequences are *time-major* like the models: tokens have shape ``(T, B)``.

The **lag** of a sequence is the number of steps the model must carry the clue: if the clue
(the country, the first marked symbol, the first marked number) is read at step ``t0`` and
the answer is due at the last step ``T - 1``, the lag is ``T - 1 - t0``.  So a lag of 1 means
the answer is due one step after the clue, and ``lag - 1`` tokens lie strictly between them.
Each generator fixes the lag *exactly*, for every sequence in the batch.

Story task
    ``Ana lives in France . she likes to cook . her brother is tired . she speaks`` →
    ``French``.  The lectures' own example, ``Alice lives in France . she is an artist .
    she likes to cook . she speaks`` (:data:`LECTURE_STORY`), is one of its stories.
    The country is always token 3.  What follows it (an optional tail such as
    ``these days``, the full stop, distractor sentences that never name a country or a
    language, and the closing ``she speaks``) has exactly ``lag`` tokens, so the model
    reads ``speaks`` at step ``3 + lag`` and must answer there.

The long-lag tasks of the LSTM paper (temporal order, adding) are in
:mod:`whiteboard.training.memory_tasks`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from whiteboard.checks import as_rng, check_lag, check_positive_int, check_text

__all__ = [
    "NAMES",
    "MOVES",
    "TAILS",
    "SLOTS",
    "TEMPLATES",
    "COUNTRIES",
    "LANGUAGES",
    "STORY_MIN_LAG",
    "STORY_MAX_LAG",
    "MAX_LAG",
    "StoryBatch",
    "story_vocab",
    "make_stories",
    "LECTURE_STORY",
    "encode_story",
]

# Country -> language.  Eight classes, so guessing scores 1/8.
COUNTRIES = ("France", "Spain", "Germany", "Italy", "Portugal", "Greece", "Poland", "Sweden")
LANGUAGES = ("French", "Spanish", "German", "Italian", "Portuguese", "Greek", "Polish", "Swedish")

# Longer sequences than this stop being a teaching example and start eating memory
# (the trace of one batch grows with T); the generators refuse rather than slow down.
MAX_LAG = 1000

NAMES = ("Ana", "Maria", "Lena", "Sofia", "Clara", "Nora", "Ines", "Elsa", "Mila", "Rosa",
          "Alice")
MOVES = (("lives", "in"), ("moved", "to"), ("works", "in"), ("studies", "in"))
# Words allowed between the country and the full stop, by length, so that every lag >= 3
# can be filled exactly even though the shortest distractor sentence has 3 tokens.
TAILS = {
    0: ((),),
    1: (("now",), ("today",)),
    2: (("these", "days"), ("with", "friends")),
    3: (("with", "her", "family"), ("since", "last", "year")),
}
SLOTS = {
    "hobby": ("paints", "sings", "runs", "swims", "reads", "dances", "writes", "knits"),
    "weather": ("rained", "snowed", "cleared"),
    "adj": ("tired", "happy", "busy", "calm", "curious", "late", "hungry"),
    "food": ("apples", "noodles", "soup", "bread", "cheese", "tea"),
    "animal": ("cat", "dog", "parrot", "rabbit"),
    "animal_verb": ("sleeps", "eats", "hides", "plays", "naps"),
    "todo": ("cook", "draw", "travel", "garden", "climb", "sail"),
    "relative": ("brother", "sister", "cousin", "friend", "mother", "father"),
    "job": ("teacher", "nurse", "pilot", "baker", "painter", "lawyer", "chemist"),
    # jobs that take "an": the lectures' example says "she is an artist"
    "job_an": ("artist", "engineer", "actor", "architect", "editor", "author"),
    "instrument": ("piano", "violin", "drums", "guitar"),
    "thing": ("book", "poem", "letter", "magazine"),
    "when": ("night", "morning", "week", "evening"),
    "day": ("monday", "tuesday", "friday", "sunday"),
    "place": ("market", "library", "park", "gym", "station", "museum"),
}
# Distractor sentences; every one ends with "." and none mentions a country or language.
TEMPLATES = (
    "she {hobby} .",
    "it {weather} .",
    "she is {adj} .",
    "she likes {food} .",
    "the {animal} {animal_verb} .",
    "she likes to {todo} .",
    "her {relative} is {adj} .",
    "she owns a {animal} .",
    "she works as a {job} .",
    "she is a {job} .",
    "she is an {job_an} .",
    "she works as an {job_an} .",
    "her {relative} plays the {instrument} .",
    "she reads a {thing} every {when} .",
    "she meets her {relative} on {day} .",
    "she goes to the {place} every {day} .",
    "her {relative} sends her a {thing} .",
)
_COUNTRY_STEP = 3  # "<name> <verb> <prep> <country>"
STORY_MIN_LAG = 3  # "<country> . she speaks": the full stop, "she", "speaks"
STORY_MAX_LAG = MAX_LAG


def _story_words():
    words = [".", "she", "speaks", *COUNTRIES, *LANGUAGES, *NAMES]
    words += [w for pair in MOVES for w in pair]
    words += [w for tails in TAILS.values() for tail in tails for w in tail]
    for template in TEMPLATES:
        words += [w for w in template.split() if not w.startswith("{")]
    for fillers in SLOTS.values():
        words += list(fillers)
    return tuple(dict.fromkeys(words))  # first occurrence wins: a stable order


_VOCAB = _story_words()
_INDEX = {w: i for i, w in enumerate(_VOCAB)}
_BY_LENGTH: dict[int, list[str]] = {}
for _t in TEMPLATES:
    _BY_LENGTH.setdefault(len(_t.split()), []).append(_t)
_LENGTHS = tuple(sorted(_BY_LENGTH))


def story_vocab() -> tuple[str, ...]:
    """All words of the story task, in a fixed order; a token is an index into this tuple."""
    return _VOCAB


# The motivating sentence of the lectures the book follows, written as the task writes
# stories: lowercase after a full stop, the full stop a word of its own.  Lag 13.
LECTURE_STORY = "Alice lives in France . she is an artist . she likes to cook . she speaks"


def encode_story(text: str) -> np.ndarray:
    """Token ids (T,) of a story typed as plain text, e.g. ``"Alice lives in France. She..."``.

    Words are split at spaces and full stops (a full stop is a word of its own, as in the
    task's stories); a word may be capitalised differently from the vocabulary ("She" reads
    as "she").

    Raises:
        TypeError: if ``text`` is not a string.
        ValueError: if the text has no words, or has words the task does not know; the
            message names each unknown word and the nearest words the task knows.
    """
    import difflib
    import re

    words = re.findall(r"[^\s.]+|\.", check_text(text, "the story"))
    if not words:
        raise ValueError("the story has no words; try " + repr(LECTURE_STORY))
    ids, unknown = [], []
    for w in words:
        for form in (w, w.lower(), w.capitalize()):
            if form in _INDEX:
                ids.append(_INDEX[form])
                break
        else:
            near = difflib.get_close_matches(w, _VOCAB, n=3, cutoff=0.6)
            unknown.append(f"{w!r} (nearest: {', '.join(near)})" if near else repr(w))
    if unknown:
        raise ValueError(f"the story task does not know {'; '.join(unknown)}")
    return np.array(ids, dtype=np.int64)


# ---------------------------------------------------------------------------- stories


@dataclass(frozen=True)
class StoryBatch:
    """A batch of stories, all with the same length and lag.

    Attributes:
        x: (T, B) int64 token ids into ``vocab``; ``T = 4 + lag``.
        y: (B,) int64 class ids into ``classes`` (the language to predict).
        lag: steps from the country token to ``speaks``, where the answer is due.
        country_step: the step at which the country is read (always 3).
        vocab: the words, ``vocab[token]``.
        classes: the languages, ``classes[y]``.
    """

    x: np.ndarray
    y: np.ndarray
    lag: int
    country_step: int = _COUNTRY_STEP
    vocab: tuple[str, ...] = field(default=_VOCAB, repr=False)
    classes: tuple[str, ...] = LANGUAGES

    @property
    def answer_step(self) -> int:
        """The last step, where the model reads ``speaks`` and must name the language."""
        return self.x.shape[0] - 1

    def words(self, b: int = 0) -> list[str]:
        """Story ``b`` as a list of words, one per time step."""
        return [self.vocab[i] for i in self.x[:, b]]

    def decode(self, b: int = 0) -> str:
        """Story ``b`` as text, e.g. ``'Ana lives in France . she is calm . she speaks'``."""
        return " ".join(self.words(b))

    def target(self, b: int = 0) -> str:
        """The language story ``b`` asks for."""
        return self.classes[int(self.y[b])]

    def country(self, b: int = 0) -> str:
        """The country story ``b`` names."""
        return self.vocab[int(self.x[self.country_step, b])]


def _pick(options, u):
    """One of ``options``, chosen by the next uniform number of the iterator ``u``."""
    return options[int(next(u) * len(options))]


def _fillable(n):
    """Whether ``n`` tokens can be made of whole distractor sentences."""
    return n == 0 or n >= _LENGTHS[0]


# The generator below runs once per story of every training batch, so its tables are built
# once: each template as token ids (an int for a fixed word, a tuple of ids for a slot), the
# sentence lengths that can start a filling of n tokens, and the tails that fit a story.
def _compile(template):
    """A template as ``(skeleton ids, ((position, slot ids, slot size), ...))``."""
    words = template.split()
    skeleton = [0 if w.startswith("{") else _INDEX[w] for w in words]
    slots = tuple((i, ids, len(ids)) for i, w in enumerate(words) if w.startswith("{")
                  for ids in [tuple(_INDEX[f] for f in SLOTS[w[1:-1]])])
    return skeleton, slots


_TEMPLATE_IDS = {k: [_compile(t) for t in ts] for k, ts in _BY_LENGTH.items()}
_NAME_IDS = tuple(_INDEX[w] for w in NAMES)
_MOVE_IDS = tuple((_INDEX[a], _INDEX[b]) for a, b in MOVES)
_TAIL_IDS = {k: tuple(tuple(_INDEX[w] for w in tail) for tail in tails)
             for k, tails in TAILS.items()}
_COUNTRY_IDS = tuple(_INDEX[c] for c in COUNTRIES)
_STOP, _SHE, _SPEAKS = _INDEX["."], _INDEX["she"], _INDEX["speaks"]


@functools.cache
def _starts(n):
    """Sentence lengths k that can start a filling of exactly ``n`` tokens."""
    return tuple(k for k in _LENGTHS if k <= n and _fillable(n - k))


@functools.cache
def _tails(free):
    """Tail lengths that leave a fillable number of the ``free`` tokens."""
    return tuple(k for k in TAILS if k <= free and _fillable(free - k))


def _distractors(n, u, out):
    """Append random distractor sentences with exactly ``n`` tokens in total to ``out``."""
    while n > 0:
        k = _pick(_starts(n), u)
        skeleton, slots = _pick(_TEMPLATE_IDS[k], u)
        sentence = skeleton.copy()
        for i, ids, size in slots:  # the slots in reading order, one draw each
            sentence[i] = ids[int(next(u) * size)]
        out += sentence
        n -= k


def _story(country, lag, u):
    """Token ids of one story (the draws from ``u`` are the order of its words)."""
    name = _pick(_NAME_IDS, u)
    verb, prep = _pick(_MOVE_IDS, u)
    free = lag - STORY_MIN_LAG  # tokens for the tail and the distractors
    k = _pick(_tails(free), u)
    ids = [name, verb, prep, _COUNTRY_IDS[country], *_pick(_TAIL_IDS[k], u), _STOP]
    _distractors(free - k, u, ids)
    ids += [_SHE, _SPEAKS]
    return ids


def make_stories(batch_size: int, lag: int, *, rng) -> StoryBatch:
    """Make ``batch_size`` stories whose country comes exactly ``lag`` steps before the answer.

    The story is ``<name> <lives in> <country> [tail] . <distractors> she speaks``; the class
    is the country's language.  Countries are drawn uniformly, so chance is ``1/8``.

    Args:
        batch_size: B, at least 1.
        lag: steps from the country token to ``speaks``, from ``STORY_MIN_LAG`` (3: the full
            stop, ``she``, ``speaks``) to ``STORY_MAX_LAG``.
        rng: a ``numpy.random.Generator`` or an int seed.

    Returns:
        A :class:`StoryBatch` with ``x`` of shape ``(4 + lag, B)`` and ``y`` of shape ``(B,)``.
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    lag = check_lag(lag, STORY_MIN_LAG, STORY_MAX_LAG)
    rng = as_rng(rng)
    y = rng.integers(len(COUNTRIES), size=batch_size)
    # One call to the generator per batch: a story uses 4 draws for its opening and at
    # most one per distractor token, so 2 * lag + 8 uniforms always suffice.
    u = iter(rng.random(batch_size * (2 * lag + 8)).tolist())
    x = np.array([_story(int(c), lag, u) for c in y], dtype=np.int64).T
    return StoryBatch(x=x, y=y.astype(np.int64), lag=lag)
