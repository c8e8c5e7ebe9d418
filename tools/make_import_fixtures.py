#!/usr/bin/env python3
"""Regenerates the weight-import fixtures in tests/fixtures/import.

Run with Debian's PyTorch:  /usr/bin/python3 tools/make_import_fixtures.py

For each small PyTorch model the script writes
  <name>.safetensors     the model's state_dict, keys with their module prefixes, as
                         safetensors.torch.save_file(model.state_dict()) would store it
  <name>.npz             the SAME weights in Keras' model.get_weights() order and layout,
                         saved with numpy.savez(path, *weights) (arr_0, arr_1, ...)
  <name>.io.safetensors  "input" and PyTorch's "output" for it
plus gru_cho.npz / gru_cho.io.safetensors: a Keras-only GRU(reset_after=False) model (PyTorch has
no such cell), whose output comes from the numpy Keras reference below.

The PyTorch -> Keras conversion here is written independently of Recur's C# code, from the Keras
layer definitions; keras_forward() then runs the Keras arrays through Keras' own equations (numpy,
float64) and the script asserts it reproduces PyTorch's output, so the mapping is checked at
generation time too.

Weights are drawn as float32 (fixed seeds), the models run in float64 on exactly those values, and
outputs are rounded to float32. Output is byte-for-byte reproducible (fixed seeds, one thread,
pinned zip timestamps).
"""
import os
import shutil
import sys
import time
import zlib
from unittest import mock

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_torch_fixtures import write_safetensors  # noqa: E402  (the hand-written safetensors writer)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "import")
FIXED_CLOCK = 1700000000.0  # zipfile stamps entries with time.localtime(time.time())

# Keras gate block k comes from PyTorch gate block ORDER[k]. LSTM: both i, f, c(=g), o.
# GRU: Keras z, r, h  <-  PyTorch r, z, n (swap the first two blocks). RNN: one block.
ORDER = {"lstm": [0, 1, 2, 3], "gru": [1, 0, 2], "rnn": [0]}


# ---------------------------------------------------------------- PyTorch models

class EmbeddingLstm(torch.nn.Module):
    """ids (B, T) -> Embedding(11, 5, padding_idx=0) -> 2-layer bidirectional LSTM(6) -> Linear(12, 3) per step."""

    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(11, 5, padding_idx=0)
        self.lstm = torch.nn.LSTM(5, 6, num_layers=2, bidirectional=True, batch_first=True)
        self.head = torch.nn.Linear(12, 3)

    def forward(self, ids):
        y, _ = self.lstm(self.embedding(ids))
        return self.head(y)


class Encoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = torch.nn.GRU(4, 5, num_layers=2, bidirectional=True, batch_first=True)
        self.rnn = torch.nn.RNN(10, 3, nonlinearity="tanh", batch_first=True)

    def forward(self, x):
        y, _ = self.gru(x)
        y, _ = self.rnn(y)
        return y


class GruRnn(torch.nn.Module):
    """x (B, T, 4) -> encoder.gru: 2-layer bidirectional GRU(5) -> encoder.rnn: tanh RNN(3) -> decoder: Linear(3, 2) per step."""

    def __init__(self):
        super().__init__()
        self.encoder = Encoder()
        self.decoder = torch.nn.Linear(3, 2)

    def forward(self, x):
        return self.decoder(self.encoder(x))


class BareRnn(torch.nn.RNN):
    """A bare 2-layer ReLU RNN(3 -> 4): its state_dict keys have no module prefix."""

    def __init__(self):
        super().__init__(3, 4, num_layers=2, nonlinearity="relu", batch_first=True)

    def forward(self, x):
        y, _ = super().forward(x)
        return y


# ---------------------------------------------------------------- PyTorch -> Keras layout

def keras_matrix(w, order):
    """PyTorch (G*H, I) with gate blocks as rows -> Keras (I, G*H) with Keras' block order."""
    hidden = w.shape[0] // len(order)
    return np.concatenate([w[g * hidden:(g + 1) * hidden] for g in order], axis=0).T.copy()


def keras_vector(b, order):
    hidden = b.shape[0] // len(order)
    return np.concatenate([b[g * hidden:(g + 1) * hidden] for g in order])


def keras_recurrent(params, prefix, cell, layers, directions):
    """Arrays of `layers` stacked Keras layers (each Bidirectional when directions == 2):
    per layer the forward layer's [kernel, recurrent_kernel, bias], then the backward layer's.
    Keras' LSTM and SimpleRNN have one bias: PyTorch's two are summed (in float32). The GRU is
    Keras' reset_after=True form, whose bias (2, 3H) holds the input and the recurrent bias."""
    arrays = []
    for layer in range(layers):
        for d in range(directions):
            suffix = f"_l{layer}" + ("_reverse" if d else "")
            w_ih, w_hh = params[prefix + "weight_ih" + suffix], params[prefix + "weight_hh" + suffix]
            b_ih, b_hh = params[prefix + "bias_ih" + suffix], params[prefix + "bias_hh" + suffix]
            arrays.append(keras_matrix(w_ih, ORDER[cell]))
            arrays.append(keras_matrix(w_hh, ORDER[cell]))
            if cell == "gru":
                arrays.append(np.stack([keras_vector(b_ih, ORDER[cell]), keras_vector(b_hh, ORDER[cell])]))
            else:
                arrays.append(keras_vector((b_ih + b_hh).astype(np.float32), ORDER[cell]))
    return arrays


def keras_dense(params, prefix):
    return [params[prefix + "weight"].T.copy(), params[prefix + "bias"]]


# ---------------------------------------------------------------- Keras equations (numpy, float64)

def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def keras_cell_step(cell, arrays, x, h, c, activation, reset_after):
    """One step of Keras' LSTMCell / GRUCell / SimpleRNNCell in Keras layout; returns (h, c)."""
    kernel, recurrent, bias = arrays
    if cell == "rnn":
        return activation(x @ kernel + h @ recurrent + bias), c
    if cell == "lstm":
        z = x @ kernel + h @ recurrent + bias
        i, f, g, o = np.split(z, 4, axis=-1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        return sigmoid(o) * np.tanh(c), c
    units = recurrent.shape[0]
    if reset_after:
        x_z, x_r, x_h = np.split(x @ kernel + bias[0], 3, axis=-1)
        r_z, r_r, r_h = np.split(h @ recurrent + bias[1], 3, axis=-1)
        z, r = sigmoid(x_z + r_z), sigmoid(x_r + r_r)
        candidate = np.tanh(x_h + r * r_h)
    else:
        x_z, x_r, x_h = np.split(x @ kernel + bias, 3, axis=-1)
        z = sigmoid(x_z + h @ recurrent[:, :units])
        r = sigmoid(x_r + h @ recurrent[:, units:2 * units])
        candidate = np.tanh(x_h + (r * h) @ recurrent[:, 2 * units:])
    return z * h + (1 - z) * candidate, c


def keras_sequence(cell, arrays, x, backwards, activation, reset_after):
    """A Keras recurrent layer with return_sequences=True (go_backwards output re-reversed, as Bidirectional does)."""
    batch, steps, _ = x.shape
    units = arrays[1].shape[0]
    h, c = np.zeros((batch, units)), np.zeros((batch, units))
    out = np.zeros((batch, steps, units))
    for t in (reversed(range(steps)) if backwards else range(steps)):
        h, c = keras_cell_step(cell, arrays, x[:, t], h, c, activation, reset_after)
        out[:, t] = h
    return out


def keras_forward(spec, arrays, x):
    """Runs a Keras-layout model: spec items ("embedding",), ("dense",) or
    ("recurrent", cell, layers, directions, activation, reset_after), consuming get_weights() arrays in order."""
    arrays = [a.astype(np.float64) for a in arrays]
    it = iter(arrays)
    y = x
    for item in spec:
        if item[0] == "embedding":
            y = next(it)[y.astype(np.int64)]
        elif item[0] == "dense":
            kernel, bias = next(it), next(it)
            y = y @ kernel + bias
        else:
            _, cell, layers, directions, activation, reset_after = item
            for _ in range(layers):
                outs = [keras_sequence(cell, [next(it), next(it), next(it)], y, d == 1, activation, reset_after)
                        for d in range(directions)]
                y = np.concatenate(outs, axis=-1)
    assert next(it, None) is None, "arrays left over"
    return y


# ---------------------------------------------------------------- fixtures

def draw_parameters(module, rng, dtypes):
    """Sets every parameter to U(-0.5, 0.5) drawn in float32 (float16 for names in dtypes marked F16)."""
    params = {}
    for name, p in module.state_dict().items():
        values = rng.uniform(-0.5, 0.5, size=tuple(p.shape)).astype(np.float32)
        if dtypes.get(name) == "F16":
            values = values.astype(np.float16).astype(np.float32)  # exactly representable in the file
        if name == "embedding.weight":
            values[0] = 0  # padding_idx row, as PyTorch keeps it
        params[name] = values
    module.double()
    with torch.no_grad():
        for name, p in module.state_dict().items():
            p.copy_(torch.from_numpy(params[name].astype(np.float64)))
    return params


def save_npz(path, arrays):
    with mock.patch("time.time", return_value=FIXED_CLOCK):
        np.savez(path, *arrays)


def torch_fixture(name, module, make_input, keras_arrays, spec, dtypes=None, description=""):
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    dtypes = dtypes or {}
    params = draw_parameters(module, rng, dtypes)
    x = make_input(rng)
    with torch.no_grad():
        output = module(torch.from_numpy(x if x.dtype == np.int64 else x.astype(np.float64))).numpy()

    arrays = keras_arrays(params)
    keras_output = keras_forward(spec, arrays, x)
    error = np.abs(keras_output - output).max()
    assert error < 1e-6, f"{name}: Keras-layout arrays disagree with PyTorch by {error}"

    write_safetensors(os.path.join(OUT, name + ".safetensors"), list(params.items()), {"format": "pt"}, dtypes)
    save_npz(os.path.join(OUT, name + ".npz"), arrays)
    write_safetensors(os.path.join(OUT, name + ".io.safetensors"),
                      [("input", x.astype(np.float32)), ("output", output.astype(np.float32))],
                      {"model": description})
    print(f"{name}: {len(params)} tensors, {len(arrays)} Keras arrays, Keras-vs-PyTorch {error:.2g}")


def gru_cho_fixture():
    """Keras [Bidirectional(GRU(5, reset_after=False, return_sequences=True))] x 2 -> Dense(2), on x (B, T, 3)."""
    name = "gru_cho"
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    units, inputs, batch, steps = 5, 3, 3, 6

    def uniform(*shape):
        return rng.uniform(-0.5, 0.5, size=shape).astype(np.float32)

    arrays = []
    for layer in range(2):
        width = inputs if layer == 0 else 2 * units
        for _ in range(2):  # forward layer, then backward layer
            arrays += [uniform(width, 3 * units), uniform(units, 3 * units), uniform(3 * units)]
    arrays += [uniform(2 * units, 2), uniform(2)]
    x = rng.standard_normal((batch, steps, inputs)).astype(np.float32)
    spec = [("recurrent", "gru", 2, 2, np.tanh, False), ("dense",)]
    output = keras_forward(spec, arrays, x)

    save_npz(os.path.join(OUT, name + ".npz"), arrays)
    write_safetensors(os.path.join(OUT, name + ".io.safetensors"),
                      [("input", x), ("output", output.astype(np.float32))],
                      {"model": gru_cho_fixture.__doc__})
    print(f"{name}: {len(arrays)} Keras arrays")


def main():
    torch.set_num_threads(1)  # one summation order, so reruns are byte-identical
    os.environ["TZ"] = "UTC"
    time.tzset()
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)

    def ids(rng):
        x = rng.integers(1, 11, size=(3, 7))
        x[0, 5:] = 0  # padding ids (not masked: PyTorch runs them like any step)
        x[2, 0] = 0
        return x

    torch_fixture(
        "embedding_lstm", EmbeddingLstm(), ids,
        lambda p: [p["embedding.weight"]] + keras_recurrent(p, "lstm.", "lstm", 2, 2) + keras_dense(p, "head."),
        [("embedding",), ("recurrent", "lstm", 2, 2, np.tanh, True), ("dense",)],
        description=EmbeddingLstm.__doc__)

    torch_fixture(
        "gru_rnn", GruRnn(), lambda rng: rng.standard_normal((3, 6, 4)).astype(np.float32),
        lambda p: keras_recurrent(p, "encoder.gru.", "gru", 2, 2) + keras_recurrent(p, "encoder.rnn.", "rnn", 1, 1)
        + keras_dense(p, "decoder."),
        [("recurrent", "gru", 2, 2, np.tanh, True), ("recurrent", "rnn", 1, 1, np.tanh, True), ("dense",)],
        description=GruRnn.__doc__)

    bare = BareRnn()
    # Mixed dtypes: weights stored as F64, biases as F16 (values drawn exactly representable).
    dtypes = {n: ("F16" if n.startswith("bias") else "F64") for n in bare.state_dict()}
    torch_fixture(
        "rnn_bare", bare, lambda rng: rng.standard_normal((2, 5, 3)).astype(np.float32),
        lambda p: keras_recurrent(p, "", "rnn", 2, 1),
        [("recurrent", "rnn", 2, 1, lambda v: np.maximum(v, 0), True)],
        dtypes=dtypes, description=BareRnn.__doc__ + " Weights F64, biases F16.")

    gru_cho_fixture()


if __name__ == "__main__":
    main()
