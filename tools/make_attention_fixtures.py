#!/usr/bin/env python3
"""Regenerates the attention fixtures in tests/fixtures/attention.

Run with Debian's PyTorch:  /usr/bin/python3 tools/make_attention_fixtures.py

Each file is one attention call: a query (B, Tq, Dq) over a memory (B, Tk, Dm) with some memory
steps padded, the score's parameters, and the context, weights and gradients PyTorch's autograd
computes for the same formulas (written here independently of Recur):

  dot      s_ij = q_i . m_j
  general  s_ij = q_i . (W m_j)                    W (Dq, Dm), as nn.Linear(Dm, Dq, bias=False)
  additive s_ij = v . tanh(W_q q_i + b + W_m m_j)  W_q (A, Dq), W_m (A, Dm), b (A), v (A)

  a_i = softmax_j(s_i) over the real steps (padded scores filled with -inf), c_i = sum_j a_ij m_j.

The loss whose gradients are stored is sum(context * grad_context). Values are drawn as float32
(fixed seeds), the formulas run in float64, results are rounded to float32. Same writer as
make_torch_fixtures.py; output is byte-for-byte reproducible.
"""
import os
import shutil
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_torch_fixtures import write_safetensors  # noqa: E402

FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "attention")

# (score, B, Tq, Tk, Dq, Dm, A): usual sizes, one-step query and memory, odd sizes.
CASES = [
    ("dot", 3, 4, 5, 6, 6, 0),
    ("dot", 2, 1, 7, 3, 3, 0),
    ("dot", 4, 3, 1, 5, 5, 0),
    ("general", 3, 4, 5, 6, 4, 0),
    ("general", 2, 5, 3, 1, 7, 0),
    ("general", 4, 1, 6, 5, 5, 0),
    ("additive", 3, 4, 5, 6, 4, 7),
    ("additive", 2, 3, 6, 3, 5, 1),
    ("additive", 4, 2, 1, 4, 2, 3),
]


def draw_lengths(rng, batch, steps):
    """Memory lengths in [1, Tk] with a full and (when Tk > 1) a one-step sequence among them."""
    lengths = rng.integers(1, steps + 1, size=batch)
    lengths[0] = steps
    lengths[-1] = 1
    return rng.permutation(lengths)


def make_case(score, batch, tq, tk, dq, dm, units, seed):
    rng = np.random.default_rng(seed)
    f32 = lambda *shape, scale=1.0: (rng.standard_normal(shape) * scale).astype(np.float32)
    query, memory = f32(batch, tq, dq), f32(batch, tk, dm)
    lengths = draw_lengths(rng, batch, tk)
    params = []
    if score == "general":
        params = [("weight", rng.uniform(-0.5, 0.5, (dq, dm)).astype(np.float32))]
    elif score == "additive":
        params = [
            ("query_weight", rng.uniform(-0.5, 0.5, (units, dq)).astype(np.float32)),
            ("memory_weight", rng.uniform(-0.5, 0.5, (units, dm)).astype(np.float32)),
            ("bias", rng.uniform(-0.5, 0.5, (units,)).astype(np.float32)),
            ("v", rng.uniform(-1, 1, (units,)).astype(np.float32)),
        ]
    grad_context = f32(batch, tq, dm)

    leaf = lambda a: torch.tensor(a, dtype=torch.float64, requires_grad=True)
    q, m = leaf(query), leaf(memory)
    p = {name: leaf(value) for name, value in params}
    if score == "dot":
        s = torch.einsum("bid,bjd->bij", q, m)
    elif score == "general":
        s = torch.einsum("bid,bjd->bij", q, m @ p["weight"].T)
    else:
        z = (q @ p["query_weight"].T + p["bias"]).unsqueeze(2) + (m @ p["memory_weight"].T).unsqueeze(1)
        s = torch.tanh(z) @ p["v"]
    real = torch.arange(tk).unsqueeze(0) < torch.tensor(lengths).unsqueeze(1)  # (B, Tk)
    s = s.masked_fill(~real.unsqueeze(1), float("-inf"))
    a = torch.softmax(s, dim=-1)
    c = a @ m
    (c * torch.tensor(grad_context, dtype=torch.float64)).sum().backward()

    out = lambda t: t.detach().numpy().astype(np.float32)
    tensors = [("query", query), ("memory", memory), ("lengths", lengths.astype(np.float32))]
    tensors += params
    tensors += [("context", out(c)), ("weights", out(a)), ("grad_context", grad_context),
                ("grad.query", out(q.grad)), ("grad.memory", out(m.grad))]
    tensors += [("grad." + name, out(p[name].grad)) for name, _ in params]
    metadata = {"score": score, "batch": str(batch), "query_steps": str(tq), "memory_steps": str(tk),
                "query_features": str(dq), "memory_features": str(dm), "units": str(units)}
    return tensors, metadata


def main():
    torch.set_num_threads(1)
    shutil.rmtree(FOLDER, ignore_errors=True)
    os.makedirs(FOLDER)
    for i, (score, batch, tq, tk, dq, dm, units) in enumerate(CASES):
        tensors, metadata = make_case(score, batch, tq, tk, dq, dm, units, seed=1000 + i)
        name = f"{score}_b{batch}_q{tq}_k{tk}_dq{dq}_dm{dm}" + (f"_a{units}" if units else "") + ".safetensors"
        write_safetensors(os.path.join(FOLDER, name), tensors, metadata)
        print(name)


if __name__ == "__main__":
    main()
