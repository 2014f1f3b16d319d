"""The live gate explorer: step through a model's gates, and force a gate from some step on.

One explorer for every gated model: it reads the model's kind and offers the what-ifs that
make sense for it (LSTM: f = 1, f = 0, i = 0, o = 0; GRU: z = 1, z = 0, r = 0). The view is
:func:`whiteboard.viz.plots.gates.gate_stepper`; the forced gates are computed by
:func:`whiteboard.analysis.whatif.run_whatif`, with the model's own forward pass.
"""

from __future__ import annotations

import ipywidgets as widgets

from whiteboard.analysis.whatif import Override, run_whatif
from whiteboard.viz.explorers import Explorer, explore
from whiteboard.viz.plots.gates import gate_stepper

__all__ = ["WHATIFS", "explore_gates", "whatif_overrides"]

# Per model kind: the label shown -> (gate, value), or None for "as trained".
WHATIFS = {
    "lstm": {
        "no change": None,
        "f = 1 (keep all)": ("f", 1.0),
        "f = 0 (forget all)": ("f", 0.0),
        "i = 0 (take nothing in)": ("i", 0.0),
        "o = 0 (pass nothing on)": ("o", 0.0),
    },
    "gru": {
        "no change": None,
        "z = 1 (keep the old state)": ("z", 1.0),
        "z = 0 (take the candidate)": ("z", 0.0),
        "r = 0 (candidate ignores the past)": ("r", 0.0),
    },
}


def whatif_overrides(kind: str, whatif: str, start: int) -> list:
    """The overrides for a what-if label of :data:`WHATIFS` from the 1-based step ``start``."""
    if kind not in WHATIFS:
        raise TypeError(f"what-ifs exist for an LSTM or a GRU, not for kind {kind!r}")
    if whatif not in WHATIFS[kind]:
        raise ValueError(f"what-if must be one of {list(WHATIFS[kind])}, got {whatif!r}")
    pin = WHATIFS[kind][whatif]
    return [] if pin is None else [Override(pin[0], pin[1], start=int(start) - 1)]


def explore_gates(model, X, *, tokens=None, readout=None, classes=None, labels=None,
                  panels=None, whatif="no change", start=1) -> Explorer:
    """Step through ``model``'s gates over one sequence, with what-if controls.

    Args:
        model: an LSTM or GRU (or a ``SequenceModel`` wrapping one); an RNN gets the
            stepper without what-if controls.
        X: its input for one sequence (see :func:`whiteboard.viz.plots.gates.gate_stepper`).
        tokens, readout, classes, labels, panels: passed to the stepper.
        whatif: the initial what-if label (see :data:`WHATIFS`).
        start: the initial 1-based step from which the what-if applies.

    Returns:
        an :class:`~whiteboard.viz.explorers.Explorer`; its ``controls`` are ``whatif`` (a
        dropdown) and ``start`` (a slider over the steps).
    """
    stepper = gate_stepper(model, X, tokens=tokens, readout=readout, classes=classes,
                           labels=labels, panels=panels)
    kind = stepper.model.kind
    if kind not in WHATIFS:
        return explore(stepper)
    T = stepper.n_frames
    controls = {
        "whatif": widgets.Dropdown(options=list(WHATIFS[kind]), value=whatif,
                                   description="what if"),
        "start": widgets.IntSlider(value=start, min=1, max=T, description="from step",
                                   continuous_update=False),
    }

    def on_control(st, *, whatif, start):
        st.set_trace(run_whatif(st.model, st.X, whatif_overrides(kind, whatif, start)))

    explorer = explore(stepper, controls=controls, on_control=on_control)
    if whatif != "no change":
        explorer.apply_controls()
    return explorer
