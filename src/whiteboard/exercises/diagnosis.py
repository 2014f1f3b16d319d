"""Run a reader's function on probe inputs, safely, and say what it got wrong.

Every array checker works the same way:

1. It calls the reader's function on a few *probes*: inputs built so that the usual mistakes
   give different numbers (D ≠ H, B > 1, non-symmetric weights, both biases non-zero, one
   gate at a time pushed to 0 or 1). The function gets deep copies, so it can neither
   change the probes nor the reader's own arrays; the copies are compared afterwards to
   catch a function that writes into its inputs.
2. Whatever the function does (raises, returns None, a tuple of the wrong length, an
   array of the wrong shape, NaN), the checker turns it into a sentence. No traceback from
   inside the checker ever reaches the reader.
3. If the outputs differ from the reference, they are compared with a *mistake catalogue*:
   the reference written as one function with a keyword flag per mistake. A mistake, or a
   pair of mistakes, that reproduces the reader's numbers on every probe (and raises where
   the reader's function raises) is the diagnosis. Otherwise the message says which output
   differs, by how much, and on which probes.
"""

from __future__ import annotations

import copy
import itertools
import warnings
from dataclasses import dataclass, field

import numpy as np

from whiteboard.exercises.result import CheckResult

__all__ = ["Mistake", "Outcome", "Probe", "as_outputs", "check_outputs",
           "error_hint", "nothing_returned", "random_params", "require_callable", "shape_label"]

TOL = 1e-6  # max |yours - expected| / max(1, max |expected|): float32 work still passes


@dataclass(frozen=True)
class Probe:
    """One set of arguments for the reader's function.

    Attributes:
        label: how messages name it, e.g. ``"B=4, D=2, H=3, forget gate pushed to 0"``.
        args: argument name -> value, in the order of the call.
    """

    label: str
    args: dict


@dataclass(frozen=True)
class Mistake:
    """One entry of a mistake catalogue.

    Attributes:
        key: a short name, e.g. ``"candidate_sigmoid"`` (in ``CheckResult.mistakes``).
        diagnosis: the sentence the reader sees.
        flags: keyword arguments that make the checker's parametrised reference commit it.
    """

    key: str
    diagnosis: str
    flags: dict = field(default_factory=dict)


@dataclass
class Outcome:
    """What the reader's function did on one probe."""

    probe: Probe
    outputs: dict | None = None  # output name -> float64 array
    error: Exception | None = None  # what the function raised
    problem: str | None = None  # a return value of the wrong kind, in words
    mutated: tuple = ()  # the arguments it changed in place


def require_callable(fn, checker: str, signature: str) -> None:
    """Raise a TypeError that says what the checker expects, unless ``fn`` is callable."""
    if not callable(fn):
        shown = repr(fn)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise TypeError(f"{checker} needs your function itself, {signature}; "
                        f"got {type(fn).__name__} {shown}. Pass the function's name "
                        f"without calling it: {checker}(my_step), not {checker}(my_step(...))")


def as_outputs(values: dict, label: str = "your {}"):
    """``({name: float64 array}, None)`` for real numeric values, or ``(None, the first
    problem in words)``, each value named as ``label`` says."""
    outputs = {}
    for key, value in values.items():
        name = label.format(key)
        if value is None or value is Ellipsis:
            return None, f"{name} is {value!r}"
        try:
            arr = np.asarray(value)
        except Exception:  # a ragged list, an object that refuses conversion
            return None, f"{name} is a {type(value).__name__} that numpy cannot read as an array"
        if arr.dtype.kind not in "iuf":
            return None, (f"{name} is a {type(value).__name__} holding {arr.dtype} values, not "
                          "an array of real numbers")
        outputs[key] = arr.astype(np.float64)
    return outputs, None


def nothing_returned(out) -> str | None:
    """What to say when the reader's function returned None or ``...``, else None."""
    if out is None or out is Ellipsis:
        return (f"your function returned {out!r}: did you forget the return statement, or is "
                "its body still the ... placeholder?")
    return None


# The words of numpy's errors about shapes that do not fit (a product, a broadcast).
SHAPE_WORDS = ("matmul", "shapes", "broadcast", "dimension")
P_KEYS = "p is keyed like state_dict(): 'weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'."


def error_hint(call: str, *, shapes: str = "", keys: str = P_KEYS, none: str = "",
               shape_words=SHAPE_WORDS):
    """``exception -> a sentence`` that follows "your function raised ...": ``shapes`` after
    a ValueError of numpy's about shapes, ``none`` after an AttributeError of None, ``keys``
    after a KeyError, and how the checker calls the function (``call``) after a TypeError
    about its arguments."""

    def hint(exc) -> str:
        text = str(exc)
        if shapes and isinstance(exc, ValueError) and any(w in text for w in shape_words):
            return shapes
        if none and isinstance(exc, AttributeError) and "NoneType" in text:
            return none
        if isinstance(exc, KeyError):
            return keys
        if isinstance(exc, TypeError) and "argument" in text:
            return f"The checker calls {call}."
        return ""

    return hint


def random_params(rng, gates: int, D: int, H: int) -> dict:
    """Random state_dict-shaped parameters: non-symmetric weights, both biases non-zero."""
    return {"weight_ih_l0": rng.normal(0.0, 0.6, (gates * H, D)),
            "weight_hh_l0": rng.normal(0.0, 0.6, (gates * H, H)),
            "bias_ih_l0": rng.normal(0.0, 0.5, gates * H),
            "bias_hh_l0": rng.normal(0.0, 0.5, gates * H)}


def shape_label(B: int, D: int, H: int) -> str:
    """A probe's sizes as its label says them: ``"B=4, D=2, H=3"`` (``"D=H=3"`` when equal)."""
    return f"B={B}, D=H={D}" if D == H else f"B={B}, D={D}, H={H}"


def _spaced(sentence: str) -> str:
    return f" {sentence}" if sentence else ""


def _describe_error(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    first = first if len(first) <= 200 else first[:197] + "..."
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _changed(name: str, before, after) -> list[str]:
    """The names of what differs between an argument before and after the call."""
    if isinstance(before, dict) and isinstance(after, dict):
        if before.keys() != after.keys():
            return [f"{name} (a key was added or removed)"]
        return [n for k in before for n in _changed(f"{name}[{k!r}]", before[k], after[k])]
    if isinstance(before, dict) or isinstance(after, dict):
        return [name]
    if isinstance(before, np.ndarray) or isinstance(after, np.ndarray):
        same = (isinstance(before, np.ndarray) and isinstance(after, np.ndarray)
                and before.shape == after.shape and before.dtype == after.dtype
                and np.array_equal(before, after, equal_nan=True))
    else:
        same = before is after or before == after
    return [] if same else [name]


def run_probe(fn, probe: Probe, parse) -> Outcome:
    """Call ``fn`` on deep copies of the probe's arguments; never raises."""
    given = copy.deepcopy(list(probe.args.values()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = error = None
        try:
            out = fn(*given)
        except Exception as exc:  # the reader's bug, reported in words
            error = exc
    mutated = tuple(n for name, before, after in zip(probe.args, probe.args.values(), given,
                                                     strict=True)
                    for n in _changed(name, before, after))
    if error is not None:
        return Outcome(probe, error=error, mutated=mutated)
    problem = nothing_returned(out)
    outputs, problem = (None, problem) if problem else parse(out)
    return Outcome(probe, outputs=outputs, problem=problem, mutated=mutated)


def _error(yours: np.ndarray, expected: np.ndarray) -> float:
    if yours.shape != expected.shape:
        return np.inf
    return float(np.max(np.abs(yours - expected), initial=0.0)
                 / max(1.0, float(np.max(np.abs(expected), initial=0.0))))


def _run_model(model, probe: Probe, flags: dict):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return model(*probe.args.values(), **flags)
        except Exception:  # a mistake that cannot run on this probe's shapes
            return None


def _explains(model, flags, outcomes, canonical) -> bool:
    """Does the reference with these mistakes reproduce the reader's function on every probe?"""
    for o in outcomes:
        v = _run_model(model, o.probe, flags)
        if o.error is not None or v is None:
            if (o.error is None) == (v is None):  # only one of the two raised
                return False
            continue
        if any(_error(arr, v[canonical(name)]) > TOL for name, arr in o.outputs.items()):
            return False
    return True


def _find_mistakes(model, catalogue, outcomes, canonical) -> tuple:
    for m in catalogue:
        if _explains(model, m.flags, outcomes, canonical):
            return (m,)
    for a, b in itertools.combinations(catalogue, 2):
        if a.flags.keys() & b.flags.keys():
            continue  # two settings of the same choice (two gate orders) cannot combine
        if _explains(model, {**a.flags, **b.flags}, outcomes, canonical):
            return (a, b)
    return ()


def _where(index: tuple, axes) -> str:
    if not index:
        return ""
    if axes and len(axes) == len(index):
        return ", ".join(f"{a} {i}" for a, i in zip(axes, index, strict=True))
    return f"index {list(index)}"


def _value_message(outcomes, references, subject, canonical, axes) -> str:
    """Which output differs, by how much and where, when no catalogued mistake explains it."""
    names = list(outcomes[0].outputs)
    parts, right = [], []
    for name in names:
        bad = [(o, references[k][canonical(name)]) for k, o in enumerate(outcomes)
               if _error(o.outputs[name], references[k][canonical(name)]) > TOL]
        if not bad:
            right.append(name)
            continue
        o, expected = bad[0]
        yours = o.outputs[name]
        if yours.shape != expected.shape:
            hint = " (it is transposed)" if (yours.ndim == 2
                                             and yours.shape == expected.shape[::-1]) else ""
            parts.append(f"your {name} has shape {yours.shape} on the probe {o.probe.label}, but "
                         f"should have shape {expected.shape}{hint}.")
            continue
        diff = np.abs(yours - expected)
        idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape))
        err = float(diff.max())
        bad_ids = {id(b[0]) for b in bad}
        good = [p.probe.label for p in outcomes if id(p) not in bad_ids]
        agree = f" It agrees on the probes {'; '.join(good)}." if good else ""
        parts.append(
            f"your {name} differs from {subject} on {len(bad)} of {len(outcomes)} probes. On the "
            f"probe {o.probe.label} the largest error is {err:.2g} "
            f"(at {_where(idx, axes.get(canonical(name)))}: yours {yours[idx]:.4f}, expected "
            f"{expected[idx]:.4f}).{agree}")
    if right:
        verb = "is" if len(right) == 1 else "are"
        parts.append(f"Your {', '.join(right)} {verb} right.")
    return " ".join([parts[0], *(q[0].upper() + q[1:] for q in parts[1:])])


def check_outputs(fn, *, checker: str, probes, parse, expects: str, reference, model,
                  catalogue, subject: str, canonical=lambda name: name, axes=None,
                  error_hint=lambda exc: "") -> CheckResult:
    """Probe ``fn`` and return the verdict (see the module docstring for the procedure).

    Args:
        fn: the reader's function (already checked to be callable).
        checker: the checker's name, for the result.
        probes: the :class:`Probe` list.
        parse: return value -> ``(outputs dict, None)`` or ``(None, problem in words)``.
        expects: what the function should return, in one sentence, after a malformed return.
        reference: probe -> the correct outputs, keyed by canonical name.
        model: ``model(*probe args, **flags)`` -> outputs keyed by canonical name; with no
            flags it must equal ``reference`` (a test checks this).
        catalogue: the :class:`Mistake` list; earlier entries win when several match.
        subject: what the outputs are compared with, e.g. ``"PyTorch's LSTM"``.
        canonical: maps an output name the reader chose to the reference's key.
        axes: canonical name -> names of its axes, for "at row 2, unit 1" in messages.
        error_hint: exception -> an extra sentence (e.g. about transposed weights).
    """
    axes = axes or {}
    outcomes = [run_probe(fn, p, parse) for p in probes]
    for o in outcomes:
        if o.problem is not None:
            end = "" if o.problem.endswith(("?", ".")) else "."
            return CheckResult(False, f"on the probe {o.probe.label}, {o.problem}{end} "
                               f"{expects}", checker)
    ran = [o for o in outcomes if o.error is None]
    if not ran:
        o = outcomes[0]
        return CheckResult(False, f"on the probe {o.probe.label}, your function raised "
                           f"{_describe_error(o.error)}.{_spaced(error_hint(o.error))}", checker)

    result = _judge(outcomes, ran, references=[reference(o.probe) for o in outcomes],
                    checker=checker, model=model, catalogue=catalogue, subject=subject,
                    canonical=canonical, axes=axes, error_hint=error_hint)
    mutated = next((o for o in outcomes if o.mutated), None)
    if mutated is None:
        return result
    what = ", ".join(mutated.mutated)
    message = (f"on the probe {mutated.probe.label}, your function changed its input {what} "
               "in place. It must leave its arguments alone, because the "
               "caller still uses them (a sequence loop keeps h_prev, and every step reads "
               "the same p): build new arrays (h = ...) instead of writing into an argument "
               "(h_prev += ..., p['bias_ih_l0'] += ...).")
    rest = "Apart from that its outputs are right." if result.passed else \
        f"Also: {result.message}"
    return CheckResult(False, f"{message} {rest}", checker, ("mutates_input", *result.mistakes))


def _judge(outcomes, ran, *, references, checker, model, catalogue, subject, canonical, axes,
           error_hint) -> CheckResult:
    for o in ran:
        for name, arr in o.outputs.items():
            bad = ~np.isfinite(arr)
            if bad.any():
                idx = tuple(int(i) for i in np.argwhere(bad)[0])
                kind = "NaN" if np.isnan(arr[idx]) else "inf"
                return CheckResult(False, f"on the probe {o.probe.label}, your {name} contains "
                                   f"{kind} (at {_where(idx, axes.get(canonical(name)))}). Look "
                                   "for a division by zero, a log or square root of a negative "
                                   "number, or np.exp of a large argument.", checker)
    all_right = len(ran) == len(outcomes) and all(
        _error(arr, references[k][canonical(name)]) <= TOL
        for k, o in enumerate(outcomes) for name, arr in o.outputs.items())
    if all_right:
        labels = "; ".join(o.probe.label for o in outcomes)
        return CheckResult(True, f"your function agrees with {subject} on all {len(outcomes)} "
                           f"probes ({labels}).", checker)

    found = _find_mistakes(model, catalogue, outcomes, canonical)
    if found:  # one mistake, or two
        message = found[0].diagnosis if len(found) == 1 else (
            f"two mistakes. (1) {found[0].diagnosis} (2) {found[1].diagnosis}")
        return CheckResult(False, message, checker, tuple(m.key for m in found))

    failed = next((o for o in outcomes if o.error is not None), None)
    if failed is not None:
        worked = "; ".join(o.probe.label for o in ran)
        return CheckResult(False, f"on the probe {failed.probe.label}, your function raised "
                           f"{_describe_error(failed.error)} (it ran on the probes {worked})."
                           f"{_spaced(error_hint(failed.error))}", checker)
    return CheckResult(False, _value_message(outcomes, references, subject, canonical, axes),
                       checker)
