"""The task generators: exact lags, seeded reproducibility, clean text, clear errors."""

import numpy as np
import pytest

from whiteboard.training import story
from whiteboard.training.memory_tasks import make_adding, make_temporal_order
from whiteboard.training.story import (
    COUNTRIES,
    LANGUAGES,
    MAX_LAG,
    STORY_MIN_LAG,
    make_stories,
    story_vocab,
)


@pytest.mark.parametrize("lag", [3, 4, 5, 6, 7, 10, 37, 120])
def test_story_lag_is_exact(lag):
    batch = make_stories(16, lag, rng=lag)
    T, B = batch.x.shape
    assert (T, B) == (4 + lag, 16)
    assert batch.answer_step - batch.country_step == lag
    vocab = story_vocab()
    for b in range(B):
        words = batch.words(b)
        assert words[batch.country_step] in COUNTRIES
        assert words[-2:] == ["she", "speaks"]
        # the country is the only clue: no other country or language appears anywhere
        clues = [w for w in words if w in COUNTRIES or w in LANGUAGES]
        assert clues == [batch.country(b)]
        assert LANGUAGES[COUNTRIES.index(batch.country(b))] == batch.target(b)
    assert batch.x.dtype == np.int64 and batch.x.min() >= 0 and batch.x.max() < len(vocab)


def test_story_text_reads_as_sentences():
    batch = make_stories(8, 30, rng=1)
    for b in range(8):
        text = batch.decode(b)
        sentences = [s.split() for s in text.split(" . ")]
        # every distractor sentence is a whole sentence of at least three words
        assert all(len(s) >= 2 for s in sentences[1:-1]), text
        assert text.endswith(". she speaks")


def test_story_seeded():
    a = make_stories(5, 20, rng=7)
    b = make_stories(5, 20, rng=np.random.default_rng(7))
    c = make_stories(5, 20, rng=8)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x)


def test_story_no_global_state():
    np.random.seed(0)
    a = make_stories(4, 12, rng=3)
    np.random.seed(1)
    b = make_stories(4, 12, rng=3)
    np.testing.assert_array_equal(a.x, b.x)


def test_story_classes_balanced():
    y = make_stories(4000, 3, rng=0).y
    counts = np.bincount(y, minlength=len(LANGUAGES))
    assert counts.min() > 400  # about 500 each


def test_story_longest_lag():
    batch = make_stories(2, MAX_LAG, rng=0)
    assert batch.x.shape == (MAX_LAG + 4, 2)


@pytest.mark.parametrize("lag", [2, 3, 9, 50])
def test_temporal_order(lag):
    batch = make_temporal_order(64, lag, rng=0, prefix=4)
    T = batch.x.shape[0]
    assert T == 4 + lag + 1
    t1, t2 = batch.clue_steps
    assert (t1 == 4).all() and (t2 > t1).all() and (t2 < T - 1).all()
    assert (T - 1) - t1[0] == lag
    cols = np.arange(64)
    relevant = np.isin(batch.x, [4, 5])
    assert (relevant.sum(axis=0) == 2).all()  # exactly two X/Y symbols per sequence
    first, second = batch.x[t1, cols] - 4, batch.x[t2, cols] - 4
    np.testing.assert_array_equal(batch.y, 2 * first + second)
    assert (batch.x[0] == batch.vocab.index("B")).all()
    assert (batch.x[-1] == batch.vocab.index("E")).all()
    assert batch.decode(0).startswith("B ")


@pytest.mark.parametrize("lag", [1, 2, 20])
def test_adding(lag):
    batch = make_adding(32, lag, rng=0, prefix=2)
    T = batch.x.shape[0]
    assert batch.x.shape == (2 + lag + 1, 32, 2)
    assert (batch.x[:, :, 1].sum(axis=0) == 2).all()
    t1, t2 = batch.clue_steps
    assert (T - 1) - t1[0] == lag and (t2 > t1).all() and (t2 <= T - 1).all()
    cols = np.arange(32)
    np.testing.assert_allclose(batch.y, 0.5 + (batch.x[t1, cols, 0] + batch.x[t2, cols, 0]) / 4)
    assert ((batch.y >= 0) & (batch.y <= 1)).all()
    with pytest.raises(ValueError, match="real-valued"):
        batch.decode(0)


GENERATORS = [
    (make_stories, STORY_MIN_LAG),
    (make_temporal_order, 2),
    (make_adding, 1),
]


@pytest.mark.parametrize("make, min_lag", GENERATORS)
@pytest.mark.parametrize(
    "batch_size, lag, error, message",
    [
        (4, -1, ValueError, "lag"),
        (4, 2.5, TypeError, "lag must be a non-negative integer"),
        (4, "10", TypeError, "lag"),
        (4, True, TypeError, "lag"),
        (4, MAX_LAG + 1, ValueError, "lag must be an integer from"),
        (0, 10, ValueError, "batch_size must be a positive integer"),
        (2.0, 10, TypeError, "batch_size"),
    ],
)
def test_bad_input(make, min_lag, batch_size, lag, error, message):
    with pytest.raises(error, match=message):
        make(batch_size, lag, rng=0)


@pytest.mark.parametrize("make, min_lag", GENERATORS)
def test_lag_below_minimum(make, min_lag):
    make(1, min_lag, rng=0)
    with pytest.raises(ValueError, match=f"from {min_lag} to {MAX_LAG}"):
        make(1, min_lag - 1, rng=0)


@pytest.mark.parametrize("rng", [None, -1, 1.5, "seed", True])
def test_bad_rng(rng):
    with pytest.raises(TypeError, match="rng must be"):
        make_stories(2, 5, rng=rng)


def test_rng_is_required():
    with pytest.raises(TypeError):
        make_stories(2, 5)  # no silent default seed


def test_module_has_no_import_time_randomness():
    assert not any(isinstance(v, np.random.Generator) for v in vars(story).values())
