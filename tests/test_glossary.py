"""The glossary defines the terms the book uses, links each back to where it is explained,
and no listed term is used before the reader has been given its meaning.

The checks are plain functions of the pages' text, so the last tests can show each of them
failing on a copy broken on purpose.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from book_pages import ROOT, toc_files

# Terms a reader meets before the chapter that explains them (issue 14, section 4), each
# with the pattern that finds it in prose.
REQUIRED = {
    "Jacobian": r"jacobian",
    "spectral norm": r"spectral norm",
    "spectral radius": r"spectral radius",
    "eigenvalue": r"eigenvalue",
    "R²": r"R\^2|R²",
    "η²": r"\\eta\^2|η²",
    "attractor": r"attractor",
    "plateau": r"plateau",
    "ablation": r"ablation",
    "candidate": r"candidate",
    "saturating": r"saturat",
    "embedding": r"embedding",
    "memory capacity": r"memory capacity",
    # words notation.md promises the glossary defines (issue 20)
    "softmax": r"softmax",
    "one-hot vector": r"one-hot",
    "cross-entropy": r"cross-entropy",
    "logistic function": r"logistic function",
    "learning rate": r"learning rate",
    "seed": r"\bseeds?\b",
    "read-out": r"read-?out",
    # the lectures' habits, the gates' names in this book (issue 20)
    "selective write": r"selective write",
    "selective read": r"selective read",
    "selective forget": r"selective forget",
}
# reference pages, not the reading path
NOT_READ = {"book/glossary", "book/references", "book/notation"}

_ROLE = re.compile(r"\{(\w+)\}`([^`]*)`")
_LINK = re.compile(r"\{(doc|ref)\}`(?:[^`<]*<)?([^`>]+)>?`")
_LABEL = re.compile(r"^\(([\w-]+)\)=\s*$", re.M)


def page_texts(pages: list[str]) -> dict[str, str]:
    """Page name -> its prose: a markdown file, or a notebook's markdown cells joined."""
    texts = {}
    for page in pages:
        md, ipynb = ROOT / f"{page}.md", ROOT / f"{page}.ipynb"
        if md.exists():
            texts[page] = md.read_text()
        elif ipynb.exists():
            nb = nbformat.read(ipynb, as_version=4)
            texts[page] = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return texts


def glossary_entries(text: str) -> dict[str, str]:
    """Term -> definition, from the ```{glossary} block of a page (terms unindented,
    definitions indented under them)."""
    block = re.search(r"^```\{glossary\}\n(.*?)^```", text, re.S | re.M)
    if block is None:
        raise ValueError("the page has no ```{glossary} block")
    entries, term = {}, None
    for line in block.group(1).splitlines():
        if not line.strip():
            continue
        if not line[0].isspace():
            term = line.strip()
            entries[term] = ""
        elif term is not None:
            entries[term] += " " + line.strip()
    return entries


def labels_by_page(texts: dict[str, str]) -> dict[str, str]:
    """MyST label -> the page that declares it with ``(label)=``."""
    return {label: page for page, text in texts.items() for label in _LABEL.findall(text)}


def link_target(kind: str, target: str, labels: dict[str, str], pages: list[str]):
    """The page a {doc} or {ref} link of the glossary lands on, or None if it lands nowhere."""
    if kind == "ref":
        return labels.get(target)
    page = f"book/{target}"
    return page if page in pages else None


def glossary_problems(glossary: str, texts: dict[str, str], pages: list[str],
                      required=REQUIRED) -> list[str]:
    """Every way the glossary fails the book: a listed term missing, an entry with no link
    back to a page, a link that lands nowhere, or a listed term's link landing on a page
    that never uses the term."""
    entries = glossary_entries(glossary)
    by_name = {term.lower(): term for term in entries}
    labels = labels_by_page(texts)
    problems = [f"{name!r} has no glossary entry" for name in required
                if name.lower() not in by_name]
    for term, definition in entries.items():
        links = _LINK.findall(definition)
        if not definition.strip():
            problems.append(f"{term!r} has no definition")
        if not links:
            problems.append(f"{term!r} links back to no page ({{doc}} or {{ref}})")
        for kind, target in links:
            if link_target(kind, target, labels, pages) is None:
                problems.append(f"{term!r} links to {kind} {target!r}, which is not in the book")
    for name, pattern in required.items():
        term = by_name.get(name.lower())
        links = _LINK.findall(entries.get(term, ""))
        if links:
            page = link_target(*links[0], labels, pages)
            if page and not re.search(pattern, _prose(texts.get(page, ""))[0], re.I):
                problems.append(f"{name!r} links back to {page}, which never uses it")
    return problems


_FENCE = re.compile(r"^(`{3,})(.*)$")
_INLINE = re.compile(r"\{(\w+)\}`([^`]*)`|`[^`]*`")


def _without_code(text: str) -> str:
    """``text`` without fenced code blocks and ``(label)=`` lines; directives such as
    ```{admonition} keep their content (a bare fence closes the innermost one)."""
    kept, stack, code = [], [], None
    for line in text.splitlines():
        fence = _FENCE.match(line.strip())
        if code is not None:
            if fence and fence.group(1) == code and not fence.group(2).strip():
                code = None
            continue
        if fence and fence.group(2).startswith("{"):
            stack.append(fence.group(1))
        elif fence and not fence.group(2).strip() and stack and stack[-1] == fence.group(1):
            stack.pop()
        elif fence:
            code = fence.group(1)
        elif not _LABEL.match(line):
            kept.append(line)
    return "\n".join(kept)


def _prose(text: str) -> tuple[str, list[tuple[int, int, str]]]:
    """What the reader reads as words, and where its glossary links are.

    Code (fenced and inline) and labels go; a role becomes the text it shows (a {doc} or
    {ref} without its own text shows nothing here). Returns the prose and, for every {term}
    link, ``(start, end, entry)``: the span of its text and the entry it names, lower case.
    """
    out, spans, at, pos = [], [], 0, 0
    text = _without_code(text)
    for match in _INLINE.finditer(text):
        out.append(text[pos:match.start()])
        at += match.start() - pos
        kind, body = match.groups()
        shown = " "
        if kind is not None:
            label, _, target = body.partition("<")
            if kind == "term":
                shown = label.strip() if target else body
                spans.append((at, at + len(shown), (target.rstrip(">").strip() or shown).lower()))
            elif target:
                shown = label
        out.append(shown)
        at += len(shown)
        pos = match.end()
    out.append(text[pos:])
    return "".join(out), spans


def used_before_explained(texts: dict[str, str], glossary: str,
                          required=REQUIRED) -> list[str]:
    """Listed terms whose first use in reading order neither links to the glossary nor sits
    on the page the glossary sends the reader to for it."""
    entries = glossary_entries(glossary)
    by_name = {term.lower(): term for term in entries}
    labels = labels_by_page(texts)
    pages = list(texts)
    problems = []
    for name, pattern in required.items():
        entry = by_name.get(name.lower(), name).lower()
        links = _LINK.findall(entries.get(by_name.get(name.lower()), ""))
        home = link_target(*links[0], labels, pages) if links else None
        for page, text in texts.items():
            prose, spans = _prose(text)
            hit = re.search(pattern, prose, re.I)
            if hit is None:
                continue
            linked = any(a <= hit.start() < b and target == entry for a, b, target in spans)
            if not linked and page != home:
                context = prose[max(hit.start() - 50, 0):hit.end() + 30].replace("\n", " ")
                problems.append(f"{name!r} is first used in {page} without a definition or "
                                f"a {{term}} link: ...{context}...")
            break
    return problems


def term_roles(texts: dict[str, str]) -> set[str]:
    """Every glossary entry a {term} role of the book names (lower case)."""
    found = set()
    for text in texts.values():
        for kind, body in _ROLE.findall(text):
            if kind == "term":
                shown, _, target = body.partition("<")
                found.add((target.rstrip(">").strip() or shown.strip()).lower())
    return found


# ------------------------------------------------------------------------------ the book

PAGES = toc_files()
GLOSSARY = (ROOT / "book" / "glossary.md").read_text()


@pytest.fixture(scope="module")
def texts():
    return page_texts(PAGES)


def test_every_listed_term_is_in_the_glossary_and_every_entry_links_back(texts):
    problems = glossary_problems(GLOSSARY, texts, PAGES)
    assert not problems, "\n".join(problems)


def test_no_listed_term_is_used_before_the_reader_is_told_what_it_means(texts):
    reading = {page: text for page, text in texts.items() if page not in NOT_READ}
    problems = used_before_explained(reading, GLOSSARY)
    assert not problems, "\n".join(problems)


def test_every_term_link_names_a_glossary_entry(texts):
    entries = {term.lower() for term in glossary_entries(GLOSSARY)}
    missing = term_roles(texts) - entries
    assert not missing, f"{{term}} links to entries the glossary lacks: {sorted(missing)}"


# ------------------------------------------------------------ the checks, shown to fail


def _without_entry(glossary: str, term: str) -> str:
    pattern = rf"^{re.escape(term)}\n(?:[ \t]+.*\n)+\n?"
    broken, count = re.subn(pattern, "", glossary, flags=re.M)
    assert count == 1, f"no entry {term!r} to remove"
    return broken


def test_the_glossary_check_fails_on_a_glossary_missing_a_term(texts):
    broken = _without_entry(GLOSSARY, "Plateau")
    problems = glossary_problems(broken, texts, PAGES)
    assert problems == ["'plateau' has no glossary entry"]


def test_the_glossary_check_fails_on_an_entry_without_a_link_or_with_a_dead_one(texts):
    no_link = GLOSSARY.replace("budget. See {ref}`ch6-one-run`.", "budget.")
    assert no_link != GLOSSARY
    assert glossary_problems(no_link, texts, PAGES) == [
        "'Plateau' links back to no page ({doc} or {ref})"]
    dead = GLOSSARY.replace("{ref}`ch6-one-run`", "{ref}`ch6-no-such-section`")
    assert glossary_problems(dead, texts, PAGES) == [
        "'Plateau' links to ref 'ch6-no-such-section', which is not in the book"]
    elsewhere = GLOSSARY.replace("{ref}`ch6-one-run`", "{doc}`07_gru`")
    assert glossary_problems(elsewhere, texts, PAGES) == [
        "'plateau' links back to book/07_gru, which never uses it"]


def test_the_reading_order_check_fails_on_a_term_used_early_without_a_link(texts):
    reading = {page: text for page, text in texts.items() if page not in NOT_READ}
    early = dict(reading)
    early["book/intro"] += "\n\nEvery word becomes an embedding first.\n"
    problems = used_before_explained(early, GLOSSARY)
    assert len(problems) == 1 and problems[0].startswith(
        "'embedding' is first used in book/intro without")
    early["book/intro"] += "\n\nEvery word becomes an {term}`embedding` first.\n"
    assert len(used_before_explained(early, GLOSSARY)) == 1  # the bare use still comes first
    linked = dict(reading)
    linked["book/intro"] += "\n\nEvery word becomes an {term}`embedding` first.\n"
    assert used_before_explained(linked, GLOSSARY) == []
    # a link to another entry, or a mention inside code, is not an explanation
    other = dict(reading)
    other["book/intro"] += "\n\nThe {term}`embedding <Read-out>` is `embedding` here.\n"
    assert len(used_before_explained(other, GLOSSARY)) == 1
