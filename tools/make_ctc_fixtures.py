#!/usr/bin/env python3
"""Regenerates the CTC loss fixtures in tests/fixtures/ctc.

Run with Debian's PyTorch:  /usr/bin/python3 tools/make_ctc_fixtures.py

Each file is one batch for torch.nn.functional.ctc_loss, computed in float64 on float32 logits:
log_probs = log_softmax(logits) over the class axis, then ctc_loss(log_probs.transpose(0, 1), ...)
in every convention (reduction none / mean / sum, zero_infinity false / true). Gradients are taken
with respect to the LOGITS (through log_softmax), which is what a fused log-softmax + CTC computes.

Metadata (strings): blank, batch, steps, classes, max_label, case (what the batch exercises).

Tensors:
  logits          (B, T, C) F32
  targets         (B, S) F32, label ids, padded with -1 after each item's labels
  input_lengths   (B) F32 whole numbers
  target_lengths  (B) F32 whole numbers
  loss_none_zi{0,1}          (B) F64   per-item negative log-likelihood (inf when impossible, zi0)
  loss_{mean,sum}_zi{0,1}    (1) F64   reduced loss
  grad_{mean,sum}_zi{0,1}    (B, T, C) F64 d loss / d logits; written only when every entry is finite

Output is byte-for-byte reproducible (fixed seeds, one thread).
"""
import os
import shutil
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_torch_fixtures import write_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "ctc")

# name: (blank, classes, steps, [(input_length, labels)], what it exercises)
CASES = {
    "repeats": (0, 5, 8, [(8, [1, 1, 2]), (8, [3, 3, 3]), (7, [2, 4, 2, 4])],
                "repeated labels (a blank is required between equal neighbours)"),
    "empty_label": (0, 4, 6, [(6, []), (5, [1, 2]), (3, [])],
                    "label length 0 (the all-blank path; mean divides by max(S, 1))"),
    "minimum_length": (0, 4, 5, [(4, [1, 1, 2]), (5, [1, 2, 3, 1, 2]), (3, [3, 3])],
                       "input length equal to the minimum (S + number of equal neighbours)"),
    "impossible": (0, 4, 4, [(2, [1, 1]), (4, [2, 3]), (4, [1, 1, 1])],
                   "impossible alignments (T >= S but fewer steps than S + repeats), with and without zero_infinity"),
    "mixed": (0, 7, 12, [(12, [1, 2, 3, 4, 5]), (9, [6, 6]), (1, [3]), (10, [2, 5, 5, 2, 1, 1]), (7, [])],
              "mixed input and label lengths in one batch"),
    "blank_last": (5, 6, 9, [(9, [0, 1, 0, 4]), (6, [2, 2]), (9, [4, 3, 2, 1, 0])],
                   "blank index C - 1 and label 0 as an ordinary class"),
    "blank_middle": (2, 5, 7, [(7, [0, 1, 3, 4]), (5, [4, 4]), (7, [1])],
                     "blank index in the middle of the classes"),
    "long": (0, 12, 40, [(40, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 1]), (33, [5, 5, 5, 5, 5, 5]),
                         (40, [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 11, 10, 9]), (20, [7])],
             "longer sequences, peaked logits (a saturated softmax)"),
}


def make(name, seed):
    blank, classes, steps, items, what = CASES[name]
    rng = np.random.default_rng(seed)
    batch = len(items)
    scale = 6.0 if name == "long" else 2.0
    logits = (rng.standard_normal((batch, steps, classes)) * scale).astype(np.float32)
    max_label = max(1, max(len(l) for _, l in items))
    targets = np.full((batch, max_label), -1.0, dtype=np.float32)
    for b, (_, labels) in enumerate(items):
        targets[b, :len(labels)] = labels
    input_lengths = np.array([t for t, _ in items], dtype=np.int64)
    target_lengths = np.array([len(l) for _, l in items], dtype=np.int64)

    tensors = [("logits", logits), ("targets", targets),
               ("input_lengths", input_lengths.astype(np.float32)), ("target_lengths", target_lengths.astype(np.float32))]
    dtypes = {}
    for zi in (False, True):
        for reduction in ("none", "mean", "sum"):
            x = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
            log_probs = torch.log_softmax(x, dim=-1).transpose(0, 1)  # (T, B, C)
            # PyTorch takes concatenated targets when padding would be ambiguous; the padded (B, S)
            # form with -1 fill is equivalent here because target_lengths says where each item ends.
            flat = torch.tensor(np.concatenate([np.array(l, dtype=np.int64) for _, l in items]), dtype=torch.long)
            loss = torch.nn.functional.ctc_loss(log_probs, flat, torch.tensor(input_lengths), torch.tensor(target_lengths),
                                                blank=blank, reduction=reduction, zero_infinity=zi)
            key = f"{reduction}_zi{int(zi)}"
            if reduction == "none":
                tensors.append((f"loss_{key}", loss.detach().numpy()))
                dtypes[f"loss_{key}"] = "F64"
                continue
            tensors.append((f"loss_{key}", loss.detach().numpy().reshape(1)))
            dtypes[f"loss_{key}"] = "F64"
            if torch.isfinite(loss):
                loss.backward()
                grad = x.grad.numpy()
                if np.all(np.isfinite(grad)):
                    tensors.append((f"grad_{key}", grad))
                    dtypes[f"grad_{key}"] = "F64"
    metadata = {"blank": str(blank), "batch": str(batch), "steps": str(steps), "classes": str(classes),
                "max_label": str(max_label), "case": what}
    write_safetensors(os.path.join(OUT, f"{name}.safetensors"), tensors, metadata, dtypes)
    print(name, [n for n, _ in tensors])


def main():
    torch.set_num_threads(1)
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    for seed, name in enumerate(CASES):
        make(name, 1000 + seed)


if __name__ == "__main__":
    main()
