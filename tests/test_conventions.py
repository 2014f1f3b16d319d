"""Every chapter notebook follows the book's conventions (CONTRIBUTING.md)."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from book_pages import ROOT, chapter_notebooks, toc_files

NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
MAX_BYTES = 1_200_000  # "about 1 MB": a little slack, never a heavy notebook


def _load(path):
    return json.loads(path.read_text())


def _source(cell) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def test_there_are_chapters():
    assert NOTEBOOKS, "book/ has no chapter notebooks"


def test_every_notebook_is_in_the_toc_and_every_toc_entry_exists():
    listed = set(toc_files())
    for path in NOTEBOOKS:
        assert f"book/{path.stem}" in listed, f"{path.name} is not in _toc.yml"
    for entry in listed:
        assert (ROOT / f"{entry}.ipynb").exists() or (ROOT / f"{entry}.md").exists(), entry


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_cell_installs_whiteboard_on_colab_and_is_hidden(path):
    repo = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    first = _load(path)["cells"][0]
    src = _source(first)
    assert first["cell_type"] == "code"
    assert "remove-cell" in first["metadata"].get("tags", [])
    assert 'if "google.colab" in sys.modules:' in src
    # Colab gets the whole repository (chapter 6 reads results/), installs the package from
    # it and works in book/, as a local reader does.
    assert f'REPO = "{repo}"' in src, "the Colab cell must clone repository.url"
    assert "!git clone --quiet --depth 1 {REPO} /content/whiteboard-to-lstm" in src
    assert "%pip install --quiet /content/whiteboard-to-lstm" in src
    assert "%cd /content/whiteboard-to-lstm/book" in src


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executed_top_to_bottom_without_errors(path):
    nb = _load(path)
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and _source(c).strip()]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: cells not executed in order from 1 ({counts}); run `make notebooks`")
    for i, cell in enumerate(code):
        for out in cell["outputs"]:
            assert out["output_type"] != "error", f"{path.name}: code cell {i} stored an error"
            if out["output_type"] == "stream" and out["name"] == "stderr":
                assert "Traceback" not in "".join(out["text"]), f"{path.name}: cell {i}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_small_and_free_of_volatile_metadata(path):
    assert path.stat().st_size <= MAX_BYTES, f"{path.name} is {path.stat().st_size} bytes"
    nb = _load(path)
    assert "widgets" not in nb["metadata"], "widget state is stripped by `make notebooks`"
    for cell in nb["cells"]:
        assert "execution" not in cell["metadata"], "timings are stripped by `make notebooks`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_figures_have_alt_text_or_caption(path):
    for i, cell in enumerate(_load(path)["cells"]):
        if cell["cell_type"] != "code" or "remove-output" in cell["metadata"].get("tags", []):
            continue
        if any("image/png" in o.get("data", {}) for o in cell["outputs"]):
            meta = cell["metadata"].get("mystnb", {})
            assert meta.get("figure", {}).get("caption") or meta.get("image", {}).get("alt"), (
                f"{path.name}: cell {i} shows a figure with neither caption nor alt text")


def numbered(names: list[str]) -> list[str]:
    """The numbered chapters (``NN_topic``) among page names; pages such as the primer or
    the playground have no number and may stand anywhere."""
    return [n for n in names if n[:2].isdigit() and n[2:3] == "_"]


def test_chapters_are_in_story_order():
    names = numbered([p.stem for p in chapter_notebooks()])
    assert names, "no numbered chapter in _toc.yml"
    assert names == sorted(names), f"_toc.yml lists chapters out of order: {names}"


def test_the_story_order_check_catches_what_it_should():
    assert numbered(["maths_primer", "01_a", "02_b", "playground", "10x"]) == ["01_a", "02_b"]
    swapped = numbered(["maths_primer", "02_b", "01_a"])
    assert swapped != sorted(swapped)


def primer_users(pages: list[str], texts: dict[str, str], glossary: str) -> list[str]:
    """The pages, in reading order, whose prose uses a term the primer explains: one whose
    glossary entry links to a section of the primer (``{ref}`primer-...```)."""
    from test_glossary import REQUIRED, _prose, glossary_entries

    entries = {term.lower(): text for term, text in glossary_entries(glossary).items()}
    patterns = [pattern for name, pattern in REQUIRED.items()
                if "{ref}`primer-" in entries.get(name.lower(), "")]
    assert patterns, "no glossary entry links to the primer"
    return [page for page in pages if page in texts and any(
        re.search(pattern, _prose(texts[page])[0], re.I) for pattern in patterns)]


def test_the_maths_primer_stands_just_before_the_first_chapter_that_uses_it():
    """Not before chapter 1, which needs none of it, nor after a chapter that already speaks
    of Jacobians, norms or eigenvalues: right before the first one that does."""
    from test_glossary import NOT_READ, page_texts

    pages = toc_files()
    glossary = (ROOT / "book" / "glossary.md").read_text()
    reading = [p for p in pages[1:] if p not in NOT_READ and p != "book/maths_primer"]
    users = primer_users(reading, page_texts(reading), glossary)
    assert users, "no page uses what the primer explains"
    assert pages.index("book/maths_primer") == pages.index(users[0]) - 1, (
        f"the primer should stand just before {users[0]}, the first page that uses it")


def test_the_primer_check_finds_the_first_user():
    glossary = "```{glossary}\nJacobian\n  A matrix. See {ref}`primer-jacobian`.\n```\n"
    texts = {"a": "No maths here.", "b": "The Jacobian of a step.", "c": "A Jacobian."}
    assert primer_users(["a", "b", "c"], texts, glossary) == ["b", "c"]
    assert primer_users(["a"], texts, glossary) == []


# ---------------------------------------------------------------- trained networks are data

# Functions that train a network: a chapter that prints from what they return prints
# digits that depend on the reader's CPU and BLAS (see whiteboard.pretrained).
TRAINERS = {
    "whiteboard.training.loop": {"train", "train_stack"},
    "whiteboard.training.experiments": {"train_and_test"},
    "whiteboard.training.sweeps": {"sweep", "search_lr"},
    "whiteboard.pretrained": {"train"},
    "whiteboard.training.language": {"train_text"},
}
LIVE_TAG = "trains-live"  # a cell may train if tagged so and it says why in a comment


def training_calls(sources: list[tuple[str, list[str]]]) -> list[str]:
    """The training calls in a notebook's code cells that are not allowed.

    ``sources`` is ``[(source, tags), ...]``.  A call is allowed under an ``if`` whose test
    names ``RETRAIN`` (the reader's switch), or in a cell tagged ``trains-live`` with a
    ``# trains live: <why its output is robust>`` comment.
    """
    import ast

    names, modules, bad = {}, {}, []
    for i, (src, tags) in enumerate(sources):
        code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                         for line in src.splitlines())
        tree = ast.parse(code)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for a in node.names:
                    full = f"{node.module}.{a.name}"
                    if full in TRAINERS:
                        modules[a.asname or a.name] = full
                    elif a.name in TRAINERS.get(node.module, ()):
                        names[a.asname or a.name] = full
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name in TRAINERS:
                        modules[a.asname or a.name] = a.name
        live = LIVE_TAG in tags and "# trains live:" in src
        guarded = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.If, ast.IfExp)) and "RETRAIN" in ast.unparse(node.test):
                body = node.body if isinstance(node, ast.If) else [node.body]
                for part in body:
                    guarded.update(id(n) for n in ast.walk(part))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            hit = (isinstance(f, ast.Name) and f.id in names) or (
                isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
                and f.attr in TRAINERS.get(modules.get(f.value.id, ""), ()))
            if hit and not live and id(node) not in guarded:
                bad.append(f"cell {i}: {ast.unparse(node)[:70]}")
    return bad


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapters_load_trained_networks_instead_of_training_them(path):
    cells = [(_source(c), c["metadata"].get("tags", [])) for c in _load(path)["cells"]
             if c["cell_type"] == "code"]
    bad = training_calls(cells)
    assert not bad, (f"{path.name} trains a network whose digits depend on the machine; "
                     f"load it with whiteboard.pretrained.load instead: {bad}")


def test_the_training_check_catches_what_it_should():
    imports = ("from whiteboard.training.loop import train\nfrom whiteboard import pretrained\n"
               "from whiteboard.training.experiments import train_and_test as fit\n", [])
    assert training_calls([imports, ("net = pretrained.train('story_rnn')", [])])
    assert training_calls([imports, ("h = train(net, batches, steps=10, lr=0.1)", [])])
    assert training_calls([imports, ("r = fit('story', 'rnn', 20, 0, 0.01)", [])])
    assert training_calls([imports, ("train(net)", [LIVE_TAG])])  # tag without a reason
    # allowed: the reader's switch, a justified live cell, other functions called train
    assert not training_calls([imports, (
        "RETRAIN = False\nnet = pretrained.train('a') if RETRAIN else pretrained.load('a')",
        [])])
    assert not training_calls([imports, ("if RETRAIN:\n    net = pretrained.train('a')", [])])
    assert not training_calls([imports, ("# trains live: prints yes/no only\ntrain(net)",
                                         [LIVE_TAG])])
    assert not training_calls([("from whiteboard.board import run_strategy\n"
                                "run_strategy(strategy)", [])])


# ---------------------------------------------------------------- exercises that check themselves

CODING = {"01_unrolled_rnn": "check_rnn_step", "03_rnn_math_bptt": "check_rnn_step_backward",
          "04_selective_read_write_forget": "check_board_strategy",
          "05_lstm_math": "check_lstm_step", "07_gru": "check_gru_step",
          "08_python_text": "check_tbptt_step"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_coding_exercises_are_wired_to_a_checker(path):
    cells = [c for c in _load(path)["cells"] if c["cell_type"] == "code"]
    stubs = [i for i, c in enumerate(cells) if "exercise" in c["metadata"].get("tags", [])]
    checker = CODING.get(path.stem)
    if checker is None:
        return
    assert stubs, f"{path.name}: no code cell tagged 'exercise' (the reader's stub)"
    after = _source(cells[stubs[0] + 1])
    assert f"{checker}(" in after, f"{path.name}: the cell after the stub must call {checker}"
    shown = "".join("".join(o.get("data", {}).get("text/plain", ""))
                    for o in cells[stubs[0] + 1]["outputs"])
    assert "failed" in shown, f"{path.name}: the check of the empty stub should show a cross"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_chapter_asks_quick_questions_with_their_code_hidden(path):
    asks = [c for c in _load(path)["cells"] if c["cell_type"] == "code"
            and ("ask(" in _source(c) or "ask_number(" in _source(c))]
    assert len(asks) >= 2, f"{path.name}: {len(asks)} quick questions, expected >= 2"
    for c in asks:  # the answer is in the call: the book shows only the question
        assert "remove-input" in c["metadata"].get("tags", [])
        assert any('class="wb-quiz"' in "".join(o.get("data", {}).get("text/html", ""))
                   for o in c["outputs"])
