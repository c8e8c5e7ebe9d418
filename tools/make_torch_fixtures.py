#!/usr/bin/env python3
"""Regenerates the PyTorch parity fixtures in tests/fixtures/torch, torch_packed and torch_proj.

Run with Debian's PyTorch:  /usr/bin/python3 tools/make_torch_fixtures.py

Each file is a safetensors file (F32) holding one recurrent layer's parameters, inputs, upstream
gradients and PyTorch's outputs and gradients. Random values are drawn as float32 (fixed seeds),
the model runs in float64 on exactly those values, and results are rounded to float32. The
safetensors format is written by hand (struct + json), so the `safetensors` package is not needed.
Output is byte-for-byte reproducible: same seeds, one thread, no timestamps.
"""
import json
import os
import shutil
import struct
import zlib

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures")

MODULES = {
    "lstm": lambda **kw: torch.nn.LSTM(**kw),
    "gru": lambda **kw: torch.nn.GRU(**kw),
    "rnn_tanh": lambda **kw: torch.nn.RNN(nonlinearity="tanh", **kw),
    "rnn_relu": lambda **kw: torch.nn.RNN(nonlinearity="relu", **kw),
}

# (cell, layers, bidirectional, B, T, I, H): common shapes, T = 1, B = 1, H = 1, I = 1, odd sizes, 3 layers.
SHAPES = [
    (1, False, 3, 5, 4, 6),
    (2, True, 3, 5, 4, 6),
    (3, False, 2, 4, 3, 5),
    (1, True, 1, 1, 1, 1),
    (1, False, 2, 7, 13, 17),
    (2, False, 1, 6, 5, 1),
    (3, True, 2, 3, 2, 3),
    (1, False, 4, 1, 3, 4),
]
CASES = [(cell,) + shape for cell in MODULES for shape in SHAPES]

# Variable-length batches: each has a length-1 and a full-length sequence, in unsorted order.
PACKED_CASES = [
    ("lstm", 1, False, 4, 5, 3, 4),
    ("lstm", 2, True, 4, 5, 3, 4),
    ("gru", 1, True, 3, 4, 2, 3),
    ("gru", 2, False, 4, 5, 3, 4),
    ("rnn_tanh", 1, True, 4, 5, 3, 4),
    ("rnn_tanh", 2, False, 3, 6, 2, 5),
    ("rnn_relu", 1, False, 4, 5, 3, 4),
    ("rnn_relu", 2, True, 3, 6, 2, 5),
]

# Projected LSTMs (proj_size P < H): (layers, bidirectional, B, T, I, H, P, packed); every
# direction and layer count, B = 1, T = 1, P = 1, and variable lengths.
PROJ_CASES = [
    (1, False, 3, 5, 4, 6, 3, False),
    (2, True, 3, 5, 4, 6, 2, False),
    (3, False, 2, 4, 3, 5, 4, False),
    (1, True, 1, 1, 1, 2, 1, False),
    (2, False, 1, 6, 5, 7, 3, False),
    (3, True, 2, 3, 2, 3, 1, False),
    (1, False, 9, 4, 3, 17, 5, False),
    (2, True, 4, 5, 3, 4, 2, True),
    (1, False, 4, 5, 3, 5, 3, True),
]

# ReLU has a kink at 0: a pre-activation this close to it could fall on the other side in float32
# and flip a gradient, so such draws are rejected and redrawn.
RELU_MARGIN = 1e-3


def case_name(cell, layers, bidirectional, batch, steps, inputs, hidden, proj=0):
    direction = "bi" if bidirectional else "uni"
    return f"{cell}_l{layers}_{direction}_b{batch}_t{steps}_i{inputs}_h{hidden}" + (f"_p{proj}" if proj else "")


NUMPY_DTYPES = {"F32": "<f4", "F64": "<f8", "F16": "<f2"}


def write_safetensors(path, tensors, metadata, dtypes=None):
    """Writes (name, array) pairs in the given order, as F32 unless dtypes[name] says F64 or F16;
    header padded with spaces to 8 bytes."""
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name, array in tensors:
        dtype = (dtypes or {}).get(name, "F32")
        blob = np.ascontiguousarray(array, dtype=NUMPY_DTYPES[dtype]).tobytes()
        header[name] = {
            "dtype": dtype,
            "shape": [int(d) for d in np.shape(array)],
            "data_offsets": [offset, offset + len(blob)],
        }
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def draw_lengths(rng, batch, steps):
    lengths = np.concatenate([[steps, 1], rng.integers(1, steps + 1, size=batch - 2)])
    lengths = rng.permutation(lengths)
    if np.all(lengths[:-1] >= lengths[1:]):  # sorted descending would not exercise enforce_sorted=False
        lengths = lengths[::-1].copy()
    return lengths


def rnn_reference(params, x, h0, layers, directions, lengths, relu):
    """Elman RNN in numpy float64, step by step; returns (output, smallest |pre-activation|)."""
    batch, _, _ = x.shape
    layer_input = x
    margin = np.inf
    for layer in range(layers):
        outputs = []
        for d in range(directions):
            suffix = "_reverse" if d else ""
            w_ih, w_hh = params[f"weight_ih_l{layer}{suffix}"], params[f"weight_hh_l{layer}{suffix}"]
            b = params[f"bias_ih_l{layer}{suffix}"] + params[f"bias_hh_l{layer}{suffix}"]
            out = np.zeros(layer_input.shape[:2] + (w_hh.shape[0],))
            for n in range(batch):
                h = h0[layer * directions + d, n]
                steps = range(lengths[n])
                for t in (reversed(steps) if d else steps):
                    pre = w_ih @ layer_input[n, t] + w_hh @ h + b
                    margin = min(margin, np.abs(pre).min())
                    h = np.maximum(pre, 0) if relu else np.tanh(pre)
                    out[n, t] = h
            outputs.append(out)
        layer_input = np.concatenate(outputs, axis=-1)
    return layer_input, margin


def draw_data(rng, layers, directions, batch, steps, inputs, out_size, hidden, packed):
    """Draws, in this order, the input (B, T, I) (right-padded with zeros past each length), the
    lengths, h0 (L·D, B, out_size), c0 (L·D, B, H) and the upstream gradients."""
    state_shape = (layers * directions, batch, out_size)
    cell_shape = (layers * directions, batch, hidden)
    x = rng.standard_normal((batch, steps, inputs)).astype(np.float32)
    lengths = draw_lengths(rng, batch, steps) if packed else np.full(batch, steps)
    for n in range(batch):
        x[n, lengths[n]:] = 0  # right padding
    h0 = (0.5 * rng.standard_normal(state_shape)).astype(np.float32)
    c0 = (0.5 * rng.standard_normal(cell_shape)).astype(np.float32)
    # Upstream gradients are random everywhere, padded steps included: those outputs are constant
    # zeros, so whatever gradient arrives there must not flow anywhere.
    grad_output = rng.standard_normal((batch, steps, directions * out_size)).astype(np.float32)
    grad_h_n = rng.standard_normal(state_shape).astype(np.float32)
    grad_c_n = rng.standard_normal(cell_shape).astype(np.float32)
    return x, lengths, h0, c0, grad_output, grad_h_n, grad_c_n


def leaf(a):
    """A float64 leaf tensor that collects its gradient."""
    return torch.from_numpy(a.astype(np.float64)).requires_grad_()


def fixture_metadata(cell, inputs, hidden, layers, bidirectional, batch, steps):
    """The `__metadata__` every fixture holds (all values strings)."""
    return {
        "cell": cell,
        "input_size": str(inputs),
        "hidden_size": str(hidden),
        "num_layers": str(layers),
        "bidirectional": "true" if bidirectional else "false",
        "batch_first": "true",
        "batch": str(batch),
        "seq_len": str(steps),
    }


def upstream_loss(results, upstream):
    """sum(output * grad_output) + sum(h_n * grad_h_n) [+ sum(c_n * grad_c_n)]: its gradients are
    the stored ones. c_n is None for a cell without a cell state."""
    (output, h_n, c_n), (grad_output, grad_h_n, grad_c_n) = results, upstream
    loss = (output * torch.from_numpy(grad_output.astype(np.float64))).sum() \
        + (h_n * torch.from_numpy(grad_h_n.astype(np.float64))).sum()
    if c_n is not None:
        loss = loss + (c_n * torch.from_numpy(grad_c_n.astype(np.float64))).sum()
    return loss


def fixture_tensors(params, x, lengths, h0, c0, results, upstream, inputs, parameter_grads):
    """The tensors of one fixture in file order: parameters, input (and lengths), initial states,
    results, upstream gradients, then the gradients of the inputs and of every parameter. c0 is
    None for a cell without a cell state, lengths None for full-length sequences."""
    lstm = c0 is not None
    output, h_n, c_n = results
    grad_output, grad_h_n, grad_c_n = upstream
    xt, h0t, c0t = inputs
    tensors = list(params.items())
    tensors.append(("input", x))
    if lengths is not None:
        tensors.append(("lengths", lengths.astype(np.float32)))
    tensors.append(("h0", h0))
    if lstm:
        tensors.append(("c0", c0))
    tensors += [("output", output.detach().numpy()), ("h_n", h_n.detach().numpy())]
    if lstm:
        tensors.append(("c_n", c_n.detach().numpy()))
    tensors += [("grad_output", grad_output), ("grad_h_n", grad_h_n)]
    if lstm:
        tensors.append(("grad_c_n", grad_c_n))
    tensors += [("grad.input", xt.grad.numpy()), ("grad.h0", h0t.grad.numpy())]
    if lstm:
        tensors.append(("grad.c0", c0t.grad.numpy()))
    tensors += [("grad." + name, grad.numpy()) for name, grad in parameter_grads]
    return tensors


def make_case(cell, layers, bidirectional, batch, steps, inputs, hidden, seed, packed, proj=0):
    rng = np.random.default_rng(seed)
    directions = 2 if bidirectional else 1
    extra = {"proj_size": proj} if proj else {}
    module = MODULES[cell](input_size=inputs, hidden_size=hidden, num_layers=layers,
                           bidirectional=bidirectional, batch_first=True, **extra).double()
    out_size = proj or hidden  # the width of h

    params = {}
    for name, p in module.named_parameters():  # state_dict order
        params[name] = rng.uniform(-0.5, 0.5, size=tuple(p.shape)).astype(np.float32)
        with torch.no_grad():
            p.copy_(torch.from_numpy(params[name].astype(np.float64)))

    x, lengths, h0, c0, grad_output, grad_h_n, grad_c_n = draw_data(rng, layers, directions, batch, steps, inputs, out_size, hidden, packed)
    xt, h0t, c0t = leaf(x), leaf(h0), leaf(c0)
    state = (h0t, c0t) if cell == "lstm" else h0t
    if packed:
        sequence = pack_padded_sequence(xt, torch.from_numpy(lengths), batch_first=True, enforce_sorted=False)
        out_packed, final = module(sequence, state)
        output, _ = pad_packed_sequence(out_packed, batch_first=True, total_length=steps)
    else:
        output, final = module(xt, state)
    h_n, c_n = final if cell == "lstm" else (final, None)

    upstream_loss((output, h_n, c_n), (grad_output, grad_h_n, grad_c_n)).backward()

    margin = np.inf
    if cell.startswith("rnn"):
        reference, margin = rnn_reference({k: v.astype(np.float64) for k, v in params.items()},
                                          x.astype(np.float64), h0.astype(np.float64),
                                          layers, directions, lengths, relu=cell == "rnn_relu")
        assert np.allclose(reference, output.detach().numpy(), rtol=0, atol=1e-12), "numpy reference disagrees"

    tensors = fixture_tensors(params, x, lengths if packed else None, h0, c0 if cell == "lstm" else None,
                              (output, h_n, c_n), (grad_output, grad_h_n, grad_c_n), (xt, h0t, c0t),
                              [(name, p.grad) for name, p in module.named_parameters()])

    metadata = fixture_metadata(cell, inputs, hidden, layers, bidirectional, batch, steps)
    if proj:
        metadata["proj_size"] = str(proj)
    return tensors, metadata, margin


def generate(folder, cases, packed):
    path = os.path.join(FIXTURES, folder)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    for case in cases:
        name = case_name(*case)
        seed = zlib.crc32(f"{folder}/{name}".encode())
        for attempt in range(100):
            tensors, metadata, margin = make_case(*case, seed=seed + attempt, packed=packed)
            if margin >= RELU_MARGIN or case[0] != "rnn_relu":
                break
        else:
            raise RuntimeError(f"{name}: no draw keeps ReLU pre-activations {RELU_MARGIN} away from 0")
        write_safetensors(os.path.join(path, name + ".safetensors"), tensors, metadata)
        print(f"{folder}/{name}.safetensors  seed {seed + attempt}")


def generate_proj(folder, cases):
    path = os.path.join(FIXTURES, folder)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    for layers, bidirectional, batch, steps, inputs, hidden, proj, packed in cases:
        name = case_name("lstm", layers, bidirectional, batch, steps, inputs, hidden, proj)
        seed = zlib.crc32(f"{folder}/{name}".encode())
        tensors, metadata, _ = make_case("lstm", layers, bidirectional, batch, steps, inputs, hidden,
                                         seed=seed, packed=packed, proj=proj)
        write_safetensors(os.path.join(path, name + ".safetensors"), tensors, metadata)
        print(f"{folder}/{name}.safetensors  seed {seed}")


def main():
    torch.set_num_threads(1)  # one summation order, so reruns are byte-identical
    generate("torch", CASES, packed=False)
    generate("torch_packed", PACKED_CASES, packed=True)
    generate_proj("torch_proj", PROJ_CASES)


if __name__ == "__main__":
    main()
