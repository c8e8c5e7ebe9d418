"""PyTorch side of bench/compare.sh: the same recurrent cases as bench/Recur.Bench/LayerCases.cs.

Run with Debian's python3-torch:
  /usr/bin/python3 bench/torch_bench.py CASE TORCH_THREADS
      (CASE: a name below, or a shape cell:B:T:I:H:train|infer such as lstm:64:50:128:256:train)
      one line: case=<name> ms=<median step ms> rss_mb=<peak RSS> threads=<torch threads>
      blas_threads=<OpenBLAS threads> blas_core=<OpenBLAS kernel set>
  /usr/bin/python3 bench/torch_bench.py --check
      checks a 2048 x 2048 float32 matmul against a float64 reference and prints
      check blas_core=<kernels> blas_threads=<n> rel_err=<max|C32 - C64| / max|C64|> gflops=<matmul GFLOP/s>;
      exits with status 3 when rel_err exceeds 1e-5 (a BLAS computing wrong results).
A training step is forward + backward of sum(output) + an SGD update, as on the C# side.

OpenBLAS reads its thread count (OPENBLAS_NUM_THREADS) and its kernel choice (OPENBLAS_CORETYPE,
OPENBLAS_L2_SIZE) from the environment when it loads, so compare.sh sets them per command; this
script only reports what OpenBLAS ended up with.
"""
import ctypes
import resource
import sys
import time

import torch

CASES = {
    # name: (cell, B, T, I, H, train)
    "lstm_small_train": ("lstm", 32, 50, 32, 128, True),
    "lstm_medium_train": ("lstm", 64, 100, 128, 256, True),
    "lstm_large_train": ("lstm", 64, 100, 512, 512, True),
    "gru_medium_train": ("gru", 64, 100, 128, 256, True),
    "rnn_medium_train": ("rnn_tanh", 64, 100, 128, 256, True),
    "lstm_stream_step": ("lstm", 1, 100, 32, 128, False),
}

CHECK_SIZE = 2048
CHECK_TOLERANCE = 1e-5


def openblas():
    """(kernel set, threads) of the OpenBLAS that torch loaded, or ("none", 0) without OpenBLAS."""
    try:
        lib = ctypes.CDLL("libopenblas.so.0")  # already loaded through libblas.so.3: same handle
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode(), lib.openblas_get_num_threads()
    except (OSError, AttributeError):
        return "none", 0


def check():
    """Float32 matmul against float64: a BLAS whose kernels misbehave on this CPU is caught here."""
    torch.manual_seed(0)
    n = CHECK_SIZE
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b  # warm-up: thread pools, buffers
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        c = a @ b
        best = min(best, time.perf_counter() - t0)
    reference = a.double() @ b.double()
    rel_err = ((c.double() - reference).abs().max() / reference.abs().max()).item()
    core, blas_threads = openblas()
    gflops = 2.0 * n ** 3 / best / 1e9
    print(f"check blas_core={core} blas_threads={blas_threads} rel_err={rel_err:.2e} gflops={gflops:.1f}")
    return 0 if rel_err <= CHECK_TOLERANCE else 3


def main():
    if sys.argv[1] == "--check":
        sys.exit(check())
    name, threads = sys.argv[1], int(sys.argv[2])
    if ":" in name:  # a shape, cell:B:T:I:H:train|infer, as Recur.Bench reads it (bench/sweep.sh)
        f = name.split(":")
        cell, (B, T, I, H), train = f[0], map(int, f[1:5]), f[5] == "train"
    else:
        cell, B, T, I, H, train = CASES[name]
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    if cell == "lstm":
        layer = torch.nn.LSTM(I, H, batch_first=True)
    elif cell == "gru":
        layer = torch.nn.GRU(I, H, batch_first=True)
    else:
        layer = torch.nn.RNN(I, H, nonlinearity="tanh", batch_first=True)
    x = torch.randn(B, T, I)
    sgd = torch.optim.SGD(layer.parameters(), lr=1e-6)

    def step():
        if not train:
            with torch.no_grad():
                layer(x)
            return
        sgd.zero_grad()
        out, _ = layer(x)
        out.sum().backward()
        sgd.step()

    # Warm-up as on the C# side: at least 3 steps and 1 s.
    warm = time.perf_counter()
    n = 0
    while n < 3 or time.perf_counter() - warm < 1.0:
        step()
        n += 1
    times = []
    start = time.perf_counter()
    while len(times) < 5 or (time.perf_counter() - start < 1.0 and len(times) < 200):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000.0)
    times.sort()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    core, blas_threads = openblas()
    print(f"case={name} ms={times[len(times) // 2]:.3f} rss_mb={rss_mb:.0f} threads={threads}"
          f" blas_threads={blas_threads} blas_core={core}")


if __name__ == "__main__":
    main()
