"""PyTorch side of bench/compare.sh: the same recurrent cases as bench/Recur.Bench/LayerCases.cs.

Run with Debian's python3-torch: /usr/bin/python3 bench/torch_bench.py CASE THREADS
Prints one line: case=<name> ms=<median step ms> rss_mb=<peak RSS> threads=<n>.
A training step is forward + backward of sum(output) + an SGD update, as on the C# side.
"""
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


def main():
    name, threads = sys.argv[1], int(sys.argv[2])
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
    print(f"case={name} ms={times[len(times) // 2]:.3f} rss_mb={rss_mb:.0f} threads={threads}")


if __name__ == "__main__":
    main()
