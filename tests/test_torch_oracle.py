"""Outputs, final states and every gradient against torch.nn.RNN / LSTM / GRU."""

import numpy as np
import pytest

from whiteboard import GRU, LSTM, RNN

torch = pytest.importorskip(
    "torch", reason="torch is not installed; the PyTorch oracle tests need torch==2.13.0 (CPU)"
)

pytestmark = pytest.mark.torch

OURS = {"RNN": RNN, "LSTM": LSTM, "GRU": GRU}
TOL = {np.float64: 1e-10, np.float32: 1e-5}
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}

# (T, B, D, H, initial states given)
SHAPES = [
    (1, 1, 1, 1, False),
    (1, 3, 2, 4, True),
    (7, 1, 3, 5, True),
    (5, 4, 6, 3, False),
    (12, 2, 4, 8, True),
]


def _compare(ours, theirs, tol, what):
    theirs = theirs.detach().numpy()
    assert ours.shape == theirs.shape, what
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol, err_msg=what)


def _oracle(name, dtype, T, B, D, H, with_states, seed, **kw):
    torch.manual_seed(seed)
    module = getattr(torch.nn, name)(D, H, **kw).to(TORCH_DTYPE[dtype])
    model = OURS[name].from_torch(module)
    assert model.dtype == dtype
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((T, B, D)).astype(dtype)
    h0 = rng.standard_normal((B, H)).astype(dtype) if with_states else None
    c0 = rng.standard_normal((B, H)).astype(dtype) if with_states and name == "LSTM" else None
    R = rng.standard_normal((T, B, H)).astype(dtype)  # loss weights on every output
    R_h = rng.standard_normal((B, H)).astype(dtype)  # ... on h_n
    R_c = rng.standard_normal((B, H)).astype(dtype)  # ... on c_n (LSTM)

    x_t = torch.tensor(X, requires_grad=True)
    h0_t = torch.tensor(h0[None] if with_states else np.zeros((1, B, H), dtype),
                        requires_grad=True)
    if name == "LSTM":
        c0_t = torch.tensor(c0[None] if with_states else np.zeros((1, B, H), dtype),
                            requires_grad=True)
        out, (h_n, c_n) = module(x_t, (h0_t, c0_t))
    else:
        out, h_n = module(x_t, h0_t)
    loss = (out * torch.tensor(R)).sum() + (h_n[0] * torch.tensor(R_h)).sum()
    if name == "LSTM":
        loss = loss + (c_n[0] * torch.tensor(R_c)).sum()
    loss.backward()

    trace = model.forward(X, h0, c0) if name == "LSTM" else model.forward(X, h0)
    dh = R.copy()
    dh[-1] += R_h  # h_n is h_T, so its loss term lands on the last step
    grads = model.backward(trace, dh, dc_last=R_c if name == "LSTM" else None)

    tol = TOL[dtype]
    _compare(trace.h, out, tol, "output h_1..h_T")
    _compare(trace.h_n, h_n[0], tol, "h_n")
    if name == "LSTM":
        _compare(trace.c_n, c_n[0], tol, "c_n")
        _compare(grads["c0"], c0_t.grad[0], tol, "grad c0")
    for key, param in module.named_parameters():
        _compare(grads[key], param.grad, tol, f"grad {key}")
    _compare(grads["x"], x_t.grad, tol, "grad x")
    _compare(grads["h0"], h0_t.grad[0], tol, "grad h0")


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "T{}-B{}-D{}-H{}-{}".format(
    *s[:4], "states" if s[4] else "zeros"))
@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_matches_torch(name, shape, dtype):
    _oracle(name, dtype, *shape, seed=sum(shape[:4]))


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_matches_torch_relu_rnn(dtype):
    _oracle("RNN", dtype, 6, 3, 4, 5, True, seed=1, nonlinearity="relu")


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_matches_torch_without_bias(name):
    torch.manual_seed(0)
    module = getattr(torch.nn, name)(3, 4, bias=False).double()
    model = OURS[name].from_torch(module)
    assert not model.state_dict()["bias_ih_l0"].any()
    X = np.random.default_rng(0).standard_normal((4, 2, 3))
    out = module(torch.tensor(X))[0]
    _compare(model.forward(X).h, out, 1e-10, "output of a bias-free module")


def test_batch_first_module_gives_the_same_weights():
    torch.manual_seed(0)
    module = torch.nn.LSTM(3, 4, batch_first=True).double()
    model = LSTM.from_torch(module)
    X = np.random.default_rng(0).standard_normal((2, 5, 3))  # (B, T, D) for torch
    out = module(torch.tensor(X))[0]
    _compare(model.forward(X.transpose(1, 0, 2)).h.transpose(1, 0, 2), out, 1e-10, "output")


def test_state_dict_loads_into_torch_unchanged():
    model = GRU(3, 4, seed=9)
    module = torch.nn.GRU(3, 4).double()
    module.load_state_dict({k: torch.tensor(v) for k, v in model.state_dict().items()})
    X = np.random.default_rng(1).standard_normal((5, 2, 3))
    _compare(model.forward(X).h, module(torch.tensor(X))[0], 1e-10, "output")


def test_lstm_forget_bias_lands_in_torch_forget_gate():
    model = LSTM(2, 3, forget_bias=3.0)
    module = torch.nn.LSTM(2, 3).double()
    module.load_state_dict({k: torch.tensor(v) for k, v in model.state_dict().items()})
    total = (module.bias_ih_l0 + module.bias_hh_l0).detach().numpy()
    np.testing.assert_array_equal(total[3:6], 3.0)  # torch's gate order is i, f, g, o
