#!/usr/bin/env python3
"""Regenerates tests/fixtures/torch_layernorm: layer-normalised LSTM and GRU against PyTorch autograd.

Run with Debian's PyTorch:  /usr/bin/python3 tools/make_layernorm_fixtures.py

PyTorch has no layer-normalised recurrent cell, so the cells are written here in torch, step by
step, from the equations of Ba et al. 2016 (supplementary material) as Recur implements them, and
autograd gives every gradient:

    LN(v) = (v - mean(v)) / sqrt(var(v) + 1e-5)          over the last axis, biased variance
    a = g_ih * LN(x W_ih^T) + b_ih + g_hh * LN(h W_hh^T) + b_hh
    LSTM: i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of a's four blocks
          c' = f * c + i * g;   h' = o * tanh(g_c * LN(c') + b_c)
    GRU (reset after the multiply):  xa = g_ih * LN(x W_ih^T) + b_ih,  u = g_hh * LN(h W_hh^T)
          r = sigmoid(xa_r + u_r + b_hr),  z = sigmoid(xa_z + u_z + b_hz)
          n = tanh(xa_n + r * (u_n + b_hn));   h' = (1 - z) * n + z * h

Variable-length batches: a padded step keeps the state and outputs zero; the reverse direction
starts at each sequence's last real step. Same format, seeds and float64 evaluation as
tools/make_torch_fixtures.py (see tests/fixtures/README.md); output is byte-for-byte reproducible.
"""
import os
import shutil
import zlib

import numpy as np
import torch

from make_torch_fixtures import (FIXTURES, case_name, draw_data, fixture_metadata, fixture_tensors, leaf, upstream_loss,
                                 write_safetensors)

EPS = 1e-5

# (cell, layers, bidirectional, B, T, I, H, packed): uni/bi, 1-2 layers, B = 1, T = 1, variable lengths.
CASES = [
    (cell,) + shape
    for cell in ("lstm", "gru")
    for shape in [
        (1, False, 3, 5, 4, 6, False),
        (2, True, 3, 4, 3, 5, False),
        (1, True, 1, 1, 2, 3, False),
        (2, False, 1, 6, 5, 7, False),
        (1, False, 9, 3, 5, 17, False),
        (2, True, 4, 5, 3, 4, True),
        (1, False, 4, 5, 3, 4, True),
    ]
]


def ln(v):
    mean = v.mean(-1, keepdim=True)
    var = ((v - mean) ** 2).mean(-1, keepdim=True)
    return (v - mean) / torch.sqrt(var + EPS)


def lstm_step(p, x, h, c):
    a = p["ln_weight_ih"] * ln(x @ p["weight_ih"].T) + p["bias_ih"] + p["ln_weight_hh"] * ln(h @ p["weight_hh"].T) + p["bias_hh"]
    i, f, g, o = a.chunk(4, dim=-1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h = torch.sigmoid(o) * torch.tanh(p["ln_weight_c"] * ln(c) + p["ln_bias_c"])
    return h, c


def gru_step(p, x, h, _c):
    xa = p["ln_weight_ih"] * ln(x @ p["weight_ih"].T) + p["bias_ih"]
    u = p["ln_weight_hh"] * ln(h @ p["weight_hh"].T)
    b_r, b_z, b_n = p["bias_hh"].chunk(3)
    x_r, x_z, x_n = xa.chunk(3, dim=-1)
    u_r, u_z, u_n = u.chunk(3, dim=-1)
    r = torch.sigmoid(x_r + u_r + b_r)
    z = torch.sigmoid(x_z + u_z + b_z)
    n = torch.tanh(x_n + r * (u_n + b_n))
    return (1 - z) * n + z * h, None


def run(cell, params, x, h0, c0, lengths, layers, directions):
    """Every layer and direction step by step; returns output (B, T, D·H) and the final states."""
    step = lstm_step if cell == "lstm" else gru_step
    batch, steps, _ = x.shape
    layer_input = x
    h_n, c_n = [], []
    for layer in range(layers):
        outputs = []
        for d in range(directions):
            k = layer * directions + d
            suffix = f"_l{layer}" + ("_reverse" if d else "")
            p = {name[: -len(suffix)]: t for name, t in params.items() if name.endswith(suffix) and
                 (d or not name.endswith("_reverse"))}
            h, c = h0[k], (c0[k] if cell == "lstm" else None)
            out = [None] * steps
            for t in (reversed(range(steps)) if d else range(steps)):
                valid = torch.from_numpy(t < lengths).unsqueeze(-1)
                h_new, c_new = step(p, layer_input[:, t], h, c)
                out[t] = torch.where(valid, h_new, torch.zeros_like(h_new))
                h = torch.where(valid, h_new, h)
                if c is not None:
                    c = torch.where(valid, c_new, c)
            outputs.append(torch.stack(out, dim=1))
            h_n.append(h)
            c_n.append(c)
        layer_input = torch.cat(outputs, dim=-1)
    return layer_input, torch.stack(h_n), (torch.stack(c_n) if cell == "lstm" else None)


def parameter_shapes(cell, layers, directions, inputs, hidden):
    gates = 4 if cell == "lstm" else 3
    shapes = []
    for layer in range(layers):
        for d in range(directions):
            suffix = f"_l{layer}" + ("_reverse" if d else "")
            layer_inputs = inputs if layer == 0 else directions * hidden
            shapes += [("weight_ih" + suffix, (gates * hidden, layer_inputs)), ("weight_hh" + suffix, (gates * hidden, hidden)),
                       ("bias_ih" + suffix, (gates * hidden,)), ("bias_hh" + suffix, (gates * hidden,)),
                       ("ln_weight_ih" + suffix, (gates * hidden,)), ("ln_weight_hh" + suffix, (gates * hidden,))]
            if cell == "lstm":
                shapes += [("ln_weight_c" + suffix, (hidden,)), ("ln_bias_c" + suffix, (hidden,))]
    return shapes


def make_case(cell, layers, bidirectional, batch, steps, inputs, hidden, packed, seed):
    rng = np.random.default_rng(seed)
    directions = 2 if bidirectional else 1
    params = {}
    for name, shape in parameter_shapes(cell, layers, directions, inputs, hidden):
        # Gains around 1 and biases around 0, drawn so that a wrong gain or bias shows.
        low, high = (0.5, 1.5) if name.startswith("ln_weight") else (-0.5, 0.5)
        params[name] = rng.uniform(low, high, size=shape).astype(np.float32)
    x, lengths, h0, c0, grad_output, grad_h_n, grad_c_n = draw_data(rng, layers, directions, batch, steps, inputs, hidden, hidden, packed)

    leaves = {name: leaf(a) for name, a in params.items()}
    xt, h0t, c0t = leaf(x), leaf(h0), leaf(c0)
    lstm = cell == "lstm"
    output, h_n, c_n = run(cell, leaves, xt, h0t, c0t, lengths, layers, directions)
    upstream_loss((output, h_n, c_n), (grad_output, grad_h_n, grad_c_n)).backward()

    tensors = fixture_tensors(params, x, lengths if packed else None, h0, c0 if lstm else None,
                              (output, h_n, c_n), (grad_output, grad_h_n, grad_c_n), (xt, h0t, c0t),
                              [(name, t.grad) for name, t in leaves.items()])
    metadata = fixture_metadata(cell, inputs, hidden, layers, bidirectional, batch, steps)
    metadata["layer_norm"] = "true"
    return tensors, metadata


def main():
    torch.set_num_threads(1)
    folder = "torch_layernorm"
    path = os.path.join(FIXTURES, folder)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    for cell, layers, bidirectional, batch, steps, inputs, hidden, packed in CASES:
        name = case_name(cell, layers, bidirectional, batch, steps, inputs, hidden)
        seed = zlib.crc32(f"{folder}/{name}".encode())
        tensors, metadata = make_case(cell, layers, bidirectional, batch, steps, inputs, hidden, packed, seed)
        write_safetensors(os.path.join(path, name + ".safetensors"), tensors, metadata)
        print(f"{folder}/{name}.safetensors  seed {seed}")


if __name__ == "__main__":
    main()
