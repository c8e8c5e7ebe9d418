"""Draws docs/gflops-sweep.svg from the table bench/sweep.sh writes (no plotting library needed).

  /usr/bin/python3 bench/sweep_plot.py TABLE.tsv OUT.svg

Two panels on the same GFLOP/s axis: against the batch size and against the hidden size (both on
log-2 axes), Recur and PyTorch at its best, with the two-core FMA peak measured in the same run.
"""
import csv
import os
import math
import sys

W, H, PAD_L, PAD_R, PAD_T, PAD_B, GAP = 900, 380, 60, 20, 40, 50, 50
SERIES = (("recur_gflops", "Recur", "#1f77b4", ""), ("torch_gflops", "PyTorch at its best", "#d62728", "6 4"))


def panel(rows, axis_key, x0, width, y_max, title):
    """SVG elements of one panel: axes, ticks, the peak line and one polyline per library."""
    xs = [int(r[axis_key]) for r in rows]
    lo, hi = math.log2(min(xs)), math.log2(max(xs))
    hi = max(hi, lo + 1)  # one point: an axis one octave wide
    plot_h = H - PAD_T - PAD_B

    def px(v):
        return x0 + (math.log2(v) - lo) / (hi - lo) * width

    def py(g):
        return PAD_T + plot_h * (1 - g / y_max)

    parts = [f'<text x="{x0 + width / 2:.1f}" y="{PAD_T - 14}" text-anchor="middle" font-weight="bold">{title}</text>',
             f'<rect x="{x0}" y="{PAD_T}" width="{width}" height="{plot_h}" fill="none" stroke="#999"/>']
    for g in range(0, int(y_max) + 1, 100):
        parts.append(f'<line x1="{x0}" x2="{x0 + width}" y1="{py(g):.1f}" y2="{py(g):.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{x0 - 6}" y="{py(g) + 4:.1f}" text-anchor="end">{g}</text>')
    for v in xs:
        parts.append(f'<text x="{px(v):.1f}" y="{H - PAD_B + 16}" text-anchor="middle">{v}</text>')
    peak = float(rows[0]["peak_gflops"])
    parts.append(f'<line x1="{x0}" x2="{x0 + width}" y1="{py(peak):.1f}" y2="{py(peak):.1f}" stroke="#2ca02c" stroke-dasharray="2 3"/>')
    parts.append(f'<text x="{x0 + width - 4}" y="{py(peak) - 5:.1f}" text-anchor="end" fill="#2ca02c">FMA peak {peak:.0f}</text>')
    for key, name, colour, dash in SERIES:
        points = " ".join(f"{px(int(r[axis_key])):.1f},{py(float(r[key])):.1f}" for r in rows)
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>')
        for r in rows:
            parts.append(f'<circle cx="{px(int(r[axis_key])):.1f}" cy="{py(float(r[key])):.1f}" r="3" fill="{colour}"/>')
    return parts


def main():
    table, out = sys.argv[1], sys.argv[2]
    with open(table, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    batch = [r for r in rows if r["axis"] == "batch"]
    hidden = [r for r in rows if r["axis"] == "hidden"]
    if not batch or not hidden:
        sys.exit(f"{table}: expected rows of both axes, batch and hidden")
    peak = float(rows[0]["peak_gflops"])
    y_max = max([peak] + [float(r[k]) for r in rows for k, *_ in SERIES]) * 1.08
    width = (W - PAD_L - PAD_R - GAP) / 2
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
             '<rect width="100%" height="100%" fill="white"/>']
    parts += panel(batch, "B", PAD_L, width, y_max, f"LSTM training step, T 50, I 128, H {batch[0]['H']}: against the batch")
    parts += panel(hidden, "H", PAD_L + width + GAP, width, y_max, f"T 50, I 128, B {hidden[0]['B']}: against the hidden size")
    parts.append(f'<text x="14" y="{PAD_T + (H - PAD_T - PAD_B) / 2:.1f}" transform="rotate(-90 14 {PAD_T + (H - PAD_T - PAD_B) / 2:.1f})" text-anchor="middle">GFLOP/s</text>')
    legend_x = PAD_L + 10
    for i, (_, name, colour, dash) in enumerate(SERIES):
        y = PAD_T + 16 + 16 * i
        parts.append(f'<line x1="{legend_x}" x2="{legend_x + 24}" y1="{y}" y2="{y}" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>')
        parts.append(f'<text x="{legend_x + 30}" y="{y + 4}">{name}</text>')
    parts.append(f'<text x="{PAD_L + width / 2:.1f}" y="{H - 12}" text-anchor="middle">batch B (log scale)</text>')
    parts.append(f'<text x="{PAD_L + 1.5 * width + GAP:.1f}" y="{H - 12}" text-anchor="middle">hidden size H (log scale)</text>')
    parts.append("</svg>")
    with open(out + ".partial", "w") as f:
        f.write("\n".join(parts) + "\n")
    os.replace(out + ".partial", out)


if __name__ == "__main__":
    main()
