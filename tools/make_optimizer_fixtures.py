#!/usr/bin/python3
"""Writes tests/fixtures/optim/optimizers.json: PyTorch 1.13 optimizer trajectories.

Each case runs one torch.optim optimizer on a (4, 5) float32 parameter for a fixed sequence of
gradients (the same for every case) and records the parameter after every step, plus the final
per-parameter state under PyTorch's names. 20 elements: PyTorch's CPU kernels take their
vectorized path for the first 16 and their scalar path for the rest, so both are covered. A case may change the learning rate between steps
(lr_per_step), as a schedule would. The C# tests replay the gradients and compare.

Run with PyTorch 1.13:  /usr/bin/python3 tools/make_optimizer_fixtures.py
"""
import json
import os

import torch

STEPS = 5

CASES = [
    ("sgd", "SGD", dict(lr=0.1)),
    ("sgd_momentum", "SGD", dict(lr=0.1, momentum=0.9)),
    ("sgd_nesterov_weight_decay", "SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("adam", "Adam", dict(lr=0.1)),
    ("adam_weight_decay", "Adam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("adamw", "AdamW", dict(lr=0.1, weight_decay=0.1)),
    ("rmsprop", "RMSprop", dict(lr=0.01)),
    ("rmsprop_centered_momentum", "RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.05)),
    ("adagrad", "Adagrad", dict(lr=0.1, initial_accumulator_value=0.1, weight_decay=0.02)),
    ("adam_lr_change", "Adam", dict(lr=0.1)),
]

# Learning rate used at each step (None: the constructor's); only some cases change it.
LR_SCHEDULES = {"adam_lr_change": [0.1, 0.1, 0.01, 0.01, 0.3]}


def main():
    torch.manual_seed(1234)
    initial = torch.randn(4, 5)
    grads = torch.randn(STEPS, 4, 5)
    grads[1, 0, 0] = 0.0  # an exactly-zero gradient entry
    grads[3] *= 10.0  # a large step

    cases = []
    for name, cls, kwargs in CASES:
        param = torch.nn.Parameter(initial.clone())
        opt_kwargs = dict(kwargs)
        if cls in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad"):
            opt_kwargs.setdefault("foreach", False)  # the single-tensor path documented in Recur
        opt = getattr(torch.optim, cls)([param], **opt_kwargs)
        schedule = LR_SCHEDULES.get(name, [kwargs["lr"]] * STEPS)
        trajectory = []
        for step in range(STEPS):
            for group in opt.param_groups:
                group["lr"] = schedule[step]
            param.grad = grads[step].clone()
            opt.step()
            trajectory.append(param.detach().flatten().tolist())
        state = opt.state_dict()["state"][0]
        final_state = {k: (float(v) if k == "step" else v.flatten().tolist()) for k, v in state.items() if v is not None}
        cases.append(dict(
            name=name,
            optimizer=cls,
            hyper_parameters={k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()},
            lr_per_step=schedule,
            trajectory=trajectory,
            final_state=final_state,
        ))

    out = dict(
        generator="tools/make_optimizer_fixtures.py",
        torch_version=torch.__version__,
        shape=[4, 5],
        initial=initial.flatten().tolist(),
        gradients=[g.flatten().tolist() for g in grads],
        cases=cases,
    )
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "optim", "optimizers.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.normpath(path)}: {len(cases)} cases x {STEPS} steps")


if __name__ == "__main__":
    main()
